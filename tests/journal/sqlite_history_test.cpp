// History pages on SqliteStore (history_pages_cases.h): the pages are read from a second store
// opened read-only on the writer's file, as a reader beside a running ledger is.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "account/sqlite/sqlite_store.h"
#include "history_pages_cases.h"
#include "support/temp_dir.h"

namespace account {
namespace {

testing::history::HistoryStores sqlite_history_stores() {
  auto dir = std::make_shared<testing::TempDir>();
  const std::string path = dir->file("ledger.db");
  absl::StatusOr<std::unique_ptr<SqliteStore>> writer = SqliteStore::open(path, {});
  if (!writer.ok()) FAIL(writer.status().ToString());
  absl::StatusOr<std::unique_ptr<SqliteStore>> reader =
      SqliteStore::open(path, {.read_only = true});
  if (!reader.ok()) FAIL(reader.status().ToString());
  return {.keep = dir, .writer = std::move(*writer), .reader = std::move(*reader)};
}

ACCOUNT_HISTORY_PAGES_TESTS("SqliteStore", "sqlite", sqlite_history_stores)

}  // namespace
}  // namespace account
