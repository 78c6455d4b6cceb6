// File: timer.h
//
// Timer: waits until a point in time, and can be cancelled from another
// thread. Jobs that run at wall-clock times (WeeklyScheduler,
// fantasy_schedule.h) wait through it, so tests swap in a timer that moves a
// ManualClock instead of sleeping.
//
//   SystemTimer timer(std::make_shared<SystemClock>());
//   std::thread t([&] { if (timer.wait_until(deadline)) run(); });
//   timer.cancel();   // wakes the wait; it returns false
//
// Thread-safety: wait_until() from one thread at a time; cancel() from any.
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "account/clock.h"

namespace account {

class Timer {
 public:
  virtual ~Timer() = default;

  // Blocks until the timer's clock reads `deadline` or later (true), or
  // until cancel() is called (false). Returns at once when the deadline has
  // passed (true) or the timer was cancelled before (false).
  virtual bool wait_until(absl::Time deadline) = 0;

  // Wakes a wait_until() in progress; it and every later one return false.
  virtual void cancel() = 0;
};

// Waits on a condition variable against `clock`, checking the clock again
// at least every `recheck_period`, so that a clock set forward (NTP, resume
// from suspend) fires a due deadline within that period.
class SystemTimer final : public Timer {
 public:
  explicit SystemTimer(std::shared_ptr<Clock> clock,
                       absl::Duration recheck_period = absl::Minutes(1));
  ~SystemTimer() override;
  SystemTimer(const SystemTimer&) = delete;
  SystemTimer& operator=(const SystemTimer&) = delete;

  bool wait_until(absl::Time deadline) override;
  void cancel() override;

 private:
  // The clock, the cancelled flag, its lock and the condition variable a
  // wait sleeps on (src/ops/timer.cpp).
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
