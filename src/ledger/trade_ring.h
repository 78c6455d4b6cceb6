// Private to the library: an account's most recent trades, at most
// `capacity_max` of them, oldest first.
//
// A ring rather than a deque: std::deque<Trade> allocates a block every five
// trades and frees one as the oldest leave, where the ring grows by doubling
// up to its cap and then overwrites in place, so a trade costs no allocation
// once the account has traded `capacity_max` times. It grows lazily because
// most accounts never trade that often and a full ring is ~100 KB.
//
// Thread-safety: none (part of LedgerState).
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "account/trade.h"

namespace account::internal {

class TradeRing {
 public:
  size_t size() const { return size_; }

  // Adds `trade` as the newest; returns true if the oldest had to go.
  bool push_back(const Trade& trade, size_t capacity_max) {
    if (size_ == capacity_) {
      if (capacity_ >= capacity_max) {
        if (capacity_ == 0) return true;
        ring_[head_] = trade;  // Full: the newest takes the oldest's place.
        head_ = wrap(head_ + 1);
        return true;
      }
      grow(std::min(capacity_max, std::max<size_t>(8, capacity_ * 2)));
    }
    ring_[wrap(head_ + size_++)] = trade;
    return false;
  }

  // Where the next push_back() will write when it does not grow the ring,
  // else nullptr: for a prefetch, so that the write does not wait for the
  // line (an account's ring is written once per trade of that account, so
  // its next slot has usually left the cache).
  const Trade* next_slot() const {
    if (capacity_ == 0) return nullptr;
    return size_ < capacity_ ? &ring_[wrap(head_ + size_)] : &ring_[head_];
  }

  // The i-th newest trade (0 = the newest); i < size().
  const Trade& newest(size_t i) const { return ring_[wrap(head_ + size_ - 1 - i)]; }

  // Up to `limit` trades, newest first.
  std::vector<Trade> newest_first(size_t limit) const {
    std::vector<Trade> out;
    out.reserve(std::min(limit, size_));
    for (size_t i = 0; i < size_ && i < limit; ++i) out.push_back(newest(i));
    return out;
  }

  // Calls `f` with each trade, oldest first.
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < size_; ++i) f(ring_[wrap(head_ + i)]);
  }

 private:
  // An index below twice the ring's size, wrapped (cheaper than %).
  size_t wrap(size_t i) const { return i >= capacity_ ? i - capacity_ : i; }

  void grow(size_t capacity) {
    std::vector<Trade> bigger;
    bigger.reserve(capacity);
    for_each([&](const Trade& t) { bigger.push_back(t); });
    bigger.resize(capacity);
    ring_ = std::move(bigger);
    capacity_ = capacity;
    head_ = 0;
  }

  std::vector<Trade> ring_;
  size_t capacity_ = 0;  // ring_.size(), kept apart: sizeof(Trade) is not a power of two.
  size_t head_ = 0;  // Index of the oldest trade.
  size_t size_ = 0;
};

}  // namespace account::internal
