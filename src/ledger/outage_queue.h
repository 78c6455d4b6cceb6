// Private to the library: the fills the store refused, kept in memory, in
// order, until the retry thread applies them (AccountService's outage
// queue, docs/ledger.md "Store outages").
//
// Invariants:
//   - Fills leave in the order they came, and only through pop_front():
//     nothing here completes or drops a fill (stop() hands back those left).
//   - At most `fills_max` fills (SettlementRetryPolicy::queued_fills_max).
//   - names(order) is true exactly while a queued fill names `order` as its
//     buyer's or seller's order.
//
// Thread-safety: every method from any thread. The waits (wait_for_work(),
// sleep_unless_stopping()) are for the one retry thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/fill.h"
#include "account/ids.h"
#include "base/mutex.h"

namespace account::internal {

class OutageQueue {
 public:
  explicit OutageQueue(size_t fills_max);
  OutageQueue(const OutageQueue&) = delete;
  OutageQueue& operator=(const OutageQueue&) = delete;

  size_t fills_max() const { return fills_max_; }

  // Appends `fills` in order, stopping at the first that would pass
  // fills_max; returns how many it took. Wakes the retry thread when the
  // queue was empty.
  size_t push(absl::Span<const Fill* const> fills) ABSL_LOCKS_EXCLUDED(mu_);

  // What push_behind() did: how many of the fills it took (a prefix), and
  // the queue's size after.
  struct Behind {
    size_t taken = 0;
    size_t size = 0;
  };
  // When fills are queued already, appends `fills` behind them as push()
  // does, without waking the retry thread (it keeps its backoff); when the
  // queue is empty, takes none and returns nullopt (the caller settles them
  // now). One step, so that no fill passes one queued before it.
  std::optional<Behind> push_behind(absl::Span<const Fill> fills) ABSL_LOCKS_EXCLUDED(mu_);

  // The oldest `n` fills leave the queue (n <= size()).
  void pop_front(size_t n) ABSL_LOCKS_EXCLUDED(mu_);

  // A copy of the queue, oldest first, into `out`.
  void copy_to(std::vector<Fill>& out) const ABSL_LOCKS_EXCLUDED(mu_);

  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

  // Whether any fill is queued, without the mutex. A reader that sees false
  // is never wrong about a fill that could matter to it: the queue goes from
  // empty to non-empty only in a group-commit leader before it hands on
  // (push()), which happens before any later leader's staging; a fill queued
  // behind others finds the count non-zero already.
  bool any() const { return count_.load(std::memory_order_acquire) != 0; }

  // Whether a queued fill names `order` (as its buyer's or seller's order).
  bool names(OrderId order) const ABSL_LOCKS_EXCLUDED(mu_);

  // Blocks while the queue is empty, `store_up()` holds and stop() was not
  // called. Returns false once stop() was called.
  bool wait_for_work(absl::FunctionRef<bool()> store_up) ABSL_LOCKS_EXCLUDED(mu_);
  // Sleeps the whole of `wait` (fills queued meanwhile do not cut it short),
  // or until stop().
  void sleep_unless_stopping(absl::Duration wait) ABSL_LOCKS_EXCLUDED(mu_);
  // Wakes wait_for_work(), to look at the store again.
  void wake() ABSL_LOCKS_EXCLUDED(mu_);
  // Ends every wait, now and later.
  void stop() ABSL_LOCKS_EXCLUDED(mu_);
  // Empties the queue and hands back its fills, oldest first (at shutdown,
  // once the retry thread has ended).
  std::deque<Fill> take_all() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void push_one(const Fill& fill) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t fills_max_;
  mutable Mutex mu_;
  std::deque<Fill> fills_ ABSL_GUARDED_BY(mu_);
  // Order id -> how many queued fills name it (as buyer's or seller's order).
  absl::flat_hash_map<uint64_t, uint32_t> orders_ ABSL_GUARDED_BY(mu_);
  // fills_.size(), stored under mu_, read without it (any()).
  std::atomic<size_t> count_{0};
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  CondVar cv_;
};

}  // namespace account::internal
