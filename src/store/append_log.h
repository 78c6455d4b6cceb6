// Private to the library: a sequence that only grows, stored in fixed-size
// chunks, for the MemoryStore's rows (its accounts and positions, updated in
// place, and its executions and trades).
//
// A std::vector that grows by doubling copies everything it holds at each
// step (and briefly needs twice the memory), and a std::deque allocates a
// block every few hundred bytes; a chunk here holds 4,096 rows, so an append
// allocates once per 4,096 rows and never moves a row already stored.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <vector>

#include "base/prefault.h"

namespace account::internal {

template <typename T>
class AppendLog {
 public:
  AppendLog() = default;
  // back_ points into chunks_.
  AppendLog(const AppendLog&) = delete;
  AppendLog& operator=(const AppendLog&) = delete;

  size_t size() const { return size_; }
  const T& operator[](size_t i) const { return chunks_[i >> kShift][i & kMask]; }
  T& operator[](size_t i) { return chunks_[i >> kShift][i & kMask]; }

  void push_back(const T& row) {
    if ((size_ & kMask) == 0) start_chunk();
    back_->push_back(row);
    ++size_;
  }

  void append(const std::vector<T>& rows) {
    for (const T& row : rows) push_back(row);
  }

  // Allocates chunks for `rows` rows in all and prefaults them (prefault.h),
  // so that appends up to there neither allocate nor fault.
  void reserve(size_t rows) {
    while (chunks_.size() * kChunkRows < rows) prefault(add_chunk().data(), kChunkRows * sizeof(T));
    if (size_ > 0) back_ = &chunks_[(size_ - 1) >> kShift];  // chunks_ may have moved.
  }

 private:
  // An empty chunk with room for kChunkRows rows, at the end of chunks_.
  std::vector<T>& add_chunk() {
    chunks_.emplace_back().reserve(kChunkRows);
    return chunks_.back();
  }

  // The chunk row size_ goes to, allocated unless reserve() made it already.
  void start_chunk() {
    const size_t chunk = size_ >> kShift;
    if (chunk == chunks_.size()) add_chunk();
    back_ = &chunks_[chunk];
  }

  static constexpr size_t kShift = 12;
  static constexpr size_t kChunkRows = size_t{1} << kShift;
  static constexpr size_t kMask = kChunkRows - 1;

  std::vector<std::vector<T>> chunks_;
  std::vector<T>* back_ = nullptr;  // The chunk being filled; set by start_chunk().
  size_t size_ = 0;
};

}  // namespace account::internal
