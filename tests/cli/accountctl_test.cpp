// accountctl against a MemoryStore (and a local Sleeper): every command's
// output and exit code, help for every command, and usage errors.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "account/sleeper/curl_sleeper_client.h"
#include "account/testing/fault_injecting_store.h"
#include "cli/cli_fixture.h"
#include "journal/state_hash.h"
#include "sleeper/fake_sleeper.h"
#include "sleeper/office_league_json.h"
#include "support/json_value.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::CliResult;
using testing::contains;
using testing::env_of;
using testing::LedgerFixture;
using testing::run_cli;

constexpr SymbolId kSymbol{17};

// A ledger with Alice (cash, a position, a buy reservation, a trade) and Bob.
struct World {
  LedgerFixture ledger;
  AccountId alice;
  AccountId bob;
  std::map<std::string, std::string> env;
  std::string sleeper_url = "http://127.0.0.1:1/v1";  // nothing listens there
  std::shared_ptr<Store> cli_store;  // What accountctl opens; the ledger's store when unset.
  std::function<bool()> stop_following;

  World() {
    alice = ledger.svc().create_account("google-alice", "Alice").value();
    bob = ledger.svc().create_account("google-bob", "Bob").value();
    ledger.fund(alice, Cents{1'234'56});
    ledger.give_shares(bob, kSymbol, Qty{2 * kBpPerShare});
    const OrderSpec buy = ledger.order(alice, kSymbol, Qty{1'429}, Price{35'000});
    const OrderSpec sell = ledger.order(bob, kSymbol, Qty{1'429}, Price{30'000});
    REQUIRE(ledger.svc().reserve_buy(buy).ok());
    REQUIRE(ledger.svc().reserve_sell(sell).ok());
    REQUIRE(ledger.svc().settle(ledger.fill(buy, sell, Qty{1'429}, Price{35'000})).ok());
    // A second buy order stays open.
    REQUIRE(ledger.svc().reserve_buy(ledger.order(alice, kSymbol, Qty{5'000}, Price{10'000})).ok());
  }

  cli::CliContext context() {
    cli::CliContext c;
    c.env = env_of(env);
    c.clock = ledger.clock;
    c.open_store = [this](const Config&, cli::StoreMode) -> absl::StatusOr<cli::OpenedStore> {
      return cli::OpenedStore{.store = cli_store ? cli_store : ledger.store,
                              .description = "the in-memory store"};
    };
    c.stop_following = stop_following;
    c.open_sleeper = [this](const Config&) -> absl::StatusOr<std::shared_ptr<SleeperClient>> {
      CurlSleeperClientOptions options;
      options.base_url = sleeper_url;
      options.attempts_max = 1;
      options.attempt_timeout = absl::Seconds(2);
      ACCOUNT_ASSIGN_OR_RETURN(auto client, CurlSleeperClient::create(options));
      return std::shared_ptr<SleeperClient>(std::move(client));
    };
    return c;
  }
  CliResult run(std::vector<std::string> args) { return run_cli(context(), std::move(args)); }
};

TEST_CASE("accountctl help lists every command, and each command has --help", "[cli]") {
  World w;
  const CliResult help = w.run({"help"});
  CHECK(help.exit_code == cli::kExitOk);
  for (const char* command : {"show", "list", "fantasy-update", "expire", "audit", "migrate",
                              "health", "config", "events", "verify", "history"}) {
    CAPTURE(command);
    CHECK(contains(help.out, std::string("  ") + command));
    const CliResult one = w.run({command, "--help"});
    CHECK(one.exit_code == cli::kExitOk);
    CHECK(contains(one.out, std::string("usage: accountctl ") + command));
    CHECK(one.err.empty());
  }
  CHECK(contains(help.out, "Exit codes: 0 ok, 1 problems found, 2 usage error"));
}

TEST_CASE("usage errors exit 2 and say what was wrong", "[cli]") {
  World w;
  CHECK(w.run({}).exit_code == cli::kExitUsage);
  const CliResult unknown = w.run({"frobnicate"});
  CHECK(unknown.exit_code == cli::kExitUsage);
  CHECK(contains(unknown.err, "no command \"frobnicate\""));
  const CliResult option = w.run({"show", "--colour", "1"});
  CHECK(option.exit_code == cli::kExitUsage);
  CHECK(contains(option.err, "show has no option --colour"));
  CHECK(w.run({"show"}).exit_code == cli::kExitUsage);
  CHECK(w.run({"show", "1", "2"}).exit_code == cli::kExitUsage);
  CHECK(w.run({"show", "alice"}).exit_code == cli::kExitUsage);
  CHECK(w.run({"show", "--trades"}).exit_code == cli::kExitUsage);
  // A bad value is refused before anything is printed.
  const CliResult bad_trades = w.run({"show", "1", "--trades", "abc"});
  CHECK(bad_trades.exit_code == cli::kExitUsage);
  CHECK(bad_trades.out.empty());
  CHECK(w.run({"fantasy-update"}).exit_code == cli::kExitUsage);
  CHECK(w.run({"fantasy-update", "--all", "--account", "1"}).exit_code == cli::kExitUsage);
}

