// AccessTokens: issue and verify HS256 access tokens, every refusal with its Reason in the
// order of reason.h, and key rotation. Time is a ManualClock.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "account/auth/access_tokens.h"
#include "account/status.h"
#include "base/json_text.h"
#include "crypto.h"

namespace {

using namespace account;
using namespace account::auth;
namespace crypto = account::internal::auth;

const absl::Time kStart = absl::FromUnixSeconds(1'790'000'000);
const std::string kSecret1(32, 'k');
const std::string kSecret2 = "another secret of at least 32 bytes!";

AccessTokenOptions options() {
  AccessTokenOptions o;
  o.issuer = "https://exchange.example";
  o.audience = "exchange-api";
  o.lifetime = absl::Hours(1);
  o.leeway = absl::Seconds(30);
  return o;
}

AccessTokens make(const Clock* clock) {
  return AccessTokens::create(options(), {{"k1", kSecret1}}, "k1", clock).value();
}

// A token signed with `secret` over exactly the header and payload given, for the refusals a
// correct issuer never produces.
std::string forge(std::string_view header, std::string_view payload, std::string_view secret) {
  const std::string input =
      crypto::base64url_encode(header) + "." + crypto::base64url_encode(payload);
  return input + "." + crypto::base64url_encode(crypto::hmac_sha256(secret, input));
}

// A payload like the one issue() writes, `iat` = `now`, with one field overridden by `extra`.
std::string payload_at(absl::Time now, std::string_view tail = "") {
  const int64_t iat = absl::ToUnixSeconds(now);
  return R"({"iss":"https://exchange.example","aud":"exchange-api","sub":"42","iat":)" +
         std::to_string(iat) + R"(,"exp":)" + std::to_string(iat + 3600) + R"(,"jti":"j")" +
         std::string(tail) + "}";
}

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"at+jwt","kid":"k1"})";

Reason refusal(const AccessTokens& tokens, std::string_view token) {
  const auto claims = tokens.verify(token);
  REQUIRE_FALSE(claims.ok());
  const std::string message(claims.status().message());
  if (!token.empty()) CHECK(message.find(std::string(token)) == std::string::npos);
  CHECK(message.find(kSecret1) == std::string::npos);
  REQUIRE(reason_of(claims).has_value());
  return *reason_of(claims);
}

}  // namespace

TEST_CASE("an issued access token verifies and names its account") {
  ManualClock clock(kStart);
  const AccessTokens tokens = make(&clock);
  const IssuedAccessToken issued = tokens.issue(AccountId{42}).value();
  CHECK(issued.issued_at == kStart);
  CHECK(issued.expires_at == kStart + absl::Hours(1));
  CHECK(issued.jti.size() == 22);  // 128 bits, base64url

  const auto claims = tokens.verify(issued.token);
  REQUIRE(claims.ok());
  CHECK(claims->account == AccountId{42});
  CHECK(claims->jti == issued.jti);
  CHECK(claims->kid == "k1");
  CHECK(claims->issued_at == kStart);
  CHECK(claims->expires_at == kStart + absl::Hours(1));

  // Two tokens for the same account at the same instant differ by their jti.
  CHECK(tokens.issue(AccountId{42}).value().token != issued.token);
  CHECK_FALSE(tokens.issue(AccountId{0}).ok());
}

TEST_CASE("the issued header pins HS256, types the token and names the key") {
  ManualClock clock(kStart);
  const std::string token = make(&clock).issue(AccountId{7}).value().token;
  const auto header = crypto::base64url_decode(token.substr(0, token.find('.')));
  REQUIRE(header.has_value());
  CHECK(*header == R"({"alg":"HS256","typ":"at+jwt","kid":"k1"})");
}

