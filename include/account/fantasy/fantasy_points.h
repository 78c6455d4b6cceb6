// File: fantasy/fantasy_points.h
//
// FantasyPoints: fantasy-football points as an exact count of hundredths of
// a point. Sleeper reports a season total as two integers (fpts = 1617,
// fpts_decimal = 78 for 1617.78 points) and a week's score as a decimal
// number (141.3); both land here without ever truncating a hundredth.
//
//   FantasyPoints season = FantasyPoints::from_sleeper(1617, 78).value();  // 161'778
//   FantasyPoints week = FantasyPoints::from_points(141.3).value();        // 14'130
//   std::string text = (season + week).to_string();                        // "1759.08"
//
// The operators are unchecked: every value built through from_sleeper() or
// from_points() is within +-kFantasyHundredthsMax, so sums of a season's
// worth of them cannot overflow; checked_add() serves other callers.
//
// Thread-safety: plain value.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"

namespace account {

// Hundredths in one fantasy point.
inline constexpr int64_t kHundredthsPerPoint = 100;

// Largest magnitude accepted from Sleeper, in hundredths (one billion points).
// A real season totals a few thousand points; the bound only keeps garbage
// out and leaves room to multiply by a conversion rate in 64 bits.
inline constexpr int64_t kFantasyHundredthsMax = 100'000'000'000;

class FantasyPoints {
 public:
  constexpr FantasyPoints() = default;
  constexpr explicit FantasyPoints(int64_t hundredths) : hundredths_(hundredths) {}

  // Sleeper's split season total: `fpts` whole points plus `fpts_decimal`
  // hundredths (-99..99, same sign as the total). Exact.
  // Fails with InvalidArgument when fpts_decimal is outside -99..99 or the
  // total is beyond +-kFantasyHundredthsMax.
  static absl::StatusOr<FantasyPoints> from_sleeper(int64_t fpts, int64_t fpts_decimal);

  // A decimal number of points, rounded to the nearest hundredth, halves away
  // from zero (141.3 -> 14'130; 0.125 -> 13). A double holds any two-decimal
  // score below 10^13 closely enough that this recovers the exact value.
  // Fails with InvalidArgument for NaN, infinities and magnitudes beyond
  // kFantasyHundredthsMax.
  static absl::StatusOr<FantasyPoints> from_points(double points);

  constexpr int64_t hundredths() const { return hundredths_; }

  // "1617.78", "-3.05", "0.00".
  std::string to_string() const;

  friend constexpr auto operator<=>(FantasyPoints, FantasyPoints) = default;
  friend constexpr FantasyPoints operator+(FantasyPoints a, FantasyPoints b) {
    return FantasyPoints{a.hundredths_ + b.hundredths_};
  }
  friend constexpr FantasyPoints operator-(FantasyPoints a, FantasyPoints b) {
    return FantasyPoints{a.hundredths_ - b.hundredths_};
  }
  constexpr FantasyPoints& operator+=(FantasyPoints o) {
    hundredths_ += o.hundredths_;
    return *this;
  }
  friend std::ostream& operator<<(std::ostream& os, FantasyPoints p) {
    return os << p.to_string();
  }

 private:
  int64_t hundredths_ = 0;
};

// a + b, or nullopt when the sum leaves int64.
constexpr std::optional<FantasyPoints> checked_add(FantasyPoints a, FantasyPoints b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a.hundredths(), b.hundredths(), &out)) return std::nullopt;
  return FantasyPoints{out};
}

}  // namespace account
