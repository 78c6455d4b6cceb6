// File: settlement_receipt.h
//
// What applying one fill did, for the caller's books and logs.
//
// Thread-safety: plain value.
#pragma once

#include "account/ids.h"
#include "account/units.h"

namespace account {

struct SettlementReceipt {
  ExecutionId execution;
  Cents notional;            // Paid by the buyer, received by the seller.
  Cents buyer_cash_freed;    // Reservation cash released beyond the notional (price improvement).
  Cents seller_realized_pnl; // Proceeds minus the cost basis of the shares sold.
  bool buyer_order_done = false;   // The buy order is fully filled.
  bool seller_order_done = false;  // The sell order is fully filled.
};

}  // namespace account
