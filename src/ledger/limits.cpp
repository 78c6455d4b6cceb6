#include "account/limits.h"

#include <cstdint>
#include <limits>
#include <string_view>

#include "base/strings.h"

namespace account {
namespace {

absl::Status bad(std::string_view field, std::string_view rule) {
  return absl::InvalidArgumentError(internal::cat("LedgerLimits::", field, " ", rule));
}

}  // namespace

absl::Status validate_limits(const LedgerLimits& l) {
  if (l.price_min.cents_per_share() < 1) return bad("price_min", "must be at least 1 cent");
  if (l.price_max < l.price_min) return bad("price_max", "must not be below price_min");
  if (l.order_qty_max.value() < 1) return bad("order_qty_max", "must be at least 1 bp");
  // Notional math takes a fast 64-bit path for every validated order (notional.h).
  if (int64_t product = 0; __builtin_mul_overflow(l.order_qty_max.value(),
                                                  l.price_max.cents_per_share(), &product)) {
    return bad("order_qty_max", "times price_max must fit in int64");
  }
  if (l.position_cap_qty.value() < 1) return bad("position_cap_qty", "must be at least 1 bp");
  if (l.open_notional_cap.value() < 1) return bad("open_notional_cap", "must be at least 1 cent");
  if (l.entry_cash_max.value() < 1) return bad("entry_cash_max", "must be at least 1 cent");
  if (l.entry_qty_max.value() < 1) return bad("entry_qty_max", "must be at least 1 bp");
  if (l.reservation_expiry_default <= absl::ZeroDuration()) {
    return bad("reservation_expiry_default", "must be positive");
  }
  if (l.reservation_expiry_max < l.reservation_expiry_default) {
    return bad("reservation_expiry_max", "must not be below reservation_expiry_default");
  }
  if (l.execution_retention <= absl::ZeroDuration()) {
    return bad("execution_retention", "must be positive");
  }
  if (l.fill_time_ahead_max < absl::ZeroDuration()) {
    return bad("fill_time_ahead_max", "must not be negative");
  }
  if (l.finished_reservation_retention < absl::ZeroDuration()) {
    return bad("finished_reservation_retention", "must not be negative");
  }
  if (l.trades_in_memory_per_account_max < 1) {
    return bad("trades_in_memory_per_account_max", "must be at least 1");
  }
  if (l.group_commit_commands_max < 1) return bad("group_commit_commands_max", "must be at least 1");
  if (l.group_commit_wait < absl::ZeroDuration() || l.group_commit_wait > absl::Milliseconds(10)) {
    return bad("group_commit_wait", "must be between 0 and 10 ms");
  }
  return absl::OkStatus();
}

}  // namespace account
