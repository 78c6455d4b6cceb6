// PostgresStore against a real PostgreSQL 15: the Store conformance suite,
// tables of several cursor batches loaded as MemoryStore loads them, and input
// that must be refused cleanly. load() against MemoryStore and exact round
// trips of times, ids and text are the durable-store suite's
// (postgres_durable_test.cpp).
#include "account/postgres/postgres_store.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "account/memory_store.h"
#include "account/testing/catch2.h"
#include "account/testing/store_conformance.h"
#include "support/durable_store_suite.h"
#include "support/ledger_fixture.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::fresh_database_url;
using testing::open_store;
using testing::query_value;
using testing::sample_changes;
using testing::test_epoch;
using testing::durable::hostile_text;

TEST_CASE("PostgresStore conforms to the Store contract", "[postgres][store]") {
  testing::catch2::check_store_conformance([] { return open_store(fresh_database_url()); });
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

TEST_CASE("PostgresStore: text beyond the ledger's limits is refused cleanly and applies "
          "nothing",
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
