// FaultInjectingStore (testing/fault_injecting_store.h): the faults, the hold and the counts
// live in State, under one lock that is never held while the inner store runs.
#include "account/testing/fault_injecting_store.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <utility>

#include "absl/time/clock.h"
#include "base/mutex.h"

namespace account::testing {
namespace {

// A fault queued by fail_next_commits().
struct QueuedFault {
  CommitFault fault;
  absl::Status error;
};

absl::Status default_error(CommitFault fault) {
  switch (fault) {
    case CommitFault::kUnavailable:
      return absl::UnavailableError("connection refused");
    case CommitFault::kAmbiguous:
      return absl::UnavailableError("connection lost while committing");
    case CommitFault::kRefused:
      return absl::PermissionDeniedError("permission denied for table executions");
  }
  return absl::InternalError("unknown CommitFault");
}

void require_error(const absl::Status& error, const char* what) {
  if (!error.ok()) return;
  std::fprintf(stderr, "FaultInjectingStore::%s: an injected error must not be OK\n", what);
  std::abort();
}

int64_t nanoseconds_until(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(deadline -
                                                              std::chrono::steady_clock::now())
      .count();
}

}  // namespace

size_t change_set_rows(const ChangeSet& c) {
  return c.new_accounts.size() + c.balances.size() + c.positions.size() + c.reservations.size() +
         c.executions.size() + c.trades.size() + c.entries.size() + c.links.size();
}

class FaultInjectingStore::State {
 public:
  // What commit() is to do, decided under the lock once the commit is no longer held.
  struct Decision {
    bool write = true;    // Pass the commit to the inner store.
    absl::Status answer;  // Not OK: answered instead of (or, with write, after) the write.
  };

  void queue(int count, CommitFault fault, absl::Status error) {
    internal::MutexLock lock(&mu_);
    for (int i = 0; i < count; ++i) faults_.push_back(QueuedFault{fault, error});
  }
  void set_down(absl::Status error) {
    internal::MutexLock lock(&mu_);
    down_ = std::move(error);
  }
  void set_refusing(absl::Status error) {
    internal::MutexLock lock(&mu_);
    refusing_ = std::move(error);
  }
  void set_failing_fills(absl::Status error) {
    internal::MutexLock lock(&mu_);
    failing_fills_ = std::move(error);
  }
  void come_back() {
    internal::MutexLock lock(&mu_);
    down_.reset();
    refusing_.reset();
    failing_fills_.reset();
    faults_.clear();
  }
  int queued() const {
    internal::MutexLock lock(&mu_);
    return static_cast<int>(faults_.size());
  }

  void hold() {
    internal::MutexLock lock(&mu_);
    holding_ = true;
  }
  void release() {
    internal::MutexLock lock(&mu_);
    holding_ = false;
    ++release_generation_;
    released_.signal_all();
  }
  int held() const {
    internal::MutexLock lock(&mu_);
    return held_;
  }
  bool await_held(int count, absl::Duration timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
    internal::MutexLock lock(&mu_);
    while (held_ < count) {
      const int64_t left_ns = nanoseconds_until(deadline);
      if (left_ns <= 0) return false;
      arrived_.wait_for(&mu_, left_ns);
    }
    return true;
  }

  // Counts the call; answers the down error while the store is down.
  std::optional<absl::Status> enter_call(bool is_load) {
    internal::MutexLock lock(&mu_);
    ++counts_.calls;
    if (is_load) ++counts_.loads;
    return down_;
  }

  // Counts the commit, waits while commits are held, and decides what it does.
  Decision enter_commit(const ChangeSet& changes) {
    internal::MutexLock lock(&mu_);
    ++counts_.calls;
    ++counts_.commits;
    if (holding_) {
      ++held_;
      arrived_.signal_all();
      const uint64_t generation = release_generation_;
      while (release_generation_ == generation) released_.wait(&mu_);
      --held_;
    }
    return decide(changes);
  }

  void finish_commit(const ChangeSet& changes, bool written, const absl::Status& answer) {
    internal::MutexLock lock(&mu_);
    if (answer.ok()) {
      ++counts_.commits_ok;
    } else {
      ++counts_.commits_failed;
    }
    if (written) {
      ++counts_.commits_written;
      counts_.rows_written += static_cast<int64_t>(change_set_rows(changes));
      counts_.fills_written += static_cast<int64_t>(changes.executions.size());
    }
  }

  Counts counts() const {
    internal::MutexLock lock(&mu_);
    return counts_;
  }

 private:
  Decision decide(const ChangeSet& changes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (down_) return Decision{.write = false, .answer = *down_};
    if (refusing_) return Decision{.write = false, .answer = *refusing_};
    if (!faults_.empty()) {
      QueuedFault fault = std::move(faults_.front());
      faults_.pop_front();
      return Decision{.write = fault.fault == CommitFault::kAmbiguous,
                      .answer = std::move(fault.error)};
    }
    if (failing_fills_ && !changes.executions.empty()) {
      return Decision{.write = false, .answer = *failing_fills_};
    }
    return Decision{};
  }

