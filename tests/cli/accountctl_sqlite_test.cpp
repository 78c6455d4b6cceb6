// accountctl on a SQLite file (DATABASE_URL=sqlite:...), through the context
// the installed binary uses (default_cli_context, so open_store()): every
// command; the read-only ones (show, list, audit, health) beside a running
// ledger, the writers (expire, fantasy-update, migrate) refused while it
// runs and naming it, then run once it has stopped; and each bad URL or
// file exits with the code its cause calls for, naming it.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "account/account_service.h"
#include "account/clock.h"
#include "account/sleeper/curl_sleeper_client.h"
#include "account/status.h"
#include "account/stores/open_store.h"
#include "cli/cli_fixture.h"
#include "sleeper/fake_sleeper.h"
#include "sleeper/office_league_json.h"
#include "support/temp_dir.h"

namespace account {
namespace {

using testing::CliResult;
using testing::contains;
using testing::env_of;
using testing::run_cli;
using testing::TempDir;

constexpr SymbolId kSymbol{17};

// The installed binary's context on `url`, with a clock the test moves and
// a Sleeper client that tries once.
struct Cli {
  std::string url;
  std::string sleeper_url = "http://127.0.0.1:1/v1";  // Nothing listens there.
  std::shared_ptr<ManualClock> clock =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1'789'000'000));  // 2026-09-10

