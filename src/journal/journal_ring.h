// Private to the library: the newest journal entries, kept in memory as the ledger commits them
// (docs/journal.md, "Readers"), so that a consumer near the head reads them without the store.
// A run of consecutive entries ending at the head, bounded in bytes: the oldest leave first.
//
// Thread-safety: thread-safe; the ledger's group-commit leader pushes, readers copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "account/journal_entry.h"
#include "base/mutex.h"

namespace account::internal {

class JournalRing {
 public:
  // Keeps entries while their canonical bytes total at most `bytes_max` (the newest entry is
  // kept whatever its size, unless `bytes_max` is 0: then none is).
  explicit JournalRing(size_t bytes_max) : bytes_max_(bytes_max) {}

  // The entry the ledger committed after the head, with its event count. One that does not
  // follow the head (the store moved while memory was reloaded) starts the run afresh.
  void push(JournalRecord record, size_t events);
  // The head is `seq` (a reload found it), and nothing is kept unless the head stays the newest
  // entry kept.
  void restart_at(uint64_t seq);

  // The seq of the newest entry committed (0 for none).
  uint64_t head() const;
  // When the run holds the entry after `after_seq` (or `after_seq` is the head), replaces
  // `out` with the entries after it, oldest first, until the next would take the events past
  // `max_events` (at least one entry when any), and returns true; false when the entries after
  // `after_seq` must come from the store.
  bool copy_since(uint64_t after_seq, size_t max_events, std::vector<JournalRecord>* out) const;

 private:
  struct Kept {
    JournalRecord record;
    size_t events;
  };
  void trim() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t bytes_max_;
  mutable Mutex mu_;
  std::deque<Kept> kept_ ABSL_GUARDED_BY(mu_);  // Consecutive seqs ending at head_.
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace account::internal
