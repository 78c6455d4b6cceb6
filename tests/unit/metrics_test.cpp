// Metrics: counters, gauges and histograms, rendered as Prometheus text and
// read back with a strict parser (support/prometheus_text.h).
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "account/metrics.h"
#include "support/prometheus_text.h"

namespace account {
namespace {

using testing::parse_prometheus_text;
using testing::PrometheusText;

PrometheusText scrape(const MetricsRegistry& registry) {
  const std::string text = registry.render_prometheus();
  PrometheusText parsed = parse_prometheus_text(text);
  INFO(text);
  REQUIRE(parsed.error == "");
  return parsed;
}

TEST_CASE("a counter renders its count with HELP and TYPE", "[metrics]") {
  MetricsRegistry registry;
  Counter* settled = registry.counter("account_trades_settled_total", "Fills applied.");
  settled->add();
  settled->add(41);

  const PrometheusText parsed = scrape(registry);
  const auto* family = parsed.family("account_trades_settled_total");
  REQUIRE(family != nullptr);
  CHECK(family->type == "counter");
  CHECK(family->help == "Fills applied.");
  CHECK(parsed.value("account_trades_settled_total") == 42.0);
}

TEST_CASE("asking twice for one name and labels gives the same metric", "[metrics]") {
  MetricsRegistry registry;
  Counter* a = registry.counter("account_sleeper_calls_total", "Calls.", {{"endpoint", "user"}});
  Counter* b = registry.counter("account_sleeper_calls_total", "Calls.", {{"endpoint", "user"}});
  Counter* c = registry.counter("account_sleeper_calls_total", "Calls.", {{"endpoint", "state"}});
  CHECK(a == b);
  CHECK(a != c);
  a->add(2);
  c->add(5);

  const PrometheusText parsed = scrape(registry);
  const auto* family = parsed.family("account_sleeper_calls_total");
  REQUIRE(family != nullptr);
  CHECK(family->samples.size() == 2);
  CHECK(parsed.value("account_sleeper_calls_total", {{"endpoint", "user"}}) == 2.0);
  CHECK(parsed.value("account_sleeper_calls_total", {{"endpoint", "state"}}) == 5.0);
}

TEST_CASE("label values are escaped and read back unchanged", "[metrics]") {
  MetricsRegistry registry;
  const std::string odd = "a \"quoted\" back\\slash and\nnewline";
  registry.counter("account_odd_total", "Odd labels.", {{"value", odd}})->add(3);
  const PrometheusText parsed = scrape(registry);
  CHECK(parsed.value("account_odd_total", {{"value", odd}}) == 3.0);
}

TEST_CASE("help text with a newline or backslash stays on one line", "[metrics]") {
  MetricsRegistry registry;
  registry.counter("account_help_total", "first line\nsecond \\ line")->add();
  const PrometheusText parsed = scrape(registry);
  REQUIRE(parsed.family("account_help_total") != nullptr);
  CHECK(parsed.family("account_help_total")->help == "first line\\nsecond \\\\ line");
}

TEST_CASE("a histogram renders cumulative buckets in seconds, sum and count", "[metrics]") {
  MetricsRegistry registry;
  Histogram* commit = registry.histogram("account_store_commit_seconds", "Commit latency.",
                                         {1'000, 10'000, 100'000});
  commit->observe_ns(500);        // <= 1 µs
  commit->observe_ns(1'000);      // == 1 µs: bounds are inclusive
  commit->observe_ns(7'000);      // <= 10 µs
  commit->observe_ns(2'000'000);  // +Inf
  commit->observe_ns(-5);         // clamps to 0

  const PrometheusText parsed = scrape(registry);
  const auto* family = parsed.family("account_store_commit_seconds");
  REQUIRE(family != nullptr);
  CHECK(family->type == "histogram");
  CHECK(parsed.value("account_store_commit_seconds_bucket", {{"le", "1e-06"}}) == 3.0);
  CHECK(parsed.value("account_store_commit_seconds_bucket", {{"le", "1e-05"}}) == 4.0);
  CHECK(parsed.value("account_store_commit_seconds_bucket", {{"le", "0.0001"}}) == 4.0);
  CHECK(parsed.value("account_store_commit_seconds_bucket", {{"le", "+Inf"}}) == 5.0);
  CHECK(parsed.value("account_store_commit_seconds_count") == 5.0);
  const auto sum = parsed.value("account_store_commit_seconds_sum");
  REQUIRE(sum.has_value());
  CHECK(*sum == Approx(0.0020085).epsilon(1e-9));
}

TEST_CASE("a histogram with labels puts le after them", "[metrics]") {
  MetricsRegistry registry;
  registry.histogram("account_settlement_seconds", "Settlement latency.", {1'000},
                     {{"path", "batch"}})
      ->observe_ns(10);
  const PrometheusText parsed = scrape(registry);
  CHECK(parsed.value("account_settlement_seconds_bucket", {{"path", "batch"}, {"le", "1e-06"}}) ==
        1.0);
  CHECK(parsed.value("account_settlement_seconds_count", {{"path", "batch"}}) == 1.0);
}

TEST_CASE("a gauge is read when scraped", "[metrics]") {
  MetricsRegistry registry;
  double ticks = 3;
  registry.gauge("account_risk_ticks_since_publish", "Ticks since the last publish.",
                 [&ticks] { return ticks; });
  CHECK(scrape(registry).value("account_risk_ticks_since_publish") == 3.0);
  ticks = 11;
  CHECK(scrape(registry).value("account_risk_ticks_since_publish") == 11.0);
  // The family lives in the parsed text: keep it alive while it is read.
  const auto text = scrape(registry);
  const auto* family = text.family("account_risk_ticks_since_publish");
  REQUIRE(family != nullptr);
  CHECK(family->type == "gauge");
}

TEST_CASE("a removed gauge is no longer read or rendered", "[metrics]") {
  MetricsRegistry registry;
  int reads = 0;
  registry.gauge("account_fills_queued", "Queued.", [&reads] { return ++reads; });
  CHECK(scrape(registry).value("account_fills_queued") == 1.0);
  registry.remove_gauge("account_fills_queued");
  const PrometheusText parsed = scrape(registry);
  CHECK(parsed.family("account_fills_queued") == nullptr);
  CHECK(reads == 1);
  registry.remove_gauge("account_never_registered");  // no effect
}

TEST_CASE("the default latency buckets double from 1 microsecond", "[metrics]") {
  const std::vector<int64_t> bounds = latency_buckets_ns();
  REQUIRE(bounds.size() == 23);
  CHECK(bounds.front() == 1'000);
  CHECK(bounds.back() == int64_t{1'000} << 22);
  for (size_t i = 1; i < bounds.size(); ++i) CHECK(bounds[i] == 2 * bounds[i - 1]);
}

TEST_CASE("counts from many threads are all kept", "[metrics]") {
  MetricsRegistry registry;
  Counter* counter = registry.counter("account_parallel_total", "Parallel adds.");
  Histogram* histogram =
      registry.histogram("account_parallel_seconds", "Parallel observations.", {1'000, 2'000});
  constexpr int kThreads = 4;
  constexpr int kAdds = 100'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAdds; ++i) {
        counter->add();
        histogram->observe_ns(500 * (t + 1));  // 500, 1000, 1500, 2000 ns
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(counter->value() == uint64_t{kThreads} * kAdds);
  const Histogram::Snapshot snap = histogram->snapshot();
  CHECK(snap.count == uint64_t{kThreads} * kAdds);
  CHECK(snap.cumulative == std::vector<uint64_t>{2 * kAdds, 4 * kAdds, 4 * kAdds});
  CHECK(snap.sum_ns == int64_t{kAdds} * (500 + 1'000 + 1'500 + 2'000));
}

}  // namespace
}  // namespace account
