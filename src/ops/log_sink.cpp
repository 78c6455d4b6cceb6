#include "account/log_sink.h"

#include <cmath>
#include <iterator>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/mutex.h"
#include "base/json_text.h"
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
          internal::append_json_string(out, v);
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
  internal::append_json_string(out, record.event);
  out += ",\"msg\":";
  internal::append_json_string(out, record.message);
  for (const LogField& field : record.fields) {
    out += ',';
    internal::append_json_string(out, field.key);
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

class JsonLinesLogSink::Impl {
 public:
  explicit Impl(std::FILE* out) : out_(out) {}

  bool has_stream() const { return out_ != nullptr; }

  // One fwrite and its flush per line, under one lock: lines from several
  // threads never interleave, and each is out before the next begins.
  void write_line(const std::string& line) {
    internal::MutexLock lock(&mu_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  }

 private:
  internal::Mutex mu_;
  std::FILE* const out_ ABSL_PT_GUARDED_BY(mu_);
};

JsonLinesLogSink::JsonLinesLogSink(std::FILE* out, LogLevel level_min)
    : impl_(std::make_unique<Impl>(out)), level_min_(level_min) {}

JsonLinesLogSink::~JsonLinesLogSink() = default;

void JsonLinesLogSink::write(const LogRecord& record) {
  if (record.level < level_min_ || !impl_->has_stream()) return;
  impl_->write_line(format_line(record));
}

void log_event(LogSink* sink, const Clock& clock, LogLevel level, std::string_view event,
               std::string_view message, std::initializer_list<LogField> fields) {
  if (sink == nullptr) return;
  const std::vector<LogField> copy(fields);
  sink->write(LogRecord{clock.now(), level, event, message, copy});
}

}  // namespace account
