// RiskCache hot path and publish cost.
//
//   BM_EmptyRead_RiskCache/<fence>                    open and close a guard, nothing else
//   BM_CheckBuy_RiskCache/<fence>/<accounts>          one check per read
//   BM_CheckBuy_MutexMap/<accounts>                   baseline: std::mutex + flat_hash_map
//   BM_CheckBuy_RiskCacheGuarded/<fence>/<accounts>   64 checks per ReadGuard
//   BM_CheckBuy_MutexMapBatched/<accounts>            baseline: 64 checks per lock
//   BM_Publish/<accounts total>/<changed>/<fence>     one publish of <changed> accounts
//
// The check benchmarks run with one reading thread (CPU time) and, at 1,000
// accounts, with two (threads:2, real time); `per_check` is the time per check
// on one thread.
//
// <fence> is 0 for ReaderFence::kSeqCst and 1 for kAsymmetric. Every check
// benchmark runs against a writer thread that publishes (or, for the
// baseline, updates under the mutex) 100 accounts every 1 ms, as the ledger
// does. `per_check` and `per_change` are seconds per check and per changed
// account ("4.1n" is 4.1 ns).
//
// Run: risk_cache_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "absl/container/flat_hash_map.h"
#include "account/risk_cache.h"

namespace account {
namespace {

constexpr uint64_t kSymbolsPerAccount = 4;
// Queries cycle through this many pre-drawn (account, symbol) pairs.
constexpr size_t kQueries = 4'096;
constexpr uint64_t kAccountsChangedPerTick = 100;
constexpr std::chrono::microseconds kTickInterval{1'000};
constexpr int64_t kChecksPerGuard = 64;
constexpr Cents kCashCents{1'000'000};
constexpr Qty kHeadroomQty{1'000 * kBpPerShare};

struct Query {
  AccountId account;
  SymbolId symbol;
};

std::vector<Query> make_queries(uint64_t accounts) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> account(1, accounts);
  std::uniform_int_distribution<uint64_t> symbol(1, kSymbolsPerAccount);
  std::vector<Query> queries(kQueries);
  for (Query& q : queries) q = {AccountId{account(rng)}, SymbolId{symbol(rng)}};
  return queries;
}

// Every account with cash and headroom, and kSymbolsPerAccount positions.
RiskTickChanges full_state(uint64_t accounts, uint64_t symbols_per_account) {
  RiskTickChanges changes{.tick = TickId{1}, .accounts = {}, .positions = {}};
  for (uint64_t a = 1; a <= accounts; ++a) {
    changes.accounts.push_back({AccountId{a}, kCashCents, kCashCents});
    for (uint64_t s = 1; s <= symbols_per_account; ++s) {
      changes.positions.push_back({AccountId{a}, SymbolId{s}, kHeadroomQty, kHeadroomQty});
    }
  }
  return changes;
}

// `count` random accounts, each with its cash and one position changed.
RiskTickChanges random_changes(uint64_t accounts, uint64_t count, std::mt19937_64& rng) {
  std::uniform_int_distribution<uint64_t> account(1, accounts);
  std::uniform_int_distribution<uint64_t> symbol(1, kSymbolsPerAccount);
  std::uniform_int_distribution<int64_t> cents(kCashCents.value() / 2, kCashCents.value());
  RiskTickChanges changes{.tick = TickId{0}, .accounts = {}, .positions = {}};
  for (uint64_t i = 0; i < count; ++i) {
    const AccountId id{account(rng)};
    changes.accounts.push_back({id, Cents{cents(rng)}, kCashCents});
    changes.positions.push_back({id, SymbolId{symbol(rng)}, kHeadroomQty, kHeadroomQty});
  }
  return changes;
}

// Calls `update()` every kTickInterval on its own thread until destroyed.
class PeriodicWriter {
 public:
  template <typename Update>
  explicit PeriodicWriter(Update update)
      : thread_([this, update]() mutable {
          auto next = std::chrono::steady_clock::now();
          while (!stop_.load(std::memory_order_relaxed)) {
            update();
            next += kTickInterval;
            std::this_thread::sleep_until(next);
          }
        }) {}
  ~PeriodicWriter() {
    stop_.store(true);
    thread_.join();
  }
  PeriodicWriter(const PeriodicWriter&) = delete;
  PeriodicWriter& operator=(const PeriodicWriter&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A populated cache per (fence, accounts), built once and shared by every run
// and thread; each reading thread registers its own reader.
struct CacheFixture {
  CacheFixture(ReaderFence fence, uint64_t account_count)
      : accounts(account_count),
        cache(RiskCacheOptions{.readers_max = 8,
                               .default_buy_headroom_qty = kHeadroomQty,
                               .account_id_max = account_count,
                               .reader_fence = fence}),
        queries(make_queries(account_count)) {
    (void)cache.publish(full_state(account_count, kSymbolsPerAccount));
  }

  // The ledger's tick: 100 random accounts change. Runs on the writer thread.
  void publish_tick() {
    RiskTickChanges changes = random_changes(accounts, kAccountsChangedPerTick, rng);
    changes.tick = TickId{cache.published_tick().value() + 1};
    (void)cache.publish(changes);
  }

  const uint64_t accounts;
  RiskCache cache;
  const std::vector<Query> queries;
  std::mt19937_64 rng{7};
};

template <typename Fixture, typename... Args>
Fixture& shared_fixture(Args... args) {
  static std::mutex mu;
  static auto* fixtures = new std::map<std::tuple<Args...>, std::unique_ptr<Fixture>>();
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<Fixture>& fixture = (*fixtures)[{args...}];
  if (fixture == nullptr) fixture = std::make_unique<Fixture>(args...);
  return *fixture;
}

// Per-thread seconds per check, printed with an SI prefix ("4.1n" is 4.1 ns).
void set_per_check_counters(benchmark::State& state, int64_t checks_per_iteration) {
  const int64_t checks = state.iterations() * checks_per_iteration;
  state.SetItemsProcessed(checks);
  state.counters["per_check"] = benchmark::Counter(
      static_cast<double>(checks),
      benchmark::Counter::kIsRate | benchmark::Counter::kAvgThreads | benchmark::Counter::kInvert);
}

ReaderFence fence_arg(int64_t arg) {
  return arg == 0 ? ReaderFence::kSeqCst : ReaderFence::kAsymmetric;
}

const char* fence_label(const RiskCache& cache) {
  return cache.reader_fence() == ReaderFence::kAsymmetric ? "asymmetric" : "seq_cst";
}

// Thread 0 runs the ledger's writer for the duration of the measurement. The
// benchmark library holds every thread at a barrier before and after the
// timed loop, so the writer covers all of it.
template <typename Fixture>
void start_writer(const benchmark::State& state, Fixture& fixture,
                  std::optional<PeriodicWriter>& writer) {
  if (state.thread_index() == 0) writer.emplace([&fixture] { fixture.publish_tick(); });
}

void BM_CheckBuy_RiskCache(benchmark::State& state) {
  CacheFixture& fixture = shared_fixture<CacheFixture>(fence_arg(state.range(0)),
                                                       static_cast<uint64_t>(state.range(1)));
  RiskReader reader = *fixture.cache.register_reader();
  std::optional<PeriodicWriter> writer;
  start_writer(state, fixture, writer);
  size_t i = static_cast<size_t>(state.thread_index()) * 997;
  for (auto _ : state) {
    const Query& q = fixture.queries[i++ & (kQueries - 1)];
    RiskVerdict verdict = reader.check_buy(q.account, q.symbol, Qty{kBpPerShare}, Cents{100});
    benchmark::DoNotOptimize(verdict);
  }
  writer.reset();
  state.SetLabel(fence_label(fixture.cache));
  set_per_check_counters(state, 1);
}

void BM_CheckBuy_RiskCacheGuarded(benchmark::State& state) {
  CacheFixture& fixture = shared_fixture<CacheFixture>(fence_arg(state.range(0)),
                                                       static_cast<uint64_t>(state.range(1)));
  RiskReader reader = *fixture.cache.register_reader();
  std::optional<PeriodicWriter> writer;
  start_writer(state, fixture, writer);
  size_t i = static_cast<size_t>(state.thread_index()) * 997;
  for (auto _ : state) {
    ReadGuard guard = reader.read();
    for (int64_t c = 0; c < kChecksPerGuard; ++c) {
      const Query& q = fixture.queries[i++ & (kQueries - 1)];
      RiskVerdict verdict = guard.check_buy(q.account, q.symbol, Qty{kBpPerShare}, Cents{100});
      benchmark::DoNotOptimize(verdict);
    }
  }
  writer.reset();
  state.SetLabel(fence_label(fixture.cache));
  set_per_check_counters(state, kChecksPerGuard);
}

// The read protocol alone: open and close a guard, read its tick.
void BM_EmptyRead_RiskCache(benchmark::State& state) {
  CacheFixture& fixture = shared_fixture<CacheFixture>(fence_arg(state.range(0)), uint64_t{16});
  RiskReader reader = *fixture.cache.register_reader();
  std::optional<PeriodicWriter> writer;
  start_writer(state, fixture, writer);
  for (auto _ : state) {
    ReadGuard guard = reader.read();
    TickId tick = guard.tick();
    benchmark::DoNotOptimize(tick);
  }
  writer.reset();
  state.SetLabel(fence_label(fixture.cache));
  set_per_check_counters(state, 1);
}

struct PositionKey {
  AccountId account;
  SymbolId symbol;
  friend bool operator==(PositionKey, PositionKey) = default;
  template <typename H>
  friend H AbslHashValue(H h, PositionKey k) {
    return H::combine(std::move(h), k.account, k.symbol);
  }
};

// The obvious alternative: one mutex around two hash maps.
class MutexRiskMap {
 public:
  void apply(const RiskTickChanges& changes) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const AccountRisk& a : changes.accounts) accounts_[a.account] = a;
    for (const PositionRisk& p : changes.positions) positions_[{p.account, p.symbol}] = p;
  }

  RiskVerdict check_buy(AccountId account, SymbolId symbol, Qty qty, Cents notional) {
    std::lock_guard<std::mutex> lock(mu_);
    return check_buy_locked(account, symbol, qty, notional);
  }

  // For a batch of checks under one lock (the engine's per-tick path).
  std::mutex& mutex() { return mu_; }

  // Requires mutex() held.
  RiskVerdict check_buy_locked(AccountId account, SymbolId symbol, Qty qty, Cents notional) {
    auto a = accounts_.find(account);
    if (a == accounts_.end()) return RiskVerdict::kRiskUnavailable;
    if (a->second.available_cash < notional) return RiskVerdict::kInsufficientFunds;
    if (a->second.open_notional_headroom < notional) return RiskVerdict::kExposureExceeded;
    auto p = positions_.find({account, symbol});
    const Qty headroom_qty = p == positions_.end() ? kHeadroomQty : p->second.buy_headroom_qty;
    return headroom_qty < qty ? RiskVerdict::kExposureExceeded : RiskVerdict::kAccept;
  }

 private:
  std::mutex mu_;
  absl::flat_hash_map<AccountId, AccountRisk> accounts_;
  absl::flat_hash_map<PositionKey, PositionRisk> positions_;
};

struct MutexFixture {
  explicit MutexFixture(uint64_t account_count)
      : accounts(account_count), queries(make_queries(account_count)) {
    map.apply(full_state(account_count, kSymbolsPerAccount));
  }
  void publish_tick() { map.apply(random_changes(accounts, kAccountsChangedPerTick, rng)); }

  const uint64_t accounts;
  MutexRiskMap map;
  const std::vector<Query> queries;
  std::mt19937_64 rng{7};
};

void BM_CheckBuy_MutexMap(benchmark::State& state) {
  MutexFixture& fixture = shared_fixture<MutexFixture>(static_cast<uint64_t>(state.range(0)));
  std::optional<PeriodicWriter> writer;
  start_writer(state, fixture, writer);
  size_t i = static_cast<size_t>(state.thread_index()) * 997;
  for (auto _ : state) {
    const Query& q = fixture.queries[i++ & (kQueries - 1)];
    RiskVerdict verdict = fixture.map.check_buy(q.account, q.symbol, Qty{kBpPerShare}, Cents{100});
    benchmark::DoNotOptimize(verdict);
  }
  writer.reset();
  set_per_check_counters(state, 1);
}

// The baseline for BM_CheckBuy_RiskCacheGuarded: one lock per kChecksPerGuard
// checks, as an engine would hold it across one tick's batch of orders.
void BM_CheckBuy_MutexMapBatched(benchmark::State& state) {
  MutexFixture& fixture = shared_fixture<MutexFixture>(static_cast<uint64_t>(state.range(0)));
  std::optional<PeriodicWriter> writer;
  start_writer(state, fixture, writer);
  size_t i = static_cast<size_t>(state.thread_index()) * 997;
  for (auto _ : state) {
    std::lock_guard<std::mutex> lock(fixture.map.mutex());
    for (int64_t c = 0; c < kChecksPerGuard; ++c) {
      const Query& q = fixture.queries[i++ & (kQueries - 1)];
      RiskVerdict verdict =
          fixture.map.check_buy_locked(q.account, q.symbol, Qty{kBpPerShare}, Cents{100});
      benchmark::DoNotOptimize(verdict);
    }
  }
  writer.reset();
  set_per_check_counters(state, kChecksPerGuard);
}

// A populated cache per total account count, shared by the publish runs.
// Each account has one position, and one idle reader is registered.
struct PublishFixture {
  PublishFixture(uint64_t accounts, ReaderFence fence)
      : cache(RiskCacheOptions{.readers_max = 4,
                               .default_buy_headroom_qty = kHeadroomQty,
                               .account_id_max = accounts,
                               .reader_fence = fence}) {
    (void)cache.publish(full_state(accounts, 1));
    reader.emplace(*cache.register_reader());
  }
  RiskCache cache;
  std::optional<RiskReader> reader;
  uint64_t next_tick = 2;
};

void BM_Publish(benchmark::State& state) {
  const uint64_t accounts = static_cast<uint64_t>(state.range(0));
  const uint64_t changed = static_cast<uint64_t>(state.range(1));
  PublishFixture& fixture = shared_fixture<PublishFixture>(accounts, fence_arg(state.range(2)));
  // Several change sets, so that successive publishes touch different accounts.
  std::mt19937_64 rng(11);
  std::vector<RiskTickChanges> sets;
  for (int s = 0; s < 8; ++s) sets.push_back(random_changes(accounts, changed, rng));
  size_t i = 0;
  for (auto _ : state) {
    RiskTickChanges& changes = sets[i++ & 7];
    changes.tick = TickId{fixture.next_tick++};
    absl::Status status = fixture.cache.publish(changes);
    benchmark::DoNotOptimize(status);
  }
  const int64_t changes_total = state.iterations() * static_cast<int64_t>(changed);
  state.SetItemsProcessed(changes_total);
  // Seconds per changed account ("25n" is 25 ns).
  state.counters["per_change"] =
      benchmark::Counter(static_cast<double>(changes_total),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// 16 accounts stay in L1, so the synchronisation cost shows; 1,000 accounts
// stay in L2; 100,000 spill to L3 and DRAM. One reading thread is timed in CPU
// time, so that other load on the machine does not count. Two reading threads
// on two cores show what the mutex's shared cache line costs; they are timed
// in real time, because a thread asleep on the mutex uses no CPU time.
BENCHMARK(BM_EmptyRead_RiskCache)->Arg(0)->Arg(1);
BENCHMARK(BM_CheckBuy_RiskCache)->ArgsProduct({{0, 1}, {16, 1'000, 100'000}});
BENCHMARK(BM_CheckBuy_RiskCacheGuarded)->ArgsProduct({{0, 1}, {16, 1'000, 100'000}});
BENCHMARK(BM_CheckBuy_MutexMap)->Arg(16)->Arg(1'000)->Arg(100'000);
BENCHMARK(BM_CheckBuy_MutexMapBatched)->Arg(16)->Arg(1'000)->Arg(100'000);
BENCHMARK(BM_CheckBuy_RiskCache)
    ->ArgsProduct({{0, 1}, {1'000}})
    ->Threads(2)->UseRealTime();
BENCHMARK(BM_CheckBuy_RiskCacheGuarded)
    ->ArgsProduct({{0, 1}, {1'000}})
    ->Threads(2)->UseRealTime();
BENCHMARK(BM_CheckBuy_MutexMap)->Arg(1'000)->Threads(2)->UseRealTime();
BENCHMARK(BM_CheckBuy_MutexMapBatched)->Arg(1'000)->Threads(2)->UseRealTime();
// Cost against the number of changed accounts, total fixed at 1,000,000.
BENCHMARK(BM_Publish)
    ->ArgsProduct({{1'000'000}, {1, 10, 100, 1'000, 10'000}, {0}})
    ->Unit(benchmark::kMicrosecond);
// Cost against the total, changed fixed at 1,000.
BENCHMARK(BM_Publish)
    ->ArgsProduct({{10'000, 100'000}, {1'000}, {0}})
    ->Unit(benchmark::kMicrosecond);
// The membarrier that kAsymmetric adds to every publish.
BENCHMARK(BM_Publish)->Args({1'000'000, 1, 1})->Args({1'000'000, 1'000, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace account
