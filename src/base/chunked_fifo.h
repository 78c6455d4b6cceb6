// Private to the library: a first-in first-out queue whose memory can be
// made ahead and is reused, for the ledger's finished reservations.
//
// Elements sit in chunks of 1,024 in push order. A chunk whose elements have
// all been popped is kept for the next pushes (chunk_pool.h), so a queue in
// steady state, popping as much as it pushes (finished reservations leave
// after their retention), allocates nothing; reserve() makes and touches the
// chunks of the next pushes at open, so that those pushes neither allocate
// nor fault (prefault.h). A std::deque frees its emptied blocks and takes
// fresh ones, whose first write traps into the kernel: ~24 bytes a finished
// reservation, which on a machine with slow page faults cost as much as the
// rest of the ledger's structures together
// (docs/perf/2026-12-05-ledger-floor.md).
//
// Invariants: size() == pushes - pops; front() is the oldest element not
// popped; chunks_made() counts chunks ever made, which stops growing once
// reserve() covered the pushes, or once pops keep pace with pushes.
//
// Thread-safety: none (part of its owner).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>

#include "base/check.h"
#include "base/chunk_pool.h"

namespace account::internal {

template <typename T>
class ChunkedFifo {
 public:
  size_t size() const { return static_cast<size_t>(next_ - front_); }
  bool empty() const { return next_ == front_; }
  // Chunks made since construction, for tests of reuse.
  size_t chunks_made() const { return chunks_made_; }

  // The oldest element; the queue must not be empty.
  const T& front() const {
    ACCOUNT_CHECK(!empty(), "front() of an empty queue");
    return chunks_.front()[front_ & kRowMask];
  }

  template <typename... Args>
  void emplace_back(Args&&... args) {
    if ((next_ & kRowMask) == 0) {
      chunks_.push_back(pool_.take([this] { return new_chunk(); }));
    }
    chunks_.back()[next_ & kRowMask] = T{std::forward<Args>(args)...};
    ++next_;
  }

  // Drops the oldest element; the queue must not be empty.
  void pop_front() {
    ACCOUNT_CHECK(!empty(), "pop_front() of an empty queue");
    ++front_;
    if ((front_ & kRowMask) == 0 || front_ == next_) {
      // The front chunk is spent (or the queue is empty): keep it for reuse,
      // and start the next push on a chunk boundary.
      pool_.give(std::move(chunks_.front()));
      chunks_.pop_front();
      if (front_ == next_) front_ = next_ = (next_ + kRows - 1) & ~kRowMask;
    }
  }

  // Makes and touches the chunks the next `elements` pushes need (one more,
  // as they may start within a chunk), and keeps that many for reuse.
  void reserve(size_t elements) {
    pool_.reserve((elements + kRows - 1) / kRows + 1, [this] { return new_chunk(); });
  }

 private:
  static constexpr int kShift = 10;
  static constexpr uint64_t kRows = uint64_t{1} << kShift;
  static constexpr uint64_t kRowMask = kRows - 1;

  // make_unique<T[]> value-initializes every element: that writes each page.
  std::unique_ptr<T[]> new_chunk() {
    ++chunks_made_;
    return std::make_unique<T[]>(kRows);
  }

  std::deque<std::unique_ptr<T[]>> chunks_;  // The first holds element front_.
  ChunkPool<T[]> pool_;                      // Emptied chunks, or made by reserve().
  uint64_t front_ = 0;                       // Push number of the oldest element.
  uint64_t next_ = 0;                        // Push number of the next element.
  size_t chunks_made_ = 0;
};

}  // namespace account::internal
