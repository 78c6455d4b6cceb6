// File: settlement_receipt.h
//
// What applying one fill did, for the caller's books and logs. For a queued
// fill only `outcome` and `execution` are set.
//
// Thread-safety: plain value.
#pragma once

#include <cstdint>

#include "account/ids.h"
#include "account/units.h"

namespace account {

// kApplied: durable and applied; the caller may forget the fill.
// kQueued: the store is unavailable; the fill is held in memory, in order,
// and applied when the store is back (NotificationSink::on_queued_fill_done
// reports the outcome). Not yet durable: the caller keeps the fill until
// then, and delivers it again after a crash (it will be deduped).
enum class SettlementOutcome : uint8_t { kApplied = 1, kQueued = 2 };

struct SettlementReceipt {
  SettlementOutcome outcome = SettlementOutcome::kApplied;
  ExecutionId execution;
  Cents notional;            // Paid by the buyer, received by the seller.
  Cents buyer_cash_freed;    // Reservation cash released beyond the notional (price improvement).
  Cents seller_realized_pnl; // Proceeds minus the cost basis of the shares sold.
  bool buyer_order_done = false;   // The buy order is fully filled.
  bool seller_order_done = false;  // The sell order is fully filled.
};

}  // namespace account
