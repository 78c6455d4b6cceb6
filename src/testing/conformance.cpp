// The framework-free reporting of the conformance suites (testing/conformance.h, case_check.h).
#include "account/testing/conformance.h"

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "testing/case_check.h"

namespace account::testing {
namespace {

// A file name without its directories: a failure names the suite's source file, not where it
// was built.
const char* base_name(const char* path) {
  const std::string_view view(path);
  const size_t slash = view.find_last_of('/');
  return slash == std::string_view::npos ? path : path + slash + 1;
}

}  // namespace

std::string describe(const ConformanceFailure& failure) {
  std::string out = absl::StrCat(failure.file, ":", failure.line, ": [", failure.suite, "/",
                                 failure.case_id, "] ", failure.check);
  if (!failure.detail.empty()) absl::StrAppend(&out, " (", failure.detail, ")");
  return out;
}

bool CaseCheck::expect(bool ok, const char* check, const char* file, int line, std::string detail) {
  if (ok) return true;
  ++failures_;
  if (!context_.empty()) detail = detail.empty() ? context_ : absl::StrCat(context_, ": ", detail);
  report_(ConformanceFailure{.suite = std::string(suite_),
                             .case_id = std::string(case_.id),
                             .description = std::string(case_.description),
                             .check = check,
                             .detail = std::move(detail),
                             .file = base_name(file),
                             .line = line});
  return false;
}

ConformanceResult run_conformance_case(std::string_view suite, const ConformanceCase& c,
                                       const ConformanceReporter& report,
                                       const std::function<void(CaseCheck&)>& body) {
  CaseCheck check(suite, c, report);
  try {
    body(check);
  } catch (const std::exception& e) {
    check.expect(false, "the case ran to its end", __FILE__, __LINE__,
                 absl::StrCat("threw: ", e.what()));
  } catch (...) {
    check.expect(false, "the case ran to its end", __FILE__, __LINE__, "threw a non-exception");
  }
  return ConformanceResult{
      .cases_run = 1, .cases_failed = check.failures() > 0 ? 1 : 0, .failures = check.failures()};
}

ConformanceResult unknown_conformance_case(std::string_view suite, std::string_view case_id,
                                           const ConformanceReporter& report) {
  const ConformanceCase unknown{.id = case_id, .description = "a case the suite has"};
  CaseCheck check(suite, unknown, report);
  check.expect(false, "the case id names a case of the suite", __FILE__, __LINE__,
               "no case \"" + std::string(case_id) + "\"");
  return ConformanceResult{.cases_run = 0, .cases_failed = 1, .failures = 1};
}

}  // namespace account::testing
