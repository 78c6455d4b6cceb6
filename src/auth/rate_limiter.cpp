#include "account/auth/rate_limiter.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "base/mutex.h"
#include "account/status.h"
#include "base/strings.h"
#include "http/gcra.h"

namespace account::auth {

using internal::http::Gcra;

class RateLimiter::Impl {
 public:
  Impl(RateLimiterOptions options, std::map<std::string, Gcra, std::less<>> shapes)
      : options_(std::move(options)), shapes_(std::move(shapes)) {}

  absl::Status acquire(std::string_view path, std::string_view client_key,
                       absl::Duration* retry_after);
  size_t buckets() const {
    internal::MutexLock lock(&mu_);
    return tat_.size();
  }

 private:
  void evict(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RateLimiterOptions options_;
  const std::map<std::string, Gcra, std::less<>> shapes_;  // Per path.
  mutable internal::Mutex mu_;
  internal::http::MonotonicTime time_ ABSL_GUARDED_BY(mu_);
  // "<path>\n<client key>" -> that bucket's theoretical arrival time: when it is full again.
  absl::flat_hash_map<std::string, absl::Time> tat_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<RateLimiter>> RateLimiter::create(RateLimiterOptions options) {
  std::map<std::string, Gcra, std::less<>> shapes;
  for (const auto& [path, limit] : options.limits) {
    if (path.empty()) return absl::InvalidArgumentError("rate limit for an empty path");
    absl::StatusOr<Gcra> shape =
        Gcra::create({.burst = limit.burst, .per_minute = limit.per_minute});
    if (!shape.ok()) {
      return absl::InvalidArgumentError(
          internal::cat("rate limit for ", path, ": ", shape.status().message()));
    }
    shapes.emplace(path, *shape);
  }
  if (options.buckets_max == 0) return absl::InvalidArgumentError("buckets_max must be >= 1");
  if (!options.clock) options.clock = std::make_shared<SystemClock>();
  return std::unique_ptr<RateLimiter>(
      new RateLimiter(std::make_unique<Impl>(std::move(options), std::move(shapes))));
}

RateLimiter::RateLimiter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RateLimiter::~RateLimiter() = default;

absl::Status RateLimiter::acquire(std::string_view path, std::string_view client_key,
                                  absl::Duration* retry_after) {
  return impl_->acquire(path, client_key, retry_after);
}

size_t RateLimiter::buckets() const { return impl_->buckets(); }

absl::Status RateLimiter::Impl::acquire(std::string_view path, std::string_view client_key,
                                        absl::Duration* retry_after) {
  const auto shape = shapes_.find(path);
  if (shape == shapes_.end()) return absl::OkStatus();
  const Gcra& gcra = shape->second;
  std::string key = internal::cat(path, "\n", client_key.substr(0, kClientKeyBytesMax));
  absl::Duration wait;
  {
    internal::MutexLock lock(&mu_);
    const absl::Time now = time_(options_.clock->now());
    auto it = tat_.find(key);
    absl::Time tat = it == tat_.end() ? absl::InfinitePast() : it->second;
    wait = gcra.admit(&tat, now);
    if (wait == absl::ZeroDuration()) {
      if (it != tat_.end()) {
        it->second = tat;
      } else {
        if (tat_.size() >= options_.buckets_max) evict(now);
        tat_.emplace(std::move(key), tat);
      }
      return absl::OkStatus();
    }
  }
  // Whole seconds, rounded up: what a Retry-After header can say.
  const int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))));
  if (retry_after != nullptr) *retry_after = absl::Seconds(seconds);
  return denial(Reason::kRateLimited,
                internal::cat(path, " allows ", gcra.rate().burst, " requests at once and ",
                              gcra.rate().per_minute, " a minute per client; retry after ",
                              seconds, " s"));
}

void RateLimiter::Impl::evict(absl::Time now) {
  // A full bucket carries no information: dropping it loses nothing.
  absl::erase_if(tat_, [now](const auto& entry) { return Gcra::full(entry.second, now); });
  const size_t target = options_.buckets_max - std::max<size_t>(1, options_.buckets_max / 8);
  if (tat_.size() <= target) return;
  // Still crowded: forget the buckets nearest to full, which can only let
  // those clients in a little early.
  std::vector<std::pair<absl::Time, const std::string*>> by_time;
  by_time.reserve(tat_.size());
  for (const auto& [key, tat] : tat_) by_time.emplace_back(tat, &key);
  const size_t drop = tat_.size() - target;
  std::nth_element(by_time.begin(), by_time.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   by_time.end());
  std::vector<std::string> doomed;
  doomed.reserve(drop);
  for (size_t i = 0; i < drop; ++i) doomed.push_back(*by_time[i].second);
  for (const std::string& key : doomed) tat_.erase(key);
}

}  // namespace account::auth
