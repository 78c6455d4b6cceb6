// Private to the library: a map from u64 keys to u64 values for keys that
// mostly arrive in ascending order, as execution ids (the engine packs them
// tick << 20 | sequence) and order ids (the gateway issues them rising) do.
// Same contract as U64Map: find, insert (false and no change if present),
// erase, for any keys in any order.
//
// A hash index over a million ids costs a cache miss per probe, since the
// keys it is asked for are spread over the whole table. Here keys that
// arrive above every stored key are appended to the run, a sequence of
// (key, value) entries in strictly ascending key order held in chunks of
// 1,024, so:
//   - a key above every stored key (the first sight of a fresh id) is
//     known absent from two compares, with no probe at all;
//   - insert of such a key is an append to the last chunk;
//   - a key within the run is found by bisecting the chunks by their first
//     keys, then interpolating between the chunk's end keys (ids rise by
//     steady steps, so the guess usually lands on the key) and bisecting
//     the side the key is on;
//   - erasing the oldest entry (a sliding window) or the newest (undoing a
//     failed claim) is O(1);
//   - erasing from the middle marks the entry dead; dead entries at either
//     end are popped when they get there, a re-insert of a dead key revives
//     it in place, and when dead entries outnumber live ones the run is
//     compacted, so it never holds more than about twice the live keys.
// Keys that arrive at or below the run's back, and are not in it, go to a
// U64Map, the overflow, which ascending workloads leave empty.
//
// Invariants:
//   1. Run keys (dead or live) strictly ascend from front to back; the
//      front and back entries are live.
//   2. A key is in at most one place: the run (dead or live) or the
//      overflow. So a dead run entry can be revived in place.
//   3. Every overflow key is <= overflow_high_ (an upper bound, reset when
//      the overflow empties).
// So a key above the run's back and above overflow_high_ (or with the
// overflow empty) is in neither part: find() answers absent without a
// probe, and insert() may append it keeping (1) and (2). A key below the
// run's front can only be in the overflow. The bound is the run's back key,
// not the largest key ever stored: it falls when the back is erased, so
// the retry of a refused claim, undone newest first, appends again.
//
// Thread-safety: none (a plain value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/chunk_pool.h"
#include "base/u64_map.h"

namespace account::internal {

class AscendingKeyMap {
 public:
  AscendingKeyMap() = default;
  AscendingKeyMap(AscendingKeyMap&&) noexcept = default;
  AscendingKeyMap& operator=(AscendingKeyMap&&) noexcept = default;

  size_t size() const { return static_cast<size_t>(next_ - front_ - dead_) + overflow_.size(); }
  bool empty() const { return size() == 0; }

  // The value stored for `key`, or nullptr. Valid until the next insert or erase.
  const uint64_t* find(uint64_t key) const {
    if (above_all(key)) return nullptr;
    return find_stored(key);
  }
  bool contains(uint64_t key) const { return find(key) != nullptr; }
  // Whether `key` is above every stored key, so absent: two compares and no
  // probe. False says nothing (the key may or may not be stored).
  bool above_every_key(uint64_t key) const { return above_all(key); }

  // Stores key -> value and returns true, or returns false and changes
  // nothing if `key` is present.
  bool insert(uint64_t key, uint64_t value) {
    if (!above_all(key)) return insert_slow(key, value);
    append(key, value);
    return true;
  }

  // Removes `key`; returns whether it was present.
  bool erase(uint64_t key);

  // Removes every key, keeping one chunk for what follows: O(chunks), plus
  // the overflow's capacity if it holds any key.
  void clear();

  // Allocates and prefaults (prefault.h) the chunks that the next `keys`
  // appended keys will fill, so that those appends neither allocate nor
  // fault. A chunk emptied later is reused as before.
  void reserve(size_t keys);

  // Entries in the run, dead ones included, and how many are dead; for tests
  // of the memory bound.
  size_t run_size() const { return static_cast<size_t>(next_ - front_); }
  size_t dead_count() const { return static_cast<size_t>(dead_); }
  size_t overflow_size() const { return overflow_.size(); }

