// Private to account::auth: a flat JSON object (Google's token and userinfo answers, an id_token's
// payload, the handlers' request bodies) parsed once and then read by key, through the shared
// checked reader (http/json_reader.h).
//
//   ACCOUNT_ASSIGN_OR_RETURN(JsonFields fields,
//       JsonFields::parse(body, "userinfo endpoint", Reason::kGoogleResponseInvalid));
//   ACCOUNT_ASSIGN_OR_RETURN(std::string sub, fields.required_string("sub"));
//
// Errors name the subject and the field, and what was wrong with it, never its value (the
// values are codes, tokens and emails): denials with the Reason given to parse(), or
// InvalidArgument without one.
//
// Thread-safety: a JsonFields is read-only after parse() and may be read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/reason.h"
#include "http/json_reader.h"

namespace account::internal::auth {

class JsonFields {
 public:
  // Parses `json` as one JSON object. Fails when it is not JSON, not an object, or names a key
  // twice (a repeated claim is read differently by different parsers, so it is refused rather
  // than guessed at). Nested objects and arrays are kept only as "present".
  static absl::StatusOr<JsonFields> parse(std::string_view json, std::string_view subject = {},
                                          std::optional<Reason> reason = std::nullopt);

  // The field's value; nullopt when it is absent or null. Fails when it holds another type.
  absl::StatusOr<std::optional<std::string>> string(std::string_view key) const;
  absl::StatusOr<std::optional<int64_t>> integer(std::string_view key) const;
  // A JSON boolean, or the strings "true" / "false" (Google has sent `email_verified` both ways
  // over the years).
  absl::StatusOr<std::optional<bool>> boolean(std::string_view key) const;

  // As string(), but absent, null or empty fails.
  absl::StatusOr<std::string> required_string(std::string_view key) const;

  // A failure about the field `key`, worded as the others: "<subject>: <key>: <what>".
  absl::Status error(std::string_view key, std::string_view what) const;

 private:
  using Fields = std::map<std::string_view, http::dom::element, std::less<>>;
  JsonFields(std::unique_ptr<http::dom::parser> parser, http::JsonReader reader, Fields fields)
      : parser_(std::move(parser)), reader_(std::move(reader)), fields_(std::move(fields)) {}
  template <typename T>
  absl::StatusOr<std::optional<T>> read(std::string_view key) const;

  std::unique_ptr<http::dom::parser> parser_;  // Holds the document that fields_ point into.
  http::JsonReader reader_;
  Fields fields_;
};

}  // namespace account::internal::auth
