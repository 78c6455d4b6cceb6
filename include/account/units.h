// File: units.h
//
// Money and quantity units. Money is never floating point.
//
//   Cents   signed 64-bit cents ($1.00 == Cents{100}).
//   Qty     signed 64-bit basis points of a share (1 share == Qty{10'000}).
//   Price   cents per whole share ($350.00 == Price{35'000}).
//
// Cents and Qty add and subtract with their own kind only; Price has no
// arithmetic. Products (notional) live in notional.h and are computed in
// 128-bit. The operators here are unchecked: the ledger range-checks every
// input (see limits.h) so sums of validated values cannot overflow, and the
// checked_* helpers serve the places where that is not already proven.
//
// Thread-safety: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>

namespace account {

template <typename Tag>
class Amount {
 public:
  constexpr Amount() = default;
  constexpr explicit Amount(int64_t value) : value_(value) {}

  constexpr int64_t value() const { return value_; }

  friend constexpr auto operator<=>(Amount, Amount) = default;
  friend constexpr Amount operator+(Amount a, Amount b) { return Amount{a.value_ + b.value_}; }
  friend constexpr Amount operator-(Amount a, Amount b) { return Amount{a.value_ - b.value_}; }
  constexpr Amount operator-() const { return Amount{-value_}; }
  constexpr Amount& operator+=(Amount o) { value_ += o.value_; return *this; }
  constexpr Amount& operator-=(Amount o) { value_ -= o.value_; return *this; }

  friend std::ostream& operator<<(std::ostream& os, Amount a) { return os << a.value_; }

 private:
  int64_t value_ = 0;
};

using Cents = Amount<struct CentsTag>;
using Qty = Amount<struct QtyTag>;

class Price {
 public:
  constexpr Price() = default;
  constexpr explicit Price(int64_t cents_per_share) : cents_per_share_(cents_per_share) {}
  constexpr int64_t cents_per_share() const { return cents_per_share_; }
  friend constexpr auto operator<=>(Price, Price) = default;
  friend std::ostream& operator<<(std::ostream& os, Price p) { return os << p.cents_per_share_; }

 private:
  int64_t cents_per_share_ = 0;
};

// Basis points in one whole share.
inline constexpr int64_t kBpPerShare = 10'000;

// a + b, or nullopt when the sum leaves int64.
template <typename Tag>
constexpr std::optional<Amount<Tag>> checked_add(Amount<Tag> a, Amount<Tag> b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a.value(), b.value(), &out)) return std::nullopt;
  return Amount<Tag>{out};
}

// a - b, or nullopt when the difference leaves int64.
template <typename Tag>
constexpr std::optional<Amount<Tag>> checked_sub(Amount<Tag> a, Amount<Tag> b) {
  int64_t out = 0;
  if (__builtin_sub_overflow(a.value(), b.value(), &out)) return std::nullopt;
  return Amount<Tag>{out};
}

}  // namespace account
