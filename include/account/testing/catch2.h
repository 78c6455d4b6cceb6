// File: testing/catch2.h
//
// The Catch2 (v2, <catch2/catch.hpp>) adapter of account::testing: the conformance suites as
// Catch2 sections, and a check of a denial's reason. Include it only in a test that uses
// Catch2; nothing else in account::testing needs a test framework.
//
//   #include "account/memory_store.h"
//   #include "account/testing/catch2.h"
//
//   TEST_CASE("MyStore conforms to the Store contract", "[store]") {
//     account::testing::catch2::check_store_conformance(
//         [] { return std::make_shared<MyStore>(); });
//   }
//
//   CHECK(account::testing::catch2::denied_with(service->settle(fill),
//                                               account::Reason::kDuplicateExecution));
//
// Each case runs in a section of its own (named by its description) on a new store, so
// Catch2 runs the test case once per case and reports each failed check as a failed CHECK
// with the suite's file and line. The TokenStore suite's adapter is auth/catch2.h.
//
// Thread-safety: as Catch2's assertions, from the test's thread only.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "account/reason.h"
#include "account/status.h"
#include "account/testing/conformance.h"
#include "account/testing/store_conformance.h"

namespace account::testing::catch2 {

// Reports each failure as a failed check of the running test case.
inline ConformanceReporter reporter() {
  return [](const ConformanceFailure& failure) { FAIL_CHECK(describe(failure)); };
}

// Runs each of `cases` in a section of its own: `run_case(id, report)` runs one.
inline void check_conformance(
    absl::Span<const ConformanceCase> cases,
    const std::function<ConformanceResult(std::string_view, const ConformanceReporter&)>&
        run_case) {
  for (const ConformanceCase& c : cases) {
    DYNAMIC_SECTION(std::string(c.description)) { run_case(c.id, reporter()); }
  }
}

// The Store suite (store_conformance.h), each case in a section on a new store.
inline void check_store_conformance(const StoreFactory& make_store) {
  check_conformance(store_conformance_cases(),
                    [&](std::string_view id, const ConformanceReporter& report) {
                      return run_store_conformance_case(id, make_store, report);
                    });
}

// True when `status` is a denial with `reason`; otherwise false, with what it was instead as
// an unscoped message on the next assertion.
inline bool denied_with(const absl::Status& status, Reason reason) {
  const std::optional<Reason> got = reason_of(status);
  if (got == reason) return true;
  UNSCOPED_INFO("expected " << reason_name(reason) << ", got "
                            << (got ? std::string(reason_name(*got)) : std::string("no reason"))
                            << ": " << status.ToString());
  return false;
}
template <typename T>
bool denied_with(const absl::StatusOr<T>& status_or, Reason reason) {
  return denied_with(status_or.status(), reason);
}

}  // namespace account::testing::catch2
