#include "account/auth/access_tokens.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>

#include "base/strings.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "base/json_text.h"
#include "base/mutex.h"
#include "account/reason.h"
#include "account/status.h"
#include "crypto.h"
#include "jwt_parts.h"

namespace account::auth {
namespace {

namespace crypto = internal::auth;
using internal::json_string;

constexpr std::string_view kAlgorithm = "HS256";
// RFC 9068's media type for JWT access tokens: says what the token is for, so it is never taken
// for an id_token (RFC 8725 section 3.11).
constexpr std::string_view kType = "at+jwt";
// Random bytes in a jti: 128 bits, so two tokens never share one.
constexpr size_t kJtiBytes = 16;

bool valid_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > kAccessKeyIdCharsMax) return false;
  return std::all_of(kid.begin(), kid.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

absl::Status check_key(const AccessKey& key) {
  if (!valid_kid(key.kid)) {
    return absl::InvalidArgumentError(internal::cat(
        "access key: a kid is 1-", kAccessKeyIdCharsMax, " characters of [A-Za-z0-9._-]"));
  }
  if (key.secret.size() < kAccessKeySecretBytesMin) {
    return absl::InvalidArgumentError(internal::cat("access key ", key.kid, ": secret has ",
                                                    key.secret.size(), " bytes, at least ",
                                                    kAccessKeySecretBytesMin, " needed"));
  }
  return absl::OkStatus();
}

// A verified token's `sub` as an account id: canonical decimal, > 0.
std::optional<AccountId> account_of(const std::string& sub) {
  uint64_t value = 0;
  if (!absl::SimpleAtoi(internal::to_absl(sub), &value) || value == 0) return std::nullopt;
  if (internal::cat(value) != sub) return std::nullopt;  // "+1", "01", " 1"
  return AccountId{value};
}


}  // namespace

absl::StatusOr<AccessKeyRing> access_keys_from_config(const Config& config) {
  AccessKeyRing ring;
  if (config.jwt_secret.empty()) return absl::InvalidArgumentError("JWT_SECRET is not set");
  ring.current_kid = config.jwt_key_id;
  ring.keys.push_back({ring.current_kid, std::string(config.jwt_secret.reveal())});
  if (absl::Status s = check_key(ring.keys.back()); !s.ok()) {
    return absl::InvalidArgumentError(internal::cat("JWT_SECRET / JWT_KEY_ID: ", s.message()));
  }
  if (!config.jwt_previous_secret.empty()) {
    if (config.jwt_previous_key_id.empty() || config.jwt_previous_key_id == ring.current_kid) {
      return absl::InvalidArgumentError(
          "JWT_PREVIOUS_SECRET needs JWT_PREVIOUS_KEY_ID, different from JWT_KEY_ID");
    }
    ring.keys.push_back(
        {config.jwt_previous_key_id, std::string(config.jwt_previous_secret.reveal())});
    if (absl::Status s = check_key(ring.keys.back()); !s.ok()) {
      return absl::InvalidArgumentError(
          internal::cat("JWT_PREVIOUS_SECRET / JWT_PREVIOUS_KEY_ID: ", s.message()));
    }
  }
  return ring;
}

absl::StatusOr<AccessKeyRing> access_keys_from_environment() {
  ACCOUNT_ASSIGN_OR_RETURN(Config config, load_config(process_environment()));
  return access_keys_from_config(config);
}

AccessTokenOptions access_token_options_from_config(const Config& config,
                                                    AccessTokenOptions defaults) {
  defaults.issuer = config.jwt_issuer;
  defaults.audience = config.jwt_audience;
  return defaults;
}

struct AccessTokens::State {
  AccessTokenOptions options;
  const Clock* clock = nullptr;
  mutable internal::SharedMutex mu;
  absl::flat_hash_map<std::string, std::string> secrets ABSL_GUARDED_BY(mu);  // kid -> secret
  std::string current_kid ABSL_GUARDED_BY(mu);
};

AccessTokens::AccessTokens(std::unique_ptr<State> state) : state_(std::move(state)) {}
AccessTokens::AccessTokens(AccessTokens&&) noexcept = default;
AccessTokens& AccessTokens::operator=(AccessTokens&&) noexcept = default;
AccessTokens::~AccessTokens() = default;

absl::StatusOr<AccessTokens> AccessTokens::create(AccessTokenOptions options,
                                                  std::vector<AccessKey> keys,
                                                  std::string_view current_kid,
                                                  const Clock* clock) {
  if (clock == nullptr) return absl::InvalidArgumentError("access tokens: no clock");
  if (options.issuer.empty() || options.audience.empty()) {
    return absl::InvalidArgumentError("access tokens: issuer and audience must not be empty");
  }
  if (options.lifetime <= absl::ZeroDuration() || options.leeway < absl::ZeroDuration() ||
      options.leeway >= options.lifetime) {
    return absl::InvalidArgumentError(
        "access tokens: need lifetime > 0 and 0 <= leeway < lifetime");
  }
  if (keys.empty()) return absl::InvalidArgumentError("access tokens: no keys");
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  state->clock = clock;
  internal::WriterLock lock(&state->mu);
  for (AccessKey& key : keys) {
    ACCOUNT_RETURN_IF_ERROR(check_key(key));
    if (!state->secrets.emplace(key.kid, std::move(key.secret)).second) {
      return absl::InvalidArgumentError(internal::cat("access tokens: kid ", key.kid, " twice"));
    }
  }
  if (!state->secrets.contains(internal::to_absl(current_kid))) {
    return absl::InvalidArgumentError("access tokens: the current kid names no key");
  }
  state->current_kid = std::string(current_kid);
  return AccessTokens(std::move(state));
}

absl::StatusOr<IssuedAccessToken> AccessTokens::issue(AccountId account) const {
  if (!account.valid()) return absl::InvalidArgumentError("access token: account id 0");
  absl::StatusOr<std::string> jti_bytes = crypto::random_bytes(kJtiBytes);
  if (!jti_bytes.ok()) return jti_bytes.status();

  IssuedAccessToken issued;
  issued.jti = crypto::base64url_encode(*jti_bytes);
  // NumericDates are whole seconds; the returned times say exactly what the token says.
  issued.issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(state_->clock->now()));
  issued.expires_at = issued.issued_at + absl::Trunc(state_->options.lifetime, absl::Seconds(1));
  const AccessTokenOptions& o = state_->options;

