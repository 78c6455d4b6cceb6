#include "account/timer.h"

#include <algorithm>
#include <utility>

namespace account {

SystemTimer::SystemTimer(std::shared_ptr<Clock> clock, absl::Duration recheck_period)
    : clock_(std::move(clock)),
      recheck_period_(recheck_period > absl::ZeroDuration() ? recheck_period : absl::Minutes(1)) {}

bool SystemTimer::wait_until(absl::Time deadline) {
  internal::MutexLock lock(&mu_);
  while (!cancelled_) {
    const absl::Duration left = deadline - clock_->now();
    if (left <= absl::ZeroDuration()) return true;
    // Wake up at least every recheck_period_ to read the clock again: the
    // condition variable measures a steady clock, the deadline is wall time.
    const absl::Duration step = std::min(left, recheck_period_);
    cancelled_cv_.wait_for(&mu_, absl::ToInt64Nanoseconds(step));
  }
  return false;
}

void SystemTimer::cancel() {
  {
    internal::MutexLock lock(&mu_);
    cancelled_ = true;
  }
  cancelled_cv_.signal_all();
}

}  // namespace account
