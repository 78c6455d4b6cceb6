#include "base/ascending_key_map.h"

#include <algorithm>
#include <utility>

#include "base/prefault.h"

namespace account::internal {

namespace {

// Where `key` lies between `low` and `high` (low <= key <= high), scaled to
// an index in [0, n): ids rise by steady steps (orders by one, fills by one
// within a tick), so this usually lands on the key, or next to it. Only a
// guess, so a double's rounding does no harm.
size_t interpolate(uint64_t key, uint64_t low, uint64_t high, size_t n) {
  if (high <= low || n <= 1) return 0;
  const double fraction = static_cast<double>(key - low) / static_cast<double>(high - low);
  return std::min(static_cast<size_t>(fraction * static_cast<double>(n - 1) + 0.5), n - 1);
}

// The last index in [lo, hi) whose key_of() is <= key, given that lo's is
// (or is taken to be). Bisects without a branch on the keys, which a search
// through a big map would mispredict at every step.
template <typename T, typename KeyOf>
size_t last_at_most(const T* items, size_t lo, size_t hi, uint64_t key, KeyOf key_of) {
  size_t base = lo;
  for (size_t n = hi - lo; n > 1;) {
    const size_t half = n / 2;
    base = key_of(items[base + half]) <= key ? base + half : base;
    n -= half;
  }
  return base;
}

}  // namespace

const uint64_t* AscendingKeyMap::find_stored(uint64_t key) const {
  // The newest key (the order just admitted, the execution just applied) is
  // the one asked for most: its entry is the back, live by invariant 1.
  if (front_ != next_ && key == back_key_) return &entry(next_ - 1).value;
  if (front_ != next_ && key >= front_key_ && key <= back_key_) {
    const Place place = place_of(key);
    if (place.chunk != nullptr && !place.dead()) return &place.entry().value;
  }
  return overflow_.empty() ? nullptr : overflow_.find(key);
}

AscendingKeyMap::Place AscendingKeyMap::place_of(uint64_t key) const {
  // The chunk: the last whose first key is <= key. The first chunk's first
  // key counts as <= key (its live entries start at front_key_ <= key).
  const auto chunk_key = [](const ChunkRef& ref) { return ref.first_key; };
  const auto entry_key = [](const Entry& entry) { return entry.key; };
  const size_t count = chunk_count();
  const ChunkRef* refs = chunks_.data() + head_;
  size_t c = interpolate(key, front_key_, back_key_, count);
  if (c > 0 && refs[c].first_key > key) {
    --c;
    if (c > 0 && refs[c].first_key > key) c = last_at_most(refs, 0, c, key, chunk_key);
  } else if (c + 1 < count && refs[c + 1].first_key <= key) {
    ++c;
    if (c + 1 < count && refs[c + 1].first_key <= key) {
      c = last_at_most(refs, c + 1, count, key, chunk_key);
    }
  }
  Chunk* chunk = refs[c].chunk.get();
  const uint64_t begin = c == 0 ? (front_ & (kChunkEntries - 1)) : 0;
  const uint64_t end = c + 1 == count ? ((next_ - 1) & (kChunkEntries - 1)) + 1 : kChunkEntries;
  const Entry* first = chunk->entries + begin;
  const size_t n = static_cast<size_t>(end - begin);
  if (key > first[n - 1].key) return Place{};
  // Within the chunk, interpolation search: each guess narrows [lo, hi],
  // whose end keys bracket the key. Ids with irregular gaps take two or
  // three guesses, each near the last; a few, then bisect what is left.
  size_t lo = 0;
  size_t hi = n - 1;
  for (int guesses = 0; guesses < 4; ++guesses) {
    if (first[lo].key == key) return Place{chunk, begin + lo};
    if (first[hi].key == key) return Place{chunk, begin + hi};
    if (hi - lo < 2) return Place{};
    // Strictly inside (lo, hi): the ends are known not to be the key.
    const size_t i = std::clamp(lo + interpolate(key, first[lo].key, first[hi].key, hi - lo + 1),
                                lo + 1, hi - 1);
    if (first[i].key == key) return Place{chunk, begin + i};
    if (first[i].key < key) {
      lo = i;
    } else {
      hi = i;
    }
  }
  const size_t i = last_at_most(first, lo, hi + 1, key, entry_key);
  if (first[i].key != key) return Place{};
  return Place{chunk, begin + i};
}

void AscendingKeyMap::add_chunk(uint64_t first_key) {
  chunks_.push_back(
      ChunkRef{first_key, pool_.take([] { return std::make_unique_for_overwrite<Chunk>(); })});
}

void AscendingKeyMap::reserve(size_t keys) {
  const size_t chunks = (keys + kChunkEntries - 1) / kChunkEntries;
  pool_.reserve(chunks, [] {
    auto chunk = std::make_unique_for_overwrite<Chunk>();
    prefault(chunk.get(), sizeof(Chunk));
    return chunk;
  });
  chunks_.reserve(chunk_count() + head_ + chunks);
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
  if (chunk_count() > 0) pool_.give(std::move(chunks_[head_].chunk));
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
      pool_.give(std::move(chunks_[head_++].chunk));
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
    if (!chunks_.empty()) pool_.give(std::move(chunks_.back().chunk));
    chunks_.clear();
    head_ = 0;
    front_ = next_ = 0;
    dead_ = 0;
    return;
  }
  if ((next_ & (kChunkEntries - 1)) == 0) {
    pool_.give(std::move(chunks_.back().chunk));
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
    pool_.give(std::move(chunks_.back().chunk));
    chunks_.pop_back();
  }
  for (size_t c = head_ + 1; c < chunks_.size(); ++c) {
    chunks_[c].first_key = chunks_[c].chunk->entries[0].key;
  }
}

}  // namespace account::internal
