// File: clock.h
//
// Wall-clock source, injectable so that expiry, scheduling and simulation
// run on simulated time in tests.
//
//   account::ManualClock clock(absl::FromUnixSeconds(1'790'000'000));
//   clock.advance(absl::Hours(24 * 7));
//
// Thread-safety: all implementations here are safe to call from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace account {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time now() const = 0;
};

// The system clock (absl::Now()).
class SystemClock final : public Clock {
 public:
  absl::Time now() const override { return absl::Now(); }
};

// A clock that moves only when told to. Resolution: 1 ns.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start) : unix_ns_(absl::ToUnixNanos(start)) {}
  absl::Time now() const override {
    return absl::FromUnixNanos(unix_ns_.load(std::memory_order_acquire));
  }
  void set(absl::Time t) { unix_ns_.store(absl::ToUnixNanos(t), std::memory_order_release); }
  void advance(absl::Duration d) {
    unix_ns_.fetch_add(absl::ToInt64Nanoseconds(d), std::memory_order_acq_rel);
  }

 private:
  // Release/acquire so a reader on another thread sees everything written
  // before the clock moved.
  std::atomic<int64_t> unix_ns_;
};

}  // namespace account
