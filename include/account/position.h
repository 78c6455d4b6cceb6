// File: position.h
//
// Holdings of one symbol by one account.
//
// Cost accounting keeps the exact cost basis in cents, not a rounded average:
//   buy  q at notional n:  qty += q, cost_basis += n
//   sell q at notional n:  removed = floor(cost_basis * q / qty)   (all of it when q == qty)
//                          realized_pnl += n - removed, cost_basis -= removed, qty -= q
// so the cost basis of a closed position is exactly zero and realized P&L over
// a round trip is exactly proceeds minus cost. avg_cost() is derived from it.
//
// Thread-safety: plain value.
#pragma once

#include "account/ids.h"
#include "account/units.h"

namespace account {

struct Position {
  AccountId account;
  SymbolId symbol;
  Qty qty;               // Shares held, in basis points.
  Cents cost_basis;      // What the shares held cost, in cents.
  Cents realized_pnl;    // Sum over sells of proceeds minus cost removed, in cents.
  Qty sell_reserved_qty; // Held by active sell reservations, in basis points.
  Qty buy_pending_qty;   // Unfilled quantity of active buy orders, in basis points.

  // Whether it holds a figure a store keeps: shares, cost basis or realized P&L. The reserved
  // and pending quantities are derived from the active reservations, never stored, so a
  // position without a stored figure is as good as absent to a store.
  bool has_stored_figures() const {
    return qty != Qty{0} || cost_basis != Cents{0} || realized_pnl != Cents{0};
  }
  // Whether it holds nothing at all: no stored figure and no open order's quantity.
  bool empty() const {
    return !has_stored_figures() && sell_reserved_qty == Qty{0} && buy_pending_qty == Qty{0};
  }

  // Shares a new sell order may use: qty - sell_reserved_qty, in basis points.
  Qty available_qty() const { return qty - sell_reserved_qty; }

  // Average cost in cents per share, rounded half up; 0 for an empty position.
  Price avg_cost() const;

  friend bool operator==(const Position&, const Position&) = default;
};

}  // namespace account
