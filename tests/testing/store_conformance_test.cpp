// The Store conformance suite (account/testing/store_conformance.h): MemoryStore passes it
// through the Catch2 adapter and through the framework-free callback, and stores broken on
// purpose fail it, each in the case that covers what is broken, through the callback.
#include "account/testing/store_conformance.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "account/memory_store.h"
#include "account/testing/catch2.h"
#include "account/testing/fault_injecting_store.h"

namespace account {
namespace {

using testing::ConformanceFailure;
using testing::ConformanceResult;

TEST_CASE("MemoryStore conforms to the Store contract (Catch2 adapter)", "[testing][store]") {
  testing::catch2::check_store_conformance([] { return std::make_shared<MemoryStore>(); });
}

TEST_CASE("a FaultInjectingStore with no fault conforms to the Store contract",
          "[testing][store]") {
  testing::catch2::check_store_conformance([] {
    return std::make_shared<testing::FaultInjectingStore>(std::make_shared<MemoryStore>());
  });
}

TEST_CASE("MemoryStore conforms through the callback: every case run, nothing reported",
          "[testing][store]") {
  std::vector<ConformanceFailure> failures;
  const ConformanceResult result =
      testing::run_store_conformance([] { return std::make_shared<MemoryStore>(); },
                                     [&](const ConformanceFailure& f) { failures.push_back(f); });
  CHECK(result.ok());
  CHECK(result.cases_run == static_cast<int>(testing::store_conformance_cases().size()));
  CHECK(result.cases_failed == 0);
  CHECK(failures.empty());
}

TEST_CASE("the Store suite's cases have unique snake_case ids and a description",
          "[testing][store]") {
  std::set<std::string> ids;
  for (const testing::ConformanceCase& c : testing::store_conformance_cases()) {
    CAPTURE(c.id);
    CHECK(ids.insert(std::string(c.id)).second);
    CHECK(std::all_of(c.id.begin(), c.id.end(), [](char ch) {
      return std::islower(static_cast<unsigned char>(ch)) || ch == '_';
    }));
    CHECK_FALSE(c.description.empty());
  }
  CHECK(ids.size() >= 9);
}

// A MemoryStore with one thing broken on purpose.
enum class Breakage {
  kLoadDropsPositions,    // load() answers no positions.
  kHalfAppliesRefusals,   // A commit that breaks a unique key writes its balances first.
  kTradesOldestFirst,     // trades() answers the oldest first.
  kLoadFails,             // load() always fails.
  kCommitThrows,          // commit() throws.
  kForgetsOldExecutions,  // find_execution() answers only what load's window would hold.
};

class BrokenStore final : public Store {
 public:
  explicit BrokenStore(Breakage breakage) : breakage_(breakage) {}

  absl::Status commit(const ChangeSet& changes) override {
    if (breakage_ == Breakage::kCommitThrows) throw std::runtime_error("disk on fire");
    const absl::Status status = inner_.commit(changes);
    if (!status.ok() && breakage_ == Breakage::kHalfAppliesRefusals) {
      ChangeSet half;
      half.balances = changes.balances;
      (void)inner_.commit(half);
    }
    return status;
  }
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override {
    if (breakage_ == Breakage::kLoadFails) return absl::UnavailableError("no route to host");
    absl::StatusOr<LedgerSnapshot> s = inner_.load(request);
    if (s.ok() && breakage_ == Breakage::kLoadDropsPositions) s->positions.clear();
    return s;
  }
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override {
    if (breakage_ == Breakage::kForgetsOldExecutions) {
      const absl::StatusOr<LedgerSnapshot> window =
          inner_.load({.execution_retention = absl::Hours(1)});
      if (!window.ok()) return window.status();
      for (const Fill& f : window->executions) {
        if (f.execution == execution) return f;
      }
      return std::nullopt;
    }
    return inner_.find_execution(execution);
  }
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override {
    absl::StatusOr<std::vector<Trade>> t = inner_.trades(account, limit);
    if (t.ok() && breakage_ == Breakage::kTradesOldestFirst) std::reverse(t->begin(), t->end());
    return t;
  }
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override {
    return inner_.journal(after_seq, limit);
  }

