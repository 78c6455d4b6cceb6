// File: notional.h
//
// Notional arithmetic: quantity (basis points) x price (cents per share).
// Every product is computed in 128-bit, then divided by 10'000 with one of
// two explicit rounding directions:
//
//   fill_notional      floor  what the buyer pays and the seller receives for a
//                             fill. Both legs use this one number, so a trade
//                             moves cash and never creates or destroys it. The
//                             sub-cent remainder (< 1 cent per fill) favours
//                             the buyer.
//   reserve_notional   ceil   the worst case of a buy limit order; it always
//                             covers every fill at or below the limit.
//   qty_for_notional   floor  the largest quantity whose exact cost at `price`
//                             (qty * price / 10'000, unrounded) does not exceed
//                             `budget`: a dollar-amount buy never costs, nor
//                             reserves, more than the amount.
//
//   fill_notional(Qty{1429}, Price{35000})    == Cents{5001}  (5001.5 floored)
//   reserve_notional(Qty{1429}, Price{35000}) == Cents{5002}
//   qty_for_notional(Cents{5000}, Price{35000}) == Qty{1428}   ($49.98)
//
// Failure modes: nullopt when an input is negative (quantity, price or
// budget), the price is zero (qty_for_notional), or the result leaves int64.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

#include "account/internal/int128.h"
#include "account/units.h"

namespace account {

namespace internal {
inline constexpr std::optional<int64_t> narrow_nonnegative(Int128 v) {
  if (v < 0 || v > std::numeric_limits<int64_t>::max()) return std::nullopt;
  return static_cast<int64_t>(v);
}
}  // namespace internal

// floor(qty_bp * price_cents / 10'000), in cents.
constexpr std::optional<Cents> fill_notional(Qty qty, Price price) {
  if (qty.value() < 0 || price.cents_per_share() < 0) return std::nullopt;
  // Every validated order fits in 64 bits (order_qty_max x price_max ~ 1e15); the 128-bit
  // division, a library call, is only for the rest. Both give the same quotient.
  if (int64_t product = 0; !__builtin_mul_overflow(qty.value(), price.cents_per_share(), &product)) {
    return Cents{product / kBpPerShare};
  }
  const internal::Int128 product = static_cast<internal::Int128>(qty.value()) * price.cents_per_share();
  auto out = internal::narrow_nonnegative(product / kBpPerShare);
  if (!out) return std::nullopt;
  return Cents{*out};
}

// ceil(qty_bp * price_cents / 10'000), in cents.
constexpr std::optional<Cents> reserve_notional(Qty qty, Price price) {
  if (qty.value() < 0 || price.cents_per_share() < 0) return std::nullopt;
  if (int64_t product = 0;
      !__builtin_mul_overflow(qty.value(), price.cents_per_share(), &product) &&
      product <= std::numeric_limits<int64_t>::max() - (kBpPerShare - 1)) {
    return Cents{(product + kBpPerShare - 1) / kBpPerShare};
  }
  const internal::Int128 product = static_cast<internal::Int128>(qty.value()) * price.cents_per_share();
  auto out = internal::narrow_nonnegative((product + kBpPerShare - 1) / kBpPerShare);
  if (!out) return std::nullopt;
  return Cents{*out};
}

// Largest qty (basis points) with qty * price <= budget * 10'000, so that both
// fill_notional and reserve_notional of the result are <= budget.
constexpr std::optional<Qty> qty_for_notional(Cents budget, Price price) {
  if (budget.value() < 0 || price.cents_per_share() <= 0) return std::nullopt;
  const internal::Int128 scaled = static_cast<internal::Int128>(budget.value()) * kBpPerShare;
  auto out = internal::narrow_nonnegative(scaled / price.cents_per_share());
  if (!out) return std::nullopt;
  return Qty{*out};
}

}  // namespace account
