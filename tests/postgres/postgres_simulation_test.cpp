// The simulator (tests/simulation/simulator.h) on a real PostgreSQL: fewer
// seeds than the MemoryStore run, each with a server that is stopped
// mid-run. An outage is the server stopped and started again many steps
// later; a crash drops the service and its connection and then stops the
// server with `pg_ctl stop -m immediate` (nothing flushed but what was
// committed) and starts it again before the new process opens. Refusals that
// retrying does not fix (a password, a permission, another writer's lock, a
// full disk), connect storms and one-shot commit faults come from the
// simulator's store wrapper, as on the MemoryStore.
//
// Replay one seed:  ACCOUNT_SIM_PG_SEED=<seed> account_postgres_tests "[simulation]"
// More seeds:       ACCOUNT_SIM_PG_SEEDS=<n> account_postgres_tests "[simulation]"
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "account/postgres/postgres_store.h"
#include "simulation/simulator.h"
#include "support/postgres_fixture.h"
#include "support/reference_model.h"

namespace account::simulation {
namespace {

class PostgresBackend final : public SimBackend {
 public:
  PostgresBackend(account::testing::PostgresServer& server, std::string url)
      : server_(server), url_(std::move(url)) {}

  std::string name() const override { return "postgres"; }

  absl::StatusOr<std::shared_ptr<Store>> open_store() override {
    absl::StatusOr<std::unique_ptr<PostgresStore>> store =
        PostgresStore::open(url_, {.connect_timeout = absl::Seconds(2)});
    if (!store.ok()) return store.status();
    return std::shared_ptr<Store>(*std::move(store));
  }
  bool real_outages() const override { return true; }
  absl::Status outage_begin() override { return server_.stop(); }
  absl::Status outage_end() override { return server_.start(); }
  absl::Status crash() override {
    if (absl::Status stopped = server_.stop(); !stopped.ok()) return stopped;
    return server_.start();
  }
  std::string replay_command(uint64_t seed) const override {
    return "ACCOUNT_SIM_PG_SEED=" + std::to_string(seed) +
           " build/release/tests/account_postgres_tests \"[simulation]\"";
  }

 private:
  account::testing::PostgresServer& server_;
  const std::string url_;
};

TEST_CASE("simulation on PostgreSQL: outages and crashes are the server stopped mid-run",
          "[postgres][simulation]") {
  const uint64_t replay = account::testing::env_u64("ACCOUNT_SIM_PG_SEED", 0);
  const uint64_t seeds =
      replay != 0 ? 1 : std::max<uint64_t>(1, account::testing::env_u64("ACCOUNT_SIM_PG_SEEDS", 5));
  const uint64_t base = Catch::rngSeed();
  Counts faults;
  uint64_t steps = 0;
  for (uint64_t i = 0; i < seeds; ++i) {
    PostgresBackend backend(account::testing::pg_server(), account::testing::fresh_database_url());
    // Each stop and start of the server costs about a second: a run gets at
    // most two crashes and one outage.
    const SimulationOptions options{.seed = replay != 0 ? replay : seed_for(base, i),
                                    .steps_min = 60, .steps_max = 120, .crashes_max = 2,
                                    .outages_max = 1};
    const SimulationReport report = run_simulation(options, backend);
    if (!report.ok) FAIL(report.failure);
    steps += static_cast<uint64_t>(report.steps);
    for (const auto& [kind, n] : report.faults) faults[kind] += n;
  }
  std::ostringstream os;
  os << seeds << " seeds, " << steps << " steps on PostgreSQL; faults:";
  for (const auto& [kind, n] : faults) os << " " << kind << " " << n << ";";
  INFO(os.str());
  CHECK(steps > 0);
}

}  // namespace
}  // namespace account::simulation
