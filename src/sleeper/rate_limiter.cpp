#include "rate_limiter.h"

#include <algorithm>
#include <utility>

namespace account::internal::sleeper {

RateLimiter::RateLimiter(const Clock* clock, std::function<void(absl::Duration)> sleep,
                         int per_minute, int burst)
    : clock_(clock),
      sleep_(std::move(sleep)),
      interval_(absl::Minutes(1) / std::max(per_minute, 1)),
      tolerance_(interval_ * (std::max(burst, 1) - 1)) {}

void RateLimiter::acquire() {
  const absl::Time now = clock_->now();
  absl::Time allowed_at;
  {
    internal::MutexLock lock(&mu_);
    const absl::Time arrival = std::max(next_, now);
    allowed_at = arrival - tolerance_;
    next_ = arrival + interval_;
  }
  if (allowed_at > now) sleep_(allowed_at - now);
}

}  // namespace account::internal::sleeper
