// PostgresStore against a real PostgreSQL 15: the Store conformance suite,
// MemoryStore as the reference for load(), exact round trips of times, ids
// and text, and input that must be stored exactly or refused cleanly.
#include "account/postgres/postgres_store.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "account/memory_store.h"
#include "account/testing/catch2.h"
#include "account/testing/store_conformance.h"
#include "support/ledger_fixture.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::fresh_database_url;
using testing::open_store;
using testing::query_value;
using testing::sample_changes;
using testing::test_epoch;

TEST_CASE("PostgresStore conforms to the Store contract", "[postgres][store]") {
  testing::catch2::check_store_conformance([] { return open_store(fresh_database_url()); });
}

// The same commits to both stores; every load() must agree exactly.
void check_same_as_memory(const std::vector<ChangeSet>& commits,
                          const std::vector<SnapshotRequest>& requests) {
  auto postgres = open_store(fresh_database_url());
  MemoryStore memory;
  for (const ChangeSet& c : commits) {
    REQUIRE(memory.commit(c).ok());
    const absl::Status committed = postgres->commit(c);
    INFO(committed.ToString());
    REQUIRE(committed.ok());
  }
  for (const SnapshotRequest& request : requests) {
    const LedgerSnapshot want = memory.load(request).value();
    const LedgerSnapshot got = postgres->load(request).value();
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
      CHECK(postgres->find_execution(f.execution).value() ==
            memory.find_execution(f.execution).value());
    }
    for (const Account& a : c.new_accounts) {
      CHECK(postgres->trades(a.id, 3).value() == memory.trades(a.id, 3).value());
      CHECK(postgres->trades(a.id, SIZE_MAX).value() == memory.trades(a.id, SIZE_MAX).value());
    }
  }
}

TEST_CASE("PostgresStore loads exactly what MemoryStore loads", "[postgres][store]") {
  const absl::Time t = test_epoch();
  ChangeSet first = sample_changes(t);
  ChangeSet second;
  second.balances.push_back(CashBalance{AccountId{2}, Cents{1}});
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
  r.status = ReservationStatus::kExpired;
  r.updated_at = t + absl::Hours(2);
  second.reservations.push_back(r);
  check_same_as_memory({first, second}, {SnapshotRequest{},
                                         {.execution_retention = absl::Hours(2),
                                          .reservations_finished_since = t + absl::Hours(1),
                                          .trades_per_account_max = 2},
                                         {.execution_retention = absl::ZeroDuration(),
                                          .reservations_finished_since = absl::InfiniteFuture(),
                                          .trades_per_account_max = 0}});
}

// load() reads each table through a cursor, 10,000 rows a FETCH: a table of
// two batches and a row, windows that end on a whole batch (the last FETCH
// comes back empty), and each account's newest trades in the ledger's order
// (the query brings them newest first), all as MemoryStore loads them.
TEST_CASE("PostgresStore loads tables of several batches exactly", "[postgres][store]") {
  const absl::Time t = test_epoch();
  ChangeSet c = sample_changes(t);
  const Fill model = c.executions[0];
  const Trade buy = c.trades[0];
  const Trade sell = c.trades[1];
  for (uint64_t i = 1; i <= 20'000; ++i) {
    Fill f = model;
    f.execution = ExecutionId{(uint64_t{2} << 40) | i};
    f.time = t + absl::Seconds(static_cast<int64_t>(i));
    c.executions.push_back(f);
    for (Trade trade : {buy, sell}) {
      trade.execution = f.execution;
      trade.time = f.time;
      c.trades.push_back(trade);
    }
  }
  auto postgres = open_store(fresh_database_url());
  MemoryStore memory;
  REQUIRE(memory.commit(c).ok());
  REQUIRE(postgres->commit(c).ok());
  const SnapshotRequest requests[] = {
      {},
      // 10,000 executions in the window, 10,000 trades for each of the two accounts.
      {.execution_retention = absl::Seconds(9'999), .trades_per_account_max = 10'000},
      {.execution_retention = absl::Hours(1), .trades_per_account_max = 3},
  };
  for (const SnapshotRequest& request : requests) {
    const LedgerSnapshot want = memory.load(request).value();
    const LedgerSnapshot got = postgres->load(request).value();
    CHECK(got.executions.size() == want.executions.size());
    CHECK(got.trades.size() == want.trades.size());
    CHECK(got == want);
  }
}

TEST_CASE("times round-trip to the nanosecond, ids over 2^63 keep the ledger's order",
          "[postgres][store]") {
  const absl::Time t = test_epoch() + absl::Nanoseconds(123'456'789);
  ChangeSet c = sample_changes(t);
  // A time before 1970, and one a nanosecond after the epoch.
  c.new_accounts[0].created_at = absl::FromUnixNanos(-1'234'567'890'123);
  c.new_accounts[1].created_at = absl::FromUnixNanos(1);
  // Ids with the top bit set are stored as negative BIGINTs; the ledger
  // orders them after every smaller id.
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
                                       .expires_at = t + absl::Nanoseconds(999),
                                       .updated_at = t});
  Fill fill = c.executions[0];
  fill.execution = ExecutionId{UINT64_MAX};
  fill.tick = TickId{UINT64_MAX};
  fill.time = t + absl::Nanoseconds(7);
  c.executions.push_back(fill);
  check_same_as_memory({c}, {SnapshotRequest{}});
  auto store = open_store(fresh_database_url());
  REQUIRE(store->commit(c).ok());
  const LedgerSnapshot s = store->load({}).value();
  REQUIRE(s.accounts.size() == 3);
  CHECK(s.accounts[0].created_at == absl::FromUnixNanos(-1'234'567'890'123));
  CHECK(s.accounts[2].id == AccountId{big});
  CHECK(s.reservation_id_high_water == big);
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

