// FaultInjectingStore (account/testing/fault_injecting_store.h): every fault mode, what each
// writes and answers, the order of several, holding and releasing commits, and the counts.
#include "account/testing/fault_injecting_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "account/memory_store.h"
#include "account/testing/store_conformance.h"

namespace account {
namespace {

using testing::CommitFault;
using testing::FaultInjectingStore;

const absl::Time kT = absl::FromUnixSeconds(1'789'000'000);

// A commit of one new account, `id`, with `cash` cents.
ChangeSet new_account(uint64_t id, int64_t cash = 0) {
  ChangeSet c;
  c.new_accounts.push_back(Account{.id = AccountId{id},
                                   .google_id = "sub-" + std::to_string(id),
                                   .display_name = "A",
                                   .created_at = kT});
  if (cash != 0) c.balances.push_back(CashBalance{AccountId{id}, Cents{cash}});
  return c;
}

struct Wrapped {
  std::shared_ptr<MemoryStore> inner = std::make_shared<MemoryStore>();
  FaultInjectingStore store{inner};

  size_t accounts() { return inner->load({}).value().accounts.size(); }
};

TEST_CASE("fault-injecting store: with no fault it is the inner store, counted",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  const ChangeSet sample = testing::sample_changes(kT);
  REQUIRE(w.store.commit(sample).ok());
  CHECK(w.store.load({}).value().accounts.size() == 2);
  CHECK(w.store.find_execution(sample.executions[0].execution).value() == sample.executions[0]);
  CHECK(w.store.trades(AccountId{1}, 10).value().size() == 1);
  CHECK(w.store.ping().ok());
  const FaultInjectingStore::Counts n = w.store.counts();
  CHECK(n.calls == 5);
  CHECK(n.commits == 1);
  CHECK(n.commits_ok == 1);
  CHECK(n.commits_failed == 0);
  CHECK(n.commits_written == 1);
  CHECK(n.rows_written == 14);  // 2 accounts, 2 balances, 2 positions, 2 reservations,
                                // 1 execution, 2 trades, 3 entries.
  CHECK(n.fills_written == 1);
  CHECK(n.loads == 1);
  CHECK(testing::change_set_rows(sample) == 14);
  CHECK(testing::change_set_rows(ChangeSet{}) == 0);
}

TEST_CASE("fault-injecting store: kUnavailable fails the next commits before they are written",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  w.store.fail_next_commits(2, CommitFault::kUnavailable);
  CHECK(w.store.commit_faults_queued() == 2);
  const absl::Status first = w.store.commit(new_account(1));
  CHECK(first.code() == absl::StatusCode::kUnavailable);
  CHECK(first.message() == "connection refused");
  CHECK(w.store.commit(new_account(1)).code() == absl::StatusCode::kUnavailable);
  CHECK(w.accounts() == 0);
  REQUIRE(w.store.commit(new_account(1)).ok());  // The faults are spent.
  CHECK(w.accounts() == 1);
  CHECK(w.store.commit_faults_queued() == 0);
  const FaultInjectingStore::Counts n = w.store.counts();
  CHECK(n.commits == 3);
  CHECK(n.commits_failed == 2);
  CHECK(n.commits_ok == 1);
  CHECK(n.commits_written == 1);
  CHECK(n.rows_written == 1);
}

TEST_CASE("fault-injecting store: kAmbiguous writes the commit, then reports it lost",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  w.store.fail_next_commits(1, CommitFault::kAmbiguous);
  const absl::Status lost = w.store.commit(new_account(1, 500));
  CHECK(lost.code() == absl::StatusCode::kUnavailable);
  CHECK(lost.message() == "connection lost while committing");
  CHECK(w.accounts() == 1);  // Durable all the same.
  const FaultInjectingStore::Counts n = w.store.counts();
  CHECK(n.commits_failed == 1);
  CHECK(n.commits_written == 1);
  CHECK(n.rows_written == 2);

  SECTION("the inner store's own refusal wins over the fault: nothing was written") {
    w.store.fail_next_commits(1, CommitFault::kAmbiguous);
    CHECK(w.store.commit(new_account(1)).code() == absl::StatusCode::kAlreadyExists);
    CHECK(w.store.counts().commits_written == 1);
  }
}

TEST_CASE("fault-injecting store: kRefused is a non-transient refusal, nothing written",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  w.store.fail_next_commits(1, CommitFault::kRefused);
  CHECK(w.store.commit(new_account(1)).code() == absl::StatusCode::kPermissionDenied);
  w.store.fail_next_commits(1, CommitFault::kRefused,
                            absl::ResourceExhaustedError("No space left on device"));
  CHECK(w.store.commit(new_account(1)).code() == absl::StatusCode::kResourceExhausted);
  CHECK(w.accounts() == 0);
  CHECK(w.store.counts().commits_written == 0);
}

TEST_CASE("fault-injecting store: queued faults apply in order, one commit each",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  w.store.fail_next_commits(1, CommitFault::kRefused);
  w.store.fail_next_commits(1, CommitFault::kAmbiguous);
  w.store.fail_next_commits(1, CommitFault::kUnavailable, absl::DeadlineExceededError("timeout"));
  CHECK(w.store.commit(new_account(1)).code() == absl::StatusCode::kPermissionDenied);
  CHECK(w.store.commit(new_account(2)).code() == absl::StatusCode::kUnavailable);
  CHECK(w.store.commit(new_account(3)).code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(w.store.commit(new_account(4)).ok());
  const LedgerSnapshot s = w.inner->load({}).value();
  REQUIRE(s.accounts.size() == 2);
  CHECK(s.accounts[0].id == AccountId{2});  // The ambiguous one landed.
  CHECK(s.accounts[1].id == AccountId{4});
}

TEST_CASE("fault-injecting store: down refuses every call until it comes back",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  REQUIRE(w.store.commit(new_account(1)).ok());
  w.store.fail_next_commits(1, CommitFault::kRefused);
  w.store.go_down(absl::UnauthenticatedError("password authentication failed"));
  CHECK(w.store.commit(new_account(2)).code() == absl::StatusCode::kUnauthenticated);
  CHECK(w.store.load({}).status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(w.store.find_execution(ExecutionId{1}).status().code() ==
        absl::StatusCode::kUnauthenticated);
  CHECK(w.store.trades(AccountId{1}, 1).status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(w.store.ping().code() == absl::StatusCode::kUnauthenticated);
  // A commit the store was down for did not reach the queued fault.
  CHECK(w.store.commit_faults_queued() == 1);
  CHECK(w.store.counts().calls == 6);

  w.store.come_back();
  CHECK(w.store.commit_faults_queued() == 0);  // Coming back drops the queued faults.
  CHECK(w.store.commit(new_account(2)).ok());
  CHECK(w.store.load({}).value().accounts.size() == 2);

  w.store.go_down();  // The default: the server is gone.
  CHECK(w.store.ping().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("fault-injecting store: refusing commits lets reads through",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  REQUIRE(w.store.commit(new_account(1)).ok());
  w.store.refuse_commits(absl::ResourceExhaustedError("could not extend file"));
  CHECK(w.store.commit(new_account(2)).code() == absl::StatusCode::kResourceExhausted);
  CHECK(w.store.commit(new_account(3)).code() == absl::StatusCode::kResourceExhausted);
  CHECK(w.store.load({}).value().accounts.size() == 1);
  CHECK(w.store.ping().ok());
  w.store.come_back();
  CHECK(w.store.commit(new_account(2)).ok());
}

TEST_CASE("fault-injecting store: failing fill commits lets the others through",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  w.store.fail_fill_commits();
  CHECK(w.store.commit(testing::sample_changes(kT)).code() == absl::StatusCode::kUnavailable);
  CHECK(w.store.commit(new_account(1)).ok());
  CHECK(w.store.commit(new_account(2)).ok());
  CHECK(w.store.counts().fills_written == 0);
  w.store.come_back();
  ChangeSet fill = testing::sample_changes(kT);
  fill.new_accounts.clear();
  fill.balances.clear();
  fill.links.clear();
  fill.positions.clear();
  CHECK(w.store.commit(fill).ok());
  CHECK(w.store.counts().fills_written == 1);
}

TEST_CASE("fault-injecting store: held commits wait unwritten until released, reads go on",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  CHECK_FALSE(w.store.await_held_commits(1, absl::Milliseconds(20)));
  w.store.hold_commits();
  std::atomic<bool> done{false};
  absl::Status answer;
  std::thread writer([&] {
    answer = w.store.commit(new_account(1));
    done = true;
  });
  REQUIRE(w.store.await_held_commits(1, absl::Seconds(10)));
  CHECK(w.store.commits_held() == 1);
  CHECK_FALSE(done.load());
  CHECK(w.store.load({}).value().accounts.empty());  // Not written; reads are not held.
  // A fault injected while it waits still applies to it: the checks run once it is released.
  w.store.fail_next_commits(1, CommitFault::kAmbiguous);
  w.store.release_commits();
  writer.join();
  CHECK(answer.code() == absl::StatusCode::kUnavailable);
  CHECK(w.store.commits_held() == 0);
  CHECK(w.accounts() == 1);
  CHECK(w.store.commit(new_account(2)).ok());  // No longer holding.
}

TEST_CASE("fault-injecting store: several held commits all go on at one release",
          "[testing][fault-injecting-store]") {
  Wrapped w;
  w.store.hold_commits();
  absl::Status answer_a;
  absl::Status answer_b;  // Checked on this thread: Catch2's assertions are not thread-safe.
  std::thread a([&] { answer_a = w.store.commit(new_account(1)); });
  std::thread b([&] { answer_b = w.store.commit(new_account(2)); });
  REQUIRE(w.store.await_held_commits(2, absl::Seconds(10)));
  w.store.release_commits();
  a.join();
  b.join();
  CHECK(answer_a.ok());
  CHECK(answer_b.ok());
  CHECK(w.accounts() == 2);
  CHECK(w.store.counts().commits_ok == 2);
}

}  // namespace
}  // namespace account
