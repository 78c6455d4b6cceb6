// Private to account::sleeper: checked reads over simdjson's on-demand API
// (error codes, never exceptions). Every failure is a DataLoss status naming
// the request and where in the answer it went wrong:
//
//   GET /league/1/rosters: [2].settings.fpts: expected an integer, got a string
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "simdjson.h"

namespace account::internal::sleeper {

namespace od = simdjson::ondemand;

// A status's message as a std::string_view (Debian's Abseil has its own
// string_view type).
inline std::string_view message_of(const absl::Status& status) {
  return {status.message().data(), status.message().size()};
}

// Where a value sits in an answer; rendered only for error messages.
class JsonPath {
 public:
  JsonPath() = default;
  JsonPath field(std::string_view key) const { return JsonPath(this, key, 0); }
  JsonPath element(size_t index) const { return JsonPath(this, {}, index + 1); }
  std::string render() const;  // "[2].settings.fpts"; "the answer" for the root.

 private:
  JsonPath(const JsonPath* parent, std::string_view key, size_t element)
      : parent_(parent), key_(key), element_(element) {}
  const JsonPath* parent_ = nullptr;
  std::string_view key_;   // A field name, or empty.
  size_t element_ = 0;     // 1 + array index, or 0 for a field.
};

// The request an answer belongs to ("GET /user/alice"), for messages.
class JsonContext {
 public:
  explicit JsonContext(std::string_view request) : request_(request) {}
  std::string_view request() const { return request_; }

  // DataLoss: "<request>: <path>: <what>".
  absl::Status error(const JsonPath& path, std::string_view what) const;
  // DataLoss for a simdjson error code: malformed or truncated JSON, or a
  // wrong type found while reading.
  absl::Status error(const JsonPath& path, simdjson::error_code code) const;
  absl::Status missing(const JsonPath& path, std::string_view field) const;

 private:
  std::string_view request_;
};

absl::Status read_string(od::value& v, const JsonContext& ctx, const JsonPath& path,
                         std::string* out);
absl::Status read_int(od::value& v, const JsonContext& ctx, const JsonPath& path, int64_t* out);
absl::Status read_double(od::value& v, const JsonContext& ctx, const JsonPath& path, double* out);
// The nullable forms leave nullopt for a JSON null.
absl::Status read_nullable_string(od::value& v, const JsonContext& ctx, const JsonPath& path,
                                  std::optional<std::string>* out);
absl::Status read_nullable_int(od::value& v, const JsonContext& ctx, const JsonPath& path,
                               std::optional<int64_t>* out);
absl::Status read_nullable_double(od::value& v, const JsonContext& ctx, const JsonPath& path,
                                  std::optional<double>* out);
// True (and consumed) when `v` is null.
absl::StatusOr<bool> read_null(od::value& v, const JsonContext& ctx, const JsonPath& path);

absl::Status get_object(od::value& v, const JsonContext& ctx, const JsonPath& path,
                        od::object* out);
absl::Status get_array(od::value& v, const JsonContext& ctx, const JsonPath& path,
                       od::array* out);

// Calls on_field(key, value, path) for every field, in document order. Any
// field it leaves unread is skipped. Stops at the first error.
template <typename F>
absl::Status for_each_field(od::object& object, const JsonContext& ctx, const JsonPath& path,
                            F&& on_field) {
  for (auto field_or : object) {
    od::field field;
    if (auto e = std::move(field_or).get(field)) return ctx.error(path, e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return ctx.error(path, e);
    const JsonPath field_path = path.field(key);
    if (absl::Status s = on_field(key, field.value(), field_path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Calls on_element(value, path) for every element. Stops at the first error.
template <typename F>
absl::Status for_each_element(od::array& array, const JsonContext& ctx, const JsonPath& path,
                              F&& on_element) {
  size_t index = 0;
  for (auto element_or : array) {
    const JsonPath element_path = path.element(index++);
    od::value element;
    if (auto e = std::move(element_or).get(element)) return ctx.error(element_path, e);
    if (absl::Status s = on_element(element, element_path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Parses `body` as one JSON document: pads it as simdjson needs (in place,
// reserving SIMDJSON_PADDING spare bytes), calls read(document), and then
// checks that nothing but whitespace follows the document read.
template <typename F>
absl::Status parse_document(od::parser& parser, std::string& body, const JsonContext& ctx,
                            F&& read) {
  const size_t length = body.size();
  body.reserve(length + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (auto e = parser.iterate(body.data(), length, body.capacity()).get(doc)) {
    return ctx.error(JsonPath(), e);
  }
  if (absl::Status s = read(doc); !s.ok()) return s;
  // At the end of the document current_location() fails with OUT_OF_BOUNDS;
  // anything else means more tokens follow.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return ctx.error(JsonPath(), "unexpected content after the JSON document");
  }
  return absl::OkStatus();
}

}  // namespace account::internal::sleeper
