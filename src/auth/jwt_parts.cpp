#include "jwt_parts.h"

#include <cmath>
#include <set>

#include "base/strings.h"
#include "account/reason.h"
#include "account/status.h"
#include "crypto.h"
#include "simdjson.h"

namespace account::internal::auth {
namespace {

namespace dom = simdjson::dom;

// NumericDates beyond this are nonsense (year ~31 million) and would overflow absl::Time maths.
constexpr double kNumericDateAbsMax = 1e15;

absl::Status malformed(std::string_view what) { return denial(Reason::kTokenMalformed, what); }

absl::Status read_string(dom::element value, std::string_view name,
                         std::optional<std::string>* out) {
  std::string_view text;
  if (value.get_string().get(text)) {
    return malformed(internal::cat("`", name, "` is not a string"));
  }
  out->emplace(text.data(), text.size());
  return absl::OkStatus();
}

absl::Status read_date(dom::element value, std::string_view name, std::optional<int64_t>* out) {
  double seconds = 0;
  if (!value.is_number() || value.get_double().get(seconds) || !std::isfinite(seconds) ||
      std::fabs(seconds) > kNumericDateAbsMax) {
    return malformed(internal::cat("`", name, "` is not a NumericDate"));
  }
  *out = static_cast<int64_t>(std::floor(seconds));
  return absl::OkStatus();
}

absl::Status read_audience(dom::element value, JwtClaims* claims) {
  claims->aud_present = true;
  std::string_view text;
  if (!value.get_string().get(text)) {
    claims->aud.emplace_back(text.data(), text.size());
    return absl::OkStatus();
  }
  dom::array array;
  if (value.get_array().get(array)) {
    return malformed("`aud` is not a string or an array of strings");
  }
  for (dom::element element : array) {
    if (element.get_string().get(text)) return malformed("`aud` holds a non-string");
    claims->aud.emplace_back(text.data(), text.size());
  }
  return absl::OkStatus();
}

// Parses `json` (a decoded part) as one object and calls on_field(key, value) for each field,
// refusing a repeated key among `watched` (a duplicate `alg` or `exp` could mean different
// things to different parsers).
template <typename F>
absl::Status for_each_field(dom::parser& parser, const std::string& json, std::string_view part,
                            const std::set<std::string_view>& watched, F&& on_field) {
  dom::element doc;
  if (parser.parse(json).get(doc)) return malformed(internal::cat("the ", part, " is not JSON"));
  dom::object object;
  if (doc.get_object().get(object)) {
    return malformed(internal::cat("the ", part, " is not a JSON object"));
  }
  std::set<std::string_view> seen;
  for (dom::key_value_pair field : object) {
    if (watched.count(field.key) != 0 && !seen.insert(field.key).second) {
      return malformed(internal::cat("`", field.key, "` appears twice in the ", part));
    }
    if (absl::Status s = on_field(field.key, field.value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status read_header(dom::parser& parser, const std::string& json, JwtHeader* header) {
  static const std::set<std::string_view> kWatched = {"alg", "kid", "typ", "crit"};
  std::optional<std::string> alg;
  absl::Status s = for_each_field(
      parser, json, "header", kWatched,
      [&](std::string_view key, dom::element value) -> absl::Status {
        if (key == "alg") return read_string(value, key, &alg);
        if (key == "kid") return read_string(value, key, &header->kid);
        if (key == "typ") return read_string(value, key, &header->typ);
        if (key == "crit") return malformed("the header has `crit` extensions");
        return absl::OkStatus();  // jku, x5u, jwk, ...: never followed, so ignored.
      });
  if (!s.ok()) return s;
  if (!alg) return malformed("the header has no `alg`");
  header->alg = std::move(*alg);
  return absl::OkStatus();
}

absl::Status read_claims(dom::parser& parser, const std::string& json, JwtClaims* claims) {
  static const std::set<std::string_view> kWatched = {"iss", "sub", "aud", "exp",
                                                      "iat", "nbf", "jti"};
  return for_each_field(
      parser, json, "payload", kWatched,
      [&](std::string_view key, dom::element value) -> absl::Status {
        if (key == "iss") return read_string(value, key, &claims->iss);
        if (key == "sub") return read_string(value, key, &claims->sub);
        if (key == "jti") return read_string(value, key, &claims->jti);
        if (key == "aud") return read_audience(value, claims);
        if (key == "exp") return read_date(value, key, &claims->exp);
        if (key == "iat") return read_date(value, key, &claims->iat);
        if (key == "nbf") return read_date(value, key, &claims->nbf);
        return absl::OkStatus();
      });
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
  thread_local dom::parser parser;
  if (absl::Status s = read_header(parser, parts.header_json, &parts.header); !s.ok()) return s;
  if (absl::Status s = read_claims(parser, parts.payload_json, &parts.claims); !s.ok()) return s;
  return parts;
}

}  // namespace account::internal::auth
