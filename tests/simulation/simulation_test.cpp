// The simulator's default run: a few hundred seeds on the MemoryStore, each a
// whole randomized life of the ledger with faults (simulator.h). A failure
// prints the seed, the step and the command that replays it.
//
// Replay one seed:   ACCOUNT_SIM_SEED=<seed> account_simulation_tests
// More seeds:        ACCOUNT_SIM_SEEDS=<n> account_simulation_tests (or the soak binary)
// Other seeds:       account_simulation_tests --rng-seed time
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "simulation/simulator.h"
#include "support/reference_model.h"

namespace account::simulation {
namespace {

using testing::env_u64;

// 300 seeds take about 2 s in release. Sanitizer builds may set
// ACCOUNT_SIM_SEEDS lower; it never goes below 20.
uint64_t seeds_to_run() { return std::max<uint64_t>(20, env_u64("ACCOUNT_SIM_SEEDS", 300)); }

TEST_CASE("simulation: seeded runs with faults agree with the reference model",
          "[simulation]") {
  const uint64_t replay = env_u64("ACCOUNT_SIM_SEED", 0);
  const uint64_t seeds = replay != 0 ? 1 : seeds_to_run();
  const uint64_t base = Catch::rngSeed();
  Counts faults;
  Counts commands;
  uint64_t steps = 0;
  uint64_t fills = 0;
  for (uint64_t i = 0; i < seeds; ++i) {
    MemoryBackend backend;
    const SimulationOptions options{.seed = replay != 0 ? replay : seed_for(base, i)};
    const SimulationReport report = run_simulation(options, backend);
    if (!report.ok) FAIL(report.failure);
    steps += static_cast<uint64_t>(report.steps);
    fills += report.fills_applied;
    for (const auto& [kind, n] : report.faults) faults[kind] += n;
    for (const auto& [kind, n] : report.commands) commands[kind] += n;
  }
  if (env_u64("ACCOUNT_SIM_STATS", 0) != 0) {
    std::ostringstream os;
    os << seeds << " seeds, " << steps << " steps, " << fills << " fills applied\n faults:";
    for (const auto& [kind, n] : faults) os << "\n  " << kind << ": " << n;
    os << "\n commands:";
    for (const auto& [kind, n] : commands) os << "\n  " << kind << ": " << n;
    WARN(os.str());
  }
  // Guards against a generator that quietly stops reaching the faults: over
  // a full run every kind must have fired.
  if (replay == 0 && seeds >= 100) {
    CHECK(fills > seeds * 5);
    for (const char* kind :
         {"fill delivered twice", "fill delivered late", "fills out of order",
          "fill re-sent with other fields", "commit fails before durable",
          "ambiguous commit (durable, reported failed)", "ambiguous commit, retried later",
          "store refusal, retried later", "store outage", "store refuses: authentication failed",
          "store refuses: permission denied",
          "store refuses: writer lock held by another process", "store refuses: disk full",
          "connect storm", "store down: probe loads", "crash", "crash mid-commit"}) {
      INFO(kind);
      CHECK(faults[kind] > 0);
    }
    for (const char* what :
         {"settle OK", "settle DuplicateExecution", "settle ExecutionConflict", "settle Queued",
          "queued fill done OK", "queued fill done DuplicateExecution", "settle_batch OK",
          "credit DuplicateEntry", "credit EntryConflict", "reserve_buy OK", "reserve_sell OK",
          "reserve_buy OrderConflict", "cancel_order OK", "extend_reservation OK",
          "expire_due_reservations OK", "end_of_tick OK", "end_of_tick OK, expired some",
          "retry of reserve_buy OK", "retry of reserve_sell OK", "retry of cancel_order OK",
          "retry of release_reservation OK", "retry of create_account OK",
          "fills the engine was told executed, each applied once"}) {
      INFO(what);
      CHECK(commands[what] > 0);
    }
  }
}

}  // namespace
}  // namespace account::simulation
