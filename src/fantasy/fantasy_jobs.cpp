#include "account/fantasy/fantasy_jobs.h"

#include <utility>

#include "account/status.h"

namespace account {

FantasyJobRun run_fantasy_jobs(FantasyFundingService& funding, AccountService& service,
                               absl::Time scheduled) {
  FantasyJobRun run{.scheduled = scheduled,
                    .update = funding.update_all_fantasy_points_and_wins(),
                    .expired = service.expire_due_reservations()};
  return run;
}

absl::StatusOr<std::unique_ptr<WeeklyScheduler>> make_fantasy_scheduler(
    FantasyFundingService& funding, AccountService& service, FantasyJobOptions options) {
  if (!options.times) {
    ACCOUNT_ASSIGN_OR_RETURN(WeeklyRunTimes times, fantasy_run_times());
    options.times = std::move(times);
  }
  auto job = [&funding, &service, on_run = std::move(options.on_run)](absl::Time scheduled) {
    FantasyJobRun run = run_fantasy_jobs(funding, service, scheduled);
    if (on_run) on_run(run);
  };
  return std::make_unique<WeeklyScheduler>(WeeklySchedulerOptions{.times = *options.times,
                                                                  .job = std::move(job),
                                                                  .clock = options.clock,
                                                                  .timer = options.timer});
}

}  // namespace account
