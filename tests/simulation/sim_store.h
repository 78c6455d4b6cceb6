// The simulator's Store wrapper: it injects exactly the faults the simulator
// decides on, and no others, so that a seed decides every outcome; and it
// watches who calls the store while the service says the store is down.
//
//   SimStore store(inner);
//   store.arm(SimStore::Fault::kAfterDurable, /*then_down=*/false);
//   service->credit(...);   // commits, then reports Unavailable (ambiguous)
//   store.disarm();         // a command that committed nothing leaves it armed
//   store.set_refusal(absl::UnauthenticatedError("..."));  // every call fails so
//   store.set_refusal(absl::OkStatus());                    // until cleared
//
// A one-shot fault applies to the next commit only (for kAfterDurable, the
// next that the inner store takes). With `then_down` the store goes down (an
// outage) in the same step, under one lock, so that the service's settlement
// retry thread cannot commit anything between the fault and the crash the
// simulator is about to stage.
//
// While a refusal is set, commit(), load(), find_execution(), trades() and
// ping() all fail with it: an outage (Unavailable), or a refusal that
// retrying does not fix by itself (a password or a permission refused,
// another process holding the writer lock, a full disk).
//
// Calls while the service reports the store down (watch()): the service then
// refuses every command without the store, and only its retry thread probes
// it, one load() per attempt. So such a call is recorded as a violation if it
// is a commit() or find_execution(), or a second load() before the retry
// thread has finished its attempt (it logs store_retry_failed, which the
// simulator's LogSink passes on to retry_attempt_ended()). trades() is a
// query, checked by the service just before, and may race with the store
// being marked down; it is not held to this. Group commit may run the probe
// on the thread of whichever caller leads the group it joined; such loads are
// counted apart, as they are the probe's and not the caller's.
//
// Thread-safety: every method is thread-safe (the retry thread commits too).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "base/mutex.h"
#include "account/log_sink.h"
#include "account/store.h"

namespace account::simulation {

class SimStore final : public Store {
 public:
  enum class Fault { kBeforeDurable, kAfterDurable };

  // Counts of calls made while the service reported the store down.
  struct DownCalls {
    uint64_t loads = 0;                 // Probes' loads, on any thread.
    uint64_t loads_off_retry_thread = 0;  // Of those, run by another caller leading a group.
    uint64_t queries = 0;               // trades(), let through (see above).
  };

  explicit SimStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  void arm(Fault fault, bool then_down) {
    internal::MutexLock lock(&mu_);
    armed_ = fault;
    then_down_ = then_down;
  }
  void disarm() {
    internal::MutexLock lock(&mu_);
    armed_.reset();
    then_down_ = false;
  }
  // Every call fails with `refusal` from now on; OK ends it.
  void set_refusal(absl::Status refusal) {
    internal::MutexLock lock(&mu_);
    refusal_ = std::move(refusal);
  }
  void set_down(bool down) { set_refusal(down ? outage() : absl::OkStatus()); }
  bool down() const {
    internal::MutexLock lock(&mu_);
    return !refusal_.ok();
  }
  // One-shot faults that fired so far.
  uint64_t faults_fired() const {
    internal::MutexLock lock(&mu_);
    return fired_;
  }
  // Loads that returned a snapshot: each is a reload of the service's
  // memory (the simulator runs no audit while it counts on this); in all,
  // and when the last one-shot fault fired.
  uint64_t loads_ok() const {
    internal::MutexLock lock(&mu_);
    return loads_ok_;
  }
  uint64_t loads_ok_at_last_fault() const {
    internal::MutexLock lock(&mu_);
    return loads_ok_at_fault_;
  }

  // `service_down` answers whether the service now reports the store down;
  // null while no service is open. Called under this store's lock.
  void watch(std::function<bool()> service_down) {
    internal::MutexLock lock(&mu_);
    service_down_ = std::move(service_down);
    loads_since_attempt_ = 0;
  }
  // The retry thread finished one attempt on the store; called on it.
  void retry_attempt_ended() {
    internal::MutexLock lock(&mu_);
    loads_since_attempt_ = 0;
    retry_thread_ = std::this_thread::get_id();
    ++retry_attempts_failed_;
  }
  // Attempts of the retry thread that failed so far.
  uint64_t retry_attempts_failed() const {
    internal::MutexLock lock(&mu_);
    return retry_attempts_failed_;
  }
  DownCalls down_calls() const {
    internal::MutexLock lock(&mu_);
    return down_calls_;
  }
  std::vector<std::string> take_violations() {
    internal::MutexLock lock(&mu_);
    return std::exchange(violations_, {});
  }

