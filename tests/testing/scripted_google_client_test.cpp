// ScriptedGoogleClient (account/testing/auth/scripted_google_client.h): the code flow with
// PKCE as Google answers it, single-use codes, scripted failures and id_tokens, the counts, and
// a whole sign-in through AuthService.
#include "account/memory_store.h"
#include "account/testing/auth/scripted_google_client.h"

#include <catch2/catch.hpp>
#include <memory>

#include "account/account_service.h"
#include "account/auth/auth_service.h"
#include "account/auth/login_states.h"
#include "account/auth/memory_token_store.h"
#include "account/status.h"

namespace account {
namespace {

using auth::GoogleUser;
using testing::ScriptedGoogleClient;
using Method = ScriptedGoogleClient::Method;

const absl::Time kT = absl::FromUnixSeconds(1'790'000'000);

GoogleUser alice() {
  return GoogleUser{.sub = "108204268033311374519",
                    .email = "alice@example.com",
                    .email_verified = true,
                    .name = "Alice",
                    .picture = ""};
}

constexpr std::string_view kVerifier = "a-verifier-of-forty-three-characters-or-so-x";

TEST_CASE("scripted google: a code approved for a state exchanges once, with its verifier",
          "[testing][google]") {
  ScriptedGoogleClient google(std::make_shared<ManualClock>(kT));
  const std::string url =
      google.authorization_url("state-1", auth::LoginStates::challenge_of(kVerifier));
  CHECK(url.find("state=state-1") != std::string::npos);
  CHECK(url.find("code_challenge_method=S256") != std::string::npos);

  const std::string code = google.approve("state-1", alice());
  const absl::StatusOr<auth::GoogleTokens> tokens = google.exchange_code(code, kVerifier);
  REQUIRE(tokens.ok());
  REQUIRE(tokens->id_claims.has_value());
  CHECK(tokens->id_claims->sub == alice().sub);
  CHECK(tokens->id_claims->email == alice().email);
  CHECK(tokens->id_claims->email_verified);
  CHECK(tokens->id_claims->expires_at_unix_seconds == absl::ToUnixSeconds(kT) + 3600);
  CHECK(google.userinfo(tokens->access_token).value() == alice());

  // Single use.
  CHECK(reason_of(google.exchange_code(code, kVerifier)) == Reason::kGoogleRejected);
  CHECK(reason_of(google.userinfo("an-access-token-never-issued")) == Reason::kGoogleRejected);
  CHECK(google.calls(Method::kExchangeCode) == 2);
  CHECK(google.calls(Method::kUserinfo) == 2);
}

TEST_CASE("scripted google: a wrong verifier is refused and burns the code", "[testing][google]") {
  ScriptedGoogleClient google;
  google.authorization_url("s", auth::LoginStates::challenge_of(kVerifier));
  const std::string code = google.approve("s", alice());
  const auto wrong = google.exchange_code(code, "another-verifier");
  CHECK(reason_of(wrong) == Reason::kGoogleRejected);
  CHECK(wrong.status().message().find("PKCE") != std::string_view::npos);
  CHECK(reason_of(google.exchange_code(code, kVerifier)) == Reason::kGoogleRejected);
  // A state it never sent to Google: the code exists, but no verifier matches.
  const std::string stray = google.approve("never-seen", alice());
  CHECK(reason_of(google.exchange_code(stray, kVerifier)) == Reason::kGoogleRejected);
}

TEST_CASE("scripted google: failures queued, then set, then cleared", "[testing][google]") {
  ScriptedGoogleClient google;
  google.authorization_url("s", auth::LoginStates::challenge_of(kVerifier));
  const absl::Status down = denial(Reason::kGoogleUnavailable, "token endpoint: HTTP 503");
  const absl::Status invalid = denial(Reason::kGoogleResponseInvalid, "no access_token");
  google.set_error(Method::kExchangeCode, invalid);
  google.fail_next(Method::kExchangeCode, down, 2);
  const std::string code = google.approve("s", alice());
  CHECK(google.exchange_code(code, kVerifier).status() == down);
  CHECK(google.exchange_code(code, kVerifier).status() == down);
  CHECK(google.exchange_code(code, kVerifier).status() == invalid);
  google.clear_errors();
  // A scripted failure does not spend the code.
  const auto tokens = google.exchange_code(code, kVerifier);
  REQUIRE(tokens.ok());
  google.fail_next(Method::kUserinfo, down);
  CHECK(google.userinfo(tokens->access_token).status() == down);
  CHECK(google.userinfo(tokens->access_token).ok());
  CHECK(google.calls(Method::kExchangeCode) == 4);
}

TEST_CASE("scripted google: id_tokens for another subject, or none", "[testing][google]") {
  ScriptedGoogleClient google;
  google.authorization_url("a", auth::LoginStates::challenge_of(kVerifier));
  google.authorization_url("b", auth::LoginStates::challenge_of(kVerifier));
  google.set_id_token_subject("google-sub-mallory");
  auto tokens = google.exchange_code(google.approve("a", alice()), kVerifier);
  REQUIRE(tokens.ok());
  CHECK(tokens->id_claims->sub == "google-sub-mallory");
  google.set_id_token_subject(std::nullopt);
  google.set_send_id_token(false);
  tokens = google.exchange_code(google.approve("b", alice()), kVerifier);
  REQUIRE(tokens.ok());
  CHECK_FALSE(tokens->id_claims.has_value());
}

TEST_CASE("scripted google: a whole sign-in through AuthService, and a Google outage",
          "[testing][google]") {
  auto clock = std::make_shared<ManualClock>(kT);
  auto accounts =
      AccountService::open({.store = std::make_shared<MemoryStore>(), .clock = clock}).value();
  ScriptedGoogleClient google(clock);
  auth::MemoryTokenStore tokens;
  auth::AuthServiceOptions o;
  o.access.issuer = "https://exchange.example";
  o.access.audience = "exchange-api";
  o.access_keys = {{"k1", std::string(32, 's')}};
  o.access_current_kid = "k1";
  auto service =
      auth::AuthService::create(o, accounts.get(), &google, &tokens, clock.get()).value();

  const auth::LoginStart start = service->begin_login().value();
  const absl::StatusOr<auth::Session> session =
      service->complete_login(google.approve(start.state, alice()), start.state);
  REQUIRE(session.ok());
  CHECK(session->account == accounts->get_account_id_by_user_id(alice().sub).value());

  google.set_error(Method::kExchangeCode, denial(Reason::kGoogleUnavailable, "HTTP 503"));
  const auth::LoginStart again = service->begin_login().value();
  CHECK(reason_of(service->complete_login(google.approve(again.state, alice()), again.state)) ==
        Reason::kGoogleUnavailable);
}

}  // namespace
}  // namespace account
