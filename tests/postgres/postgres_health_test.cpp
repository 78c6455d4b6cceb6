// health_check() on a real PostgreSQL: healthy while the server runs,
// unhealthy (store: Unavailable) while it is stopped, healthy again once it
// is back, without reopening the store.
#include <catch2/catch.hpp>

#include "account/health.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::open_store;
using testing::pg_server;

TEST_CASE("the store health check follows the PostgreSQL server down and up",
          "[postgres][health]") {
  std::shared_ptr<PostgresStore> store = open_store(testing::fresh_database_url());
  const HealthProbes probes{.store = store.get()};

  HealthReport report = health_check(probes);
  REQUIRE(report.checks.size() == 1);
  CHECK(report.healthy());
  CHECK(store->ping().ok());

  REQUIRE(pg_server().stop().ok());
  report = health_check(probes);
  CHECK_FALSE(report.healthy());
  CHECK(report.checks[0].name == "store");
  CHECK(report.checks[0].detail.rfind("UNAVAILABLE: ", 0) == 0);
  CHECK(store->ping().code() == absl::StatusCode::kUnavailable);

  REQUIRE(pg_server().start().ok());
  report = health_check(probes);
  CHECK(report.healthy());
}

}  // namespace
}  // namespace account
