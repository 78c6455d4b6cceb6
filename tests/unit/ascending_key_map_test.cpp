// AscendingKeyMap (src/base/ascending_key_map.h): each path on its own, then
// against std::map on random mixes of ascending, out-of-order, duplicate and
// random keys with erases at the front, the back and the middle.
#include "base/ascending_key_map.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

namespace account::internal {
namespace {

uint64_t value_of(const AscendingKeyMap& map, uint64_t key) {
  const uint64_t* value = map.find(key);
  REQUIRE(value != nullptr);
  return *value;
}

TEST_CASE("AscendingKeyMap appends ascending keys to the run and finds them", "[ascending_key_map]") {
  AscendingKeyMap map;
  CHECK(map.empty());
  CHECK(map.find(0) == nullptr);
  for (uint64_t tick = 1; tick <= 3'000; ++tick) REQUIRE(map.insert(tick << 20 | 1, tick));
  CHECK(map.size() == 3'000);
  CHECK(map.run_size() == 3'000);
  CHECK(map.overflow_size() == 0);
  for (uint64_t tick = 1; tick <= 3'000; ++tick) REQUIRE(value_of(map, tick << 20 | 1) == tick);
  // Between, below and above the stored keys.
  CHECK(map.find(uint64_t{1'500} << 20 | 2) == nullptr);
  CHECK(map.find(1) == nullptr);
  CHECK(map.find(uint64_t{3'001} << 20 | 1) == nullptr);
  CHECK(map.find(UINT64_MAX) == nullptr);
}

TEST_CASE("AscendingKeyMap refuses a key it holds and keeps the first value", "[ascending_key_map]") {
  AscendingKeyMap map;
  REQUIRE(map.insert(10, 1));
  REQUIRE(map.insert(20, 2));
  REQUIRE(map.insert(5, 3));  // Out of order: into the overflow.
  CHECK_FALSE(map.insert(10, 9));
  CHECK_FALSE(map.insert(20, 9));
  CHECK_FALSE(map.insert(5, 9));
  CHECK(value_of(map, 10) == 1);
  CHECK(value_of(map, 20) == 2);
  CHECK(value_of(map, 5) == 3);
  CHECK(map.size() == 3);
  CHECK(map.overflow_size() == 1);
}

TEST_CASE("AscendingKeyMap keeps out-of-order keys in the overflow, below, inside and above the run",
          "[ascending_key_map]") {
  AscendingKeyMap map;
  for (uint64_t k = 100; k <= 200; k += 10) REQUIRE(map.insert(k, k));
  REQUIRE(map.insert(1, 1001));    // Below the run.
  REQUIRE(map.insert(155, 1155));  // Between run keys.
  REQUIRE(map.insert(0, 1000));    // Key 0.
  CHECK(map.overflow_size() == 3);
  CHECK(value_of(map, 155) == 1155);
  CHECK(value_of(map, 1) == 1001);
  CHECK(value_of(map, 0) == 1000);
  // Erasing the run's back leaves the overflow's 155 above the run: keys
  // between the two must still be checked against the overflow.
  for (uint64_t k = 200; k >= 160; k -= 10) REQUIRE(map.erase(k));
  CHECK_FALSE(map.insert(155, 7));
  CHECK(value_of(map, 155) == 1155);
  REQUIRE(map.insert(157, 1157));  // Above the run, below the overflow's highest: appended.
  CHECK(value_of(map, 157) == 1157);
  CHECK(map.find(156) == nullptr);
  CHECK(map.size() == 6 + 3 + 1);
  REQUIRE(map.erase(155));
  REQUIRE(map.erase(0));
  REQUIRE(map.erase(1));
  CHECK(map.overflow_size() == 0);
  CHECK_FALSE(map.erase(155));
}

TEST_CASE("AscendingKeyMap erases a sliding window from the front in O(1) chunks",
          "[ascending_key_map]") {
  AscendingKeyMap map;
  for (uint64_t id = 1; id <= 200'000; ++id) {
    REQUIRE(map.insert(id << 20 | 7, id));
    if (id > 1'000) REQUIRE(map.erase((id - 1'000) << 20 | 7));
  }
  CHECK(map.size() == 1'000);
  CHECK(map.run_size() == 1'000);
  CHECK(value_of(map, uint64_t{199'999} << 20 | 7) == 199'999);
  CHECK(value_of(map, uint64_t{199'001} << 20 | 7) == 199'001);
  CHECK(map.find(uint64_t{199'000} << 20 | 7) == nullptr);
}

TEST_CASE("AscendingKeyMap undoes a claim newest first and takes the same keys again",
          "[ascending_key_map]") {
  AscendingKeyMap map;
  for (uint64_t k = 1; k <= 5'000; ++k) REQUIRE(map.insert(k, k));
  for (uint64_t k = 5'000; k > 2'000; --k) REQUIRE(map.erase(k));
  CHECK(map.size() == 2'000);
  CHECK(map.find(2'001) == nullptr);
  // The retry appends to the run again instead of filling the overflow.
  for (uint64_t k = 2'001; k <= 5'000; ++k) REQUIRE(map.insert(k, k + 1));
  CHECK(map.overflow_size() == 0);
  CHECK(value_of(map, 4'000) == 4'001);
  CHECK(value_of(map, 2'000) == 2'000);
  // Emptied from the back entirely, then reused.
  for (uint64_t k = 5'000; k >= 1; --k) REQUIRE(map.erase(k));
  CHECK(map.empty());
  CHECK(map.run_size() == 0);
  REQUIRE(map.insert(3, 4));
  CHECK(value_of(map, 3) == 4);
}

TEST_CASE("AscendingKeyMap erases from the middle, revives, pops and compacts dead entries",
          "[ascending_key_map]") {
  AscendingKeyMap map;
  for (uint64_t k = 1; k <= 4'096; ++k) REQUIRE(map.insert(k * 2, k));
  REQUIRE(map.erase(100));
  CHECK_FALSE(map.erase(100));
  CHECK(map.find(100) == nullptr);
  CHECK(map.dead_count() == 1);
  REQUIRE(map.insert(100, 77));  // Revived in place, not put into the overflow.
  CHECK(map.dead_count() == 0);
  CHECK(map.overflow_size() == 0);
  CHECK(value_of(map, 100) == 77);

  // Dead entries next to the front are popped with it.
  REQUIRE(map.erase(4));
  REQUIRE(map.erase(6));
  REQUIRE(map.erase(2));
  CHECK(map.dead_count() == 0);
  CHECK(value_of(map, 8) == 4);
  // And next to the back.
  REQUIRE(map.erase(8'190));
  REQUIRE(map.erase(8'192));
  CHECK(map.dead_count() == 0);
  CHECK(map.find(8'190) == nullptr);
  CHECK(value_of(map, 8'188) == 4'094);

  // Erasing most of the middle compacts: the run never holds more than
  // about twice its live keys.
  for (uint64_t k = 10; k < 8'000; k += 2) {
    if (k % 10 != 0) REQUIRE(map.erase(k));
    REQUIRE(map.run_size() <= 2 * map.size() + 1);
  }
  for (uint64_t k = 8; k <= 8'188; k += 2) {
    const bool kept = k == 8 || k % 10 == 0 || k >= 8'000;
    REQUIRE(map.contains(k) == kept);
  }
  CHECK(value_of(map, 100) == 77);
  CHECK(value_of(map, 8'000) == 4'000);
}

TEST_CASE("AscendingKeyMap holds key 0 and UINT64_MAX", "[ascending_key_map]") {
  AscendingKeyMap map;
  REQUIRE(map.insert(0, 1));  // Appended: the run was empty.
  REQUIRE(map.insert(UINT64_MAX, 2));
  CHECK_FALSE(map.insert(UINT64_MAX, 3));
  CHECK_FALSE(map.insert(0, 3));
  REQUIRE(map.insert(5, 4));
  CHECK(value_of(map, 0) == 1);
  CHECK(value_of(map, UINT64_MAX) == 2);
  CHECK(value_of(map, 5) == 4);
  REQUIRE(map.erase(UINT64_MAX));
  REQUIRE(map.erase(0));
  CHECK(map.find(0) == nullptr);
  CHECK(map.find(UINT64_MAX) == nullptr);
  CHECK(map.size() == 1);
}

TEST_CASE("AscendingKeyMap clear empties both parts and the map takes keys again",
          "[ascending_key_map]") {
  AscendingKeyMap map;
  for (uint64_t k = 10; k <= 3'000; ++k) REQUIRE(map.insert(k, k));
  REQUIRE(map.insert(5, 5));  // Overflow.
  REQUIRE(map.erase(1'000));  // Dead.
  map.clear();
  CHECK(map.empty());
  CHECK(map.run_size() == 0);
  CHECK(map.overflow_size() == 0);
  CHECK(map.find(5) == nullptr);
  CHECK(map.find(2'000) == nullptr);
  // Smaller keys than before append to the run again.
  REQUIRE(map.insert(1, 11));
  REQUIRE(map.insert(2, 12));
  CHECK(map.overflow_size() == 0);
  CHECK(value_of(map, 1) == 11);
  CHECK(value_of(map, 2) == 12);
  CHECK(map.find(3) == nullptr);
}

// The mixes the ledger and store meet: mostly ascending with some ids out
// of order or delivered twice, some wholly random ones, and erases at the
// front (a window sliding), the back (a refused claim undone) and the middle
// (reservations finishing out of order).
TEST_CASE("AscendingKeyMap matches std::map on random mixed workloads", "[ascending_key_map]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 20; ++round) {
    INFO("round " << round);
    AscendingKeyMap map;
    // Some rounds start with chunks reserved ahead (taken before new ones).
    if (round % 2 == 1) map.reserve(rng() % 5'000);
    std::map<uint64_t, uint64_t> model;
    uint64_t next_key = rng() % 3 == 0 ? 0 : (rng() % 1'000);
    const int key_spacing = 1 + static_cast<int>(rng() % 4);
    const uint64_t random_percent = rng() % 10;
    std::vector<uint64_t> seen;  // Keys ever inserted, for duplicates and re-inserts.
    auto any_key = [&]() -> uint64_t {
      switch (rng() % 6) {
        case 0: return 0;
        case 1: return UINT64_MAX;
        case 2: return rng();
        default:
          return seen.empty() ? next_key : seen[rng() % seen.size()] + (rng() % 3) - 1;
      }
    };
    for (int step = 0; step < 20'000; ++step) {
      const uint64_t op = rng() % 100;
      if (op < 50) {
        uint64_t key;
        if (rng() % 100 < random_percent) {
          key = any_key();
        } else {
          next_key += 1 + rng() % key_spacing;
          key = next_key;
          // Now and then a little behind: out of order.
          if (rng() % 20 == 0) key -= std::min<uint64_t>(key, rng() % 50);
        }
        const uint64_t value = rng();
        REQUIRE(map.insert(key, value) == model.emplace(key, value).second);
        seen.push_back(key);
      } else if (op < 60) {
        if (!seen.empty()) {  // Redelivery of a key inserted before.
          const uint64_t key = seen[rng() % seen.size()];
          const uint64_t value = rng();
          REQUIRE(map.insert(key, value) == model.emplace(key, value).second);
        }
      } else if (op < 72) {
        if (!model.empty()) {
          const uint64_t key = model.begin()->first;  // Front.
          REQUIRE(map.erase(key));
          model.erase(model.begin());
        }
      } else if (op < 82) {
        if (!model.empty()) {
          const uint64_t key = std::prev(model.end())->first;  // Back.
          REQUIRE(map.erase(key));
          model.erase(std::prev(model.end()));
        }
      } else if (op < 97) {
        const uint64_t key = rng() % 2 == 0 && !seen.empty() ? seen[rng() % seen.size()] : any_key();
        REQUIRE(map.erase(key) == (model.erase(key) == 1));
      } else if (op < 98) {
        if (rng() % 2 == 0) {
          // A burst of front erases, as a window expiring many ids at once.
          for (int i = 0; i < 200 && !model.empty(); ++i) {
            REQUIRE(map.erase(model.begin()->first));
            model.erase(model.begin());
          }
        } else {
          // Most keys erased in random order, as reservations finishing out
          // of order: dead entries outnumber live ones and the run compacts.
          std::vector<uint64_t> keys;
          for (const auto& [key, value] : model) keys.push_back(key);
          std::shuffle(keys.begin(), keys.end(), rng);
          keys.resize(keys.size() * 3 / 4);
          for (uint64_t key : keys) {
            REQUIRE(map.erase(key));
            model.erase(key);
          }
        }
      } else {
        // A refused batch: claim a run of fresh keys, then undo newest first.
        std::vector<uint64_t> claimed;
        for (int i = 0; i < 300; ++i) {
          next_key += 1 + rng() % key_spacing;
          if (map.insert(next_key, next_key)) claimed.push_back(next_key);
        }
        for (auto it = claimed.rbegin(); it != claimed.rend(); ++it) REQUIRE(map.erase(*it));
        next_key -= rng() % 200;
      }
      if (step % 250 == 0) {
        REQUIRE(map.size() == model.size());
        REQUIRE(map.run_size() <= 2 * map.size() + 64);
        for (const auto& [key, value] : model) {
          const uint64_t* found = map.find(key);
          REQUIRE(found != nullptr);
          REQUIRE(*found == value);
        }
        for (int i = 0; i < 200; ++i) {
          const uint64_t key = any_key();
          const uint64_t* found = map.find(key);
          auto it = model.find(key);
          REQUIRE((found != nullptr) == (it != model.end()));
          if (found != nullptr) REQUIRE(*found == it->second);
        }
      }
    }
    REQUIRE(map.size() == model.size());
    for (const auto& [key, value] : model) REQUIRE(value_of(map, key) == value);
  }
}

}  // namespace
}  // namespace account::internal
