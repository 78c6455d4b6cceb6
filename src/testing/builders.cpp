// OrderBuilder and FillBuilder (testing/builders.h).
#include "account/testing/builders.h"

#include <algorithm>
#include <utility>

namespace account::testing {

OrderBuilder::OrderBuilder(OrderId first_order) : next_(first_order.value()) {}

OrderSpec OrderBuilder::order(AccountId account, SymbolId symbol, Qty qty, Price limit) {
  return OrderSpec{
      .account = account, .order = OrderId{next_++}, .symbol = symbol, .qty = qty, .limit = limit};
}

FillBuilder::FillBuilder(std::shared_ptr<const Clock> clock, ExecutionId first_execution,
                         TickId tick)
    : clock_(clock ? std::move(clock) : std::make_shared<const SystemClock>()),
      next_(first_execution.value()),
      tick_(tick) {}

Fill FillBuilder::fill(const OrderSpec& buy, const OrderSpec& sell) {
  return fill(buy, sell, std::min(buy.qty, sell.qty), sell.limit);
}

Fill FillBuilder::fill(const OrderSpec& buy, const OrderSpec& sell, Qty qty, Price price) {
  return Fill{.execution = ExecutionId{next_++},
              .symbol = buy.symbol,
              .qty = qty,
              .price = price,
              .buyer = {buy.account, buy.order},
              .seller = {sell.account, sell.order},
              .tick = tick_,
              .time = clock_->now()};
}

}  // namespace account::testing
