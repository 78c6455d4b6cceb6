// File: testing/builders.h
//
// Builders of orders and fills with valid defaults, so that a test says only what matters to
// it. Each hands out fresh ids (orders 1, 2, 3..., executions 1, 2, 3...), and a fill between
// two orders takes its symbol, sides and price from them:
//
//   account::testing::OrderBuilder orders;
//   account::testing::FillBuilder fills(clock);       // stamps fills with the ledger's clock
//   const OrderSpec buy = orders.order(alice);        // 1 share of kTestSymbol at $100.00
//   const OrderSpec sell = orders.order(bob);
//   service->reserve_buy(buy);
//   service->reserve_sell(sell);
//   service->settle(fills.fill(buy, sell));           // kApplied: 1 share at $100.00
//
// A builder builds what it is asked for and checks nothing, so a test of a refusal builds its
// invalid fill the same way (a price outside a limit, a quantity above the order's). For two
// accounts that can trade already, funded and with orders reserved, see counterparties.h.
//
// Thread-safety: builders are values; use one from one thread at a time (or give each thread a
// builder of its own, with its own first id).
#pragma once

#include <cstdint>
#include <memory>

#include "account/clock.h"
#include "account/fill.h"
#include "account/ids.h"
#include "account/order_spec.h"
#include "account/units.h"

namespace account::testing {

// The defaults: a symbol, one whole share, $100.00 a share. Within every default LedgerLimits
// bound (price range, order size, position and open-notional caps).
inline constexpr SymbolId kTestSymbol{1};
inline constexpr Qty kTestQty{kBpPerShare};
inline constexpr Price kTestPrice{100'00};

class OrderBuilder {
 public:
  explicit OrderBuilder(OrderId first_order = OrderId{1});

  // An order of `account` with the next order id: `qty` of `symbol` at `limit`, no explicit
  // expiry (the ledger's default). The side is the call it is given to (reserve_buy or
  // reserve_sell).
  OrderSpec order(AccountId account, SymbolId symbol = kTestSymbol, Qty qty = kTestQty,
                  Price limit = kTestPrice);

  // The id the next order gets.
  OrderId next_order() const { return OrderId{next_}; }

 private:
  uint64_t next_;
};

class FillBuilder {
 public:
  // `clock` stamps each fill's time: give it the ledger's clock, since the ledger refuses a
  // fill stamped more than LedgerLimits::fill_time_ahead_max ahead of its own. Null: the
  // system clock.
  explicit FillBuilder(std::shared_ptr<const Clock> clock = nullptr,
                       ExecutionId first_execution = ExecutionId{1}, TickId tick = TickId{1});

  // A fill between `buy` and `sell` with the next execution id: the buy order's symbol, the
  // smaller of the two orders' quantities, at the sell order's limit (the seller's ask, which
  // a crossing buy accepts), stamped with the tick and the clock's now.
  Fill fill(const OrderSpec& buy, const OrderSpec& sell);
  // The same, of `qty` at `price`.
  Fill fill(const OrderSpec& buy, const OrderSpec& sell, Qty qty, Price price);

  // The tick later fills carry.
  void set_tick(TickId tick) { tick_ = tick; }
  // The id the next fill gets.
  ExecutionId next_execution() const { return ExecutionId{next_}; }

 private:
  std::shared_ptr<const Clock> clock_;
  uint64_t next_;
  TickId tick_;
};

}  // namespace account::testing
