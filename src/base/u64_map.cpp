#include "base/u64_map.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace account::internal {

bool U64Map::erase(uint64_t key) {
  if (key == 0) return std::exchange(has_zero_, false);
  if (slots_.empty()) return false;
  size_t hole = home(key);
  while (slots_[hole].key != key) {
    if (slots_[hole].key == 0) return false;
    hole = (hole + 1) & mask_;
  }
  // Backward-shift deletion: move each later entry of the run whose home is
  // not cyclically inside (hole, j] into the hole, so every probe sequence
  // stays unbroken without tombstones.
  for (size_t j = (hole + 1) & mask_; slots_[j].key != 0; j = (j + 1) & mask_) {
    const size_t h = home(slots_[j].key);
    const bool stays = hole < j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot{};
  --size_;
  return true;
}

void U64Map::clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  size_ = 0;
  has_zero_ = false;
}

void U64Map::grow(size_t capacity_min) {
  const size_t capacity = std::bit_ceil(std::max<size_t>(capacity_min, 16));
  if (capacity <= slots_.size()) return;
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity));
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  for (const Slot& s : old) {
    if (s.key == 0) continue;
    size_t i = home(s.key);
    while (slots_[i].key != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

}  // namespace account::internal
