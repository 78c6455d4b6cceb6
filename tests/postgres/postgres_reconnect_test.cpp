// Reconnecting after a server restart: the first call after it succeeds.
// The connection a restart leaves behind is found dead before anything is
// sent on it; a read whose connection dies while it runs is run once more
// on a new connection; a commit whose connection dies after it was sent
// stays an Unavailable error (its outcome is unknown), and the ledger
// resolves it by reloading.
#include <libpq-fe.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/postgres/postgres_store.h"
#include "account/status.h"
#include "account/testing/store_conformance.h"
#include "support/ledger_fixture.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::fresh_database_url;
using testing::open_store;
using testing::pg_server;
using testing::sample_changes;
using testing::test_epoch;

// The execution of sample_changes().
constexpr ExecutionId kSampleExecution{(uint64_t{1} << 40) | 3};

ChangeSet cash(uint64_t account, int64_t cents) {
  ChangeSet c;
  c.balances.push_back(CashBalance{AccountId{account}, Cents{cents}});
  return c;
}

void restart_server() {
  REQUIRE(pg_server().stop().ok());
  REQUIRE(pg_server().start().ok());
}

TEST_CASE("after a server restart, the first call of each kind succeeds",
          "[postgres][reconnect][restart]") {
  const std::string url = fresh_database_url();
  auto store = open_store(url);
  REQUIRE(store->commit(sample_changes(test_epoch())).ok());

  restart_server();
  CHECK(store->ping().ok());
  restart_server();
  CHECK(store->find_execution(kSampleExecution).value().has_value());
  restart_server();
  CHECK(store->trades(AccountId{1}, 5).value().size() == 1);
  restart_server();
  CHECK(store->load({}).value().accounts.size() == 2);
  restart_server();
  // The writer lock went with the dead session, so another writer may have
  // written since the last load: the commit is refused before anything is
  // sent, and goes through once the caller has loaded again.
  const absl::Status refused = store->commit(cash(1, 31));
  CHECK(refused.code() == absl::StatusCode::kAborted);
  CHECK(store->load({}).value().accounts[0].cash != Cents{31});
  CHECK(store->commit(cash(1, 31)).ok());
  CHECK(store->load({}).value().accounts[0].cash == Cents{31});
}

