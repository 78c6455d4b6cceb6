#include "account/health.h"

#include <iterator>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "account/risk_cache.h"
#include "account/fantasy/sleeper_client.h"
#include "account/store.h"
#include "fmt/format.h"
#include "base/json_text.h"

namespace account {
namespace {

std::string text_of(const absl::Status& status) {
  return fmt::format("{}: {}", absl::StatusCodeToString(status.code()),
                     std::string(status.message()));
}

// Runs one probe and times it with the monotonic clock: a health check's
// latency is itself worth seeing.
template <typename Probe>
HealthCheckResult timed(std::string name, Probe&& probe) {
  const absl::Time start = absl::Now();
  HealthCheckResult result = probe();
  result.name = std::move(name);
  result.took = absl::Now() - start;
  return result;
}

HealthCheckResult from_status(const absl::Status& status) {
  return HealthCheckResult{.ok = status.ok(), .detail = status.ok() ? "" : text_of(status)};
}

HealthCheckResult risk_freshness(const HealthProbes& probes) {
  if (!probes.current_tick) return {.ok = false, .detail = "no current_tick probe given"};
  const uint64_t now = probes.current_tick().value();
  const uint64_t published = probes.risk_cache->published_tick().value();
  if (published == 0) {
    return {.ok = false, .detail = fmt::format("nothing published yet (engine at tick {})", now)};
  }
  const uint64_t behind = now > published ? now - published : 0;
  std::string detail =
      fmt::format("{} ticks since the last publish (tick {})", behind, published);
  const bool fresh = behind <= probes.stale_ticks_max;
  if (!fresh) detail += fmt::format(", more than {}", probes.stale_ticks_max);
  return {.ok = fresh, .detail = std::move(detail)};
}

}  // namespace

bool HealthReport::healthy() const {
  for (const HealthCheckResult& check : checks) {
    if (!check.ok) return false;
  }
  return true;
}

std::string HealthReport::to_json() const {
  std::string out = fmt::format("{{\"status\":\"{}\",\"checks\":[", healthy() ? "ok" : "unhealthy");
  for (size_t i = 0; i < checks.size(); ++i) {
    const HealthCheckResult& check = checks[i];
    if (i > 0) out += ',';
    out += "{\"name\":";
    internal::append_json_string(out, check.name);
    out += check.ok ? ",\"ok\":true" : ",\"ok\":false";
    out += ",\"detail\":";
    internal::append_json_string(out, check.detail);
    fmt::format_to(std::back_inserter(out), ",\"took_ms\":{:.3f}}}",
                   absl::ToDoubleMilliseconds(check.took));
  }
  out += "]}";
  return out;
}

HealthReport health_check(const HealthProbes& probes) {
  HealthReport report;
  if (probes.store != nullptr) {
    report.checks.push_back(timed("store", [&] { return from_status(probes.store->ping()); }));
  }
  if (probes.sleeper != nullptr) {
    report.checks.push_back(
        timed("sleeper", [&] { return from_status(probes.sleeper->nfl_state().status()); }));
  }
  if (probes.risk_cache != nullptr) {
    report.checks.push_back(timed("risk_cache", [&] { return risk_freshness(probes); }));
  }
  return report;
}

}  // namespace account
