#include "json_fields.h"

#include <utility>

#include "base/strings.h"
#include "simdjson.h"

namespace account::internal::auth {

absl::StatusOr<JsonFields> JsonFields::parse(std::string_view json) {
  // A parser per call: these documents are small, and a shared parser would
  // need a lock. parse() copies the input into padded memory.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(json.data(), json.size()).get(root)) {
    return absl::InvalidArgumentError(internal::cat("not JSON: ", simdjson::error_message(e)));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return absl::InvalidArgumentError("not a JSON object");
  JsonFields out;
  for (simdjson::dom::key_value_pair field : object) {
    Value v;
    switch (field.value.type()) {
      case simdjson::dom::element_type::NULL_VALUE:
        v.kind = Kind::kNull;
        break;
      case simdjson::dom::element_type::STRING:
        v.kind = Kind::kString;
        v.text = std::string(field.value.get_string().value_unsafe());
        break;
      case simdjson::dom::element_type::INT64:
        v.kind = Kind::kInteger;
        v.integer = field.value.get_int64().value_unsafe();
        break;
      case simdjson::dom::element_type::BOOL:
        v.kind = Kind::kBoolean;
        v.boolean = field.value.get_bool().value_unsafe();
        break;
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        v.kind = Kind::kNumber;
        break;
      case simdjson::dom::element_type::OBJECT:
        v.kind = Kind::kObject;
        break;
      case simdjson::dom::element_type::ARRAY:
        v.kind = Kind::kArray;
        break;
    }
    if (!out.fields_.emplace(std::string(field.key), std::move(v)).second) {
      return absl::InvalidArgumentError(internal::cat("field \"", field.key, "\" appears twice"));
    }
  }
  return out;
}

std::string_view JsonFields::kind_name(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kString:
      return "a string";
    case Kind::kInteger:
      return "an integer";
    case Kind::kBoolean:
      return "a boolean";
    case Kind::kNumber:
      return "a number";
    case Kind::kObject:
      return "an object";
    case Kind::kArray:
      return "an array";
  }
  return "unknown";
}

absl::StatusOr<const JsonFields::Value*> JsonFields::find(std::string_view key, Kind want) const {
  auto it = fields_.find(key);
  if (it == fields_.end() || it->second.kind == Kind::kNull) return nullptr;
  if (it->second.kind != want) {
    return absl::InvalidArgumentError(internal::cat(
        "field \"", key, "\": expected ", kind_name(want), ", got ", kind_name(it->second.kind)));
  }
  return &it->second;
}

absl::StatusOr<std::optional<std::string>> JsonFields::string(std::string_view key) const {
  absl::StatusOr<const Value*> v = find(key, Kind::kString);
  if (!v.ok()) return v.status();
  if (*v == nullptr) return std::nullopt;
  return (*v)->text;
}

absl::StatusOr<std::optional<int64_t>> JsonFields::integer(std::string_view key) const {
  absl::StatusOr<const Value*> v = find(key, Kind::kInteger);
  if (!v.ok()) return v.status();
  if (*v == nullptr) return std::nullopt;
  return (*v)->integer;
}

absl::StatusOr<std::optional<bool>> JsonFields::boolean(std::string_view key) const {
  auto it = fields_.find(key);
  if (it != fields_.end() && it->second.kind == Kind::kString) {
    if (it->second.text == "true") return true;
    if (it->second.text == "false") return false;
    return absl::InvalidArgumentError(
        internal::cat("field \"", key, "\": expected a boolean, got another string"));
  }
  absl::StatusOr<const Value*> v = find(key, Kind::kBoolean);
  if (!v.ok()) return v.status();
  if (*v == nullptr) return std::nullopt;
  return (*v)->boolean;
}

absl::StatusOr<std::string> JsonFields::required_string(std::string_view key) const {
  absl::StatusOr<std::optional<std::string>> v = string(key);
  if (!v.ok()) return v.status();
  if (!v->has_value() || (*v)->empty()) {
    return absl::InvalidArgumentError(internal::cat("field \"", key, "\" is missing or empty"));
  }
  return **std::move(v);
}

}  // namespace account::internal::auth
