// parse_jwt: the parts and claims of well-formed tokens, and kTokenMalformed for each way a
// token can be malformed, with no part of the token in the message.
#include <catch2/catch.hpp>

#include <string>

#include "account/status.h"
#include "crypto.h"
#include "jwt_parts.h"

namespace {

using namespace account::internal::auth;
using account::Reason;

std::string token_of(std::string_view header, std::string_view payload,
                     std::string_view signature = "sig") {
  return base64url_encode(header) + "." + base64url_encode(payload) + "." +
         base64url_encode(signature);
}

constexpr std::string_view kHeader = R"({"alg":"HS256","kid":"k1","typ":"JWT"})";

}  // namespace

TEST_CASE("parse_jwt reads the header, the registered claims and the signature") {
  const std::string payload =
      R"({"iss":"https://accounts.example","sub":"42","aud":"api","exp":1800000000,)"
      R"("iat":1799996400,"nbf":1799996399.75,"jti":"j-1","email":"a@example.com"})";
  const std::string token = token_of(kHeader, payload, "\x01\x02\xff");
  const auto parts = parse_jwt(token);
  REQUIRE(parts.ok());
  CHECK(parts->header.alg == "HS256");
  CHECK(parts->header.kid == std::optional<std::string>("k1"));
  CHECK(parts->header.typ == std::optional<std::string>("JWT"));
  CHECK(parts->claims.iss == std::optional<std::string>("https://accounts.example"));
  CHECK(parts->claims.sub == std::optional<std::string>("42"));
  CHECK(parts->claims.aud_present);
  CHECK(parts->claims.aud == std::vector<std::string>{"api"});
  CHECK(parts->claims.exp == std::optional<int64_t>(1'800'000'000));
  CHECK(parts->claims.iat == std::optional<int64_t>(1'799'996'400));
  CHECK(parts->claims.nbf == std::optional<int64_t>(1'799'996'399));  // fraction dropped
  CHECK(parts->claims.jti == std::optional<std::string>("j-1"));
  CHECK(parts->payload_json == payload);
  CHECK(parts->header_json == kHeader);
  CHECK(parts->signature == "\x01\x02\xff");
  CHECK(parts->signing_input == token.substr(0, token.rfind('.')));
}

TEST_CASE("parse_jwt rounds fractional NumericDates down, toward the past, also before 1970") {
  const auto parts = parse_jwt(
      token_of(kHeader, R"({"exp":1790002600.5,"iat":-789999000.75,"nbf":-0.25})", ""));
  REQUIRE(parts.ok());
  CHECK(parts->claims.exp == std::optional<int64_t>(1'790'002'600));
  CHECK(parts->claims.iat == std::optional<int64_t>(-789'999'001));  // Not -789'999'000.
  CHECK(parts->claims.nbf == std::optional<int64_t>(-1));
}

TEST_CASE("parse_jwt reads aud as an array, and absent claims as absent") {
  const auto parts =
      parse_jwt(token_of(R"({"alg":"RS256"})", R"({"aud":["a","b"]})", ""));
  REQUIRE(parts.ok());
  CHECK(parts->claims.aud == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(parts->header.kid.has_value());
  CHECK_FALSE(parts->claims.iss.has_value());
  CHECK_FALSE(parts->claims.exp.has_value());
  CHECK(parts->signature.empty());

  const auto no_aud = parse_jwt(token_of(R"({"alg":"none"})", "{}", ""));
  REQUIRE(no_aud.ok());
  CHECK_FALSE(no_aud->claims.aud_present);
  CHECK(no_aud->header.alg == "none");  // parsed; refusing it is the verifier's job
}

TEST_CASE("parse_jwt refuses malformed tokens with TokenMalformed") {
  const std::string good_payload = R"({"sub":"1"})";
  const std::string h = base64url_encode(kHeader);
  const std::string p = base64url_encode(good_payload);
  struct Row {
    std::string name;
    std::string token;
  };
  const std::vector<Row> rows = {
      {"empty", ""},
      {"one part", h},
      {"two parts", h + "." + p},
      {"four parts", h + "." + p + ".c2ln.c2ln"},
      {"empty header", "." + p + ".c2ln"},
      {"empty payload", h + "..c2ln"},
      {"padded header", h + "=." + p + ".c2ln"},
      {"base64 not base64url signature", h + "." + p + ".ab+/"},
      {"header not JSON", base64url_encode("{alg") + "." + p + ".c2ln"},
      {"header an array", base64url_encode("[1]") + "." + p + ".c2ln"},
      {"header without alg", token_of(R"({"kid":"k"})", good_payload)},
      {"alg not a string", token_of(R"({"alg":7})", good_payload)},
      {"kid not a string", token_of(R"({"alg":"HS256","kid":1})", good_payload)},
      {"alg twice", token_of(R"({"alg":"HS256","alg":"none"})", good_payload)},
      {"crit", token_of(R"({"alg":"HS256","crit":["exp"]})", good_payload)},
      {"payload not an object", token_of(kHeader, R"("x")")},
      {"payload with trailing bytes", token_of(kHeader, R"({"sub":"1"} x)")},
      {"exp a string", token_of(kHeader, R"({"exp":"1800000000"})")},
      {"exp out of range", token_of(kHeader, R"({"exp":1e300})")},
      {"aud a number", token_of(kHeader, R"({"aud":5})")},
      {"aud with a number", token_of(kHeader, R"({"aud":["a",5]})")},
      {"sub twice", token_of(kHeader, R"({"sub":"1","sub":"2"})")},
      {"another claim twice", token_of(kHeader, R"({"email":"a","email":"b"})")},
      {"typ null", token_of(R"({"alg":"HS256","typ":null})", good_payload)},
      {"iss null", token_of(kHeader, R"({"iss":null})")},
      {"too long", token_of(kHeader, R"({"x":")" + std::string(kJwtBytesMax, 'a') + R"("})")},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    const auto parts = parse_jwt(row.token);
    REQUIRE_FALSE(parts.ok());
    CHECK(account::reason_of(parts) == Reason::kTokenMalformed);
    // The message says what was wrong without repeating the token.
    if (row.token.size() > 8) {
      CHECK(std::string(parts.status().message()).find(row.token) == std::string::npos);
      CHECK(std::string(parts.status().message()).find(p) == std::string::npos);
    }
  }
}

TEST_CASE("parse_jwt's refusals name the part and the path of what was wrong") {
  const auto aud = parse_jwt(token_of(kHeader, R"({"aud":["a",5]})"));
  CHECK(std::string(aud.status().message()) ==
        "TokenMalformed: payload: aud[1]: expected a string, got a number");
  const auto crit = parse_jwt(token_of(R"({"alg":"HS256","crit":["exp"]})", "{}"));
  CHECK(std::string(crit.status().message()) ==
        "TokenMalformed: header: crit: extensions are not implemented");
  const auto no_alg = parse_jwt(token_of(R"({"kid":"k"})", "{}"));
  CHECK(std::string(no_alg.status().message()) ==
        "TokenMalformed: header: the document: missing field 'alg'");
}
