// Deterministic simulation of AccountService, after TigerBeetle's simulator:
// one 64-bit seed decides the whole run (the ledger limits, the workload, the
// rate of every fault and when each fires), faults are injected on purpose,
// and an auditor checks every answer against the reference model
// (support/reference_model.h). docs/simulation.md describes it in full.
//
//   MemoryBackend backend;
//   SimulationReport report = run_simulation({.seed = 42}, backend);
//   if (!report.ok) std::cerr << report.failure;   // seed, step, replay command
//
// The workload: account creation, fantasy credits and debits with
// idempotency keys, share issues, buy and sell reservations, extensions,
// cancels, releases, fills (full, partial, price-improved) from a simulated
// exchange, expiry sweeps, end_of_tick publishes with RiskCache reads.
// The faults, each with a rate drawn per seed (often zero): fills delivered
// twice, late, out of order, or re-sent with other fields under the same
// execution id; a commit that fails before it is durable; a commit that is
// durable but reported failed (ambiguous), retried by its caller at once or
// later; store outages lasting many steps, and refusals that retrying does
// not fix (authentication, permission, another writer's lock, a full disk);
// connect storms of callers on several threads while the store is down;
// process crashes between commands and in the middle of one. At the end,
// every fill the engine was told executed must be applied exactly once, and
// every hold must belong to an order whose caller was answered OK with it.
//
// Thread-safety: one run per backend at a time; runs on different backends
// may go in parallel.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/memory_store.h"
#include "account/store.h"

namespace account::simulation {

// Where the ledger's data lives, and what an outage and a crash do to it.
class SimBackend {
 public:
  virtual ~SimBackend() = default;
  // A short name for messages ("memory", "postgres").
  virtual std::string name() const = 0;
  // The store a newly started process opens on the backend's data. During a
  // real outage this may fail.
  virtual absl::StatusOr<std::shared_ptr<Store>> open_store() = 0;
  // True when outage_begin() really takes the store down; otherwise the
  // simulator fakes outages in its store wrapper.
  virtual bool real_outages() const { return false; }
  virtual absl::Status outage_begin() { return absl::OkStatus(); }
  virtual absl::Status outage_end() { return absl::OkStatus(); }
  // What the machine does when the process dies, after the simulator dropped
  // the service and its store (PostgreSQL: pg_ctl stop -m immediate, start).
  virtual absl::Status crash() { return absl::OkStatus(); }
  // The command line that replays `seed` on this backend.
  virtual std::string replay_command(uint64_t seed) const;
};

// The embedded MemoryStore: its data outlives every service opened on it.
class MemoryBackend final : public SimBackend {
 public:
  std::string name() const override { return "memory"; }
  absl::StatusOr<std::shared_ptr<Store>> open_store() override { return store_; }

 private:
  std::shared_ptr<MemoryStore> store_ = std::make_shared<MemoryStore>();
};

struct SimulationOptions {
  uint64_t seed = 1;
  // Steps per run; 0: drawn from the seed, between steps_min and steps_max.
  int steps = 0;
  int steps_min = 80;
  int steps_max = 240;
  // Scales every fault rate drawn from the seed (1 = as drawn).
  double fault_scale = 1.0;
  // Crashes per run at most (a PostgreSQL crash costs about a second).
  int crashes_max = 1'000'000;
  // Outages per run at most (a PostgreSQL outage costs about a second).
  int outages_max = 1'000'000;
};

// Counts by kind, summed over runs.
using Counts = std::map<std::string, uint64_t>;

struct SimulationReport {
  bool ok = true;
  uint64_t seed = 0;
  int steps = 0;
  // The first difference: seed, step, what differed, the recent steps and
  // the command that replays the run. Empty when ok.
  std::string failure;
  Counts faults;    // Faults injected, by kind.
  Counts commands;  // Commands run, by command and outcome.
  uint64_t fills_applied = 0;
};

// Runs one seed on `backend`, which must hold no data yet.
SimulationReport run_simulation(const SimulationOptions& options, SimBackend& backend);

// The seed of run `index` in a batch starting from `base` (splitmix64, so
// that neighbouring indexes give unrelated seeds).
uint64_t seed_for(uint64_t base, uint64_t index);

}  // namespace account::simulation
