// File: fantasy/fantasy_schedule.h
//
// When the fantasy jobs run (the fantasy update, then the reservation
// clean-up): Sunday, Monday and Thursday at 21:00 in America/Los_Angeles,
// after each block of NFL games. Times are computed in the zone's civil time
// with Abseil's time-zone rules, so 21:00 stays 21:00 local across the
// daylight-saving changes (04:00 UTC in summer, 05:00 UTC in winter).
//
//   WeeklyRunTimes times = fantasy_run_times().value();
//   absl::Time next = next_run_time(times, absl::Now());
//
//   WeeklyScheduler scheduler({.times = times, .job = [&](absl::Time) { update_all(); }});
//   scheduler.start();   // runs the job at every run time until stop()
//
// Thread-safety: next_run_time() is a pure function. WeeklyScheduler's
// methods may be called from any thread; the job runs on the scheduler's
// own thread (or on the caller's, through run_next()), one run at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "account/clock.h"
#include "account/timer.h"

namespace account {

// Some days of the week at one local time of day in one zone.
struct WeeklyRunTimes {
  std::vector<absl::Weekday> days;
  int hour = 0;    // 0..23, local.
  int minute = 0;  // 0..59, local.
  absl::TimeZone zone;
};

// Sunday, Monday and Thursday at 21:00 America/Los_Angeles.
// Fails with NotFound when the system's time-zone data (tzdata) lacks the
// zone.
absl::StatusOr<WeeklyRunTimes> fantasy_run_times();

// The first run time strictly after `after`; absl::InfiniteFuture() when
// `times.days` is empty or the hour or minute is out of range. A local time
// that a daylight-saving change skips runs at the moment the gap ends; one
// it repeats runs at its first occurrence.
absl::Time next_run_time(const WeeklyRunTimes& times, absl::Time after);

struct WeeklySchedulerOptions {
  WeeklyRunTimes times;
  // Called at each run time with that run time (not the clock's reading,
  // which is a little later). Handles its own errors.
  std::function<void(absl::Time scheduled)> job;
  std::shared_ptr<Clock> clock;  // Default: SystemClock.
  std::shared_ptr<Timer> timer;  // Default: a SystemTimer on `clock`.
};

// Runs a job at each of a WeeklyRunTimes' times. A run is never repeated to
// catch up: when a job overruns the next run time, or the process was down
// at one, that run is skipped and the schedule continues from the clock's
// reading (the fantasy update computes totals, so the next run catches up).
class WeeklyScheduler {
 public:
  explicit WeeklyScheduler(WeeklySchedulerOptions options);
  // Stops the thread, if started.
  ~WeeklyScheduler();
  WeeklyScheduler(const WeeklyScheduler&) = delete;
  WeeklyScheduler& operator=(const WeeklyScheduler&) = delete;

  // Waits for the next run time after the clock's reading and the last run,
  // then runs the job. Returns false, without running it, when stopped.
  bool run_next();

  // Starts a thread that calls run_next() until stop().
  // Fails with FailedPrecondition when already started, or stopped, or
  // without a job.
  absl::Status start();

  // Cancels the wait, lets a job in progress finish, and joins the thread.
  // Idempotent; the scheduler cannot be started again.
  void stop();

  // Jobs run so far.
  uint64_t runs() const;

 private:
  // The options, the run count, the thread and its lock
  // (src/fantasy/fantasy_schedule.cpp).
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
