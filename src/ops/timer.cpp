#include "account/timer.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "base/mutex.h"

namespace account {

class SystemTimer::Impl {
 public:
  Impl(std::shared_ptr<Clock> clock, absl::Duration recheck_period)
      : clock_(std::move(clock)),
        recheck_period_(recheck_period > absl::ZeroDuration() ? recheck_period
                                                              : absl::Minutes(1)) {}

  bool wait_until(absl::Time deadline) {
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

  void cancel() {
    {
      internal::MutexLock lock(&mu_);
      cancelled_ = true;
    }
    cancelled_cv_.signal_all();
  }

 private:
  const std::shared_ptr<Clock> clock_;
  const absl::Duration recheck_period_;
  internal::Mutex mu_;
  internal::CondVar cancelled_cv_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

SystemTimer::SystemTimer(std::shared_ptr<Clock> clock, absl::Duration recheck_period)
    : impl_(std::make_unique<Impl>(std::move(clock), recheck_period)) {}

SystemTimer::~SystemTimer() = default;

bool SystemTimer::wait_until(absl::Time deadline) { return impl_->wait_until(deadline); }

void SystemTimer::cancel() { impl_->cancel(); }

}  // namespace account
