// File: fantasy/fantasy_jobs.h
//
// The scheduled fantasy jobs: at each run time of fantasy_run_times()
// (Sunday, Monday and Thursday 21:00 America/Los_Angeles), update every
// linked account's fantasy cash, then expire due reservations (which tells
// the NotificationSink per expired order).
//
//   FantasyFundingService funding(service, {.sleeper = client});
//   auto scheduler = make_fantasy_scheduler(funding, service, {}).value();
//   scheduler->start();
//
// Failure modes: make_fantasy_scheduler() fails with NotFound when the
// system lacks the America/Los_Angeles zone. A run never throws or stops the
// schedule: the fantasy update's failures go to FantasyFundingOptions::log
// per account, and a failed clean-up to FantasyJobOptions::on_run. The
// clean-up runs even when the update failed.
//
// Thread-safety: the jobs run on the scheduler's thread (or the caller's,
// through WeeklyScheduler::run_next()); the services are thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/fantasy/fantasy_funding_service.h"
#include "account/fantasy/fantasy_schedule.h"
#include "account/timer.h"

namespace account {

// What one scheduled run did.
struct FantasyJobRun {
  absl::Time scheduled;
  absl::StatusOr<FantasyUpdateSummary> update;
  absl::StatusOr<size_t> expired;  // Reservations expired by the clean-up.
};

struct FantasyJobOptions {
  std::optional<WeeklyRunTimes> times;  // Default: fantasy_run_times().
  std::shared_ptr<Clock> clock;         // Default: SystemClock.
  std::shared_ptr<Timer> timer;         // Default: a SystemTimer on `clock`.
  std::function<void(const FantasyJobRun&)> on_run;  // Optional: told after each run.
};

// Runs the jobs once, now: the fantasy update of every linked account, then
// the reservation clean-up. Never fails as a whole; see FantasyJobRun.
FantasyJobRun run_fantasy_jobs(FantasyFundingService& funding, AccountService& service,
                               absl::Time scheduled);

// A WeeklyScheduler (not started) that calls run_fantasy_jobs() at each run
// time. `funding` and `service` must outlive it.
absl::StatusOr<std::unique_ptr<WeeklyScheduler>> make_fantasy_scheduler(
    FantasyFundingService& funding, AccountService& service, FantasyJobOptions options);

}  // namespace account
