// Private to the library: chunks kept ready for structures that fill
// chunks in order and empty them in order (the dedupe window, the ascending
// index, the reservation table, the overlay's slot pages).
//
// give() keeps an emptied chunk for the next take(), up to keep_max (at
// least the number the pool was built with; raised by reserve()), and frees
// the rest; take() hands out a kept chunk, else makes one. reserve() makes
// chunks ahead (the maker touches their pages: prefault.h), so that the
// takes after it neither allocate nor fault, and a structure in steady
// state, emptying a chunk for each it fills, reuses them for good.
//
// A kept chunk holds whatever it held when given: the owner resets what it
// needs to.
//
// Thread-safety: none (part of its owner).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace account::internal {

template <typename Chunk>  // As std::unique_ptr takes it: an array type too.
class ChunkPool {
 public:
  using Ptr = std::unique_ptr<Chunk>;

  explicit ChunkPool(size_t keep_max = 1) : keep_max_(keep_max) {}

  // A kept chunk, else make().
  template <typename Make>
  Ptr take(Make make) {
    if (kept_.empty()) return make();
    Ptr chunk = std::move(kept_.back());
    kept_.pop_back();
    return chunk;
  }

  void give(Ptr chunk) {
    if (kept_.size() < keep_max_) kept_.push_back(std::move(chunk));
  }

  // Makes chunks until `chunks` are kept, and keeps that many from now on.
  template <typename Make>
  void reserve(size_t chunks, Make make) {
    keep_max_ = std::max(keep_max_, chunks);
    while (kept_.size() < chunks) kept_.push_back(make());
  }

 private:
  std::vector<Ptr> kept_;
  size_t keep_max_;
};

}  // namespace account::internal
