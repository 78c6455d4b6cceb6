// When the fantasy jobs run: Sunday, Monday and Thursday at 21:00 in
// America/Los_Angeles, across both 2026 daylight-saving changes and week
// boundaries; and the scheduler on a manual clock and a fake timer.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "account/fantasy/fantasy_schedule.h"

namespace account {
namespace {

const WeeklyRunTimes& run_times() {
  static const WeeklyRunTimes times = fantasy_run_times().value();
  return times;
}

// A wall-clock time in Los Angeles.
absl::Time la(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), run_times().zone);
}

absl::Time utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

absl::Time next(absl::Time after) { return next_run_time(run_times(), after); }

TEST_CASE("schedule: Sunday, Monday, Thursday at 21:00 Pacific", "[schedule]") {
  // 2026-09-10 is a Thursday, in daylight time (UTC-7).
  CHECK(next(la(2026, 9, 10, 12, 0)) == utc(2026, 9, 11, 4, 0));  // Thu 21:00 PDT
  CHECK(next(la(2026, 9, 10, 21, 0)) == la(2026, 9, 13, 21, 0));  // Strictly after: Sunday.
  CHECK(next(la(2026, 9, 10, 20, 59)) == la(2026, 9, 10, 21, 0));
  CHECK(next(la(2026, 9, 13, 21, 0)) == la(2026, 9, 14, 21, 0));  // Sunday -> Monday.
  CHECK(next(la(2026, 9, 14, 21, 0)) == la(2026, 9, 17, 21, 0));  // Monday -> Thursday.
}

TEST_CASE("schedule: across a week boundary", "[schedule]") {
  CHECK(next(la(2026, 9, 12, 23, 59)) == la(2026, 9, 13, 21, 0));  // Saturday night -> Sunday.
  CHECK(next(la(2026, 9, 11, 0, 0)) == la(2026, 9, 13, 21, 0));    // Friday -> Sunday.
  // Thursday 2026-12-31 21:00 PST is already 2027 in UTC; then Sunday 2027-01-03.
  CHECK(next(la(2026, 12, 31, 20, 0)) == utc(2027, 1, 1, 5, 0));
  CHECK(next(la(2026, 12, 31, 21, 0)) == la(2027, 1, 3, 21, 0));
  // After the run, UTC is already Friday; the next run is still Sunday 21:00 local.
  CHECK(next(utc(2026, 9, 11, 6, 0)) == utc(2026, 9, 14, 4, 0));
}

TEST_CASE("schedule: across the spring change, 2026-03-08", "[schedule]") {
  // Thursday 2026-03-05 21:00 PST is 05:00 UTC; clocks go forward on Sunday
  // at 02:00, and Sunday's run is at 21:00 PDT, 04:00 UTC.
  CHECK(next(la(2026, 3, 5, 12, 0)) == utc(2026, 3, 6, 5, 0));
  CHECK(next(utc(2026, 3, 6, 5, 0)) == utc(2026, 3, 9, 4, 0));
  CHECK(next(utc(2026, 3, 8, 9, 30)) == utc(2026, 3, 9, 4, 0));   // 01:30 PST, before the change.
  CHECK(next(utc(2026, 3, 8, 10, 30)) == utc(2026, 3, 9, 4, 0));  // 03:30 PDT, after it.
  CHECK(next(utc(2026, 3, 9, 4, 0)) == utc(2026, 3, 10, 4, 0));   // Monday 21:00 PDT.
  // Thursday to Sunday is 71 hours that week, not 72: the runs follow the local clock.
  CHECK(next(utc(2026, 3, 6, 5, 0)) - utc(2026, 3, 6, 5, 0) == absl::Hours(71));
}