  mutable internal::Mutex mu_;
  mutable internal::CondVar arrived_;  // A commit began to wait.
  internal::CondVar released_;         // release_commits() ran.
  std::deque<QueuedFault> faults_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> down_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> refusing_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> failing_fills_ ABSL_GUARDED_BY(mu_);
  bool holding_ ABSL_GUARDED_BY(mu_) = false;
  // Bumped by each release, so that a commit held before it goes on even when hold_commits()
  // runs again before the commit wakes.
  uint64_t release_generation_ ABSL_GUARDED_BY(mu_) = 0;
  int held_ ABSL_GUARDED_BY(mu_) = 0;
  Counts counts_ ABSL_GUARDED_BY(mu_);
};

FaultInjectingStore::FaultInjectingStore(std::shared_ptr<Store> inner)
    : inner_(std::move(inner)), state_(std::make_unique<State>()) {}

FaultInjectingStore::~FaultInjectingStore() = default;

void FaultInjectingStore::fail_next_commits(int count, CommitFault fault) {
  state_->queue(count, fault, default_error(fault));
}

void FaultInjectingStore::fail_next_commits(int count, CommitFault fault, absl::Status error) {
  require_error(error, "fail_next_commits");
  state_->queue(count, fault, std::move(error));
}

void FaultInjectingStore::go_down(absl::Status error) {
  require_error(error, "go_down");
  state_->set_down(std::move(error));
}

void FaultInjectingStore::refuse_commits(absl::Status error) {
  require_error(error, "refuse_commits");
  state_->set_refusing(std::move(error));
}

void FaultInjectingStore::fail_fill_commits(absl::Status error) {
  require_error(error, "fail_fill_commits");
  state_->set_failing_fills(std::move(error));
}

void FaultInjectingStore::come_back() { state_->come_back(); }

int FaultInjectingStore::commit_faults_queued() const { return state_->queued(); }

void FaultInjectingStore::hold_commits() { state_->hold(); }

void FaultInjectingStore::release_commits() { state_->release(); }

int FaultInjectingStore::commits_held() const { return state_->held(); }

bool FaultInjectingStore::await_held_commits(int count, absl::Duration timeout) const {
  return state_->await_held(count, timeout);
}

FaultInjectingStore::Counts FaultInjectingStore::counts() const { return state_->counts(); }

absl::Status FaultInjectingStore::commit(const ChangeSet& changes) {
  const State::Decision decision = state_->enter_commit(changes);
  absl::Status answer = decision.answer;
  bool written = false;
  if (decision.write) {
    const absl::Status committed = inner_->commit(changes);
    written = committed.ok();
    // An ambiguous fault answers its error only when the write landed; the inner store's own
    // refusal is the truth otherwise.
    if (!committed.ok() || answer.ok()) answer = committed;
  }
  state_->finish_commit(changes, written, answer);
  return answer;
}

absl::StatusOr<LedgerSnapshot> FaultInjectingStore::load(const SnapshotRequest& request) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/true)) return *down;
  return inner_->load(request);
}

absl::StatusOr<std::optional<Fill>> FaultInjectingStore::find_execution(ExecutionId execution) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->find_execution(execution);
}

absl::StatusOr<std::vector<Trade>> FaultInjectingStore::trades(AccountId account, size_t limit) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->trades(account, limit);
}

absl::StatusOr<std::vector<JournalRecord>> FaultInjectingStore::journal(uint64_t after_seq,
                                                                        size_t limit) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->journal(after_seq, limit);
}

absl::StatusOr<std::optional<uint64_t>> FaultInjectingStore::journal_cursor(
    std::string_view name) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->journal_cursor(name);
}

absl::Status FaultInjectingStore::set_journal_cursor(std::string_view name, uint64_t seq) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->set_journal_cursor(name, seq);
}

void FaultInjectingStore::fail_next_prune(CommitFault fault) {
  prune_fault_.store(static_cast<uint8_t>(fault));
}

absl::StatusOr<JournalPruneResult> FaultInjectingStore::prune_journal(const JournalPrune& prune) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  switch (static_cast<CommitFault>(prune_fault_.exchange(0))) {
    case CommitFault::kUnavailable:
      return absl::UnavailableError("injected: the prune was not written");
    case CommitFault::kRefused:
      return absl::PermissionDeniedError("injected: the prune was refused");
    case CommitFault::kAmbiguous: {
      absl::StatusOr<JournalPruneResult> written = inner_->prune_journal(prune);
      if (!written.ok()) return written;
      return absl::UnavailableError("injected: the prune was written, the answer lost");
    }
  }
  return inner_->prune_journal(prune);
}

absl::StatusOr<std::optional<JournalCheckpoint>> FaultInjectingStore::journal_checkpoint() {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->journal_checkpoint();
}

absl::StatusOr<TradePage> FaultInjectingStore::trade_page(const TradeQuery& query) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->trade_page(query);
}

absl::StatusOr<EntryPage> FaultInjectingStore::entry_page(const EntryQuery& query) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->entry_page(query);
}

absl::StatusOr<ReservationPage> FaultInjectingStore::reservation_page(
    const ReservationQuery& query) {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->reservation_page(query);
}

absl::Status FaultInjectingStore::ping() {
  if (std::optional<absl::Status> down = state_->enter_call(/*is_load=*/false)) return *down;
  return inner_->ping();
}

}  // namespace account::testing
