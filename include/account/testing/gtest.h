// File: testing/gtest.h
//
// The GoogleTest (<gtest/gtest.h>) adapter of account::testing: the conformance suites as
// GoogleTest tests, and a check of a denial's reason. Include it only in a test that uses
// GoogleTest; nothing else in account::testing needs a test framework.
//
//   #include "account/memory_store.h"
//   #include "account/testing/gtest.h"
//
//   // One test per case: MyStoreConforms.round_trips_every_row, ...
//   ACCOUNT_STORE_CONFORMANCE_TESTS(MyStoreConforms, [] { return std::make_shared<MyStore>(); });
//
//   TEST(Settlement, RedeliveryIsDuplicate) {
//     EXPECT_TRUE(account::testing::gtest::denied_with(service->settle(fill),
//                                                      account::Reason::kDuplicateExecution));
//   }
//
// Or, inside one test of your own: account::testing::gtest::expect_store_conformance(factory).
// Each failed check is added to the running test at the suite's file and line
// (ADD_FAILURE_AT), naming the case. The TokenStore suite's adapter is auth/gtest.h.
//
// Inside namespace account, `testing::` names account::testing: write `::testing::` for
// GoogleTest's own names.
//
// Thread-safety: as GoogleTest's assertions. Register tests before RUN_ALL_TESTS() (the macro
// does, during static initialisation).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/types/span.h"
#include "account/reason.h"
#include "account/status.h"
#include "account/testing/conformance.h"
#include "account/testing/store_conformance.h"

namespace account::testing::gtest {

// Runs one case of a suite, reporting through the reporter given.
using CaseRunner =
    std::function<ConformanceResult(std::string_view case_id, const ConformanceReporter&)>;

// Adds each failure to the running test, at the suite's file and line.
inline ConformanceReporter reporter() {
  return [](const ConformanceFailure& failure) {
    ADD_FAILURE_AT(failure.file, failure.line)
        << "[" << failure.suite << "/" << failure.case_id << "] " << failure.description
        << "\n  check: " << failure.check
        << (failure.detail.empty() ? std::string() : "\n  found: " + failure.detail);
  };
}

// Runs every case of `cases` inside the running test.
inline void expect_conformance(absl::Span<const ConformanceCase> cases,
                               const CaseRunner& run_case) {
  for (const ConformanceCase& c : cases) {
    SCOPED_TRACE(std::string(c.id));
    run_case(c.id, reporter());
  }
}

// One registered test: one case of a suite.
class ConformanceCaseTest : public ::testing::Test {
 public:
  ConformanceCaseTest(std::string case_id, CaseRunner run_case)
      : case_id_(std::move(case_id)), run_case_(std::move(run_case)) {}
  void TestBody() override { run_case_(case_id_, reporter()); }

 private:
  std::string case_id_;
  CaseRunner run_case_;
};

// Registers one test per case, named <suite_name>.<case id>; returns true (for a static
// initialiser). Call before RUN_ALL_TESTS().
inline bool register_conformance_tests(const char* suite_name,
                                       absl::Span<const ConformanceCase> cases,
                                       const CaseRunner& run_case, const char* file, int line) {
  for (const ConformanceCase& c : cases) {
    const std::string id(c.id);
    ::testing::RegisterTest(
        suite_name, id.c_str(), nullptr, nullptr, file, line,
        [id, run_case]() -> ::testing::Test* { return new ConformanceCaseTest(id, run_case); });
  }
  return true;
}

// The Store suite (store_conformance.h), every case inside the running test.
inline void expect_store_conformance(const StoreFactory& make_store) {
  expect_conformance(store_conformance_cases(),
                     [&](std::string_view id, const ConformanceReporter& report) {
                       return run_store_conformance_case(id, make_store, report);
                     });
}

// The Store suite, one registered test per case.
inline bool register_store_conformance_tests(const char* suite_name, StoreFactory make_store,
                                             const char* file, int line) {
  return register_conformance_tests(
      suite_name, store_conformance_cases(),
      [make_store = std::move(make_store)](std::string_view id, const ConformanceReporter& report) {
        return run_store_conformance_case(id, make_store, report);
      },
      file, line);
}

// Success when `status` is a denial with `reason`; otherwise a failure saying what it was.
inline ::testing::AssertionResult denied_with(const absl::Status& status, Reason reason) {
  const std::optional<Reason> got = reason_of(status);
  if (got == reason) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << reason_name(reason) << ", got "
         << (got ? std::string(reason_name(*got)) : std::string("no reason")) << ": "
         << status.ToString();
}
template <typename T>
::testing::AssertionResult denied_with(const absl::StatusOr<T>& status_or, Reason reason) {
  return denied_with(status_or.status(), reason);
}

}  // namespace account::testing::gtest

#define ACCOUNT_TESTING_CONCAT_INNER_(a, b) a##b
#define ACCOUNT_TESTING_CONCAT_(a, b) ACCOUNT_TESTING_CONCAT_INNER_(a, b)

// At namespace scope: registers the Store suite as tests named <suite_name>.<case id>, each on
// a store from the factory (a callable returning std::shared_ptr<Store>).
#define ACCOUNT_STORE_CONFORMANCE_TESTS(suite_name, ...)                                    \
  [[maybe_unused]] static const bool ACCOUNT_TESTING_CONCAT_(                               \
      account_store_conformance_registered_, __LINE__) =                                    \
      ::account::testing::gtest::register_store_conformance_tests(#suite_name, __VA_ARGS__, \
                                                                  __FILE__, __LINE__)
