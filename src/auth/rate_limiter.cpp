#include "account/auth/rate_limiter.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "account/status.h"

namespace account::auth {
namespace {

constexpr int kRateMax = 1'000'000;

}  // namespace

absl::StatusOr<std::unique_ptr<RateLimiter>> RateLimiter::create(RateLimiterOptions options) {
  for (const auto& [path, limit] : options.limits) {
    if (path.empty()) return absl::InvalidArgumentError("rate limit for an empty path");
    if (limit.burst < 1 || limit.burst > kRateMax || limit.per_minute < 1 ||
        limit.per_minute > kRateMax) {
      return absl::InvalidArgumentError(
          internal::cat("rate limit for ", path, ": burst and per_minute must be 1..", kRateMax,
                        ", got ", limit.burst, " and ", limit.per_minute));
    }
  }
  if (options.buckets_max == 0) return absl::InvalidArgumentError("buckets_max must be >= 1");
  if (!options.clock) options.clock = std::make_shared<SystemClock>();
  return std::unique_ptr<RateLimiter>(new RateLimiter(std::move(options)));
}

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(std::move(options)) {
  for (const auto& [path, limit] : options_.limits) {
    const absl::Duration interval = absl::Minutes(1) / limit.per_minute;
    shapes_.emplace(path, Bucket{.interval = interval, .capacity = interval * limit.burst});
  }
}

absl::Status RateLimiter::acquire(std::string_view path, std::string_view client_key,
                                  absl::Duration* retry_after) {
  const auto shape = shapes_.find(path);
  if (shape == shapes_.end()) return absl::OkStatus();
  const Bucket& bucket = shape->second;
  std::string key = internal::cat(path, "\n", client_key.substr(0, kClientKeyBytesMax));

  const absl::Time now = options_.clock->now();
  absl::Duration wait;
  {
    internal::MutexLock lock(&mu_);
    auto it = full_at_.find(key);
    const absl::Time full_at = it == full_at_.end() ? now : std::max(it->second, now);
    const absl::Time next = full_at + bucket.interval;
    if (next - now <= bucket.capacity) {
      if (it != full_at_.end()) {
        it->second = next;
      } else {
        if (full_at_.size() >= options_.buckets_max) evict(now);
        full_at_.emplace(std::move(key), next);
      }
      return absl::OkStatus();
    }
    wait = next - bucket.capacity - now;
  }
  // Whole seconds, rounded up: what a Retry-After header can say.
  const int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))));
  if (retry_after != nullptr) *retry_after = absl::Seconds(seconds);
  const RateLimit& limit = options_.limits.find(path)->second;
  return denial(
      Reason::kRateLimited,
      internal::cat(path, " allows ", limit.burst, " requests at once and ", limit.per_minute,
                    " a minute per client; retry after ", seconds, " s"));
}

size_t RateLimiter::buckets() const {
  internal::MutexLock lock(&mu_);
  return full_at_.size();
}

void RateLimiter::evict(absl::Time now) {
  // A bucket whose full-again time has passed is full: dropping it loses nothing.
  absl::erase_if(full_at_, [now](const auto& entry) { return entry.second <= now; });
  const size_t target = options_.buckets_max - std::max<size_t>(1, options_.buckets_max / 8);
  if (full_at_.size() <= target) return;
  // Still crowded: forget the buckets nearest to full, which can only let
  // those clients in a little early.
  std::vector<std::pair<absl::Time, const std::string*>> by_time;
  by_time.reserve(full_at_.size());
  for (const auto& [key, full_at] : full_at_) by_time.emplace_back(full_at, &key);
  const size_t drop = full_at_.size() - target;
  std::nth_element(by_time.begin(), by_time.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   by_time.end());
  std::vector<std::string> doomed;
  doomed.reserve(drop);
  for (size_t i = 0; i < drop; ++i) doomed.push_back(*by_time[i].second);
  for (const std::string& key : doomed) full_at_.erase(key);
}

}  // namespace account::auth
