// CurlSleeperClient's metrics against a local Sleeper: every call counted by endpoint and
// outcome, and an argument refused before any request not counted.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "account/metrics.h"
#include "sleeper/fake_sleeper.h"
#include "support/prometheus_text.h"

namespace account {
namespace {

using testing::FakeSleeper;
using testing::TestClient;

TEST_CASE("Sleeper calls are counted by endpoint and outcome", "[sleeper][metrics]") {
  FakeSleeper fake;
  fake.json("/state/nfl", R"({"week":4,"season_type":"regular","season":"2026","display_week":4})");
  fake.json("/user/alice", R"({"username":"alice","user_id":"100","display_name":"Alice"})");
  auto registry = std::make_shared<MetricsRegistry>();
  CurlSleeperClientOptions options;
  options.metrics = registry;
  options.attempts_max = 1;
  TestClient t(fake, options);
  REQUIRE(t.client->nfl_state().ok());
  REQUIRE(t.client->nfl_state().ok());
  REQUIRE(t.client->user("alice").ok());
  CHECK_FALSE(t.client->user("nobody").ok());  // 404
  CHECK_FALSE(t.client->user("").ok());        // refused before any call: not counted

  const auto parsed = testing::parse_prometheus_text(registry->render_prometheus());
  REQUIRE(parsed.error == "");
  using L = std::map<std::string, std::string>;
  CHECK(parsed.value("sleeper_api_calls_total", L{{"endpoint", "nfl_state"}, {"outcome", "ok"}}) ==
        2.0);
  CHECK(parsed.value("sleeper_api_calls_total", L{{"endpoint", "user"}, {"outcome", "ok"}}) == 1.0);
  CHECK(parsed.value("sleeper_api_calls_total", L{{"endpoint", "user"}, {"outcome", "error"}}) ==
        1.0);
  CHECK(parsed.value("sleeper_api_calls_total", L{{"endpoint", "league"}, {"outcome", "ok"}}) ==
        0.0);
}

}  // namespace
}  // namespace account
