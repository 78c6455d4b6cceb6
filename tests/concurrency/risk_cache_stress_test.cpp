// Readers check, inside one guard, several accounts and positions against a
// model of what tick guard.tick() must hold, while the writer publishes
// thousands of ticks that each change a rotating subset. A torn read (values
// from two ticks in one guard), a lost change, or a tick going backwards
// fails the test. Replay a failure with RISK_CACHE_STRESS_SEED=<seed>.
#include "account/risk_cache.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"

namespace account {
namespace {

// The writer publishes at least kTicks ticks, and goes on until every reader
// has made kGuardsPerReaderMin guards, so that reads overlap many publishes
// however the threads are scheduled, or until kWriterDeadline.
#if ACCOUNT_INTERNAL_TSAN
// TSan slows every atomic access by an order of magnitude.
constexpr uint64_t kTicks = 2'000;
constexpr uint64_t kGuardsPerReaderMin = 20'000;
#else
constexpr uint64_t kTicks = 5'000;
constexpr uint64_t kGuardsPerReaderMin = 200'000;
#endif
constexpr std::chrono::seconds kWriterDeadline{4};
// What every reader must have managed even on a starved machine (when the
// deadline, not kGuardsPerReaderMin, ended the run).
constexpr uint64_t kGuardsPerReaderFloor = 1'000;
constexpr int kReaderThreads = 3;
constexpr uint64_t kAccounts = 48;
// More than internal::kInlinePositions, so that both position stores are read.
constexpr uint64_t kSymbols = 7;
// Account ids spread over many 1,024-account pages.
constexpr uint64_t kAccountIdStride = 997;
// Reader 0 gives up its slot and registers again this often.
constexpr uint64_t kGuardsPerRegistration = 512;
constexpr int kReadsPerGuard = 6;
// Readers outnumber cores, and a reader preempted inside a guard holds the
// writer up for a whole time slice; yielding between guards bounds that.
constexpr uint64_t kGuardsPerYield = 8;
constexpr Qty kDefaultHeadroomQty{777};
constexpr int64_t kTickScale = 1'000'000;
constexpr int64_t kHeadroomOffset = 500'000;

AccountId account_id(uint64_t k) { return AccountId{k * kAccountIdStride}; }
SymbolId symbol_id(uint64_t s) { return SymbolId{s}; }

// Account k changes in tick t when (k + t) % 4 == 0; pair (k, s) when
// (k + s + t) % 3 == 0. Returns the last tick <= `tick` that changed it, or 0.
uint64_t last_change(uint64_t key, uint64_t period, uint64_t tick) {
  const uint64_t back = (key + tick) % period;
  return tick > back ? tick - back : 0;
}
bool account_changes(uint64_t k, uint64_t tick) { return (k + tick) % 4 == 0; }
bool position_changes(uint64_t k, uint64_t s, uint64_t tick) { return (k + s + tick) % 3 == 0; }

int64_t cash_at(uint64_t k, uint64_t changed) { return changed * kTickScale + k; }
int64_t headroom_at(uint64_t k, uint64_t changed) { return cash_at(k, changed) + kHeadroomOffset; }
int64_t qty_at(uint64_t k, uint64_t s, uint64_t changed) {
  return changed * kTickScale + k * 10 + s;
}

RiskTickChanges changes_for(uint64_t tick) {
  RiskTickChanges changes{.tick = TickId{tick}, .accounts = {}, .positions = {}};
  for (uint64_t k = 1; k <= kAccounts; ++k) {
    if (account_changes(k, tick)) {
      changes.accounts.push_back(
          {account_id(k), Cents{cash_at(k, tick)}, Cents{headroom_at(k, tick)}});
    }
    for (uint64_t s = 1; s <= kSymbols; ++s) {
      if (!position_changes(k, s, tick)) continue;
      const int64_t qty = qty_at(k, s, tick);
      changes.positions.push_back(
          {account_id(k), symbol_id(s), Qty{qty}, Qty{qty + kHeadroomOffset}});
    }
  }
  return changes;
}

class Failures {
 public:
  void add(std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    if (count_++ == 0) first_ = std::move(message);
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  std::string first() {
    std::lock_guard<std::mutex> lock(mu_);
    return first_;
  }

 private:
  std::mutex mu_;
  int count_ = 0;
  std::string first_;
};

// Checks one account and one pair against the model for the guard's tick.
void check_entry(const ReadGuard& guard, uint64_t k, uint64_t s, Failures& failures) {
  const uint64_t tick = guard.tick().value();
  const uint64_t account_tick = last_change(k, 4, tick);
  const uint64_t pair_tick = last_change(k + s, 3, tick);
  const std::optional<Cents> cash = guard.available_cash(account_id(k));
  const std::optional<Cents> headroom = guard.open_notional_headroom(account_id(k));
  const Qty available_qty = guard.available_qty(account_id(k), symbol_id(s));
  const Qty buy_headroom_qty = guard.buy_headroom_qty(account_id(k), symbol_id(s));

  // -1 stands for "unknown account" (nullopt).
  const int64_t want_cash = account_tick == 0 ? -1 : cash_at(k, account_tick);
  const int64_t want_headroom = account_tick == 0 ? -1 : headroom_at(k, account_tick);
  const int64_t want_qty = pair_tick == 0 ? 0 : qty_at(k, s, pair_tick);
  const int64_t want_buy_headroom_qty =
      pair_tick == 0 ? kDefaultHeadroomQty.value() : want_qty + kHeadroomOffset;
  const int64_t got_cash = cash ? cash->value() : -1;
  const int64_t got_headroom = headroom ? headroom->value() : -1;
  if (got_cash != want_cash || got_headroom != want_headroom ||
      available_qty.value() != want_qty || buy_headroom_qty.value() != want_buy_headroom_qty) {
    failures.add(absl::StrCat("tick ", tick, " account ", k, " symbol ", s, ": cash ", got_cash,
                              " want ", want_cash, "; headroom ", got_headroom, " want ",
                              want_headroom, "; qty ", available_qty.value(), " want ", want_qty,
                              "; buy headroom ", buy_headroom_qty.value(), " want ",
                              want_buy_headroom_qty));
  }
  if (want_cash >= 0 && guard.check_sell(account_id(k), symbol_id(s), Qty{want_qty + 1}) !=
                       RiskVerdict::kInsufficientFunds) {
    failures.add(absl::StrCat("tick ", tick, " account ", k, ": sell above available accepted"));
  }
}

struct ReaderResult {
  // Written by the reader, polled by the writer to decide when to stop.
  std::atomic<uint64_t> guards{0};
  uint64_t reads = 0;
  uint64_t distinct_ticks = 0;
};

// What the writer and the readers share.
struct Run {
  RiskCache& cache;
  uint64_t seed;
  std::atomic<int> ready{0};
  std::atomic<bool> done{false};
  // The last tick published; valid once `done` is set.
  std::atomic<uint64_t> final_tick{0};
  Failures failures;
  std::vector<ReaderResult> results = std::vector<ReaderResult>(kReaderThreads);
};

struct ReaderState {
  std::mt19937_64 rng;
  uint64_t last_tick = 0;
};

// One guard: its tick must not be older than the last one this reader saw,
// and every value read must be the model's value for that tick.
void read_one_guard(RiskReader& reader, bool last, ReaderState& state, Run& run,
                    ReaderResult& result) {
  std::uniform_int_distribution<uint64_t> pick_account(1, kAccounts);
  std::uniform_int_distribution<uint64_t> pick_symbol(1, kSymbols);
  ReadGuard guard = reader.read();
  const uint64_t tick = guard.tick().value();
  if (tick < state.last_tick) {
    run.failures.add(absl::StrCat("tick went back ", state.last_tick, "->", tick));
  }
  if (last && tick != run.final_tick.load()) {
    run.failures.add(absl::StrCat("final tick ", tick, " want ", run.final_tick.load()));
  }
  result.distinct_ticks += tick != state.last_tick ? 1 : 0;
  state.last_tick = tick;
  for (int i = 0; i < kReadsPerGuard; ++i) {
    check_entry(guard, pick_account(state.rng), pick_symbol(state.rng), run.failures);
  }
  result.reads += kReadsPerGuard;
}

void read_until_done(Run& run, int index) {
  ReaderResult& result = run.results[index];
  ReaderState state{.rng = std::mt19937_64(run.seed + static_cast<uint64_t>(index))};
  std::optional<RiskReader> reader(*run.cache.register_reader());
  run.ready.fetch_add(1);
  // One more guard after `done`, so every reader sees the final tick.
  for (bool last = false; !last;) {
    last = run.done.load(std::memory_order_acquire);
    const uint64_t guards = result.guards.load(std::memory_order_relaxed);
    if (index == 0 && guards % kGuardsPerRegistration == 0) {
      reader.reset();
      reader.emplace(*run.cache.register_reader());
    }
    read_one_guard(*reader, last, state, run, result);
    result.guards.store(guards + 1, std::memory_order_relaxed);
    if ((guards + 1) % kGuardsPerYield == 0) std::this_thread::yield();
  }
}

bool readers_want_more(const Run& run) {
  for (const ReaderResult& result : run.results) {
    if (result.guards.load(std::memory_order_relaxed) < kGuardsPerReaderMin) return true;
  }
  return false;
}

// Publishes at least kTicks ticks, and goes on until every reader has made
// kGuardsPerReaderMin guards or the deadline passes. Returns the last tick.
uint64_t publish_ticks(Run& run, int& publish_errors) {
  const auto deadline = std::chrono::steady_clock::now() + kWriterDeadline;
  uint64_t tick = 0;
  while (tick < kTicks ||
         (readers_want_more(run) && std::chrono::steady_clock::now() < deadline)) {
    ++tick;
    publish_errors += run.cache.publish(changes_for(tick)).ok() ? 0 : 1;
    // The real writer publishes once per 1 ms tick; without a pause here it
    // would take a whole core from the readers it is meant to race with.
    std::this_thread::yield();
  }
  return tick;
}

uint64_t stress_seed() {
  const char* env = std::getenv("RISK_CACHE_STRESS_SEED");
  if (env != nullptr) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

TEST_CASE("Readers never see a torn tick while the writer publishes", "[risk_cache][stress]") {
  const ReaderFence fence = GENERATE(ReaderFence::kSeqCst, ReaderFence::kAsymmetric);
  const uint64_t seed = stress_seed();
  std::printf("risk_cache_stress: seed=%llu fence=%d readers=%d\n",
              static_cast<unsigned long long>(seed), static_cast<int>(fence), kReaderThreads);
  CAPTURE(seed);
  RiskCache cache(RiskCacheOptions{.readers_max = kReaderThreads + 1,
                                   .default_buy_headroom_qty = kDefaultHeadroomQty,
                                   .account_id_max = (kAccounts + 1) * kAccountIdStride,
                                   .reader_fence = fence});
  Run run{.cache = cache, .seed = seed, .failures = {}};
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaderThreads; ++i) readers.emplace_back(read_until_done, std::ref(run), i);
  while (run.ready.load() < kReaderThreads) std::this_thread::yield();

  int publish_errors = 0;
  const uint64_t final_tick = publish_ticks(run, publish_errors);
  run.final_tick.store(final_tick);
  run.done.store(true, std::memory_order_release);
  for (std::thread& reader : readers) reader.join();

  CHECK(publish_errors == 0);
  CHECK(cache.published_tick() == TickId{final_tick});
  INFO("first failure: " << run.failures.first());
  CHECK(run.failures.count() == 0);
  uint64_t reads = 0;
  for (const ReaderResult& result : run.results) {
    CHECK(result.guards.load() >= kGuardsPerReaderFloor);
    CHECK(result.distinct_ticks > 1);
    reads += result.reads;
  }
  std::printf("risk_cache_stress: %llu ticks published, %llu reads checked, guards per reader:",
              static_cast<unsigned long long>(final_tick), static_cast<unsigned long long>(reads));
  for (const ReaderResult& result : run.results) {
    std::printf(" %llu", static_cast<unsigned long long>(result.guards.load()));
  }
  std::printf("\n");
}

}  // namespace
}  // namespace account
