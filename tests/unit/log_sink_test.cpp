// Structured logs: every line the JSON sink writes parses as one JSON object
// with the fields in order, escapes what JSON requires, and never carries a
// secret.
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/time/time.h"
#include "account/log_sink.h"
#include "support/json_value.h"

namespace account {
namespace {

using testing::JsonValue;
using testing::parse_json;

const absl::Time kAt = absl::FromUnixMicros(1'795'562'342'123'456);  // 2026-11-24T23:19:02.123456Z

JsonValue parse_line(const std::string& line) {
  INFO(line);
  REQUIRE(!line.empty());
  REQUIRE(line.back() == '\n');
  REQUIRE(line.find('\n') == line.size() - 1);  // exactly one line
  std::string error;
  std::optional<JsonValue> v = parse_json(std::string_view(line).substr(0, line.size() - 1), &error);
  INFO(error);
  REQUIRE(v.has_value());
  REQUIRE(v->type == JsonValue::Type::kObject);
  return *v;
}

std::string line_for(LogLevel level, std::string_view event, std::string_view message,
                     std::initializer_list<LogField> fields) {
  const std::vector<LogField> copy(fields);
  return JsonLinesLogSink::format_line(LogRecord{kAt, level, event, message, copy});
}

TEST_CASE("a log line is one JSON object with ts, level, event, msg, then the fields",
          "[log]") {
  const JsonValue v = parse_line(line_for(
      LogLevel::kWarning, "settlement_queued", "store unavailable, fill queued",
      {{"execution_id", uint64_t{18'446'744'073'709'551'615u}},
       {"account_id", int64_t{7}},
       {"order_id", int64_t{-3}},
       {"amount_cents", int64_t{5'001}},
       {"ratio", 0.25},
       {"retry", true},
       {"symbol", std::string_view("NFL:1234")}}));
  CHECK(v.keys() == std::vector<std::string>{"ts", "level", "event", "msg", "execution_id",
                                             "account_id", "order_id", "amount_cents", "ratio",
                                             "retry", "symbol"});
  CHECK(v.get("ts")->string == "2026-11-24T23:19:02.123456Z");
  CHECK(v.get("level")->string == "warning");
  CHECK(v.get("event")->string == "settlement_queued");
  CHECK(v.get("msg")->string == "store unavailable, fill queued");
  // Ids are exact integers, even above 2^53.
  CHECK(v.get("execution_id")->number_text == "18446744073709551615");
  CHECK(v.get("account_id")->number_text == "7");
  CHECK(v.get("order_id")->number_text == "-3");
  CHECK(v.get("amount_cents")->number_text == "5001");
  CHECK(v.get("ratio")->number == 0.25);
  CHECK(v.get("retry")->type == JsonValue::Type::kBool);
  CHECK(v.get("retry")->boolean);
  CHECK(v.get("symbol")->string == "NFL:1234");
}

TEST_CASE("strings are escaped so that any text round-trips", "[log]") {
  const std::string nasty = std::string("quote \" backslash \\ newline \n tab \t bell \x07 nul ") +
                            std::string(1, '\0') + " end \xc3\xa9";  // é in UTF-8
  const JsonValue v = parse_line(line_for(LogLevel::kError, "odd", nasty, {{"text", nasty}}));
  CHECK(v.get("msg")->string == nasty);
  CHECK(v.get("text")->string == nasty);
}

TEST_CASE("invalid UTF-8 becomes U+FFFD and non-finite numbers null", "[log]") {
  const JsonValue v = parse_line(line_for(
      LogLevel::kInfo, "odd", "bad \xff byte, cut \xe2\x82",
      {{"inf", std::numeric_limits<double>::infinity()},
       {"nan", std::numeric_limits<double>::quiet_NaN()}}));
  CHECK(v.get("msg")->string == "bad \xef\xbf\xbd byte, cut \xef\xbf\xbd\xef\xbf\xbd");
  CHECK(v.get("inf")->type == JsonValue::Type::kNull);
  CHECK(v.get("nan")->type == JsonValue::Type::kNull);
}

TEST_CASE("secret fields are redacted, others are not", "[log]") {
  const JsonValue v = parse_line(line_for(
      LogLevel::kInfo, "login_completed", "signed in",
      {{"refresh_token", std::string_view("r3fr3sh")},
       {"access_token", std::string_view("eyJhbGciOi")},
       {"client_secret", std::string_view("s3cr3t")},
       {"JWT_SECRET", std::string_view("k3y")},
       {"code", std::string_view("4/0Ab")},
       {"code_verifier", std::string_view("v3r1f1er")},
       {"Authorization", std::string_view("Bearer x")},
       {"session_cookie", std::string_view("c00k1e")},
       {"password", int64_t{1234}},
       {"reason_code", std::string_view("InsufficientFunds")},
       {"account_id", int64_t{7}}}));
  for (const char* key : {"refresh_token", "access_token", "client_secret", "JWT_SECRET", "code",
                          "code_verifier", "Authorization", "session_cookie", "password"}) {
    CAPTURE(key);
    REQUIRE(v.get(key) != nullptr);
    CHECK(v.get(key)->string == "[redacted]");
  }
  CHECK(v.get("reason_code")->string == "InsufficientFunds");
  CHECK(v.get("account_id")->number_text == "7");
}

TEST_CASE("log_key_is_secret matches whole words, not substrings", "[log]") {
  CHECK(log_key_is_secret("token"));
  CHECK(log_key_is_secret("id_token"));
  CHECK(log_key_is_secret("tokens"));
  CHECK(log_key_is_secret("Client_Secret"));
  CHECK(log_key_is_secret("credentials"));
  CHECK_FALSE(log_key_is_secret("reason_code"));
  CHECK_FALSE(log_key_is_secret("tokenizer"));
  CHECK_FALSE(log_key_is_secret("account_id"));
  CHECK_FALSE(log_key_is_secret(""));
}

TEST_CASE("the sink writes whole lines and drops records below its level", "[log]") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  ManualClock clock(kAt);
  JsonLinesLogSink sink(file, LogLevel::kInfo);
  log_event(&sink, clock, LogLevel::kDebug, "noise", "dropped");
  log_event(&sink, clock, LogLevel::kInfo, "tick_published", "published", {{"tick", int64_t{42}}});
  log_event(&sink, clock, LogLevel::kError, "store_failed", "commit failed");
  log_event(nullptr, clock, LogLevel::kError, "nowhere", "no sink, no crash");

  std::rewind(file);
  std::string text;
  char buffer[512];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  std::fclose(file);

  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl + 1 - start));
    start = nl + 1;
  }
  CHECK(start == text.size());
  REQUIRE(lines.size() == 2);
  CHECK(parse_line(lines[0]).get("event")->string == "tick_published");
  CHECK(parse_line(lines[0]).get("tick")->number_text == "42");
  CHECK(parse_line(lines[1]).get("level")->string == "error");
}

}  // namespace
}  // namespace account
