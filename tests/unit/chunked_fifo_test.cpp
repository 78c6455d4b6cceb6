// ChunkedFifo (src/base/chunked_fifo.h) against std::deque, and its reuse of
// memory: after reserve(), and in steady state, pushes make no chunk.
#include "base/chunked_fifo.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>
#include <random>
#include <utility>

namespace account::internal {
namespace {

using Element = std::pair<int64_t, uint64_t>;  // As the ledger's (finish time, id).

TEST_CASE("ChunkedFifo matches std::deque over random pushes and pops", "[chunked_fifo]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  ChunkedFifo<Element> fifo;
  std::deque<Element> model;
  uint64_t pushed = 0;
  for (int step = 0; step < 200'000; ++step) {
    // Runs of pushes and pops of up to 3,000, so the queue empties, refills
    // and crosses chunk boundaries in every phase.
    const bool push = (step / 3'000) % 2 == 0 ? rng() % 4 != 0 : rng() % 4 == 0;
    if (push) {
      fifo.emplace_back(static_cast<int64_t>(pushed), pushed * 7);
      model.emplace_back(static_cast<int64_t>(pushed), pushed * 7);
      ++pushed;
    } else if (!model.empty()) {
      REQUIRE(fifo.front() == model.front());
      fifo.pop_front();
      model.pop_front();
    }
    REQUIRE(fifo.size() == model.size());
    REQUIRE(fifo.empty() == model.empty());
    if (!model.empty()) REQUIRE(fifo.front() == model.front());
  }
  while (!model.empty()) {
    REQUIRE(fifo.front() == model.front());
    fifo.pop_front();
    model.pop_front();
  }
  CHECK(fifo.empty());
}

TEST_CASE("ChunkedFifo::reserve makes the chunks of the pushes it covers", "[chunked_fifo]") {
  ChunkedFifo<Element> fifo;
  fifo.emplace_back(1, 1);  // The next pushes start within a chunk.
  fifo.reserve(5'000);
  const size_t made = fifo.chunks_made();
  CHECK(made == 1 + (5'000 + 1'023) / 1'024 + 1);
  for (uint64_t i = 0; i < 5'000; ++i) fifo.emplace_back(static_cast<int64_t>(i), i);
  CHECK(fifo.chunks_made() == made);
  CHECK(fifo.size() == 5'001);
  CHECK(fifo.front() == Element{1, 1});
}

TEST_CASE("ChunkedFifo in steady state reuses its chunks", "[chunked_fifo]") {
  ChunkedFifo<Element> fifo;
  // A retention window of 10,000 elements: push one, pop one, a million times.
  for (uint64_t i = 0; i < 10'000; ++i) fifo.emplace_back(static_cast<int64_t>(i), i);
  const size_t made = fifo.chunks_made();
  for (uint64_t i = 10'000; i < 1'010'000; ++i) {
    fifo.emplace_back(static_cast<int64_t>(i), i);
    REQUIRE(fifo.front().second == i - 10'000);
    fifo.pop_front();
  }
  // At most one chunk more than the window needed while it straddled chunks.
  CHECK(fifo.chunks_made() <= made + 1);
  CHECK(fifo.size() == 10'000);
}

TEST_CASE("ChunkedFifo emptied mid-chunk starts the next push afresh", "[chunked_fifo]") {
  ChunkedFifo<Element> fifo;
  for (int round = 0; round < 5; ++round) {
    for (int64_t i = 0; i < 700; ++i) fifo.emplace_back(i, static_cast<uint64_t>(round));
    for (int64_t i = 0; i < 700; ++i) {
      REQUIRE(fifo.front() == Element{i, static_cast<uint64_t>(round)});
      fifo.pop_front();
    }
    REQUIRE(fifo.empty());
  }
  CHECK(fifo.chunks_made() == 1);
}

}  // namespace
}  // namespace account::internal
