// accountctl against a MemoryStore (and a local Sleeper): every command's
// output and exit code, help for every command, and usage errors.
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "account/sleeper/curl_sleeper_client.h"
#include "cli/cli_fixture.h"
#include "sleeper/fake_sleeper.h"
#include "sleeper/office_league_json.h"
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
      return cli::OpenedStore{.store = ledger.store, .description = "the in-memory store"};
    };
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
  for (const char* command :
       {"show", "list", "fantasy-update", "expire", "audit", "migrate", "health", "config"}) {
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

}  // namespace
}  // namespace account
