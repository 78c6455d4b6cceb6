// ScriptedGoogleClient (testing/auth/scripted_google_client.h): Google's side of the login, in
// memory. Needs only the GoogleClient interface's types; the PKCE challenge of a verifier is
// computed in the header, in the program that uses the class.
#include "account/testing/auth/scripted_google_client.h"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <utility>

#include "absl/time/time.h"
#include "account/reason.h"
#include "account/status.h"
#include "base/mutex.h"

namespace account::testing {
namespace {

using Method = ScriptedGoogleClient::Method;

void require_error(const absl::Status& status) {
  if (!status.ok()) return;
  std::fputs("ScriptedGoogleClient: an error to script must not be OK\n", stderr);
  std::abort();
}

}  // namespace

class ScriptedGoogleClient::State {
 public:
  explicit State(std::shared_ptr<const Clock> clock) : clock_(std::move(clock)) {}

  struct Grant {
    std::string challenge;  // The PKCE challenge sent with the state; empty for an unknown one.
    auth::GoogleUser user;
  };

  // Counts the call; answers the failure queued or set for it, if any.
  std::optional<absl::Status> begin(Method method) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++calls_[method];
    if (auto it = queued_.find(method); it != queued_.end() && !it->second.empty()) {
      absl::Status status = std::move(it->second.front());
      it->second.pop_front();
      return status;
    }
    if (auto it = errors_.find(method); it != errors_.end()) return it->second;
    return std::nullopt;
  }

  const std::shared_ptr<const Clock> clock_;

  mutable internal::Mutex mu_;
  std::map<std::string, std::string, std::less<>> challenges_ ABSL_GUARDED_BY(mu_);  // By state.
  std::map<std::string, Grant, std::less<>> codes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, auth::GoogleUser, std::less<>> users_ ABSL_GUARDED_BY(mu_);  // By token.
  std::map<Method, absl::Status> errors_ ABSL_GUARDED_BY(mu_);
  std::map<Method, std::deque<absl::Status>> queued_ ABSL_GUARDED_BY(mu_);
  std::map<Method, int> calls_ ABSL_GUARDED_BY(mu_);
  std::optional<std::string> id_token_subject_ ABSL_GUARDED_BY(mu_);
  bool send_id_token_ ABSL_GUARDED_BY(mu_) = true;
  int issued_ ABSL_GUARDED_BY(mu_) = 0;  // Codes and access tokens handed out.
};

std::shared_ptr<ScriptedGoogleClient::State> ScriptedGoogleClient::make_state(
    std::shared_ptr<const Clock> clock) {
  return std::make_shared<State>(clock ? std::move(clock) : std::make_shared<const SystemClock>());
}

std::string ScriptedGoogleClient::approve(std::string_view state, const auth::GoogleUser& user) {
  internal::MutexLock lock(&state_->mu_);
  const auto challenge = state_->challenges_.find(state);
  std::string code = "code-" + std::to_string(++state_->issued_);
  state_->codes_.insert_or_assign(
      code, State::Grant{challenge == state_->challenges_.end() ? "" : challenge->second, user});
  return code;
}

void ScriptedGoogleClient::set_error(Method method, absl::Status status) {
  require_error(status);
  internal::MutexLock lock(&state_->mu_);
  state_->errors_.insert_or_assign(method, std::move(status));
}

void ScriptedGoogleClient::fail_next(Method method, absl::Status status, int times) {
  require_error(status);
  internal::MutexLock lock(&state_->mu_);
  for (int i = 0; i < times; ++i) state_->queued_[method].push_back(status);
}

void ScriptedGoogleClient::clear_errors() {
  internal::MutexLock lock(&state_->mu_);
  state_->errors_.clear();
  state_->queued_.clear();
}

void ScriptedGoogleClient::set_id_token_subject(std::optional<std::string> sub) {
  internal::MutexLock lock(&state_->mu_);
  state_->id_token_subject_ = std::move(sub);
}

void ScriptedGoogleClient::set_send_id_token(bool send) {
  internal::MutexLock lock(&state_->mu_);
  state_->send_id_token_ = send;
}

int ScriptedGoogleClient::calls(Method method) const {
  internal::MutexLock lock(&state_->mu_);
  auto it = state_->calls_.find(method);
  return it == state_->calls_.end() ? 0 : it->second;
}

std::string ScriptedGoogleClient::remember_login(std::string_view state,
                                                 std::string_view code_challenge) const {
  internal::MutexLock lock(&state_->mu_);
  state_->challenges_.insert_or_assign(std::string(state), std::string(code_challenge));
  return "https://accounts.example/o/oauth2/v2/auth?response_type=code&state=" +
         std::string(state) + "&code_challenge=" + std::string(code_challenge) +
         "&code_challenge_method=S256";
}

absl::StatusOr<auth::GoogleTokens> ScriptedGoogleClient::exchange(
    std::string_view code, const std::string& verifier_challenge) {
  internal::MutexLock lock(&state_->mu_);
  if (auto error = state_->begin(Method::kExchangeCode)) return *error;
  auto it = state_->codes_.find(code);
  if (it == state_->codes_.end()) return denial(Reason::kGoogleRejected, "invalid_grant: bad code");
  const State::Grant grant = std::move(it->second);
  state_->codes_.erase(it);  // Single use, even when the verifier is wrong.
  if (grant.challenge.empty() || verifier_challenge != grant.challenge) {
    return denial(Reason::kGoogleRejected, "invalid_grant: PKCE verifier mismatch");
  }
  const std::string access = "google-access-" + std::to_string(++state_->issued_);
  state_->users_.insert_or_assign(access, grant.user);
  auth::GoogleTokens tokens{.access_token = access, .expires_in_seconds = 3599};
  if (state_->send_id_token_) {
    const absl::Time expires = state_->clock_->now() + absl::Hours(1);
    tokens.id_claims =
        auth::GoogleIdClaims{.sub = state_->id_token_subject_.value_or(grant.user.sub),
                             .email = grant.user.email,
                             .email_verified = grant.user.email_verified,
                             .expires_at_unix_seconds = absl::ToUnixSeconds(expires)};
  }
  return tokens;
}

absl::StatusOr<auth::GoogleUser> ScriptedGoogleClient::user_of(std::string_view access_token) {
  internal::MutexLock lock(&state_->mu_);
  if (auto error = state_->begin(Method::kUserinfo)) return *error;
  auto it = state_->users_.find(access_token);
  if (it == state_->users_.end()) return denial(Reason::kGoogleRejected, "invalid access token");
  return it->second;
}

}  // namespace account::testing
