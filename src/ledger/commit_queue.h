// Private to the library: the ledger's group-commit queue, LevelDB's writer
// queue. Every command joins the queue; the caller whose command reaches the
// front becomes the leader and runs the group queued up to it (its own
// first) as one store transaction, then wakes the others with their results.
//
// Invariants:
//   - At most one leader at a time: the group stays at the front of the
//     queue while its leader runs it, so leadership passes only when the
//     group is done. Whatever the leader touches (the ledger's state, its
//     Txn) needs no lock against other leaders.
//   - Commands run in queue order; a group holds at most `commands_max`.
//   - A probe (PendingCommand::probe) is a group of its own and ends the
//     group of a leader ahead of it.
//   - A leader alone right after a group of several waits at most
//     `gather_wait` for company (gather_group()).
//
// Thread-safety: submit() from any number of threads.
#pragma once

#include <cstddef>
#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/mutex.h"
#include "ledger/pending_command.h"

namespace account::internal {

class CommitQueue {
 public:
  // `commands_max` (>= 1): the most commands in one group;
  // `gather_wait`: LedgerLimits::group_commit_wait (zero: never gathers).
  CommitQueue(size_t commands_max, absl::Duration gather_wait);
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Queues `command` and blocks until it is done. When it reaches the front,
  // this thread leads: `lead` runs on it with the group (`command` first),
  // must set each member's status, and runs with no lock of the queue held.
  // Returns command.status.
  using Lead = absl::FunctionRef<void(absl::Span<PendingCommand* const>)>;
  absl::Status submit(PendingCommand& command, Lead lead) ABSL_LOCKS_EXCLUDED(mu_);

  // Commands queued, the running group's included.
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // The new leader, alone in the queue after a group of several, waits
  // briefly for company.
  void gather_group(PendingCommand& leader) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t commands_max_;
  const absl::Duration gather_wait_;

  mutable Mutex mu_;
  std::deque<PendingCommand*> queue_ ABSL_GUARDED_BY(mu_);
  // The size of the last group, and the queue size at which a gathering
  // leader wants waking (0: none gathers).
  size_t last_group_size_ ABSL_GUARDED_BY(mu_) = 0;
  size_t gather_target_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace account::internal
