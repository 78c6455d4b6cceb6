// File: auth/google_client.h
//
// GoogleClient: the calls sign-in makes to Google's OAuth 2.0 / OpenID
// Connect endpoints (authorization code flow with PKCE). The interface lets
// the login flow run against Google (CurlGoogleClient, over libcurl) or a
// fake in tests.
//
//   std::string url = google.authorization_url(state, code_challenge);
//   // ... the browser comes back with ?code=...&state=...
//   GoogleTokens tokens = google.exchange_code(code, code_verifier).value();
//   GoogleUser user = google.userinfo(tokens.access_token).value();
//
// Errors, the same for every implementation (each a denial(), status.h):
//   kGoogleRejected         Google answered 4xx: an unknown, used or expired
//                           code, a PKCE verifier that does not match the
//                           challenge (invalid_grant), a revoked access token
//   kGoogleUnavailable      Google could not be reached, timed out or kept
//                           answering 5xx/429 (transient: retry later)
//   kGoogleResponseInvalid  the answer was not the JSON Google documents
//   kToken*                 the id_token failed verification (RS256 against
//                           the JWKS, iss, aud = our client id, exp)
// No message ever contains a code, a verifier, a token or the client secret.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace account::auth {

// The claims of a verified Google id_token that sign-in relies on.
struct GoogleIdClaims {
  std::string sub;            // Google's stable user id.
  std::string email;
  bool email_verified = false;
  int64_t expires_at_unix_seconds = 0;  // `exp`.

  friend bool operator==(const GoogleIdClaims&, const GoogleIdClaims&) = default;
};

// The token endpoint's answer to a code exchange.
struct GoogleTokens {
  std::string access_token;       // Google's own; used only to call userinfo. Never logged.
  int64_t expires_in_seconds = 0; // Lifetime of access_token.
  // Present when Google sent an id_token and it verified; nullopt when it
  // sent none. A present id_token that fails verification fails the call.
  std::optional<GoogleIdClaims> id_claims;
};

// The userinfo endpoint's answer.
struct GoogleUser {
  std::string sub;             // Google's stable user id: the account's google id.
  std::string email;
  bool email_verified = false;
  std::string name;            // Display name; may be empty.
  std::string picture;         // URL; may be empty.

  friend bool operator==(const GoogleUser&, const GoogleUser&) = default;
};

class GoogleClient {
 public:
  virtual ~GoogleClient() = default;

  // The URL to redirect the browser to: the authorization endpoint with
  // response_type=code, client_id, redirect_uri, scope "openid email
  // profile", `state` and `code_challenge` (code_challenge_method=S256), all
  // percent-encoded. Pure; cannot fail.
  virtual std::string authorization_url(std::string_view state,
                                        std::string_view code_challenge) const = 0;

  // POSTs grant_type=authorization_code with `code`, `code_verifier`,
  // client_id, client_secret and redirect_uri to the token endpoint, and
  // verifies the id_token when one comes back. Errors as above.
  virtual absl::StatusOr<GoogleTokens> exchange_code(std::string_view code,
                                                     std::string_view code_verifier) = 0;

  // GETs the userinfo endpoint with `access_token` as a Bearer token.
  // Errors as above; kGoogleResponseInvalid when `sub` is missing.
  virtual absl::StatusOr<GoogleUser> userinfo(std::string_view access_token) = 0;
};

}  // namespace account::auth