  std::string kid;
  std::string secret;
  {
    internal::ReaderLock lock(&state_->mu);
    kid = state_->current_kid;
    secret = state_->secrets.at(kid);
  }
  const std::string header = internal::cat(R"({"alg":")", kAlgorithm, R"(","typ":")", kType,
                                           R"(","kid":)", json_string(kid), "}");
  const std::string payload = internal::cat(
      R"({"iss":)", json_string(o.issuer), R"(,"aud":)", json_string(o.audience),
      R"(,"sub":")", account.value(), R"(","iat":)", absl::ToUnixSeconds(issued.issued_at),
      R"(,"exp":)", absl::ToUnixSeconds(issued.expires_at), R"(,"jti":")", issued.jti, "\"}");
  std::string signing_input =
      internal::cat(crypto::base64url_encode(header), ".", crypto::base64url_encode(payload));
  const std::string signature = crypto::hmac_sha256(secret, signing_input);
  issued.token = internal::cat(signing_input, ".", crypto::base64url_encode(signature));
  return issued;
}

absl::StatusOr<AccessClaims> AccessTokens::verify(std::string_view token) const {
  absl::StatusOr<crypto::JwtParts> parts = crypto::parse_jwt(token);
  if (!parts.ok()) return parts.status();
  const crypto::JwtHeader& header = parts->header;
  const crypto::JwtClaims& claims = parts->claims;

  // The algorithm is pinned, never taken from the token: `none`, RS256 with our secret as a
  // "public key", or HS384 are all refused before any key is looked at.
  if (header.alg != kAlgorithm) {
    return denial(Reason::kTokenAlgorithmRejected, "only HS256 access tokens are accepted");
  }
  if (!header.kid) return denial(Reason::kTokenKeyUnknown, "the token names no key (no kid)");
  {
    internal::ReaderLock lock(&state_->mu);
    auto key = state_->secrets.find(*header.kid);
    if (key == state_->secrets.end()) {
      // The kid is the token's own text: not repeated, so the message cannot carry an injection.
      return denial(Reason::kTokenKeyUnknown, "the token's kid names no key we hold");
    }
    const std::string expected = crypto::hmac_sha256(key->second, parts->signing_input);
    if (!crypto::constant_time_equal(expected, parts->signature)) {
      return denial(Reason::kTokenSignatureInvalid, "the HS256 signature does not verify");
    }
  }

  const AccessTokenOptions& o = state_->options;
  const absl::Time now = state_->clock->now();
  if (claims.exp && now >= absl::FromUnixSeconds(*claims.exp) + o.leeway) {
    return denial(Reason::kTokenExpired,
                  internal::cat("expired at ", *claims.exp, ", now ", absl::ToUnixSeconds(now),
                                ", leeway ", absl::ToInt64Seconds(o.leeway), " s"));
  }
  if (claims.iat && absl::FromUnixSeconds(*claims.iat) > now + o.leeway) {
    return denial(Reason::kTokenNotYetValid,
                  internal::cat("issued at ", *claims.iat, ", now ", absl::ToUnixSeconds(now)));
  }
  if (claims.nbf && absl::FromUnixSeconds(*claims.nbf) > now + o.leeway) {
    return denial(Reason::kTokenNotYetValid,
                  internal::cat("not before ", *claims.nbf, ", now ", absl::ToUnixSeconds(now)));
  }
  if (!claims.exp || !claims.iat) {
    return denial(Reason::kTokenClaimsInvalid, "`exp` or `iat` is missing");
  }
  if (claims.iss != o.issuer) return denial(Reason::kTokenClaimsInvalid, "`iss` is not ours");
  if (std::find(claims.aud.begin(), claims.aud.end(), o.audience) == claims.aud.end()) {
    return denial(Reason::kTokenClaimsInvalid, "`aud` does not name us");
  }
  std::optional<AccountId> account = claims.sub ? account_of(*claims.sub) : std::nullopt;
  if (!account) return denial(Reason::kTokenClaimsInvalid, "`sub` is not an account id");
  if (!claims.jti || claims.jti->empty()) {
    return denial(Reason::kTokenClaimsInvalid, "`jti` is missing");
  }
  return AccessClaims{.account = *account,
                      .jti = *claims.jti,
                      .kid = *header.kid,
                      .issued_at = absl::FromUnixSeconds(*claims.iat),
                      .expires_at = absl::FromUnixSeconds(*claims.exp)};
}

absl::Status AccessTokens::add_key(AccessKey key, bool make_current) {
  ACCOUNT_RETURN_IF_ERROR(check_key(key));
  internal::WriterLock lock(&state_->mu);
  if (state_->secrets.contains(key.kid)) {
    return absl::InvalidArgumentError(internal::cat("access key ", key.kid, " is already held"));
  }
  if (make_current) state_->current_kid = key.kid;
  std::string kid = key.kid;
  state_->secrets.emplace(std::move(kid), std::move(key.secret));
  return absl::OkStatus();
}

absl::Status AccessTokens::retire_key(std::string_view kid) {
  internal::WriterLock lock(&state_->mu);
  auto it = state_->secrets.find(internal::to_absl(kid));
  if (it == state_->secrets.end()) {
    return absl::NotFoundError(internal::cat("access key ", kid, " is not held"));
  }
  if (it->first == state_->current_kid) {
    return absl::FailedPreconditionError(
        internal::cat("access key ", kid, " signs new tokens; make another current first"));
  }
  state_->secrets.erase(it);
  return absl::OkStatus();
}

std::string AccessTokens::current_kid() const {
  internal::ReaderLock lock(&state_->mu);
  return state_->current_kid;
}

}  // namespace account::auth
