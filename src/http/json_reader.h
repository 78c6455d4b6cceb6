// Private to the libraries that read JSON from outside (account::sleeper, account::auth): checked
// reads over simdjson's DOM API, through its error codes (never exceptions).
//
// A document is parsed whole before anything is read from it, so malformed or truncated text is
// refused wherever it sits, even in a part no reader looks at, and nothing follows the document.
// Every failure names the subject and the path of the value that was wrong:
//
//   SleeperResponseInvalid: GET /league/1/rosters: [3].settings.fpts: expected an integer, got a
//   string
//
// A JsonReader is made with that subject ("GET /league/1/rosters", "token endpoint") and the
// Reason its failures carry as a denial (status.h); without a Reason they are InvalidArgument.
// Messages name paths, keys and types, never a value: values are tokens, codes and emails.
//
//   dom::parser parser;
//   const JsonReader json("GET /user/alice", Reason::kSleeperResponseInvalid);
//   ACCOUNT_ASSIGN_OR_RETURN(dom::element root, json.parse(parser, body));
//   dom::object object;
//   ACCOUNT_RETURN_IF_ERROR(json.get(root, JsonPath(), &object));
//   SleeperUser user;
//   ACCOUNT_RETURN_IF_ERROR(json.read_fields(object, JsonPath(),
//       {{"user_id", Presence::kRequired, &user.user_id},
//        {"username", Presence::kRequired, &user.username}}));
//
// Objects that name a key twice are refused wherever they are walked: a repeated key is read
// differently by different parsers (the first, the last, both), so it is not guessed at.
//
// Thread-safety: a JsonReader is immutable and may be shared. A dom::parser, and every element
// parse() returned from it, belongs to one thread at a time and lives until its next parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/reason.h"
#include "simdjson.h"

namespace account::internal::http {

namespace dom = simdjson::dom;

// Where a value sits in a document: "[2].settings.fpts". Each level lives on the stack of the
// code reading it and points at its parent; the text is built only for a message.
class JsonPath {
 public:
  JsonPath() = default;  // The document itself.
  JsonPath field(std::string_view key) const { return JsonPath(this, key, 0); }
  JsonPath element(size_t index) const { return JsonPath(this, {}, index + 1); }
  // "[2].settings.fpts"; "the document" for the root. Keys longer than 64 bytes are cut.
  std::string render() const;

 private:
  JsonPath(const JsonPath* parent, std::string_view key, size_t element)
      : parent_(parent), key_(key), element_(element) {}
  const JsonPath* parent_ = nullptr;
  std::string_view key_;  // A field name, or empty.
  size_t element_ = 0;    // 1 + array index, or 0 for a field.
};

// "a string", "an object", "a number", ... for messages.
std::string_view json_type_name(dom::element_type type);

enum class Presence : uint8_t { kOptional, kRequired };

// One field that JsonReader::read_fields() looks for, and where its value goes: into a variable
// through JsonReader::read(), or to a function of the value and its path.
class JsonField {
 public:
  using Read = absl::FunctionRef<absl::Status(dom::element value, const JsonPath& path)>;
  using Target = std::variant<std::string*, int64_t*, double*, bool*, std::optional<std::string>*,
                              std::optional<int64_t>*, std::optional<double>*>;

  JsonField(std::string_view key, Presence presence, Target target)
      : key_(key), presence_(presence), target_(target) {}
  JsonField(std::string_view key, Presence presence, Read read)
      : key_(key), presence_(presence), target_(read) {}

 private:
  friend class JsonReader;
  std::string_view key_;
  Presence presence_;
  std::variant<Target, Read> target_;
};

class JsonReader {
 public:
  // `subject` starts every message ("GET /user/alice: ..."); empty: no prefix. Failures are
  // denials with `reason`, or InvalidArgument without one.
  explicit JsonReader(std::string_view subject, std::optional<Reason> reason = std::nullopt)
      : subject_(subject), reason_(reason) {}

  const std::string& subject() const { return subject_; }

  // Parses `text` as one JSON document, with `parser` (whose earlier results die). Malformed or
  // truncated text, or anything after the document, fails naming the document.
  absl::StatusOr<dom::element> parse(dom::parser& parser, std::string_view text) const;

  // "<subject>: <path>: <what>", as a denial with the reader's Reason or as InvalidArgument.
  absl::Status error(const JsonPath& path, std::string_view what) const;
  // "<subject>: <path>: missing field '<key>'", `path` being the object's.
  absl::Status missing(const JsonPath& path, std::string_view key) const;

  // Typed reads: a value of another type fails naming both types. An integer must be one in
  // int64 range (a fraction, an exponent form or a value beyond it fails); a double takes any
  // number. The optional forms leave nullopt for a JSON null.
  absl::Status read(dom::element value, const JsonPath& path, std::string* out) const;
  absl::Status read(dom::element value, const JsonPath& path, int64_t* out) const;
  absl::Status read(dom::element value, const JsonPath& path, double* out) const;
  absl::Status read(dom::element value, const JsonPath& path, bool* out) const;
  template <typename T>
  absl::Status read(dom::element value, const JsonPath& path, std::optional<T>* out) const {
    if (value.is_null()) {
      out->reset();
      return absl::OkStatus();
    }
    return read(value, path, &out->emplace());
  }
  absl::Status get(dom::element value, const JsonPath& path, dom::object* out) const;
  absl::Status get(dom::element value, const JsonPath& path, dom::array* out) const;

  // Calls on_field(key, value, path) for every field, in document order, after checking that
  // no key appears twice. Stops at the first error.
  template <typename F>
  absl::Status for_each_field(dom::object object, const JsonPath& path, F&& on_field) const {
    if (absl::Status s = unique_keys(object, path); !s.ok()) return s;
    for (dom::key_value_pair field : object) {
      const JsonPath field_path = path.field(field.key);
      if (absl::Status s = on_field(field.key, field.value, field_path); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Calls on_element(value, path) for every element. Stops at the first error.
  template <typename F>
  absl::Status for_each_element(dom::array array, const JsonPath& path, F&& on_element) const {
    size_t index = 0;
    for (dom::element element : array) {
      const JsonPath element_path = path.element(index++);
      if (absl::Status s = on_element(element, element_path); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // A JsonField reader for an optional field that, when present, must hold a T: unlike a
  // std::optional<T>* target, it refuses null.
  //   {"kid", Presence::kOptional, json.non_null(&header.kid)}
  template <typename T>
  auto non_null(std::optional<T>* out) const {
    return [this, out](dom::element value, const JsonPath& path) {
      return read(value, path, &out->emplace());
    };
  }

  // Reads the fields of `object` that `fields` names (at most 64), each into its target; other
  // fields are skipped. A type error fails at once; then the first required field that was
  // absent, in the order `fields` lists them, fails as missing.
  absl::Status read_fields(dom::object object, const JsonPath& path,
                           std::initializer_list<JsonField> fields) const;

 private:
  absl::Status unique_keys(dom::object object, const JsonPath& path) const;
  absl::Status read_field(const JsonField& field, dom::element value, const JsonPath& path) const;

  std::string subject_;
  std::optional<Reason> reason_;
};

}  // namespace account::internal::http
