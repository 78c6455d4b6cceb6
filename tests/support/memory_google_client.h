// A GoogleClient in memory for the login flow's unit tests: it plays both Google and the user
// who approves the consent screen. authorization_url() remembers the challenge sent with each
// state; approve() stands for the user saying yes and returns the code Google would send back;
// exchange_code() checks that code (single-use) and the PKCE S256 verifier against the
// challenge, as Google does. Switches make it misbehave.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "account/auth/google_client.h"
#include "account/auth/login_states.h"
#include "account/status.h"

namespace account::testing {

class MemoryGoogleClient final : public auth::GoogleClient {
 public:
  // What exchange_code() answers instead of the truth, when set.
  std::optional<absl::Status> exchange_failure;
  // Send an id_token whose sub is this instead of the user's.
  std::optional<std::string> id_token_sub;
  bool send_id_token = true;

  std::string authorization_url(std::string_view state,
                                std::string_view code_challenge) const override {
    std::lock_guard<std::mutex> lock(mu_);
    challenges_[std::string(state)] = std::string(code_challenge);
    return "https://accounts.example/o/oauth2/v2/auth?response_type=code&state=" +
           std::string(state) + "&code_challenge=" + std::string(code_challenge) +
           "&code_challenge_method=S256";
  }

  // The user approves the login that sent `state`: returns the code for the redirect back.
  std::string approve(std::string_view state, const auth::GoogleUser& user) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string code = "code-" + std::to_string(++codes_issued_);
    codes_[code] = Grant{challenges_.at(std::string(state)), user};
    return code;
  }

  absl::StatusOr<auth::GoogleTokens> exchange_code(std::string_view code,
                                                   std::string_view code_verifier) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++exchanges;
    if (exchange_failure) return *exchange_failure;
    auto it = codes_.find(std::string(code));
    if (it == codes_.end()) return denial(Reason::kGoogleRejected, "invalid_grant: bad code");
    const Grant grant = it->second;
    codes_.erase(it);  // Single-use, even when the verifier is wrong.
    if (auth::LoginStates::challenge_of(code_verifier) != grant.challenge) {
      return denial(Reason::kGoogleRejected, "invalid_grant: PKCE verifier mismatch");
    }
    const std::string access = "google-access-" + std::to_string(++codes_issued_);
    users_[access] = grant.user;
    auth::GoogleTokens tokens{.access_token = access, .expires_in_seconds = 3599};
    if (send_id_token) {
      tokens.id_claims = auth::GoogleIdClaims{.sub = id_token_sub.value_or(grant.user.sub),
                                              .email = grant.user.email,
                                              .email_verified = grant.user.email_verified,
                                              .expires_at_unix_seconds = 1'790'003'600};
    }
    return tokens;
  }

  absl::StatusOr<auth::GoogleUser> userinfo(std::string_view access_token) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find(std::string(access_token));
    if (it == users_.end()) return denial(Reason::kGoogleRejected, "invalid access token");
    return it->second;
  }

  int exchanges = 0;

 private:
  struct Grant {
    std::string challenge;
    auth::GoogleUser user;
  };
  mutable std::mutex mu_;
  mutable std::map<std::string, std::string> challenges_;  // state -> code_challenge
  std::map<std::string, Grant> codes_;
  std::map<std::string, auth::GoogleUser> users_;          // Google access token -> user
  int codes_issued_ = 0;
};

}  // namespace account::testing