TEST_CASE("access token refusals, one row per reason in the order of reason.h") {
  ManualClock clock(kStart);
  const AccessTokens tokens = make(&clock);
  const std::string good = tokens.issue(AccountId{42}).value().token;
  const std::string h = good.substr(0, good.find('.'));
  const std::string body = good.substr(0, good.rfind('.'));

  SECTION("TokenMalformed") {
    CHECK(refusal(tokens, "") == Reason::kTokenMalformed);
    CHECK(refusal(tokens, "abc.def") == Reason::kTokenMalformed);
    CHECK(refusal(tokens, good + "=") == Reason::kTokenMalformed);
  }
  SECTION("TokenAlgorithmRejected: alg none, with or without a signature") {
    const std::string none_header = R"({"alg":"none","kid":"k1"})";
    const std::string unsigned_token = crypto::base64url_encode(none_header) + "." +
                                       crypto::base64url_encode(payload_at(kStart)) + ".";
    CHECK(refusal(tokens, unsigned_token) == Reason::kTokenAlgorithmRejected);
    CHECK(refusal(tokens, forge(none_header, payload_at(kStart), kSecret1)) ==
          Reason::kTokenAlgorithmRejected);
  }
  SECTION("TokenAlgorithmRejected: alg switched to RS256, HS512 or a different case") {
    for (const char* alg : {"RS256", "HS512", "hs256", "ES256"}) {
      INFO(alg);
      const std::string header = std::string(R"({"alg":")") + alg + R"(","kid":"k1"})";
      CHECK(refusal(tokens, forge(header, payload_at(kStart), kSecret1)) ==
            Reason::kTokenAlgorithmRejected);
    }
  }
  SECTION("TokenKeyUnknown: unknown kid, and no kid") {
    CHECK(refusal(tokens, forge(R"({"alg":"HS256","kid":"k9"})", payload_at(kStart), kSecret1)) ==
          Reason::kTokenKeyUnknown);
    CHECK(refusal(tokens, forge(R"({"alg":"HS256"})", payload_at(kStart), kSecret1)) ==
          Reason::kTokenKeyUnknown);
    CHECK(refusal(tokens, forge(R"({"alg":"HS256","kid":"../../etc/passwd"})",
                                payload_at(kStart), kSecret1)) == Reason::kTokenKeyUnknown);
  }
  SECTION("TokenSignatureInvalid: tampered payload") {
    std::string payload = payload_at(kStart);
    payload.replace(payload.find("\"42\""), 4, "\"43\"");
    const std::string tampered_payload = crypto::base64url_encode(payload);
    const std::string tampered = h + "." + tampered_payload + good.substr(good.rfind('.'));
    CHECK(refusal(tokens, tampered) == Reason::kTokenSignatureInvalid);
  }
  SECTION("TokenSignatureInvalid: tampered, truncated, missing or foreign signature") {
    std::string flipped = good;
    const size_t at = good.rfind('.') + 5;
    flipped[at] = flipped[at] == 'A' ? 'B' : 'A';
    CHECK(refusal(tokens, flipped) == Reason::kTokenSignatureInvalid);
    CHECK(refusal(tokens, body + "." + good.substr(good.rfind('.') + 1, 40)) ==
          Reason::kTokenSignatureInvalid);
    CHECK(refusal(tokens, body + ".") == Reason::kTokenSignatureInvalid);
    CHECK(refusal(tokens, forge(kHeader, payload_at(kStart), std::string(32, 'x'))) ==
          Reason::kTokenSignatureInvalid);
  }
  SECTION("TokenExpired: beyond exp plus the leeway, and not a second before") {
    clock.advance(absl::Hours(1) + absl::Seconds(29));
    CHECK(tokens.verify(good).ok());
    clock.advance(absl::Seconds(1));
    CHECK(refusal(tokens, good) == Reason::kTokenExpired);
  }
  SECTION("TokenNotYetValid: iat or nbf in the future beyond the leeway") {
    CHECK(tokens.verify(forge(kHeader, payload_at(kStart + absl::Seconds(30)), kSecret1)).ok());
    CHECK(refusal(tokens, forge(kHeader, payload_at(kStart + absl::Seconds(31)), kSecret1)) ==
          Reason::kTokenNotYetValid);
    const std::string nbf = R"(,"nbf":)" + std::to_string(absl::ToUnixSeconds(kStart) + 60);
    CHECK(refusal(tokens, forge(kHeader, payload_at(kStart, nbf), kSecret1)) ==
          Reason::kTokenNotYetValid);
  }
  SECTION("TokenClaimsInvalid: wrong iss, wrong aud, bad sub, missing claims") {
    const std::string iat = std::to_string(absl::ToUnixSeconds(kStart));
    const std::string exp = std::to_string(absl::ToUnixSeconds(kStart) + 3600);
    const auto with = [&](std::string iss, std::string aud, std::string sub, bool times = true) {
      std::string p = "{" + iss + aud + sub + R"("jti":"j")";
      if (times) p += R"(,"iat":)" + iat + R"(,"exp":)" + exp;
      return forge(kHeader, p + "}", kSecret1);
    };
    const std::string iss = R"("iss":"https://exchange.example",)";
    const std::string aud = R"("aud":"exchange-api",)";
    const std::string sub = R"("sub":"42",)";
    CHECK(tokens.verify(with(iss, aud, sub)).ok());
    CHECK(refusal(tokens, with(R"("iss":"https://evil.example",)", aud, sub)) ==
          Reason::kTokenClaimsInvalid);
    CHECK(refusal(tokens, with("", aud, sub)) == Reason::kTokenClaimsInvalid);
    CHECK(refusal(tokens, with(iss, R"("aud":"someone-else",)", sub)) ==
          Reason::kTokenClaimsInvalid);
    CHECK(refusal(tokens, with(iss, "", sub)) == Reason::kTokenClaimsInvalid);
    CHECK(tokens.verify(with(iss, R"("aud":["x","exchange-api"],)", sub)).ok());
    for (const char* bad_sub : {R"("sub":"0",)", R"("sub":"042",)", R"("sub":"-1",)",
                                R"("sub":"alice",)", ""}) {
      INFO(bad_sub);
      CHECK(refusal(tokens, with(iss, aud, bad_sub)) == Reason::kTokenClaimsInvalid);
    }
    CHECK(refusal(tokens, with(iss, aud, sub, /*times=*/false)) == Reason::kTokenClaimsInvalid);
  }
}

TEST_CASE("a token that fails several checks reports the first in reason order") {
  ManualClock clock(kStart);
  const AccessTokens tokens = make(&clock);
  const std::string stale_foreign = forge(R"({"alg":"HS256","kid":"k1"})",
                                          R"({"iss":"x","exp":1,"iat":1})", std::string(32, 'x'));
  // Forged, expired and with foreign claims: the forgery is what is reported.
  CHECK(refusal(tokens, stale_foreign) == Reason::kTokenSignatureInvalid);
  // Correctly signed, expired and with a foreign issuer: expired comes first.
  CHECK(refusal(tokens, forge(kHeader, R"({"iss":"x","exp":1,"iat":1})", kSecret1)) ==
        Reason::kTokenExpired);
  // RS256 with an unknown kid: the algorithm is reported, not the key.
  CHECK(refusal(tokens, forge(R"({"alg":"RS256","kid":"nope"})", "{}", kSecret1)) ==
        Reason::kTokenAlgorithmRejected);
}

TEST_CASE("tokens from another issuer or audience with our key are refused") {
  ManualClock clock(kStart);
  AccessTokenOptions other = options();
  other.audience = "another-api";
  const AccessTokens theirs =
      AccessTokens::create(other, {{"k1", kSecret1}}, "k1", &clock).value();
  CHECK(refusal(make(&clock), theirs.issue(AccountId{1}).value().token) ==
        Reason::kTokenClaimsInvalid);
}

TEST_CASE("key rotation: old tokens verify until their key is retired") {
  ManualClock clock(kStart);
  AccessTokens tokens = make(&clock);
  const std::string old_token = tokens.issue(AccountId{5}).value().token;

  REQUIRE(tokens.add_key({"k2", kSecret2}, /*make_current=*/true).ok());
  CHECK(tokens.current_kid() == "k2");
  const std::string new_token = tokens.issue(AccountId{5}).value().token;
  CHECK(tokens.verify(new_token).value().kid == "k2");
  CHECK(tokens.verify(old_token).value().kid == "k1");

  CHECK(tokens.retire_key("k2").code() == absl::StatusCode::kFailedPrecondition);
  CHECK(tokens.retire_key("k7").code() == absl::StatusCode::kNotFound);
  REQUIRE(tokens.retire_key("k1").ok());
  CHECK(refusal(tokens, old_token) == Reason::kTokenKeyUnknown);
  CHECK(tokens.verify(new_token).ok());
}

TEST_CASE("AccessTokens::create and add_key refuse weak or ill-named keys") {
  ManualClock clock(kStart);
  const auto bad = [&](std::vector<AccessKey> keys, std::string_view current,
                       AccessTokenOptions o = options()) {
    return AccessTokens::create(o, std::move(keys), current, &clock).status().code() ==
           absl::StatusCode::kInvalidArgument;
  };
  CHECK(bad({}, "k1"));
  CHECK(bad({{"k1", std::string(31, 'k')}}, "k1"));
  CHECK(bad({{"", kSecret1}}, ""));
  CHECK(bad({{"k/1", kSecret1}}, "k/1"));
  CHECK(bad({{std::string(65, 'a'), kSecret1}}, std::string(65, 'a')));
  CHECK(bad({{"k1", kSecret1}, {"k1", kSecret2}}, "k1"));
  CHECK(bad({{"k1", kSecret1}}, "k2"));
  AccessTokenOptions no_issuer = options();
  no_issuer.issuer.clear();
  CHECK(bad({{"k1", kSecret1}}, "k1", no_issuer));
  AccessTokenOptions wide_leeway = options();
  wide_leeway.leeway = absl::Hours(2);
  CHECK(bad({{"k1", kSecret1}}, "k1", wide_leeway));
  CHECK_FALSE(AccessTokens::create(options(), {{"k1", kSecret1}}, "k1", nullptr).ok());

  AccessTokens tokens = make(&clock);
  CHECK(tokens.add_key({"k1", kSecret2}, false).code() == absl::StatusCode::kInvalidArgument);
  CHECK(tokens.add_key({"k2", "short"}, true).code() == absl::StatusCode::kInvalidArgument);
  CHECK(tokens.current_kid() == "k1");
}

TEST_CASE("json_string escapes quotes, backslashes and control characters") {
  CHECK(internal::json_string("a\"b\\c\n\x01") == R"("a\"b\\c\n\u0001")");
  CHECK(internal::json_string("é") == "\"é\"");
}

TEST_CASE("access_keys_from_environment reads the current and the previous key") {
  const std::string secret(40, 'e');
  ::unsetenv("JWT_SECRET");
  ::unsetenv("JWT_KEY_ID");
  ::unsetenv("JWT_PREVIOUS_SECRET");
  ::unsetenv("JWT_PREVIOUS_KEY_ID");
  CHECK(access_keys_from_environment().status().code() == absl::StatusCode::kInvalidArgument);

  ::setenv("JWT_SECRET", "too short", 1);
  const auto short_secret = access_keys_from_environment();
  CHECK(short_secret.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(short_secret.status().message()), !Catch::Contains("too short"));

  ::setenv("JWT_SECRET", secret.c_str(), 1);
  const AccessKeyRing one = access_keys_from_environment().value();
  CHECK(one.current_kid == "1");
  REQUIRE(one.keys.size() == 1);
  CHECK(one.keys[0].secret == secret);

  ::setenv("JWT_KEY_ID", "2026-12", 1);
  ::setenv("JWT_PREVIOUS_SECRET", std::string(32, 'p').c_str(), 1);
  CHECK(access_keys_from_environment().status().code() == absl::StatusCode::kInvalidArgument);
  ::setenv("JWT_PREVIOUS_KEY_ID", "2026-11", 1);
  const AccessKeyRing two = access_keys_from_environment().value();
  CHECK(two.current_kid == "2026-12");
  REQUIRE(two.keys.size() == 2);
  CHECK(two.keys[1].kid == "2026-11");
  ManualClock clock(kStart);
  CHECK(AccessTokens::create(options(), two.keys, two.current_kid, &clock).ok());

  for (const char* name : {"JWT_SECRET", "JWT_KEY_ID", "JWT_PREVIOUS_SECRET",
                           "JWT_PREVIOUS_KEY_ID"}) {
    ::unsetenv(name);
  }
}

TEST_CASE("tokens issue and verify on many threads while keys are added", "[concurrency]") {
  ManualClock clock(kStart);
  AccessTokens tokens = make(&clock);
  std::atomic<int> failures{0};
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const auto issued = tokens.issue(AccountId{static_cast<uint64_t>(t * 1000 + i + 1)});
        const absl::StatusOr<AccessClaims> claims =
            issued.ok() ? tokens.verify(issued->token) : issued.status();
        if (!claims.ok() || claims->account.value() != static_cast<uint64_t>(t * 1000 + i + 1)) {
          failures.fetch_add(1);
        } else {
          verified.fetch_add(1);
        }
      }
    });
  }
  // Keys are only added here, never retired, so every token must verify.
  for (int k = 2; k < 50; ++k) {
    const AccessKey key{"k" + std::to_string(k), std::string(32, static_cast<char>('a' + k % 26))};
    REQUIRE(tokens.add_key(key, /*make_current=*/true).ok());
  }
  for (std::thread& t : threads) t.join();
  CHECK(failures.load() == 0);
  CHECK(verified.load() == 900);
  CHECK(tokens.current_kid() == "k49");
}
