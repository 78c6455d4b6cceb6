// History pages on PostgresStore (history_pages_cases.h): fresh databases of the test process's
// own server, the pages read from a second store opened read-only on the same URL (a connection
// of its own, as a reader beside a running ledger has).
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "account/postgres/postgres_store.h"
#include "history_pages_cases.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

testing::history::HistoryStores postgres_history_stores() {
  const std::string url = testing::fresh_database_url();
  std::shared_ptr<Store> writer = testing::open_store(url);
  absl::StatusOr<std::unique_ptr<PostgresStore>> reader =
      PostgresStore::open(url, {.read_only = true});
  if (!reader.ok()) FAIL(reader.status().ToString());
  return {.writer = std::move(writer), .reader = std::move(*reader)};
}

ACCOUNT_HISTORY_PAGES_TESTS("PostgresStore", "postgres", postgres_history_stores)

}  // namespace
}  // namespace account