TEST_CASE("schedule: across the autumn change, 2026-11-01", "[schedule]") {
  // Thursday 2026-10-29 21:00 PDT is 04:00 UTC; clocks go back on Sunday at
  // 02:00, and Sunday's run is at 21:00 PST, 05:00 UTC.
  CHECK(next(la(2026, 10, 29, 12, 0)) == utc(2026, 10, 30, 4, 0));
  CHECK(next(utc(2026, 10, 30, 4, 0)) == utc(2026, 11, 2, 5, 0));
  CHECK(next(utc(2026, 11, 1, 8, 30)) == utc(2026, 11, 2, 5, 0));  // 01:30 PDT, the first one.
  CHECK(next(utc(2026, 11, 1, 9, 30)) == utc(2026, 11, 2, 5, 0));  // 01:30 PST, the second.
  CHECK(next(utc(2026, 11, 2, 5, 0)) == utc(2026, 11, 3, 5, 0));   // Monday 21:00 PST.
  CHECK(next(utc(2026, 11, 3, 5, 0)) == utc(2026, 11, 6, 5, 0));   // Thursday 21:00 PST.
}

TEST_CASE("schedule: a local time skipped or repeated by a change", "[schedule]") {
  WeeklyRunTimes times = run_times();
  times.days = {absl::Weekday::sunday};
  times.hour = 2;
  times.minute = 30;
  // 02:30 does not exist on 2026-03-08: the run is when the gap ends, 03:00 PDT.
  CHECK(next_run_time(times, la(2026, 3, 7, 12, 0)) == utc(2026, 3, 8, 10, 0));
  times.hour = 1;
  // 01:30 happens twice on 2026-11-01: the run is the first, 01:30 PDT.
  CHECK(next_run_time(times, la(2026, 10, 31, 12, 0)) == utc(2026, 11, 1, 8, 30));
  CHECK(next_run_time(times, utc(2026, 11, 1, 8, 30)) == utc(2026, 11, 8, 9, 30));
}

TEST_CASE("schedule: an empty or impossible schedule never runs", "[schedule]") {
  WeeklyRunTimes times = run_times();
  times.days.clear();
  CHECK(next_run_time(times, la(2026, 9, 10, 12, 0)) == absl::InfiniteFuture());
  times = run_times();
  times.hour = 24;
  CHECK(next_run_time(times, la(2026, 9, 10, 12, 0)) == absl::InfiniteFuture());
}

// Jumps a ManualClock to each deadline instead of waiting; after `waits_max`
// waits it behaves as if cancelled.
class FakeTimer final : public Timer {
 public:
  FakeTimer(std::shared_ptr<ManualClock> clock, int waits_max)
      : clock_(std::move(clock)), waits_left_(waits_max) {}

  bool wait_until(absl::Time deadline) override {
    std::lock_guard lock(mu_);
    if (cancelled_ || waits_left_ == 0) return false;
    --waits_left_;
    deadlines_.push_back(deadline);
    if (clock_->now() < deadline) clock_->set(deadline);
    return true;
  }
  void cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
  }
  std::vector<absl::Time> deadlines() {
    std::lock_guard lock(mu_);
    return deadlines_;
  }

 private:
  std::shared_ptr<ManualClock> clock_;
  std::mutex mu_;
  int waits_left_;                     // Guarded by mu_.
  bool cancelled_ = false;             // Guarded by mu_.
  std::vector<absl::Time> deadlines_;  // Guarded by mu_.
};

TEST_CASE("scheduler: runs the job at each run time, on a manual clock", "[schedule]") {
  auto clock = std::make_shared<ManualClock>(la(2026, 3, 4, 9, 0));  // Wednesday.
  auto timer = std::make_shared<FakeTimer>(clock, 5);
  std::vector<absl::Time> runs;
  WeeklyScheduler scheduler({.times = run_times(),
                             .job = [&](absl::Time at) { runs.push_back(at); },
                             .clock = clock,
                             .timer = timer});
  while (scheduler.run_next()) {
  }
  CHECK(runs == std::vector<absl::Time>{utc(2026, 3, 6, 5, 0), utc(2026, 3, 9, 4, 0),
                                        utc(2026, 3, 10, 4, 0), utc(2026, 3, 13, 4, 0),
                                        utc(2026, 3, 16, 4, 0)});
  CHECK(scheduler.runs() == 5);
}

