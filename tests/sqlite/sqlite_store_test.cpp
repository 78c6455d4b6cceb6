// SqliteStore as a Store: the conformance suite, MemoryStore as the
// reference for load() (before and after the file is reopened), exact round
// trips of times, ids and text, refusals that apply nothing, and the file's
// format (page checksums on every page, WAL, the application id).
#include "account/sqlite/sqlite_store.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "account/memory_store.h"
#include "account/testing/catch2.h"
#include "account/testing/store_conformance.h"
#include "sqlite/checksum_vfs.h"
#include "sqlite_fixture.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::open_sqlite;
using testing::sample_changes;
using testing::TempDir;
using testing::test_epoch;

TEST_CASE("SqliteStore conforms to the Store contract", "[sqlite][store]") {
  TempDir dir;
  int files = 0;
  testing::catch2::check_store_conformance(
      [&] { return open_sqlite(dir.file("store-" + std::to_string(files++) + ".db")); });
}

void check_same(Store& got_store, MemoryStore& memory, const std::vector<ChangeSet>& commits,
                const std::vector<SnapshotRequest>& requests) {
  for (const SnapshotRequest& request : requests) {
    const LedgerSnapshot want = memory.load(request).value();
    const LedgerSnapshot got = got_store.load(request).value();
    CHECK(got.accounts == want.accounts);
    CHECK(got.positions == want.positions);
    CHECK(got.reservations == want.reservations);
    CHECK(got.executions == want.executions);
    CHECK(got.trades == want.trades);
    CHECK(got.entries == want.entries);
    CHECK(got.reservation_id_high_water == want.reservation_id_high_water);
  }
  for (const ChangeSet& c : commits) {
    for (const Fill& f : c.executions) {
      CHECK(got_store.find_execution(f.execution).value() ==
            memory.find_execution(f.execution).value());
    }
    for (const Account& a : c.new_accounts) {
      CHECK(got_store.trades(a.id, 3).value() == memory.trades(a.id, 3).value());
      CHECK(got_store.trades(a.id, SIZE_MAX).value() == memory.trades(a.id, SIZE_MAX).value());
    }
  }
}

// The same commits to both stores; every load() must agree exactly, and
// again after the file is closed and opened anew.
void check_same_as_memory(const std::vector<ChangeSet>& commits,
                          const std::vector<SnapshotRequest>& requests) {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  MemoryStore memory;
  {
    auto sqlite = open_sqlite(path);
    for (const ChangeSet& c : commits) {
      REQUIRE(memory.commit(c).ok());
      const absl::Status committed = sqlite->commit(c);
      INFO(committed.ToString());
      REQUIRE(committed.ok());
    }
    check_same(*sqlite, memory, commits, requests);
  }
  auto reopened = open_sqlite(path);
  check_same(*reopened, memory, commits, requests);
}

