// File: log_sink.h
//
// Structured logs. Components write LogRecords (an event name, a message
// and typed fields such as account_id, order_id and execution_id) to an
// injectable LogSink; the default sink writes one JSON object per line.
//
//   JsonLinesLogSink sink(stderr);
//   log_event(&sink, clock, LogLevel::kWarning, "settlement_queued",
//             "store unavailable, fill queued for retry",
//             {{"execution_id", uint64_t{9001}}, {"account_id", int64_t{7}}});
//   // {"ts":"2026-11-24T23:19:02.123456Z","level":"warning","event":"settlement_queued",
//   //  "msg":"store unavailable, fill queued for retry","execution_id":9001,"account_id":7}
//
// Secrets never reach a log: a field whose key names a token, a secret, a
// password, an OAuth code or verifier, a cookie or an authorization header
// is written as "[redacted]" by every sink here (log_key_is_secret), and
// components never put such values into messages.
//
// Logging is for events, not for the hot path: a sink may take a lock and
// do I/O. Thread-safety: every sink here is safe to call from any thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/clock.h"

namespace account {

enum class LogLevel : uint8_t { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning", "error".
std::string_view log_level_name(LogLevel level);

// A field's value. Ids are written as numbers (their .value()), amounts in
// the unit their key names (amount_cents, qty_bp).
using LogValue = std::variant<int64_t, uint64_t, double, bool, std::string_view>;

struct LogField {
  std::string_view key;  // snake_case; the unit last (amount_cents)
  LogValue value;
};

struct LogRecord {
  absl::Time time;
  LogLevel level = LogLevel::kInfo;
  std::string_view event;    // Stable snake_case name to search for: "fill_settled".
  std::string_view message;  // For people; may change between versions.
  absl::Span<const LogField> fields;
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void write(const LogRecord& record) = 0;
};

// True for keys whose values must never be written: the key is "code" (an
// OAuth authorization code), or one of its '_'-separated words is token(s),
// secret, password, verifier, cookie, authorization, jwt or credential(s),
// ignoring case. "refresh_token" and "client_secret" are secret;
// "reason_code" and "account_id" are not.
bool log_key_is_secret(std::string_view key);

// One JSON object per line, built with fmt and written with one fwrite per
// record (so lines from several threads never interleave). Keys in order:
// ts (RFC 3339, UTC, microseconds), level, event, msg, then the fields in
// the order given. Strings are escaped as JSON requires; each byte that is
// not part of valid UTF-8 becomes U+FFFD and a non-finite double null, so
// every line parses. Records below `level_min` are dropped.
class JsonLinesLogSink final : public LogSink {
 public:
  explicit JsonLinesLogSink(std::FILE* out, LogLevel level_min = LogLevel::kInfo);
  ~JsonLinesLogSink() override;
  JsonLinesLogSink(const JsonLinesLogSink&) = delete;
  JsonLinesLogSink& operator=(const JsonLinesLogSink&) = delete;

  void write(const LogRecord& record) override;

  // The line write() would emit, newline included (for tests and for sinks
  // that forward lines elsewhere).
  static std::string format_line(const LogRecord& record);

 private:
  // The stream and the lock that keeps one record's write and flush
  // together (src/ops/log_sink.cpp).
  class Impl;
  std::unique_ptr<Impl> impl_;
  LogLevel level_min_;
};

// Drops every record: the default where no sink is given.
class NullLogSink final : public LogSink {
 public:
  void write(const LogRecord&) override {}
};

// Builds a record stamped with `clock` and writes it to `sink` (nothing when
// `sink` is null).
void log_event(LogSink* sink, const Clock& clock, LogLevel level, std::string_view event,
               std::string_view message, std::initializer_list<LogField> fields = {});

}  // namespace account
