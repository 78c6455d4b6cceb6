#include "account/fantasy/fantasy_schedule.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "base/mutex.h"
#include "base/strings.h"

namespace account {
namespace {

// The instant of `day` at the run's local time of day.
absl::Time local_run_time(const WeeklyRunTimes& times, absl::CivilDay day) {
  const absl::CivilSecond local(day.year(), day.month(), day.day(), times.hour, times.minute, 0);
  const absl::TimeZone::TimeInfo info = times.zone.At(local);
  // SKIPPED: the local time falls in a spring-forward gap; `trans` is the
  // instant the gap ends. REPEATED: `pre` is the first of the two instants.
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

}  // namespace

absl::StatusOr<WeeklyRunTimes> fantasy_run_times() {
  constexpr const char* kZoneName = "America/Los_Angeles";
  WeeklyRunTimes times{
      .days = {absl::Weekday::sunday, absl::Weekday::monday, absl::Weekday::thursday},
      .hour = 21,
      .minute = 0,
  };
  if (!absl::LoadTimeZone(kZoneName, &times.zone)) {
    return absl::NotFoundError(internal::cat(
        "time zone ", kZoneName, " not found (is tzdata installed in /usr/share/zoneinfo?)"));
  }
  return times;
}

absl::Time next_run_time(const WeeklyRunTimes& times, absl::Time after) {
  if (times.days.empty() || times.hour < 0 || times.hour > 23 || times.minute < 0 ||
      times.minute > 59) {
    return absl::InfiniteFuture();
  }
  const absl::CivilDay today = absl::ToCivilDay(after, times.zone);
  // Today through the same weekday next week covers every listed weekday;
  // one more day covers a run that a DST gap moved to or before `after`.
  for (int offset = 0; offset <= 8; ++offset) {
    const absl::CivilDay day = today + offset;
    if (std::find(times.days.begin(), times.days.end(), absl::GetWeekday(day)) ==
        times.days.end()) {
      continue;
    }
    const absl::Time run = local_run_time(times, day);
    if (run > after) return run;
  }
  return absl::InfiniteFuture();
}

class WeeklyScheduler::Impl {
 public:
  explicit Impl(WeeklySchedulerOptions options) : options_(std::move(options)) {
    if (!options_.clock) options_.clock = std::make_shared<SystemClock>();
    if (!options_.timer) options_.timer = std::make_shared<SystemTimer>(options_.clock);
  }

  bool run_next() {
    // From the later of the clock and the last run: a job that finishes
    // within its own minute must not be handed the same run time again.
    const absl::Time from = std::max(options_.clock->now(), last_run_);
    const absl::Time next = next_run_time(options_.times, from);
    if (!options_.timer->wait_until(next)) return false;
    last_run_ = next;
    if (options_.job) options_.job(next);
    runs_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  absl::Status start() {
    internal::MutexLock lock(&mu_);
    if (started_ || stopped_) {
      return absl::FailedPreconditionError("the scheduler was already started or stopped");
    }
    if (!options_.job) return absl::FailedPreconditionError("the scheduler has no job");
    started_ = true;
    thread_ = std::thread([this] {
      while (run_next()) {
      }
    });
    return absl::OkStatus();
  }

  void stop() {
    std::thread thread;
    {
      internal::MutexLock lock(&mu_);
      if (stopped_) return;
      stopped_ = true;
      thread = std::move(thread_);
    }
    options_.timer->cancel();
    if (thread.joinable()) thread.join();
  }

  uint64_t runs() const { return runs_.load(std::memory_order_relaxed); }

 private:
  WeeklySchedulerOptions options_;
  // Relaxed: a statistic, read without ordering against anything else.
  std::atomic<uint64_t> runs_{0};
  // The last run time handed to the job; touched only by the thread that
  // calls run_next(), one at a time.
  absl::Time last_run_ = absl::InfinitePast();
  internal::Mutex mu_;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

WeeklyScheduler::WeeklyScheduler(WeeklySchedulerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

WeeklyScheduler::~WeeklyScheduler() { stop(); }

bool WeeklyScheduler::run_next() { return impl_->run_next(); }

absl::Status WeeklyScheduler::start() { return impl_->start(); }

void WeeklyScheduler::stop() { impl_->stop(); }

uint64_t WeeklyScheduler::runs() const { return impl_->runs(); }

}  // namespace account
