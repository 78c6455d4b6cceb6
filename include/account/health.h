// File: health.h
//
// health_check(): is this process fit to take orders? It asks each
// dependency it is given and reports every answer, so an operator sees all
// that is wrong at once.
//
//   HealthProbes probes{.store = store.get(), .sleeper = sleeper.get(),
//                       .risk_cache = &service->risk_cache(),
//                       .current_tick = [&] { return engine.current_tick(); }};
//   HealthReport report = health_check(probes);
//   respond(report.healthy() ? 200 : 503, report.to_json());
//
// Checks, each named in the report:
//   store       Store::ping() answers OK (PostgreSQL: a round trip, SELECT 1)
//   sleeper     SleeperClient::nfl_state() answers (one real call to Sleeper)
//   risk_cache  the newest published tick is at most stale_ticks_max behind
//               the engine's current tick (ticks since the last publish);
//               nothing published yet counts as stale
// A probe left null is not checked and not reported.
//
// Thread-safety: safe from any thread when the probes are; each check may
// block on I/O (store, Sleeper), so never call it on the hot path.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "account/ids.h"

namespace account {

class Store;
class SleeperClient;
class RiskCache;

struct HealthProbes {
  Store* store = nullptr;
  SleeperClient* sleeper = nullptr;
  const RiskCache* risk_cache = nullptr;
  // The engine's tick now; required when risk_cache is set.
  std::function<TickId()> current_tick;
  // With the engine's 1 ms tick, 1,000 ticks is one second without a publish.
  uint64_t stale_ticks_max = 1'000;
};

struct HealthCheckResult {
  std::string name;    // "store", "sleeper", "risk_cache"
  bool ok = false;
  std::string detail;  // Why it failed, or a figure ("3 ticks since the last publish").
  absl::Duration took;
};

struct HealthReport {
  std::vector<HealthCheckResult> checks;

  // True when every check passed (and when there were none).
  bool healthy() const;
  // {"status":"ok"|"unhealthy","checks":[{"name":...,"ok":...,"detail":...,"took_ms":...}]}
  std::string to_json() const;
};

HealthReport health_check(const HealthProbes& probes);

}  // namespace account
