// account_sqlite_crash_soak: the kill loop of sqlite_crash_test.cpp for as
// many kills as asked, on one file. ctest does not run it.
//
//   account_sqlite_crash_soak [--kills N] [--seed S] [--delay-ms D] [--dir DIR] [--verbose]
//
// Defaults: 1,000 kills, seed 1, kills up to 40 ms after the ledger opened, a new
// directory under /tmp (removed when the run passes, kept when it fails).
// Exit status 0 when every round passed; a failure prints the seed, the
// round and what was wrong, and the same seed replays the same run.
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/time/time.h"
#include "crash_harness.h"

int main(int argc, char** argv) {
  account::crash::CrashOptions options;
  options.child = ACCOUNT_SQLITE_CHILD;
  options.kills = 1'000;
  std::string dir;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--kills" && has_value) {
      options.kills = std::atoi(argv[++i]);
    } else if (arg == "--seed" && has_value) {
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--delay-ms" && has_value) {
      options.kill_delay_max = absl::Milliseconds(std::atoi(argv[++i]));
    } else if (arg == "--dir" && has_value) {
      dir = argv[++i];
    } else if (arg == "--verbose") {
      verbose = true;
    } else {
      std::fprintf(stderr, "usage: %s [--kills N] [--seed S] [--delay-ms D] [--dir DIR] "
                           "[--verbose]\n", argv[0]);
      return 2;
    }
  }
  const bool own_dir = dir.empty();
  if (own_dir) {
    std::string pattern = "/tmp/account-sqlite-soak-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return 2;
    dir = pattern;
  }
  options.database = dir + "/ledger.db";
  if (verbose) options.log = [](const std::string& line) { std::printf("%s\n", line.c_str()); };
  const absl::StatusOr<account::crash::CrashReport> report =
      account::crash::run_crash_rounds(options);
  if (!report.ok()) {
    std::printf("FAILED: %s\nthe file is kept in %s\n", report.status().ToString().c_str(),
                dir.c_str());
    return 1;
  }
  std::printf("passed: seed %llu, %d kills (%d before the ledger opened), %llu steps, "
              "%llu fills, %llu orders, %llu entries, %llu cancels acknowledged; %llu fills "
              "committed unacknowledged; %s\n",
              static_cast<unsigned long long>(options.seed), report->kills,
              report->kills_before_open, static_cast<unsigned long long>(report->steps_done),
              static_cast<unsigned long long>(report->fills_acked),
              static_cast<unsigned long long>(report->orders_acked),
              static_cast<unsigned long long>(report->entries_acked),
              static_cast<unsigned long long>(report->cancels_acked),
              static_cast<unsigned long long>(report->fills_stored_unacked),
              absl::FormatDuration(report->elapsed).c_str());
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
