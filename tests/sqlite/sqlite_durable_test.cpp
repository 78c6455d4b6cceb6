// SqliteStore as a durable store: the durable-store suite (support/durable_store_suite.h) on
// files in a directory of the test's own, each reopened after its store is dropped; and one
// workload on MemoryStore, SqliteStore and (when built with it) PostgresStore on a real server,
// whose ledgers and loads must agree exactly.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/sqlite/sqlite_store.h"
#include "sqlite_fixture.h"
#include "support/durable_store_suite.h"
#include "support/ledger_fixture.h"
#ifdef ACCOUNT_SQLITE_TESTS_WITH_POSTGRES
#include "support/postgres_fixture.h"
#endif

namespace account {
namespace {

using testing::open_sqlite;
using testing::TempDir;

// Files in a directory that lives as long as the DurableStore; the accounts counted with
// SQLite itself, as a tool would.
testing::durable::DurableStore sqlite_durable_store() {
  auto dir = std::make_shared<TempDir>();
  auto files = std::make_shared<int>(0);
  return {
      .create = [dir, files] { return dir->file("ledger-" + std::to_string((*files)++) + ".db"); },
      .open = [dir](const std::string& path) -> std::shared_ptr<Store> {
        return open_sqlite(path);
      },
      .count_accounts = [dir](const std::string& path) -> int64_t {
        testing::RawDb raw(path);
        return raw.query_int("SELECT count(*) FROM accounts");
      },
  };
}

ACCOUNT_DURABLE_STORE_TESTS("SqliteStore", "SQLite", "sqlite", sqlite_durable_store)
ACCOUNT_DURABLE_STORE_JOURNAL_TESTS("SqliteStore", "SQLite", "sqlite", sqlite_durable_store)

#ifdef ACCOUNT_SQLITE_TESTS_WITH_POSTGRES
TEST_CASE(
    "one workload on MemoryStore, SqliteStore and PostgresStore gives equal ledgers "
    "and loads",
    "[sqlite][restart]") {
  using testing::durable::check_loads_equal;
  using testing::durable::Run;
  const uint64_t seed = GENERATE(21, 22);
  CAPTURE(seed);
  TempDir dir;
  Run memory(std::make_shared<MemoryStore>(), seed);
  Run sqlite(open_sqlite(dir.file("ledger.db")), seed);
  Run postgres(testing::open_store(testing::fresh_database_url()), seed);
  REQUIRE(memory.work.applied().size() > 20);  // The workload did trade.
  REQUIRE(sqlite.work.applied() == memory.work.applied());
  REQUIRE(postgres.work.applied() == memory.work.applied());
  const absl::Time now = memory.clock->now();
  CHECK(sqlite.service->snapshot() == memory.service->snapshot());
  CHECK(postgres.service->snapshot() == memory.service->snapshot());
  check_loads_equal(*memory.store, *sqlite.store, memory.work.applied(), now);
  check_loads_equal(*memory.store, *postgres.store, memory.work.applied(), now);
  check_loads_equal(*postgres.store, *sqlite.store, memory.work.applied(), now);
}
#endif

}  // namespace
}  // namespace account
