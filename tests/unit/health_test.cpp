// health_check(): every probe reported, a store or Sleeper that is down and
// a risk cache that stopped publishing each make the report unhealthy, and
// the JSON says which.
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "account/health.h"
#include "account/memory_store.h"
#include "account/risk_cache.h"
#include "account/fantasy/sleeper_client.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/scripted_sleeper_client.h"
#include "support/json_value.h"

namespace account {
namespace {

using testing::JsonValue;
using testing::parse_json;

using testing::FaultInjectingStore;
using testing::ScriptedSleeperClient;

// A scripted Sleeper whose NFL state is week 12 of the 2026 regular season.
std::unique_ptr<ScriptedSleeperClient> week_twelve() {
  auto sleeper = std::make_unique<ScriptedSleeperClient>();
  sleeper->set_nfl_state({.season = "2026", .season_type = NflSeasonType::kRegular, .week = 12,
                          .display_week = 12});
  return sleeper;
}

const HealthCheckResult* find(const HealthReport& report, std::string_view name) {
  for (const HealthCheckResult& check : report.checks) {
    if (check.name == name) return &check;
  }
  return nullptr;
}

JsonValue json_of(const HealthReport& report) {
  std::string error;
  const std::string text = report.to_json();
  INFO(text);
  std::optional<JsonValue> v = parse_json(text, &error);
  INFO(error);
  REQUIRE(v.has_value());
  return *v;
}

TEST_CASE("with every dependency up the report is healthy", "[health]") {
  MemoryStore store;
  const auto sleeper = week_twelve();
  RiskCache cache(RiskCacheOptions{});
  REQUIRE(cache.publish({.tick = TickId{40}}).ok());
  const HealthReport report = health_check({.store = &store,
                                            .sleeper = sleeper.get(),
                                            .risk_cache = &cache,
                                            .current_tick = [] { return TickId{43}; }});
  CHECK(report.healthy());
  REQUIRE(report.checks.size() == 3);
  CHECK(sleeper->calls(ScriptedSleeperClient::Method::kNflState) == 1);
  CHECK(find(report, "risk_cache")->detail == "3 ticks since the last publish (tick 40)");

  const JsonValue v = json_of(report);
  CHECK(v.get("status")->string == "ok");
  REQUIRE(v.get("checks")->array.size() == 3);
  for (const JsonValue& check : v.get("checks")->array) {
    CHECK(check.get("ok")->boolean);
    CHECK(check.get("took_ms")->type == JsonValue::Type::kNumber);
  }
}

TEST_CASE("a store that does not answer makes the report unhealthy", "[health]") {
  FaultInjectingStore store(std::make_shared<MemoryStore>());
  store.go_down(absl::UnavailableError("connection refused"));
  const HealthReport report = health_check({.store = &store});
  CHECK_FALSE(report.healthy());
  REQUIRE(find(report, "store") != nullptr);
  CHECK_FALSE(find(report, "store")->ok);
  CHECK(find(report, "store")->detail == "UNAVAILABLE: connection refused");
  const JsonValue v = json_of(report);
  CHECK(v.get("status")->string == "unhealthy");
  CHECK(v.get("checks")->array.at(0).get("name")->string == "store");
  CHECK_FALSE(v.get("checks")->array.at(0).get("ok")->boolean);
}

TEST_CASE("Sleeper down is reported with its error", "[health]") {
  const auto sleeper = week_twelve();
  sleeper->set_error(ScriptedSleeperClient::Method::kNflState,
                     absl::DeadlineExceededError("GET /state/nfl: timed out"));
  MemoryStore store;
  const HealthReport report = health_check({.store = &store, .sleeper = sleeper.get()});
  CHECK_FALSE(report.healthy());
  CHECK(find(report, "store")->ok);
  CHECK_FALSE(find(report, "sleeper")->ok);
  CHECK(find(report, "sleeper")->detail == "DEADLINE_EXCEEDED: GET /state/nfl: timed out");
}

TEST_CASE("a risk cache that stopped publishing is stale", "[health]") {
  RiskCache cache(RiskCacheOptions{});
  TickId now{5};
  HealthProbes probes{.risk_cache = &cache, .current_tick = [&now] { return now; },
                      .stale_ticks_max = 10};

  HealthReport report = health_check(probes);
  CHECK_FALSE(report.healthy());
  CHECK(find(report, "risk_cache")->detail == "nothing published yet (engine at tick 5)");

  REQUIRE(cache.publish({.tick = TickId{5}}).ok());
  now = TickId{15};
  report = health_check(probes);
  CHECK(report.healthy());
  CHECK(find(report, "risk_cache")->detail == "10 ticks since the last publish (tick 5)");

  now = TickId{16};
  report = health_check(probes);
  CHECK_FALSE(report.healthy());
  CHECK(find(report, "risk_cache")->detail ==
        "11 ticks since the last publish (tick 5), more than 10");
}

TEST_CASE("a risk cache probe without the engine's tick is a failed check", "[health]") {
  RiskCache cache(RiskCacheOptions{});
  const HealthReport report = health_check({.risk_cache = &cache});
  CHECK_FALSE(report.healthy());
  CHECK(find(report, "risk_cache")->detail == "no current_tick probe given");
}

TEST_CASE("no probes, nothing to report, healthy", "[health]") {
  const HealthReport report = health_check({});
  CHECK(report.checks.empty());
  CHECK(report.healthy());
  CHECK(json_of(report).get("status")->string == "ok");
}

}  // namespace
}  // namespace account
