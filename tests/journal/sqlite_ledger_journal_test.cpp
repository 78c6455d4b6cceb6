// The ledger's journal on SqliteStore (ledger_journal_cases.h): files in a directory of the
// test's own, each opened again after the ledger on it is dropped.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "account/sqlite/sqlite_store.h"
#include "ledger_journal_cases.h"
#include "support/temp_dir.h"

namespace account {
namespace {

testing::journal::JournalStore sqlite_journal_store() {
  auto dir = std::make_shared<testing::TempDir>();
  auto files = std::make_shared<int>(0);
  return {
      .create = [dir, files] { return dir->file("ledger-" + std::to_string((*files)++) + ".db"); },
      .open = [dir](const std::string& path) -> std::shared_ptr<Store> {
        absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path, {});
        if (!store.ok()) FAIL(store.status().ToString());
        return std::move(*store);
      },
  };
}

ACCOUNT_LEDGER_JOURNAL_TESTS("SqliteStore", "sqlite", sqlite_journal_store)

}  // namespace
}  // namespace account
