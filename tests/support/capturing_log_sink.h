// A LogSink that keeps every record as its JSON line, for tests that check
// what the ledger told operators. Background threads (the service's retry
// thread) write while the test reads, so the lines are guarded.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "account/log_sink.h"
#include "support/json_value.h"

namespace account::testing {

class CapturingLogSink final : public LogSink {
 public:
  void write(const LogRecord& record) override {
    std::string line = JsonLinesLogSink::format_line(record);
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(std::move(line));
  }
  std::vector<JsonValue> with_event(std::string_view event) const {
    std::vector<std::string> lines;
    {
      std::lock_guard<std::mutex> lock(mu_);
      lines = lines_;
    }
    std::vector<JsonValue> out;
    for (const std::string& line : lines) {
      std::optional<JsonValue> v = parse_json(std::string_view(line).substr(0, line.size() - 1));
      REQUIRE(v.has_value());
      if (v->get("event")->string == event) out.push_back(*v);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace account::testing
