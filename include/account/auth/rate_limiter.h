// File: auth/rate_limiter.h
//
// RateLimiter: a token bucket per (path, client key) for the sign-in
// endpoints, so one client cannot hammer the login, callback or refresh
// paths (each of which costs a call to Google or a store write).
//
//   auto limiter = RateLimiter::create({.clock = clock}).value();  // default limits
//   absl::Duration wait;
//   absl::Status s = limiter->acquire("/auth/refresh", "203.0.113.7", &wait);
//   if (reason_of(s) == Reason::kRateLimited) { /* 429, Retry-After: wait */ }
//
// Each bucket holds up to `burst` tokens and refills at `per_minute` tokens
// a minute; a request takes one token or is refused. A bucket is kept as the
// generic cell rate algorithm (GCRA) keeps it, the one rate limit the library
// shares with its outbound calls: one timestamp, the time at which the bucket
// will be full again. A bucket that is full carries no information, so it can
// be forgotten at no cost: that is how memory stays bounded (see
// RateLimiterOptions::buckets_max). A clock that steps back never refuses a
// client for the size of the step: time as the limiter reads it stands still
// until the clock moves on.
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/clock.h"

namespace account::auth {

// One path's limit: `burst` requests at once, then `per_minute` a minute.
struct RateLimit {
  int burst = 10;
  int per_minute = 10;
};

// Default limits per path. A person signs in a few times a day; a browser
// tab refreshes its access token once an hour. The bursts leave room for a
// retry or two and a few tabs behind one address (NAT) without letting a
// script spend our Google quota.
inline constexpr RateLimit kLoginRateLimit{.burst = 20, .per_minute = 10};
inline constexpr RateLimit kCallbackRateLimit{.burst = 20, .per_minute = 10};
inline constexpr RateLimit kRefreshRateLimit{.burst = 30, .per_minute = 30};
// Logging out is rarer still; each well-formed token costs a token-store lookup.
inline constexpr RateLimit kLogoutRateLimit{.burst = 20, .per_minute = 10};

// Longer client keys are cut to this many bytes: a key is an address or an
// id, and a cap keeps a hostile key from costing memory.
inline constexpr size_t kClientKeyBytesMax = 128;

struct RateLimiterOptions {
  // Limit per request path; a path not listed here is not limited.
  std::map<std::string, RateLimit, std::less<>> limits = {
      {"/auth/google", kLoginRateLimit},
      {"/auth/callback", kCallbackRateLimit},
      {"/auth/refresh", kRefreshRateLimit},
      {"/auth/logout", kLogoutRateLimit},
  };
  // Buckets kept at most. When full, buckets that have refilled are dropped
  // (losing nothing); if that frees less than an eighth, the buckets closest
  // to full go too, which can only let those clients in early, never lock
  // anyone out. About 200 bytes a bucket: 100,000 is ~20 MB.
  size_t buckets_max = 100'000;
  std::shared_ptr<Clock> clock;  // Default: SystemClock.
};

class RateLimiter {
 public:
  // Fails with InvalidArgument when a limit has burst or per_minute outside
  // 1..1,000,000, an empty path, or buckets_max is 0.
  static absl::StatusOr<std::unique_ptr<RateLimiter>> create(RateLimiterOptions options);

  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from the bucket of (`path`, `client_key`). OK, or the
  // denial kRateLimited with "retry after N s" in its message, N the whole
  // seconds (rounded up, at least 1) until a token is available; the same
  // wait is stored in `*retry_after` when that is not null. A refused
  // request takes no token. A path without a limit is always OK.
  absl::Status acquire(std::string_view path, std::string_view client_key,
                       absl::Duration* retry_after = nullptr);

  // Buckets held now (for tests and metrics).
  size_t buckets() const;

 private:
  class Impl;
  explicit RateLimiter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace account::auth
