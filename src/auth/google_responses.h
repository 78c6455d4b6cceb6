// Private to account::auth: the bodies Google's token and userinfo endpoints
// answer, read into the values of google_client.h. Separate from the HTTP
// calls so that the readers of this outside input can be tested and fuzzed
// on their own (tests/fuzz/auth_google_responses_fuzzer.cpp).
//
// Every failure is a kGoogleResponseInvalid denial naming the endpoint and
// the field, never a value (the values are tokens and emails), except that
// an id_token failing verification passes its own kToken* denial through.
//
// Thread-safety: free functions; `verify_id_token` is called on the caller's thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "account/auth/google_client.h"

namespace account::internal::auth {

// Verifies an id_token (GoogleIdTokenVerifier::verify in the real client).
using VerifyIdToken =
    std::function<absl::StatusOr<account::auth::GoogleIdClaims>(std::string_view id_token)>;

// The token endpoint's 2xx body: `access_token` a non-empty string,
// `expires_in` a positive integer, `token_type` absent or "Bearer"/"bearer",
// `id_token` absent, null or a string that `verify_id_token` accepts.
absl::StatusOr<account::auth::GoogleTokens> read_token_response(
    std::string_view body, const VerifyIdToken& verify_id_token);

// The userinfo endpoint's 2xx body: `sub` a non-empty string;
// `email_verified` a boolean or "true"/"false" (absent: false); `email`,
// `name`, `picture` strings when present (absent: empty).
absl::StatusOr<account::auth::GoogleUser> read_userinfo_response(std::string_view body);

// Google's `error` code from a 4xx body ("invalid_grant"), or "" when there
// is none or it is not a short [a-z_] word, so no echoed input rides along
// into our messages.
std::string google_error_code(std::string_view body);

}  // namespace account::internal::auth
