#include "ascending_key_map.h"

#include <algorithm>
#include <utility>

namespace account::internal {

const uint64_t* AscendingKeyMap::find_stored(uint64_t key) const {
  if (front_ != next_ && key >= front_key_ && key <= back_key_) {
    const Place place = place_of(key);
    if (place.chunk != nullptr && !place.dead()) return &place.entry().value;
  }
  return overflow_.empty() ? nullptr : overflow_.find(key);
}

AscendingKeyMap::Place AscendingKeyMap::place_of(uint64_t key) const {
  // The last chunk whose first key is <= key: the first chunk's first key is
  // front_key_ <= key; every later chunk starts at its entry 0.
  const size_t count = chunk_count();
  size_t lo = 0;
  size_t hi = count;
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (chunks_[head_ + mid].first_key <= key) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  Chunk* chunk = chunks_[head_ + lo].chunk.get();
  const uint64_t begin = lo == 0 ? (front_ & (kChunkEntries - 1)) : 0;
  const uint64_t end = lo + 1 == count ? ((next_ - 1) & (kChunkEntries - 1)) + 1 : kChunkEntries;
  const Entry* first = chunk->entries + begin;
  const Entry* last = chunk->entries + end - 1;
  if (key > last->key) return Place{};
  // Ids often rise by a steady step (orders by one, fills by one within a
  // tick), so interpolating between the chunk's end keys usually lands on
  // the key; otherwise bisect the side it belongs to.
  const Entry* guess = first;
  if (last->key != first->key) {
    // Only a guess, so a double's rounding does no harm; clamped to the range.
    const double fraction = static_cast<double>(key - first->key) /
                            static_cast<double>(last->key - first->key);
    const auto offset =
        static_cast<ptrdiff_t>(fraction * static_cast<double>(last - first) + 0.5);
    guess = first + std::min<ptrdiff_t>(offset, last - first);
  }
  if (guess->key == key) return Place{chunk, static_cast<uint64_t>(guess - chunk->entries)};
  const auto below = [](uint64_t k, const Entry& e) { return k < e.key; };
  // The last entry with entry.key <= key: one exists, *first.
  const Entry* after = guess->key < key ? std::upper_bound(guess + 1, last + 1, key, below)
                                        : std::upper_bound(first, guess, key, below);
  const Entry* at = after - 1;
  if (at->key != key) return Place{};
  return Place{chunk, static_cast<uint64_t>(at - chunk->entries)};
}

void AscendingKeyMap::append(uint64_t key, uint64_t value) {
  const uint64_t i = next_ & (kChunkEntries - 1);
  if (i == 0) {
    chunks_.push_back(
        ChunkRef{key, spare_ ? std::move(spare_) : std::make_unique_for_overwrite<Chunk>()});
  }
  Chunk& chunk = *chunks_.back().chunk;
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

void AscendingKeyMap::clear() {
  if (chunk_count() > 0) spare_ = std::move(chunks_[head_].chunk);
  chunks_.clear();
  head_ = 0;
  front_ = next_ = 0;
  dead_ = 0;
  if (!overflow_.empty()) overflow_.clear();
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
      spare_ = std::move(chunks_[head_++].chunk);
      if (head_ >= 64 && head_ * 2 >= chunks_.size()) {
        chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<ptrdiff_t>(head_));
        head_ = 0;
      }
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
    if (!chunks_.empty()) spare_ = std::move(chunks_.back().chunk);
    chunks_.clear();
    head_ = 0;
    front_ = next_ = 0;
    dead_ = 0;
    return;
  }
  if ((next_ & (kChunkEntries - 1)) == 0) {
    spare_ = std::move(chunks_.back().chunk);
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
  while (chunk_count() > chunks_needed) {
    spare_ = std::move(chunks_.back().chunk);
    chunks_.pop_back();
  }
  for (size_t c = head_ + 1; c < chunks_.size(); ++c) {
    chunks_[c].first_key = chunks_[c].chunk->entries[0].key;
  }
}

}  // namespace account::internal
