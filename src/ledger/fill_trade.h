// Private to the library: the trade a fill gives each side. The ledger
// records each applied fill as these two trades, and the MemoryStore keeps
// such a trade as a reference to its fill and rebuilds it from this same
// function, so the two cannot drift apart.
//
// Thread-safety: a pure function.
#pragma once

#include "account/fill.h"
#include "account/side.h"
#include "account/trade.h"
#include "account/units.h"

namespace account::internal {

// `side`'s trade of `fill`: the buyer's (kBuy) or the seller's (kSell), for
// `notional` = fill_notional(fill.qty, fill.price) cents, with the seller's
// `realized_pnl` (0 for the buyer).
inline Trade fill_trade(const Fill& fill, Side side, Cents notional, Cents realized_pnl) {
  const FillParty& party = side == Side::kBuy ? fill.buyer : fill.seller;
  return Trade{.execution = fill.execution, .account = party.account, .order = party.order,
               .symbol = fill.symbol, .side = side, .qty = fill.qty, .price = fill.price,
               .notional = notional, .realized_pnl = realized_pnl, .tick = fill.tick,
               .time = fill.time};
}

}  // namespace account::internal
