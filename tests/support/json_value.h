// Test helper: a small strict JSON reader (RFC 8259), so that tests parse
// what the library writes (log lines, HTTP bodies) instead of matching
// substrings. Rejects trailing commas, bare control characters in strings,
// bad escapes, lone surrogates, leading zeros and trailing garbage.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace account::testing {

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string number_text;  // The number as written, for exact integer checks.
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // In document order.

  JsonValue() = default;
  JsonValue(const JsonValue&) = default;
  JsonValue(JsonValue&&) = default;
  JsonValue& operator=(const JsonValue&) = default;
  JsonValue& operator=(JsonValue&&) = default;
  ~JsonValue();

  const JsonValue* get(std::string_view key) const;
  std::vector<std::string> keys() const;
};

// Out of the class, as get() and keys() are: with the destructor implicit, clang instantiates
// std::pair<std::string, JsonValue> while JsonValue is still incomplete (GCC does not).
inline JsonValue::~JsonValue() = default;

inline const JsonValue* JsonValue::get(std::string_view key) const {
  for (const auto& [k, v] : object) {
    if (k == key) return &v;
  }
  return nullptr;
}

inline std::vector<std::string> JsonValue::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : object) out.push_back(k);
  return out;
}

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  // The value, or nullopt with error() saying where it went wrong.
  std::optional<JsonValue> parse() {
    JsonValue v;
    skip_ws();
    if (!value(v, 0)) return std::nullopt;
    skip_ws();
    if (pos_ != text_.size()) return fail("trailing characters");
    return v;
  }
  const std::string& error() const { return error_; }

 private:
  std::nullopt_t fail(std::string_view why) {
    if (error_.empty()) error_ = std::string(why) + " at offset " + std::to_string(pos_);
    return std::nullopt;
  }
  bool failed(std::string_view why) {
    fail(why);
    return false;
  }
  void skip_ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return failed("bad literal");
    pos_ += word.size();
    return true;
  }
  bool value(JsonValue& v, int depth) {
    if (depth > 64) return failed("nesting too deep");
    if (pos_ >= text_.size()) return failed("unexpected end");
    const char c = text_[pos_];
    if (c == 'n') { v.type = JsonValue::Type::kNull; return literal("null"); }
    if (c == 't') { v.type = JsonValue::Type::kBool; v.boolean = true; return literal("true"); }
    if (c == 'f') { v.type = JsonValue::Type::kBool; v.boolean = false; return literal("false"); }
    if (c == '"') { v.type = JsonValue::Type::kString; return string(v.string); }
    if (c == '[') return array(v, depth);
    if (c == '{') return object(v, depth);
    return number(v);
  }
  bool array(JsonValue& v, int depth) {
    v.type = JsonValue::Type::kArray;
    ++pos_;
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == ']') { ++pos_; return true; }
    while (true) {
      JsonValue element;
      skip_ws();
      if (!value(element, depth + 1)) return false;
      v.array.push_back(std::move(element));
      skip_ws();
      if (pos_ >= text_.size()) return failed("unterminated array");
      if (text_[pos_] == ']') { ++pos_; return true; }
      if (text_[pos_] != ',') return failed("expected , or ]");
      ++pos_;
    }
  }
  bool object(JsonValue& v, int depth) {
    v.type = JsonValue::Type::kObject;
    ++pos_;
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == '}') { ++pos_; return true; }
    while (true) {
      skip_ws();
      if (pos_ >= text_.size() || text_[pos_] != '"') return failed("expected a key");
      std::string key;
      if (!string(key)) return false;
      skip_ws();
      if (pos_ >= text_.size() || text_[pos_] != ':') return failed("expected :");
      ++pos_;
      skip_ws();
      JsonValue member;
      if (!value(member, depth + 1)) return false;
      v.object.emplace_back(std::move(key), std::move(member));
      skip_ws();
      if (pos_ >= text_.size()) return failed("unterminated object");
      if (text_[pos_] == '}') { ++pos_; return true; }
      if (text_[pos_] != ',') return failed("expected , or }");
      ++pos_;
    }
  }
  bool hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return failed("short \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else return failed("bad hex digit");
    }
    *out = v;
    return true;
  }
  static void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool string(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') { ++pos_; return true; }
      if (c < 0x20) return failed("control character in string");
      if (c != '\\') { out += static_cast<char>(c); ++pos_; continue; }
      if (++pos_ >= text_.size()) return failed("dangling escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(&cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return failed("lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") return failed("lone high surrogate");
            pos_ += 2;
            uint32_t low = 0;
            if (!hex4(&low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return failed("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: return failed("bad escape");
      }
    }
    return failed("unterminated string");
  }
  bool number(JsonValue& v) {
    const size_t start = pos_;
    auto digit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (!digit()) return failed("expected a value");
    if (text_[pos_] == '0') {
      ++pos_;
      if (digit()) return failed("leading zero");
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digit()) return failed("digit expected after .");
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digit()) return failed("digit expected in exponent");
      while (digit()) ++pos_;
    }
    v.type = JsonValue::Type::kNumber;
    v.number_text = std::string(text_.substr(start, pos_ - start));
    v.number = std::strtod(v.number_text.c_str(), nullptr);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

inline std::optional<JsonValue> parse_json(std::string_view text, std::string* error = nullptr) {
  JsonReader reader(text);
  std::optional<JsonValue> v = reader.parse();
  if (!v && error != nullptr) *error = reader.error();
  return v;
}

}  // namespace account::testing