TEST_CASE("scheduler: a job that overruns the next run time skips it", "[schedule]") {
  auto clock = std::make_shared<ManualClock>(la(2026, 9, 13, 12, 0));  // Sunday.
  auto timer = std::make_shared<FakeTimer>(clock, 2);
  std::vector<absl::Time> runs;
  WeeklyScheduler scheduler({.times = run_times(),
                             .job =
                                 [&](absl::Time at) {
                                   runs.push_back(at);
                                   clock->advance(absl::Hours(30));  // Past Monday 21:00.
                                 },
                             .clock = clock,
                             .timer = timer});
  while (scheduler.run_next()) {
  }
  CHECK(runs == std::vector<absl::Time>{la(2026, 9, 13, 21, 0), la(2026, 9, 17, 21, 0)});
}

TEST_CASE("scheduler: a job that ends within its minute is not run twice", "[schedule]") {
  auto clock = std::make_shared<ManualClock>(la(2026, 9, 13, 12, 0));
  auto timer = std::make_shared<FakeTimer>(clock, 2);
  std::vector<absl::Time> runs;
  WeeklyScheduler scheduler({.times = run_times(),
                             .job = [&](absl::Time at) { runs.push_back(at); },
                             .clock = clock,
                             .timer = timer});
  scheduler.run_next();
  clock->set(la(2026, 9, 13, 20, 59));  // A clock stepped back a little (NTP).
  scheduler.run_next();
  CHECK(runs == std::vector<absl::Time>{la(2026, 9, 13, 21, 0), la(2026, 9, 14, 21, 0)});
}

TEST_CASE("scheduler: start runs on its own thread until stop", "[schedule]") {
  auto clock = std::make_shared<ManualClock>(la(2026, 9, 10, 12, 0));
  auto timer = std::make_shared<FakeTimer>(clock, 3);
  std::atomic<int> runs{0};
  WeeklyScheduler scheduler({.times = run_times(),
                             .job = [&](absl::Time) { ++runs; },
                             .clock = clock,
                             .timer = timer});
  REQUIRE(scheduler.start().ok());
  CHECK(scheduler.start().code() == absl::StatusCode::kFailedPrecondition);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (scheduler.runs() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  scheduler.stop();
  CHECK(runs == 3);
  CHECK(timer->deadlines() == std::vector<absl::Time>{la(2026, 9, 10, 21, 0),
                                                      la(2026, 9, 13, 21, 0),
                                                      la(2026, 9, 14, 21, 0)});
  CHECK(scheduler.start().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("scheduler: without a job it does not start", "[schedule]") {
  WeeklyScheduler scheduler({.times = run_times()});
  CHECK(scheduler.start().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("system timer: a due deadline returns at once, cancel wakes a wait", "[schedule]") {
  auto clock = std::make_shared<SystemClock>();
  SystemTimer timer(clock);
  CHECK(timer.wait_until(clock->now() - absl::Seconds(1)));
  std::atomic<bool> result{true};
  std::thread waiter([&] { result = timer.wait_until(clock->now() + absl::Hours(1)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  timer.cancel();
  waiter.join();
  CHECK_FALSE(result);
  CHECK_FALSE(timer.wait_until(clock->now() - absl::Seconds(1)));  // Cancelled for good.
}

TEST_CASE("system timer: a clock moved forward fires within the recheck period",
          "[schedule]") {
  auto clock = std::make_shared<ManualClock>(la(2026, 9, 10, 12, 0));
  SystemTimer timer(clock, absl::Milliseconds(5));
  std::atomic<bool> fired{false};
  std::thread waiter([&] { fired = timer.wait_until(la(2026, 9, 10, 21, 0)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  clock->set(la(2026, 9, 10, 21, 0));
  waiter.join();
  CHECK(fired);
}

}  // namespace
}  // namespace account
