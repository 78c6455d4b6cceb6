// File: testing/conformance.h
//
// What the conformance suites (store_conformance.h, auth/token_store_conformance.h) report, with
// no test framework in it: a suite is a list of cases, each run against a fresh object from a
// factory the caller gives, and each failed check is handed to a callback. The adapters for
// Catch2 (catch2.h) and GoogleTest (gtest.h) turn those failures into the framework's own; any
// other harness passes a callback of its own:
//
//   int failures = 0;
//   const account::testing::ConformanceResult result = account::testing::run_store_conformance(
//       [] { return std::make_shared<MyStore>(); },
//       [&](const account::testing::ConformanceFailure& f) {
//         std::fprintf(stderr, "%s\n", account::testing::describe(f).c_str());
//         ++failures;
//       });
//   return result.ok() ? 0 : 1;
//
// A case stops at the first check that later checks depend on (a load that failed, a row count
// that differs), and goes on after the others, so one broken behaviour gives one or a few
// failures, not a cascade. An exception thrown out of a case (a StatusOr read without a value,
// a store that throws) is caught and reported as one failure of that case.
//
// Thread-safety: the reporter is called on the thread that runs the suite, one failure at a
// time; a case that starts threads of its own reports only after joining them.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace account::testing {

// One case of a suite.
struct ConformanceCase {
  std::string_view id;           // snake_case, stable: a test name ("round_trips_every_row").
  std::string_view description;  // One sentence, what the contract promises.
};

// One failed check.
struct ConformanceFailure {
  std::string suite;        // "Store" or "TokenStore".
  std::string case_id;      // ConformanceCase::id.
  std::string description;  // ConformanceCase::description.
  std::string check;        // The check as the suite writes it: "s.accounts.size() == 2".
  std::string detail;       // What was found instead, when the suite can say; may be empty.
  const char* file = "";    // Where the check is, in the suite's source (a file name).
  int line = 0;
};

// "<file>:<line>: [<suite>/<case id>] <check> (<detail>)", one line.
std::string describe(const ConformanceFailure& failure);

// Called once per failed check.
using ConformanceReporter = std::function<void(const ConformanceFailure&)>;

struct ConformanceResult {
  int cases_run = 0;
  int cases_failed = 0;  // Cases with at least one failure.
  int failures = 0;      // Failed checks, over every case.

  bool ok() const { return failures == 0; }
  ConformanceResult& operator+=(const ConformanceResult& other) {
    cases_run += other.cases_run;
    cases_failed += other.cases_failed;
    failures += other.failures;
    return *this;
  }
};

}  // namespace account::testing
