// SqliteStore as a Store: the conformance suite, refusals that apply nothing,
// and the file's format (page checksums on every page, WAL, the application
// id). load() against MemoryStore and exact round trips of times, ids and
// text are the durable-store suite's (sqlite_durable_test.cpp).
#include "account/sqlite/sqlite_store.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "account/testing/catch2.h"
#include "account/testing/store_conformance.h"
#include "sqlite/checksum_vfs.h"
#include "sqlite_fixture.h"
#include "support/durable_store_suite.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::open_sqlite;
using testing::sample_changes;
using testing::TempDir;
using testing::durable::hostile_text;
using testing::test_epoch;

TEST_CASE("SqliteStore conforms to the Store contract", "[sqlite][store]") {
  TempDir dir;
  int files = 0;
  testing::catch2::check_store_conformance(
      [&] { return open_sqlite(dir.file("store-" + std::to_string(files++) + ".db")); });
}

TEST_CASE("SqliteStore: text beyond the ledger's limits is refused cleanly and applies "
          "nothing",
          "[sqlite][store][input]") {
  const absl::Time t = test_epoch();
  TempDir dir;
  auto store = open_sqlite(dir.file("ledger.db"));
  ChangeSet ok;
  ok.new_accounts.push_back(Account{.id = AccountId{1}, .google_id = "sub-1", .created_at = t});
  REQUIRE(store->commit(ok).ok());

  // The schema holds the ledger's limits (255-byte names, 128-byte keys):
  // 4 KB is a refusal naming the constraint, after an earlier row of the same
  // commit was written, and nothing of the commit stays.
  ChangeSet long_name;
  long_name.balances.push_back(CashBalance{AccountId{1}, Cents{9}});
  long_name.new_accounts.push_back(Account{.id = AccountId{2},
                                           .google_id = "sub-2",
                                           .display_name = hostile_text(4096),
                                           .created_at = t});
  const absl::Status refused = store->commit(long_name);
  CHECK(refused.code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(refused.message()), Catch::Contains("accounts_display_name_bytes"));

  ChangeSet long_key;
  long_key.balances.push_back(CashBalance{AccountId{1}, Cents{9}});
  long_key.entries.push_back(ExternalEntry{.key = std::string(4096, '\''),
                                           .kind = EntryKind::kAdjustment,
                                           .account = AccountId{1},
                                           .cash = Cents{1},
                                           .time = t});
  const absl::Status refused_key = store->commit(long_key);
  CHECK(refused_key.code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(refused_key.message()), Catch::Contains("external_entries_key_bytes"));

  // A reservation for an account the file lacks breaks its foreign key.
  ChangeSet orphan;
  orphan.balances.push_back(CashBalance{AccountId{1}, Cents{9}});
  orphan.reservations.push_back(sample_changes(t).reservations[1]);
  CHECK(store->commit(orphan).code() == absl::StatusCode::kInternal);

  ChangeSet id_zero;
  id_zero.balances.push_back(CashBalance{AccountId{1}, Cents{9}});
  id_zero.reservations.push_back(Reservation{.account = AccountId{1}});
  CHECK(store->commit(id_zero).code() == absl::StatusCode::kInvalidArgument);

  const LedgerSnapshot s = store->load({}).value();
  REQUIRE(s.accounts.size() == 1);
  CHECK(s.accounts[0].cash == Cents{0});
  CHECK(s.entries.empty());
  CHECK(s.reservations.empty());

  // And the store goes on working.
  ChangeSet next;
  next.balances.push_back(CashBalance{AccountId{1}, Cents{3}});
  CHECK(store->commit(next).ok());
  CHECK(store->load({}).value().accounts[0].cash == Cents{3});
}

TEST_CASE("the file is WAL, stamped as this store's, with a valid checksum on every page",
          "[sqlite][store][format]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    auto store = open_sqlite(path);
    ChangeSet c = sample_changes(test_epoch());
    REQUIRE(store->commit(c).ok());
    // Enough rows for many pages of every table and index.
    for (uint64_t batch = 0; batch < 20; ++batch) {
      ChangeSet more;
      for (uint64_t i = 0; i < 100; ++i) {
        Fill f = c.executions[0];
        f.execution = ExecutionId{1'000 + batch * 100 + i};
        more.executions.push_back(f);
        Trade tr = c.trades[i % 2];
        tr.execution = f.execution;
        more.trades.push_back(tr);
      }
      REQUIRE(store->commit(more).ok());
    }
  }  // Closing checkpoints every page into the file.
  const std::string header = testing::read_bytes(path, 0, 100);
  CHECK(header.substr(0, 16) == std::string("SQLite format 3\0", 16));
  CHECK(static_cast<int>(header[20]) == sqlite::kChecksumBytes);  // Reserved bytes per page.
  CHECK(static_cast<int>(header[18]) == 2);                       // WAL (write version 2).
  {
    testing::RawDb raw(path);
    CHECK(raw.query_int("PRAGMA application_id") == 0x41434354);
    CHECK(raw.query_int("PRAGMA user_version") == SqliteStore::kSchemaVersion);
  }
  const int64_t size = testing::file_size(path);
  const int64_t page = 4096;
  REQUIRE(size > 50 * page);
  REQUIRE(size % page == 0);
  for (int64_t offset = 0; offset < size; offset += page) {
    const std::string bytes = testing::read_bytes(path, offset, page);
    unsigned char sum[sqlite::kChecksumBytes];
    sqlite::page_checksum(reinterpret_cast<const unsigned char*>(bytes.data()), page, sum);
    INFO("page " << offset / page + 1);
    CHECK(bytes.substr(page - sqlite::kChecksumBytes) ==
          std::string(reinterpret_cast<const char*>(sum), sqlite::kChecksumBytes));
  }
}

}  // namespace
}  // namespace account