 private:
  const Breakage breakage_;
  MemoryStore inner_;
};

// The ids of the cases that reported a failure, each once, in order.
std::vector<std::string> failed_cases(Breakage breakage, ConformanceResult* result = nullptr) {
  std::vector<std::string> ids;
  const ConformanceResult r =
      testing::run_store_conformance([breakage] { return std::make_shared<BrokenStore>(breakage); },
                                     [&](const ConformanceFailure& f) {
                                       CHECK(f.suite == "Store");
                                       CHECK_FALSE(f.check.empty());
                                       CHECK(f.line > 0);
                                       if (ids.empty() || ids.back() != f.case_id)
                                         ids.push_back(f.case_id);
                                     });
  if (result != nullptr) *result = r;
  return ids;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST_CASE("the Store suite fails a store that loses positions", "[testing][store][broken]") {
  ConformanceResult result;
  const std::vector<std::string> failed = failed_cases(Breakage::kLoadDropsPositions, &result);
  CHECK_FALSE(result.ok());
  CHECK(contains(failed, "round_trips_every_row_type"));
  CHECK(contains(failed, "updates_rows_in_place"));
  CHECK_FALSE(contains(failed, "empty_store_loads_empty"));
  CHECK(result.cases_failed == static_cast<int>(failed.size()));
}

TEST_CASE("the Store suite fails a store that half-applies a refused commit",
          "[testing][store][broken]") {
  CHECK(failed_cases(Breakage::kHalfAppliesRefusals) ==
        std::vector<std::string>{"unknown_account_fails_commit_whole",
                                 "unique_key_breach_applies_nothing"});
}

TEST_CASE("the Store suite fails a store whose trades come oldest first",
          "[testing][store][broken]") {
  CHECK(failed_cases(Breakage::kTradesOldestFirst) ==
        std::vector<std::string>{"trades_newest_first_limited"});
}

TEST_CASE("the Store suite fails a store that forgets executions outside load's window",
          "[testing][store][broken]") {
  CHECK(failed_cases(Breakage::kForgetsOldExecutions) ==
        std::vector<std::string>{"load_honours_windows"});
}

TEST_CASE("the Store suite reports a store whose load fails in every case, without stopping",
          "[testing][store][broken]") {
  ConformanceResult result;
  std::vector<ConformanceFailure> failures;
  result = testing::run_store_conformance(
      [] { return std::make_shared<BrokenStore>(Breakage::kLoadFails); },
      [&](const ConformanceFailure& f) { failures.push_back(f); });
  CHECK(result.cases_run == static_cast<int>(testing::store_conformance_cases().size()));
  CHECK(result.cases_failed == result.cases_run);
  REQUIRE_FALSE(failures.empty());
  CHECK(failures[0].case_id == "empty_store_loads_empty");
  CHECK(failures[0].check == "store->load({}) is OK");
  CHECK(failures[0].detail == "UNAVAILABLE: no route to host");
  CHECK(std::string(failures[0].file) == "store_conformance.cpp");
  CHECK(testing::describe(failures[0]) ==
        "store_conformance.cpp:" + std::to_string(failures[0].line) +
            ": [Store/empty_store_loads_empty] store->load({}) is OK "
            "(UNAVAILABLE: no route to host)");
}

TEST_CASE("the Store suite turns a throwing store, a null store and an unknown case into failures",
          "[testing][store][broken]") {
  std::vector<ConformanceFailure> failures;
  const auto collect = [&](const ConformanceFailure& f) { failures.push_back(f); };

  ConformanceResult result = testing::run_store_conformance_case(
      "round_trips_every_row_type",
      [] { return std::make_shared<BrokenStore>(Breakage::kCommitThrows); }, collect);
  CHECK(result.failures == 1);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].check == "the case ran to its end");
  CHECK(failures[0].detail == "threw: disk on fire");

  failures.clear();
  result = testing::run_store_conformance_case(
      "empty_store_loads_empty", [] { return std::shared_ptr<Store>(); }, collect);
  CHECK(result.cases_failed == 1);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].check == "store != nullptr");

  failures.clear();
  result = testing::run_store_conformance_case(
      "no_such_case", [] { return std::make_shared<MemoryStore>(); }, collect);
  CHECK(result.cases_run == 0);
  CHECK(result.failures == 1);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].case_id == "no_such_case");
}

}  // namespace
}  // namespace account
