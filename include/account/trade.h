// File: trade.h
//
// One side of a settled fill, as recorded in an account's trade history.
// Every applied fill yields exactly two: a kBuy for the buyer and a kSell
// for the seller, with the same execution id and notional.
//
// Thread-safety: plain value.
#pragma once

#include "absl/time/time.h"
#include "account/ids.h"
#include "account/side.h"
#include "account/units.h"

namespace account {

struct Trade {
  ExecutionId execution;
  AccountId account;
  OrderId order;
  SymbolId symbol;
  Side side = Side::kBuy;
  Qty qty;               // In basis points.
  Price price;           // Cents per share.
  Cents notional;        // fill_notional(qty, price): paid by the buyer, received by the seller.
  Cents realized_pnl;    // Sells only: notional minus the cost basis removed; 0 for buys.
  TickId tick;
  absl::Time time;

  friend bool operator==(const Trade&, const Trade&) = default;
};

}  // namespace account
