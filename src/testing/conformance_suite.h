// The runner of a conformance suite (private to account::testing): its case list, run-all and
// run-one-by-id, written once for every suite. A suite gives the handle its cases take, how to
// tell that a handle from the caller's factory is usable, and its table of cases:
//
//   constexpr std::array<SuiteCase<std::shared_ptr<Store>>, 2> kStoreCases{{
//       {{"empty_store_loads_empty", "an empty store loads empty"}, empty_store_loads_empty},
//       {{"round_trips_every_row_type", "..."}, round_trips_every_row_type},
//   }};
//
//   struct StoreSuite {
//     using Handle = std::shared_ptr<Store>;
//     static constexpr std::string_view kName = "Store";
//     static bool usable(const Handle& store, CaseCheck& check) {
//       return CONFORM_CHECK(check, store != nullptr);
//     }
//     static constexpr const auto& kCases = kStoreCases;
//   };
//
//   ConformanceRunner<StoreSuite>::run_all(make_store, report);  // and cases(), run_one()
//
// usable() reports through `check` with the suite's own CONFORM_CHECK, so that a failure names
// the check as the suite writes it, in the suite's file.
//
// Thread-safety: as the suite's cases; the runner keeps no state but the constant case list.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <functional>
#include <string_view>

#include "absl/types/span.h"
#include "account/testing/conformance.h"
#include "testing/case_check.h"

namespace account::testing {

// One row of a suite's table: the case, and its body, run on a handle of its own.
template <typename Handle>
struct SuiteCase {
  ConformanceCase c;
  void (*body)(const Handle& handle, CaseCheck& check);
};

template <typename S>
concept ConformanceSuite = requires(const typename S::Handle& handle, CaseCheck& check) {
  { S::kName } -> std::convertible_to<std::string_view>;
  { S::usable(handle, check) } -> std::same_as<bool>;
  { S::kCases[0] } -> std::convertible_to<const SuiteCase<typename S::Handle>&>;
  S::kCases.size();
};

template <ConformanceSuite Suite>
class ConformanceRunner {
 public:
  using Handle = typename Suite::Handle;
  // Returns a new handle (on a new, empty object) on each call.
  using Factory = std::function<Handle()>;

  // The suite's cases, in the order run_all() runs them.
  static absl::Span<const ConformanceCase> cases() { return kList; }

  // Runs every case, each on a new handle from `make`.
  static ConformanceResult run_all(const Factory& make, const ConformanceReporter& report) {
    ConformanceResult result;
    for (const SuiteCase<Handle>& c : Suite::kCases) result += run_case(c, make, report);
    return result;
  }

  // Runs the case whose id is `case_id`; an unknown id is one failure.
  static ConformanceResult run_one(std::string_view case_id, const Factory& make,
                                   const ConformanceReporter& report) {
    for (const SuiteCase<Handle>& c : Suite::kCases) {
      if (c.c.id == case_id) return run_case(c, make, report);
    }
    return unknown_conformance_case(Suite::kName, case_id, report);
  }

 private:
  static constexpr size_t kCount = Suite::kCases.size();
  static constexpr std::array<ConformanceCase, kCount> kList = [] {
    std::array<ConformanceCase, kCount> out{};
    for (size_t i = 0; i < kCount; ++i) out[i] = Suite::kCases[i].c;
    return out;
  }();

  static ConformanceResult run_case(const SuiteCase<Handle>& c, const Factory& make,
                                    const ConformanceReporter& report) {
    return run_conformance_case(Suite::kName, c.c, report, [&](CaseCheck& check) {
      const Handle handle = make();
      if (!Suite::usable(handle, check)) return;
      c.body(handle, check);
    });
  }
};

}  // namespace account::testing
