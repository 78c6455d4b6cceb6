// The conformance suites through the GoogleTest adapter (account/testing/gtest.h,
// auth/gtest.h): MemoryStore and MemoryTokenStore as one registered test per case, and inside
// one test; the adapter's failures on a broken store; denied_with.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "account/memory_store.h"
#include "account/status.h"
#include "account/testing/gtest.h"

#ifdef ACCOUNT_TESTING_WITH_AUTH
#include "account/auth/memory_token_store.h"
#include "account/testing/auth/gtest.h"
#endif

namespace {

namespace at = account::testing;

// MemoryStoreConforms.empty_store_loads_empty, ... one test per case.
ACCOUNT_STORE_CONFORMANCE_TESTS(MemoryStoreConforms,
                                [] { return std::make_shared<account::MemoryStore>(); });

TEST(StoreConformance, MemoryStoreInsideOneTest) {
  at::gtest::expect_store_conformance([] { return std::make_shared<account::MemoryStore>(); });
}

// A MemoryStore whose load() forgets every position.
class PositionlessStore final : public account::Store {
 public:
  absl::Status commit(const account::ChangeSet& changes) override { return inner_.commit(changes); }
  absl::StatusOr<account::LedgerSnapshot> load(const account::SnapshotRequest& request) override {
    absl::StatusOr<account::LedgerSnapshot> s = inner_.load(request);
    if (s.ok()) s->positions.clear();
    return s;
  }
  absl::StatusOr<std::optional<account::Fill>> find_execution(
      account::ExecutionId execution) override {
    return inner_.find_execution(execution);
  }
  absl::StatusOr<std::vector<account::Trade>> trades(account::AccountId account,
                                                     size_t limit) override {
    return inner_.trades(account, limit);
  }
  absl::StatusOr<std::vector<account::JournalRecord>> journal(uint64_t after_seq,
                                                              size_t limit) override {
    return inner_.journal(after_seq, limit);
  }

 private:
  account::MemoryStore inner_;
};

TEST(StoreConformance, AdapterReportsABrokenStoreAsFailures) {
  const at::StoreFactory positionless = [] { return std::make_shared<PositionlessStore>(); };
  // One case: exactly one failed check, naming it.
  EXPECT_NONFATAL_FAILURE(at::run_store_conformance_case("round_trips_every_row_type", positionless,
                                                         at::gtest::reporter()),
                          "[Store/round_trips_every_row_type]");
  // The whole suite: a failure in each case that reads positions back.
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter capture(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    at::gtest::expect_store_conformance(positionless);
  }
  std::set<std::string> cases;
  for (int i = 0; i < results.size(); ++i) {
    const ::testing::TestPartResult& result = results.GetTestPartResult(i);
    EXPECT_TRUE(result.nonfatally_failed());
    const std::string message = result.message();
    const size_t slash = message.find("[Store/");
    ASSERT_NE(slash, std::string::npos) << message;
    cases.insert(message.substr(slash, message.find(']', slash) - slash));
  }
  EXPECT_EQ(cases, (std::set<std::string>{"[Store/ledger_restores_after_restart",
                                          "[Store/round_trips_every_row_type",
                                          "[Store/updates_rows_in_place"}));
}

TEST(StoreConformance, DeniedWith) {
  const absl::Status duplicate =
      account::denial(account::Reason::kDuplicateExecution, "applied before");
  EXPECT_TRUE(at::gtest::denied_with(duplicate, account::Reason::kDuplicateExecution));
  const ::testing::AssertionResult wrong =
      at::gtest::denied_with(duplicate, account::Reason::kExecutionConflict);
  EXPECT_FALSE(wrong);
  EXPECT_NE(std::string(wrong.message()).find("got DuplicateExecution"), std::string::npos);
  EXPECT_FALSE(at::gtest::denied_with(absl::OkStatus(), account::Reason::kExecutionConflict));
}

#ifdef ACCOUNT_TESTING_WITH_AUTH
at::TokenStoreHandles memory_token_store() {
  auto store = std::make_shared<account::auth::MemoryTokenStore>();
  return at::TokenStoreHandles{store, store};
}

ACCOUNT_TOKEN_STORE_CONFORMANCE_TESTS(MemoryTokenStoreConforms, memory_token_store);

TEST(TokenStoreConformance, MemoryTokenStoreInsideOneTest) {
  at::gtest::expect_token_store_conformance(memory_token_store);
}
#endif

}  // namespace
