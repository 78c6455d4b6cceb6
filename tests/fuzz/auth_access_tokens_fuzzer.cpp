// Fuzz target: access-token verification (AccessTokens::verify over
// src/auth/jwt_parts.h). Every refusal must be one of the seven kToken*
// reasons, and nothing the fuzzer makes may verify unless it is a token the
// harness itself signed. The first byte of the input picks what the rest is:
//
//   0  a token, verified as is by the ring of key "fuzz-a". It may verify
//      only when it is byte for byte one of the tokens issue() made at
//      start-up, and then with the claims issue() reported.
//   1  an edit of one of those issued tokens: [token][offset hi][offset lo]
//      [op] then bytes (op 0 overwrites, 1 inserts, 2 deletes as many bytes
//      as follow). The edited token verifies only when the edit changed
//      nothing.
//   2  "<header JSON>\n<payload JSON>", signed by the harness with the secret
//      of a second ring (key "fuzz-b") and verified by that ring, so the
//      checks after the signature are fuzzed too. An accepted token meets
//      every rule of docs/auth.md, checked with an independent JSON reader;
//      with one signature bit flipped it is refused no later than the
//      signature check.
//
// The secrets are fixed, so a run is reproducible; the two rings share no key,
// so a token signed under mode 2 can never verify under mode 0.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "account/auth/access_tokens.h"
#include "account/clock.h"
#include "account/status.h"
#include "crypto.h"
#include "jwt_oracle.h"
#include "support/json_value.h"

// In the oracle's namespace, so that its helpers need no using-declarations.
namespace account::fuzz {
namespace {

namespace ia = account::internal::auth;
using account::auth::AccessClaims;
using account::auth::AccessTokens;

constexpr int64_t kNowUnixSeconds = 1'790'000'000;
constexpr int64_t kLeewaySeconds = 30;
constexpr std::string_view kSecretA = "fuzz-secret-a/0123456789abcdef0123456789";
constexpr std::string_view kSecretB = "fuzz-secret-b/0123456789abcdef0123456789";

struct World {
  account::ManualClock clock{absl::FromUnixSeconds(kNowUnixSeconds)};
  AccessTokens ring_a = make("fuzz-a", kSecretA);
  AccessTokens ring_b = make("fuzz-b", kSecretB);
  std::vector<account::auth::IssuedAccessToken> issued;
  std::vector<uint64_t> issued_for;

  World() {
    for (const uint64_t account : {uint64_t{1}, uint64_t{42}, UINT64_MAX}) {
      issued.push_back(ring_a.issue(account::AccountId{account}).value());
      issued_for.push_back(account);
    }
    // One issued earlier, still valid; one expired by now.
    clock.set(absl::FromUnixSeconds(kNowUnixSeconds - 1800));
    issued.push_back(ring_a.issue(account::AccountId{7}).value());
    issued_for.push_back(7);
    clock.set(absl::FromUnixSeconds(kNowUnixSeconds - 7200));
    issued.push_back(ring_a.issue(account::AccountId{8}).value());
    issued_for.push_back(8);
    clock.set(absl::FromUnixSeconds(kNowUnixSeconds));
  }

