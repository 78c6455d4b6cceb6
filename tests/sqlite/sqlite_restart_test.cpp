// One workload through AccountService on MemoryStore, SqliteStore and (when
// built with it) PostgresStore on a real server: the three ledgers, and the
// three stores' load(), must agree exactly. Then the SQLite ledger is closed
// and reopened on its file: the same state, and every fill it applied, in
// the dedupe window or long out of it, is a duplicate when delivered again.
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/sqlite/sqlite_store.h"
#include "sqlite_fixture.h"
#include "support/ledger_fixture.h"
#ifdef ACCOUNT_SQLITE_TESTS_WITH_POSTGRES
#include "support/postgres_fixture.h"
#endif

namespace account {
namespace {

using testing::denied_with;
using testing::open_sqlite;
using testing::TempDir;
using testing::test_epoch;

// Random commands over 5 accounts and 3 symbols: credits, debits, orders
// one by one and in batches, fills one by one and in batches, cancels,
// releases, Sleeper links, and the clock moving by hours (so that orders
// expire and early fills leave the dedupe window). The same seed gives the
// same commands, so ledgers on different stores must end equal.
class Workload {
 public:
  explicit Workload(uint64_t seed) : rng_(seed) {}

  void run(AccountService& svc, ManualClock& clock, int steps) {
    for (int i = 0; i < steps; ++i) step(svc, clock);
  }
  const std::vector<Fill>& applied() const { return applied_; }

 private:
  uint64_t pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(1, n)(rng_); }
  int64_t pick_i(uint64_t n) { return static_cast<int64_t>(pick(n)); }

