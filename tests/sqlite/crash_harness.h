// The kill loop of the crash tests: starts account_sqlite_child streaming
// the crash workload into one database file, kills it with SIGKILL at a
// random moment, and checks what the file holds before starting the next:
//
//   - the file opens (quick_check passes: a kill never damages it);
//   - every acknowledged command is there: each acknowledged fill is stored
//     and a redelivery of it is kDuplicateExecution, each acknowledged order
//     has its reservation (cancelled when its cancel was acknowledged), each
//     acknowledged entry is stored;
//   - nothing is half there: the fills of one settle_batch (one commit) are
//     all stored or none is, each stored execution has exactly its two
//     trades, and no fill of a step the child never reached is stored;
//   - AccountService::audit() passes: conservation of cash and shares holds,
//     so no leg of a fill applied without the other;
//   - every stored fill, acknowledged or not, is a duplicate when delivered
//     again.
//
// Each round continues the stream where the last acknowledged step ended, so
// the file grows across rounds and a step cut short is retried in full: its
// commands answer as their first run did. Used by sqlite_crash_test.cpp
// (the default suite) and account_sqlite_crash_soak (as many kills as asked).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace account::crash {

struct CrashOptions {
  std::string child;     // Path of account_sqlite_child.
  std::string database;  // The file; created by the first child.
  uint64_t seed = 1;     // The stream and the kill times.
  int kills = 25;
  // A quarter of the kills land while the child opens the file and its
  // ledger (timed by the opens seen so far); the rest uniformly in [0, this]
  // after its ledger opened, among its commits. Timing from the open keeps
  // the mix the same on a slow build (sanitizers) as on a fast one.
  absl::Duration kill_delay_max = absl::Milliseconds(40);
  // Called with a line per round, when set.
  std::function<void(const std::string&)> log;
};

struct CrashReport {
  int kills = 0;
  int kills_before_open = 0;     // The child had not printed "open" yet.
  uint64_t steps_done = 0;       // Steps acknowledged in full, over all rounds.
  uint64_t fills_acked = 0;      // Distinct fills acknowledged.
  uint64_t orders_acked = 0;
  uint64_t entries_acked = 0;
  uint64_t cancels_acked = 0;
  uint64_t fills_stored_unacked = 0;  // Committed, but the kill came before the ack.
  absl::Duration elapsed;
};

// Runs the rounds; an error names the seed, the round and what was wrong.
absl::StatusOr<CrashReport> run_crash_rounds(const CrashOptions& options);

struct FullDiskReport {
  CrashReport acked;               // What was acknowledged (kills: 0).
  int refusals = 0;                // Commands the store refused (X lines).
  int fills_queued = 0;            // Fills queued by a refusal (Q lines).
  std::string first_refusal;       // The first X line.
};

// Runs the stream in one child that may write no file past
// `file_bytes_max` bytes (RLIMIT_FSIZE: the disk is full) until the store
// has refused three steps, lets it end, and checks the file as after a kill.
absl::StatusOr<FullDiskReport> run_full_disk(const CrashOptions& options,
                                             int64_t file_bytes_max);

}  // namespace account::crash
