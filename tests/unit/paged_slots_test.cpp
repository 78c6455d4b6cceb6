// PagedSlots (src/base/paged_slots.h) against std::map on random writes, reads
// and drops over ids that rise, as the overlay's reservation slots see them.
#include "base/paged_slots.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <random>

namespace account::internal {
namespace {

struct TestSlot {
  uint32_t generation = 0;
  uint32_t index = 0;
};

TEST_CASE("PagedSlots matches std::map while ids rise and old ones are dropped",
          "[paged_slots]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  PagedSlots<TestSlot> slots;
  std::map<uint64_t, uint32_t> model;  // Slots written since their page was made.
  const uint64_t start = GENERATE(uint64_t{1}, uint64_t{1} << 40);
  uint64_t lowest = start;
  uint64_t newest = start;
  slots.drop_below(lowest);
  for (uint32_t step = 1; step <= 50'000; ++step) {
    const uint64_t op = rng() % 10;
    if (op < 5) {
      // A new id, or one between the lowest and the newest.
      const uint64_t id = op < 3 ? ++newest : lowest + rng() % (newest - lowest + 1);
      slots.at(id) = TestSlot{1, step};
      model[id] = step;
    } else if (op < 9) {
      const uint64_t id = lowest + rng() % (newest - lowest + 2);
      const TestSlot* s = slots.find(id);
      const auto it = model.find(id);
      if (it != model.end()) {
        REQUIRE(s != nullptr);
        REQUIRE(s->index == it->second);
      } else {
        REQUIRE((s == nullptr || s->generation == 0));  // Never written: as made, Slot{}.
      }
    } else {
      lowest = std::min(newest, lowest + rng() % 9'000);
      slots.drop_below(lowest);
      model.erase(model.begin(), model.lower_bound(lowest));
    }
    // Page pointers span only the ids from the lowest page on.
    REQUIRE(slots.pages() <= (newest - lowest) / 4'096 + 2);
  }
  slots.clear();
  for (const auto& [id, index] : model) REQUIRE(slots.find(id)->generation == 0);
}

TEST_CASE("PagedSlots makes pages only where ids are written", "[paged_slots]") {
  PagedSlots<TestSlot> slots;
  slots.drop_below(1);
  slots.at(1) = TestSlot{1, 1};
  slots.at(30'000'000) = TestSlot{1, 2};  // An old order and the newest, far apart.
  CHECK(slots.pages_made() == 2);
  CHECK(slots.find(1)->index == 1);
  CHECK(slots.find(30'000'000)->index == 2);
  CHECK(slots.find(15'000'000) == nullptr);
  slots.drop_below(20'000'000);
  CHECK(slots.find(1) == nullptr);
  CHECK(slots.find(30'000'000)->index == 2);
  CHECK(slots.pages_made() == 1);
  slots.at(10) = TestSlot{1, 3};  // Below the pages kept: they widen downwards.
  CHECK(slots.find(10)->index == 3);
  CHECK(slots.find(30'000'000)->index == 2);
}

TEST_CASE("PagedSlots::reserve makes every page of the range, the last one too",
          "[paged_slots]") {
  PagedSlots<TestSlot> slots;
  slots.drop_below(4'000);
  slots.reserve(4'000, 4'200);  // Ids 4,000..4,199: pages of ids 1..4,096 and 4,097..8,192.
  CHECK(slots.pages_made() == 2);
  CHECK(slots.find(4'199) != nullptr);
  CHECK(slots.find(8'193) == nullptr);
  slots.reserve(9'000, 9'000);  // Empty.
  CHECK(slots.pages_made() == 2);
}

}  // namespace
}  // namespace account::internal
