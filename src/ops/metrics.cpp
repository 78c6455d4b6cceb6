#include "account/metrics.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "base/mutex.h"
#include "base/check.h"
#include "fmt/format.h"

namespace account {
namespace {

enum Kind : int { kCounter = 0, kGauge = 1, kHistogram = 2 };

constexpr const char* kKindName[] = {"counter", "gauge", "histogram"};

bool metric_name_ok(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Label names may not hold ':' and those starting "__" are reserved.
bool label_name_ok(std::string_view name) {
  if (name.empty() || name.rfind("__", 0) == 0) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void append_escaped(std::string& out, std::string_view text, bool escape_quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// {a="1",b="2"} plus an optional trailing le, or nothing when both are empty.
void append_labels(std::string& out, const MetricLabels& labels, std::string_view le = {}) {
  if (labels.empty() && le.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    append_escaped(out, value, /*escape_quote=*/true);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

// Prometheus parses Go's shortest float form; fmt's "{}" writes the same.
std::string seconds_text(int64_t ns) { return fmt::format("{}", static_cast<double>(ns) / 1e9); }

}  // namespace

Histogram::Histogram(std::vector<int64_t> bounds_ns) : bounds_ns_(std::move(bounds_ns)) {
  ACCOUNT_CHECK(bounds_ns_.size() <= kBucketsMax, "a histogram has at most 64 buckets");
  for (size_t i = 0; i < bounds_ns_.size(); ++i) {
    ACCOUNT_CHECK(bounds_ns_[i] > 0, "histogram bounds are positive");
    ACCOUNT_CHECK(i == 0 || bounds_ns_[i] > bounds_ns_[i - 1],
                  "histogram bounds strictly increase");
  }
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_ns_.size() + 1);
  for (size_t i = 0; i <= bounds_ns_.size(); ++i) {
    buckets_[i].store(0, std::memory_order_relaxed);
  }
}

void Histogram::observe_ns(int64_t ns) noexcept {
  ns = std::max<int64_t>(ns, 0);
  // First bound >= ns: bounds are inclusive upper limits ("le").
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(bounds_ns_.begin(), bounds_ns_.end(), ns) - bounds_ns_.begin());
  // Relaxed: each slot is an independent count; a scrape tolerates seeing
  // one observation in the sum before its bucket.
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(ns, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snap;
  snap.bounds_ns = bounds_ns_;
  snap.cumulative.reserve(bounds_ns_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_ns_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snap.cumulative.push_back(running);
  }
  // The count is the +Inf bucket by construction, so the rendered
  // histogram is self-consistent even while writers run.
  snap.count = running;
  snap.sum_ns = sum_ns_.load(std::memory_order_relaxed);
  return snap;
}

std::vector<int64_t> latency_buckets_ns() {
  std::vector<int64_t> bounds;
  for (int i = 0; i <= 22; ++i) bounds.push_back(int64_t{1'000} << i);
  return bounds;
}

namespace {

struct Family {
  std::string name;
  std::string help;
  int kind = kCounter;
  struct Series {
    MetricLabels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> gauge;
  };
  std::vector<Series> series;

  Series* find(const MetricLabels& labels) {
    for (Series& s : series) {
      if (s.labels == labels) return &s;
    }
    return nullptr;
  }
};

}  // namespace

// The registry's table. Counters and histograms are heap cells of their own
// (unique_ptr), so the pointers handed out stay put while the table grows,
// and an update touches only its cell, never this lock.
class MetricsRegistry::Impl {
 public:
  Family& family_for(std::string_view name, std::string_view help, int kind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  mutable internal::Mutex mu;
  std::vector<std::unique_ptr<Family>> families ABSL_GUARDED_BY(mu);
};

MetricsRegistry::MetricsRegistry() : impl_(std::make_unique<Impl>()) {}
MetricsRegistry::~MetricsRegistry() = default;

Family& MetricsRegistry::Impl::family_for(std::string_view name, std::string_view help, int kind) {
  ACCOUNT_CHECK(metric_name_ok(name), "metric names match [a-zA-Z_:][a-zA-Z0-9_:]*");
  for (const std::unique_ptr<Family>& family : families) {
    if (family->name == name) {
      ACCOUNT_CHECK(family->kind == kind, "one metric name, one kind of metric");
      return *family;
    }
  }
  auto family = std::make_unique<Family>();
  family->name = std::string(name);
  family->help = std::string(help);
  family->kind = kind;
  families.push_back(std::move(family));
  return *families.back();
}

namespace {
void check_labels(const MetricLabels& labels, int kind) {
  for (const auto& [name, value] : labels) {
    ACCOUNT_CHECK(label_name_ok(name), "label names match [a-zA-Z_][a-zA-Z0-9_]*, not __*");
    ACCOUNT_CHECK(!(kind == kHistogram && name == "le"), "`le` is the histogram's own label");
  }
}
}  // namespace

Counter* MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  MetricLabels labels) {
  check_labels(labels, kCounter);
  internal::MutexLock lock(&impl_->mu);
  Family& family = impl_->family_for(name, help, kCounter);
  if (Family::Series* s = family.find(labels)) return s->counter.get();
  family.series.push_back({std::move(labels), std::make_unique<Counter>(), nullptr, nullptr});
  return family.series.back().counter.get();
}

Histogram* MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      std::vector<int64_t> bounds_ns, MetricLabels labels) {
  check_labels(labels, kHistogram);
  internal::MutexLock lock(&impl_->mu);
  Family& family = impl_->family_for(name, help, kHistogram);
  if (Family::Series* s = family.find(labels)) return s->histogram.get();
  family.series.push_back(
      {std::move(labels), nullptr, std::make_unique<Histogram>(std::move(bounds_ns)), nullptr});
  return family.series.back().histogram.get();
}

void MetricsRegistry::gauge(std::string_view name, std::string_view help,
                            std::function<double()> read, MetricLabels labels) {
  check_labels(labels, kGauge);
  ACCOUNT_CHECK(read != nullptr, "a gauge needs a function to read");
  internal::MutexLock lock(&impl_->mu);
  Family& family = impl_->family_for(name, help, kGauge);
  if (Family::Series* s = family.find(labels)) {
    s->gauge = std::move(read);
    return;
  }
  family.series.push_back({std::move(labels), nullptr, nullptr, std::move(read)});
}

void MetricsRegistry::remove_gauge(std::string_view name, const MetricLabels& labels) {
  internal::MutexLock lock(&impl_->mu);
  for (const std::unique_ptr<Family>& family : impl_->families) {
    if (family->name != name || family->kind != kGauge) continue;
    std::erase_if(family->series, [&](const Family::Series& s) { return s.labels == labels; });
  }
}

std::string MetricsRegistry::render_prometheus() const {
  std::string out;
  internal::MutexLock lock(&impl_->mu);
  for (const std::unique_ptr<Family>& family : impl_->families) {
    if (family->series.empty()) continue;  // Every gauge of it was removed.
    out += "# HELP ";
    out += family->name;
    out += ' ';
    append_escaped(out, family->help, /*escape_quote=*/false);
    out += "\n# TYPE ";
    out += family->name;
    out += ' ';
    out += kKindName[family->kind];
    out += '\n';
    for (const Family::Series& series : family->series) {
      if (family->kind == kCounter) {
        out += family->name;
        append_labels(out, series.labels);
        fmt::format_to(std::back_inserter(out), " {}\n", series.counter->value());
      } else if (family->kind == kGauge) {
        out += family->name;
        append_labels(out, series.labels);
        fmt::format_to(std::back_inserter(out), " {}\n", series.gauge());
      } else {
        const Histogram::Snapshot snap = series.histogram->snapshot();
        for (size_t i = 0; i <= snap.bounds_ns.size(); ++i) {
          const std::string le =
              i < snap.bounds_ns.size() ? seconds_text(snap.bounds_ns[i]) : std::string("+Inf");
          out += family->name;
          out += "_bucket";
          append_labels(out, series.labels, le);
          fmt::format_to(std::back_inserter(out), " {}\n", snap.cumulative[i]);
        }
        out += family->name;
        out += "_sum";
        append_labels(out, series.labels);
        out += ' ';
        out += seconds_text(snap.sum_ns);
        out += '\n';
        out += family->name;
        out += "_count";
        append_labels(out, series.labels);
        fmt::format_to(std::back_inserter(out), " {}\n", snap.count);
      }
    }
  }
  return out;
}

}  // namespace account
