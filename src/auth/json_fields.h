// Private to account::auth: a flat JSON object (Google's token and userinfo
// answers, id_token payloads, the handlers' request bodies) read once with
// simdjson's DOM parser into typed fields.
//
// Errors are InvalidArgument statuses that name the field and what was
// wrong with it, never its value: the values are codes, tokens and emails.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace account::internal::auth {

class JsonFields {
 public:
  // Parses `json` as one JSON object. Fails when it is not JSON, not an
  // object, or names a key twice (a repeated claim is read differently by
  // different parsers, so it is refused rather than guessed at). Nested
  // objects and arrays are kept only as "present".
  static absl::StatusOr<JsonFields> parse(std::string_view json);

  bool has(std::string_view key) const { return fields_.find(key) != fields_.end(); }

  // The field's value; nullopt when it is absent or null. Fails when it
  // holds another type.
  absl::StatusOr<std::optional<std::string>> string(std::string_view key) const;
  absl::StatusOr<std::optional<int64_t>> integer(std::string_view key) const;
  // A JSON boolean, or the strings "true" / "false" (Google has sent
  // `email_verified` both ways over the years).
  absl::StatusOr<std::optional<bool>> boolean(std::string_view key) const;

  // As string(), but absent, null or empty fails.
  absl::StatusOr<std::string> required_string(std::string_view key) const;

 private:
  enum class Kind { kNull, kString, kInteger, kBoolean, kNumber, kObject, kArray };
  struct Value {
    Kind kind = Kind::kNull;
    std::string text;      // kString.
    int64_t integer = 0;   // kInteger.
    bool boolean = false;  // kBoolean.
  };
  static std::string_view kind_name(Kind kind);
  absl::StatusOr<const Value*> find(std::string_view key, Kind want) const;

  std::map<std::string, Value, std::less<>> fields_;
};

}  // namespace account::internal::auth
