// Private to account::auth: a compact JWS (RFC 7515) taken apart, without verifying anything.
// parse_jwt() splits "<header>.<payload>.<signature>", base64url-decodes the three parts, and reads
// the header's alg, kid and typ and the payload's registered claims (RFC 7519 section 4.1). The
// caller then checks the signature over `signing_input` and the claims it cares about; the
// decoded payload is kept so it can read other claims (Google's email, email_verified).
//
//   absl::StatusOr<JwtParts> parts = parse_jwt(token);   // kTokenMalformed, or the parts
//   if (parts->header.alg != "HS256") ...                 // the caller pins its algorithm
//
// Every failure is a kTokenMalformed denial whose message names the part and the path of what was
// wrong ("payload: aud[1]: expected a string, got a number") and never contains the token or any
// of its parts' values.
//
// Thread-safety: parse_jwt may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace account::internal::auth {

// The longest token parse_jwt reads, in bytes. Our access tokens are ~350 bytes and Google's
// id_tokens ~1.2 KB; anything near this bound is an attack on the parser, not a token.
inline constexpr size_t kJwtBytesMax = 16 * 1024;

struct JwtHeader {
  std::string alg;                  // Required.
  std::optional<std::string> kid;
  std::optional<std::string> typ;
};

// The registered claims; absent ones are nullopt (or aud_present == false).
struct JwtClaims {
  std::optional<std::string> iss;
  std::optional<std::string> sub;
  bool aud_present = false;
  std::vector<std::string> aud;     // `aud` as a string gives one element.
  std::optional<int64_t> exp;       // NumericDate: seconds since 1970, rounded down (-0.5 is -1).
  std::optional<int64_t> iat;
  std::optional<int64_t> nbf;
  std::optional<std::string> jti;
};

struct JwtParts {
  std::string signing_input;        // "<header>.<payload>" as received: what the signature covers.
  std::string header_json;          // The decoded header.
  std::string payload_json;         // The decoded payload, for claims beyond the registered ones.
  std::string signature;            // The decoded signature, raw bytes.
  JwtHeader header;
  JwtClaims claims;
};

// Takes `token` apart. kTokenMalformed when: it is longer than kJwtBytesMax; it is not three
// non-empty-headed parts separated by '.'; a part is not canonical unpadded base64url; the header
// or payload is not a JSON object; `alg` is missing or not a string; `kid`/`typ`/`iss`/`sub`/`jti`
// is not a string; `aud` is not a string or an array of strings; `exp`/`iat`/`nbf` is not a
// number within +-10^15 seconds; a key appears twice in the header or the payload; or the header
// carries `crit` (extensions we do not implement must not be ignored, RFC 7515 section 4.1.11).
absl::StatusOr<JwtParts> parse_jwt(std::string_view token);

}  // namespace account::internal::auth