TEST_CASE("show prints the account, positions, reservations and trades", "[cli]") {
  World w;
  const CliResult r = w.run({"show", std::to_string(w.alice.value())});
  INFO(r.out);
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "Account 1 \"Alice\" (google id google-alice)"));
  // 0.1429 share at $350.00 cost 5001 cents; the open order holds 5000 cents.
  CHECK(contains(r.out, "  cash           $1,184.55\n"));
  CHECK(contains(r.out, "  available      $1,134.55\n"));
  CHECK(contains(r.out, "  reserved       $50.00\n"));
  CHECK(contains(r.out, "  sleeper        not linked\n"));
  CHECK(contains(r.out, "Positions (1)"));
  CHECK(contains(r.out, "    17  0.1429      $50.01         $0.00         0.0000       0.5000\n"));
  CHECK(contains(r.out, "Active reservations (1)"));
  CHECK(contains(r.out, "\n   3      3  BUY       17     0.5000  $100.00  $50.00  2026-09-17 00:26:40 UTC\n"));
  CHECK(contains(r.out, "Trades (newest first, up to 20: 1)"));
  CHECK(contains(r.out, "  1      1  BUY       17  0.1429  $350.00    $50.01         $0.00"));

  const CliResult by_google = w.run({"show", "--google", "google-bob", "--trades", "0"});
  REQUIRE(by_google.exit_code == cli::kExitOk);
  CHECK(contains(by_google.out, "Account 2 \"Bob\""));
  CHECK(contains(by_google.out, "Trades (newest first, up to 0: 0)"));
}

TEST_CASE("show of an unknown account exits 5", "[cli]") {
  World w;
  const CliResult r = w.run({"show", "99"});
  CHECK(r.exit_code == cli::kExitNotFound);
  CHECK(contains(r.err, "AccountNotFound"));
  CHECK(w.run({"show", "--google", "nobody"}).exit_code == cli::kExitNotFound);
}

TEST_CASE("list prints every account", "[cli]") {
  World w;
  const CliResult r = w.run({"list"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "2 accounts in the in-memory store"));
  CHECK(contains(r.out, "1  google-alice  Alice  $1,184.55  $1,134.55  -"));
  CHECK(contains(r.out, "2  google-bob    Bob       $50.01     $50.01  -"));
}

TEST_CASE("expire frees what due reservations held", "[cli]") {
  World w;
  CliResult r = w.run({"expire"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "expired 0 reservations"));
  w.ledger.clock->advance(absl::Hours(24 * 8));  // past the 7-day default expiry
  r = w.run({"expire"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "expired 1 reservation due by"));
  w.ledger.reopen();
  CHECK(w.ledger.svc().available_cash(w.alice).value() == Cents{1'184'55});
}

TEST_CASE("RESERVATION_EXPIRY_DAYS sets the expiry the ledger applies", "[cli]") {
  World w;
  w.env["RESERVATION_EXPIRY_DAYS"] = "30";
  w.ledger.clock->advance(absl::Hours(24 * 8));
  CliResult r = w.run({"expire"});
  REQUIRE(r.exit_code == cli::kExitOk);
  // Reservations keep the expiry they were created with (7 days).
  CHECK(contains(r.out, "expired 1 reservation"));
}

TEST_CASE("audit passes a sound ledger and lists what is wrong in a broken one", "[cli]") {
  World w;
  CliResult r = w.run({"audit"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "audit OK: 2 accounts, 2 positions"));

  // Corrupt the store behind the ledger's back: the open buy order now holds
  // 1 cent instead of 5000.
  std::vector<Reservation> active = w.ledger.svc().active_reservations(w.alice).value();
  REQUIRE(active.size() == 1);
  active[0].reserved_cash = Cents{1};
  ChangeSet corrupt;
  corrupt.reservations.push_back(active[0]);
  REQUIRE(w.ledger.store->commit(corrupt).ok());

  r = w.run({"audit"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.out, "audit FAILED"));
  CHECK(contains(r.out, "reservation " + std::to_string(active[0].id.value()) + ": holds 1 cents"));
}

TEST_CASE("config prints settings with secrets hidden, and bad ones exit 3", "[cli]") {
  World w;
  w.env["JWT_SECRET"] = "0123456789abcdef0123456789abcdef";
  CliResult r = w.run({"config"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "JWT_SECRET = <set, 32 bytes>"));
  CHECK_FALSE(contains(r.out, "0123456789abcdef"));

  w.env["RESERVATION_EXPIRY_DAYS"] = "forever";
  r = w.run({"show", "1"});
  CHECK(r.exit_code == cli::kExitConfig);
  CHECK(contains(r.err, "RESERVATION_EXPIRY_DAYS: not a whole number"));
}

TEST_CASE("health reports the store and Sleeper, and exits 4 when Sleeper is down", "[cli]") {
  World w;
  CliResult r = w.run({"health"});
  CHECK(r.exit_code == cli::kExitUnavailable);
  CHECK(contains(r.out, "store    ok"));
  CHECK(contains(r.out, "sleeper  FAILED"));

  testing::FakeSleeper fake;
  testing::serve_week_four(fake);
  w.sleeper_url = fake.base_url();
  r = w.run({"health"});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "sleeper  ok"));
}

