// Private to account::sleeper: a client-side rate limit shared by every
// call of one client, so that a burst of accounts cannot exceed what
// Sleeper allows one IP.
#pragma once

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "account/clock.h"
#include "account/internal/mutex.h"

namespace account::internal::sleeper {

// A token bucket of `burst` tokens refilled at `per_minute` tokens a minute,
// kept as the generic cell rate algorithm (GCRA): one timestamp, the time
// the bucket would next be empty, instead of a token count and a refill
// time. Callers never wait in line under the lock: each reserves its slot
// and then sleeps outside it.
class RateLimiter {
 public:
  // per_minute >= 1 and burst >= 1 (checked by the client's options).
  RateLimiter(const Clock* clock, std::function<void(absl::Duration)> sleep, int per_minute,
              int burst);

  // Takes a token, sleeping first until one is available.
  void acquire();

 private:
  const Clock* clock_;
  std::function<void(absl::Duration)> sleep_;
  absl::Duration interval_;   // One token's worth of time.
  absl::Duration tolerance_;  // (burst - 1) tokens' worth: how far ahead calls may run.
  internal::Mutex mu_;
  absl::Time next_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();  // Theoretical arrival time.
};

}  // namespace account::internal::sleeper
