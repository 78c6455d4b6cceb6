// Private to the HTTP clients (account::sleeper, account::auth): how long to
// wait before retrying a call.
//
// The ceiling doubles from `initial` with each attempt up to `max`; half of it
// is waited for sure and the other half at random ("equal jitter"), so that
// callers failing together spread out but none retries at once.
//
// Thread-safety: delay() may be called from any thread (the generator has a
// mutex of its own).
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "absl/time/time.h"
#include "base/mutex.h"

namespace account::internal {

class JitteredBackoff {
 public:
  // `seed` 0 draws one from std::random_device.
  JitteredBackoff(absl::Duration initial, absl::Duration max, uint64_t seed)
      : initial_(initial), max_(max), rng_(seed != 0 ? seed : std::random_device{}()) {}

  // The wait before retry number `attempt` (1 for the first retry):
  // min(max, initial * 2^(attempt - 1)) / 2, plus up to as much again.
  absl::Duration delay(int attempt) {
    absl::Duration ceiling = initial_;
    for (int i = 1; i < attempt && ceiling < max_; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, max_);
    const absl::Duration half = ceiling / 2;
    int64_t jitter_ns = 0;
    {
      MutexLock lock(&mu_);
      jitter_ns = std::uniform_int_distribution<int64_t>(0, absl::ToInt64Nanoseconds(half))(rng_);
    }
    return half + absl::Nanoseconds(jitter_ns);
  }

 private:
  const absl::Duration initial_;
  const absl::Duration max_;
  Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace account::internal
