// The random draws of the two seeded drivers: the ledger model test
// (tests/unit/ledger_model_test.cpp) and the simulator
// (tests/simulation/simulator.cpp). A driver derives from RandomDraws, which
// owns the generator its seed starts. Each draw takes from the generator
// exactly what the drivers took before they shared this, so a seed still
// replays the run it named.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace account::testing {

class RandomDraws {
 protected:
  explicit RandomDraws(uint64_t seed) : rng_(seed) {}

  // Uniform in [lo, hi].
  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  // True with probability p; p <= 0 is false without a draw, p >= 1 true.
  bool chance(double p) { return p > 0 && std::bernoulli_distribution(std::min(p, 1.0))(rng_); }
  template <typename T>
  const T& one_of(const std::vector<T>& xs) {
    return xs[static_cast<size_t>(uniform(0, static_cast<int64_t>(xs.size()) - 1))];
  }
  // One of the values, each with the chance its weight (> 0) gives it.
  template <typename T>
  T weighted(const std::vector<std::pair<T, int>>& weights) {
    int total = 0;
    for (const auto& [value, weight] : weights) total += weight;
    int x = static_cast<int>(uniform(0, total - 1));
    for (const auto& [value, weight] : weights) {
      if (x < weight) return value;
      x -= weight;
    }
    return weights.back().first;  // Not reached: x < total.
  }

  std::mt19937_64 rng_;
};

}  // namespace account::testing
