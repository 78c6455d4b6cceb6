// Private to the library: the applied executions the ledger remembers for
// dedupe, in arrival order, with an index by execution id.
//
// The fills sit in chunks of 1,024 in arrival order, and the index maps an
// execution id to the fill's arrival number, which says the chunk and the
// place in it. Growing adds a chunk and never moves a fill (a ring that
// doubled would copy every fill it held); a chunk whose fills have all left
// the window is kept for reuse, so once the window has reached its steady
// size a fill costs no allocation. Dropping the oldest fill erases its id
// from the index.
//
// The engine's execution ids ascend, so the index is an AscendingKeyMap: a
// new id is known absent and appended without a probe, and dropping the
// oldest fill erases the index's front entry.
//
// Thread-safety: none (part of LedgerState).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "account/fill.h"
#include "base/ascending_key_map.h"
#include "base/chunk_pool.h"

namespace account::internal {

class ExecutionWindow {
 public:
  size_t size() const { return static_cast<size_t>(next_ - front_); }
  bool empty() const { return next_ == front_; }

  // The remembered fill with this id, or nullptr.
  const Fill* find(ExecutionId id) const {
    const uint64_t* arrival = index_.find(id.value());
    return arrival == nullptr ? nullptr : &at(*arrival);
  }

  // Remembers `fill`, whose id must not be remembered already.
  void push_back(const Fill& fill);

  // Allocates and touches the memory of the next `fills` fills pushed, so
  // that those pushes neither allocate nor fault (prefault.h).
  void reserve(size_t fills);

  // The oldest remembered fill; the window must not be empty.
  const Fill& front() const { return at(front_); }
  void pop_front();

  // Calls `f` with each fill, oldest first.
  template <typename F>
  void for_each(F&& f) const {
    for (uint64_t i = front_; i != next_; ++i) f(at(i));
  }

 private:
  static constexpr int kChunkShift = 10;
  static constexpr uint64_t kChunkFills = uint64_t{1} << kChunkShift;
  using Chunk = std::unique_ptr<Fill[]>;
  static Chunk new_chunk();

  const Fill& at(uint64_t arrival) const {
    return chunks_[(arrival >> kChunkShift) - (front_ >> kChunkShift)][arrival & (kChunkFills - 1)];
  }

  std::deque<Chunk> chunks_;  // The first holds arrival front_.
  ChunkPool<Fill[]> pool_;    // Chunks emptied by pop_front() or made by reserve().
  uint64_t front_ = 0;        // Arrival number of the oldest fill.
  uint64_t next_ = 0;         // Arrival number of the next fill.
  AscendingKeyMap index_;     // Execution id -> arrival number.
};

}  // namespace account::internal