// League 11 of office_league.h: Alice's roster 3 is worth $4,262.00.
void serve_league(testing::FakeSleeper& fake) {
  testing::serve_week_four(fake);
  testing::serve_office_league(fake);
}

TEST_CASE("fantasy-update credits one account once", "[cli]") {
  World w;
  testing::FakeSleeper fake;
  serve_league(fake);
  w.sleeper_url = fake.base_url();
  REQUIRE(w.ledger.svc()
              .link_sleeper(w.alice, SleeperLink{.user_id = "100", .username = "alice",
                                                 .league_id = "11", .season = "2026", .roster_id = 3})
              .ok());
  CliResult r = w.run({"fantasy-update", "--account", std::to_string(w.alice.value())});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "target $4,262.00, credited $4,262.00, moved $4,262.00"));
  r = w.run({"fantasy-update", "--account", std::to_string(w.alice.value())});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "moved $0.00"));
  w.ledger.reopen();
  CHECK(w.ledger.svc().cash(w.alice).value() == Cents{1'184'55 + 4'262'00});

  // Bob has no link: the update is refused and says why.
  r = w.run({"fantasy-update", "--account", std::to_string(w.bob.value())});
  CHECK(r.exit_code == cli::kExitFailed);
  CHECK(contains(r.err, "account 2:"));
}

TEST_CASE("fantasy-update --all shows progress and lists the accounts that failed", "[cli]") {
  World w;
  testing::FakeSleeper fake;
  serve_league(fake);
  w.sleeper_url = fake.base_url();
  REQUIRE(w.ledger.svc()
              .link_sleeper(w.alice, SleeperLink{.user_id = "100", .username = "alice",
                                                 .league_id = "11", .season = "2026", .roster_id = 3})
              .ok());
  // Bob's league does not exist on Sleeper.
  REQUIRE(w.ledger.svc()
              .link_sleeper(w.bob, SleeperLink{.user_id = "200", .username = "bob",
                                               .league_id = "99", .season = "2026", .roster_id = 4})
              .ok());
  const CliResult r = w.run({"fantasy-update", "--all"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.err, "fantasy update: accounts 1/2\n"));
  CHECK(contains(r.err, "fantasy update: accounts 2/2\n"));
  CHECK(contains(r.out, "fantasy update: 1 updated, 0 unchanged, 1 failed"));
  CHECK(contains(r.out, "      2  "));
}

// --- The journal: events and verify -----------------------------------------------------------
//
// World's ledger commits one journal entry per command:
//   1 Alice created, 2 Bob created, 3 Alice credited, 4 shares issued to Bob, 5 Alice's buy
//   reserved, 6 Bob's sell reserved, 7 the fill (fill_applied, then both reservations settled),
//   8 Alice's second buy reserved.

// A store that passes every call on to another, with what a test changes on the way: a row
// altered behind the ledger's back (load), entries damaged or pruned (journal), or a ledger
// committing just before a load.
class TamperingStore : public Store {
 public:
  explicit TamperingStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  std::function<void()> before_load;
  std::function<void(LedgerSnapshot&)> change_load;
  std::function<void(std::vector<JournalRecord>&)> change_journal;

  absl::Status commit(const ChangeSet& changes) override { return inner_->commit(changes); }
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override {
    if (before_load) before_load();
    absl::StatusOr<LedgerSnapshot> loaded = inner_->load(request);
    if (loaded.ok() && change_load) change_load(*loaded);
    return loaded;
  }
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override {
    return inner_->find_execution(execution);
  }
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override {
    return inner_->trades(account, limit);
  }
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override {
    absl::StatusOr<std::vector<JournalRecord>> records = inner_->journal(after_seq, limit);
    if (records.ok() && change_journal) change_journal(*records);
    return records;
  }

 private:
  std::shared_ptr<Store> inner_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// Each line parsed as JSON; a line that does not parse fails the test.
std::vector<testing::JsonValue> json_lines(const std::string& text) {
  std::vector<testing::JsonValue> out;
  for (const std::string& line : lines_of(text)) {
    testing::JsonReader reader(line);
    std::optional<testing::JsonValue> value = reader.parse();
    INFO(line);
    REQUIRE(value.has_value());
    out.push_back(*std::move(value));
  }
  return out;
}

// A member as written: numbers exactly ("5001"), strings as themselves, "null".
std::string field(const testing::JsonValue& object, std::string_view path) {
  const testing::JsonValue* v = &object;
  for (absl::string_view key : absl::StrSplit(absl::string_view(path.data(), path.size()), '.')) {
    v = v->get(std::string_view(key.data(), key.size()));
    if (v == nullptr) return "<missing>";
  }
  switch (v->type) {
    case testing::JsonValue::Type::kNumber: return v->number_text;
    case testing::JsonValue::Type::kString: return v->string;
    case testing::JsonValue::Type::kNull: return "null";
    default: return "<not a scalar>";
  }
}

// (seq, index) of every line.
std::vector<std::pair<std::string, std::string>> cursors(
    const std::vector<testing::JsonValue>& events) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const testing::JsonValue& e : events) out.emplace_back(field(e, "seq"), field(e, "index"));
  return out;
}

