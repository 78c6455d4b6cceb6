// Invariant 6: snapshot -> restore -> replay gives identical balances,
// positions, reservations and realized P&L.
#include <algorithm>
#include <functional>
#include <optional>
#include <random>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/testing/counterparties.h"
#include "account/testing/fault_injecting_store.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::LedgerFixture;

// A new store holding exactly `s`, written through the ordinary commit path.
std::shared_ptr<MemoryStore> store_from(const LedgerSnapshot& s) {
  ChangeSet c;
  c.new_accounts = s.accounts;
  c.positions = s.positions;
  c.reservations = s.reservations;
  c.executions = s.executions;
  c.trades = s.trades;
  c.entries = s.entries;
  auto store = std::make_shared<MemoryStore>();
  REQUIRE(store->commit(c).ok());
  return store;
}

// The rows alone: a store seeded from a snapshot's rows holds none of the journal that wrote
// them, so its ledger starts a journal of its own.
LedgerSnapshot rows_of(LedgerSnapshot s) {
  s.journal_head = {};
  return s;
}

// A scripted workload over 4 accounts and 2 symbols, driven by `rng`: the
// same seed gives the same commands. Results are ignored; both ledgers must
// agree on them anyway, which the snapshots compare.
void workload(AccountService& svc, ManualClock& clock, std::mt19937_64& rng, uint64_t& next_id,
              int steps) {
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(1, n)(rng); };
  for (int i = 0; i < steps; ++i) {
    const AccountId acct{pick(4)};
    const SymbolId sym{pick(2)};
    const uint64_t id = next_id++;
    switch (pick(6)) {
      case 1:
        (void)svc.credit(acct, Cents{static_cast<int64_t>(pick(50'000))},
                         EntryKind::kFantasyCredit, "k" + std::to_string(id));
        break;
      case 2:
        (void)svc.reserve_buy({.account = acct, .order = OrderId{id}, .symbol = sym,
                               .qty = Qty{static_cast<int64_t>(pick(20'000))},
                               .limit = Price{static_cast<int64_t>(100 + pick(9'000))}});
        break;
      case 3:
        (void)svc.reserve_sell({.account = acct, .order = OrderId{id}, .symbol = sym,
                                .qty = Qty{static_cast<int64_t>(pick(20'000))},
                                .limit = Price{static_cast<int64_t>(100 + pick(5'000))}});
        break;
      case 4: {
        // Match the newest crossing pair among the last 60 orders.
        std::optional<Reservation> buy, sell;
        for (uint64_t o = id - 1; o >= 1'000 && o + 60 > id && !(buy && sell); --o) {
          auto r = svc.reservation_for_order(OrderId{o});
          if (!r.ok() || !r->active()) continue;
          std::optional<Reservation>& slot = r->side == Side::kBuy ? buy : sell;
          const std::optional<Reservation>& other = r->side == Side::kBuy ? sell : buy;
          if (!slot && (!other || (other->symbol == r->symbol && other->account != r->account)))
            slot = *r;
        }
        if (!buy || !sell || buy->limit < sell->limit) break;
        const int64_t most = std::min(buy->remaining_qty.value(), sell->remaining_qty.value());
        (void)svc.settle({.execution = ExecutionId{id}, .symbol = buy->symbol,
                          .qty = Qty{static_cast<int64_t>(pick(static_cast<uint64_t>(most)))},
                          .price = sell->limit, .buyer = {buy->account, buy->order},
                          .seller = {sell->account, sell->order}, .tick = TickId{id},
                          .time = clock.now()});
        break;
      }
      case 5:
        if (pick(3) == 1) (void)svc.cancel_order(OrderId{id - pick(std::min<uint64_t>(id - 999, 40))});
        break;
      case 6:
        clock.advance(absl::Hours(static_cast<int64_t>(pick(30))));
        (void)svc.expire_due_reservations();
        break;
    }
  }
}

TEST_CASE("snapshot, restore into a new store, replay: both ledgers stay identical",
          "[restore]") {
  const uint64_t seed = GENERATE(1, 2, 3, 4, 5);
  CAPTURE(seed);
  LedgerFixture a;
  for (int i = 0; i < 4; ++i) {
    const AccountId id = a.account(200'000);
    a.give_shares(id, SymbolId{1}, Qty{50'000});
    a.give_shares(id, SymbolId{2}, Qty{50'000});
  }
  std::mt19937_64 rng_a(seed);
  uint64_t next_a = 1'000;
  workload(a.svc(), *a.clock, rng_a, next_a, 400);
  const LedgerSnapshot snap = a.svc().snapshot();
  CHECK(snap.trades.size() > 10);  // The workload did trade.

  auto clock_b = std::make_shared<ManualClock>(a.clock->now());
  auto b = AccountService::open({.store = store_from(snap), .clock = clock_b}).value();
  REQUIRE(rows_of(b->snapshot()) == rows_of(snap));
  CHECK(b->journal_head() == 0);

  std::mt19937_64 rng_b = rng_a;
  uint64_t next_b = next_a;
  workload(a.svc(), *a.clock, rng_a, next_a, 400);
  workload(*b, *clock_b, rng_b, next_b, 400);
  CHECK(rows_of(b->snapshot()) == rows_of(a.svc().snapshot()));
  CHECK(a.svc().audit().ok());
  CHECK(b->audit().ok());
}

// A snapshot with its reservation ids moved far from 1, as a ledger that has
// issued 2^40 of them and pruned all but the newest would hold.
LedgerSnapshot with_reservation_ids_from(LedgerSnapshot s, uint64_t offset) {
  for (Reservation& r : s.reservations) r.id = ReservationId{r.id.value() + offset};
  s.reservation_id_high_water += offset;
  return s;
}

// The overlay indexes staged reservations in pages made where ids are
// staged (src/base/paged_slots.h), so memory follows the reservations staged, not
// every id ever issued (a slot per id since the first grew without bound).
TEST_CASE("a ledger holding reservation ids far above 1 settles, admits and cancels as usual",
          "[restore][reservations]") {
  LedgerFixture a;
  const AccountId buyer = a.account(100'000);
  const AccountId seller = a.account();
  a.give_shares(seller, SymbolId{1}, Qty{50'000});
  const OrderSpec buy = a.order(buyer, SymbolId{1}, Qty{20'000}, Price{1'000});
  const OrderSpec sell = a.order(seller, SymbolId{1}, Qty{20'000}, Price{1'000});
  REQUIRE(a.svc().reserve_buy(buy).ok());
  REQUIRE(a.svc().reserve_sell(sell).ok());
  const uint64_t offset = uint64_t{1} << 40;
  const LedgerSnapshot far = with_reservation_ids_from(a.svc().snapshot(), offset);

  LedgerFixture b;
  b.store = store_from(far);
  b.clock->set(a.clock->now());
  b.reopen();
  REQUIRE(b.svc().snapshot().reservations == far.reservations);
  REQUIRE(b.svc().settle(a.fill(buy, sell, Qty{5'000}, Price{1'000})).ok());
  CHECK(b.svc().reservation_for_order(buy.order).value().remaining_qty == Qty{15'000});
  OrderSpec more = buy;
  more.order = OrderId{buy.order.value() + 100};
  const ReservationId made = b.svc().reserve_buy(more).value();
  CHECK(made.value() > offset);
  CHECK(b.svc().cancel_order(more.order).ok());
  CHECK(b.svc().cancel_order(buy.order).ok());
  CHECK(b.svc().audit().ok());
}

// Reservation ids are issued densely, and the ledger indexes them so; a store
// holding ids that are not (which this ledger never writes) is refused at
// open with the reason, instead of the ledger trying to index the gap.
TEST_CASE("a store whose reservation ids are far apart is refused at open, with the reason",
          "[restore][reservations]") {
  LedgerFixture a;
  const AccountId buyer = a.account(100'000);
  REQUIRE(a.svc().reserve_buy(a.order(buyer, SymbolId{1}, Qty{10'000}, Price{1'000})).ok());
  REQUIRE(a.svc().reserve_buy(a.order(buyer, SymbolId{1}, Qty{10'000}, Price{1'000})).ok());
  LedgerSnapshot sparse = a.svc().snapshot();
  REQUIRE(sparse.reservations.size() == 2);
  sparse.reservations[1].id = ReservationId{uint64_t{1} << 50};

  const auto opened = AccountService::open({.store = store_from(sparse), .clock = a.clock});
  REQUIRE(testing::denied_with(opened, Reason::kStoreFailure));
  CHECK_THAT(std::string(opened.status().message()),
             Catch::Matchers::Contains("reservation ids"));
}

// The ledger indexes accounts by id: a store whose account ids have a gap,
// or that holds a row of an account it lacks (neither of which this ledger
// writes), is refused at open with the reason.
TEST_CASE("a store with an account id gap or a row of a missing account is refused at open",
          "[restore]") {
  LedgerFixture a;
  const AccountId first = a.account(100'000);
  const AccountId second = a.account(100'000);
  a.give_shares(second, SymbolId{1}, Qty{10'000});
  const LedgerSnapshot good = a.svc().snapshot();
  REQUIRE(good.accounts.size() == 2);
  REQUIRE(first == AccountId{1});

  SECTION("a gap in the account ids") {
    LedgerSnapshot gap = good;
    gap.accounts[1].id = AccountId{3};
    gap.positions.clear();
    gap.entries.clear();
    const auto opened = AccountService::open({.store = store_from(gap), .clock = a.clock});
    REQUIRE(testing::denied_with(opened, Reason::kStoreFailure));
    CHECK_THAT(std::string(opened.status().message()),
               Catch::Matchers::Contains("account ids must run 1..2"));
  }
  SECTION("a position of an account the store lacks") {
    LedgerSnapshot orphan = good;
    orphan.positions.push_back(
        Position{.account = AccountId{9}, .symbol = SymbolId{1}, .qty = Qty{1}});
    const auto opened = AccountService::open({.store = store_from(orphan), .clock = a.clock});
    REQUIRE(testing::denied_with(opened, Reason::kStoreFailure));
    CHECK_THAT(std::string(opened.status().message()),
               Catch::Matchers::Contains("a position of account 9"));
  }
}


// LedgerLimits::trade_history_loaded_at_open = false: open loads no trade, memory keeps those
// since, and the history before them comes from the store, or a reason when it cannot.
TEST_CASE("a ledger opened without its trade history reads it from the store, and says why "
          "when the store is down",
          "[restore]") {
  auto clock = std::make_shared<ManualClock>(absl::FromUnixSeconds(1'763'960'400));
  auto inner = std::make_shared<MemoryStore>();
  auto store = std::make_shared<testing::FaultInjectingStore>(inner);
  LedgerLimits limits;
  limits.trades_in_memory_per_account_max = 3;
  limits.trade_history_loaded_at_open = false;
  const AccountServiceOptions options{.store = store, .clock = clock, .limits = limits};

  std::unique_ptr<AccountService> first = AccountService::open(options).value();
  testing::Counterparties pair =
      testing::Counterparties::open(*first, {.clock = clock}).value();
  for (int i = 0; i < 5; ++i) REQUIRE(first->settle(pair.fill()).ok());
  const std::vector<Trade> before = first->trade_history(pair.buyer(), 10).value();
  REQUIRE(before.size() == 5);
  first.reset();

  std::unique_ptr<AccountService> second = AccountService::open(options).value();
  CHECK(second->snapshot().trades.empty());
  // All five from the store; memory held none of them.
  CHECK(second->trade_history(pair.buyer(), 10).value() == before);
  CHECK(second->audit().ok());

  // One trade since open: the newest comes from memory, the rest needs the store.
  REQUIRE(second->settle(pair.fill()).ok());
  store->go_down();
  const absl::StatusOr<std::vector<Trade>> newest = second->trade_history(pair.buyer(), 1);
  REQUIRE(newest.ok());
  CHECK(newest->front().execution == ExecutionId{6});
  const absl::StatusOr<std::vector<Trade>> older = second->trade_history(pair.buyer(), 10);
  CHECK(reason_of(older.status()) == Reason::kStoreUnavailable);
  store->come_back();
  const std::vector<Trade> all = second->trade_history(pair.buyer(), 10).value();
  REQUIRE(all.size() == 6);
  CHECK(std::equal(before.begin(), before.end(), all.begin() + 1));
  CHECK(second->audit().ok());

  // A trade the store holds and memory never applied: the audit names it.
  ChangeSet stray;
  stray.trades.push_back(all.front());
  stray.trades.back().execution = ExecutionId{99};
  REQUIRE(inner->commit(stray).ok());
  const AuditReport report = second->audit();
  REQUIRE_FALSE(report.ok());
  CHECK(report.violations.front().find("trades differ") != std::string::npos);
}

}  // namespace
}  // namespace account
