#include "account/fantasy/fantasy_points.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "base/strings.h"

namespace account {

absl::StatusOr<FantasyPoints> FantasyPoints::from_sleeper(int64_t fpts, int64_t fpts_decimal) {
  if (fpts_decimal < -99 || fpts_decimal > 99) {
    return absl::InvalidArgumentError(
        internal::cat("fpts_decimal ", fpts_decimal, " is outside -99..99"));
  }
  constexpr int64_t kWholePointsMax = kFantasyHundredthsMax / kHundredthsPerPoint;
  if (fpts < -kWholePointsMax || fpts > kWholePointsMax) {
    return absl::InvalidArgumentError(
        internal::cat("fpts ", fpts, " is beyond +-", kWholePointsMax, " points"));
  }
  // |fpts| <= 10^9 and |fpts_decimal| <= 99: no overflow. The bound is
  // checked again on the sum, which may step just past it.
  const int64_t hundredths = fpts * kHundredthsPerPoint + fpts_decimal;
  if (hundredths < -kFantasyHundredthsMax || hundredths > kFantasyHundredthsMax) {
    return absl::InvalidArgumentError(
        internal::cat("season points ", hundredths, " hundredths are out of range"));
  }
  return FantasyPoints{hundredths};
}

absl::StatusOr<FantasyPoints> FantasyPoints::from_points(double points) {
  if (!std::isfinite(points)) {
    return absl::InvalidArgumentError("points are not a finite number");
  }
  // std::round rounds halves away from zero. The product is compared before
  // converting, so the conversion is always defined.
  const double hundredths = std::round(points * static_cast<double>(kHundredthsPerPoint));
  if (std::fabs(hundredths) > static_cast<double>(kFantasyHundredthsMax)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%.2f points are beyond +-%d", points,
                        kFantasyHundredthsMax / kHundredthsPerPoint));
  }
  return FantasyPoints{static_cast<int64_t>(hundredths)};
}

std::string FantasyPoints::to_string() const {
  // Split on the absolute value so "-3.05" keeps its leading zero and sign
  // even when the whole part is 0 ("-0.50").
  const bool negative = hundredths_ < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(hundredths_)
                                      : static_cast<uint64_t>(hundredths_);
  return absl::StrFormat("%s%d.%02d", negative ? "-" : "", magnitude / 100, magnitude % 100);
}

}  // namespace account
