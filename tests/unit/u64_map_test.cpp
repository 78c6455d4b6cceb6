// U64Map (src/base/u64_map.h) against std::unordered_map on random operations,
// with keys packed as the engine packs execution ids and a small key range
// so that runs collide, wrap around the table's end and are shifted back by
// erase.
#include "base/u64_map.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

namespace account::internal {
namespace {

void check_same(const U64Map& map, const std::unordered_map<uint64_t, uint64_t>& model,
                const std::vector<uint64_t>& keys) {
  REQUIRE(map.size() == model.size());
  for (uint64_t key : keys) {
    const uint64_t* value = map.find(key);
    auto it = model.find(key);
    REQUIRE((value != nullptr) == (it != model.end()));
    if (value != nullptr) REQUIRE(*value == it->second);
  }
}

TEST_CASE("U64Map matches std::unordered_map on random inserts, erases and clears",
          "[u64_map]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> keys{0};  // Key 0 is stored apart from the slots: include it.
  for (uint64_t tick = 1; tick <= 40; ++tick) {
    for (uint64_t seq = 1; seq <= 25; ++seq) keys.push_back(tick << 20 | seq);
  }
  U64Map map;
  std::unordered_map<uint64_t, uint64_t> model;
  for (int step = 0; step < 200'000; ++step) {
    const uint64_t key = keys[rng() % keys.size()];
    const uint64_t op = rng() % 100;
    if (op < 55) {
      const uint64_t value = rng();
      REQUIRE(map.insert(key, value) == model.emplace(key, value).second);
    } else if (op < 99) {
      REQUIRE(map.erase(key) == (model.erase(key) == 1));
    } else if (op == 99 && rng() % 20 == 0) {
      map.clear();
      model.clear();
    }
    if (step % 997 == 0) check_same(map, model, keys);
  }
  check_same(map, model, keys);
}

TEST_CASE("U64Map keeps a sliding window of a million ids", "[u64_map]") {
  U64Map map;
  map.reserve(1'000);
  for (uint64_t id = 1; id <= 1'000'000; ++id) {
    REQUIRE(map.insert(id << 20 | 7, id));
    if (id > 1'000) REQUIRE(map.erase((id - 1'000) << 20 | 7));
  }
  CHECK(map.size() == 1'000);
  CHECK(map.capacity() <= 4'096);  // Erasing leaves no tombstones to grow over.
  CHECK(*map.find(uint64_t{999'999} << 20 | 7) == 999'999);
  CHECK(map.find(uint64_t{999'000} << 20 | 7) == nullptr);
}

}  // namespace
}  // namespace account::internal
