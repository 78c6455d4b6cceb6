// ExecutionManager's unit test, written as a consumer of the account package writes one: the
// ledger runs on a MemoryStore wrapped by account::testing's FaultInjectingStore, so the test
// can take the store down, lose a commit's answer or hold a commit; Counterparties makes the
// fills; RecordingNotificationSink and RecordingLogSink hear what the ledger said. GoogleTest,
// through account::testing's adapter (account/testing/gtest.h).
#include "execution_manager.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/testing/counterparties.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/gtest.h"
#include "account/testing/recording_log_sink.h"
#include "account/testing/recording_notification_sink.h"

namespace {

namespace at = account::testing;
using account::Reason;
using example::ExecutionManager;
using State = ExecutionManager::State;

const absl::Time kStart = absl::FromUnixSeconds(1'790'000'000);
constexpr absl::Duration kWait = absl::Seconds(10);

// The store this test's ledger runs on conforms to the Store contract when no fault is
// injected: FaultInjectingStoreConforms.<case>, one test per case of the suite.
ACCOUNT_STORE_CONFORMANCE_TESTS(FaultInjectingStoreConforms, [] {
  return std::make_shared<at::FaultInjectingStore>(std::make_shared<account::MemoryStore>());
});

class ExecutionManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  // Opens a ledger on the store (again, after a restart) and attaches the manager to it.
  void open(size_t queued_fills_max = 1'000) {
    ledger.reset();
    ledger = account::AccountService::open(
                 {.store = store,
                  .clock = clock,
                  .sink = manager,
                  .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                                       .backoff_max = absl::Milliseconds(10),
                                       .queued_fills_max = queued_fills_max},
                  .log = log})
                 .value();
    manager->attach(ledger.get());
    // Stamped with the test's clock, so that the pair outlives a restart of the ledger.
    if (!pair) pair = at::Counterparties::open(*ledger, {.clock = clock}).value();
  }

  account::Qty bought() { return ledger->position(pair->buyer(), at::kTestSymbol).value()->qty; }

  std::shared_ptr<account::ManualClock> clock = std::make_shared<account::ManualClock>(kStart);
  std::shared_ptr<at::FaultInjectingStore> store =
      std::make_shared<at::FaultInjectingStore>(std::make_shared<account::MemoryStore>());
  std::shared_ptr<at::RecordingNotificationSink> gateway =
      std::make_shared<at::RecordingNotificationSink>();
  std::shared_ptr<at::RecordingLogSink> log = std::make_shared<at::RecordingLogSink>();
  std::shared_ptr<ExecutionManager> manager = std::make_shared<ExecutionManager>(gateway);
  std::unique_ptr<account::AccountService> ledger;
  std::optional<at::Counterparties> pair;
};

TEST_F(ExecutionManagerTest, AcknowledgesAnAppliedFill) {
  const account::Fill fill = pair->fill();
  EXPECT_EQ(manager->on_fill(fill), State::kAcknowledged);
  EXPECT_EQ(manager->unacknowledged(), 0u);
  EXPECT_EQ(bought(), account::Qty{100});
  EXPECT_EQ(store->counts().fills_written, 1);
}

TEST_F(ExecutionManagerTest, KeepsFillsThroughAStoreOutageUntilTheLedgerAppliesThem) {
  store->go_down();
  const account::Fill first = pair->fill();
  const account::Fill second = pair->fill();
  EXPECT_EQ(manager->on_fill(first), State::kQueued);
  EXPECT_EQ(manager->on_fill(second), State::kQueued);
  EXPECT_EQ(manager->unacknowledged(), 2u);
  EXPECT_EQ(log->count("fills_queued"), 2u);

  store->come_back();
  ASSERT_TRUE(gateway->wait_for_queued_fills_done(2, kWait));
  EXPECT_EQ(manager->state(first.execution), State::kAcknowledged);
  EXPECT_EQ(manager->state(second.execution), State::kAcknowledged);
  EXPECT_EQ(manager->unacknowledged(), 0u);
  const auto done = gateway->queued_fills_done();  // Forwarded, in the order handed in.
  EXPECT_EQ(done[0].fill, first);
  EXPECT_EQ(done[1].fill, second);
  EXPECT_EQ(bought(), account::Qty{200});
}