using Cursors = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("events prints one JSON line per event, with its seq and its index in the entry",
          "[cli][journal]") {
  World w;
  const CliResult r = w.run({"events"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(r.err.empty());
  const std::vector<testing::JsonValue> events = json_lines(r.out);
  CHECK(cursors(events) == Cursors{{"1", "0"}, {"2", "0"}, {"3", "0"}, {"4", "0"}, {"5", "0"},
                                   {"6", "0"}, {"7", "0"}, {"7", "1"}, {"7", "2"}, {"8", "0"}});
  // The whole of one line: its shape is what consumers parse.
  CHECK(lines_of(r.out)[0] ==
        R"({"seq":1,"index":0,"committed_at":"2026-09-10T00:26:40.000000000Z",)"
        R"("type":"account_created","account":1,"google_id":"google-alice",)"
        R"("display_name":"Alice","created_at":"2026-09-10T00:26:40.000000000Z",)"
        R"("cash_cents":0,"sleeper":null})");

  const testing::JsonValue& credit = events[2];
  CHECK(field(credit, "type") == "entry_applied");
  CHECK(field(credit, "kind") == "fantasy_credit");
  CHECK(field(credit, "cash_cents") == "123456");
  CHECK(field(credit, "cash_after_cents") == "123456");
  CHECK(field(credit, "position_after") == "null");
  const testing::JsonValue& issue = events[3];
  CHECK(field(issue, "kind") == "share_issue");
  CHECK(field(issue, "qty_bp") == "20000");
  CHECK(field(issue, "position_after.qty_bp") == "20000");

  const testing::JsonValue& reserved = events[4];
  CHECK(field(reserved, "type") == "reservation_created");
  CHECK(field(reserved, "reservation.side") == "buy");
  CHECK(field(reserved, "reservation.order_qty_bp") == "1429");
  CHECK(field(reserved, "reservation.limit_cents_per_share") == "35000");
  CHECK(field(reserved, "reservation.status") == "active");

  // 0.1429 share at $350.00: 5001 cents from Alice to Bob.
  const testing::JsonValue& fill = events[6];
  CHECK(field(fill, "type") == "fill_applied");
  CHECK(field(fill, "qty_bp") == "1429");
  CHECK(field(fill, "price_cents_per_share") == "35000");
  CHECK(field(fill, "buyer.account") == "1");
  CHECK(field(fill, "buyer.cash_after_cents") == "118455");
  CHECK(field(fill, "buyer.position_after.qty_bp") == "1429");
  CHECK(field(fill, "buyer.position_after.cost_basis_cents") == "5001");
  CHECK(field(fill, "seller.account") == "2");
  CHECK(field(fill, "seller.cash_after_cents") == "5001");
  CHECK(field(fill, "seller.position_after.qty_bp") == "18571");
  CHECK(field(fill, "seller.realized_pnl_cents") == "5001");
  for (const testing::JsonValue& settled : {events[7], events[8]}) {
    CHECK(field(settled, "type") == "reservation_changed");
    CHECK(field(settled, "change") == "settled");
    CHECK(field(settled, "reservation.remaining_qty_bp") == "0");
    CHECK(field(settled, "reservation.status") == "settled");
  }
  CHECK(field(events[7], "reservation.side") == "buy");
  CHECK(field(events[8], "reservation.side") == "sell");
}

TEST_CASE("events escapes strings, so that any name gives a line that parses", "[cli][journal]") {
  World w;
  const std::string name = "Carol \"the \\ quote\"\t\xff";
  const AccountId carol = w.ledger.svc().create_account("google-carol", name).value();
  REQUIRE(w.ledger.svc()
              .link_sleeper(carol, SleeperLink{.user_id = "300", .username = "c\"c",
                                               .league_id = "11", .season = "2026",
                                               .roster_id = 5})
              .ok());
  const CliResult r = w.run({"events", "--since", "8"});
  REQUIRE(r.exit_code == cli::kExitOk);
  const std::vector<testing::JsonValue> events = json_lines(r.out);
  REQUIRE(events.size() == 2);
  // The byte that is not UTF-8 comes back as U+FFFD; the rest as it was.
  CHECK(field(events[0], "display_name") == "Carol \"the \\ quote\"\t\xef\xbf\xbd");
  CHECK(field(events[1], "type") == "sleeper_link_changed");
  CHECK(field(events[1], "account") == "3");
  CHECK(field(events[1], "sleeper.username") == "c\"c");
  CHECK(field(events[1], "sleeper.roster_id") == "5");
}

TEST_CASE("events --since skips the entries up to it, and --max stops at whole entries",
          "[cli][journal]") {
  World w;
  CliResult r = w.run({"events", "--since", "6"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(cursors(json_lines(r.out)) == Cursors{{"7", "0"}, {"7", "1"}, {"7", "2"}, {"8", "0"}});

  // Entries 5 and 6 fit in 3 events; entry 7 (3 more) does not, and is left for the next call.
  r = w.run({"events", "--since", "4", "--max", "3"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(cursors(json_lines(r.out)) == Cursors{{"5", "0"}, {"6", "0"}});
  // The first entry is printed whole, however many events it holds.
  r = w.run({"events", "--since", "6", "--max", "1"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(cursors(json_lines(r.out)) == Cursors{{"7", "0"}, {"7", "1"}, {"7", "2"}});
  r = w.run({"events", "--max", "4"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(json_lines(r.out).size() == 4);

  // At the head: nothing to print. Past it: the cursor is not this journal's.
  r = w.run({"events", "--since", "8"});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(r.out.empty());
  r = w.run({"events", "--since", "9"});
  CHECK(r.exit_code == cli::kExitUsage);
  CHECK(contains(r.err, "--since 9 is past the journal's head, seq 8"));

  CHECK(w.run({"events", "--max", "0"}).exit_code == cli::kExitUsage);
  CHECK(w.run({"events", "--since", "x"}).exit_code == cli::kExitUsage);
  CHECK(w.run({"events", "--poll-ms", "10"}).exit_code == cli::kExitUsage);
}

TEST_CASE("events --follow prints entries as they commit until it is stopped", "[cli][journal]") {
  World w;
  int polls = 0;
  // The first time it is at the head, the ledger commits one more entry; the second, it stops.
  w.stop_following = [&] {
    if (++polls == 1) w.ledger.fund(w.bob, Cents{700});
    return polls > 1;
  };
  const CliResult r = w.run({"events", "--since", "8", "--follow", "--poll-ms", "1"});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(polls == 2);
  const std::vector<testing::JsonValue> events = json_lines(r.out);
  REQUIRE(events.size() == 1);
  CHECK(field(events[0], "seq") == "9");
  CHECK(field(events[0], "account") == "2");
  CHECK(field(events[0], "cash_after_cents") == "5701");
}

TEST_CASE("events names what stops it: pruned entries, a damaged entry, a store down",
          "[cli][journal]") {
  World w;
  auto tampered = std::make_shared<TamperingStore>(w.ledger.store);
  w.cli_store = tampered;

  // Entries up to 4 pruned.
  tampered->change_journal = [](std::vector<JournalRecord>& records) {
    std::erase_if(records, [](const JournalRecord& r) { return r.seq <= 4; });
  };
  CliResult r = w.run({"events", "--since", "2"});
  CHECK(r.exit_code == cli::kExitNotFound);
  CHECK(contains(r.err, "first kept entry is seq 5"));
  CHECK(r.out.empty());
  CHECK(w.run({"events", "--since", "4"}).exit_code == cli::kExitOk);

  // Entry 3's bytes damaged: the entries before it are printed, then the error names it.
  tampered->change_journal = [](std::vector<JournalRecord>& records) {
    for (JournalRecord& record : records) {
      if (record.seq == 3) record.bytes = "\x01 not an entry";
    }
  };
  r = w.run({"events"});
  CHECK(r.exit_code == cli::kExitFailed);
  CHECK(contains(r.err, "seq 3 does not decode"));
  CHECK(cursors(json_lines(r.out)) == Cursors{{"1", "0"}, {"2", "0"}});

  auto down = std::make_shared<testing::FaultInjectingStore>(w.ledger.store);
  down->go_down();
  w.cli_store = down;
  r = w.run({"events"});
  CHECK(r.exit_code == cli::kExitUnavailable);
  CHECK(contains(r.err, "connection refused"));
}

std::string hex(const ChainHash& h) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

TEST_CASE("verify passes a healthy ledger and prints equal state hashes", "[cli][journal]") {
  World w;
  const CliResult r = w.run({"verify"});
  REQUIRE(r.exit_code == cli::kExitOk);
  // The hash of the ledger's memory: store and journal both hold it.
  const std::string memory = hex(internal::state_hash(w.ledger.svc().snapshot()));
  CHECK(r.out ==
        "chain: 8 entries, seq 1..8, ok\n"
        "replay: tables match the journal at seq 8\n"
        "state hash at seq 8: journal " + memory + ", store " + memory + "\n"
        "verify OK: the in-memory store agrees with its journal at seq 8\n");
}

TEST_CASE("verify names a changed row with the seq that last wrote it", "[cli][journal]") {
  World w;
  auto tampered = std::make_shared<TamperingStore>(w.ledger.store);
  w.cli_store = tampered;
  // Bob's cash, last written by the fill (seq 7), one cent more in the store.
  tampered->change_load = [](LedgerSnapshot& s) {
    for (Account& a : s.accounts) {
      if (a.id == AccountId{2}) a.cash += Cents{1};
    }
  };
  const CliResult r = w.run({"verify"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.out, "chain: 8 entries, seq 1..8, ok\n"));
  CHECK(contains(r.out,
                 "replay: account 2, last written by seq 7: cash: journal 5001 cents, store "
                 "5002 cents\n"));
  const std::vector<std::string> lines = lines_of(r.out);
  REQUIRE(lines.size() == 4);
  // Both hashes printed, and they differ.
  const std::vector<std::string> hashes = absl::StrSplit(lines[2], absl::ByAnyChar(" ,"),
                                                         absl::SkipEmpty());
  REQUIRE(hashes.size() == 9);  // state hash at seq 8: journal X, store Y
  CHECK(hashes[6] != hashes[8]);
  CHECK(contains(r.out, "verify FAILED"));
}

TEST_CASE("verify names the seq of a damaged journal entry as the chain's break",
          "[cli][journal]") {
  World w;
  auto tampered = std::make_shared<TamperingStore>(w.ledger.store);
  w.cli_store = tampered;
  tampered->change_journal = [](std::vector<JournalRecord>& records) {
    for (JournalRecord& record : records) {
      if (record.seq == 5) record.bytes.back() = static_cast<char>(~record.bytes.back());
    }
  };
  const CliResult r = w.run({"verify"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.out, "chain: broken at seq 5: "));
}

TEST_CASE("verify beside a committing ledger reads on to the head the store loaded",
          "[cli][journal]") {
  World w;
  auto tampered = std::make_shared<TamperingStore>(w.ledger.store);
  w.cli_store = tampered;
  // Two entries commit after verify read the journal, before it loads the tables.
  int loads = 0;
  tampered->before_load = [&] {
    if (loads++ > 0) return;
    w.ledger.fund(w.alice, Cents{100});
    w.ledger.fund(w.bob, Cents{200});
  };
  const CliResult r = w.run({"verify"});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "chain: 10 entries, seq 1..10, ok\n"));
  CHECK(contains(r.out, "replay: tables match the journal at seq 10\n"));
}

TEST_CASE("verify says a journal that starts after the rows cannot be replayed, and passes",
          "[cli][journal]") {
  World w;
  auto tampered = std::make_shared<TamperingStore>(w.ledger.store);
  w.cli_store = tampered;

  SECTION("the ledger wrote no journal before its last commit (a store migrated to it)") {
    auto store = std::make_shared<MemoryStore>();
    AccountServiceOptions options{.store = store, .clock = w.ledger.clock};
    options.journal_written = false;
    {
      auto before = AccountService::open(options).value();
      const AccountId a = before->create_account("google-a", "A").value();
      REQUIRE(before->credit(a, Cents{500}, EntryKind::kAdjustment, "before-journal").ok());
    }
    options.journal_written = true;
    auto after = AccountService::open(options).value();
    REQUIRE(after->credit(AccountId{1}, Cents{700}, EntryKind::kAdjustment, "journaled").ok());
    w.cli_store = store;
    const CliResult r = w.run({"verify"});
    CHECK(r.exit_code == cli::kExitOk);
    CHECK(contains(r.out, "chain: 1 entry, seq 1..1, ok\n"));
    CHECK(contains(r.out,
                   "replay: skipped: the journal starts after rows it did not write; the replay "
                   "check needs a checkpoint\n"));
    CHECK(contains(r.out, "state hash at seq 1: store "));
  }
  SECTION("the entries up to 4 were pruned") {
    tampered->change_journal = [](std::vector<JournalRecord>& records) {
      std::erase_if(records, [](const JournalRecord& r) { return r.seq <= 4; });
    };
    const CliResult r = w.run({"verify"});
    CHECK(r.exit_code == cli::kExitOk);
    CHECK(contains(r.out, "chain: 4 entries, seq 5..8, ok"));
    CHECK(contains(r.out, "replay: skipped: the journal starts at seq 5"));
  }
}

TEST_CASE("verify exits 4 when the store cannot be read", "[cli][journal]") {
  World w;
  auto down = std::make_shared<testing::FaultInjectingStore>(w.ledger.store);
  down->go_down();
  w.cli_store = down;
  const CliResult r = w.run({"verify"});
  CHECK(r.exit_code == cli::kExitUnavailable);
  CHECK(contains(r.err, "connection refused"));
}

// --- history ---------------------------------------------------------------------------------

// Two more fills of Alice's, each a minute after the one before: 0.5 share of 17 at $100 and
// 0.25 share of 18 at $80, both from Bob. Her trades: the World's fill at the epoch (00:26:40),
// then these.
void trade_more(World& w) {
  LedgerFixture& l = w.ledger;
  l.clock->advance(absl::Minutes(1));
  const OrderSpec buy = l.order(w.alice, kSymbol, Qty{5'000}, Price{10'000});
  const OrderSpec sell = l.order(w.bob, kSymbol, Qty{5'000}, Price{10'000});
  REQUIRE(l.svc().reserve_buy(buy).ok());
  REQUIRE(l.svc().reserve_sell(sell).ok());
  REQUIRE(l.svc().settle(l.fill(buy, sell, Qty{5'000}, Price{10'000})).ok());
  l.clock->advance(absl::Minutes(1));
  l.give_shares(w.bob, SymbolId{18}, Qty{kBpPerShare});
  const OrderSpec buy18 = l.order(w.alice, SymbolId{18}, Qty{2'500}, Price{8'000});
  const OrderSpec sell18 = l.order(w.bob, SymbolId{18}, Qty{2'500}, Price{8'000});
  REQUIRE(l.svc().reserve_buy(buy18).ok());
  REQUIRE(l.svc().reserve_sell(sell18).ok());
  REQUIRE(l.svc().settle(l.fill(buy18, sell18, Qty{2'500}, Price{8'000})).ok());
}

// The cursor a table's last line names ("next page: --after X"), or "" when there is none.
std::string next_after(const CliResult& r) {
  const std::vector<std::string> lines = lines_of(r.out);
  const std::string prefix = "next page: --after ";
  if (lines.empty() || lines.back().rfind(prefix, 0) != 0) return "";
  return lines.back().substr(prefix.size());
}

TEST_CASE("history trades pages through an account's trades, --after picking up the next page",
          "[cli][history]") {
  World w;
  trade_more(w);
  CliResult r = w.run({"history", "trades", "1", "--limit", "2"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "2 trades of account 1, oldest first\n"));
  CHECK(contains(r.out, "  2026-09-10 00:26:40 UTC          1      1  BUY       17  0.1429  "
                        "$350.00    $50.01         $0.00\n"));
  CHECK(contains(r.out, "  2026-09-10 00:27:40 UTC          2"));
  CHECK_FALSE(contains(r.out, "00:28:40"));
  const std::string after = next_after(r);
  REQUIRE_FALSE(after.empty());
  r = w.run({"history", "trades", "1", "--limit", "2", "--after", after});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "1 trade of account 1, oldest first\n"));
  CHECK(contains(r.out, "  2026-09-10 00:28:40 UTC          3      6  BUY       18  0.2500  "
                        "$80.00    $20.00         $0.00\n"));
  CHECK(next_after(r).empty());
  // Past the last trade: none, and no cursor.
  r = w.run({"history", "trades", "1", "--after", "999"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(r.out == "0 trades of account 1\n");

  r = w.run({"history", "trades", "1", "--symbol", "18"});
  CHECK(contains(r.out, "1 trade of account 1"));
  CHECK(contains(r.out, "  BUY       18  "));
  // From inclusive, to exclusive.
  r = w.run({"history", "trades", "1", "--from", "2026-09-10T00:27:40Z", "--to",
             "2026-09-10T00:28:40Z"});
  CHECK(contains(r.out, "1 trade of account 1"));
  CHECK(contains(r.out, "2026-09-10 00:27:40 UTC"));
  // Bob's side of the same fills.
  r = w.run({"history", "trades", "2"});
  CHECK(contains(r.out, "3 trades of account 2"));
  CHECK(contains(r.out, "  SELL      17  0.1429  $350.00    $50.01"));
}

TEST_CASE("history --json prints one object per trade and the next page's cursor last",
          "[cli][history]") {
  World w;
  trade_more(w);
  const CliResult r = w.run({"history", "trades", "1", "--limit", "2", "--json"});
  REQUIRE(r.exit_code == cli::kExitOk);
  const std::vector<testing::JsonValue> lines = json_lines(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(field(lines[0], "execution") == "1");
  CHECK(field(lines[0], "account") == "1");
  CHECK(field(lines[0], "side") == "buy");
  CHECK(field(lines[0], "symbol") == "17");
  CHECK(field(lines[0], "qty_bp") == "1429");
  CHECK(field(lines[0], "price_cents_per_share") == "35000");
  CHECK(field(lines[0], "notional_cents") == "5001");
  CHECK(field(lines[0], "time") == "2026-09-10T00:26:40.000000000Z");
  CHECK(field(lines[1], "execution") == "2");
  CHECK(field(lines[2], "more") == "<not a scalar>");  // true: a JSON boolean.
  const std::string after = field(lines[2], "after");
  const CliResult next = w.run({"history", "trades", "1", "--json", "--after", after});
  REQUIRE(next.exit_code == cli::kExitOk);
  const std::vector<testing::JsonValue> rest = json_lines(next.out);
  REQUIRE(rest.size() == 1);  // The last trade, and no cursor line.
  CHECK(field(rest[0], "execution") == "3");
}

TEST_CASE("history entries pages by time and key, of one kind with --kind", "[cli][history]") {
  World w;
  LedgerFixture& l = w.ledger;
  l.clock->advance(absl::Minutes(1));
  REQUIRE(l.svc().credit(w.alice, Cents{500}, EntryKind::kAdjustment, "adj \"one\"").ok());
  l.clock->advance(absl::Minutes(1));
  REQUIRE(l.svc().credit(w.alice, Cents{700}, EntryKind::kWinBonus, "win-1").ok());
  CliResult r = w.run({"history", "entries", "1", "--limit", "2"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "2 entries of account 1, oldest first\n"));
  CHECK(contains(r.out, "  2026-09-10 00:26:40 UTC  credit-1   fantasy_credit  $1,234.56"));
  CHECK(contains(r.out, "  2026-09-10 00:27:40 UTC  adj \"one\"  adjustment          $5.00"));
  const std::string after = next_after(r);
  // The last entry's time in nanoseconds and its key in hex.
  CHECK(after == "1789000060000000000:61646a20226f6e6522");
  r = w.run({"history", "entries", "1", "--limit", "2", "--after", after});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "1 entry of account 1"));
  CHECK(contains(r.out, "win-1"));
  CHECK(next_after(r).empty());

  r = w.run({"history", "entries", "1", "--kind", "adjustment", "--json"});
  REQUIRE(r.exit_code == cli::kExitOk);
  const std::vector<testing::JsonValue> lines = json_lines(r.out);
  REQUIRE(lines.size() == 1);
  CHECK(field(lines[0], "key") == "adj \"one\"");
  CHECK(field(lines[0], "kind") == "adjustment");
  CHECK(field(lines[0], "cash_cents") == "500");
  CHECK(field(lines[0], "time") == "2026-09-10T00:27:40.000000000Z");
  // Bob's share issue at 00:26:40, outside a range that ends there.
  r = w.run({"history", "entries", "2", "--to", "2026-09-10T00:26:40Z"});
  CHECK(r.out == "0 entries of account 2\n");
  r = w.run({"history", "entries", "2", "--kind", "share_issue"});
  CHECK(contains(r.out, "1 entry of account 2"));
}

TEST_CASE("history reservations pages by id, every status or one", "[cli][history]") {
  World w;
  // Alice's: 1, her settled buy; 3, her open buy.
  CliResult r = w.run({"history", "reservations", "1", "--limit", "1"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "1 reservation of account 1, oldest first\n"));
  CHECK(contains(r.out, "   1      1  BUY       17  settled  0.1429  "));
  CHECK(next_after(r) == "1");
  r = w.run({"history", "reservations", "1", "--limit", "1", "--after", "1"});
  CHECK(contains(r.out, "   3      3  BUY       17  active  0.5000     0.5000  $100.00  $50.00"));
  CHECK(next_after(r).empty());
  r = w.run({"history", "reservations", "1", "--status", "active", "--json"});
  REQUIRE(r.exit_code == cli::kExitOk);
  const std::vector<testing::JsonValue> lines = json_lines(r.out);
  REQUIRE(lines.size() == 1);
  CHECK(field(lines[0], "id") == "3");
  CHECK(field(lines[0], "status") == "active");
  CHECK(field(lines[0], "reserved_cash_cents") == "5000");
  CHECK(w.run({"history", "reservations", "2", "--status", "cancelled"}).out ==
        "0 reservations of account 2\n");
}

TEST_CASE("history refuses malformed input before it reads, and names a store that fails",
          "[cli][history]") {
  World w;
  const std::vector<std::vector<std::string>> usage_errors = {
      {"history"},
      {"history", "trades"},
      {"history", "fills", "1"},
      {"history", "trades", "alice"},
      {"history", "trades", "0"},
      {"history", "trades", "1", "--kind", "adjustment"},
      {"history", "trades", "1", "--status", "active"},
      {"history", "entries", "1", "--symbol", "17"},
      {"history", "reservations", "1", "--from", "2026-09-10T00:00:00Z"},
      {"history", "trades", "1", "--limit", "0"},
      {"history", "trades", "1", "--limit", "10001"},
      {"history", "trades", "1", "--from", "yesterday"},
      {"history", "trades", "1", "--from", "2026-09-10T00:00:00Z", "--to",
       "2026-09-10T00:00:00Z"},
      {"history", "trades", "1", "--after", "x"},
      {"history", "entries", "1", "--after", "12"},
      {"history", "entries", "1", "--after", "12:zz"},
      {"history", "entries", "1", "--kind", "bonus"},
      {"history", "reservations", "1", "--status", "open"},
  };
  for (const std::vector<std::string>& args : usage_errors) {
    CAPTURE(absl::StrJoin(args, " "));
    const CliResult r = w.run(args);
    CHECK(r.exit_code == cli::kExitUsage);
    CHECK(r.out.empty());
    CHECK_FALSE(r.err.empty());
  }
  CHECK(contains(w.run({"history", "trades", "1", "--kind", "adjustment"}).err,
                 "--kind is for entries"));

  // Through a FaultInjectingStore: the pages pass while it is up, and fail while it is down.
  auto down = std::make_shared<testing::FaultInjectingStore>(w.ledger.store);
  w.cli_store = down;
  CHECK(contains(w.run({"history", "trades", "1"}).out, "1 trade of account 1"));
  down->go_down();
  CliResult r = w.run({"history", "trades", "1"});
  CHECK(r.exit_code == cli::kExitUnavailable);
  CHECK(contains(r.err, "connection refused"));
  // A store that keeps no history says so.
  w.cli_store = std::make_shared<TamperingStore>(w.ledger.store);
  r = w.run({"history", "entries", "1"});
  CHECK(r.exit_code == cli::kExitFailed);
  CHECK(contains(r.err, "answers no history pages"));
}

}  // namespace
}  // namespace account
