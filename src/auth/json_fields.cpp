#include "auth/json_fields.h"

#include <utility>

#include "account/status.h"

namespace account::internal::auth {

using http::JsonPath;
using http::dom::element;
using http::dom::object;

absl::StatusOr<JsonFields> JsonFields::parse(std::string_view json, std::string_view subject,
                                             std::optional<Reason> reason) {
  // A parser per document: these are small, and a shared parser would need a lock.
  auto parser = std::make_unique<http::dom::parser>();
  http::JsonReader reader(subject, reason);
  ACCOUNT_ASSIGN_OR_RETURN(element root, reader.parse(*parser, json));
  object o;
  ACCOUNT_RETURN_IF_ERROR(reader.get(root, JsonPath(), &o));
  Fields fields;
  ACCOUNT_RETURN_IF_ERROR(reader.for_each_field(
      o, JsonPath(), [&](std::string_view key, element value, const JsonPath&) {
        fields.emplace(key, value);
        return absl::OkStatus();
      }));
  return JsonFields(std::move(parser), std::move(reader), std::move(fields));
}

template <typename T>
absl::StatusOr<std::optional<T>> JsonFields::read(std::string_view key) const {
  std::optional<T> out;
  auto it = fields_.find(key);
  if (it != fields_.end()) {
    ACCOUNT_RETURN_IF_ERROR(reader_.read(it->second, JsonPath().field(key), &out));
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> JsonFields::string(std::string_view key) const {
  return read<std::string>(key);
}

absl::StatusOr<std::optional<int64_t>> JsonFields::integer(std::string_view key) const {
  return read<int64_t>(key);
}

absl::StatusOr<std::optional<bool>> JsonFields::boolean(std::string_view key) const {
  auto it = fields_.find(key);
  if (it != fields_.end() && it->second.type() == http::dom::element_type::STRING) {
    const std::string_view text = it->second.get_string().value_unsafe();
    if (text == "true") return true;
    if (text == "false") return false;
    return error(key, "expected a boolean, got another string");
  }
  return read<bool>(key);
}

absl::StatusOr<std::string> JsonFields::required_string(std::string_view key) const {
  ACCOUNT_ASSIGN_OR_RETURN(std::optional<std::string> value, string(key));
  if (!value) return reader_.missing(JsonPath(), key);
  if (value->empty()) return error(key, "empty");
  return *std::move(value);
}

absl::Status JsonFields::error(std::string_view key, std::string_view what) const {
  return reader_.error(JsonPath().field(key), what);
}

}  // namespace account::internal::auth