  AccessTokens make(std::string_view kid, std::string_view secret) {
    return AccessTokens::create({}, {{std::string(kid), std::string(secret)}}, kid, &clock).value();
  }
};

World& world() {
  static World* w = new World();
  return *w;
}

// Verified by ring A: refused with a kToken* reason, or one of the issued
// tokens with exactly the claims it was issued with.
void verify_a(std::string_view token) {
  World& w = world();
  const absl::StatusOr<AccessClaims> claims = w.ring_a.verify(token);
  if (!claims.ok()) {
    require(is_token_reason(claims.status()));
    return;
  }
  for (size_t i = 0; i < w.issued.size(); ++i) {
    const account::auth::IssuedAccessToken& t = w.issued[i];
    if (t.token != token) continue;
    require(claims->account == account::AccountId{w.issued_for[i]} && claims->jti == t.jti &&
            claims->kid == "fuzz-a" && claims->issued_at == t.issued_at &&
            claims->expires_at == t.expires_at);
    return;
  }
  std::abort();  // A token the harness never issued verified: a forgery.
}

void verify_edited(std::string_view edit) {
  World& w = world();
  if (edit.size() < 4) return;
  const std::string& original = w.issued[static_cast<uint8_t>(edit[0]) % w.issued.size()].token;
  const size_t offset = ((static_cast<uint8_t>(edit[1]) << 8) | static_cast<uint8_t>(edit[2])) %
                        (original.size() + 1);
  const std::string_view bytes = edit.substr(4);
  std::string token = original;
  switch (static_cast<uint8_t>(edit[3]) % 3) {
    case 0:
      token.replace(offset, bytes.size(), bytes);
      break;
    case 1:
      token.insert(offset, bytes);
      break;
    default:
      token.erase(offset, bytes.size());
      break;
  }
  verify_a(token);  // Verifies only when `token` is still an issued token.
}

// An accepted token, rule by rule (docs/auth.md, "verify: the order of checks").
void check_accepted(const std::optional<JsonValue>& header, const std::optional<JsonValue>& payload,
                    const AccessClaims& claims) {
  require(is_string(field(header, "alg"), "HS256"));
  require(is_string(field(header, "kid"), "fuzz-b") && claims.kid == "fuzz-b");
  require(field(header, "crit") == nullptr);
  const std::optional<int64_t> exp = seconds_of(field(payload, "exp"));
  const std::optional<int64_t> iat = seconds_of(field(payload, "iat"));
  require(exp && iat);
  require(kNowUnixSeconds < *exp + kLeewaySeconds && *iat <= kNowUnixSeconds + kLeewaySeconds);
  require(claims.expires_at == absl::FromUnixSeconds(*exp) &&
          claims.issued_at == absl::FromUnixSeconds(*iat));
  const std::optional<int64_t> nbf = seconds_of(field(payload, "nbf"));
  require(!nbf || *nbf <= kNowUnixSeconds + kLeewaySeconds);
  require(is_string(field(payload, "iss"), "account"));
  require(names_audience(field(payload, "aud"), "account"));
  const JsonValue* sub = field(payload, "sub");
  require(sub != nullptr && sub->type == JsonValue::Type::kString &&
          sub->string == std::to_string(claims.account.value()) && claims.account.value() > 0);
  const JsonValue* jti = field(payload, "jti");
  require(jti != nullptr && jti->type == JsonValue::Type::kString && !jti->string.empty() &&
          jti->string == claims.jti);
}

void verify_signed(std::string_view header_json, std::string_view payload_json) {
  World& w = world();
  const std::string input =
      ia::base64url_encode(header_json) + "." + ia::base64url_encode(payload_json);
  std::string mac = ia::hmac_sha256(kSecretB, input);
  const absl::StatusOr<AccessClaims> claims =
      w.ring_b.verify(input + "." + ia::base64url_encode(mac));
  if (claims.ok()) {
    const std::optional<JsonValue> header = account::testing::parse_json(header_json);
    const std::optional<JsonValue> payload = account::testing::parse_json(payload_json);
    if (header && payload) check_accepted(header, payload, *claims);
  } else {
    require(is_token_reason(claims.status()));
  }
  mac.back() = static_cast<char>(mac.back() ^ 1);
  require(stopped_by_signature(w.ring_b.verify(input + "." + ia::base64url_encode(mac)).status()));
}

}  // namespace
}  // namespace account::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      account::fuzz::verify_a(rest);
      break;
    case 1:
      account::fuzz::verify_edited(rest);
      break;
    default: {
      const size_t newline = rest.find('\n');
      if (newline == std::string_view::npos) return 0;
      account::fuzz::verify_signed(rest.substr(0, newline), rest.substr(newline + 1));
      break;
    }
  }
  return 0;
}
