// TradeRing (src/ledger/trade_ring.h) and ExecutionWindow (src/ledger/execution_window.h)
// against std::deque: the in-memory trade history and dedupe window keep
// exactly the newest entries, in order, while they grow and wrap.
#include "ledger/trade_ring.h"

#include <catch2/catch.hpp>

#include <deque>
#include <random>

#include "ledger/execution_window.h"

namespace account::internal {
namespace {

Trade trade(uint64_t n) { return Trade{.execution = ExecutionId{n}, .qty = Qty{1}}; }

TEST_CASE("TradeRing keeps the newest trades up to its cap, newest first", "[trade_ring]") {
  for (size_t cap : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{1'000}}) {
    INFO("cap " << cap);
    TradeRing ring;
    std::deque<Trade> model;
    for (uint64_t n = 1; n <= 2'500; ++n) {
      model.push_back(trade(n));
      const bool dropped = model.size() > cap;
      if (dropped) model.pop_front();
      REQUIRE(ring.push_back(trade(n), cap) == dropped);
      REQUIRE(ring.size() == model.size());
      if (n % 97 != 0 && n != 2'500) continue;
      const std::vector<Trade> newest = ring.newest_first(5);
      REQUIRE(newest.size() == std::min<size_t>(5, model.size()));
      for (size_t i = 0; i < newest.size(); ++i) REQUIRE(newest[i] == model[model.size() - 1 - i]);
      std::vector<Trade> all;
      ring.for_each([&](const Trade& t) { all.push_back(t); });
      REQUIRE(std::equal(all.begin(), all.end(), model.begin(), model.end()));
    }
  }
}

TEST_CASE("ExecutionWindow finds exactly the fills it holds while it grows and slides",
          "[execution_window]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  ExecutionWindow window;
  // With memory reserved ahead for part of the run, or none.
  SECTION("reserved") { window.reserve(10'000); }
  SECTION("not reserved") {}
  std::deque<Fill> model;
  uint64_t next = 1;
  for (int step = 0; step < 50'000; ++step) {
    if (model.empty() || rng() % 3 != 0) {
      const Fill fill{.execution = ExecutionId{next << 20 | 1}, .qty = Qty{int64_t(next)}};
      ++next;
      window.push_back(fill);
      model.push_back(fill);
    } else {
      REQUIRE(window.front() == model.front());
      window.pop_front();
      model.pop_front();
    }
    REQUIRE(window.size() == model.size());
    if (step % 101 != 0) continue;
    for (const Fill& f : model) REQUIRE(*window.find(f.execution) == f);
    const uint64_t gone = model.empty() ? next - 1 : (model.front().execution.value() >> 20) - 1;
    if (gone > 0) CHECK(window.find(ExecutionId{gone << 20 | 1}) == nullptr);
  }
}

}  // namespace
}  // namespace account::internal
