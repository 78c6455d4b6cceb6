// File: testing/recording_log_sink.h
//
// RecordingLogSink: a LogSink (log_sink.h) that keeps every record, with its fields copied out
// and the JSON line JsonLinesLogSink would write for it, so that a test can check what a
// component told its operators without parsing text.
//
//   auto log = std::make_shared<account::testing::RecordingLogSink>();
//   auto service = account::AccountService::open({.store = store, .log = log}).value();
//   ...
//   std::vector<account::testing::LoggedRecord> failed = log->with_event("store_commit_failed");
//   CHECK(failed.at(0).level == account::LogLevel::kError);
//   CHECK(failed.at(0).text("status_code") == "UNAVAILABLE");
//
// A field whose key names a secret (log_key_is_secret) is recorded as the string "[redacted]",
// as every sink of the library writes it, so a test sees what an operator would. Records below
// `level_min` are dropped, as JsonLinesLogSink drops them. It keeps every record until clear():
// memory grows with them.
//
// Thread-safety: every member may be called from any thread while records arrive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "account/log_sink.h"

namespace account::testing {

// A field's value, owned (LogValue with its string copied).
using LoggedValue = std::variant<int64_t, uint64_t, double, bool, std::string>;

struct LoggedField {
  std::string key;
  LoggedValue value;
};

struct LoggedRecord {
  absl::Time time;
  LogLevel level = LogLevel::kInfo;
  std::string event;
  std::string message;
  std::vector<LoggedField> fields;  // In the order written.
  std::string line;                 // JsonLinesLogSink::format_line(), newline included.

  // The field named `key`, or nullptr.
  const LoggedField* field(std::string_view key) const;
  // The field's value as text: a string as it is, an integer in decimal, a double as
  // absl::StrCat writes it, a bool as "true" or "false"; "" when there is no such field.
  std::string text(std::string_view key) const;
};

class RecordingLogSink final : public LogSink {
 public:
  explicit RecordingLogSink(LogLevel level_min = LogLevel::kDebug);
  ~RecordingLogSink() override;
  RecordingLogSink(const RecordingLogSink&) = delete;
  RecordingLogSink& operator=(const RecordingLogSink&) = delete;

  void write(const LogRecord& record) override;

  // Every record kept, oldest first.
  std::vector<LoggedRecord> records() const;
  // The records of one event ("fills_queued"), oldest first.
  std::vector<LoggedRecord> with_event(std::string_view event) const;
  // How many records of `event` were kept.
  size_t count(std::string_view event) const;
  // Every record's JSON line, oldest first.
  std::vector<std::string> lines() const;
  // Waits until at least `count` records of `event` have been kept, or `timeout` (real time)
  // passes; returns whether they were.
  bool wait_for_event(std::string_view event, size_t count, absl::Duration timeout) const;
  // Forgets every record kept so far.
  void clear();

 private:
  class State;
  LogLevel level_min_;
  std::unique_ptr<State> state_;
};

}  // namespace account::testing
