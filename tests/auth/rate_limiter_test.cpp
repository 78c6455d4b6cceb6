// RateLimiter: the token bucket per (path, client key), its refusal, refill,
// bounded memory and thread-safety.
#include "account/auth/rate_limiter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "account/status.h"

namespace account::auth {
namespace {

struct Fixture {
  explicit Fixture(RateLimit limit, size_t buckets_max = 1000) {
    RateLimiterOptions options;
    options.limits = {{"/auth/refresh", limit}};
    options.buckets_max = buckets_max;
    options.clock = clock;
    limiter = RateLimiter::create(options).value();
  }
  std::shared_ptr<ManualClock> clock =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1'790'000'000));
  std::unique_ptr<RateLimiter> limiter;
};

TEST_CASE("rate limit: a burst passes, the next request is refused with RateLimited",
          "[auth][rate_limiter]") {
  Fixture f({.burst = 3, .per_minute = 6});  // One token every 10 s.
  for (int i = 0; i < 3; ++i) CHECK(f.limiter->acquire("/auth/refresh", "1.2.3.4").ok());
  absl::Duration wait;
  absl::Status refused = f.limiter->acquire("/auth/refresh", "1.2.3.4", &wait);
  CHECK(reason_of(refused) == Reason::kRateLimited);
  CHECK(refused.code() == absl::StatusCode::kResourceExhausted);
  CHECK(wait == absl::Seconds(10));
  CHECK(std::string(refused.message()) ==
        "RateLimited: /auth/refresh allows 3 requests at once and 6 a minute per client; "
        "retry after 10 s");
}

TEST_CASE("rate limit: a refused request takes no token, and tokens refill with time",
          "[auth][rate_limiter]") {
  Fixture f({.burst = 2, .per_minute = 6});
  CHECK(f.limiter->acquire("/auth/refresh", "k").ok());
  CHECK(f.limiter->acquire("/auth/refresh", "k").ok());
  absl::Duration wait;
  for (int i = 0; i < 5; ++i) {
    CHECK(reason_of(f.limiter->acquire("/auth/refresh", "k", &wait)) == Reason::kRateLimited);
  }
  CHECK(wait == absl::Seconds(10));  // Refusals did not push the wait out.
  f.clock->advance(absl::Seconds(9));
  CHECK(reason_of(f.limiter->acquire("/auth/refresh", "k", &wait)) == Reason::kRateLimited);
  CHECK(wait == absl::Seconds(1));
  f.clock->advance(absl::Seconds(1));
  CHECK(f.limiter->acquire("/auth/refresh", "k").ok());
  CHECK(reason_of(f.limiter->acquire("/auth/refresh", "k")) == Reason::kRateLimited);
  f.clock->advance(absl::Minutes(5));  // Full again, but never above the burst.
  CHECK(f.limiter->acquire("/auth/refresh", "k").ok());
  CHECK(f.limiter->acquire("/auth/refresh", "k").ok());
  CHECK(reason_of(f.limiter->acquire("/auth/refresh", "k")) == Reason::kRateLimited);
}

TEST_CASE("rate limit: the wait is rounded up to whole seconds", "[auth][rate_limiter]") {
  Fixture f({.burst = 1, .per_minute = 7});  // 8.571 s a token.
  CHECK(f.limiter->acquire("/auth/refresh", "k").ok());
  absl::Duration wait;
  CHECK(reason_of(f.limiter->acquire("/auth/refresh", "k", &wait)) == Reason::kRateLimited);
  CHECK(wait == absl::Seconds(9));
  f.clock->advance(absl::Milliseconds(8'500));
  CHECK(reason_of(f.limiter->acquire("/auth/refresh", "k", &wait)) == Reason::kRateLimited);
  CHECK(wait == absl::Seconds(1));
}

TEST_CASE("rate limit: a clock set back an hour refuses for an interval, not the hour",
          "[auth][rate_limiter]") {
  Fixture f({.burst = 1, .per_minute = 6});
  CHECK(f.limiter->acquire("/auth/refresh", "k").ok());
  f.clock->advance(-absl::Hours(1));  // NTP steps the wall clock back.
  absl::Duration wait;
  CHECK(reason_of(f.limiter->acquire("/auth/refresh", "k", &wait)) == Reason::kRateLimited);
  CHECK(wait == absl::Seconds(10));
  f.clock->advance(absl::Seconds(10));
  CHECK(f.limiter->acquire("/auth/refresh", "k").ok());
  // A new client after the step starts with a full bucket.
  CHECK(f.limiter->acquire("/auth/refresh", "other").ok());
}

TEST_CASE("rate limit: clients and paths have their own buckets", "[auth][rate_limiter]") {
  RateLimiterOptions options;
  options.limits = {{"/auth/google", {.burst = 1, .per_minute = 1}},
                    {"/auth/refresh", {.burst = 1, .per_minute = 1}}};
  options.clock = std::make_shared<ManualClock>(absl::FromUnixSeconds(1'790'000'000));
  auto limiter = RateLimiter::create(options).value();
  CHECK(limiter->acquire("/auth/google", "a").ok());
  CHECK(reason_of(limiter->acquire("/auth/google", "a")) == Reason::kRateLimited);
  CHECK(limiter->acquire("/auth/google", "b").ok());
  CHECK(limiter->acquire("/auth/refresh", "a").ok());
  for (int i = 0; i < 100; ++i) CHECK(limiter->acquire("/me", "a").ok());  // Not limited.
  CHECK(limiter->buckets() == 3);
}

TEST_CASE("rate limit: long client keys are cut, so they share a bucket", "[auth][rate_limiter]") {
  Fixture f({.burst = 1, .per_minute = 1});
  const std::string prefix(kClientKeyBytesMax, 'x');
  CHECK(f.limiter->acquire("/auth/refresh", prefix + "1").ok());
  CHECK(reason_of(f.limiter->acquire("/auth/refresh", prefix + "2")) == Reason::kRateLimited);
}

TEST_CASE("rate limit: memory stays bounded, full buckets go first, then the nearest to full",
          "[auth][rate_limiter]") {
  Fixture f({.burst = 1, .per_minute = 1}, /*buckets_max=*/64);
  CHECK(f.limiter->acquire("/auth/refresh", "old").ok());
  f.clock->advance(absl::Minutes(2));  // "old" has refilled: it is full, so forgettable.
  for (int i = 0; i < 63; ++i) {
    CHECK(f.limiter->acquire("/auth/refresh", "k" + std::to_string(i)).ok());
    f.clock->advance(absl::Milliseconds(100));  // k0 is the nearest to full, k62 the farthest.
  }
  CHECK(f.limiter->buckets() == 64);
  CHECK(f.limiter->acquire("/auth/refresh", "new").ok());
  // "old" went for free; that freed less than an eighth (8), so k0..k6 went too.
  CHECK(f.limiter->buckets() == 57);
  for (int i = 0; i < 63; ++i) {
    const absl::Status s = f.limiter->acquire("/auth/refresh", "k" + std::to_string(i));
    INFO("k" << i);
    if (i < 7) {
      CHECK(s.ok());  // Forgotten: let in early, which is the price of the bound.
    } else {
      CHECK(reason_of(s) == Reason::kRateLimited);
    }
  }
  // A flood of new keys with nothing forgettable: the table never exceeds its cap.
  for (int i = 0; i < 10'000; ++i) {
    REQUIRE(f.limiter->acquire("/auth/refresh", "flood" + std::to_string(i)).ok());
    REQUIRE(f.limiter->buckets() <= 64);
  }
}

TEST_CASE("rate limit: options are checked", "[auth][rate_limiter]") {
  RateLimiterOptions options;
  options.limits = {{"/auth/google", {.burst = 0, .per_minute = 1}}};
  CHECK(RateLimiter::create(options).status().code() == absl::StatusCode::kInvalidArgument);
  options.limits = {{"/auth/google", {.burst = 1, .per_minute = 0}}};
  CHECK(RateLimiter::create(options).status().code() == absl::StatusCode::kInvalidArgument);
  options.limits = {{"", {.burst = 1, .per_minute = 1}}};
  CHECK(RateLimiter::create(options).status().code() == absl::StatusCode::kInvalidArgument);
  options = {};
  options.buckets_max = 0;
  CHECK(RateLimiter::create(options).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(RateLimiter::create({}).ok());
}

TEST_CASE("rate limit: concurrent callers never get more than the burst",
          "[auth][rate_limiter][concurrency]") {
  Fixture f({.burst = 100, .per_minute = 1});
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (f.limiter->acquire("/auth/refresh", "shared").ok()) granted.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(granted.load() == 100);
}

}  // namespace
}  // namespace account::auth
