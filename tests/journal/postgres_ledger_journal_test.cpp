// The ledger's journal on PostgresStore (ledger_journal_cases.h): fresh databases of the test
// process's own server, each opened again after the ledger on it is dropped.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "account/postgres/postgres_store.h"
#include "ledger_journal_cases.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

testing::journal::JournalStore postgres_journal_store() {
  return {
      .create = [] { return testing::fresh_database_url(); },
      .open = [](const std::string& url) -> std::shared_ptr<Store> {
        return testing::open_store(url);
      },
  };
}

ACCOUNT_LEDGER_JOURNAL_TESTS("PostgresStore", "postgres", postgres_journal_store)

}  // namespace
}  // namespace account
