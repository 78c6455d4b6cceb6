#include "jwt_parts.h"

#include <cmath>

#include "account/reason.h"
#include "account/status.h"
#include "base/strings.h"
#include "crypto.h"
#include "http/json_reader.h"

namespace account::internal::auth {
namespace {

using http::JsonPath;
using http::JsonReader;
using http::Presence;
using http::dom::element;
using http::dom::object;

// NumericDates beyond this are nonsense (year ~31 million) and would overflow absl::Time maths.
constexpr double kNumericDateAbsMax = 1e15;

const JsonPath kRoot;

absl::Status malformed(std::string_view what) { return denial(Reason::kTokenMalformed, what); }

// A NumericDate: a number of seconds since the epoch, rounded down.
absl::Status read_date(const JsonReader& json, element value, const JsonPath& path,
                       std::optional<int64_t>* out) {
  double seconds = 0;
  ACCOUNT_RETURN_IF_ERROR(json.read(value, path, &seconds));
  if (!std::isfinite(seconds) || std::fabs(seconds) > kNumericDateAbsMax) {
    return json.error(path, "not a NumericDate within 10^15 seconds of 1970");
  }
  *out = static_cast<int64_t>(std::floor(seconds));
  return absl::OkStatus();
}

// `aud`: a string, or an array of strings.
absl::Status read_audience(const JsonReader& json, element value, const JsonPath& path,
                           JwtClaims* claims) {
  claims->aud_present = true;
  if (value.type() != http::dom::element_type::ARRAY) {
    return json.read(value, path, &claims->aud.emplace_back());
  }
  return json.for_each_element(
      value.get_array().value_unsafe(), path,
      [&](element a, const JsonPath& p) { return json.read(a, p, &claims->aud.emplace_back()); });
}

// The decoded `part` ("header", "payload") as a JSON object. Reading it refuses any key that
// appears twice: a repeated `alg` or `exp` could mean different things to different parsers
// (RFC 7519 section 4 allows refusing a JWT with a repeated claim name).
absl::StatusOr<object> part_object(http::dom::parser& parser, const JsonReader& json,
                                   const std::string& text) {
  ACCOUNT_ASSIGN_OR_RETURN(element root, json.parse(parser, text));
  object o;
  ACCOUNT_RETURN_IF_ERROR(json.get(root, kRoot, &o));
  return o;
}

absl::Status read_header(http::dom::parser& parser, const std::string& text, JwtHeader* header) {
  const JsonReader json("header", Reason::kTokenMalformed);
  ACCOUNT_ASSIGN_OR_RETURN(object o, part_object(parser, json, text));
  return json.read_fields(o, kRoot,
                          {{"alg", Presence::kRequired, &header->alg},
                           {"kid", Presence::kOptional, json.non_null(&header->kid)},
                           {"typ", Presence::kOptional, json.non_null(&header->typ)},
                           // Extensions we do not implement must not be ignored (RFC 7515
                           // section 4.1.11). jku, x5u, jwk, ...: never followed, so skipped.
                           {"crit", Presence::kOptional, [&](element, const JsonPath& p) {
                              return json.error(p, "extensions are not implemented");
                            }}});
}

absl::Status read_claims(http::dom::parser& parser, const std::string& text, JwtClaims* claims) {
  const JsonReader json("payload", Reason::kTokenMalformed);
  ACCOUNT_ASSIGN_OR_RETURN(object o, part_object(parser, json, text));
  const auto date = [&](std::optional<int64_t>* out) {
    return [&json, out](element v, const JsonPath& p) { return read_date(json, v, p, out); };
  };
  return json.read_fields(
      o, kRoot,
      {{"iss", Presence::kOptional, json.non_null(&claims->iss)},
       {"sub", Presence::kOptional, json.non_null(&claims->sub)},
       {"jti", Presence::kOptional, json.non_null(&claims->jti)},
       {"aud", Presence::kOptional,
        [&](element v, const JsonPath& p) { return read_audience(json, v, p, claims); }},
       {"exp", Presence::kOptional, date(&claims->exp)},
       {"iat", Presence::kOptional, date(&claims->iat)},
       {"nbf", Presence::kOptional, date(&claims->nbf)}});
}

}  // namespace

absl::StatusOr<JwtParts> parse_jwt(std::string_view token) {
  if (token.size() > kJwtBytesMax) {
    return malformed(internal::cat("longer than ", kJwtBytesMax, " bytes"));
  }
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return malformed("not three parts separated by '.'");
  }
  const std::string_view header_b64 = token.substr(0, first);
  const std::string_view payload_b64 = token.substr(first + 1, second - first - 1);
  const std::string_view signature_b64 = token.substr(second + 1);
  if (header_b64.empty() || payload_b64.empty()) return malformed("an empty header or payload");

  std::optional<std::string> header_json = base64url_decode(header_b64);
  std::optional<std::string> payload_json = base64url_decode(payload_b64);
  std::optional<std::string> signature = base64url_decode(signature_b64);
  if (!header_json) return malformed("the header is not base64url");
  if (!payload_json) return malformed("the payload is not base64url");
  if (!signature) return malformed("the signature is not base64url");

  JwtParts parts;
  parts.signing_input.assign(token.data(), second);
  parts.header_json = std::move(*header_json);
  parts.payload_json = std::move(*payload_json);
  parts.signature = std::move(*signature);
  // One parser per thread: its buffers are reused from token to token.
  thread_local http::dom::parser parser;
  if (absl::Status s = read_header(parser, parts.header_json, &parts.header); !s.ok()) return s;
  if (absl::Status s = read_claims(parser, parts.payload_json, &parts.claims); !s.ok()) return s;
  return parts;
}

}  // namespace account::internal::auth
