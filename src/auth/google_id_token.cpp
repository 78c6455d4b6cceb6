#include "google_id_token.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <utility>

#include "account/status.h"
#include "base/strings.h"
#include "crypto.h"
#include "http/json_reader.h"
#include "json_fields.h"
#include "jwt_parts.h"

namespace account::internal::auth {
namespace {

using account::auth::GoogleIdClaims;
using http::JsonPath;
using http::JsonReader;
using http::Presence;
using http::dom::element;

// Google's keys are 2048-bit; anything shorter is not one of theirs.
constexpr int kRsaBitsMin = 2048;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// An RSA public key from its modulus and exponent (big-endian bytes).
absl::StatusOr<std::shared_ptr<EVP_PKEY>> rsa_public_key(std::string_view n, std::string_view e) {
  const auto bytes = [](std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  };
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(bytes(n), static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(bytes(e), static_cast<int>(e.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return absl::InternalError("OpenSSL could not hold an RSA key");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return absl::InvalidArgumentError("n and e do not make an RSA public key");
  }
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  if (EVP_PKEY_get_bits(key.get()) < kRsaBitsMin) {
    return absl::InvalidArgumentError(internal::cat("RSA modulus under ", kRsaBitsMin, " bits"));
  }
  return key;
}

// One JWK at `path`: adds it to `out` when it is an RS256 signing key.
absl::Status read_jwk(const JsonReader& json, element value, const JsonPath& path, KeyMap* out) {
  http::dom::object key;
  ACCOUNT_RETURN_IF_ERROR(json.get(value, path, &key));
  std::optional<std::string> kty, use, alg, kid, n, e;
  ACCOUNT_RETURN_IF_ERROR(json.read_fields(key, path,
                                           {{"kty", Presence::kOptional, json.non_null(&kty)},
                                            {"use", Presence::kOptional, json.non_null(&use)},
                                            {"alg", Presence::kOptional, json.non_null(&alg)},
                                            {"kid", Presence::kOptional, json.non_null(&kid)},
                                            {"n", Presence::kOptional, json.non_null(&n)},
                                            {"e", Presence::kOptional, json.non_null(&e)}}));
  if (kty != "RSA" || (use && *use != "sig") || (alg && *alg != "RS256")) return absl::OkStatus();
  if (!kid || kid->empty() || !n || !e) return json.error(path, "an RSA key without kid, n or e");
  std::optional<std::string> n_bytes = base64url_decode(*n);
  std::optional<std::string> e_bytes = base64url_decode(*e);
  if (!n_bytes || !e_bytes) return json.error(path, "n or e is not base64url");
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> pkey = rsa_public_key(*n_bytes, *e_bytes);
  if (!pkey.ok()) {
    return json.error(path, {pkey.status().message().data(), pkey.status().message().size()});
  }
  if (!out->emplace(*std::move(kid), *std::move(pkey)).second) {
    return json.error(path.field("kid"), "a kid appears twice");
  }
  return absl::OkStatus();
}

absl::Status claims_invalid(std::string_view what) {
  return denial(Reason::kTokenClaimsInvalid, internal::cat("Google id_token: ", what));
}

}  // namespace

absl::StatusOr<KeyMap> parse_jwks(std::string_view text) {
  // Key sets are fetched rarely (see jwks_refetch_interval_min): a parser each costs little.
  http::dom::parser parser;
  const JsonReader json("JWKS");
  ACCOUNT_ASSIGN_OR_RETURN(element root, json.parse(parser, text));
  http::dom::object document;
  ACCOUNT_RETURN_IF_ERROR(json.get(root, JsonPath(), &document));
  KeyMap out;
  const auto read_keys = [&](element keys, const JsonPath& path) {
    http::dom::array array;
    ACCOUNT_RETURN_IF_ERROR(json.get(keys, path, &array));
    return json.for_each_element(array, path, [&](element key, const JsonPath& p) {
      return read_jwk(json, key, p, &out);
    });
  };
  ACCOUNT_RETURN_IF_ERROR(
      json.read_fields(document, JsonPath(), {{"keys", Presence::kRequired, read_keys}}));
  return out;
}

bool verify_rs256(EVP_PKEY* key, std::string_view signing_input, std::string_view signature) {
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key))) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

GoogleIdTokenVerifier::GoogleIdTokenVerifier(const account::auth::CurlGoogleClientOptions& o,
                                             FetchJwks fetch)
    : client_id_(o.client_id),
      issuers_(o.issuers),
      leeway_(o.leeway),
      max_age_(o.jwks_max_age),
      refetch_interval_min_(o.jwks_refetch_interval_min),
      clock_(o.clock ? o.clock : std::make_shared<SystemClock>()),
      fetch_(std::move(fetch)) {}

absl::StatusOr<std::unique_ptr<GoogleIdTokenVerifier>> GoogleIdTokenVerifier::create(
    const account::auth::CurlGoogleClientOptions& options, FetchJwks fetch) {
  if (options.jwks_json.empty()) {
    return std::unique_ptr<GoogleIdTokenVerifier>(
        new GoogleIdTokenVerifier(options, std::move(fetch)));
  }
  absl::StatusOr<KeyMap> keys = parse_jwks(options.jwks_json);
  if (!keys.ok()) return keys.status();
  auto verifier =
      std::unique_ptr<GoogleIdTokenVerifier>(new GoogleIdTokenVerifier(options, nullptr));
  internal::MutexLock lock(&verifier->mu_);
  verifier->keys_ = std::make_shared<const KeySet>(
      KeySet{.keys = *std::move(keys), .fetched_at = absl::InfiniteFuture()});
  return verifier;
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> GoogleIdTokenVerifier::key(std::string_view kid) {
  const auto lookup = [&](const std::shared_ptr<const KeySet>& set) -> std::shared_ptr<EVP_PKEY> {
    if (!set) return nullptr;
    auto it = set->keys.find(kid);
    return it == set->keys.end() ? nullptr : it->second;
  };
  const auto current = [&] {
    internal::MutexLock lock(&mu_);
    return keys_;
  };
  std::shared_ptr<const KeySet> set = current();
  absl::Time now = clock_->now();
  const auto fresh = [&](const std::shared_ptr<const KeySet>& s) {
    return s && (s->fetched_at == absl::InfiniteFuture() || now - s->fetched_at < max_age_);
  };
  if (std::shared_ptr<EVP_PKEY> k = lookup(set); k && fresh(set)) return k;
  const absl::Status unknown =
      denial(Reason::kTokenKeyUnknown, "Google id_token: its kid is not in Google's key set");
  if (!fetch_) return unknown;

  internal::MutexLock fetching(&fetch_mu_);
  set = current();  // Another caller may have fetched while this one waited.
  now = clock_->now();
  if (std::shared_ptr<EVP_PKEY> k = lookup(set); k && fresh(set)) return k;
  {
    internal::MutexLock lock(&mu_);
    // A made-up kid must not make us call Google on every request, nor may
    // every sign-in call Google (one at a time, under fetch_mu_) while no key
    // set has loaded yet because Google was out of reach or answered garbage.
    if (now - last_fetch_ < refetch_interval_min_) {
      if (std::shared_ptr<EVP_PKEY> k = lookup(set)) return k;
      if (set) return unknown;
      return denial(Reason::kGoogleUnavailable,
                    internal::cat("Google's signing keys are not loaded: the last fetch, ",
                                  absl::FormatDuration(now - last_fetch_),
                                  " ago, failed; the next is allowed ",
                                  absl::FormatDuration(refetch_interval_min_), " after it"));
    }
    last_fetch_ = now;
  }
  absl::StatusOr<std::string> body = fetch_();
  if (!body.ok()) {
    // Google out of reach: a stale key still verifies its own tokens.
    if (std::shared_ptr<EVP_PKEY> k = lookup(set)) return k;
    return body.status();
  }
  absl::StatusOr<KeyMap> keys = parse_jwks(*body);
  if (!keys.ok()) {
    // Likewise when Google's answer is not a key set: keep the stale keys.
    if (std::shared_ptr<EVP_PKEY> k = lookup(set)) return k;
    return denial(Reason::kGoogleResponseInvalid,
                  std::string_view(keys.status().message().data(), keys.status().message().size()));
  }
  auto next = std::make_shared<const KeySet>(KeySet{.keys = *std::move(keys), .fetched_at = now});
  {
    internal::MutexLock lock(&mu_);
    keys_ = next;
  }
  if (std::shared_ptr<EVP_PKEY> k = lookup(next)) return k;
  return unknown;
}

absl::StatusOr<GoogleIdClaims> GoogleIdTokenVerifier::verify(std::string_view id_token) {
  absl::StatusOr<JwtParts> parts = parse_jwt(id_token);
  if (!parts.ok()) return parts.status();
  if (parts->header.alg != "RS256") {
    return denial(Reason::kTokenAlgorithmRejected, "Google id_token: alg is not RS256");
  }
  if (!parts->header.kid || parts->header.kid->empty()) {
    return denial(Reason::kTokenKeyUnknown, "Google id_token: no kid");
  }
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = this->key(*parts->header.kid);
  if (!key.ok()) return key.status();
  if (!verify_rs256(key->get(), parts->signing_input, parts->signature)) {
    return denial(Reason::kTokenSignatureInvalid, "Google id_token: the signature does not verify");
  }

  const JwtClaims& c = parts->claims;
  const absl::Time now = clock_->now();
  if (c.exp && absl::FromUnixSeconds(*c.exp) + leeway_ < now) {
    return denial(
        Reason::kTokenExpired,
        internal::cat("Google id_token: expired at ",
                      absl::FormatTime(absl::FromUnixSeconds(*c.exp), absl::UTCTimeZone()),
                      ", leeway ", absl::FormatDuration(leeway_)));
  }
  for (const std::optional<int64_t>& not_before : {c.iat, c.nbf}) {
    if (not_before && absl::FromUnixSeconds(*not_before) > now + leeway_) {
      return denial(
          Reason::kTokenNotYetValid,
          internal::cat("Google id_token: not valid before ",
                        absl::FormatTime(absl::FromUnixSeconds(*not_before), absl::UTCTimeZone()),
                        ", leeway ", absl::FormatDuration(leeway_)));
    }
  }
  if (!c.exp) return claims_invalid("no exp");
  if (!c.iss || std::find(issuers_.begin(), issuers_.end(), *c.iss) == issuers_.end()) {
    return claims_invalid("iss is not Google");
  }
  if (std::find(c.aud.begin(), c.aud.end(), client_id_) == c.aud.end()) {
    return claims_invalid("aud is not our client id");
  }
  if (!c.sub || c.sub->empty()) return claims_invalid("no sub");

  // parse_jwt() read this payload already: only the types of Google's own claims can fail here.
  ACCOUNT_ASSIGN_OR_RETURN(
      const JsonFields payload,
      JsonFields::parse(parts->payload_json, "Google id_token", Reason::kTokenClaimsInvalid));
  ACCOUNT_ASSIGN_OR_RETURN(const std::optional<std::string> email, payload.string("email"));
  ACCOUNT_ASSIGN_OR_RETURN(const std::optional<bool> verified, payload.boolean("email_verified"));
  return GoogleIdClaims{.sub = *c.sub,
                        .email = email.value_or(""),
                        .email_verified = verified.value_or(false),
                        .expires_at_unix_seconds = *c.exp};
}

}  // namespace account::internal::auth
