// Gcra, MonotonicTime and Pacer (src/http/gcra.h): the burst, the steady rate, a clock that steps
// back, and the units at the edges of their ranges.
#include "http/gcra.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace account::internal::http {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'790'000'000);

Gcra gcra_of(int burst, int per_minute) {
  return Gcra::create({.burst = burst, .per_minute = per_minute}).value();
}

TEST_CASE("gcra: a burst passes at once, the next call waits one interval", "[http][gcra]") {
  const Gcra gcra = gcra_of(3, 6);  // One token every 10 s.
  CHECK(gcra.interval() == absl::Seconds(10));
  CHECK(gcra.tolerance() == absl::Seconds(20));
  absl::Time tat = absl::InfinitePast();
  for (int i = 0; i < 3; ++i) CHECK(gcra.admit(&tat, kStart) == absl::ZeroDuration());
  const absl::Time full_tat = tat;
  CHECK(gcra.admit(&tat, kStart) == absl::Seconds(10));
  CHECK(gcra.admit(&tat, kStart + absl::Seconds(4)) == absl::Seconds(6));
  CHECK(tat == full_tat);  // Refusals take nothing, so they do not push the wait out.
  CHECK(gcra.admit(&tat, kStart + absl::Seconds(10)) == absl::ZeroDuration());
}

TEST_CASE("gcra: a bucket refills to its burst and never beyond", "[http][gcra]") {
  const Gcra gcra = gcra_of(2, 60);
  absl::Time tat = absl::InfinitePast();
  CHECK(gcra.admit(&tat, kStart) == absl::ZeroDuration());
  CHECK(gcra.admit(&tat, kStart) == absl::ZeroDuration());
  CHECK_FALSE(Gcra::full(tat, kStart));
  const absl::Time later = kStart + absl::Hours(1);
  CHECK(Gcra::full(tat, later));  // Full again: forgettable.
  CHECK(gcra.admit(&tat, later) == absl::ZeroDuration());
  CHECK(gcra.admit(&tat, later) == absl::ZeroDuration());
  CHECK(gcra.admit(&tat, later) == absl::Seconds(1));
}

// The property GCRA promises: over any window [a, b], at most burst + (b - a) / T calls are
// admitted, and a call is refused only when admitting it would break that.
TEST_CASE("gcra: on random arrivals, no window admits more than the burst plus the rate",
          "[http][gcra]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 20; ++round) {
    const int burst = std::uniform_int_distribution<int>(1, 8)(rng);
    const int per_minute = std::uniform_int_distribution<int>(1, 600)(rng);
    const Gcra gcra = gcra_of(burst, per_minute);
    CAPTURE(round, burst, per_minute);
    absl::Time now = kStart;
    absl::Time tat = absl::InfinitePast();
    std::vector<absl::Time> admitted;
    for (int call = 0; call < 400; ++call) {
      now += absl::Milliseconds(std::uniform_int_distribution<int>(0, 400)(rng));
      const absl::Duration wait = gcra.admit(&tat, now);
      if (wait == absl::ZeroDuration()) {
        admitted.push_back(now);
      } else {
        // Refused: the wait is exactly when the call would conform.
        absl::Time probe = tat;
        CHECK(gcra.admit(&probe, now + wait) == absl::ZeroDuration());
        probe = tat;
        CHECK(gcra.admit(&probe, now + wait - absl::Nanoseconds(1)) > absl::ZeroDuration());
      }
    }
    // The largest excess of admitted calls over burst + span / T, over every window.
    double excess_max = -1e300;
    for (size_t i = 0; i < admitted.size(); ++i) {
      for (size_t j = i; j < admitted.size(); ++j) {
        const double span = absl::FDivDuration(admitted[j] - admitted[i], gcra.interval());
        excess_max = std::max(excess_max, static_cast<double>(j - i + 1) - burst - span);
      }
    }
    CHECK(excess_max <= 1e-9);
  }
}

TEST_CASE("gcra: the steady rate is one call an interval, exactly", "[http][gcra]") {
  const Gcra gcra = gcra_of(1, 7);  // 8.571428571... s: not a whole number of nanoseconds.
  absl::Time tat = absl::InfinitePast();
  absl::Time now = kStart;
  for (int i = 0; i < 7; ++i) {
    REQUIRE(gcra.admit(&tat, now) == absl::ZeroDuration());
    now += gcra.admit(&tat, now);  // Wait exactly as long as told.
  }
  // Seven intervals are a minute to within absl's quarter nanosecond per interval.
  CHECK(absl::AbsDuration(now - kStart - absl::Minutes(1)) <= absl::Nanoseconds(2));
}

TEST_CASE("gcra: reserve() queues callers one interval apart after the burst", "[http][gcra]") {
  const Gcra gcra = gcra_of(2, 60);
  absl::Time tat = absl::InfinitePast();
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 5; ++i) waits.push_back(gcra.reserve(&tat, kStart));
  CHECK(waits == std::vector<absl::Duration>{absl::ZeroDuration(), absl::ZeroDuration(),
                                             absl::Seconds(1), absl::Seconds(2), absl::Seconds(3)});
  // Time passing pays the queue off: five tokens taken at kStart, so the next is due at 4 s.
  CHECK(gcra.reserve(&tat, kStart + absl::Seconds(10)) == absl::ZeroDuration());
}

