// File: auth/access_tokens.h
//
// AccessTokens: the short-lived HS256 JWT (RFC 7519) a signed-in client sends as a Bearer token.
// It names the account (`sub`), our issuer and audience, when it was issued and when it expires
// (1 hour), a unique `jti`, and in its header the `kid` of the key that signed it, so keys can
// rotate without signing anyone out:
//
//   AccessTokens tokens = AccessTokens::create(options, {{"2026-11", secret}}, "2026-11",
//                                              &clock).value();
//   IssuedAccessToken t = tokens.issue(AccountId{42}).value();
//   absl::StatusOr<AccessClaims> claims = tokens.verify(t.token);   // claims->account == 42
//
//   // Rotation: sign with a new key, keep verifying the old one for one token lifetime,
//   // then retire it.
//   tokens.add_key({"2026-12", new_secret}, /*make_current=*/true);
//   ...
//   tokens.retire_key("2026-11");
//
// verify() checks, and reports the first failure, in the order of reason.h: the token's shape
// (kTokenMalformed), the algorithm pinned to HS256 (kTokenAlgorithmRejected: `none`, RS256 or any
// other), the key (kTokenKeyUnknown: no `kid`, or one we do not hold), the signature in constant
// time (kTokenSignatureInvalid), `exp` (kTokenExpired), `iat`/`nbf` (kTokenNotYetValid), then
// `iss`, `aud`, `sub`, `jti` and the presence of `exp`/`iat` (kTokenClaimsInvalid). Times are
// checked with `leeway` either way for clock skew. A forged token is thus never told whether it
// would also have been expired. No message contains a token, a signature or a secret.
//
// Thread-safety: every member may be called from any thread; issue() and verify() take a shared
// lock on the key ring, add_key() and retire_key() an exclusive one.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/config.h"
#include "absl/time/time.h"
#include "account/clock.h"
#include "account/ids.h"

namespace account::auth {

// The shortest HMAC secret accepted, in bytes: HS256 needs a key at least as long as its output
// (RFC 7518 section 3.2).
inline constexpr size_t kAccessKeySecretBytesMin = 32;
// The longest `kid`, in characters. A kid is a name, 1-64 of [A-Za-z0-9._-], never a path or URL.
inline constexpr size_t kAccessKeyIdCharsMax = 64;

// One HMAC key. `secret` is raw bytes (not text); never logged or put in a message.
struct AccessKey {
  std::string kid;
  std::string secret;
};

struct AccessTokenOptions {
  std::string issuer = "account";      // `iss` we write and require.
  std::string audience = "account";    // `aud` we write and require.
  absl::Duration lifetime = absl::Hours(1);
  // Clock skew allowed on every time check (exp, iat, nbf), either way.
  absl::Duration leeway = absl::Seconds(30);
};

// A freshly issued token and what it says.
struct IssuedAccessToken {
  std::string token;       // The compact JWS: header.payload.signature.
  std::string jti;         // 128-bit random id, base64url.
  absl::Time issued_at;    // Whole seconds (JWT NumericDate).
  absl::Time expires_at;   // issued_at + lifetime.
};

// What a verified token says.
struct AccessClaims {
  AccountId account;       // `sub`.
  std::string jti;
  std::string kid;         // The key that signed it.
  absl::Time issued_at;
  absl::Time expires_at;

  friend bool operator==(const AccessClaims&, const AccessClaims&) = default;
};

// A key ring as the process configuration gives it.
struct AccessKeyRing {
  std::vector<AccessKey> keys;
  std::string current_kid;
};

// The key ring from the environment:
//   JWT_SECRET            the current signing secret (raw bytes, at least 32)   required
//   JWT_KEY_ID            its kid                                                default "1"
//   JWT_PREVIOUS_SECRET   a retiring key, still accepted for verification        optional
//   JWT_PREVIOUS_KEY_ID   its kid (must differ from JWT_KEY_ID)                  required with it
// InvalidArgument naming the variable (never its value) when one is missing or refused by the
// rules of AccessTokens::create. access_keys_from_environment() is
// access_keys_from_config(load_config(process_environment())), so it also fails when any other
// variable of config.h is invalid.
absl::StatusOr<AccessKeyRing> access_keys_from_config(const Config& config);
absl::StatusOr<AccessKeyRing> access_keys_from_environment();

// `defaults` with issuer and audience from JWT_ISSUER and JWT_AUDIENCE.
AccessTokenOptions access_token_options_from_config(const Config& config,
                                                    AccessTokenOptions defaults = {});

class AccessTokens {
 public:
  // `keys` are every key a token may be signed with; `current_kid` names the one issue() signs
  // with. `clock` must outlive the object. InvalidArgument (nothing created) when: no keys, a
  // kid is empty, too long or outside [A-Za-z0-9._-], a kid repeats, a secret is shorter than
  // kAccessKeySecretBytesMin, `current_kid` is not among the keys, issuer or audience is empty,
  // lifetime <= 0, leeway < 0 or leeway >= lifetime.
  static absl::StatusOr<AccessTokens> create(AccessTokenOptions options,
                                             std::vector<AccessKey> keys,
                                             std::string_view current_kid, const Clock* clock);

  AccessTokens(AccessTokens&&) noexcept;
  AccessTokens& operator=(AccessTokens&&) noexcept;
  ~AccessTokens();

  // A token for `account`, valid from now for options.lifetime, signed with the current key.
  // InvalidArgument for an invalid (0) account id; Internal when the random generator fails.
  absl::StatusOr<IssuedAccessToken> issue(AccountId account) const;

  // The claims of `token`, or the first failure in the order above (each a denial(),
  // status.h). Changes nothing.
  absl::StatusOr<AccessClaims> verify(std::string_view token) const;

  // Adds a verification key; with make_current, new tokens are signed with it from now on.
  // InvalidArgument (nothing changed) for a bad kid or secret, or a kid already held.
  absl::Status add_key(AccessKey key, bool make_current);

  // Stops accepting tokens signed with `kid`. FailedPrecondition (nothing changed) for the
  // current signing key; NotFound for a kid not held.
  absl::Status retire_key(std::string_view kid);

  // The kid issue() signs with now.
  std::string current_kid() const;

 private:
  struct State;
  explicit AccessTokens(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace account::auth