 private:
  struct Entry {
    uint64_t key;
    uint64_t value;
  };
  static constexpr int kChunkShift = 10;
  static constexpr uint64_t kChunkEntries = uint64_t{1} << kChunkShift;
  struct Chunk {
    Entry entries[kChunkEntries];
    uint64_t dead[kChunkEntries / 64];  // One bit per entry.
  };

  // find() of a key not above every stored key.
  const uint64_t* find_stored(uint64_t key) const;
  // An entry of the run, or nowhere (chunk == nullptr).
  struct Place {
    Chunk* chunk = nullptr;
    uint64_t i = 0;  // Index in the chunk.
    Entry& entry() const { return chunk->entries[i]; }
    bool dead() const { return (chunk->dead[i / 64] >> (i % 64)) & 1; }
  };

  bool above_all(uint64_t key) const {
    return (front_ == next_ || key > back_key_) && (overflow_.empty() || key > overflow_high_);
  }
  Chunk& chunk(uint64_t at) const {
    return *chunks_[head_ + static_cast<size_t>((at >> kChunkShift) - (front_ >> kChunkShift))]
                .chunk;
  }
  Entry& entry(uint64_t at) const { return chunk(at).entries[at & (kChunkEntries - 1)]; }
  bool dead(uint64_t at) const {
    const uint64_t i = at & (kChunkEntries - 1);
    return (chunk(at).dead[i / 64] >> (i % 64)) & 1;
  }
  void set_dead(uint64_t at, bool d) {
    const uint64_t i = at & (kChunkEntries - 1);
    uint64_t& word = chunk(at).dead[i / 64];
    const uint64_t bit = uint64_t{1} << (i % 64);
    word = d ? (word | bit) : (word & ~bit);
  }

  // The run entry holding `key`, dead or live, or nowhere; `key` must lie
  // within the run's front and back keys.
  Place place_of(uint64_t key) const;
  // Appends `key`, which is above every stored key, to the run. Inline: it
  // is the common insert, a store and four updates but once a chunk.
  void append(uint64_t key, uint64_t value) {
    const uint64_t i = next_ & (kChunkEntries - 1);
    if (i == 0) add_chunk(key);
    Chunk& chunk = *chunks_.back().chunk;
    chunk.entries[i] = Entry{key, value};
    chunk.dead[i / 64] &= ~(uint64_t{1} << (i % 64));
    if (front_ == next_) front_key_ = key;
    back_key_ = key;
    ++next_;
  }
  // Starts a chunk (a kept one if any) whose first key is `first_key`.
  void add_chunk(uint64_t first_key);
  bool insert_slow(uint64_t key, uint64_t value);
  // Pops the front (back) entry, then every dead entry that becomes the front (back).
  void pop_front();
  void pop_back();
  // Drops the last chunk when no entry uses it; empties the run when it has none.
  void release_back_chunk();
  void maybe_compact();

  size_t chunk_count() const { return chunks_.size() - head_; }

  // A chunk with its first entry's key (stale in the front chunk, whose
  // entries before front_ are spent, but still <= every key in the run), so
  // finding the chunk for a key reads this array only, not a line of each
  // chunk it passes.
  struct ChunkRef {
    uint64_t first_key;
    std::unique_ptr<Chunk> chunk;
  };
  // chunks_[head_] holds position front_; the spent slots before it are
  // dropped in bulk (a deque's indexing cost more than the search).
  std::vector<ChunkRef> chunks_;
  size_t head_ = 0;
  ChunkPool<Chunk> pool_;                      // Emptied chunks, and those reserve() made.
  uint64_t front_ = 0;                         // Position of the oldest entry.
  uint64_t next_ = 0;                          // Position after the newest entry.
  uint64_t dead_ = 0;                          // Dead entries in the run.
  uint64_t front_key_ = 0;                     // Keys at front_ and next_ - 1, if any.
  uint64_t back_key_ = 0;
  U64Map overflow_;                            // Keys that arrived out of order.
  uint64_t overflow_high_ = 0;                 // >= every overflow key.
};

}  // namespace account::internal
