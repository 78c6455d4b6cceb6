#include "account/auth/login_states.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "base/mutex.h"
#include "account/reason.h"
#include "account/status.h"
#include "base/strings.h"
#include "crypto.h"

namespace account::auth {

namespace crypto = internal::auth;

class LoginStates::Impl {
 public:
  explicit Impl(const LoginStateOptions& options) : options_(options) {}

  void add(const std::string& state, std::string verifier, absl::Time now,
           absl::Time expires_at) {
    internal::MutexLock lock(&mu_);
    forget_locked(now, 1);
    entries_.emplace(state, Entry{.verifier = std::move(verifier), .expires_at = expires_at});
    order_.push_back(state);
  }

  absl::StatusOr<std::string> consume(std::string_view state, absl::Time now) {
    internal::MutexLock lock(&mu_);
    forget_locked(now, 0);
    auto it = state.empty() ? entries_.end() : entries_.find(internal::to_absl(state));
    if (it == entries_.end()) {
      return denial(Reason::kLoginStateUnknown, "no login was started with that state");
    }
    Entry& entry = it->second;
    if (now >= entry.expires_at) {
      return denial(Reason::kLoginStateExpired,
                    internal::cat("the login expired ",
                                  absl::FormatDuration(now - entry.expires_at),
                                  " ago; its lifetime is ",
                                  absl::FormatDuration(options_.lifetime)));
    }
    if (entry.used) {
      return denial(Reason::kLoginStateReplayed, "the login's state was used already");
    }
    entry.used = true;
    // The verifier is needed once; the entry stays only to name a replay.
    return std::exchange(entry.verifier, std::string());
  }

  size_t size() const {
    internal::MutexLock lock(&mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::string verifier;
    absl::Time expires_at;
    bool used = false;
  };

  // Forgets entries past their memory (expiry + one lifetime), and the oldest while more than
  // `room_for` new ones would exceed states_max.
  void forget_locked(absl::Time now, size_t room_for) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!order_.empty()) {
      auto it = entries_.find(order_.front());
      const bool stale = it == entries_.end() || it->second.expires_at + options_.lifetime <= now;
      const bool full = entries_.size() + room_for > options_.states_max;
      if (!stale && !full) break;
      if (it != entries_.end()) entries_.erase(it);
      order_.pop_front();
    }
  }

  const LoginStateOptions options_;
  mutable internal::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  // States in the order they began, which is the order they expire (one lifetime for all).
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);
};

LoginStates::LoginStates(const Clock* clock, LoginStateOptions options)
    : clock_(clock), options_(options) {
  options_.states_max = std::max<size_t>(options_.states_max, 1);
  impl_ = std::make_unique<Impl>(options_);
}

LoginStates::~LoginStates() = default;

std::string LoginStates::challenge_of(std::string_view verifier) {
  return crypto::base64url_encode(crypto::sha256(verifier));
}

absl::StatusOr<PendingLogin> LoginStates::begin() {
  absl::StatusOr<std::string> state_bytes = crypto::random_bytes(kStateBytes);
  if (!state_bytes.ok()) return state_bytes.status();
  absl::StatusOr<std::string> verifier_bytes = crypto::random_bytes(kVerifierBytes);
  if (!verifier_bytes.ok()) return verifier_bytes.status();

  PendingLogin pending;
  pending.state = crypto::base64url_encode(*state_bytes);
  std::string verifier = crypto::base64url_encode(*verifier_bytes);
  pending.code_challenge = challenge_of(verifier);
  const absl::Time now = clock_->now();
  pending.expires_at = now + options_.lifetime;
  impl_->add(pending.state, std::move(verifier), now, pending.expires_at);
  return pending;
}

absl::StatusOr<std::string> LoginStates::consume(std::string_view state) {
  return impl_->consume(state, clock_->now());
}

size_t LoginStates::size() const { return impl_->size(); }

}  // namespace account::auth
