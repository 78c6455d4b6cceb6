// Private to the library: an open-addressing hash map from u64 keys to u64
// values, for u64 indexes whose keys have no order to exploit (account ids
// in the store, keys that arrive out of order in an AscendingKeyMap).
//
// absl::flat_hash_map does the same job with a general hash and a control
// byte array beside the slots; here a slot is the key and the value, 16
// bytes, four to a cache line, found by one multiply (Fibonacci hashing)
// and a linear probe. Fibonacci hashing clusters the engine's
// tick << 20 | sequence ids: a sliding window of a million of them cost
// ~750 ns per insert and erase, against ~65 ns for dense ids (see
// benchmarks/index_benchmark.cpp), which is one reason execution ids moved
// to AscendingKeyMap. A lookup or insert into a table far larger than the cache costs one
// miss. Erase shifts the following run back (no tombstones), so a table
// that keeps a sliding window of ids never degrades.
//
// Thread-safety: none (a plain value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace account::internal {

class U64Map {
 public:
  U64Map() = default;

  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }
  bool empty() const { return size() == 0; }
  size_t capacity() const { return slots_.size(); }

  // The value stored for `key`, or nullptr. Valid until the next insert or erase.
  const uint64_t* find(uint64_t key) const {
    if (key == 0) return has_zero_ ? &zero_value_ : nullptr;
    if (slots_.empty()) return nullptr;
    for (size_t i = home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == 0) return nullptr;
    }
  }
  bool contains(uint64_t key) const { return find(key) != nullptr; }

  // Stores key -> value and returns true, or returns false and changes
  // nothing if `key` is present.
  bool insert(uint64_t key, uint64_t value) {
    if (key == 0) {
      if (has_zero_) return false;
      has_zero_ = true;
      zero_value_ = value;
      return true;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) grow(slots_.size() * 2);
    for (size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return false;
      if (s.key == 0) {
        s = Slot{key, value};
        ++size_;
        return true;
      }
    }
  }

  // Removes `key`; returns whether it was present.
  bool erase(uint64_t key);

  // Room for `n` keys without growing.
  void reserve(size_t n) {
    if (n * 4 > slots_.size() * 3) grow(n * 4 / 3 + 1);
  }

  // Removes every key, keeping the capacity. O(capacity).
  void clear();

 private:
  struct Slot {
    uint64_t key = 0;  // 0 marks an empty slot; key 0 itself lives in zero_value_.
    uint64_t value = 0;
  };

  size_t home(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  // Rehashes into at least `capacity_min` slots (a power of two, 16 or more).
  void grow(size_t capacity_min);

  std::vector<Slot> slots_;
  size_t size_ = 0;  // Nonzero keys.
  size_t mask_ = 0;
  int shift_ = 64;
  bool has_zero_ = false;
  uint64_t zero_value_ = 0;
};

}  // namespace account::internal
