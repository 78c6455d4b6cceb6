// Private to the libraries that call out or answer over HTTP (account::sleeper, account::auth):
// the one rate limit they share, the generic cell rate algorithm (GCRA).
//
// A limit is a token bucket of `burst` tokens refilled at `per_minute` tokens a minute. GCRA keeps
// a bucket as one timestamp instead of a token count and a refill time: its theoretical arrival
// time (TAT), the time at which the bucket would be full again if nothing more were taken.
//
//   T   = 1 min / per_minute      the emission interval: one token's worth of time
//   tau = (burst - 1) * T         the tolerance: how far ahead of the steady rate calls may run
//
// A call at `now` conforms when now >= TAT - tau; taking a token moves TAT to max(TAT, now) + T.
// A bucket whose TAT is at or before `now` is full, carries no information and can be forgotten.
//
// Units: times are absl::Time and durations absl::Duration (a quarter-nanosecond resolution, a
// range of +-2^63 seconds). With burst and per_minute at most kGcraRateMax, T is 60 us to 60 s
// and tau under two years, so no sum this code forms comes near the range; absl saturates at the
// infinities rather than wrapping, and a fresh bucket's TAT is absl::InfinitePast().
//
// Two ways to use it:
//   Gcra::admit()    takes a token only when one is there; a refusal takes none (auth: a
//                    request over its limit is answered 429 with the wait).
//   Pacer            one bucket shared by every call of a client; each caller reserves the next
//                    slot and sleeps until it outside the lock (Sleeper: calls wait their turn).
//
//   Gcra gcra = Gcra::create({.burst = 10, .per_minute = 500}).value();
//   absl::Time tat = absl::InfinitePast();
//   if (gcra.admit(&tat, now) > absl::ZeroDuration()) { /* refused: that long to wait */ }
//
// A clock that steps back (a wall clock set by NTP) must not lock callers out for the size of
// the step: MonotonicTime turns such a clock into one that never goes back and keeps advancing
// at the clock's pace after the step. The Pacer uses one; a table of buckets keeps one for all.
//
// Thread-safety: Gcra and MonotonicTime are values, guarded by their owner; Pacer is safe to
// call from any thread.
#pragma once

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/clock.h"
#include "base/mutex.h"

namespace account::internal::http {

// Bounds of GcraRate's fields: a million requests at once, or a million a minute (one every
// 60 us), is beyond anything we limit, and keeps T * burst far inside absl::Duration.
inline constexpr int kGcraRateMax = 1'000'000;

struct GcraRate {
  int burst = 1;       // Tokens the bucket holds: calls that may go at once.
  int per_minute = 1;  // Tokens added a minute: the steady rate.
};

class Gcra {
 public:
  // InvalidArgument when burst or per_minute is outside 1..kGcraRateMax.
  static absl::StatusOr<Gcra> create(GcraRate rate);

  const GcraRate& rate() const { return rate_; }
  absl::Duration interval() const { return interval_; }    // T.
  absl::Duration tolerance() const { return tolerance_; }  // tau.

  // Takes a token from the bucket whose TAT is `*tat`, if it holds one at `now`: then returns
  // zero and advances `*tat`. Otherwise returns how long until a token is there, and leaves
  // `*tat` as it was: a refused call takes nothing.
  absl::Duration admit(absl::Time* tat, absl::Time now) const;

  // Takes the next token whether or not it is there yet: advances `*tat`, and returns how long
  // the caller must wait before using it (zero when at once).
  absl::Duration reserve(absl::Time* tat, absl::Time now) const;

  // Whether a bucket with this TAT is full at `now`, and so can be forgotten.
  static bool full(absl::Time tat, absl::Time now) { return tat <= now; }

 private:
  explicit Gcra(GcraRate rate);

  GcraRate rate_;
  absl::Duration interval_;
  absl::Duration tolerance_;
};

// A clock reading that never goes back: when the clock steps back, the time read stays where it
// was and from then on advances with the clock, by an offset that absorbs every backward step.
// Steps forward pass through (buckets refill early, which lets callers in, never out).
class MonotonicTime {
 public:
  absl::Time operator()(absl::Time clock_now);

 private:
  absl::Duration offset_;                   // The sum of the backward steps seen.
  absl::Time last_ = absl::InfinitePast();  // The last time returned.
};

// One bucket that every call of a client goes through, waiting its turn: a caller reserves the
// next slot under the lock and sleeps until it outside the lock, so callers leave in the order
// they came and none holds the lock while it waits.
class Pacer {
 public:
  // `clock` must outlive the Pacer; `sleep` waits a duration (absl::SleepFor, or a test's).
  Pacer(Gcra gcra, const Clock* clock, std::function<void(absl::Duration)> sleep);

  // Takes a token, sleeping first until it is due.
  void acquire();

 private:
  const Gcra gcra_;
  const Clock* clock_;
  std::function<void(absl::Duration)> sleep_;
  internal::Mutex mu_;
  absl::Time tat_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  MonotonicTime time_ ABSL_GUARDED_BY(mu_);
};

}  // namespace account::internal::http
