// Small functions of the plain domain types.
#include "account/external_entry.h"
#include "account/notional.h"
#include "account/position.h"
#include "account/reservation.h"

namespace account {

Price Position::avg_cost() const {
  if (qty.value() <= 0) return Price{0};
  // cost_basis * 10'000 / qty, rounded half up, in 128-bit.
  const internal::Int128 scaled = static_cast<internal::Int128>(cost_basis.value()) * kBpPerShare;
  return Price{static_cast<int64_t>((2 * scaled + qty.value()) / (2 * qty.value()))};
}

Cents Reservation::open_notional() const {
  if (!active()) return Cents{0};
  return reserve_notional(remaining_qty, limit).value_or(Cents{0});
}

std::string_view reservation_status_name(ReservationStatus status) {
  switch (status) {
    case ReservationStatus::kActive: return "active";
    case ReservationStatus::kSettled: return "settled";
    case ReservationStatus::kExpired: return "expired";
    case ReservationStatus::kCancelled: return "cancelled";
    case ReservationStatus::kReleased: return "released";
  }
  return "unknown";
}

std::string_view entry_kind_name(EntryKind kind) {
  switch (kind) {
    case EntryKind::kFantasyCredit: return "fantasy_credit";
    case EntryKind::kWinBonus: return "win_bonus";
    case EntryKind::kAdjustment: return "adjustment";
    case EntryKind::kShareIssue: return "share_issue";
  }
  return "unknown";
}

}  // namespace account
