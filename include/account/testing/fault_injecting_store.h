// File: testing/fault_injecting_store.h
//
// FaultInjectingStore: a Store that wraps another (a MemoryStore, usually) and fails on
// command, so that a test can put the ledger, and the code that calls it, through a store
// outage without a database: leveldb's fault-injecting Env, for the Store interface.
//
//   auto store = std::make_shared<account::testing::FaultInjectingStore>(
//       std::make_shared<account::MemoryStore>());
//   auto service = account::AccountService::open({.store = store}).value();
//   store->fail_next_commits(1, CommitFault::kAmbiguous);   // written, then reported lost
//   service->settle(fill);       // kQueued: the retry thread finds it applied (Duplicate)
//   store->go_down();            // every call refused, as a server that is gone
//   store->come_back();
//   CHECK(store->counts().fills_written == 1);
//
// The faults:
// - fail_next_commits(n, kind): the next n commits fail one way each, then commits pass again.
//   kUnavailable: not written, Unavailable ("connection refused"), as a connection that broke
//   before the commit was sent. kAmbiguous: written to the inner store, then answered
//   Unavailable ("connection lost while committing"), as a connection lost while the server
//   committed: the caller cannot tell it from kUnavailable. kRefused: not written, a
//   non-transient error (PermissionDenied by default), as a permission taken away or a full
//   disk. Several calls queue their faults in order.
// - go_down(error): every call (commit, load, find_execution, trades, journal, the history
//   pages, ping) answers `error` (Unavailable by default) until come_back().
// - refuse_commits(error): every commit answers `error`, and reads pass, until come_back().
// - fail_fill_commits(error): every commit that holds a fill answers `error` and others pass,
//   until come_back(): fills queue while other commands go on.
// - hold_commits(): commits wait inside commit(), before anything is written, until
//   release_commits(); await_held_commits() lets a test wait until they have arrived. For
//   timeouts, and for what callers do while a commit is slow.
// come_back() ends the persistent modes and drops the queued faults; held commits stay held.
// Order within one commit: held first; then down, refusing, a queued fault (consumed only by
// a commit that gets that far), failing fills; else the inner store answers.
//
// Counts (counts()): every call, and per commit whether it was answered OK, failed, or was
// written to the inner store, with the rows and fills written. A row is one element of a
// ChangeSet's vectors (change_set_rows()).
//
// What it does not model: partial writes (the inner store is all or nothing), latency (hold
// instead), a failure of load() alone, or a store that answers OK and loses the commit; the
// inner store's own errors pass through unchanged.
//
// Thread-safety: every member may be called from any thread while commits are in flight. The
// wrapper's lock is never held while the inner store runs or a commit is held, so queries
// reach the inner store beside a held commit.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/change_set.h"
#include "account/ids.h"
#include "account/ledger_snapshot.h"
#include "account/store.h"
#include "account/trade.h"

namespace account::testing {

// How one injected commit failure behaves.
enum class CommitFault : uint8_t {
  kUnavailable = 1,  // Not written; Unavailable.
  kAmbiguous = 2,    // Written to the inner store; then Unavailable.
  kRefused = 3,      // Not written; a non-transient error (PermissionDenied by default).
};

// Rows in `changes`: the elements of all its vectors.
size_t change_set_rows(const ChangeSet& changes);

class FaultInjectingStore final : public Store {
 public:
  // What the wrapper has seen. Every member counts from construction.
  struct Counts {
    int64_t calls = 0;            // Every call: commit, load, find_execution, trades, ping...
    int64_t commits = 0;          // commit() calls, whatever they answered.
    int64_t commits_ok = 0;       // Answered OK.
    int64_t commits_failed = 0;   // Answered an error: injected, or the inner store's.
    int64_t commits_written = 0;  // Written to the inner store (answered OK or kAmbiguous).
    int64_t rows_written = 0;     // change_set_rows() of the commits written.
    int64_t fills_written = 0;    // Executions in the commits written.
    int64_t loads = 0;            // load() calls.
  };

  explicit FaultInjectingStore(std::shared_ptr<Store> inner);
  ~FaultInjectingStore() override;
  FaultInjectingStore(const FaultInjectingStore&) = delete;
  FaultInjectingStore& operator=(const FaultInjectingStore&) = delete;

  // --- Faults.

  // The next `count` commits that reach the fault check fail as `fault`, after any queued
  // before. `error` replaces the answer (kAmbiguous: the answer after the write); it must not
  // be OK.
  void fail_next_commits(int count, CommitFault fault);
  void fail_next_commits(int count, CommitFault fault, absl::Status error);
  // Every call fails with `error` until come_back().
  void go_down(absl::Status error = absl::UnavailableError("connection refused"));
  // Every commit fails with `error` (not written) until come_back(); reads pass.
  void refuse_commits(absl::Status error);
  // Every commit that holds a fill fails with `error` (not written) until come_back().
  void fail_fill_commits(absl::Status error = absl::UnavailableError("connection refused"));
  // Ends go_down(), refuse_commits() and fail_fill_commits(), and drops queued faults.
  void come_back();
  // Faults queued by fail_next_commits() and not yet consumed.
  int commit_faults_queued() const;
  // The next prune_journal() fails as `fault` (kAmbiguous: pruned, then Unavailable).
  void fail_next_prune(CommitFault fault);

  // --- Holding commits.

  // From now on commits wait, before anything is written, until release_commits().
  void hold_commits();
  // Lets the held commits go on, and stops holding new ones.
  void release_commits();
  // Commits waiting now.
  int commits_held() const;
  // Waits until at least `count` commits are held, or `timeout` (real time) passes; returns
  // whether they were.
  bool await_held_commits(int count, absl::Duration timeout) const;

  // --- Counts.

  Counts counts() const;

  // --- Store.

  absl::Status commit(const ChangeSet& changes) override;
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override;
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override;
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override;
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override;
  absl::StatusOr<std::optional<uint64_t>> journal_cursor(std::string_view name) override;
  absl::Status set_journal_cursor(std::string_view name, uint64_t seq) override;
  absl::StatusOr<JournalPruneResult> prune_journal(const JournalPrune& prune) override;
  absl::StatusOr<std::optional<JournalCheckpoint>> journal_checkpoint() override;
  absl::StatusOr<TradePage> trade_page(const TradeQuery& query) override;
  absl::StatusOr<EntryPage> entry_page(const EntryQuery& query) override;
  absl::StatusOr<ReservationPage> reservation_page(const ReservationQuery& query) override;
  absl::Status ping() override;

 private:
  class State;
  std::shared_ptr<Store> inner_;
  std::unique_ptr<State> state_;
  std::atomic<uint8_t> prune_fault_{0};  // A CommitFault for the next prune; 0: none.
};

}  // namespace account::testing
