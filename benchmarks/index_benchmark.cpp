// The ledger's u64 indexes over a million ids, AscendingKeyMap against U64Map (src/), each on
// the same keys in the same run:
//
//   BM_Window<Map>        a dedupe window: insert a fresh execution id (tick << 20 | sequence,
//                         1,000 a tick), erase the id a million before it
//   BM_FindFresh<Map>     find a fresh id in a window of a million: the settlement path's
//                         duplicate check, which almost always misses
//   BM_FindStored<Map>    find a random one of a million stored order ids: a fill looking up a
//                         resting order
//   BM_FindStoredGappy<Map>  the same over ids with random gaps of 1 to 64, where interpolating
//                         within a chunk guesses less well
//
// items_per_second is operations per second.
//
//   build/release/benchmarks/index_benchmark
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "base/ascending_key_map.h"
#include "base/u64_map.h"

namespace {

using account::internal::AscendingKeyMap;
using account::internal::U64Map;

constexpr uint64_t kStored = 1'000'000;

uint64_t execution_id(uint64_t n) { return (n / 1'000 + 1) << 20 | (n % 1'000 + 1); }

template <typename Map>
void BM_Window(benchmark::State& state) {
  Map map;
  for (uint64_t n = 0; n < kStored; ++n) map.insert(execution_id(n), n);
  uint64_t n = kStored;
  for (auto _ : state) {
    benchmark::DoNotOptimize(map.insert(execution_id(n), n));
    benchmark::DoNotOptimize(map.erase(execution_id(n - kStored)));
    ++n;
  }
  state.SetItemsProcessed(state.iterations());
}

template <typename Map>
void BM_FindFresh(benchmark::State& state) {
  Map map;
  for (uint64_t n = 0; n < kStored; ++n) map.insert(execution_id(n), n);
  uint64_t n = kStored;
  for (auto _ : state) benchmark::DoNotOptimize(map.find(execution_id(n++)));
  state.SetItemsProcessed(state.iterations());
}

template <typename Map>
void find_stored(benchmark::State& state, uint64_t gap_max) {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> keys;
  keys.reserve(kStored);
  uint64_t key = 0;
  for (uint64_t n = 0; n < kStored; ++n) keys.push_back(key += 1 + rng() % gap_max);
  Map map;
  for (uint64_t k : keys) map.insert(k, k);
  // As many probes as keys, so that the probed slots do not fit in a cache.
  std::vector<uint64_t> probes(1 << 20);
  for (uint64_t& p : probes) p = keys[rng() % keys.size()];
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(map.find(probes[i]));
    i = (i + 1) & (probes.size() - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

template <typename Map>
void BM_FindStored(benchmark::State& state) {
  find_stored<Map>(state, 1);
}

template <typename Map>
void BM_FindStoredGappy(benchmark::State& state) {
  find_stored<Map>(state, 64);
}

BENCHMARK_TEMPLATE(BM_Window, AscendingKeyMap);
BENCHMARK_TEMPLATE(BM_Window, U64Map);
BENCHMARK_TEMPLATE(BM_FindFresh, AscendingKeyMap);
BENCHMARK_TEMPLATE(BM_FindFresh, U64Map);
BENCHMARK_TEMPLATE(BM_FindStored, AscendingKeyMap);
BENCHMARK_TEMPLATE(BM_FindStored, U64Map);
BENCHMARK_TEMPLATE(BM_FindStoredGappy, AscendingKeyMap);
BENCHMARK_TEMPLATE(BM_FindStoredGappy, U64Map);

}  // namespace
