// CurlGoogleClient against the fake Google on 127.0.0.1: the authorization
// URL, the code exchange (PKCE, single-use codes, no retry once sent),
// userinfo (retries, Retry-After), every id_token refusal with its reason,
// and the JWKS cache.
#include "account/auth/curl_google_client.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "account/status.h"
#include "crypto.h"
#include "support/fake_google.h"

namespace account::auth {
namespace {

using testing::FakeGoogle;
using IdToken = FakeGoogle::IdToken;

std::string message(const absl::Status& status) { return std::string(status.message()); }

struct Fixture {
  Fixture() : fake(clock) {}
  std::unique_ptr<CurlGoogleClient> client(CurlGoogleClientOptions o) {
    return CurlGoogleClient::create(std::move(o)).value();
  }
  std::unique_ptr<CurlGoogleClient> client() { return client(fake.client_options()); }

  // A fresh PKCE pair: verifier (43 chars) and its S256 challenge.
  static std::pair<std::string, std::string> pkce() {
    const std::string verifier =
        internal::auth::base64url_encode(internal::auth::random_bytes(32).value());
    return {verifier, internal::auth::base64url_encode(internal::auth::sha256(verifier))};
  }

  // Runs the browser leg and returns the code Google handed out.
  std::string code_for(GoogleClient& google, const std::string& challenge) {
    FakeGoogle::Approval approval = fake.approve(google.authorization_url("st-1", challenge));
    REQUIRE(approval.status == 302);
    REQUIRE(!approval.code.empty());
    return approval.code;
  }