  absl::Status commit(const ChangeSet& changes) override {
    std::optional<Fault> fault;
    {
      internal::MutexLock lock(&mu_);
      note_call(Call::kCommit);
      if (!refusal_.ok()) return refusal_;
      fault = armed_;
      if (fault) {
        // The inner commit runs under the lock so that nothing commits
        // between it and going down. One the inner store refuses (a unique
        // key it knows, which makes the service stage the batch again)
        // leaves the fault armed for the commit that follows.
        if (*fault == Fault::kAfterDurable) {
          absl::Status committed = inner_->commit(changes);
          if (!committed.ok()) return committed;
        }
        ++fired_;
        loads_ok_at_fault_ = loads_ok_;
        armed_.reset();
        if (then_down_) refusal_ = outage();
        then_down_ = false;
        return absl::UnavailableError(*fault == Fault::kAfterDurable
                                          ? "simulated: connection lost after commit"
                                          : "simulated: connection lost before commit");
      }
    }
    return inner_->commit(changes);
  }
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override {
    if (absl::Status refused = call(Call::kLoad); !refused.ok()) return refused;
    absl::StatusOr<LedgerSnapshot> loaded = inner_->load(request);
    if (loaded.ok()) {
      internal::MutexLock lock(&mu_);
      ++loads_ok_;
    }
    return loaded;
  }
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override {
    if (absl::Status refused = call(Call::kFindExecution); !refused.ok()) return refused;
    return inner_->find_execution(execution);
  }
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override {
    if (absl::Status refused = call(Call::kTrades); !refused.ok()) return refused;
    return inner_->trades(account, limit);
  }
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override {
    if (absl::Status refused = call(Call::kJournal); !refused.ok()) return refused;
    return inner_->journal(after_seq, limit);
  }
  absl::StatusOr<std::optional<uint64_t>> journal_cursor(std::string_view name) override {
    if (absl::Status refused = call(Call::kJournal); !refused.ok()) return refused;
    return inner_->journal_cursor(name);
  }
  absl::Status set_journal_cursor(std::string_view name, uint64_t seq) override {
    if (absl::Status refused = call(Call::kJournal); !refused.ok()) return refused;
    return inner_->set_journal_cursor(name, seq);
  }
  absl::StatusOr<JournalPruneResult> prune_journal(const JournalPrune& prune) override {
    if (absl::Status refused = call(Call::kJournal); !refused.ok()) return refused;
    return inner_->prune_journal(prune);
  }
  absl::StatusOr<std::optional<JournalCheckpoint>> journal_checkpoint() override {
    if (absl::Status refused = call(Call::kJournal); !refused.ok()) return refused;
    return inner_->journal_checkpoint();
  }
  // History pages are queries, as trades() is.
  absl::StatusOr<TradePage> trade_page(const TradeQuery& query) override {
    if (absl::Status refused = call(Call::kTrades); !refused.ok()) return refused;
    return inner_->trade_page(query);
  }
  absl::StatusOr<EntryPage> entry_page(const EntryQuery& query) override {
    if (absl::Status refused = call(Call::kTrades); !refused.ok()) return refused;
    return inner_->entry_page(query);
  }
  absl::StatusOr<ReservationPage> reservation_page(const ReservationQuery& query) override {
    if (absl::Status refused = call(Call::kTrades); !refused.ok()) return refused;
    return inner_->reservation_page(query);
  }
  absl::Status ping() override {
    internal::MutexLock lock(&mu_);
    return refusal_;
  }

 private:
  enum class Call { kCommit, kLoad, kFindExecution, kTrades, kJournal };

  static absl::Status outage() {
    return absl::UnavailableError("simulated outage: connection refused");
  }

  absl::Status call(Call kind) {
    internal::MutexLock lock(&mu_);
    note_call(kind);
    return refusal_;
  }

  void note_call(Call kind) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!service_down_ || !service_down_()) {
      // Each down period starts with a load while up (the reload that fails
      // and marks the store down), so the count starts afresh.
      loads_since_attempt_ = 0;
      return;
    }
    std::ostringstream thread;
    thread << std::this_thread::get_id();
    switch (kind) {
      case Call::kTrades:
      case Call::kJournal:
        ++down_calls_.queries;
        return;
      case Call::kCommit:
      case Call::kFindExecution:
        violations_.push_back(std::string(kind == Call::kCommit ? "commit()" : "find_execution()") +
                              " on thread " + thread.str() +
                              " while the service reports the store down");
        return;
      case Call::kLoad:
        ++down_calls_.loads;
        if (retry_thread_ != std::thread::id() && std::this_thread::get_id() != retry_thread_) {
          ++down_calls_.loads_off_retry_thread;
        }
        if (++loads_since_attempt_ > 1) {
          violations_.push_back("load() number " + std::to_string(loads_since_attempt_) +
                                " on thread " + thread.str() +
                                " within one attempt of the retry thread while the service "
                                "reports the store down: a refused command touched the store");
        }
        return;
    }
  }

  const std::shared_ptr<Store> inner_;
  mutable internal::Mutex mu_;
  std::optional<Fault> armed_ ABSL_GUARDED_BY(mu_);
  bool then_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status refusal_ ABSL_GUARDED_BY(mu_);
  uint64_t fired_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t loads_ok_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t loads_ok_at_fault_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<bool()> service_down_ ABSL_GUARDED_BY(mu_);
  uint64_t loads_since_attempt_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id retry_thread_ ABSL_GUARDED_BY(mu_);
  uint64_t retry_attempts_failed_ ABSL_GUARDED_BY(mu_) = 0;
  DownCalls down_calls_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> violations_ ABSL_GUARDED_BY(mu_);
};

// Passes the service's log events that matter to the simulator on to its
// store: the end of each attempt of the retry thread.
class SimLog final : public LogSink {
 public:
  explicit SimLog(std::shared_ptr<SimStore> store) : store_(std::move(store)) {}
  void write(const LogRecord& record) override {
    if (record.event == "store_retry_failed") store_->retry_attempt_ended();
  }

 private:
  const std::shared_ptr<SimStore> store_;
};

}  // namespace account::simulation