TEST_CASE("gcra: rates outside 1..kGcraRateMax are refused", "[http][gcra]") {
  for (const GcraRate bad :
       {GcraRate{.burst = 0, .per_minute = 1}, GcraRate{1, 0}, GcraRate{kGcraRateMax + 1, 1},
        GcraRate{1, kGcraRateMax + 1}, GcraRate{-1, -1}}) {
    CHECK(Gcra::create(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(Gcra::create({.burst = kGcraRateMax, .per_minute = kGcraRateMax}).ok());
}

TEST_CASE("gcra: the extreme rates keep exact units and never wrap", "[http][gcra]") {
  // The fastest rate: 60 us a token, exactly.
  const Gcra fast = gcra_of(1, kGcraRateMax);
  CHECK(fast.interval() == absl::Microseconds(60));
  // The widest bucket: a million tokens at one a minute, a tolerance of 999,999 minutes.
  const Gcra wide = gcra_of(kGcraRateMax, 1);
  CHECK(wide.tolerance() == absl::Minutes(kGcraRateMax - 1));
  absl::Time tat = absl::InfinitePast();
  int admitted = 0;
  for (int i = 0; i < kGcraRateMax; ++i)
    admitted += wide.admit(&tat, kStart) == absl::ZeroDuration();
  CHECK(admitted == kGcraRateMax);
  CHECK(tat == kStart + absl::Minutes(kGcraRateMax));
  CHECK(wide.admit(&tat, kStart) == absl::Minutes(1));

  // Times far from today, either side of the epoch: the sums stay finite and exact.
  for (const absl::Time far :
       {absl::FromUnixSeconds(int64_t{1} << 60), absl::FromUnixSeconds(-(int64_t{1} << 60))}) {
    absl::Time t = absl::InfinitePast();
    CHECK(wide.admit(&t, far) == absl::ZeroDuration());
    CHECK(t == far + absl::Minutes(1));
    absl::Time u = absl::InfinitePast();
    CHECK(fast.admit(&u, far) == absl::ZeroDuration());
    CHECK(fast.admit(&u, far) == absl::Microseconds(60));
  }
}

TEST_CASE("monotonic time: a step back stands still, then moves with the clock", "[http][gcra]") {
  MonotonicTime time;
  CHECK(time(kStart) == kStart);
  CHECK(time(kStart + absl::Seconds(5)) == kStart + absl::Seconds(5));
  // The clock is set back an hour: time stays, then advances at the clock's pace.
  const absl::Time back = kStart - absl::Hours(1);
  CHECK(time(back) == kStart + absl::Seconds(5));
  CHECK(time(back + absl::Seconds(2)) == kStart + absl::Seconds(7));
  // Forward steps pass through: three hours on the clock are three hours later.
  CHECK(time(back + absl::Hours(3)) == kStart + absl::Hours(3) + absl::Seconds(5));
}

// A ManualClock and a sleep that records its waits without sleeping or moving the clock, so
// several callers can take their turns at one instant.
struct PacerFixture {
  explicit PacerFixture(int burst, int per_minute)
      : pacer(gcra_of(burst, per_minute), &clock, [this](absl::Duration d) {
          std::lock_guard lock(mu);
          sleeps.push_back(d);
        }) {}
  std::vector<absl::Duration> recorded() {
    std::lock_guard lock(mu);
    std::vector<absl::Duration> out = sleeps;
    std::sort(out.begin(), out.end());
    return out;
  }
  ManualClock clock{kStart};
  std::mutex mu;
  std::vector<absl::Duration> sleeps;  // Guarded by mu.
  Pacer pacer;
};

TEST_CASE("pacer: a clock set back an hour costs an interval, not the hour", "[http][gcra]") {
  PacerFixture f(1, 60);
  f.pacer.acquire();  // The burst: no wait.
  f.clock.set(kStart - absl::Hours(1));
  f.pacer.acquire();
  CHECK(f.recorded() == std::vector<absl::Duration>{absl::Seconds(1)});
  f.clock.set(kStart - absl::Hours(1) + absl::Seconds(5));
  f.pacer.acquire();  // Five seconds have passed since: the token is there.
  CHECK(f.recorded().size() == 1);
}

TEST_CASE("pacer: concurrent callers each get their own slot, one interval apart",
          "[http][gcra][concurrency]") {
  PacerFixture f(4, 60);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&f] {
      for (int i = 0; i < 5; ++i) f.pacer.acquire();
    });
  }
  for (std::thread& t : threads) t.join();
  // 20 calls at one instant: 4 at once, then 16 queued at 1 s, 2 s, ... 16 s.
  std::vector<absl::Duration> want;
  for (int k = 1; k <= 16; ++k) want.push_back(absl::Seconds(k));
  CHECK(f.recorded() == want);
}

}  // namespace
}  // namespace account::internal::http
