#include "ascending_key_map.h"

#include <algorithm>
#include <utility>

namespace account::internal {

uint64_t AscendingKeyMap::position_of(uint64_t key) const {
  // Gallop from the back, where recent keys are and the cache is warm, to
  // bracket `key` in [lo, hi) with entry(lo).key <= key < entry(hi).key,
  // then bisect.
  uint64_t hi = next_ - 1;
  if (entry(hi).key == key) return hi;
  uint64_t lo = front_;
  for (uint64_t step = 1; hi - front_ > step; step <<= 1) {
    const uint64_t probe = hi - step;
    const uint64_t k = entry(probe).key;
    if (k == key) return probe;
    if (k < key) {
      lo = probe;
      break;
    }
    hi = probe;
  }
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (entry(mid).key <= key) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return entry(lo).key == key ? lo : kNowhere;
}

void AscendingKeyMap::append(uint64_t key, uint64_t value) {
  if ((next_ & (kChunkEntries - 1)) == 0) {
    chunks_.push_back(spare_ ? std::move(spare_) : std::make_unique<Chunk>());
  }
  entry(next_) = Entry{key, value};
  set_dead(next_, false);
  ++next_;
}

bool AscendingKeyMap::insert_slow(uint64_t key, uint64_t value) {
  const bool run_empty = front_ == next_;
  if (run_empty || key > entry(next_ - 1).key) {
    // Above the run but not above every overflow key.
    if (overflow_.contains(key)) return false;
    append(key, value);
    return true;
  }
  if (key >= entry(front_).key) {
    const uint64_t at = position_of(key);
    if (at != kNowhere) {
      if (!dead(at)) return false;
      // By invariant 2 a key dead in the run is in no other place: revive it.
      set_dead(at, false);
      entry(at).value = value;
      --dead_;
      return true;
    }
  }
  const bool was_empty = overflow_.empty();
  if (!overflow_.insert(key, value)) return false;
  overflow_high_ = was_empty ? key : std::max(overflow_high_, key);
  return true;
}

bool AscendingKeyMap::erase(uint64_t key) {
  if (above_all(key)) return false;
  if (front_ != next_) {
    const uint64_t front_key = entry(front_).key;
    const uint64_t back_key = entry(next_ - 1).key;
    // Both ends are live (invariant 1).
    if (key == front_key) {
      pop_front();
      return true;
    }
    if (key == back_key) {
      pop_back();
      return true;
    }
    if (key > front_key && key < back_key) {
      const uint64_t at = position_of(key);
      if (at != kNowhere && !dead(at)) {
        set_dead(at, true);
        ++dead_;
        maybe_compact();
        return true;
      }
    }
  }
  return !overflow_.empty() && overflow_.erase(key);
}

void AscendingKeyMap::pop_front() {
  do {
    if (front_ != next_ && dead(front_)) --dead_;
    ++front_;
    if (front_ == next_) {
      release_back_chunk();
      return;
    }
    // The front chunk is spent once front_ reaches the next chunk's first entry.
    if ((front_ & (kChunkEntries - 1)) == 0) {
      spare_ = std::move(chunks_.front());
      chunks_.pop_front();
    }
  } while (dead(front_));
}

void AscendingKeyMap::pop_back() {
  --next_;
  release_back_chunk();
  while (front_ != next_ && dead(next_ - 1)) {
    --dead_;
    --next_;
    release_back_chunk();
  }
}

void AscendingKeyMap::release_back_chunk() {
  if (front_ == next_) {
    // Empty: start the positions afresh, keeping one chunk for reuse.
    if (!chunks_.empty()) spare_ = std::move(chunks_.back());
    chunks_.clear();
    front_ = next_ = 0;
    dead_ = 0;
    return;
  }
  if ((next_ & (kChunkEntries - 1)) == 0) {
    spare_ = std::move(chunks_.back());
    chunks_.pop_back();
  }
}

void AscendingKeyMap::maybe_compact() {
  const uint64_t run = next_ - front_;
  if (run < 64 || dead_ * 2 <= run) return;
  // Slide the live entries towards the front, keeping their order. The
  // front and back are live, so the run stays non-empty and both ends live.
  uint64_t to = front_;
  for (uint64_t from = front_; from != next_; ++from) {
    if (dead(from)) continue;
    if (to != from) entry(to) = entry(from);
    set_dead(to, false);
    ++to;
  }
  next_ = to;
  dead_ = 0;
  const size_t chunks_needed =
      static_cast<size_t>(((next_ - 1) >> kChunkShift) - (front_ >> kChunkShift) + 1);
  while (chunks_.size() > chunks_needed) {
    spare_ = std::move(chunks_.back());
    chunks_.pop_back();
  }
}

}  // namespace account::internal