TEST_F(ExecutionManagerTest, AnAmbiguousCommitIsAppliedOnceAndAcknowledged) {
  // The store commits the fill, then the answer is lost: the ledger queues it, and its retry
  // finds it applied already.
  store->fail_next_commits(1, at::CommitFault::kAmbiguous);
  const account::Fill fill = pair->fill();
  // Queued; or acknowledged already, when the retry thread reported it before settle() returned.
  const State handed = manager->on_fill(fill);
  EXPECT_TRUE(handed == State::kQueued || handed == State::kAcknowledged);
  ASSERT_TRUE(gateway->wait_for_queued_fills_done(1, kWait));
  EXPECT_TRUE(
      at::gtest::denied_with(gateway->queued_fills_done()[0].result, Reason::kDuplicateExecution));
  EXPECT_EQ(manager->state(fill.execution), State::kAcknowledged);
  EXPECT_EQ(store->counts().fills_written, 1);  // Written once, by the lost commit.
  EXPECT_EQ(bought(), account::Qty{100});
}

TEST_F(ExecutionManagerTest, ARedeliveredDuplicateChangesNothing) {
  const account::Fill fill = pair->fill();
  ASSERT_EQ(manager->on_fill(fill), State::kAcknowledged);
  const account::LedgerSnapshot before = ledger->snapshot();

  // The engine restarts and sends it again: acknowledged, nothing applied twice.
  EXPECT_EQ(manager->on_fill(fill), State::kAcknowledged);
  EXPECT_EQ(ledger->snapshot(), before);

  // Sent again with other fields: refused as a conflict, the first one stays acknowledged.
  account::Fill changed = fill;
  changed.price = account::Price{99'00};
  EXPECT_EQ(manager->on_fill(changed), State::kRefused);
  ASSERT_EQ(manager->refused().size(), 1u);
  EXPECT_TRUE(at::gtest::denied_with(manager->refused()[0].second, Reason::kExecutionConflict));
  EXPECT_EQ(manager->state(fill.execution), State::kAcknowledged);
  EXPECT_EQ(ledger->snapshot(), before);
  EXPECT_EQ(log->count("execution_conflict"), 1u);
}

TEST_F(ExecutionManagerTest, RedeliversWhatTheLedgerCouldNotQueue) {
  open(/*queued_fills_max=*/1);
  store->go_down();
  const account::Fill queued = pair->fill();
  const account::Fill refused = pair->fill();
  EXPECT_EQ(manager->on_fill(queued), State::kQueued);
  EXPECT_EQ(manager->on_fill(refused), State::kPending);  // The ledger's queue is full.
  EXPECT_EQ(manager->unacknowledged(), 2u);

  store->come_back();
  ASSERT_TRUE(gateway->wait_for_queued_fills_done(1, kWait));
  EXPECT_EQ(manager->redeliver(), 1u);
  EXPECT_EQ(manager->state(refused.execution), State::kAcknowledged);
  EXPECT_EQ(manager->unacknowledged(), 0u);
  EXPECT_EQ(bought(), account::Qty{200});
}

TEST_F(ExecutionManagerTest, RedeliversWhatALedgerShutDownWithToTheNextOne) {
  store->go_down();
  const account::Fill fill = pair->fill();
  EXPECT_EQ(manager->on_fill(fill), State::kQueued);
  ledger.reset();  // Reports the queued fill as not applied.
  EXPECT_EQ(manager->state(fill.execution), State::kPending);

  store->come_back();
  open();
  EXPECT_EQ(manager->redeliver(), 1u);
  EXPECT_EQ(manager->state(fill.execution), State::kAcknowledged);
  EXPECT_EQ(bought(), account::Qty{100});
}

TEST_F(ExecutionManagerTest, AFillIsUnacknowledgedWhileItsCommitIsHeld) {
  // A slow store: the commit waits until released, as a test of a timeout would hold it.
  store->hold_commits();
  const account::Fill fill = pair->fill();
  std::thread engine([&] { EXPECT_EQ(manager->on_fill(fill), State::kAcknowledged); });
  ASSERT_TRUE(store->await_held_commits(1, kWait));
  EXPECT_EQ(manager->state(fill.execution), State::kInFlight);
  EXPECT_EQ(manager->unacknowledged(), 1u);
  store->release_commits();
  engine.join();
  EXPECT_EQ(manager->unacknowledged(), 0u);
}

}  // namespace
