// Uses the installed account::stores component: open_store() opens a ledger on a sqlite: URL in a
// fresh temporary directory, a read-only opener reads it beside the writer, and a URL of an
// unknown scheme is refused, naming it.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "account/account_service.h"
#include "account/stores/open_store.h"

namespace {

int fail(const char* what) {
  std::fprintf(stderr, "account stores consumer: %s\n", what);
  return 1;
}

}  // namespace

int main() {
  char dir_template[] = "/tmp/account-stores-consumer-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return fail("mkdtemp failed");
  const std::string url = std::string("sqlite:") + dir + "/ledger.db";
  bool ok = false;
  {
    auto writer = account::open_store(url);
    if (!writer.ok()) return fail("open_store on a sqlite: URL failed");
    auto service = account::AccountService::open({.store = std::move(writer->store)});
    if (!service.ok()) return fail("AccountService::open failed");
    auto id = (*service)->create_account("consumer-google-id", "Consumer");
    if (!id.ok()) return fail("create_account failed");
    auto reader = account::open_store(url, {.read_only = true});
    if (!reader.ok()) return fail("a read-only open_store beside the writer failed");
    auto seen = reader->store->load({});
    ok = seen.ok() && seen->accounts.size() == 1;
  }
  const auto unknown = account::open_store("mysql://db/ledger");
  std::filesystem::remove_all(dir);
  if (!ok) return fail("the read-only opener did not see the account");
  if (unknown.ok() || unknown.status().message().find("unknown scheme") == std::string::npos) {
    return fail("a URL of an unknown scheme was not refused");
  }
  std::puts("account stores consumer: ok");
  return 0;
}
