#include "account/auth/login_states.h"

#include <algorithm>
#include <utility>

#include "base/strings.h"
#include "account/reason.h"
#include "account/status.h"
#include "crypto.h"

namespace account::auth {

namespace crypto = internal::auth;

LoginStates::LoginStates(const Clock* clock, LoginStateOptions options)
    : clock_(clock), options_(options) {
  options_.states_max = std::max<size_t>(options_.states_max, 1);
}

std::string LoginStates::challenge_of(std::string_view verifier) {
  return crypto::base64url_encode(crypto::sha256(verifier));
}

void LoginStates::forget_locked(absl::Time now, size_t room_for) {
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    const bool stale = it == entries_.end() || it->second.expires_at + options_.lifetime <= now;
    const bool full = entries_.size() + room_for > options_.states_max;
    if (!stale && !full) break;
    if (it != entries_.end()) entries_.erase(it);
    order_.pop_front();
  }
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

  internal::MutexLock lock(&mu_);
  forget_locked(now, 1);
  entries_.emplace(pending.state, Entry{.verifier = std::move(verifier),
                                        .expires_at = pending.expires_at});
  order_.push_back(pending.state);
  return pending;
}

absl::StatusOr<std::string> LoginStates::consume(std::string_view state) {
  const absl::Time now = clock_->now();
  internal::MutexLock lock(&mu_);
  forget_locked(now, 0);
  auto it = state.empty() ? entries_.end() : entries_.find(internal::to_absl(state));
  if (it == entries_.end()) {
    return denial(Reason::kLoginStateUnknown, "no login was started with that state");
  }
  Entry& entry = it->second;
  if (now >= entry.expires_at) {
    return denial(Reason::kLoginStateExpired,
                  internal::cat("the login expired ", absl::FormatDuration(now - entry.expires_at),
                                " ago; its lifetime is ",
                                absl::FormatDuration(options_.lifetime)));
  }
  if (entry.used) return denial(Reason::kLoginStateReplayed, "the login's state was used already");
  entry.used = true;
  // The verifier is needed once; the entry stays only to name a replay.
  return std::exchange(entry.verifier, std::string());
}

size_t LoginStates::size() const {
  internal::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace account::auth