TEST_CASE("a ledger whose session was lost, and whose database another writer opened meanwhile, "
          "is fenced: it writes nothing more",
          "[postgres][reconnect][fencing]") {
  const std::string url = fresh_database_url();
  auto clock = std::make_shared<ManualClock>(test_epoch());
  auto first = AccountService::open({.store = open_store(url), .clock = clock}).value();
  const AccountId id = first->create_account("google-sub-1", "Ann").value();
  REQUIRE(first->credit(id, Cents{1'000}, EntryKind::kAdjustment, "first-1").ok());
  bool audit_first = false;
  SECTION("the next command comes first") {}
  SECTION("an audit comes first: it loads too, but rebuilds no memory") { audit_first = true; }
  // The first ledger's idle session ends (a restart of its connection, an
  // idle_session_timeout, a network reset), and its writer lock with it.
  REQUIRE(testing::query_value(
              url, "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                   "WHERE datname = current_database() AND pid <> pg_backend_pid()") == "1");
  {
    // Meanwhile another writer (accountctl, say) takes the free lock and credits.
    auto second = AccountService::open({.store = open_store(url), .clock = clock}).value();
    REQUIRE(second->credit(id, Cents{500}, EntryKind::kAdjustment, "second-1").ok());
  }
  // An audit reconnects and loads, and finds memory behind the database; its
  // load must not count as the reload the next commit waits for.
  if (audit_first) CHECK_FALSE(first->audit().ok());
  // The first ledger reconnects (the lock is free again), but the database's writer epoch is
  // the second's now (docs/ha.md, fencing): its first write is refused whole as fenced, and
  // from then on the ledger refuses every command itself, kWriterFenced, without trying the
  // database, however often it is asked.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const absl::Status fenced =
        first->credit(id, Cents{100}, EntryKind::kAdjustment, "first-2");
    CHECK(denied_with(fenced, Reason::kWriterFenced));
    CHECK_THAT(std::string(fenced.message()), Catch::Contains("fenced"));
    CHECK_THAT(std::string(fenced.message()), Catch::Contains("epoch"));
  }
  CHECK(first->writer_fenced());
  first.reset();
  auto reopened = AccountService::open({.store = open_store(url), .clock = clock}).value();
  CHECK(reopened->cash(id).value() == Cents{1'500});
  CHECK(reopened->audit().ok());
  // A writer that opens afresh takes the next epoch, and writes.
  CHECK(reopened->credit(id, Cents{100}, EntryKind::kAdjustment, "reopened-1").ok());
}

TEST_CASE("after a server restart, a ledger on PostgreSQL takes its next command",
          "[postgres][reconnect][restart]") {
  const std::string url = fresh_database_url();
  auto clock = std::make_shared<ManualClock>(test_epoch());
  auto service = AccountService::open({.store = open_store(url), .clock = clock}).value();
  const AccountId a = service->create_account("google-sub-1", "Ann").value();
  restart_server();
  CHECK(service->credit(a, Cents{5'000}, EntryKind::kFantasyCredit, "k1").ok());
  restart_server();
  CHECK(service->reserve_buy({.account = a, .order = OrderId{1}, .symbol = SymbolId{1},
                              .qty = Qty{10'000}, .limit = Price{1'000}})
            .ok());
  CHECK(service->available_cash(a).value() == Cents{4'000});
  CHECK(service->audit().ok());
}

// A libpq session of the test's own, holding a lock on a table of the
// store's database until it ends its transaction.
class TableLock {
 public:
  TableLock(const std::string& url, const char* table) : conn_(PQconnectdb(url.c_str())) {
    REQUIRE(PQstatus(conn_) == CONNECTION_OK);
    exec("BEGIN");
    exec((std::string("LOCK TABLE ") + table + " IN ACCESS EXCLUSIVE MODE").c_str());
  }
  ~TableLock() { PQfinish(conn_); }
  void release() { exec("COMMIT"); }

 private:
  void exec(const char* sql) {
    PGresult* r = PQexec(conn_, sql);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    REQUIRE(ok);
  }
  PGconn* conn_;
};

// Ends the server process of the session of this database that waits for a
// lock (the store's), once there is one; waits until it has exited.
void end_the_waiting_session(const std::string& url) {
  for (int i = 0; i < 500; ++i) {
    const std::string n = testing::query_value(
        url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
             "AND wait_event_type = 'Lock'");
    if (n == "1") break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  REQUIRE(testing::query_value(
              url,
              "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
              "WHERE datname = current_database() AND wait_event_type = 'Lock'") == "1");
}

TEST_CASE("a read whose connection dies while it runs is run once more",
          "[postgres][reconnect]") {
  const std::string url = fresh_database_url();
  auto store = open_store(url);
  REQUIRE(store->commit(sample_changes(test_epoch())).ok());
  TableLock lock(url, "executions");
  absl::StatusOr<std::optional<Fill>> found = absl::UnknownError("not run");
  std::thread reader([&] { found = store->find_execution(kSampleExecution); });
  end_the_waiting_session(url);
  // The retry waits on the lock too, on its new connection, until it goes.
  absl::SleepFor(absl::Milliseconds(100));
  lock.release();
  reader.join();
  REQUIRE(found.ok());
  CHECK(found->has_value());
}

TEST_CASE("a commit whose connection dies after it was sent stays Unavailable",
          "[postgres][reconnect]") {
  const std::string url = fresh_database_url();
  auto store = open_store(url);
  REQUIRE(store->commit(sample_changes(test_epoch())).ok());
  TableLock lock(url, "accounts");
  absl::Status committed = absl::UnknownError("not run");
  std::thread writer([&] { committed = store->commit(cash(1, 41)); });
  end_the_waiting_session(url);
  lock.release();
  writer.join();
  // Sent and then lost: the outcome is the caller's to find out, not ours
  // to guess by sending it again.
  CHECK(committed.code() == absl::StatusCode::kUnavailable);
  CHECK(store->load({}).value().accounts[0].cash != Cents{41});
}

}  // namespace
}  // namespace account