TEST_CASE("SqliteStore loads exactly what MemoryStore loads", "[sqlite][store]") {
  const absl::Time t = test_epoch();
  ChangeSet first = sample_changes(t);
  ChangeSet second;
  second.balances.push_back(CashBalance{AccountId{2}, Cents{1}});
  // Two images of one balance and one reservation in a change set: the last wins.
  second.balances.push_back(CashBalance{AccountId{2}, Cents{2}});
  for (int i = 0; i < 6; ++i) {
    Trade trade = first.trades[i % 2];
    trade.execution = ExecutionId{static_cast<uint64_t>(500 + i)};
    trade.time = t + absl::Minutes(i);
    second.trades.push_back(trade);
    Fill fill = first.executions[0];
    fill.execution = trade.execution;
    fill.time = t + absl::Hours(i);
    second.executions.push_back(fill);
  }
  Reservation r = first.reservations[1];
  r.status = ReservationStatus::kCancelled;
  second.reservations.push_back(r);
  r.status = ReservationStatus::kExpired;
  r.updated_at = t + absl::Hours(2);
  second.reservations.push_back(r);
  // A commit of more rows than one statement writes (64), with repeated
  // keys inside one statement and across statements: the last image wins.
  ChangeSet third;
  for (int i = 0; i < 150; ++i) {
    Reservation res = first.reservations[1];
    res.id = ReservationId{static_cast<uint64_t>(10 + i % 70)};
    res.remaining_qty = Qty{i};
    third.reservations.push_back(res);
    Position pos = first.positions[i % 2];
    pos.symbol = SymbolId{static_cast<uint64_t>(100 + i % 90)};
    pos.qty = Qty{i};
    third.positions.push_back(pos);
    Fill fill = first.executions[0];
    fill.execution = ExecutionId{static_cast<uint64_t>(10'000 + i)};
    third.executions.push_back(fill);
    Trade trade = first.trades[i % 2];
    trade.execution = fill.execution;
    third.trades.push_back(trade);
  }
  check_same_as_memory({first, second, third}, {SnapshotRequest{},
                                         {.execution_retention = absl::Hours(2),
                                          .reservations_finished_since = t + absl::Hours(1),
                                          .trades_per_account_max = 2},
                                         {.execution_retention = absl::ZeroDuration(),
                                          .reservations_finished_since = absl::InfiniteFuture(),
                                          .trades_per_account_max = 0},
                                         {.execution_retention = absl::Hours(-1)},
                                         {.execution_retention = absl::Nanoseconds(1)}});
}

TEST_CASE("times round-trip to the nanosecond, ids over 2^63 keep the ledger's order",
          "[sqlite][store]") {
  const absl::Time t = test_epoch() + absl::Nanoseconds(123'456'789);
  ChangeSet c = sample_changes(t);
  c.new_accounts[0].created_at = absl::FromUnixNanos(-1'234'567'890'123);  // Before 1970.
  c.new_accounts[1].created_at = absl::FromUnixNanos(1);
  const uint64_t big = (uint64_t{1} << 63) + 5;
  c.new_accounts.push_back(Account{
      .id = AccountId{big}, .google_id = "sub-big", .created_at = t + absl::Nanoseconds(1)});
  c.reservations.push_back(Reservation{.id = ReservationId{big},
                                       .account = AccountId{big},
                                       .order = OrderId{big},
                                       .symbol = SymbolId{big},
                                       .side = Side::kBuy,
                                       .limit = Price{100},
                                       .order_qty = Qty{1},
                                       .remaining_qty = Qty{1},
                                       .reserved_cash = Cents{1},
                                       .created_at = t,
                                       .expires_at = absl::InfiniteFuture(),
                                       .updated_at = t});
  Fill fill = c.executions[0];
  fill.execution = ExecutionId{UINT64_MAX};
  fill.tick = TickId{UINT64_MAX};
  fill.time = t + absl::Nanoseconds(7);
  c.executions.push_back(fill);
  check_same_as_memory({c}, {SnapshotRequest{}, {.execution_retention = absl::Nanoseconds(7)}});

  TempDir dir;
  auto store = open_sqlite(dir.file("ledger.db"));
  REQUIRE(store->commit(c).ok());
  const LedgerSnapshot s = store->load({}).value();
  REQUIRE(s.accounts.size() == 3);
  CHECK(s.accounts[0].created_at == absl::FromUnixNanos(-1'234'567'890'123));
  CHECK(s.accounts[2].id == AccountId{big});
  CHECK(s.reservation_id_high_water == big);
  CHECK(s.reservations.back().expires_at == absl::InfiniteFuture());
  CHECK(s.executions.back().execution == ExecutionId{UINT64_MAX});
  CHECK(store->find_execution(ExecutionId{UINT64_MAX}).value()->time == fill.time);
}

// Every byte value but none of them SQL: quotes, backslashes, a statement
// terminator and comment, invalid UTF-8, and a NUL.
std::string hostile_text(size_t bytes) {
  std::string s = "Robert'); DROP TABLE accounts; -- \\ \" $$ \xff\xfe ";
  s.push_back('\0');
  for (int b = 1; s.size() < bytes; b = b % 255 + 1) s.push_back(static_cast<char>(b));
  s.resize(bytes);
  return s;
}

TEST_CASE("hostile text is stored exactly, never executed", "[sqlite][store][input]") {
  const absl::Time t = test_epoch();
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto store = open_sqlite(path);
  ChangeSet c;
  c.new_accounts.push_back(Account{.id = AccountId{1},
                                   .google_id = hostile_text(255),
                                   .display_name = hostile_text(255),
                                   .created_at = t});
  c.new_accounts.push_back(
      Account{.id = AccountId{2}, .google_id = "o'brien\\", .display_name = "", .created_at = t});
  c.entries.push_back(ExternalEntry{.key = hostile_text(128),
                                    .kind = EntryKind::kAdjustment,
                                    .account = AccountId{1},
                                    .cash = Cents{5},
                                    .time = t});
  c.balances.push_back(CashBalance{AccountId{1}, Cents{5}});
  c.links.push_back(AccountLink{AccountId{2}, SleeperLink{.user_id = hostile_text(40),
                                                          .username = "",
                                                          .league_id = hostile_text(255),
                                                          .season = "2026",
                                                          .roster_id = -1}});
  REQUIRE(store->commit(c).ok());
  const LedgerSnapshot s = store->load({}).value();
  REQUIRE(s.accounts.size() == 2);
  CHECK(s.accounts[0].google_id == hostile_text(255));
  CHECK(s.accounts[0].display_name == hostile_text(255));
  CHECK(s.accounts[1].google_id == "o'brien\\");
  CHECK(s.accounts[1].display_name.empty());
  CHECK(s.accounts[1].sleeper == c.links[0].link);
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].key == hostile_text(128));
  store.reset();
  testing::RawDb raw(path);
  CHECK(raw.query_int("SELECT count(*) FROM accounts") == 2);
}

TEST_CASE("text beyond the ledger's limits is refused cleanly and applies nothing",
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
