#include "json_reader.h"

#include <vector>

#include "base/strings.h"

namespace account::internal::sleeper {
namespace {

std::string_view type_name(od::json_type type) {
  switch (type) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "an unknown value";
}

// OK when `v` is of type `want`; a message naming both types otherwise.
absl::Status expect_type(od::value& v, const JsonContext& ctx, const JsonPath& path,
                         od::json_type want) {
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.error(path, e);
  if (type == want) return absl::OkStatus();
  return ctx.error(path, internal::cat("expected ", type_name(want), ", got ", type_name(type)));
}

}  // namespace

std::string JsonPath::render() const {
  std::vector<const JsonPath*> chain;
  for (const JsonPath* p = this; p != nullptr && p->parent_ != nullptr; p = p->parent_) {
    chain.push_back(p);
  }
  if (chain.empty()) return "the answer";
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const JsonPath& p = **it;
    if (p.element_ != 0) {
      out += internal::cat("[", p.element_ - 1, "]");
    } else {
      if (!out.empty()) out += '.';
      out += p.key_;
    }
  }
  return out;
}

absl::Status JsonContext::error(const JsonPath& path, std::string_view what) const {
  return absl::DataLossError(internal::cat(request_, ": ", path.render(), ": ", what));
}

absl::Status JsonContext::error(const JsonPath& path, simdjson::error_code code) const {
  if (code == simdjson::INCORRECT_TYPE || code == simdjson::NUMBER_OUT_OF_RANGE ||
      code == simdjson::NUMBER_ERROR) {
    return error(path, internal::cat("wrong type or out of range (", simdjson::error_message(code),
                                     ")"));
  }
  return error(path, internal::cat("malformed or truncated JSON (",
                                   simdjson::error_message(code), ")"));
}

absl::Status JsonContext::missing(const JsonPath& path, std::string_view field) const {
  return error(path, internal::cat("missing field '", field, "'"));
}

absl::Status read_string(od::value& v, const JsonContext& ctx, const JsonPath& path,
                         std::string* out) {
  if (absl::Status s = expect_type(v, ctx, path, od::json_type::string); !s.ok()) return s;
  std::string_view text;
  if (auto e = v.get_string().get(text)) return ctx.error(path, e);
  // Copied now: simdjson's view dies with the next parse on this parser.
  out->assign(text.data(), text.size());
  return absl::OkStatus();
}

absl::Status read_int(od::value& v, const JsonContext& ctx, const JsonPath& path, int64_t* out) {
  if (absl::Status s = expect_type(v, ctx, path, od::json_type::number); !s.ok()) return s;
  if (v.get_int64().get(*out)) return ctx.error(path, "expected an integer");
  return absl::OkStatus();
}

absl::Status read_double(od::value& v, const JsonContext& ctx, const JsonPath& path,
                         double* out) {
  if (absl::Status s = expect_type(v, ctx, path, od::json_type::number); !s.ok()) return s;
  if (auto e = v.get_double().get(*out)) return ctx.error(path, e);
  return absl::OkStatus();
}

absl::StatusOr<bool> read_null(od::value& v, const JsonContext& ctx, const JsonPath& path) {
  bool is_null = false;
  if (auto e = v.is_null().get(is_null)) return ctx.error(path, e);
  return is_null;
}

absl::Status read_nullable_string(od::value& v, const JsonContext& ctx, const JsonPath& path,
                                  std::optional<std::string>* out) {
  absl::StatusOr<bool> is_null = read_null(v, ctx, path);
  if (!is_null.ok()) return is_null.status();
  if (*is_null) {
    out->reset();
    return absl::OkStatus();
  }
  return read_string(v, ctx, path, &out->emplace());
}

absl::Status read_nullable_int(od::value& v, const JsonContext& ctx, const JsonPath& path,
                               std::optional<int64_t>* out) {
  absl::StatusOr<bool> is_null = read_null(v, ctx, path);
  if (!is_null.ok()) return is_null.status();
  if (*is_null) {
    out->reset();
    return absl::OkStatus();
  }
  return read_int(v, ctx, path, &out->emplace());
}

absl::Status read_nullable_double(od::value& v, const JsonContext& ctx, const JsonPath& path,
                                  std::optional<double>* out) {
  absl::StatusOr<bool> is_null = read_null(v, ctx, path);
  if (!is_null.ok()) return is_null.status();
  if (*is_null) {
    out->reset();
    return absl::OkStatus();
  }
  return read_double(v, ctx, path, &out->emplace());
}

absl::Status get_object(od::value& v, const JsonContext& ctx, const JsonPath& path,
                        od::object* out) {
  if (absl::Status s = expect_type(v, ctx, path, od::json_type::object); !s.ok()) return s;
  if (auto e = v.get_object().get(*out)) return ctx.error(path, e);
  return absl::OkStatus();
}

absl::Status get_array(od::value& v, const JsonContext& ctx, const JsonPath& path,
                       od::array* out) {
  if (absl::Status s = expect_type(v, ctx, path, od::json_type::array); !s.ok()) return s;
  if (auto e = v.get_array().get(*out)) return ctx.error(path, e);
  return absl::OkStatus();
}

}  // namespace account::internal::sleeper
