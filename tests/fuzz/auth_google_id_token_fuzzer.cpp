// Fuzz target: Google id_token verification (src/auth/google_id_token.h)
// against a fixed key set, and the key set's own reader. The first byte of
// the input picks what the rest is:
//
//   0  a token, verified as is. A fuzzer cannot forge RS256, so it must be
//      refused, with a kToken* reason, unless it is byte for byte a token
//      this process signed under mode 1.
//   1  "<header JSON>\n<payload JSON>": the harness signs it with the key the
//      set publishes (an RSA key generated at start-up) and verifies it, so
//      the checks after the signature are fuzzed too. An accepted token must
//      meet every documented rule, checked here with an independent JSON
//      reader; a refusal is a kToken* reason. The same token re-signed with
//      a key the set does not hold, or with one signature bit flipped, must
//      be refused no later than the signature check (a forged token is never
//      told whether it would also have been expired).
//   2  a JWKS document, read by parse_jwks: a key map or InvalidArgument;
//      every key taken is RSA of at least 2048 bits.
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "account/auth/curl_google_client.h"
#include "account/clock.h"
#include "account/status.h"
#include "crypto.h"
#include "google_id_token.h"
#include "jwt_oracle.h"
#include "support/json_value.h"

// In the oracle's namespace, so that its helpers need no using-declarations.
namespace account::fuzz {
namespace {

namespace ia = account::internal::auth;

constexpr int64_t kNowUnixSeconds = 1'790'000'000;
constexpr int64_t kLeewaySeconds = 60;
constexpr std::string_view kClientId = "fuzz-client.apps.googleusercontent.com";
constexpr std::string_view kKid = "fuzz-google-1";

// An RSA key pair, made once per process.
class RsaKey {
 public:
  RsaKey() : key_(EVP_RSA_gen(2048), EVP_PKEY_free) { require(key_ != nullptr); }

  std::string sign(std::string_view input) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
    size_t size = 0;
    require(ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &size, bytes, input.size()) == 1);
    std::string out(size, '\0');
    require(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size, bytes,
                           input.size()) == 1);
    out.resize(size);
    return out;
  }

  std::string jwk(std::string_view kid) const {
    return "{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + std::string(kid) +
           "\",\"n\":\"" + component("n") + "\",\"e\":\"" + component("e") + "\"}";
  }

 private:
  std::string component(const char* name) const {
    BIGNUM* bn = nullptr;
    require(EVP_PKEY_get_bn_param(key_.get(), name, &bn) == 1);
    std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return ia::base64url_encode(bytes);
  }

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

struct World {
  RsaKey google;    // Published in the key set under kKid.
  RsaKey stranger;  // Published nowhere.
  std::shared_ptr<account::ManualClock> clock =
      std::make_shared<account::ManualClock>(absl::FromUnixSeconds(kNowUnixSeconds));
  std::unique_ptr<ia::GoogleIdTokenVerifier> verifier;
  std::set<std::string> signed_hashes;  // SHA-256 of every token signed in mode 1.

  World() {
    account::auth::CurlGoogleClientOptions o;
    o.client_id = std::string(kClientId);
    o.jwks_json = "{\"keys\":[" + google.jwk(kKid) + "]}";
    o.leeway = absl::Seconds(kLeewaySeconds);
    o.clock = clock;
    verifier = ia::GoogleIdTokenVerifier::create(o, nullptr).value();
  }
};

World& world() {
  static World* w = new World();
  return *w;
}

// An accepted token, checked rule by rule against google-sign-in.md.
void check_accepted(const std::optional<JsonValue>& header, const std::optional<JsonValue>& payload,
                    const account::auth::GoogleIdClaims& claims) {
  require(is_string(field(header, "alg"), "RS256"));
  require(is_string(field(header, "kid"), kKid));
  const std::optional<int64_t> exp = seconds_of(field(payload, "exp"));
  require(exp.has_value() && *exp + kLeewaySeconds >= kNowUnixSeconds);
  require(claims.expires_at_unix_seconds == *exp);
  for (const char* key : {"iat", "nbf"}) {
    const std::optional<int64_t> t = seconds_of(field(payload, key));
    require(!t || *t <= kNowUnixSeconds + kLeewaySeconds);
  }
  const JsonValue* iss = field(payload, "iss");
  require(is_string(iss, "https://accounts.google.com") || is_string(iss, "accounts.google.com"));
  require(names_audience(field(payload, "aud"), kClientId));
  const JsonValue* sub = field(payload, "sub");
  require(sub != nullptr && sub->type == JsonValue::Type::kString && !sub->string.empty() &&
          sub->string == claims.sub);
}

void verify_signed(std::string_view header_json, std::string_view payload_json) {
  World& w = world();
  const std::string input =
      ia::base64url_encode(header_json) + "." + ia::base64url_encode(payload_json);
  const std::string signature = w.google.sign(input);
  const std::string token = input + "." + ia::base64url_encode(signature);
  w.signed_hashes.insert(ia::sha256(token));

  const absl::StatusOr<account::auth::GoogleIdClaims> claims = w.verifier->verify(token);
  if (claims.ok()) {
    const std::optional<JsonValue> header = account::testing::parse_json(header_json);
    const std::optional<JsonValue> payload = account::testing::parse_json(payload_json);
    // The strict reader refusing what simdjson took is no verdict on the verifier.
    if (header && payload) check_accepted(header, payload, *claims);
  } else {
    require(is_token_reason(claims.status()));
  }

  const std::string forged = input + "." + ia::base64url_encode(w.stranger.sign(input));
  require(stopped_by_signature(w.verifier->verify(forged).status()));
  std::string flipped = signature;
  flipped.back() = static_cast<char>(flipped.back() ^ 1);
  require(stopped_by_signature(
      w.verifier->verify(input + "." + ia::base64url_encode(flipped)).status()));
}

void verify_as_is(std::string_view token) {
  World& w = world();
  const absl::StatusOr<account::auth::GoogleIdClaims> claims = w.verifier->verify(token);
  if (claims.ok()) {
    require(w.signed_hashes.count(ia::sha256(token)) == 1);  // Otherwise: a forgery.
  } else {
    require(is_token_reason(claims.status()));
  }
}

void read_jwks(std::string_view json) {
  const absl::StatusOr<ia::KeyMap> keys = ia::parse_jwks(json);
  if (!keys.ok()) {
    require(keys.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  for (const auto& [kid, key] : *keys) {
    require(!kid.empty() && key != nullptr);
    require(EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA &&
            EVP_PKEY_get_bits(key.get()) >= 2048);
  }
}

}  // namespace
}  // namespace account::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      account::fuzz::verify_as_is(rest);
      break;
    case 1: {
      const size_t newline = rest.find('\n');
      if (newline == std::string_view::npos) return 0;
      account::fuzz::verify_signed(rest.substr(0, newline), rest.substr(newline + 1));
      break;
    }
    default:
      account::fuzz::read_jwks(rest);
      break;
  }
  return 0;
}
