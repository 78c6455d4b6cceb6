#include "http/gcra.h"

#include <algorithm>
#include <utility>

#include "base/strings.h"

namespace account::internal::http {

absl::StatusOr<Gcra> Gcra::create(GcraRate rate) {
  if (rate.burst < 1 || rate.burst > kGcraRateMax || rate.per_minute < 1 ||
      rate.per_minute > kGcraRateMax) {
    return absl::InvalidArgumentError(internal::cat("burst and per_minute must be 1..",
                                                    kGcraRateMax, ", got ", rate.burst, " and ",
                                                    rate.per_minute));
  }
  return Gcra(rate);
}

Gcra::Gcra(GcraRate rate)
    : rate_(rate),
      interval_(absl::Minutes(1) / rate.per_minute),
      tolerance_(interval_ * (rate.burst - 1)) {}

absl::Duration Gcra::admit(absl::Time* tat, absl::Time now) const {
  const absl::Time arrival = std::max(*tat, now);
  const absl::Time conforms_at = arrival - tolerance_;
  if (conforms_at > now) return conforms_at - now;
  *tat = arrival + interval_;
  return absl::ZeroDuration();
}

absl::Duration Gcra::reserve(absl::Time* tat, absl::Time now) const {
  const absl::Time arrival = std::max(*tat, now);
  *tat = arrival + interval_;
  return std::max(absl::ZeroDuration(), arrival - tolerance_ - now);
}

absl::Time MonotonicTime::operator()(absl::Time clock_now) {
  absl::Time t = clock_now + offset_;
  if (t < last_) {
    offset_ += last_ - t;
    t = last_;
  }
  last_ = t;
  return t;
}

Pacer::Pacer(Gcra gcra, const Clock* clock, std::function<void(absl::Duration)> sleep)
    : gcra_(gcra), clock_(clock), sleep_(std::move(sleep)) {}

void Pacer::acquire() {
  absl::Duration wait;
  {
    // The clock is read under the lock: two callers reading it outside could take their slots
    // in the other order, and the second would look like a step back.
    internal::MutexLock lock(&mu_);
    wait = gcra_.reserve(&tat_, time_(clock_->now()));
  }
  if (wait > absl::ZeroDuration()) sleep_(wait);
}

}  // namespace account::internal::http
