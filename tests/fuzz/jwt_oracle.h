// What the two JWT fuzz targets (access tokens, Google id_tokens) check an
// outcome against: the reasons a refusal may carry, and the claims of an
// accepted token read back with an independent JSON reader
// (tests/support/json_value.h), so that a verifier that misread a claim
// fails the check rather than agreeing with itself.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "account/reason.h"
#include "account/status.h"
#include "support/json_value.h"

namespace account::fuzz {

using testing::JsonValue;

// Aborts, which libFuzzer reports as a crash, when `condition` is false.
inline void require(bool condition) {
  if (!condition) std::abort();
}

// One of the seven kToken* reasons (docs/auth.md, "verify: the order of checks").
inline bool is_token_reason(const absl::Status& s) {
  const std::optional<Reason> r = reason_of(s);
  return r && *r >= Reason::kTokenMalformed && *r <= Reason::kTokenClaimsInvalid;
}

// A forged token must be stopped at the signature check or before it.
inline bool stopped_by_signature(const absl::Status& s) {
  const std::optional<Reason> r = reason_of(s);
  return r && *r >= Reason::kTokenMalformed && *r <= Reason::kTokenSignatureInvalid;
}

// `key` of a JSON object, or nullptr (also when `doc` is no object).
inline const JsonValue* field(const std::optional<JsonValue>& doc, std::string_view key) {
  if (!doc || doc->type != JsonValue::Type::kObject) return nullptr;
  return doc->get(key);
}

inline bool is_string(const JsonValue* v, std::string_view want) {
  return v != nullptr && v->type == JsonValue::Type::kString && v->string == want;
}

// `aud` names `audience`: as the string itself, or as one element of an array.
inline bool names_audience(const JsonValue* aud, std::string_view audience) {
  if (is_string(aud, audience)) return true;
  if (aud == nullptr || aud->type != JsonValue::Type::kArray) return false;
  for (const JsonValue& a : aud->array) {
    if (is_string(&a, audience)) return true;
  }
  return false;
}

// A NumericDate as both verifiers read it: rounded down to whole seconds, so
// -789999000.75 is -789999001 (a cast would round toward zero). Verifiers
// refuse magnitudes above 1e15, so an accepted one fits int64 exactly.
inline std::optional<int64_t> seconds_of(const JsonValue* v) {
  if (v == nullptr || v->type != JsonValue::Type::kNumber) return std::nullopt;
  return static_cast<int64_t>(std::floor(v->number));
}

}  // namespace account::fuzz
