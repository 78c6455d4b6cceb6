// Crash safety, for real: a child process streams fills, reservations and
// entries through an AccountService on a SqliteStore file and is killed with
// SIGKILL at random moments; after each kill the file must hold every
// acknowledged command, nothing half-committed, pass the audit, and answer
// every redelivery as a duplicate (crash_harness.h). Four seeds of 30 kills:
// 120 kills in the default suite; account_sqlite_crash_soak runs more.
//
// A SIGKILL ends the process, not the machine: what the kernel already holds
// reaches the disk anyway, so these runs prove that a commit is atomic and
// that nothing is acknowledged before its commit returned, not that the
// fsync of synchronous=FULL reached the platter. docs/sqlite-store.md says
// what covers that.
#include <catch2/catch.hpp>
#include <string>

#include "crash_harness.h"
#include "sqlite_fixture.h"

namespace account {
namespace {

void kill_rounds(uint64_t seed) {
  testing::TempDir dir;
  crash::CrashOptions options;
  options.child = testing::sqlite_child_path();
  options.database = dir.file("ledger.db");
  options.seed = seed;
  options.kills = 30;
  const absl::StatusOr<crash::CrashReport> report = crash::run_crash_rounds(options);
  INFO("seed " << seed << " (replay: account_sqlite_crash_soak --seed " << seed
               << " --kills 30)");
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  CHECK(report->kills == 30);
  // The kills landed among commits, not only before the ledger opened, and
  // the stream made progress across them (how much depends on the disk's
  // fsync: a commit costs one).
  CHECK(report->kills - report->kills_before_open >= 10);
  CHECK(report->steps_done >= 5);
  CHECK(report->fills_acked >= 5);
  WARN("seed " << seed << ": " << report->kills << " kills (" << report->kills_before_open
               << " before the ledger opened), " << report->steps_done << " steps, "
               << report->fills_acked << " fills, " << report->orders_acked << " orders, "
               << report->entries_acked << " entries acknowledged; "
               << report->fills_stored_unacked << " fills committed unacknowledged; "
               << absl::FormatDuration(report->elapsed));
}

TEST_CASE("killed with SIGKILL, a SQLite ledger keeps every acknowledged command (seed 1)",
          "[sqlite][crash]") {
  kill_rounds(1);
}

TEST_CASE("killed with SIGKILL, a SQLite ledger keeps every acknowledged command (seed 2)",
          "[sqlite][crash]") {
  kill_rounds(2);
}

TEST_CASE("killed with SIGKILL, a SQLite ledger keeps every acknowledged command (seed 3)",
          "[sqlite][crash]") {
  kill_rounds(3);
}

TEST_CASE("killed with SIGKILL, a SQLite ledger keeps every acknowledged command (seed 4)",
          "[sqlite][crash]") {
  kill_rounds(4);
}

}  // namespace
}  // namespace account
