// Cost of counting on the hot path: Counter::add and Histogram::observe_ns
// against the obvious alternative, a std::mutex around a plain count, in
// the same run. ->Threads(2) runs the loop on two threads at once, sharing
// one metric, which is what two engine threads counting do.
#include <cstdint>
#include <mutex>
#include <vector>

#include <benchmark/benchmark.h>

#include "account/metrics.h"

namespace {

account::MetricsRegistry& registry() {
  static account::MetricsRegistry r;
  return r;
}

void BM_CounterAdd(benchmark::State& state) {
  account::Counter* counter = registry().counter("bench_counter_total", "Benchmark.");
  for (auto _ : state) counter->add();
  benchmark::DoNotOptimize(counter->value());
}
BENCHMARK(BM_CounterAdd)->Threads(1)->Threads(2);

struct LockedCount {
  std::mutex mu;
  uint64_t value = 0;
};

void BM_Baseline_MutexCounterAdd(benchmark::State& state) {
  static LockedCount count;
  for (auto _ : state) {
    std::lock_guard<std::mutex> lock(count.mu);
    ++count.value;
  }
  benchmark::DoNotOptimize(count.value);
}
BENCHMARK(BM_Baseline_MutexCounterAdd)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
  account::Histogram* histogram =
      registry().histogram("bench_latency_seconds", "Benchmark.", account::latency_buckets_ns());
  int64_t ns = 1'000 + state.thread_index() * 7'919;
  for (auto _ : state) {
    histogram->observe_ns(ns);
    ns = (ns * 33 + 17) % 5'000'000;  // wander over the buckets
  }
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2);

struct LockedHistogram {
  std::mutex mu;
  std::vector<int64_t> bounds = account::latency_buckets_ns();
  std::vector<uint64_t> counts = std::vector<uint64_t>(bounds.size() + 1);
  int64_t sum = 0;
};

void BM_Baseline_MutexHistogramObserve(benchmark::State& state) {
  static LockedHistogram h;
  int64_t ns = 1'000 + state.thread_index() * 7'919;
  for (auto _ : state) {
    {
      std::lock_guard<std::mutex> lock(h.mu);
      size_t i = 0;
      while (i < h.bounds.size() && h.bounds[i] < ns) ++i;
      ++h.counts[i];
      h.sum += ns;
    }
    ns = (ns * 33 + 17) % 5'000'000;
  }
}
BENCHMARK(BM_Baseline_MutexHistogramObserve)->Threads(1)->Threads(2);

}  // namespace
