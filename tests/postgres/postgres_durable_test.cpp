// PostgresStore as a durable store: the durable-store suite (support/durable_store_suite.h),
// each case on fresh databases of the test process's own server, each reopened after its
// store is dropped.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "account/postgres/postgres_store.h"
#include "support/durable_store_suite.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

// Fresh databases; the accounts counted with a query of the test's own, not through the store.
testing::durable::DurableStore postgres_durable_store() {
  return {
      .create = [] { return testing::fresh_database_url(); },
      .open = [](const std::string& url) -> std::shared_ptr<Store> {
        return testing::open_store(url);
      },
      .count_accounts = [](const std::string& url) -> int64_t {
        return std::stoll(testing::query_value(url, "SELECT count(*) FROM accounts"));
      },
  };
}

ACCOUNT_DURABLE_STORE_TESTS("PostgresStore", "PostgreSQL", "postgres", postgres_durable_store)
ACCOUNT_DURABLE_STORE_JOURNAL_TESTS("PostgresStore", "PostgreSQL", "postgres",
                                    postgres_durable_store)

}  // namespace
}  // namespace account
