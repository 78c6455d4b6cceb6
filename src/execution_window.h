// Private to the library: the applied executions the ledger remembers for
// dedupe, in arrival order, with an index by execution id.
//
// The fills sit in a ring (a power-of-two array that doubles when full, so a
// fill costs no allocation once the window has reached its steady size) and
// the index maps an execution id to the fill's arrival number, whose low bits
// are its place in the ring. Arrival numbers never change, so growing the
// ring re-lays the fills out but leaves the index alone. Dropping the oldest
// fill (the retention window moved on) erases its id from the index.
//
// Thread-safety: none (part of LedgerState).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "account/fill.h"
#include "u64_map.h"

namespace account::internal {

class ExecutionWindow {
 public:
  size_t size() const { return static_cast<size_t>(next_ - front_); }
  bool empty() const { return next_ == front_; }

  // The remembered fill with this id, or nullptr.
  const Fill* find(ExecutionId id) const {
    const uint64_t* arrival = index_.find(id.value());
    return arrival == nullptr ? nullptr : &ring_[*arrival & mask_];
  }

  // Remembers `fill`, whose id must not be remembered already.
  void push_back(const Fill& fill);

  // The oldest remembered fill; the window must not be empty.
  const Fill& front() const { return ring_[front_ & mask_]; }
  void pop_front() {
    index_.erase(ring_[front_ & mask_].execution.value());
    ++front_;
  }

  // Calls `f` with each fill, oldest first.
  template <typename F>
  void for_each(F&& f) const {
    for (uint64_t i = front_; i != next_; ++i) f(ring_[i & mask_]);
  }

 private:
  std::vector<Fill> ring_;  // Size a power of two (or 0); arrival n at n & mask_.
  uint64_t mask_ = 0;
  uint64_t front_ = 0;      // Arrival number of the oldest fill.
  uint64_t next_ = 0;       // Arrival number of the next fill.
  U64Map index_;            // Execution id -> arrival number.
};

}  // namespace account::internal