  std::shared_ptr<ManualClock> clock =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1'790'000'000));
  FakeGoogle fake;
};

TEST_CASE("google: the authorization URL carries every parameter, escaped", "[auth][google]") {
  Fixture f;
  auto google = f.client();
  const std::string url = google->authorization_url("a b&c=d/é", "CHALLENGE-_x");
  CHECK(url == f.fake.base_url() +
                   "/authorize?response_type=code"
                   "&client_id=test-client.apps.googleusercontent.com"
                   "&redirect_uri=http%3A%2F%2Fapp.test%2Fauth%2Freturn"
                   "&scope=openid%20email%20profile&state=a%20b%26c%3Dd%2F%C3%A9"
                   "&code_challenge=CHALLENGE-_x&code_challenge_method=S256");
  // The fake reads it back: state survives the round trip.
  const auto [verifier, challenge] = Fixture::pkce();
  FakeGoogle::Approval approval = f.fake.approve(google->authorization_url("a b&c=d/é", challenge));
  CHECK(approval.status == 302);
  INFO(approval.location);
  CHECK(approval.state == "a b&c=d/é");
  CHECK(approval.location.rfind(f.fake.redirect_url() + "?", 0) == 0);
}

TEST_CASE("google: code exchange and userinfo, with a verified id_token", "[auth][google]") {
  Fixture f;
  auto google = f.client();
  const auto [verifier, challenge] = Fixture::pkce();
  const std::string code = f.code_for(*google, challenge);

  absl::StatusOr<GoogleTokens> tokens = google->exchange_code(code, verifier);
  REQUIRE(tokens.ok());
  CHECK(tokens->expires_in_seconds == 3599);
  REQUIRE(tokens->id_claims.has_value());
  CHECK(tokens->id_claims->sub == "108204268033311374519");
  CHECK(tokens->id_claims->email == "alice@example.com");
  CHECK(tokens->id_claims->email_verified);
  CHECK(tokens->id_claims->expires_at_unix_seconds == 1'790'000'000 + 3600);

  const auto form = f.fake.last_token_form();
  const auto field = [&](const std::string& name) {
    auto it = form.find(name);
    return it == form.end() ? std::string("<none>") : it->second;
  };
  CHECK(field("grant_type") == "authorization_code");
  CHECK(field("code") == code);
  CHECK(field("code_verifier") == verifier);
  CHECK(field("client_id") == FakeGoogle::kClientId);
  CHECK(field("client_secret") == FakeGoogle::kClientSecret);
  CHECK(field("redirect_uri") == f.fake.redirect_url());

  absl::StatusOr<GoogleUser> user = google->userinfo(tokens->access_token);
  REQUIRE(user.ok());
  CHECK(*user == GoogleUser{.sub = "108204268033311374519",
                            .email = "alice@example.com",
                            .email_verified = true,
                            .name = "Alice Example",
                            .picture = "https://lh3.googleusercontent.com/a/alice"});
  CHECK(f.fake.last_authorization_header() == "Bearer " + tokens->access_token);
  CHECK(f.fake.hits("/jwks") == 1);
}

TEST_CASE("google: no id_token in the answer leaves id_claims empty", "[auth][google]") {
  Fixture f;
  f.fake.set_id_token(IdToken::kNone);
  auto google = f.client();
  const auto [verifier, challenge] = Fixture::pkce();
  absl::StatusOr<GoogleTokens> tokens =
      google->exchange_code(f.code_for(*google, challenge), verifier);
  REQUIRE(tokens.ok());
  CHECK(!tokens->id_claims.has_value());
  CHECK(f.fake.hits("/jwks") == 0);
}

TEST_CASE("google: a used code is GoogleRejected, and the message holds no secret",
          "[auth][google]") {
  Fixture f;
  auto google = f.client();
  const auto [verifier, challenge] = Fixture::pkce();
  const std::string code = f.code_for(*google, challenge);
  REQUIRE(google->exchange_code(code, verifier).ok());
  absl::StatusOr<GoogleTokens> again = google->exchange_code(code, verifier);
  CHECK(reason_of(again) == Reason::kGoogleRejected);
  CHECK(message(again.status()) ==
        "GoogleRejected: token endpoint answered HTTP 400 invalid_grant");
  CHECK(f.fake.hits("/token") == 2);
}

TEST_CASE("google: a PKCE verifier that does not match the challenge is GoogleRejected",
          "[auth][google]") {
  Fixture f;
  auto google = f.client();
  const auto [verifier, challenge] = Fixture::pkce();
  const std::string code = f.code_for(*google, challenge);
  const auto [other_verifier, other_challenge] = Fixture::pkce();
  absl::StatusOr<GoogleTokens> tokens = google->exchange_code(code, other_verifier);
  CHECK(reason_of(tokens) == Reason::kGoogleRejected);
  CHECK(message(tokens.status()).find("invalid_grant") != std::string::npos);
  // The code was burnt by the failed attempt, as Google does.
  CHECK(reason_of(google->exchange_code(code, verifier)) == Reason::kGoogleRejected);
}

TEST_CASE("google: a wrong client secret is GoogleRejected (invalid_client)", "[auth][google]") {
  Fixture f;
  CurlGoogleClientOptions o = f.fake.client_options();
  o.client_secret = "not-the-secret";
  auto google = f.client(o);
  const auto [verifier, challenge] = Fixture::pkce();
  absl::StatusOr<GoogleTokens> tokens =
      google->exchange_code(f.code_for(*google, challenge), verifier);
  CHECK(reason_of(tokens) == Reason::kGoogleRejected);
  CHECK(message(tokens.status()) ==
        "GoogleRejected: token endpoint answered HTTP 401 invalid_client");
  CHECK(message(tokens.status()).find("not-the-secret") == std::string::npos);
}

TEST_CASE("google: a 5xx from the token endpoint is GoogleUnavailable and is not retried",
          "[auth][google]") {
  Fixture f;
  f.fake.script("/token", {{.status = 503, .body = "{}"}, {.status = 503, .body = "{}"}});
  auto google = f.client();
  absl::StatusOr<GoogleTokens> tokens = google->exchange_code("some-code", "some-verifier");
  CHECK(reason_of(tokens) == Reason::kGoogleUnavailable);
  CHECK(message(tokens.status()) == "GoogleUnavailable: token endpoint answered HTTP 503");
  CHECK(f.fake.hits("/token") == 1);  // The code may be spent: never sent twice.
}

TEST_CASE("google: an exchange that never reached Google is sent again", "[auth][google]") {
  Fixture f;
  CurlGoogleClientOptions o = f.fake.client_options();
  o.token_endpoint = "http://127.0.0.1:1/token";  // Nothing listens: connection refused.
  auto google = f.client(o);
  const absl::Time before = f.clock->now();
  absl::StatusOr<GoogleTokens> tokens = google->exchange_code("some-code", "some-verifier");
  CHECK(reason_of(tokens) == Reason::kGoogleUnavailable);
  CHECK(message(tokens.status()).find("token endpoint") != std::string::npos);
  CHECK(f.clock->now() > before);  // It backed off between the attempts.
}

TEST_CASE("google: malformed answers are GoogleResponseInvalid", "[auth][google]") {
  Fixture f;
  auto google = f.client();
  f.fake.script("/token", {{.status = 200, .body = "{\"access_token\": "},
                           {.status = 200, .body = "{\"expires_in\":3599}"},
                           {.status = 200, .body = "{\"access_token\":\"x\",\"expires_in\":\"1\"}"},
                           {.status = 302, .body = ""}});
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<GoogleTokens> tokens = google->exchange_code("c", "v");
    INFO(message(tokens.status()));
    CHECK(reason_of(tokens) == Reason::kGoogleResponseInvalid);
  }
  f.fake.script("/userinfo", {{.status = 200, .body = "not json"},
                              {.status = 200, .body = "{\"email\":\"a@b.c\"}"},
                              {.status = 200, .body = "{\"sub\":7}"}});
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<GoogleUser> user = google->userinfo("t");
    INFO(message(user.status()));
    CHECK(reason_of(user) == Reason::kGoogleResponseInvalid);
  }
}

TEST_CASE("google: userinfo with an unknown token is GoogleRejected", "[auth][google]") {
  Fixture f;
  auto google = f.client();
  absl::StatusOr<GoogleUser> user = google->userinfo("forged-access-token");
  CHECK(reason_of(user) == Reason::kGoogleRejected);
  CHECK(message(user.status()) ==
        "GoogleRejected: userinfo endpoint answered HTTP 401 invalid_token");
  CHECK(f.fake.hits("/userinfo") == 1);
}

TEST_CASE("google: userinfo reports an unverified email as such", "[auth][google]") {
  Fixture f;
  f.fake.set_email_verified(false);
  auto google = f.client();
  const auto [verifier, challenge] = Fixture::pkce();
  absl::StatusOr<GoogleTokens> tokens =
      google->exchange_code(f.code_for(*google, challenge), verifier);
  REQUIRE(tokens.ok());
  CHECK(!tokens->id_claims->email_verified);
  absl::StatusOr<GoogleUser> user = google->userinfo(tokens->access_token);
  REQUIRE(user.ok());
  CHECK(!user->email_verified);
}

TEST_CASE("google: userinfo retries 5xx and 429, honouring Retry-After", "[auth][google]") {
  Fixture f;
  auto google = f.client();
  const auto [verifier, challenge] = Fixture::pkce();
  absl::StatusOr<GoogleTokens> tokens =
      google->exchange_code(f.code_for(*google, challenge), verifier);
  REQUIRE(tokens.ok());
  f.fake.script("/userinfo", {{.status = 500, .body = "{}"},
                              {.status = 429, .body = "{}", .headers = {{"Retry-After", "3"}}}});
  const absl::Time before = f.clock->now();
  absl::StatusOr<GoogleUser> user = google->userinfo(tokens->access_token);
  REQUIRE(user.ok());
  CHECK(f.fake.hits("/userinfo") == 3);
  CHECK(f.clock->now() - before >= absl::Seconds(3));

  f.fake.script("/userinfo", {{.status = 503, .body = "{}"},
                              {.status = 503, .body = "{}"},
                              {.status = 503, .body = "{}"}});
  absl::StatusOr<GoogleUser> down = google->userinfo(tokens->access_token);
  CHECK(reason_of(down) == Reason::kGoogleUnavailable);
  CHECK(message(down.status()) ==
        "GoogleUnavailable: userinfo endpoint: gave up after 3 attempts, the last: "
        "GoogleUnavailable: userinfo endpoint answered HTTP 503");

  f.fake.script("/userinfo", {{.status = 429, .body = "{}", .headers = {{"Retry-After", "600"}}}});
  const int hits = f.fake.hits("/userinfo");
  CHECK(reason_of(google->userinfo(tokens->access_token)) == Reason::kGoogleUnavailable);
  CHECK(f.fake.hits("/userinfo") == hits + 1);  // Too long a wait: gave up at once.
}

TEST_CASE("google: each broken id_token is refused with its reason", "[auth][google]") {
  const std::pair<IdToken, Reason> rows[] = {
      {IdToken::kAlgNone, Reason::kTokenAlgorithmRejected},
      {IdToken::kAlgHs256, Reason::kTokenAlgorithmRejected},
      {IdToken::kUnknownKid, Reason::kTokenKeyUnknown},
      {IdToken::kForged, Reason::kTokenSignatureInvalid},
      {IdToken::kExpired, Reason::kTokenExpired},
      {IdToken::kNotYetValid, Reason::kTokenNotYetValid},
      {IdToken::kWrongIssuer, Reason::kTokenClaimsInvalid},
      {IdToken::kWrongAudience, Reason::kTokenClaimsInvalid},
  };
  Fixture f;
  auto google = f.client();
  for (const auto& [kind, reason] : rows) {
    f.fake.set_id_token(kind);
    const auto [verifier, challenge] = Fixture::pkce();
    absl::StatusOr<GoogleTokens> tokens =
        google->exchange_code(f.code_for(*google, challenge), verifier);
    INFO(message(tokens.status()));
    CHECK(reason_of(tokens) == reason);
  }
}

TEST_CASE("google: a tampered or garbled id_token is refused", "[auth][google]") {
  Fixture f;
  auto google = f.client();
  const std::string token = f.fake.mint_id_token(IdToken::kValid);
  REQUIRE(google->verify_id_token(token).ok());

  // Another payload under the same signature.
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  FakeGoogle other(f.clock);
  other.set_user({.sub = "attacker", .email = "mallory@example.com", .email_verified = true});
  const std::string forged_payload = other.mint_id_token(IdToken::kValid);
  const size_t o1 = forged_payload.find('.');
  const size_t o2 = forged_payload.find('.', o1 + 1);
  const std::string swapped =
      token.substr(0, dot1 + 1) + forged_payload.substr(o1 + 1, o2 - o1 - 1) + token.substr(dot2);
  CHECK(reason_of(google->verify_id_token(swapped)) == Reason::kTokenSignatureInvalid);

  // One character of the signature changed (mid-signature, so it stays canonical base64url).
  std::string flipped = token;
  char& c = flipped[dot2 + 10];
  c = c == 'A' ? 'B' : 'A';
  CHECK(reason_of(google->verify_id_token(flipped)) == Reason::kTokenSignatureInvalid);
  // One character of the payload changed.
  std::string edited = token;
  char& p = edited[dot1 + 5];
  p = p == 'A' ? 'B' : 'A';
  const auto edited_reason = reason_of(google->verify_id_token(edited));
  // The flip may break the payload's JSON (Malformed) or keep it (SignatureInvalid): never OK.
  CHECK((edited_reason == Reason::kTokenSignatureInvalid ||
         edited_reason == Reason::kTokenMalformed));
  CHECK(reason_of(google->verify_id_token("not-a-token")) == Reason::kTokenMalformed);
  CHECK(reason_of(google->verify_id_token("a.b.c")) == Reason::kTokenMalformed);
}

TEST_CASE("google: expiry leeway is honoured", "[auth][google]") {
  Fixture f;
  auto google = f.client();
  const std::string token = f.fake.mint_id_token(IdToken::kValid);  // exp = now + 1 h.
  f.clock->advance(absl::Hours(1) + absl::Seconds(59));
  CHECK(google->verify_id_token(token).ok());
  f.clock->advance(absl::Seconds(2));
  CHECK(reason_of(google->verify_id_token(token)) == Reason::kTokenExpired);
}

TEST_CASE("google: keys are cached, refetched on an unknown kid at a bounded rate",
          "[auth][google]") {
  Fixture f;
  // Google has just rotated: the first key set we see lacks the key in use.
  f.fake.script("/jwks", {{.status = 200,
                           .body = "{\"keys\":[" + testing::TestRsaKey::stranger().jwk() + "]}"}});
  auto google = f.client();
  const std::string token = f.fake.mint_id_token(IdToken::kValid);
  CHECK(reason_of(google->verify_id_token(token)) == Reason::kTokenKeyUnknown);
  CHECK(f.fake.hits("/jwks") == 1);
  // Unknown again within the refetch interval: no second call to Google.
  CHECK(reason_of(google->verify_id_token(token)) == Reason::kTokenKeyUnknown);
  CHECK(f.fake.hits("/jwks") == 1);
  f.clock->advance(absl::Seconds(61));
  CHECK(google->verify_id_token(token).ok());
  CHECK(f.fake.hits("/jwks") == 2);
  CHECK(google->verify_id_token(token).ok());
  CHECK(f.fake.hits("/jwks") == 2);  // Cached.
  // A made-up kid costs at most one fetch a minute.
  const std::string unknown = f.fake.mint_id_token(IdToken::kUnknownKid);
  for (int i = 0; i < 5; ++i) {
    CHECK(reason_of(google->verify_id_token(unknown)) == Reason::kTokenKeyUnknown);
  }
  CHECK(f.fake.hits("/jwks") == 2);
  // Old keys are refreshed after jwks_max_age.
  f.clock->advance(absl::Hours(7));
  CHECK(google->verify_id_token(f.fake.mint_id_token(IdToken::kValid)).ok());
  CHECK(f.fake.hits("/jwks") == 3);
}

TEST_CASE("google: while no key set has loaded, Google is asked at a bounded rate too",
          "[auth][google]") {
  Fixture f;
  f.fake.script("/jwks", {{.status = 200, .body = "{\"keys\":"}});
  auto google = f.client();
  const std::string token = f.fake.mint_id_token(IdToken::kValid);
  CHECK(reason_of(google->verify_id_token(token)) == Reason::kGoogleResponseInvalid);
  CHECK(f.fake.hits("/jwks") == 1);
  // Every sign-in within the refetch interval is refused without calling Google.
  for (int i = 0; i < 5; ++i) {
    const auto refused = google->verify_id_token(token);
    CHECK(reason_of(refused) == Reason::kGoogleUnavailable);
    CHECK_THAT(std::string(refused.status().message()), Catch::Contains("not loaded"));
  }
  CHECK(f.fake.hits("/jwks") == 1);
  f.clock->advance(absl::Seconds(61));
  CHECK(google->verify_id_token(token).ok());
  CHECK(f.fake.hits("/jwks") == 2);
}

TEST_CASE("google: a stale key still verifies when the refetched key set is garbage",
          "[auth][google]") {
  Fixture f;
  auto google = f.client();
  CHECK(google->verify_id_token(f.fake.mint_id_token(IdToken::kValid)).ok());
  CHECK(f.fake.hits("/jwks") == 1);
  // Past jwks_max_age the keys are refetched; Google answers something unparsable.
  f.clock->advance(absl::Hours(7));
  f.fake.script("/jwks", {{.status = 200, .body = "<html>maintenance</html>"}});
  CHECK(google->verify_id_token(f.fake.mint_id_token(IdToken::kValid)).ok());
  CHECK(f.fake.hits("/jwks") == 2);
}

TEST_CASE("google: an inline JWKS is used without fetching", "[auth][google]") {
  Fixture f;
  CurlGoogleClientOptions o = f.fake.client_options();
  o.jwks_json = "{\"keys\":[" + testing::TestRsaKey::google().jwk() + "]}";
  auto google = f.client(o);
  CHECK(google->verify_id_token(f.fake.mint_id_token(IdToken::kValid)).ok());
  CHECK(reason_of(google->verify_id_token(f.fake.mint_id_token(IdToken::kUnknownKid))) ==
        Reason::kTokenKeyUnknown);
  CHECK(f.fake.hits("/jwks") == 0);

  o.jwks_json = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}";
  CHECK(CurlGoogleClient::create(o).status().code() == absl::StatusCode::kInvalidArgument);
  o.jwks_json = "{\"keys\":[]";
  CHECK(CurlGoogleClient::create(o).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("google: options are checked, and read from the environment", "[auth][google]") {
  Fixture f;
  CurlGoogleClientOptions o = f.fake.client_options();
  o.client_secret = "";
  CHECK(CurlGoogleClient::create(o).status().code() == absl::StatusCode::kInvalidArgument);
  o = f.fake.client_options();
  o.token_endpoint = "ftp://example.com/token";
  CHECK(CurlGoogleClient::create(o).status().code() == absl::StatusCode::kInvalidArgument);
  o = f.fake.client_options();
  o.attempts_max = 0;
  CHECK(CurlGoogleClient::create(o).status().code() == absl::StatusCode::kInvalidArgument);

  ::unsetenv("GOOGLE_CLIENT_ID");
  ::unsetenv("GOOGLE_CLIENT_SECRET");
  ::unsetenv("GOOGLE_REDIRECT_URL");
  ::unsetenv("GOOGLE_TOKEN_ENDPOINT");
  absl::StatusOr<CurlGoogleClientOptions> missing = google_options_from_environment();
  CHECK(missing.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(message(missing.status()) == "GOOGLE_CLIENT_ID is not set");

  ::setenv("GOOGLE_CLIENT_ID", "id-1", 1);
  ::setenv("GOOGLE_CLIENT_SECRET", "secret-1", 1);
  ::setenv("GOOGLE_REDIRECT_URL", "https://exchange.test/auth/return", 1);
  ::setenv("GOOGLE_TOKEN_ENDPOINT", "http://127.0.0.1:9/token", 1);
  absl::StatusOr<CurlGoogleClientOptions> read = google_options_from_environment();
  REQUIRE(read.ok());
  CHECK(read->client_id == "id-1");
  CHECK(read->client_secret == "secret-1");
  CHECK(read->redirect_url == "https://exchange.test/auth/return");
  CHECK(read->token_endpoint == "http://127.0.0.1:9/token");
  CHECK(read->userinfo_endpoint == "https://openidconnect.googleapis.com/v1/userinfo");

  ::setenv("GOOGLE_REDIRECT_URL", "exchange.test/return", 1);
  CHECK_THAT(message(google_options_from_environment().status()),
             Catch::Contains("GOOGLE_REDIRECT_URL: must be an http:// or https:// URL"));
  for (const char* name : {"GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_REDIRECT_URL",
                           "GOOGLE_TOKEN_ENDPOINT"}) {
    ::unsetenv(name);
  }
}

}  // namespace
}  // namespace account::auth
