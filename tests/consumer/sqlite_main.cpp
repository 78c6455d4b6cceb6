// Uses the installed account::sqlite component: a ledger on a SQLite file in a fresh temporary
// directory takes a credit, is closed and opened again, and still holds it.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "account/account_service.h"
#include "account/sqlite/sqlite_store.h"

namespace {

int fail(const char* what) {
  std::fprintf(stderr, "account sqlite consumer: %s\n", what);
  return 1;
}

}  // namespace

int main() {
  char dir_template[] = "/tmp/account-sqlite-consumer-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return fail("mkdtemp failed");
  const std::string path = std::string(dir) + "/ledger.db";
  account::AccountId id;
  {
    auto store = account::SqliteStore::open(path, {});
    if (!store.ok()) return fail("SqliteStore::open failed");
    auto service = account::AccountService::open({.store = std::move(*store)});
    if (!service.ok()) return fail("AccountService::open failed");
    auto created = (*service)->create_account("consumer-google-id", "Consumer");
    if (!created.ok()) return fail("create_account failed");
    id = *created;
    if (!(*service)->credit(id, account::Cents{12'345}, account::EntryKind::kAdjustment, "seed").ok()) {
      return fail("credit failed");
    }
  }
  bool kept = false;
  {
    auto store = account::SqliteStore::open(path, {});
    if (!store.ok()) return fail("reopening the file failed");
    auto service = account::AccountService::open({.store = std::move(*store)});
    if (!service.ok()) return fail("AccountService::open on the reopened file failed");
    auto cash = (*service)->cash(id);
    kept = cash.ok() && *cash == account::Cents{12'345};
  }
  std::filesystem::remove_all(dir);
  if (!kept) return fail("the credit did not survive");
  std::puts("account sqlite consumer: ok");
  return 0;
}
