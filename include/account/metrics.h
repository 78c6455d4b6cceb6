// File: metrics.h
//
// Counters, gauges and latency histograms for operators, and their rendering
// in the Prometheus text exposition format (version 0.0.4).
//
//   MetricsRegistry registry;
//   Counter* settled = registry.counter("account_trades_settled_total", "Fills applied.");
//   Histogram* commit = registry.histogram("account_store_commit_seconds",
//                                          "Store commit latency.", latency_buckets_ns());
//   settled->add();                 // one relaxed atomic add: no lock
//   commit->observe_ns(41'000);     // 41 microseconds
//   std::string text = registry.render_prometheus();   // served at /metrics
//
// Units: histograms take nanoseconds and render seconds, as Prometheus names
// them (`_seconds`). Counters are unitless counts.
//
// Registration (counter(), histogram(), gauge()) is for start-up: it takes a
// lock and allocates. It returns a pointer that stays valid as long as the
// registry lives, and the hot path keeps that pointer. Asking again for the
// same name and labels returns the same metric, so two components may share
// one. A name or label that Prometheus would not accept, or one name asked
// for as two kinds of metric, is a programmer error and stops the process.
//
// Thread-safety: every member is safe to call from any thread. Counter::add
// and Histogram::observe_ns are lock-free (relaxed atomic adds on the metric's
// own cells, which the returned pointer addresses directly); a scrape reads
// them without stopping writers, so a histogram's buckets may be a few
// observations apart from each other, never torn within one value. The
// registry's table of metrics sits behind one lock inside the implementation,
// which only registration and scrapes take.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>


namespace account {

// Label pairs of one metric, e.g. {{"endpoint", "league_rosters"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A count that only goes up.
class Counter {
 public:
  void add(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  // Relaxed: a count orders nothing else. Its own cache line, so that two hot
  // counters do not slow each other down.
  alignas(64) std::atomic<uint64_t> value_{0};
};

// Latency distribution over fixed buckets, in nanoseconds.
class Histogram {
 public:
  // `bounds_ns`: the buckets' upper bounds (inclusive), strictly increasing,
  // each > 0, at most kBucketsMax of them; an implicit +Inf bucket follows.
  explicit Histogram(std::vector<int64_t> bounds_ns);

  static constexpr size_t kBucketsMax = 64;

  // Records one observation; negative durations count as 0. Lock-free.
  void observe_ns(int64_t ns) noexcept;

  struct Snapshot {
    std::vector<int64_t> bounds_ns;
    std::vector<uint64_t> cumulative;  // Per bound, then +Inf; non-decreasing.
    uint64_t count = 0;                // == cumulative.back()
    int64_t sum_ns = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<int64_t> bounds_ns_;
  // One slot per bound plus +Inf; fixed size so that observe_ns never
  // allocates or reads a moving vector.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<int64_t> sum_ns_{0};
};

// Buckets for latencies from 1 µs to ~4 s, doubling: 1, 2, 4, ... 4,194,304 µs.
std::vector<int64_t> latency_buckets_ns();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter* counter(std::string_view name, std::string_view help, MetricLabels labels = {});
  Histogram* histogram(std::string_view name, std::string_view help,
                       std::vector<int64_t> bounds_ns, MetricLabels labels = {});
  // A value read at scrape time (queue depth, ticks since the last publish).
  // `read` runs on the scraping thread, under the registry's lock; it must
  // not call back into the registry. Registering the same name and labels
  // again replaces the function.
  void gauge(std::string_view name, std::string_view help, std::function<double()> read,
             MetricLabels labels = {});
  // Drops a gauge's series, for an owner that stops before the registry
  // does (its function would read freed memory). Nothing when absent.
  void remove_gauge(std::string_view name, const MetricLabels& labels = {});

  // Every metric, grouped by name in registration order, each group headed
  // by its # HELP and # TYPE lines.
  std::string render_prometheus() const;

 private:
  // The families of metrics and their lock (src/ops/metrics.cpp).
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