  CliResult run(std::vector<std::string> args) {
    cli::CliContext context = cli::default_cli_context();
    context.env = env_of({{"DATABASE_URL", url}, {"SLEEPER_API_BASE_URL", sleeper_url}});
    context.err_is_terminal = false;
    context.clock = clock;
    context.open_sleeper =
        [](const Config& config) -> absl::StatusOr<std::shared_ptr<SleeperClient>> {
      CurlSleeperClientOptions options = sleeper_options_from_config(config);
      options.attempts_max = 1;
      ACCOUNT_ASSIGN_OR_RETURN(auto client, CurlSleeperClient::create(options));
      return std::shared_ptr<SleeperClient>(std::move(client));
    };
    return run_cli(std::move(context), std::move(args));
  }
};

// The ledger a host runs on the file: Alice (cash, a position, an open buy
// order, a trade, a Sleeper link to league 11) and Bob.
std::unique_ptr<AccountService> open_ledger(const Cli& cli) {
  absl::StatusOr<OpenedStore> opened = open_store(cli.url);
  REQUIRE(opened.ok());
  return AccountService::open({.store = std::move(opened->store), .clock = cli.clock}).value();
}

void trade(AccountService& ledger) {
  const AccountId alice = ledger.create_account("google-alice", "Alice").value();
  const AccountId bob = ledger.create_account("google-bob", "Bob").value();
  REQUIRE(ledger.credit(alice, Cents{1'234'56}, EntryKind::kFantasyCredit, "c1").ok());
  REQUIRE(ledger.issue_shares(bob, kSymbol, Qty{2 * kBpPerShare}, "i1").ok());
  const OrderSpec buy{.account = alice, .order = OrderId{1}, .symbol = kSymbol,
                      .qty = Qty{1'429}, .limit = Price{35'000}};
  const OrderSpec sell{.account = bob, .order = OrderId{2}, .symbol = kSymbol,
                       .qty = Qty{1'429}, .limit = Price{30'000}};
  REQUIRE(ledger.reserve_buy(buy).ok());
  REQUIRE(ledger.reserve_sell(sell).ok());
  REQUIRE(ledger
              .settle(Fill{.execution = ExecutionId{1}, .symbol = kSymbol, .qty = Qty{1'429},
                           .price = Price{35'000}, .buyer = {alice, buy.order},
                           .seller = {bob, sell.order}, .tick = TickId{1},
                           .time = ledger.now()})
              .ok());
  REQUIRE(ledger
              .reserve_buy({.account = alice, .order = OrderId{3}, .symbol = kSymbol,
                            .qty = Qty{5'000}, .limit = Price{10'000}})
              .ok());
  REQUIRE(ledger
              .link_sleeper(alice, SleeperLink{.user_id = "100", .username = "alice",
                                               .league_id = "11", .season = "2026",
                                               .roster_id = 3})
              .ok());
}

TEST_CASE("accountctl runs every command on a SQLite file, reading beside a running ledger",
          "[cli][sqlite]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  Cli cli{.url = "sqlite:" + path};
  testing::FakeSleeper fake;
  testing::serve_week_four(fake);
  testing::serve_office_league(fake);
  cli.sleeper_url = fake.base_url();

  CliResult r = cli.run({"migrate"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(r.out == "the SQLite file " + path + ": schema migrated from version 0 to " +
                     std::to_string(SqliteStore::kSchemaVersion) + "\n");
  r = cli.run({"migrate"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "schema already at version " +
                            std::to_string(SqliteStore::kSchemaVersion)));

  std::unique_ptr<AccountService> ledger = open_ledger(cli);
  trade(*ledger);

  // Read-only beside the ledger: no writer lock needed.
  r = cli.run({"show", "1"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "Account 1 \"Alice\" (google id google-alice)"));
  CHECK(contains(r.out, "  cash           $1,184.55\n"));
  CHECK(contains(r.out, "  available      $1,134.55\n"));
  CHECK(contains(r.out, "  sleeper        league 11"));
  CHECK(contains(r.out, "Trades (newest first, up to 20: 1)"));
  r = cli.run({"show", "--google", "google-bob"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "Account 2 \"Bob\""));
  CHECK(cli.run({"show", "9"}).exit_code == cli::kExitNotFound);
  r = cli.run({"list"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "2 accounts in the SQLite file " + path + "\n"));
  CHECK(contains(r.out, "1  google-alice  Alice  $1,184.55  $1,134.55  11"));
  r = cli.run({"audit"});
  REQUIRE(r.exit_code == cli::kExitOk);
  // Reservations: the open order's, and the two the fill settled.
  CHECK(r.out == "audit OK: 2 accounts, 2 positions, 3 reservations in the SQLite file " + path +
                     "\n");
  r = cli.run({"health"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "store    ok"));
  CHECK(contains(r.out, "sleeper  ok"));
  r = cli.run({"config"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "DATABASE_URL = sqlite:" + path + "\n"));

  // The writers are refused while the ledger holds the file, each naming it: a refused
  // opener leaves the holder's record in the lock file as it was.
  for (const std::vector<std::string>& writer :
       std::vector<std::vector<std::string>>{{"expire"}, {"migrate"},
                                             {"fantasy-update", "--account", "1"}}) {
    CAPTURE(writer[0]);
    r = cli.run(writer);
    CAPTURE(r.err);
    CHECK(r.exit_code == cli::kExitFailed);
    CHECK(contains(r.err, path));
    CHECK(contains(r.err, "this process"));
    CHECK(r.out.empty());
  }

  // Once it stops, they run.
  ledger.reset();
  cli.clock->advance(absl::Hours(24 * 8));  // Past the open order's 7-day expiry.
  r = cli.run({"expire"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "expired 1 reservation due by"));
  r = cli.run({"fantasy-update", "--account", "1"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "target $4,262.00, credited $4,262.00, moved $4,262.00"));
  r = cli.run({"fantasy-update", "--all"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "fantasy update: 0 updated, 1 unchanged, 0 failed"));

  // What they wrote is in the file.
  ledger = open_ledger(cli);
  CHECK(ledger->cash(AccountId{1}).value() == Cents{1'184'55 + 4'262'00});
  CHECK(ledger->available_cash(AccountId{1}).value() == Cents{1'184'55 + 4'262'00});
  CHECK(ledger->audit().ok());
}

TEST_CASE("accountctl on a bad SQLite URL or file exits with its cause's code, naming it",
          "[cli][sqlite]") {
  TempDir dir;
  const std::vector<std::vector<std::string>> commands = {
      {"show", "1"}, {"list"}, {"audit"}, {"expire"}, {"migrate"}, {"health"},
      {"fantasy-update", "--account", "1"}};
  struct Row {
    std::string url;
    int exit_code;
    std::string expected;  // Part of stderr, or of stdout for `health`.
  };
  REQUIRE(::mkdir(dir.file("folder.db").c_str(), 0755) == 0);
  {
    std::ofstream notes(dir.file("notes.txt"));
    for (int i = 0; i < 300; ++i) notes << "this is a text file, not a ledger\n";
  }
  const Row rows[] = {
      {"sqlite://ledger.db", cli::kExitConfig, "DATABASE_URL: malformed: a sqlite: URL names a "
                                               "local file, not a host"},
      {"sqlite:" + dir.file("ledger.db?mode=ro"), cli::kExitConfig, "takes no query"},
      {"mysql://root:Hunter8x@db/ledger", cli::kExitConfig, "unknown scheme \"mysql:\""},
      {"sqlite:" + dir.file("folder.db"), cli::kExitConfig, "is a directory"},
      {"sqlite:" + dir.file("missing/ledger.db"), cli::kExitConfig, dir.file("missing")},
      {"sqlite:" + dir.file("notes.txt"), cli::kExitFailed, dir.file("notes.txt")},
  };
  for (const Row& row : rows) {
    for (const std::vector<std::string>& command : commands) {
      CAPTURE(row.url, command[0]);
      Cli cli{.url = row.url};
      const CliResult r = cli.run(command);
      // `health` reports a store it cannot open in its table, and exits 3 for a cause in the
      // configuration, 4 otherwise.
      const bool health = command[0] == "health";
      CHECK(r.exit_code == (health && row.exit_code == cli::kExitFailed ? cli::kExitUnavailable
                                                                        : row.exit_code));
      CHECK(contains(health ? r.out + r.err : r.err, row.expected));
      CHECK_FALSE(contains(r.out + r.err, "Hunter8x"));
    }
  }
  // A read-only command on a file that does not exist says so, and creates nothing.
  Cli cli{.url = "sqlite:" + dir.file("ledger.db")};
  for (const char* command : {"list", "audit"}) {
    const CliResult r = cli.run({command});
    CHECK(r.exit_code == cli::kExitConfig);
    CHECK(contains(r.err, dir.file("ledger.db") + " does not exist"));
  }
  struct stat st {};
  CHECK(::stat(dir.file("ledger.db").c_str(), &st) != 0);
}

}  // namespace
}  // namespace account
