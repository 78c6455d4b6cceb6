// File: auth/curl_google_client.h
//
// CurlGoogleClient: the GoogleClient (google_client.h) that talks to
// Google's OAuth 2.0 / OpenID Connect endpoints over libcurl, reads the
// answers with simdjson and verifies Google's id_token (RS256) with
// OpenSSL. Part of account::auth. Make one per process and share it: it
// keeps connections open and caches Google's signing keys.
//
//   CurlGoogleClientOptions options = google_options_from_environment().value();
//   auto google = CurlGoogleClient::create(options).value();
//   std::string url = google->authorization_url(state, code_challenge);
//
// Calls and their retries:
//   exchange_code  POST token_endpoint. A code is single-use, so the request
//                  is sent again only when it certainly never reached the
//                  server (no connection could be made); any other failure
//                  ends the call (kGoogleUnavailable), and the user signs
//                  in again.
//   userinfo       GET userinfo_endpoint with the Bearer token; retried up
//   JWKS           to `attempts_max` attempts on a failed connection, a
//                  timeout, 429 or 5xx, after a jittered exponential backoff
//                  or the server's Retry-After when longer (one above
//                  `retry_after_max` ends the call at once).
// HTTP outcomes: 2xx is read; 400-499 is kGoogleRejected (naming Google's
// `error` code, e.g. invalid_grant); 429, 5xx and transport failures are
// kGoogleUnavailable; an answer that is not the documented JSON, too large,
// or with another status is kGoogleResponseInvalid.
//
// The id_token, when the token endpoint sends one, must pass, in this order:
// three base64url parts (kTokenMalformed), `alg` RS256 (kTokenAlgorithmRejected),
// `kid` in the JWKS (kTokenKeyUnknown; an unknown kid fetches the JWKS again,
// at most once per `jwks_refetch_interval_min`), the RSA signature
// (kTokenSignatureInvalid), `exp` (kTokenExpired) and `iat`/`nbf`
// (kTokenNotYetValid) with `leeway`, `iss` one of `issuers` and `aud` our
// client id, `sub` present (kTokenClaimsInvalid).
//
// No message carries a code, verifier, token, the client secret or an
// endpoint URL (which may embed credentials); they name the endpoint
// ("token endpoint") instead.
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/auth/google_client.h"
#include "account/config.h"
#include "account/clock.h"

namespace account::auth {

struct CurlGoogleClientOptions {
  std::string client_id;      // GOOGLE_CLIENT_ID.
  std::string client_secret;  // GOOGLE_CLIENT_SECRET. Never logged.
  std::string redirect_url;   // GOOGLE_REDIRECT_URL: registered with Google, matched exactly.

  std::string authorization_endpoint = "https://accounts.google.com/o/oauth2/v2/auth";
  std::string token_endpoint = "https://oauth2.googleapis.com/token";
  std::string userinfo_endpoint = "https://openidconnect.googleapis.com/v1/userinfo";
  std::string jwks_url = "https://www.googleapis.com/oauth2/v3/certs";
  // A JWKS document ({"keys": [...]}) to use instead of fetching jwks_url;
  // then an unknown kid is simply unknown. Empty: fetch jwks_url.
  std::string jwks_json;

  // Accepted `iss` values of an id_token (Google uses both spellings).
  std::vector<std::string> issuers = {"https://accounts.google.com", "accounts.google.com"};
  // Clock skew tolerated on `exp`, `iat` and `nbf`.
  absl::Duration leeway = absl::Seconds(60);

  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(10);  // Per attempt.
  int attempts_max = 3;                                // First try included.
  absl::Duration backoff_initial = absl::Milliseconds(200);
  absl::Duration backoff_max = absl::Seconds(2);
  absl::Duration retry_after_max = absl::Seconds(5);  // A user is waiting.
  // Keys are refetched when older than this, and on an unknown kid but not
  // more often than jwks_refetch_interval_min (a token with a made-up kid
  // must not make us hammer Google; nor may sign-ins while no key set has
  // loaded, which are refused with kGoogleUnavailable in between).
  absl::Duration jwks_max_age = absl::Hours(6);
  absl::Duration jwks_refetch_interval_min = absl::Seconds(60);
  size_t response_bytes_max = 1 << 20;  // Google's answers are a few kilobytes.

  std::shared_ptr<Clock> clock;               // Default: SystemClock.
  std::function<void(absl::Duration)> sleep;  // Default: absl::SleepFor.
};

// `defaults` with client_id, client_secret and redirect_url from
// GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and GOOGLE_REDIRECT_URL, and the
// endpoints from GOOGLE_AUTHORIZATION_ENDPOINT, GOOGLE_TOKEN_ENDPOINT,
// GOOGLE_USERINFO_ENDPOINT, GOOGLE_JWKS_URL when set and not empty, and the
// accepted id_token issuers from GOOGLE_ISSUERS (another OpenID provider's).
// Fails with InvalidArgument naming the variable when one of the first three
// is missing from both the config and `defaults`. Never echoes the secret.
// The environment form is google_options_from_config(load_config(
// process_environment())), so it also fails on any invalid variable of
// config.h (a URL that is not http(s), say).
absl::StatusOr<CurlGoogleClientOptions> google_options_from_config(
    const Config& config, CurlGoogleClientOptions defaults = {});
absl::StatusOr<CurlGoogleClientOptions> google_options_from_environment(
    CurlGoogleClientOptions defaults = {});

class CurlGoogleClient final : public GoogleClient {
 public:
  // Fails with InvalidArgument when an option is missing or out of range
  // (empty client id, secret or redirect URL, a URL that is not http(s),
  // non-positive timeouts, attempts outside 1..10, no issuers, inline JWKS
  // that does not parse), or Internal when libcurl cannot be initialized.
  static absl::StatusOr<std::unique_ptr<CurlGoogleClient>> create(CurlGoogleClientOptions options);

  ~CurlGoogleClient() override;
  CurlGoogleClient(const CurlGoogleClient&) = delete;
  CurlGoogleClient& operator=(const CurlGoogleClient&) = delete;

  std::string authorization_url(std::string_view state,
                                std::string_view code_challenge) const override;
  absl::StatusOr<GoogleTokens> exchange_code(std::string_view code,
                                             std::string_view code_verifier) override;
  absl::StatusOr<GoogleUser> userinfo(std::string_view access_token) override;

  // Verifies a Google id_token as exchange_code() does and returns its
  // claims. Public for tests and for callers that receive an id_token some
  // other way (e.g. Google's one-tap sign-in).
  absl::StatusOr<GoogleIdClaims> verify_id_token(std::string_view id_token);

 private:
  class Impl;
  explicit CurlGoogleClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace account::auth
