// The settlement applier: both legs or neither, exactly once per execution
// id, partial fills, price improvement, cost basis and realized P&L, and one
// row per reason code in precedence order.
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/notional.h"
#include "account/store.h"
#include "account/testing/fault_injecting_store.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::LedgerFixture;

constexpr SymbolId kAllen{1};
constexpr SymbolId kHenry{2};

// A buyer with $100 and a seller holding one share of Josh Allen.
struct Market : LedgerFixture {
  AccountId buyer = account(10'000);
  AccountId seller = account();
  Market() { give_shares(seller, kAllen, Qty{10'000}); }
};

TEST_CASE("the seed's end-to-end order: 0.1429 shares at $350 cost 5001 cents, not 5000",
          "[settlement][seed]") {
  // The design document asserts 5000 here; floor(1429 * 35000 / 10000) is
  // floor(5001.5) = 5001 (docs/ledger.md ("Units and rounding")).
  Market m;
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{1'429}, Price{35'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{1'429}, Price{35'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  CHECK(m.svc().cash(m.buyer).value() == Cents{10'000});
  CHECK(m.svc().available_cash(m.buyer).value() == Cents{10'000 - 5'002});

  const SettlementReceipt receipt = m.svc().settle(m.fill(buy, sell, Qty{1'429}, Price{35'000})).value();
  CHECK(receipt.notional == Cents{5'001});
  CHECK(receipt.buyer_order_done);
  CHECK(receipt.seller_order_done);
  CHECK(m.svc().cash(m.buyer).value() == Cents{4'999});
  CHECK(m.svc().available_cash(m.buyer).value() == Cents{4'999});
  CHECK(m.svc().cash(m.seller).value() == Cents{5'001});
  const Position bought = *m.svc().position(m.buyer, kAllen).value();
  CHECK(bought.qty == Qty{1'429});
  CHECK(bought.cost_basis == Cents{5'001});
  CHECK(bought.avg_cost() == Price{34'997});  // 5001 * 10000 / 1429 = 34996.5 -> half up
  CHECK(m.svc().position(m.seller, kAllen).value()->qty == Qty{8'571});
  CHECK(m.svc().reservation_for_order(buy.order).value().status == ReservationStatus::kSettled);
  CHECK(m.svc().audit().ok());
}

TEST_CASE("a second delivery of an execution id changes nothing", "[settlement][exactly-once]") {
  Market m;
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{5'000}, Price{10'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{10'000}, Price{5'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  const Fill fill = m.fill(buy, sell, Qty{2'000}, Price{8'000});
  REQUIRE(m.svc().settle(fill).ok());
  const LedgerSnapshot after_once = m.svc().snapshot();

  CHECK(denied_with(m.svc().settle(fill), Reason::kDuplicateExecution));
  CHECK(m.svc().snapshot() == after_once);

  SECTION("a redelivery stamped with another time is a conflict that names both times") {
    Fill restamped = fill;
    restamped.time += absl::Nanoseconds(1);
    const auto conflict = m.svc().settle(restamped);
    REQUIRE(denied_with(conflict, Reason::kExecutionConflict));
    // The applied fill's own time, to the nanosecond, so the difference shows.
    CHECK_THAT(std::string(conflict.status().message()),
               Catch::Contains(absl::FormatTime("time %Y-%m-%dT%H:%M:%E*SZ", fill.time,
                                                absl::UTCTimeZone())));
    CHECK(m.svc().snapshot() == after_once);
  }
  SECTION("a redelivery with other fields is a conflict, not a duplicate") {
    Fill altered = fill;
    altered.price = Price{7'999};
    const auto conflict = m.svc().settle(altered);
    REQUIRE(denied_with(conflict, Reason::kExecutionConflict));
    CHECK(conflict.status().code() == absl::StatusCode::kAlreadyExists);
    altered = fill;
    altered.seller.order = OrderId{12345};
    CHECK(denied_with(m.svc().settle(altered), Reason::kExecutionConflict));
    CHECK(m.svc().snapshot() == after_once);
  }
  SECTION("duplicates inside one batch are refused too") {
    const Fill next = m.fill(buy, sell, Qty{1'000}, Price{8'000});
    const auto results = m.svc().settle_batch({next, fill, next});
    REQUIRE(results.size() == 3);
    CHECK(results[0].ok());
    CHECK(denied_with(results[1], Reason::kDuplicateExecution));
    CHECK(denied_with(results[2], Reason::kDuplicateExecution));
    CHECK(m.svc().position(m.buyer, kAllen).value()->qty == Qty{3'000});
  }
  SECTION("after a restart the id is still known") {
    m.reopen();
    CHECK(denied_with(m.svc().settle(fill), Reason::kDuplicateExecution));
    CHECK(m.svc().snapshot() == after_once);
  }
}

TEST_CASE("partial fills shrink the reservation and price improvement is freed at once",
          "[settlement][partial]") {
  Market m;
  // Buy 1 share at a $100.00 limit: holds 10000 cents.
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{10'000}, Price{10'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{10'000}, Price{6'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  CHECK(m.svc().available_cash(m.buyer).value() == Cents{0});

  // 0.3333 share at $60.00: pays floor(1999.8) = 1999 cents. The rest,
  // 0.6667 share at the $100 limit, needs ceil(6667) = 6667 cents held.
  const SettlementReceipt r1 = m.svc().settle(m.fill(buy, sell, Qty{3'333}, Price{6'000})).value();
  CHECK(r1.notional == Cents{1'999});
  CHECK(r1.buyer_cash_freed == Cents{10'000 - 6'667 - 1'999});
  CHECK_FALSE(r1.buyer_order_done);
  Reservation rb = m.svc().reservation_for_order(buy.order).value();
  CHECK(rb.remaining_qty == Qty{6'667});
  CHECK(rb.reserved_cash == Cents{6'667});
  CHECK(m.svc().cash(m.buyer).value() == Cents{8'001});
  CHECK(m.svc().available_cash(m.buyer).value() == Cents{8'001 - 6'667});
  Reservation rs = m.svc().reservation_for_order(sell.order).value();
  CHECK(rs.remaining_qty == Qty{6'667});

  // The rest at the limit.
  const SettlementReceipt r2 = m.svc().settle(m.fill(buy, sell, Qty{6'667}, Price{10'000})).value();
  CHECK(r2.notional == Cents{6'667});
  CHECK(r2.buyer_order_done);
  CHECK(r2.seller_order_done);
  CHECK(m.svc().cash(m.buyer).value() == Cents{10'000 - 1'999 - 6'667});
  CHECK(m.svc().available_cash(m.buyer).value() == m.svc().cash(m.buyer).value());
  CHECK(m.svc().cash(m.seller).value() == Cents{1'999 + 6'667});
  CHECK(m.svc().active_reservations(m.buyer).value().empty());
  CHECK(m.svc().trade_history(m.buyer, 10).value().size() == 2);
  CHECK(m.svc().audit().ok());
}

TEST_CASE("selling realizes P&L against the exact cost basis", "[settlement][pnl]") {
  LedgerFixture f;
  const AccountId mm = f.account();
  const AccountId trader = f.account(1'000'000);
  const AccountId other = f.account(1'000'000);
  f.give_shares(mm, kHenry, Qty{100'000});
  // Trader buys 3 shares in two lots: 1 at $30.00 and 2 at $36.00: cost 10200.
  const OrderSpec mm_sell = f.order(mm, kHenry, Qty{30'000}, Price{3'000});
  const OrderSpec t_buy = f.order(trader, kHenry, Qty{30'000}, Price{4'000});
  REQUIRE(f.svc().reserve_sell(mm_sell).ok());
  REQUIRE(f.svc().reserve_buy(t_buy).ok());
  REQUIRE(f.svc().settle(f.fill(t_buy, mm_sell, Qty{10'000}, Price{3'000})).ok());
  REQUIRE(f.svc().settle(f.fill(t_buy, mm_sell, Qty{20'000}, Price{3'600})).ok());
  Position p = *f.svc().position(trader, kHenry).value();
  CHECK(p.cost_basis == Cents{10'200});
  CHECK(p.avg_cost() == Price{3'400});

  // Sells 1 share at $40.00: removes floor(10200 / 3) = 3400 cost, realizes 600.
  const OrderSpec t_sell = f.order(trader, kHenry, Qty{30'000}, Price{3'000});
  const OrderSpec o_buy = f.order(other, kHenry, Qty{30'000}, Price{4'500});
  REQUIRE(f.svc().reserve_sell(t_sell).ok());
  REQUIRE(f.svc().reserve_buy(o_buy).ok());
  const SettlementReceipt r1 = f.svc().settle(f.fill(o_buy, t_sell, Qty{10'000}, Price{4'000})).value();
  CHECK(r1.seller_realized_pnl == Cents{600});
  // Sells the last 2 shares at $33.00 (6600): all of the remaining 6800 cost goes, -200.
  const SettlementReceipt r2 = f.svc().settle(f.fill(o_buy, t_sell, Qty{20'000}, Price{3'300})).value();
  CHECK(r2.seller_realized_pnl == Cents{-200});
  p = *f.svc().position(trader, kHenry).value();
  CHECK(p.qty == Qty{0});
  CHECK(p.cost_basis == Cents{0});
  CHECK(p.realized_pnl == Cents{400});
  CHECK(p.avg_cost() == Price{0});
  const auto history = f.svc().trade_history(trader, 10).value();
  REQUIRE(history.size() == 4);
  CHECK(history[0].side == Side::kSell);  // Newest first.
  CHECK(history[0].realized_pnl == Cents{-200});
  CHECK(history[0].order == t_sell.order);
  CHECK(history[3].side == Side::kBuy);
  CHECK(f.svc().trade_history(trader, 1).value().size() == 1);
  CHECK(f.svc().audit().ok());
}

TEST_CASE("fill denials in precedence order change nothing", "[settlement][reasons]") {
  Market m;
  const AccountId third = m.account(10'000);
  m.give_shares(third, kHenry, Qty{10'000});
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{5'000}, Price{10'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{5'000}, Price{9'000});
  const OrderSpec henry_sell = m.order(third, kHenry, Qty{5'000}, Price{100});
  const OrderSpec third_buy = m.order(third, kAllen, Qty{1'000}, Price{10'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  REQUIRE(m.svc().reserve_sell(henry_sell).ok());
  REQUIRE(m.svc().reserve_buy(third_buy).ok());
  const LedgerSnapshot before = m.svc().snapshot();
  const Fill good = m.fill(buy, sell, Qty{1'000}, Price{9'500});
  auto with = [&](auto change) {
    Fill f = good;
    change(f);
    return m.svc().settle(f);
  };

  CHECK(denied_with(with([](Fill& f) { f.execution = ExecutionId{0}; }),
                    Reason::kInvalidArgument));
  CHECK(denied_with(with([](Fill& f) { f.qty = Qty{0}; }), Reason::kInvalidQuantity));
  CHECK(denied_with(with([](Fill& f) { f.price = Price{0}; }), Reason::kInvalidPrice));
  // Stamped more than LedgerLimits::fill_time_ahead_max (1 minute) ahead;
  // checked before the accounts and legs.
  const auto ahead = with([&](Fill& f) {
    f.time = m.clock->now() + absl::Minutes(1) + absl::Nanoseconds(1);
    f.seller = f.buyer;
  });
  CHECK(denied_with(ahead, Reason::kFillTimeAhead));
  CHECK_THAT(std::string(ahead.status().message()),
             Catch::Contains("ahead of the ledger's clock"));
  CHECK(denied_with(with([&](Fill& f) { f.seller = f.buyer; }), Reason::kSelfTrade));
  CHECK(denied_with(with([](Fill& f) { f.seller.account = AccountId{77}; }),
                    Reason::kAccountNotFound));
  CHECK(denied_with(with([](Fill& f) { f.buyer.order = OrderId{777}; }),
                    Reason::kReservationNotFound));
  // An order of another account is not this buyer's reservation.
  CHECK(denied_with(with([&](Fill& f) { f.buyer.order = third_buy.order; }),
                    Reason::kReservationNotFound));
  CHECK(denied_with(with([&](Fill& f) { f.buyer = {third, henry_sell.order}; }),
                    Reason::kWrongSide));
  CHECK(denied_with(with([&](Fill& f) { f.seller = {third, henry_sell.order}; }),
                    Reason::kSymbolMismatch));
  CHECK(denied_with(with([](Fill& f) { f.price = Price{10'001}; }), Reason::kPriceOutsideLimit));
  CHECK(denied_with(with([](Fill& f) { f.price = Price{8'999}; }), Reason::kPriceOutsideLimit));
  CHECK(denied_with(with([](Fill& f) { f.qty = Qty{5'001}; }), Reason::kFillExceedsReservation));
  CHECK(m.svc().snapshot() == before);

  REQUIRE(m.svc().cancel_order(buy.order).ok());
  CHECK(denied_with(m.svc().settle(good), Reason::kReservationNotActive));
  CHECK(m.svc().audit().ok());
}

TEST_CASE("a fill up to a minute ahead of the ledger's clock is taken, one beyond is refused",
          "[settlement][reasons]") {
  Market m;
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{5'000}, Price{10'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{5'000}, Price{9'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  Fill at_limit = m.fill(buy, sell, Qty{1'000}, Price{9'500});
  at_limit.time = m.clock->now() + absl::Minutes(1);
  REQUIRE(m.svc().settle(at_limit).ok());
  const LedgerSnapshot before = m.svc().snapshot();
  // An engine clock a year fast: refused, so the dedupe window, which follows
  // the newest fill time, is not thrown a year ahead.
  Fill glitch = m.fill(buy, sell, Qty{1'000}, Price{9'500});
  glitch.time = m.clock->now() + absl::Hours(24 * 365);
  const absl::StatusOr<SettlementReceipt> refused = m.svc().settle(glitch);
  CHECK(denied_with(refused, Reason::kFillTimeAhead));
  CHECK(transient(*reason_of(refused)));
  CHECK(m.svc().snapshot() == before);
  // Fills stamped now go on being taken.
  REQUIRE(m.svc().settle(m.fill(buy, sell, Qty{1'000}, Price{9'500})).ok());
  CHECK(m.svc().audit().ok());
}

TEST_CASE("a fill refused for its time is taken when handed in again once the clock catches up",
          "[settlement][reasons]") {
  Market m;
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{5'000}, Price{10'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{5'000}, Price{9'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  const Cents seller_cash = m.svc().cash(m.seller).value();
  // The engine's clock runs 5 minutes fast: the trade happened all the same.
  Fill early = m.fill(buy, sell, Qty{2'000}, Price{9'500});
  early.time = m.clock->now() + absl::Minutes(5);
  CHECK(denied_with(m.svc().settle(early), Reason::kFillTimeAhead));
  m.clock->advance(absl::Minutes(3));
  CHECK(denied_with(m.svc().settle(early), Reason::kFillTimeAhead));
  // Within a minute of its time: the same fill is applied, once.
  m.clock->advance(absl::Minutes(1));
  const absl::StatusOr<SettlementReceipt> taken = m.svc().settle(early);
  REQUIRE(taken.ok());
  CHECK(taken->outcome == SettlementOutcome::kApplied);
  CHECK(m.svc().cash(m.seller).value() == seller_cash + Cents{1'900});
  // The ledger's clock steps back 10 minutes: a redelivery is still a
  // duplicate, not an early fill.
  m.clock->advance(-absl::Minutes(10));
  CHECK(denied_with(m.svc().settle(early), Reason::kDuplicateExecution));
  CHECK(m.svc().cash(m.seller).value() == seller_cash + Cents{1'900});
  CHECK(m.svc().audit().ok());
}

TEST_CASE("a batch applies its good fills in order and refuses the rest", "[settlement][batch]") {
  Market m;
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{10'000}, Price{10'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{10'000}, Price{1'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  const uint64_t commits_before = m.store->commits();
  std::vector<Fill> fills;
  for (int i = 0; i < 4; ++i) fills.push_back(m.fill(buy, sell, Qty{3'000}, Price{5'000}));
  // The fourth exceeds what is left after three (1000 bp): refused alone.
  const auto results = m.svc().settle_batch(fills);
  REQUIRE(results.size() == 4);
  CHECK(results[0].ok());
  CHECK(results[1].ok());
  CHECK(results[2].ok());
  CHECK(denied_with(results[3], Reason::kFillExceedsReservation));
  CHECK(m.store->commits() == commits_before + 1);  // One transaction for the batch.
  CHECK(m.svc().position(m.buyer, kAllen).value()->qty == Qty{9'000});
  CHECK(m.svc().cash(m.seller).value() == Cents{3 * 1'500});
  CHECK(m.svc().audit().ok());
}

TEST_CASE("a fill older than the in-memory window is deduped against the store",
          "[settlement][exactly-once]") {
  LedgerLimits limits;
  limits.execution_retention = absl::Hours(1);
  Market m;
  m.limits = limits;
  m.reopen();
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{10'000}, Price{10'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{10'000}, Price{1'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  const Fill old_fill = m.fill(buy, sell, Qty{1'000}, Price{5'000});
  REQUIRE(m.svc().settle(old_fill).ok());
  // Two hours later another fill pushes the first out of the memory window.
  m.clock->advance(absl::Hours(2));
  REQUIRE(m.svc().settle(m.fill(buy, sell, Qty{1'000}, Price{5'000})).ok());
  CHECK(m.svc().snapshot().executions.size() == 1);
  CHECK(denied_with(m.svc().settle(old_fill), Reason::kDuplicateExecution));
  Fill altered = old_fill;
  altered.qty = Qty{999};
  CHECK(denied_with(m.svc().settle(altered), Reason::kExecutionConflict));
  CHECK(m.svc().position(m.buyer, kAllen).value()->qty == Qty{2'000});
}

}  // namespace
}  // namespace account

namespace account {
namespace {

LedgerLimits one_hour_window() {
  LedgerLimits limits;
  limits.execution_retention = absl::Hours(1);
  return limits;
}

// A fill settles; two hours later (its id has left the one-hour window) it
// comes again, restamped, in a batch behind a good fill, with `before_batch`
// run just before that batch. The good fill applies, the redelivery is a
// conflict, and cash moved for two fills and the good one only.
void check_restamped_redelivery(testing::LedgerFixture& m,
                                const std::function<void()>& before_batch) {
  const AccountId buyer = m.account(1'000'000);
  const AccountId seller = m.account();
  m.give_shares(seller, SymbolId{1}, Qty{100'000});
  const OrderSpec buy = m.order(buyer, SymbolId{1}, Qty{100'000}, Price{10'000});
  const OrderSpec sell = m.order(seller, SymbolId{1}, Qty{100'000}, Price{10'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  const Fill first = m.fill(buy, sell, Qty{10'000}, Price{10'000});
  REQUIRE(m.svc().settle(first).ok());
  m.clock->advance(absl::Hours(2));
  REQUIRE(m.svc().settle(m.fill(buy, sell, Qty{10'000}, Price{10'000})).ok());

  Fill restamped = first;
  restamped.time = m.clock->now();
  const Fill good = m.fill(buy, sell, Qty{10'000}, Price{10'000});
  before_batch();
  const auto results = m.svc().settle_batch({good, restamped});
  CHECK(results[0].ok());
  CHECK(testing::denied_with(results[1], Reason::kExecutionConflict));
  CHECK(m.svc().cash(buyer).value() == Cents{1'000'000 - 3 * 10'000});
  CHECK(m.svc().audit().ok());
}

// Regression: a redelivery restamped with a new time after its id left the
// memory window used to pass validation, hit the store's unique index, and
// fail the whole batch with StoreFailure, good fills included.
TEST_CASE("a restamped redelivery outside the window is a conflict and the batch still applies",
          "[settlement][exactly-once][regression]") {
  testing::LedgerFixture m(one_hour_window());
  check_restamped_redelivery(m, [] {});
}

// Regression: the retry after an Aborted commit staged without asking the
// store, and when that retry met the store's unique index (AlreadyExists)
// the batch failed with StoreFailure, good fills included.
TEST_CASE("a restamped redelivery is a conflict when its retry follows an aborted commit",
          "[settlement][exactly-once][regression]") {
  const LedgerLimits limits = one_hour_window();
  testing::LedgerFixture m(limits);
  auto store = std::make_shared<testing::FaultInjectingStore>(m.store);
  m.service = AccountService::open({.store = store, .clock = m.clock, .limits = limits}).value();
  // Refused with Aborted, nothing written, as the PostgreSQL store refuses once after its
  // writer session was replaced.
  check_restamped_redelivery(m, [&] {
    store->fail_next_commits(1, testing::CommitFault::kRefused,
                             absl::AbortedError("writer session replaced"));
  });
}

// The ledger remembers which reservation each order it settled against
// names (a hint, to skip the index search). Once the order's finished
// reservation has been pruned, the gateway may reuse the order id: fills
// then draw on the new reservation, never on the remembered one.
TEST_CASE("a reused order id settles against its new reservation", "[settlement][orders]") {
  Market m;
  const OrderSpec buy = m.order(m.buyer, kAllen, Qty{5'000}, Price{10'000});
  const OrderSpec sell = m.order(m.seller, kAllen, Qty{10'000}, Price{10'000});
  REQUIRE(m.svc().reserve_buy(buy).ok());
  REQUIRE(m.svc().reserve_sell(sell).ok());
  REQUIRE(m.svc().settle(m.fill(buy, sell, Qty{1'000}, Price{10'000})).ok());
  const ReservationId first = m.svc().reservation_for_order(buy.order).value().id;
  REQUIRE(m.svc().cancel_order(buy.order).ok());

  m.clock->advance(m.limits.finished_reservation_retention + absl::Hours(1));
  m.fund(m.buyer, Cents{1});  // Any command prunes what is past retention.
  REQUIRE(denied_with(m.svc().reservation_for_order(buy.order), Reason::kReservationNotFound));
  REQUIRE(m.svc().reserve_buy(buy).ok());
  const ReservationId second = m.svc().reservation_for_order(buy.order).value().id;
  REQUIRE(second != first);

  const auto receipt = m.svc().settle(m.fill(buy, sell, Qty{2'000}, Price{10'000}));
  REQUIRE(receipt.ok());
  const Reservation now = m.svc().reservation(second).value();
  CHECK(now.remaining_qty == Qty{3'000});
  CHECK(m.svc().position(m.buyer, kAllen).value()->qty == Qty{3'000});
  CHECK(m.svc().audit().ok());
}

}  // namespace
}  // namespace account
