#include "ascending_key_map.h"

#include <algorithm>
#include <utility>

namespace account::internal {

AscendingKeyMap::Place AscendingKeyMap::place_of(uint64_t key) const {
  // The last chunk whose first key is <= key: the first chunk's first key is
  // front_key_ <= key; every later chunk starts at its entry 0.
  size_t lo = 0;
  size_t hi = chunks_.size();
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (chunks_[mid]->entries[0].key <= key) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  Chunk* chunk = chunks_[lo].get();
  const uint64_t begin = lo == 0 ? (front_ & (kChunkEntries - 1)) : 0;
  const uint64_t end = lo + 1 == chunks_.size() ? ((next_ - 1) & (kChunkEntries - 1)) + 1
                                                : kChunkEntries;
  // The last entry with entry.key <= key; there is one, entries[begin].
  const Entry* after = std::upper_bound(chunk->entries + begin, chunk->entries + end, key,
                                        [](uint64_t k, const Entry& e) { return k < e.key; });
  const uint64_t i = static_cast<uint64_t>(after - chunk->entries) - 1;
  if (chunk->entries[i].key != key) return Place{};
  return Place{chunk, i};
}

void AscendingKeyMap::append(uint64_t key, uint64_t value) {
  const uint64_t i = next_ & (kChunkEntries - 1);
  if (i == 0) chunks_.push_back(spare_ ? std::move(spare_) : std::make_unique<Chunk>());
  Chunk& chunk = *chunks_.back();
  chunk.entries[i] = Entry{key, value};
  chunk.dead[i / 64] &= ~(uint64_t{1} << (i % 64));
  if (front_ == next_) front_key_ = key;
  back_key_ = key;
  ++next_;
}

bool AscendingKeyMap::insert_slow(uint64_t key, uint64_t value) {
  if (front_ == next_ || key > back_key_) {
    // Above the run but not above every overflow key.
    if (overflow_.contains(key)) return false;
    append(key, value);
    return true;
  }
  if (key >= front_key_) {
    const Place place = place_of(key);
    if (place.chunk != nullptr) {
      if (!place.dead()) return false;
      // By invariant 2 a key dead in the run is in no other place: revive it.
      place.chunk->dead[place.i / 64] &= ~(uint64_t{1} << (place.i % 64));
      place.entry().value = value;
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
    // Both ends are live (invariant 1).
    if (key == front_key_) {
      pop_front();
      return true;
    }
    if (key == back_key_) {
      pop_back();
      return true;
    }
    if (key > front_key_ && key < back_key_) {
      const Place place = place_of(key);
      if (place.chunk != nullptr && !place.dead()) {
        place.chunk->dead[place.i / 64] |= uint64_t{1} << (place.i % 64);
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
  front_key_ = entry(front_).key;
}

void AscendingKeyMap::pop_back() {
  --next_;
  release_back_chunk();
  while (front_ != next_ && dead(next_ - 1)) {
    --dead_;
    --next_;
    release_back_chunk();
  }
  if (front_ != next_) back_key_ = entry(next_ - 1).key;
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