TEST_CASE("hostile text is stored exactly, never executed", "[postgres][store][input]") {
  const absl::Time t = test_epoch();
  const std::string url = fresh_database_url();
  auto store = open_store(url);
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
  REQUIRE(store->commit(c).ok());
  const LedgerSnapshot s = store->load({}).value();
  REQUIRE(s.accounts.size() == 2);
  CHECK(s.accounts[0].google_id == hostile_text(255));
  CHECK(s.accounts[0].display_name == hostile_text(255));
  CHECK(s.accounts[1].google_id == "o'brien\\");
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].key == hostile_text(128));
  CHECK(query_value(url, "SELECT count(*) FROM accounts") == "2");
}

TEST_CASE("text beyond the ledger's limits is refused cleanly and applies nothing",
          "[postgres][store][input]") {
  const absl::Time t = test_epoch();
  const std::string url = fresh_database_url();
  auto store = open_store(url);
  ChangeSet ok;
  ok.new_accounts.push_back(Account{.id = AccountId{1}, .google_id = "sub-1", .created_at = t});
  REQUIRE(store->commit(ok).ok());

  // The schema holds the same limits as the ledger (255-byte names, 128-byte
  // keys): 4 KB is a refusal, with the constraint's name, not a crash.
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
  long_key.entries.push_back(ExternalEntry{.key = std::string(4096, '\''),
                                           .kind = EntryKind::kAdjustment,
                                           .account = AccountId{1},
                                           .cash = Cents{1},
                                           .time = t});
  CHECK(store->commit(long_key).code() == absl::StatusCode::kInternal);

  const LedgerSnapshot s = store->load({}).value();
  CHECK(s.accounts.size() == 1);
  CHECK(s.accounts[0].cash == Cents{0});
  CHECK(s.entries.empty());
  CHECK(query_value(url, "SELECT count(*) FROM accounts") == "1");

  // And the store goes on working.
  ChangeSet next;
  next.balances.push_back(CashBalance{AccountId{1}, Cents{3}});
  CHECK(store->commit(next).ok());
}

TEST_CASE("the ledger refuses what the schema would, and stores what it accepts",
          "[postgres][store][input]") {
  auto store = open_store(fresh_database_url());
  auto clock = std::make_shared<ManualClock>(test_epoch());
  auto service = AccountService::open({.store = store, .clock = clock}).value();
  CHECK(testing::denied_with(service->create_account("sub-1", hostile_text(4096)),
                             Reason::kInvalidArgument));
  CHECK(testing::denied_with(service->create_account(hostile_text(300), "x"),
                             Reason::kInvalidArgument));
  std::string quoted = "'; DELETE FROM accounts; --";
  const AccountId a = service->create_account(quoted, quoted + "\\\"").value();
  REQUIRE(service->credit(a, Cents{100}, EntryKind::kAdjustment, quoted).ok());
  service.reset();
  auto reopened = AccountService::open({.store = store, .clock = clock}).value();
  CHECK(reopened->get_account(a).value().display_name == quoted + "\\\"");
  CHECK(reopened->get_account_id_by_user_id(quoted).value() == a);
  CHECK(reopened->cash(a).value() == Cents{100});
  CHECK(reopened->audit().ok());
}

TEST_CASE("a balance for an account the database lacks fails the whole commit",
          "[postgres][store]") {
  auto store = open_store(fresh_database_url());
  ChangeSet c;
  c.new_accounts.push_back(
      Account{.id = AccountId{1}, .google_id = "sub-1", .created_at = test_epoch()});
  c.balances.push_back(CashBalance{AccountId{1}, Cents{10}});
  c.balances.push_back(CashBalance{AccountId{42}, Cents{10}});
  const absl::Status refused = store->commit(c);
  CHECK(refused.code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(refused.message()), Catch::Contains("42"));
  CHECK(store->load({}).value().accounts.empty());
}

}  // namespace
}  // namespace account
