// File: reservation.h
//
// A reservation holds cash (buy) or shares (sell) for one open order until
// it fills, is cancelled or released, or expires.
//
// Lifecycle: kActive -> kSettled (fully filled) | kExpired | kCancelled
// (by the user) | kReleased (by the engine, e.g. the order was rejected).
// A buy reservation always holds reserve_notional(remaining_qty, limit)
// cents, so it covers every fill of the rest of the order at or below its
// limit; a fill at a better price frees the difference at once.
//
// Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/time/time.h"
#include "account/ids.h"
#include "account/side.h"
#include "account/units.h"

namespace account {

enum class ReservationStatus : uint8_t {
  kActive = 1,
  kSettled = 2,
  kExpired = 3,
  kCancelled = 4,
  kReleased = 5,
};

std::string_view reservation_status_name(ReservationStatus status);

struct Reservation {
  ReservationId id;
  AccountId account;
  OrderId order;
  SymbolId symbol;
  Side side = Side::kBuy;
  Price limit;              // Cents per share: the most a buy pays, the least a sell takes.
  Qty order_qty;            // The order's quantity at admission, in basis points.
  Qty remaining_qty;        // Not yet filled, in basis points.
  Cents reserved_cash;      // Buy: reserve_notional(remaining_qty, limit). Sell: 0.
  absl::Time created_at;
  absl::Time expires_at;    // At most created_at + LedgerLimits::reservation_expiry_max.
  absl::Time updated_at;    // Last change (creation, fill, extension or finish).
  ReservationStatus status = ReservationStatus::kActive;

  bool active() const { return status == ReservationStatus::kActive; }
  // Open order notional at limit, in cents: reserve_notional(remaining_qty, limit) while active.
  Cents open_notional() const;

  friend bool operator==(const Reservation&, const Reservation&) = default;
};

}  // namespace account
