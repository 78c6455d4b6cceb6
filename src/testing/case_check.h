// The checks the conformance suites are written with (private to account::testing): a small
// CHECK/REQUIRE of their own, so that the suites need no test framework and report through the
// caller's ConformanceReporter. A case is a function of its handle and a CaseCheck, run by the
// suite's ConformanceRunner (conformance_suite.h):
//
//   void round_trips(const std::shared_ptr<Store>& store, CaseCheck& check) {
//     CONFORM_REQUIRE_OK(check, store->commit(changes));      // stops the case
//     CONFORM_CHECK_EQ(check, snapshot.accounts.size(), 2u);  // goes on
//   }
//
// Thread-safety: a CaseCheck belongs to the thread that runs its case.
#pragma once

#include <concepts>
#include <exception>
#include <functional>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/testing/conformance.h"

namespace account::testing {

template <typename T>
concept Streamable = requires(std::ostream& os, const T& value) {
  os << value;
};

// A value as text for a failure's detail, when it can be printed.
template <typename T>
std::string printed(const T& value) {
  if constexpr (std::same_as<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (Streamable<T>) {
    std::ostringstream out;
    out << value;
    return out.str();
  } else {
    return "(not printable)";
  }
}

template <typename T>
std::string printed(const std::optional<T>& value) {
  return value ? printed(*value) : std::string("nullopt");
}

class CaseCheck {
 public:
  CaseCheck(std::string_view suite, const ConformanceCase& c, const ConformanceReporter& report)
      : suite_(suite), case_(c), report_(report) {}

  // Reports a failure unless `ok`; returns `ok`.
  bool expect(bool ok, const char* check, const char* file, int line, std::string detail = {});

  bool expect_ok(const absl::Status& status, const char* check, const char* file, int line) {
    return expect(status.ok(), check, file, line, status.ok() ? "" : status.ToString());
  }
  template <typename T>
  bool expect_ok(const absl::StatusOr<T>& status_or, const char* check, const char* file,
                 int line) {
    return expect_ok(status_or.status(), check, file, line);
  }

  template <typename A, typename B>
  bool expect_eq(const A& got, const B& want, const char* check, const char* file, int line) {
    const bool same = got == want;
    return expect(same, check, file, line,
                  same ? "" : "got " + printed(got) + ", want " + printed(want));
  }

  // Text added to the detail of every later failure ("round 3"); empty clears it.
  void set_context(std::string context) { context_ = std::move(context); }

  int failures() const { return failures_; }

 private:
  std::string_view suite_;
  const ConformanceCase& case_;
  const ConformanceReporter& report_;
  std::string context_;
  int failures_ = 0;
};

// Runs `body` as case `c`, turning an exception thrown out of it into a failure.
ConformanceResult run_conformance_case(std::string_view suite, const ConformanceCase& c,
                                       const ConformanceReporter& report,
                                       const std::function<void(CaseCheck&)>& body);

// One failure for an id no case has.
ConformanceResult unknown_conformance_case(std::string_view suite, std::string_view case_id,
                                           const ConformanceReporter& report);

}  // namespace account::testing

// Checks that go on after a failure.
#define CONFORM_CHECK(check, condition) \
  (check).expect(static_cast<bool>(condition), #condition, __FILE__, __LINE__)
#define CONFORM_CHECK_EQ(check, got, want) \
  (check).expect_eq((got), (want), #got " == " #want, __FILE__, __LINE__)
#define CONFORM_CHECK_OK(check, expr) (check).expect_ok((expr), #expr " is OK", __FILE__, __LINE__)

// Checks that end the case after a failure (what follows depends on them).
#define CONFORM_REQUIRE(check, condition)         \
  do {                                            \
    if (!CONFORM_CHECK(check, condition)) return; \
  } while (false)
#define CONFORM_REQUIRE_EQ(check, got, want)         \
  do {                                               \
    if (!CONFORM_CHECK_EQ(check, got, want)) return; \
  } while (false)
#define CONFORM_REQUIRE_OK(check, expr)         \
  do {                                          \
    if (!CONFORM_CHECK_OK(check, expr)) return; \
  } while (false)

// `lhs = value of expr`, or the case ends with the error reported.
#define CONFORM_ASSIGN_OR_RETURN(check, lhs, expr) \
  CONFORM_ASSIGN_OR_RETURN_IMPL_(CONFORM_CONCAT_(conform_value_, __LINE__), check, lhs, expr)
#define CONFORM_CONCAT_INNER_(a, b) a##b
#define CONFORM_CONCAT_(a, b) CONFORM_CONCAT_INNER_(a, b)
#define CONFORM_ASSIGN_OR_RETURN_IMPL_(tmp, check, lhs, expr)              \
  auto tmp = (expr);                                                       \
  if (!(check).expect_ok(tmp, #expr " is OK", __FILE__, __LINE__)) return; \
  lhs = std::move(tmp).value()
