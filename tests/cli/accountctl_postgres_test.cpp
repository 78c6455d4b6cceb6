// accountctl against a real PostgreSQL, through the same context the
// installed binary uses (default_cli_context): migrate, read-only commands
// beside a running ledger, writer commands refused while it runs, audit of
// a database corrupted behind the ledger's back, and the server down.
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "cli/cli_fixture.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::CliResult;
using testing::contains;
using testing::env_of;
using testing::pg_server;
using testing::run_cli;

cli::CliContext context_for(const std::string& url) {
  cli::CliContext context = cli::default_cli_context();
  context.env = env_of({{"DATABASE_URL", url}});
  context.err_is_terminal = false;
  return context;
}

TEST_CASE("accountctl migrate brings a new database to the schema version, once",
          "[cli][postgres]") {
  const std::string url = testing::fresh_database_url();
  CliResult r = run_cli(context_for(url), {"migrate"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "schema migrated from version 0 to " +
                            std::to_string(PostgresStore::kSchemaVersion)));
  r = run_cli(context_for(url), {"migrate"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "schema already at version " +
                            std::to_string(PostgresStore::kSchemaVersion)));
}

TEST_CASE("accountctl reads beside a running ledger and refuses to write under it",
          "[cli][postgres]") {
  const std::string url = testing::fresh_database_url();
  auto service = AccountService::open({.store = testing::open_store(url)}).value();
  const AccountId alice = service->create_account("google-alice", "Alice").value();
  REQUIRE(service->credit(alice, Cents{2'500'00}, EntryKind::kFantasyCredit, "c1").ok());

  CliResult r = run_cli(context_for(url), {"show", "1"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "Account 1 \"Alice\""));
  CHECK(contains(r.out, "  cash           $2,500.00\n"));
  CHECK_FALSE(contains(r.out + r.err, "password"));

  r = run_cli(context_for(url), {"audit"});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "audit OK: 1 accounts"));

  r = run_cli(context_for(url), {"expire"});
  CHECK(r.exit_code == cli::kExitFailed);
  CHECK(contains(r.err, "already has a writer"));

  // Once the ledger stops, the clean-up may run.
  service.reset();
  r = run_cli(context_for(url), {"expire"});
  CHECK(r.exit_code == cli::kExitOk);
}

TEST_CASE("accountctl audit reports a database changed behind the ledger's back",
          "[cli][postgres]") {
  const std::string url = testing::fresh_database_url();
  {
    auto service = AccountService::open({.store = testing::open_store(url)}).value();
    const AccountId alice = service->create_account("google-alice", "Alice").value();
    REQUIRE(service->credit(alice, Cents{1'000'00}, EntryKind::kFantasyCredit, "c1").ok());
    REQUIRE(service
                ->reserve_buy({.account = alice, .order = OrderId{7}, .symbol = SymbolId{3},
                               .qty = Qty{10'000}, .limit = Price{20'000}})
                .ok());
  }
  REQUIRE(pg_server()
              .query(testing::database_of(url),
                     "UPDATE reservations SET reserved_cash_cents = 5 RETURNING id")
              .ok());
  const CliResult r = run_cli(context_for(url), {"audit"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.out, "audit FAILED"));
  CHECK(contains(r.out, "reservation 1: holds 5 cents"));
}

TEST_CASE("accountctl exits 4 while the database is down, 3 without DATABASE_URL",
          "[cli][postgres]") {
  const std::string url = testing::fresh_database_url();
  REQUIRE(run_cli(context_for(url), {"migrate"}).exit_code == cli::kExitOk);
  REQUIRE(pg_server().stop().ok());
  CliResult r = run_cli(context_for(url), {"show", "1"});
  CHECK(r.exit_code == cli::kExitUnavailable);
  REQUIRE(pg_server().start().ok());

  cli::CliContext no_url = cli::default_cli_context();
  no_url.env = env_of({});
  r = run_cli(no_url, {"list"});
  CHECK(r.exit_code == cli::kExitConfig);
  CHECK(contains(r.err, "DATABASE_URL is not set"));
  // A probe that cannot start for want of configuration is not "retry later".
  r = run_cli(no_url, {"health"});
  CHECK(r.exit_code == cli::kExitConfig);

  // A database that does not exist is the configuration's fault, not a
  // missing account's (5).
  const std::string missing = url.substr(0, url.rfind('/') + 1) + "no_such_database";
  r = run_cli(context_for(missing), {"list"});
  CHECK(r.exit_code == cli::kExitConfig);
  CHECK(contains(r.err, "no_such_database"));
  r = run_cli(context_for(missing), {"migrate"});
  CHECK(r.exit_code == cli::kExitConfig);
}

}  // namespace
}  // namespace account
