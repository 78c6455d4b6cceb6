// Restart on PostgreSQL: a ledger on PostgresStore runs a random workload,
// is dropped, and is reopened on the same database. Its state must equal a
// MemoryStore ledger's after the same workload, and every fill applied
// before the restart must come back kDuplicateExecution.
#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "support/ledger_fixture.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::fresh_database_url;
using testing::open_store;
using testing::test_epoch;

// The workload of tests/unit/restore_test.cpp, over 4 accounts and 2
// symbols, which also records the fills that were applied. The same seed
// gives the same commands.
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

  void step(AccountService& svc, ManualClock& clock) {
    const AccountId acct{pick(4)};
    const SymbolId sym{pick(2)};
    const uint64_t id = next_id_++;
    switch (pick(6)) {
      case 1:
        (void)svc.credit(acct, Cents{pick_i(50'000)}, EntryKind::kFantasyCredit,
                         "k" + std::to_string(id));
        break;
      case 2:
        (void)svc.reserve_buy({.account = acct,
                               .order = OrderId{id},
                               .symbol = sym,
                               .qty = Qty{pick_i(20'000)},
                               .limit = Price{100 + pick_i(9'000)}});
        break;
      case 3:
        (void)svc.reserve_sell({.account = acct,
                                .order = OrderId{id},
                                .symbol = sym,
                                .qty = Qty{pick_i(20'000)},
                                .limit = Price{100 + pick_i(5'000)}});
        break;
      case 4:
        match(svc, clock, id);
        break;
      case 5:
        if (pick(3) == 1)
          (void)svc.cancel_order(OrderId{id - pick(std::min<uint64_t>(id - 999, 40))});
        break;
      case 6:
        clock.advance(absl::Hours(pick_i(30)));
        (void)svc.expire_due_reservations();
        break;
    }
  }

  // Settles the newest crossing pair among the last 60 orders.
  void match(AccountService& svc, ManualClock& clock, uint64_t id) {
    std::optional<Reservation> buy, sell;
    for (uint64_t o = id - 1; o >= 1'000 && o + 60 > id && !(buy && sell); --o) {
      auto r = svc.reservation_for_order(OrderId{o});
      if (!r.ok() || !r->active()) continue;
      std::optional<Reservation>& slot = r->side == Side::kBuy ? buy : sell;
      const std::optional<Reservation>& other = r->side == Side::kBuy ? sell : buy;
      if (!slot && (!other || (other->symbol == r->symbol && other->account != r->account))) {
        slot = *r;
      }
    }
    if (!buy || !sell || buy->limit < sell->limit) return;
    const int64_t most = std::min(buy->remaining_qty.value(), sell->remaining_qty.value());
    const Fill fill{.execution = ExecutionId{id},
                    .symbol = buy->symbol,
                    .qty = Qty{pick_i(static_cast<uint64_t>(most))},
                    .price = sell->limit,
                    .buyer = {buy->account, buy->order},
                    .seller = {sell->account, sell->order},
                    .tick = TickId{id},
                    .time = clock.now()};
    if (svc.settle(fill).ok()) applied_.push_back(fill);
  }

  std::mt19937_64 rng_;
  uint64_t next_id_ = 1'000;
  std::vector<Fill> applied_;
};

void seed_accounts(AccountService& svc) {
  for (int i = 1; i <= 4; ++i) {
    const std::string n = std::to_string(i);
    const AccountId id = svc.create_account("google-sub-" + n, "User '" + n + "'").value();
    REQUIRE(svc.credit(id, Cents{200'000}, EntryKind::kFantasyCredit, "seed-" + n).ok());
    REQUIRE(svc.issue_shares(id, SymbolId{1}, Qty{50'000}, "issue-1-" + n).ok());
    REQUIRE(svc.issue_shares(id, SymbolId{2}, Qty{50'000}, "issue-2-" + n).ok());
  }
}

TEST_CASE("a ledger on PostgreSQL restarts into the state a MemoryStore ledger reaches",
          "[postgres][restart]") {
  const uint64_t seed = GENERATE(11, 12, 13);
  CAPTURE(seed);
  const std::string url = fresh_database_url();
  auto pg_clock = std::make_shared<ManualClock>(test_epoch());
  auto mem_clock = std::make_shared<ManualClock>(test_epoch());
  auto on_pg = AccountService::open({.store = open_store(url), .clock = pg_clock}).value();
  auto in_mem =
      AccountService::open({.store = std::make_shared<MemoryStore>(), .clock = mem_clock}).value();
  seed_accounts(*on_pg);
  seed_accounts(*in_mem);
  Workload pg_work(seed), mem_work(seed);
  pg_work.run(*on_pg, *pg_clock, 500);
  mem_work.run(*in_mem, *mem_clock, 500);
  REQUIRE(pg_work.applied().size() > 10);  // The workload did trade.
  REQUIRE(pg_work.applied() == mem_work.applied());
  CHECK(on_pg->snapshot() == in_mem->snapshot());
  CHECK(on_pg->audit().ok());

  on_pg.reset();  // Drop the service and its store: the writer lock goes with it.
  auto reopened = AccountService::open({.store = open_store(url), .clock = pg_clock}).value();
  CHECK(reopened->snapshot() == in_mem->snapshot());
  const AuditReport audit = reopened->audit();
  INFO(audit.violations.size() << " audit violations");
  CHECK(audit.ok());
  for (uint64_t a = 1; a <= 4; ++a) {
    CHECK(reopened->trade_history(AccountId{a}, 50).value() ==
          in_mem->trade_history(AccountId{a}, 50).value());
  }

  // Every fill applied before the restart is a duplicate now, old ones (out
  // of the 24-hour window, answered by the store) and recent ones alike.
  size_t outside_window = 0;
  for (const Fill& fill : pg_work.applied()) {
    if (fill.time < pg_clock->now() - absl::Hours(24)) ++outside_window;
    CHECK(denied_with(reopened->settle(fill), Reason::kDuplicateExecution));
  }
  CHECK(outside_window > 0);
  CHECK(reopened->snapshot() == in_mem->snapshot());
}

TEST_CASE("a tick's fills settle in one PostgreSQL transaction, and survive a restart",
          "[postgres][restart]") {
  const std::string url = fresh_database_url();
  auto clock = std::make_shared<ManualClock>(test_epoch());
  auto service = AccountService::open({.store = open_store(url), .clock = clock}).value();
  const AccountId buyer = service->create_account("sub-buyer", "Buyer").value();
  const AccountId seller = service->create_account("sub-seller", "Seller").value();
  REQUIRE(service->credit(buyer, Cents{10'000'000}, EntryKind::kAdjustment, "fund").ok());
  REQUIRE(service->issue_shares(seller, SymbolId{9}, Qty{1'000'000}, "inventory").ok());
  const OrderSpec buy{.account = buyer,
                      .order = OrderId{1},
                      .symbol = SymbolId{9},
                      .qty = Qty{1'000'000},
                      .limit = Price{5'000}};
  const OrderSpec sell{.account = seller,
                       .order = OrderId{2},
                       .symbol = SymbolId{9},
                       .qty = Qty{1'000'000},
                       .limit = Price{4'000}};
  REQUIRE(service->reserve_buy(buy).ok());
  REQUIRE(service->reserve_sell(sell).ok());
  std::vector<Fill> fills;
  for (uint64_t i = 1; i <= 500; ++i) {
    fills.push_back(Fill{.execution = ExecutionId{(uint64_t{7} << 20) | i},
                         .symbol = SymbolId{9},
                         .qty = Qty{100},
                         .price = Price{4'500},
                         .buyer = {buyer, buy.order},
                         .seller = {seller, sell.order},
                         .tick = TickId{7},
                         .time = clock->now() + absl::Nanoseconds(static_cast<int64_t>(i))});
  }
  for (const auto& result : service->settle_batch(fills)) CHECK(result.ok());
  const LedgerSnapshot before = service->snapshot();
  service.reset();
  auto reopened = AccountService::open({.store = open_store(url), .clock = clock}).value();
  CHECK(reopened->snapshot() == before);
  CHECK(reopened->position(buyer, SymbolId{9}).value()->qty == Qty{50'000});
  for (const auto& result : reopened->settle_batch(fills)) {
    CHECK(denied_with(result, Reason::kDuplicateExecution));
  }
  CHECK(reopened->audit().ok());
}

}  // namespace
}  // namespace account
