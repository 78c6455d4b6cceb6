// File: testing/auth/scripted_google_client.h
//
// ScriptedGoogleClient: an auth::GoogleClient (auth/google_client.h) in process memory for
// sign-in tests. It plays both Google and the user at the consent screen: authorization_url()
// remembers the PKCE challenge sent with each state; approve() stands for the user saying yes
// and returns the code Google would redirect back with; exchange_code() checks that code
// (single use, burnt even by a failed exchange) and the S256 verifier against the challenge, as
// Google does, and answers tokens whose id_token claims name the approved user; userinfo()
// answers the user of an access token it issued.
//
//   account::testing::ScriptedGoogleClient google;
//   auto auth = account::auth::AuthService::create(options, &accounts, &google, &tokens, &clock);
//   const auto start = auth->begin_login().value();
//   const std::string code = google.approve(start.state, {.sub = "108...", .email = "a@x.test",
//                                                         .email_verified = true});
//   auth->complete_login(code, start.state);
//   google.fail_next(ScriptedGoogleClient::Method::kExchangeCode,
//                    denial(Reason::kGoogleUnavailable, "token endpoint: HTTP 503"));
//
// Scripting: an error for every call of a method (set_error) or for the next few (fail_next,
// answered first); an id_token naming another subject (set_id_token_subject), or none at all
// (set_send_id_token(false)), for the checks sign-in makes of Google's answer. Wrong answers
// are denials with the reasons of google_client.h: kGoogleRejected for an unknown or used
// code, a verifier that does not match, or an access token it never issued.
//
// What it does not model: HTTP, JSON, the JWKS and id_token signatures (the claims it answers
// are what a verified id_token holds; a token that fails verification is an error to script),
// the client id, secret and redirect URL, token expiry, and rate limits. An approve() of a
// state it never saw issues a code whose exchange fails the PKCE check. The fake Google over
// HTTP in the project's tests (tests/support/fake_google.h) covers the wire.
//
// Requires account::auth: the verifier's S256 challenge is auth::LoginStates::challenge_of(),
// called from this header, so a test that uses it links account::auth beside account::testing.
//
// Thread-safety: every member may be called from any thread, scripting included.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/auth/google_client.h"
#include "account/auth/login_states.h"
#include "account/clock.h"

namespace account::testing {

class ScriptedGoogleClient final : public auth::GoogleClient {
 public:
  // The calls that can fail, for counting and scripting failures.
  enum class Method : uint8_t {
    kExchangeCode,
    kUserinfo,
  };

  // `clock` dates the id_token's expiry (an hour after the exchange); null: the system clock.
  explicit ScriptedGoogleClient(std::shared_ptr<const Clock> clock = nullptr)
      : state_(make_state(std::move(clock))) {}
  ScriptedGoogleClient(const ScriptedGoogleClient&) = delete;
  ScriptedGoogleClient& operator=(const ScriptedGoogleClient&) = delete;

  // --- The user.

  // The user approves the login that sent `state`: returns the code for the redirect back.
  std::string approve(std::string_view state, const auth::GoogleUser& user);

  // --- Scripting.

  // Every later call of `method` answers `status` (not OK) until clear_errors().
  void set_error(Method method, absl::Status status);
  // The next `times` calls of `method` answer `status` (not OK), before anything else.
  void fail_next(Method method, absl::Status status, int times = 1);
  void clear_errors();
  // The id_token of later exchanges names `sub` instead of the approved user's (nullopt: the
  // user's own).
  void set_id_token_subject(std::optional<std::string> sub);
  // Whether later exchanges answer an id_token at all (default true).
  void set_send_id_token(bool send);

  // --- Counting. Every call counts, failed ones included.

  int calls(Method method) const;

  // --- GoogleClient.
  //
  // Every virtual member is defined here, in the header, and forwards to the library: the
  // class then has no key function, so its vtable, and with it the call to
  // auth::LoginStates::challenge_of(), is emitted only in the program that uses the class,
  // which links account::auth; account::testing itself needs nothing of account::auth's
  // libraries (OpenSSL).

  ~ScriptedGoogleClient() override = default;
  std::string authorization_url(std::string_view state,
                                std::string_view code_challenge) const override {
    return remember_login(state, code_challenge);
  }
  absl::StatusOr<auth::GoogleTokens> exchange_code(std::string_view code,
                                                   std::string_view code_verifier) override {
    return exchange(code, auth::LoginStates::challenge_of(code_verifier));
  }
  absl::StatusOr<auth::GoogleUser> userinfo(std::string_view access_token) override {
    return user_of(access_token);
  }

 private:
  class State;
  static std::shared_ptr<State> make_state(std::shared_ptr<const Clock> clock);

  std::string remember_login(std::string_view state, std::string_view code_challenge) const;
  absl::StatusOr<auth::GoogleTokens> exchange(std::string_view code,
                                              const std::string& verifier_challenge);
  absl::StatusOr<auth::GoogleUser> user_of(std::string_view access_token);

  // Shared, not unique: its deleter is bound where the State is complete (the library), so
  // the destructor above can stay inline.
  std::shared_ptr<State> state_;
};

}  // namespace account::testing
