// Uses the installed account::testing component as a consumer's test does, through its
// GoogleTest adapter: the Store conformance suite against MemoryStore (one test per case), the
// fault-injecting store and the builders through an AccountService, and, when the package has
// sign-in, the TokenStore suite against MemoryTokenStore. Links account::testing (and
// account::auth for the latter) and GoogleTest; no Catch2.
#include <gtest/gtest.h>

#include <memory>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/testing/counterparties.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/gtest.h"
#include "account/testing/recording_notification_sink.h"

#ifdef ACCOUNT_CONSUMER_WITH_AUTH
#include "account/auth/memory_token_store.h"
#include "account/testing/auth/gtest.h"
#endif

namespace {

namespace at = account::testing;

ACCOUNT_STORE_CONFORMANCE_TESTS(MemoryStoreConforms,
                                [] { return std::make_shared<account::MemoryStore>(); });

TEST(TestingConsumer, AQueuedFillAppliesOnceTheStoreIsBack) {
  auto store = std::make_shared<at::FaultInjectingStore>(std::make_shared<account::MemoryStore>());
  auto sink = std::make_shared<at::RecordingNotificationSink>();
  auto ledger = account::AccountService::open({.store = store, .sink = sink}).value();
  at::Counterparties pair = at::Counterparties::open(*ledger).value();
  const account::Fill fill = pair.fill();
  store->go_down();
  EXPECT_EQ(ledger->settle(fill).value().outcome, account::SettlementOutcome::kQueued);
  store->come_back();
  ASSERT_TRUE(sink->wait_for_queued_fills_done(1, absl::Seconds(10)));
  EXPECT_TRUE(sink->queued_fills_done()[0].result.ok());
  EXPECT_TRUE(at::gtest::denied_with(ledger->settle(fill), account::Reason::kDuplicateExecution));
  EXPECT_EQ(store->counts().fills_written, 1);
}

#ifdef ACCOUNT_CONSUMER_WITH_AUTH
ACCOUNT_TOKEN_STORE_CONFORMANCE_TESTS(MemoryTokenStoreConforms, [] {
  auto store = std::make_shared<account::auth::MemoryTokenStore>();
  return at::TokenStoreHandles{store, store};
});
#endif

}  // namespace
