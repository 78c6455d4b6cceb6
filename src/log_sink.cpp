#include "account/log_sink.h"

#include <cmath>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

#include "fmt/format.h"

namespace account {
namespace {

constexpr std::string_view kSecretWords[] = {"token",  "tokens",        "secret", "password",
                                             "verifier", "cookie",      "authorization",
                                             "jwt",    "credential",    "credentials"};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes
// there are not one (overlong forms, surrogates and values past U+10FFFF
// included).
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t n = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    if (const size_t n = utf8_sequence(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD for one bad byte
      ++i;
    }
  }
  out += '"';
}

void append_value(std::string& out, const LogValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v)) {
            fmt::format_to(std::back_inserter(out), "{}", v);
          } else {
            out += "null";  // JSON has no Inf or NaN.
          }
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          append_json_string(out, v);
        } else {
          fmt::format_to(std::back_inserter(out), "{}", v);
        }
      },
      value);
}

}  // namespace

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "unknown";
}

bool log_key_is_secret(std::string_view key) {
  if (equal_ignoring_case(key, "code")) return true;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('_', start);
    if (end == std::string_view::npos) end = key.size();
    const std::string_view word = key.substr(start, end - start);
    for (std::string_view secret : kSecretWords) {
      if (equal_ignoring_case(word, secret)) return true;
    }
    start = end + 1;
  }
  return false;
}

std::string JsonLinesLogSink::format_line(const LogRecord& record) {
  std::string out;
  out.reserve(160);
  out += "{\"ts\":\"";
  out += absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", record.time, absl::UTCTimeZone());
  out += "\",\"level\":\"";
  out += log_level_name(record.level);
  out += "\",\"event\":";
  append_json_string(out, record.event);
  out += ",\"msg\":";
  append_json_string(out, record.message);
  for (const LogField& field : record.fields) {
    out += ',';
    append_json_string(out, field.key);
    out += ':';
    if (log_key_is_secret(field.key)) {
      out += "\"[redacted]\"";
    } else {
      append_value(out, field.value);
    }
  }
  out += "}\n";
  return out;
}

JsonLinesLogSink::JsonLinesLogSink(std::FILE* out, LogLevel level_min)
    : out_(out), level_min_(level_min) {}

void JsonLinesLogSink::write(const LogRecord& record) {
  if (record.level < level_min_ || out_ == nullptr) return;
  const std::string line = format_line(record);
  internal::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void log_event(LogSink* sink, const Clock& clock, LogLevel level, std::string_view event,
               std::string_view message, std::initializer_list<LogField> fields) {
  if (sink == nullptr) return;
  const std::vector<LogField> copy(fields);
  sink->write(LogRecord{clock.now(), level, event, message, copy});
}

}  // namespace account
