// OrderBuilder, FillBuilder and Counterparties (account/testing/builders.h, counterparties.h):
// their defaults, their ids, and that AccountService accepts what they build.
#include "account/memory_store.h"
#include "account/testing/builders.h"

#include <catch2/catch.hpp>
#include <memory>

#include "account/account_service.h"
#include "account/notional.h"
#include "account/status.h"
#include "account/testing/catch2.h"
#include "account/testing/counterparties.h"

namespace account {
namespace {

using testing::catch2::denied_with;

const absl::Time kT = absl::FromUnixSeconds(1'789'000'000);

TEST_CASE("builders: orders and fills with valid defaults and fresh ids", "[testing][builders]") {
  auto clock = std::make_shared<ManualClock>(kT);
  testing::OrderBuilder orders;
  testing::FillBuilder fills(clock);
  const OrderSpec buy = orders.order(AccountId{1});
  const OrderSpec sell = orders.order(AccountId{2}, testing::kTestSymbol, Qty{5'000}, Price{99'00});
  CHECK(buy.order == OrderId{1});
  CHECK(sell.order == OrderId{2});
  CHECK(orders.next_order() == OrderId{3});
  CHECK(buy.symbol == testing::kTestSymbol);
  CHECK(buy.qty == testing::kTestQty);
  CHECK(buy.limit == testing::kTestPrice);
  CHECK_FALSE(buy.expires_at.has_value());

  const Fill fill = fills.fill(buy, sell);
  CHECK(fill.execution == ExecutionId{1});
  CHECK(fill.symbol == buy.symbol);
  CHECK(fill.qty == Qty{5'000});      // The smaller order.
  CHECK(fill.price == Price{99'00});  // The seller's ask.
  CHECK(fill.buyer == FillParty{AccountId{1}, OrderId{1}});
  CHECK(fill.seller == FillParty{AccountId{2}, OrderId{2}});
  CHECK(fill.tick == TickId{1});
  CHECK(fill.time == kT);
  clock->advance(absl::Seconds(5));
  fills.set_tick(TickId{7});
  const Fill next = fills.fill(buy, sell, Qty{1}, Price{100'00});
  CHECK(next.execution == ExecutionId{2});
  CHECK(next.tick == TickId{7});
  CHECK(next.time == kT + absl::Seconds(5));
  CHECK(fills.next_execution() == ExecutionId{3});

  testing::OrderBuilder later(OrderId{100});
  CHECK(later.order(AccountId{1}).order == OrderId{100});
  testing::FillBuilder system_clock;
  CHECK(absl::Now() - system_clock.fill(buy, sell).time < absl::Minutes(1));
}

TEST_CASE("builders: what they build, AccountService accepts", "[testing][builders]") {
  auto clock = std::make_shared<ManualClock>(kT);
  auto service =
      AccountService::open({.store = std::make_shared<MemoryStore>(), .clock = clock}).value();
  const AccountId alice = service->create_account("sub-alice", "Alice").value();
  const AccountId bob = service->create_account("sub-bob", "Bob").value();
  REQUIRE(service->credit(alice, Cents{100'00}, EntryKind::kFantasyCredit, "c").ok());
  REQUIRE(service->issue_shares(bob, testing::kTestSymbol, testing::kTestQty, "i").ok());

  testing::OrderBuilder orders;
  testing::FillBuilder fills(clock);
  const OrderSpec buy = orders.order(alice);
  const OrderSpec sell = orders.order(bob);
  REQUIRE(service->reserve_buy(buy).ok());
  REQUIRE(service->reserve_sell(sell).ok());
  const Fill fill = fills.fill(buy, sell);
  const absl::StatusOr<SettlementReceipt> settled = service->settle(fill);
  REQUIRE(settled.ok());
  CHECK(settled->outcome == SettlementOutcome::kApplied);
  CHECK(service->cash(alice).value() == Cents{0});
  CHECK(service->cash(bob).value() == Cents{100'00});
  CHECK(denied_with(service->settle(fill), Reason::kDuplicateExecution));
  CHECK(service->audit().ok());
}

TEST_CASE("counterparties: one line to a valid fill, until the orders run out",
          "[testing][builders]") {
  auto clock = std::make_shared<ManualClock>(kT);
  auto service =
      AccountService::open({.store = std::make_shared<MemoryStore>(), .clock = clock}).value();
  auto pair = testing::Counterparties::open(*service, {.qty = Qty{300}, .buy_limit = Price{101'00}})
                  .value();
  CHECK(service->account_count() == 2);
  CHECK(service->get_account_id_by_user_id("counterparty-buyer").value() == pair.buyer());
  CHECK(service->get_account_id_by_user_id("counterparty-seller").value() == pair.seller());
  // The buyer holds exactly what the buy order reserved.
  CHECK(service->cash(pair.buyer()).value() == reserve_notional(Qty{300}, Price{101'00}));
  CHECK(service->available_cash(pair.buyer()).value() == Cents{0});
  CHECK(service->reservation_for_order(pair.buy().order).value().active());
  CHECK(service->reservation_for_order(pair.sell().order).value().active());

  const Fill first = pair.fill();
  CHECK(first.execution == ExecutionId{1});
  CHECK(first.qty == Qty{100});
  CHECK(first.price == testing::kTestPrice);  // The sell limit.
  CHECK(first.time == kT);
  CHECK(service->settle(first).value().outcome == SettlementOutcome::kApplied);
  CHECK(service->settle(pair.fill()).ok());
  CHECK(service->settle(pair.fill(Qty{100}, Price{100'50})).ok());
  CHECK(denied_with(service->settle(pair.fill()), Reason::kReservationNotActive));
  CHECK(service->position(pair.buyer(), testing::kTestSymbol).value()->qty == Qty{300});
  CHECK(service->audit().ok());
}

TEST_CASE("counterparties: options, and a setup the ledger refuses", "[testing][builders]") {
  auto service = AccountService::open({.store = std::make_shared<MemoryStore>()}).value();
  auto pair = testing::Counterparties::open(*service, {.name = "wide",
                                                       .symbol = SymbolId{9},
                                                       .qty = Qty{10'000},
                                                       .buy_limit = Price{50'00},
                                                       .sell_limit = Price{40'00},
                                                       .buyer_cash = Cents{1'000'00},
                                                       .buy_order = OrderId{11},
                                                       .sell_order = OrderId{12},
                                                       .first_execution = ExecutionId{500},
                                                       .fill_qty = Qty{5'000}})
                  .value();
  CHECK(pair.buy().order == OrderId{11});
  CHECK(pair.sell().limit == Price{40'00});
  CHECK(service->cash(pair.buyer()).value() == Cents{1'000'00});
  const Fill fill = pair.fill();
  CHECK(fill.execution == ExecutionId{500});
  CHECK(fill.qty == Qty{5'000});
  CHECK(fill.price == Price{40'00});
  CHECK(fill.symbol == SymbolId{9});
  CHECK(service->settle(fill).ok());

  // The same name again: its funding entry exists with another amount.
  CHECK(reason_of(testing::Counterparties::open(*service, {.name = "wide"})) ==
        Reason::kEntryConflict);
  // A buyer without the cash: the buy order is refused.
  CHECK(reason_of(testing::Counterparties::open(*service, {.name = "poor",
                                                           .buyer_cash = Cents{0},
                                                           .buy_order = OrderId{21},
                                                           .sell_order = OrderId{22}})) ==
        Reason::kInsufficientFunds);
}

}  // namespace
}  // namespace account
