// Private to the library: the overlay's slots for ids that rise for ever
// (reservation ids), in pages of 4,096 made when an id in them is first
// staged.
//
// A flat array of slots indexed by id costs 8 bytes for every id between
// the lowest one still asked for and the newest: an order active for 30
// days keeps the lowest reservation id held that far back, and at a million
// orders a day that was 240 MB, zeroed. Pages cost memory only where ids are
// staged, plus 8 bytes of page pointer per 4,096 ids in between. A lookup
// is two indexes and a compare.
//
// Invariants: pages_[k] holds ids first_page_ * 4096 + 1 + [0, 4096), or is
// null; every slot of a page made or reused starts as Slot{}. The owner calls
// drop_below() with the lowest id it may ask for before asking.
//
// Thread-safety: none (part of the Txn).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/attributes.h"
#include "base/check.h"
#include "base/chunk_pool.h"

namespace account::internal {

template <typename Slot>
class PagedSlots {
 public:
  // The slot of `id`, or nullptr when no slot of its page was ever taken
  // (or id is 0 or below the pages kept).
  const Slot* find(uint64_t id) const {
    const Page* p = page_of(id);
    return p == nullptr ? nullptr : &p->slots[(id - 1) & kPageMask];
  }

  // The slot of `id`, making its page. An id below the pages held (which
  // the owner's drop_below() rules out) widens them downwards. Inline for
  // the common case, a page already made.
  Slot& at(uint64_t id) {
    if (Page* p = page_of(id)) return p->slots[(id - 1) & kPageMask];
    return at_making_page(id);
  }

  // Makes the pages of ids [from, to) ahead of use.
  void reserve(uint64_t from, uint64_t to) {
    from = std::max<uint64_t>(from, 1);
    if (to <= from) return;
    for (uint64_t page = (from - 1) >> kPageShift; page <= (to - 2) >> kPageShift; ++page) {
      at(page * kPageSlots + 1);
    }
  }

  // Drops the pages wholly below `lowest`: their ids will not be asked for
  // again. Keeps a dropped page or two for reuse. The pages start at
  // `lowest`'s page when none is held, so that the page pointers span only
  // the ids asked for since.
  void drop_below(uint64_t lowest) {
    if (lowest == 0) return;
    const uint64_t page = (lowest - 1) >> kPageShift;
    if (pages_.empty()) {
      first_page_ = page;
      return;
    }
    if (page <= first_page_) return;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(page - first_page_, pages_.size()));
    for (size_t i = 0; i < n; ++i) {
      if (pages_[i] != nullptr) pool_.give(std::move(pages_[i]));
    }
    pages_.erase(pages_.begin(), pages_.begin() + static_cast<std::ptrdiff_t>(n));
    first_page_ = pages_.empty() ? page : first_page_ + n;
  }

  // Sets every slot back to Slot{} (when the overlay's generations wrap).
  void clear() {
    for (std::unique_ptr<Page>& p : pages_) {
      if (p != nullptr) std::fill(std::begin(p->slots), std::end(p->slots), Slot{});
    }
  }

  size_t pages() const { return pages_.size(); }
  size_t pages_made() const {
    return static_cast<size_t>(std::count_if(pages_.begin(), pages_.end(),
                                             [](const auto& p) { return p != nullptr; }));
  }

 private:
  static constexpr int kPageShift = 12;
  static constexpr uint64_t kPageSlots = uint64_t{1} << kPageShift;
  static constexpr uint64_t kPageMask = kPageSlots - 1;
  static constexpr size_t kPagesKept = 2;
  struct Page {
    Slot slots[kPageSlots];
  };

  // The page made that holds `id`'s slot, or nullptr (id 0, or a page not
  // made or below the pages kept).
  Page* page_of(uint64_t id) const {
    if (id == 0) return nullptr;
    const uint64_t page = (id - 1) >> kPageShift;
    if (page < first_page_ || page - first_page_ >= pages_.size()) return nullptr;
    return pages_[page - first_page_].get();
  }

  // at() when id's page is not made yet (or id is out of range); kept out
  // of line so that at() stays small enough to inline.
  ABSL_ATTRIBUTE_NOINLINE Slot& at_making_page(uint64_t id) {
    ACCOUNT_CHECK(id != 0, "slot ids start at 1");
    const uint64_t page = (id - 1) >> kPageShift;
    if (page < first_page_) {
      std::vector<std::unique_ptr<Page>> wider(static_cast<size_t>(first_page_ - page));
      for (std::unique_ptr<Page>& p : pages_) wider.push_back(std::move(p));
      pages_ = std::move(wider);
      first_page_ = page;
    }
    const uint64_t k = page - first_page_;
    if (k >= pages_.size()) pages_.resize(k + 1);
    std::unique_ptr<Page>& p = pages_[k];
    if (p == nullptr) p = new_page();
    return p->slots[(id - 1) & kPageMask];
  }

  // A page of Slot{}: a kept one reset, or a new one.
  std::unique_ptr<Page> new_page() {
    std::unique_ptr<Page> p = pool_.take([] { return std::make_unique<Page>(); });
    std::fill(std::begin(p->slots), std::end(p->slots), Slot{});
    return p;
  }

  std::vector<std::unique_ptr<Page>> pages_;
  uint64_t first_page_ = 0;
  ChunkPool<Page> pool_{kPagesKept};  // Dropped pages, for reuse.
};

}  // namespace account::internal
