// Private to account::auth: verification of Google's id_token (RS256)
// against Google's JSON Web Key Set, with the key set cached and fetched
// again on an unknown kid (keys rotate), at a bounded rate.
#pragma once

#include <openssl/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/auth/curl_google_client.h"
#include "account/auth/google_client.h"
#include "base/mutex.h"

namespace account::internal::auth {

// RSA public keys by kid.
using KeyMap = std::map<std::string, std::shared_ptr<EVP_PKEY>, std::less<>>;

// The RS256-capable keys of a JWKS document ({"keys": [{"kty": "RSA", "kid",
// "n", "e", ...}]}). Keys of another kty, `use` other than "sig" or `alg`
// other than RS256 are skipped. Fails (InvalidArgument, naming the key's
// index, never its material) on malformed JSON, a repeated kid, an RSA key
// without kid, n or e, n or e not base64url, or a modulus under 2048 bits.
absl::StatusOr<KeyMap> parse_jwks(std::string_view json);

// True when `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature
// (RS256) of `signing_input` under `key`.
bool verify_rs256(EVP_PKEY* key, std::string_view signing_input, std::string_view signature);

class GoogleIdTokenVerifier {
 public:
  // Fetches the JWKS document; errors are passed through (kGoogle*).
  using FetchJwks = std::function<absl::StatusOr<std::string>()>;

  // Uses options.jwks_json when it is not empty (InvalidArgument when it
  // does not parse), else fetches lazily through `fetch`.
  static absl::StatusOr<std::unique_ptr<GoogleIdTokenVerifier>> create(
      const account::auth::CurlGoogleClientOptions& options, FetchJwks fetch);

  // Errors as curl_google_client.h lists them, plus the fetch's own when
  // the keys are needed and cannot be fetched.
  absl::StatusOr<account::auth::GoogleIdClaims> verify(std::string_view id_token);

 private:
  struct KeySet {
    KeyMap keys;
    absl::Time fetched_at;
  };
  GoogleIdTokenVerifier(const account::auth::CurlGoogleClientOptions& options, FetchJwks fetch);
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key(std::string_view kid);

  std::string client_id_;
  std::vector<std::string> issuers_;
  absl::Duration leeway_;
  absl::Duration max_age_;
  absl::Duration refetch_interval_min_;
  std::shared_ptr<Clock> clock_;
  FetchJwks fetch_;  // Empty when the key set is inline (never fetched).

  internal::Mutex fetch_mu_;  // One fetch at a time; taken before mu_.
  internal::Mutex mu_;
  std::shared_ptr<const KeySet> keys_ ABSL_GUARDED_BY(mu_);
  absl::Time last_fetch_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace account::internal::auth