  OrderSpec order(uint64_t id) {
    return OrderSpec{.account = AccountId{pick(5)}, .order = OrderId{id},
                     .symbol = SymbolId{pick(3)}, .qty = Qty{pick_i(30'000)},
                     .limit = Price{100 + pick_i(9'000)}};
  }

  void step(AccountService& svc, ManualClock& clock) {
    const uint64_t id = next_id_++;
    switch (pick(10)) {
      case 1:
        (void)svc.credit(AccountId{pick(5)}, Cents{pick_i(80'000)}, EntryKind::kFantasyCredit,
                         "k" + std::to_string(id));
        break;
      case 2:
        (void)svc.debit(AccountId{pick(5)}, Cents{pick_i(5'000)}, EntryKind::kAdjustment,
                        "d" + std::to_string(id));
        break;
      case 3:
        (void)svc.reserve_buy(order(id));
        break;
      case 4:
        (void)svc.reserve_sell(order(id));
        break;
      case 5: {
        std::vector<OrderSpec> batch;
        for (uint64_t j = 0; j < pick(4); ++j) batch.push_back(order(id * 10 + j + 1'000'000));
        (void)svc.reserve_batch(batch, pick(2) == 1 ? Side::kBuy : Side::kSell);
        break;
      }
      case 6:
      case 7:
        match(svc, clock, id);
        break;
      case 8:
        if (pick(2) == 1) {
          (void)svc.cancel_order(OrderId{id - pick(std::min<uint64_t>(id - 999, 40))});
        } else {
          (void)svc.release_reservation(ReservationId{pick(std::max<uint64_t>(1, id - 1'000))});
        }
        break;
      case 9:
        (void)svc.link_sleeper(AccountId{pick(5)},
                               SleeperLink{.user_id = "u" + std::to_string(pick(9)),
                                           .username = "user's name",
                                           .league_id = "L" + std::to_string(pick(3)),
                                           .season = "2026",
                                           .roster_id = pick_i(12)});
        break;
      case 10:
        clock.advance(absl::Hours(pick_i(20)));
        (void)svc.expire_due_reservations();
        break;
    }
  }

  // Settles crossing pairs among the active orders: one fill alone, or a
  // batch of up to three in one settle_batch.
  void match(AccountService& svc, ManualClock& clock, uint64_t id) {
    std::vector<Fill> fills;
    const uint64_t wanted = pick(3);
    std::vector<uint64_t> used;
    for (uint64_t o = id - 1; o >= 1'000 && o + 80 > id && fills.size() < wanted; --o) {
      auto buy = svc.reservation_for_order(OrderId{o});
      if (!buy.ok() || !buy->active() || buy->side != Side::kBuy) continue;
      for (uint64_t p = id - 1; p >= 1'000 && p + 80 > id; --p) {
        auto sell = svc.reservation_for_order(OrderId{p});
        if (!sell.ok() || !sell->active() || sell->side != Side::kSell ||
            sell->symbol != buy->symbol || sell->account == buy->account ||
            sell->limit > buy->limit || std::find(used.begin(), used.end(), p) != used.end()) {
          continue;
        }
        const int64_t most = std::min(buy->remaining_qty.value(), sell->remaining_qty.value());
        fills.push_back(Fill{.execution = ExecutionId{id * 8 + fills.size()},
                             .symbol = buy->symbol,
                             .qty = Qty{pick_i(static_cast<uint64_t>(most))},
                             .price = sell->limit,
                             .buyer = {buy->account, buy->order},
                             .seller = {sell->account, sell->order},
                             .tick = TickId{id},
                             .time = clock.now()});
        used.push_back(p);
        break;
      }
    }
    if (fills.size() == 1) {
      if (svc.settle(fills[0]).ok()) applied_.push_back(fills[0]);
      return;
    }
    const auto results = svc.settle_batch(fills);
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].ok()) applied_.push_back(fills[i]);
    }
  }

  std::mt19937_64 rng_;
  uint64_t next_id_ = 1'000;
  std::vector<Fill> applied_;
};

void seed_accounts(AccountService& svc) {
  for (int i = 1; i <= 5; ++i) {
    const std::string n = std::to_string(i);
    const AccountId id = svc.create_account("google-sub-" + n, "User '" + n + "'").value();
    REQUIRE(svc.credit(id, Cents{300'000}, EntryKind::kFantasyCredit, "seed-" + n).ok());
    for (int s = 1; s <= 3; ++s) {
      REQUIRE(svc.issue_shares(id, SymbolId{static_cast<uint64_t>(s)}, Qty{60'000},
                               "issue-" + std::to_string(s) + "-" + n)
                  .ok());
    }
  }
}

struct Run {
  std::shared_ptr<Store> store;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(test_epoch());
  std::unique_ptr<AccountService> service;
  Workload work;

  Run(std::shared_ptr<Store> s, uint64_t seed) : store(std::move(s)), work(seed) {
    service = AccountService::open({.store = store, .clock = clock}).value();
    seed_accounts(*service);
    work.run(*service, *clock, 700);
  }
};

// Every load() request the ledger makes, and some it does not.
std::vector<SnapshotRequest> requests(absl::Time now) {
  return {SnapshotRequest{},
          {.execution_retention = absl::Hours(24),
           .reservations_finished_since = now - absl::Hours(24 * 7),
           .trades_per_account_max = 1'000},
          {.execution_retention = absl::Hours(30),
           .reservations_finished_since = now - absl::Hours(40),
           .trades_per_account_max = 3},
          {.execution_retention = absl::ZeroDuration(),
           .reservations_finished_since = absl::InfiniteFuture(),
           .trades_per_account_max = 0}};
}

void check_loads_equal(Store& reference, Store& other, const std::vector<Fill>& applied,
                       absl::Time now) {
  for (const SnapshotRequest& r : requests(now)) {
    const LedgerSnapshot want = reference.load(r).value();
    const LedgerSnapshot got = other.load(r).value();
    CHECK(got.accounts == want.accounts);
    CHECK(got.positions == want.positions);
    CHECK(got.reservations == want.reservations);
    CHECK(got.executions == want.executions);
    CHECK(got.trades == want.trades);
    CHECK(got.entries == want.entries);
    CHECK(got.reservation_id_high_water == want.reservation_id_high_water);
  }
  for (const Fill& f : applied) {
    CHECK(other.find_execution(f.execution).value() ==
          reference.find_execution(f.execution).value());
  }
  for (uint64_t a = 1; a <= 5; ++a) {
    CHECK(other.trades(AccountId{a}, 7).value() == reference.trades(AccountId{a}, 7).value());
  }
}

TEST_CASE("one workload on MemoryStore, SqliteStore and PostgresStore gives equal ledgers "
          "and loads, and the SQLite ledger restarts into the same state", "[sqlite][restart]") {
  const uint64_t seed = GENERATE(21, 22);
  CAPTURE(seed);
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  Run memory(std::make_shared<MemoryStore>(), seed);
  Run sqlite(open_sqlite(path), seed);
  REQUIRE(memory.work.applied().size() > 20);  // The workload did trade.
  REQUIRE(sqlite.work.applied() == memory.work.applied());
  const absl::Time now = memory.clock->now();
  // Some fills are out of the 24-hour window: their redelivery needs the store.
  size_t outside_window = 0;
  for (const Fill& f : memory.work.applied()) outside_window += f.time < now - absl::Hours(24);
  CHECK(outside_window > 0);
  CHECK(sqlite.service->snapshot() == memory.service->snapshot());
  CHECK(sqlite.service->audit().ok());
  check_loads_equal(*memory.store, *sqlite.store, memory.work.applied(), now);
#ifdef ACCOUNT_SQLITE_TESTS_WITH_POSTGRES
  {
    Run postgres(testing::open_store(testing::fresh_database_url()), seed);
    REQUIRE(postgres.work.applied() == memory.work.applied());
    CHECK(postgres.service->snapshot() == memory.service->snapshot());
    check_loads_equal(*memory.store, *postgres.store, memory.work.applied(), now);
    check_loads_equal(*postgres.store, *sqlite.store, memory.work.applied(), now);
  }
#endif

  // Restart: drop the ledger and its store (the writer lock with it), open
  // both again on the file.
  sqlite.service.reset();
  sqlite.store.reset();
  auto reopened =
      AccountService::open({.store = open_sqlite(path), .clock = sqlite.clock}).value();
  CHECK(reopened->snapshot() == memory.service->snapshot());
  CHECK(reopened->audit().ok());
  for (uint64_t a = 1; a <= 5; ++a) {
    CHECK(reopened->trade_history(AccountId{a}, 50).value() ==
          memory.service->trade_history(AccountId{a}, 50).value());
  }
  for (const Fill& fill : memory.work.applied()) {
    CHECK(denied_with(reopened->settle(fill), Reason::kDuplicateExecution));
  }
  CHECK(denied_with(reopened->settle_batch(memory.work.applied()).front(),
                    Reason::kDuplicateExecution));
  CHECK(reopened->snapshot() == memory.service->snapshot());
}

}  // namespace
}  // namespace account
