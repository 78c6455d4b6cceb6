#include "ledger/commit_queue.h"

#include <algorithm>
#include <chrono>
#include <cstddef>

#include "absl/container/inlined_vector.h"

namespace account::internal {

CommitQueue::CommitQueue(size_t commands_max, absl::Duration gather_wait)
    : commands_max_(std::max<size_t>(1, commands_max)), gather_wait_(gather_wait) {}

absl::Status CommitQueue::submit(PendingCommand& command, Lead lead) {
  absl::InlinedVector<PendingCommand*, 16> group;  // No allocation for most groups.
  {
    MutexLock lock(&mu_);
    queue_.push_back(&command);
    // A leader gathering company (gather_group()) is woken once enough came.
    if (queue_.size() == gather_target_) queue_.front()->cv.signal();
    while (!command.done && queue_.front() != &command) command.cv.wait(&mu_);
    if (command.done) return command.status;
    if (!command.probe) gather_group(command);
    // The retry thread's probe of a down store is a group of its own, and
    // ends the group of a leader ahead of it: commands queued with it are
    // refused at once, not held for its reload (or given its error).
    size_t n = std::min(queue_.size(), commands_max_);
    if (command.probe) n = 1;
    for (size_t i = 1; i < n; ++i) {
      if (queue_[i]->probe) n = i;
    }
    group.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    last_group_size_ = n;
  }
  lead(group);
  {
    MutexLock lock(&mu_);
    for (PendingCommand* member : group) {
      member->done = true;
      queue_.pop_front();
      if (member != &command) member->cv.signal();
    }
    if (!queue_.empty()) queue_.front()->cv.signal();
  }
  return command.status;
}

size_t CommitQueue::size() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

// PostgreSQL's commit_delay with commit_siblings: a leader alone in the
// queue right after a group of several would pay a whole store round trip
// for one command, while the callers that group just released are on their
// way back with their next ones. Under load, groups alternated between one
// command and all the others (a quarter of commits carried one command at 64
// gateway threads). So it waits, at most gather_wait_, until three quarters
// of the last group's size are queued. A lone caller after a lone caller
// never waits.
void CommitQueue::gather_group(PendingCommand& leader) {
  if (queue_.size() > 1 || last_group_size_ < 2 || gather_wait_ <= absl::ZeroDuration()) return;
  gather_target_ = std::max<size_t>(2, last_group_size_ * 3 / 4);
  const auto deadline =
      std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(gather_wait_);
  for (auto now = std::chrono::steady_clock::now();
       queue_.size() < gather_target_ && now < deadline; now = std::chrono::steady_clock::now()) {
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now);
    leader.cv.wait_for(&mu_, left.count());
  }
  gather_target_ = 0;
}

}  // namespace account::internal
