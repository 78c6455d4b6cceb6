#include "http/json_reader.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "account/status.h"
#include "base/strings.h"

namespace account::internal::http {
namespace {

// Keys are cut to this many bytes in messages: a key comes from the document, and a message
// must stay a line.
constexpr size_t kKeyBytesShown = 64;

}  // namespace

std::string JsonPath::render() const {
  std::vector<const JsonPath*> chain;
  for (const JsonPath* p = this; p != nullptr && p->parent_ != nullptr; p = p->parent_) {
    chain.push_back(p);
  }
  if (chain.empty()) return "the document";
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const JsonPath& p = **it;
    if (p.element_ != 0) {
      out += internal::cat("[", p.element_ - 1, "]");
      continue;
    }
    if (!out.empty()) out += '.';
    out += p.key_.substr(0, kKeyBytesShown);
    if (p.key_.size() > kKeyBytesShown) out += "...";
  }
  return out;
}

std::string_view json_type_name(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

absl::StatusOr<dom::element> JsonReader::parse(dom::parser& parser, std::string_view text) const {
  dom::element root;
  // The text is copied into the parser's padded buffer: a view does not promise the spare bytes
  // simdjson reads past the end.
  if (auto e = parser.parse(text.data(), text.size()).get(root)) {
    return error(JsonPath(),
                 internal::cat("malformed or truncated JSON (", simdjson::error_message(e), ")"));
  }
  return root;
}

absl::Status JsonReader::error(const JsonPath& path, std::string_view what) const {
  std::string message = subject_.empty() ? std::string() : internal::cat(subject_, ": ");
  message += internal::cat(path.render(), ": ", what);
  if (reason_) return denial(*reason_, message);
  return absl::InvalidArgumentError(message);
}

absl::Status JsonReader::missing(const JsonPath& path, std::string_view key) const {
  return error(path, internal::cat("missing field '", key.substr(0, kKeyBytesShown), "'"));
}

namespace {

// OK when `value` is of type `want` (any number for INT64 or DOUBLE); a message naming both
// types otherwise.
std::optional<std::string> wrong_type(dom::element value, dom::element_type want) {
  const dom::element_type type = value.type();
  const bool number = type == dom::element_type::INT64 || type == dom::element_type::UINT64 ||
                      type == dom::element_type::DOUBLE;
  const bool want_number = want == dom::element_type::INT64 || want == dom::element_type::DOUBLE;
  if (type == want || (number && want_number)) return std::nullopt;
  return internal::cat("expected ", json_type_name(want), ", got ", json_type_name(type));
}

}  // namespace

absl::Status JsonReader::read(dom::element value, const JsonPath& path, std::string* out) const {
  if (auto wrong = wrong_type(value, dom::element_type::STRING)) return error(path, *wrong);
  // Copied now: the view dies with the parser's next document.
  const std::string_view text = value.get_string().value_unsafe();
  out->assign(text.data(), text.size());
  return absl::OkStatus();
}

absl::Status JsonReader::read(dom::element value, const JsonPath& path, int64_t* out) const {
  if (auto wrong = wrong_type(value, dom::element_type::INT64)) return error(path, *wrong);
  switch (value.type()) {
    case dom::element_type::INT64:
      *out = value.get_int64().value_unsafe();
      return absl::OkStatus();
    case dom::element_type::UINT64:
      return error(path, "an integer beyond 2^63 - 1");
    default:
      return error(path, "expected an integer");
  }
}

absl::Status JsonReader::read(dom::element value, const JsonPath& path, double* out) const {
  if (auto wrong = wrong_type(value, dom::element_type::DOUBLE)) return error(path, *wrong);
  *out = value.get_double().value_unsafe();  // Any number converts; the parser checked range.
  return absl::OkStatus();
}

absl::Status JsonReader::read(dom::element value, const JsonPath& path, bool* out) const {
  if (auto wrong = wrong_type(value, dom::element_type::BOOL)) return error(path, *wrong);
  *out = value.get_bool().value_unsafe();
  return absl::OkStatus();
}

absl::Status JsonReader::get(dom::element value, const JsonPath& path, dom::object* out) const {
  if (auto wrong = wrong_type(value, dom::element_type::OBJECT)) return error(path, *wrong);
  *out = value.get_object().value_unsafe();
  return absl::OkStatus();
}

absl::Status JsonReader::get(dom::element value, const JsonPath& path, dom::array* out) const {
  if (auto wrong = wrong_type(value, dom::element_type::ARRAY)) return error(path, *wrong);
  *out = value.get_array().value_unsafe();
  return absl::OkStatus();
}

absl::Status JsonReader::unique_keys(dom::object object, const JsonPath& path) const {
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(object.size());
  for (dom::key_value_pair field : object) {
    if (!seen.insert(field.key).second)
      return error(path.field(field.key), "the key appears twice");
  }
  return absl::OkStatus();
}

absl::Status JsonReader::read_field(const JsonField& field, dom::element value,
                                    const JsonPath& path) const {
  if (const auto* read = std::get_if<JsonField::Read>(&field.target_)) return (*read)(value, path);
  return std::visit([&](auto* out) { return this->read(value, path, out); },
                    std::get<JsonField::Target>(field.target_));
}

absl::Status JsonReader::read_fields(dom::object object, const JsonPath& path,
                                     std::initializer_list<JsonField> fields) const {
  if (fields.size() > 64) return absl::InternalError("read_fields: more than 64 fields");
  uint64_t seen = 0;  // Bit i: fields[i] was present.
  const absl::Status read = for_each_field(
      object, path, [&](std::string_view key, dom::element value, const JsonPath& p) {
        size_t i = 0;
        for (const JsonField& field : fields) {
          if (field.key_ == key) {
            seen |= uint64_t{1} << i;
            return read_field(field, value, p);
          }
          ++i;
        }
        return absl::OkStatus();
      });
  if (!read.ok()) return read;
  size_t i = 0;
  for (const JsonField& field : fields) {
    if (field.presence_ == Presence::kRequired && (seen & (uint64_t{1} << i)) == 0) {
      return missing(path, field.key_);
    }
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace account::internal::http
