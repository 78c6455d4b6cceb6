// File: order_spec.h
//
// What the order gateway asks the ledger to reserve for one limit order.
//
//   OrderSpec spec{.account = AccountId{1}, .order = OrderId{77}, .symbol = SymbolId{4},
//                  .qty = Qty{1'429}, .limit = Price{35'000}};
//   absl::StatusOr<ReservationId> id = service.reserve_buy(spec);  // holds 5002 cents
//
// Thread-safety: plain value.
#pragma once

#include <optional>

#include "absl/time/time.h"
#include "account/ids.h"
#include "account/units.h"

namespace account {

struct OrderSpec {
  AccountId account;
  OrderId order;       // Unique exchange-wide; one reservation per order.
  SymbolId symbol;
  Qty qty;             // In basis points, 1..LedgerLimits::order_qty_max.
  Price limit;         // Cents per share, within [price_min, price_max].
  // When the reservation expires; default now + reservation_expiry_default.
  // Must be after now and at most now + reservation_expiry_max.
  std::optional<absl::Time> expires_at;
};

}  // namespace account
