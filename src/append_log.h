// Private to the library: an append-only sequence stored in fixed-size
// chunks, for the MemoryStore's logs.
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

#include "prefault.h"

namespace account::internal {

template <typename T>
class AppendLog {
 public:
  size_t size() const { return size_; }
  const T& operator[](size_t i) const { return chunks_[i >> kShift][i & kMask]; }

  void push_back(const T& row) {
    if ((size_ >> kShift) == chunks_.size()) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunkRows);
    }
    chunks_[size_ >> kShift].push_back(row);
    ++size_;
  }

  void append(const std::vector<T>& rows) {
    for (const T& row : rows) push_back(row);
  }

  // Allocates chunks for `rows` rows in all and prefaults them (prefault.h),
  // so that appends up to there neither allocate nor fault.
  void reserve(size_t rows) {
    while (chunks_.size() * kChunkRows < rows) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunkRows);
      prefault(chunks_.back().data(), kChunkRows * sizeof(T));
    }
  }

 private:
  static constexpr size_t kShift = 12;
  static constexpr size_t kChunkRows = size_t{1} << kShift;
  static constexpr size_t kMask = kChunkRows - 1;

  std::vector<std::vector<T>> chunks_;
  size_t size_ = 0;
};

}  // namespace account::internal
