// The simulator's soak run, outside ctest: as many seeds as asked for, for
// as long as asked for, on the MemoryStore.
//
//   account_simulation_soak --seeds 10000                 # 10,000 seeds from base 1
//   account_simulation_soak --seconds 600 --seed-base 7   # ten minutes
//   account_simulation_soak --seed 123456789              # replay one seed
//   account_simulation_soak --seed 123456789 --steps 500  # one seed, 500 steps
//
// Prints progress every 10 seconds, then seeds, steps, fills, seeds/s and the
// faults injected by kind. Stops at the first failure, printing it (seed,
// step, replay command), and exits 1.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "simulation/simulator.h"

namespace {

using account::simulation::Counts;

struct Args {
  uint64_t seeds = 0;        // 0: no limit (then --seconds must be given).
  double seconds = 0;        // 0: no limit.
  uint64_t seed_base = 1;
  uint64_t seed = 0;         // One seed to replay.
  int steps = 0;             // 0: drawn per seed.
};

[[noreturn]] void usage(const char* why) {
  std::cerr << "account_simulation_soak: " << why
            << "\nusage: account_simulation_soak [--seeds N] [--seconds S] [--seed-base B]"
               " [--seed X] [--steps K]\n";
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + flag).c_str());
    const char* value = argv[++i];
    char* end = nullptr;
    if (flag == "--seconds") {
      args.seconds = std::strtod(value, &end);
    } else {
      const uint64_t n = std::strtoull(value, &end, 10);
      if (flag == "--seeds") args.seeds = n;
      else if (flag == "--seed-base") args.seed_base = n;
      else if (flag == "--seed") args.seed = n;
      else if (flag == "--steps") args.steps = static_cast<int>(n);
      else usage(("unknown flag " + flag).c_str());
    }
    if (end == value || *end != '\0') usage(("bad value for " + flag).c_str());
  }
  if (args.seed != 0) args.seeds = 1;
  if (args.seeds == 0 && args.seconds <= 0) usage("give --seeds, --seconds or --seed");
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace account::simulation;
  using Clock = std::chrono::steady_clock;
  const Args args = parse(argc, argv);
  const auto start = Clock::now();
  auto last_progress = start;
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  Counts faults;
  uint64_t runs = 0;
  uint64_t steps = 0;
  uint64_t fills = 0;
  for (uint64_t i = 0; args.seeds == 0 || i < args.seeds; ++i) {
    if (args.seconds > 0 && elapsed() >= args.seconds) break;
    MemoryBackend backend;
    const uint64_t seed = args.seed != 0 ? args.seed : seed_for(args.seed_base, i);
    const SimulationReport report = run_simulation({.seed = seed, .steps = args.steps}, backend);
    ++runs;
    steps += static_cast<uint64_t>(report.steps);
    fills += report.fills_applied;
    for (const auto& [kind, n] : report.faults) faults[kind] += n;
    if (!report.ok) {
      std::cout << report.failure << "\n";
      std::cout << "FAILED after " << runs << " seeds (seed-base " << args.seed_base << ", index "
                << i << ")\n";
      return 1;
    }
    if (Clock::now() - last_progress > std::chrono::seconds(10)) {
      last_progress = Clock::now();
      std::printf("%llu seeds, %.1f seeds/s\n", static_cast<unsigned long long>(runs),
                  static_cast<double>(runs) / elapsed());
      std::fflush(stdout);
    }
  }
  const double seconds = elapsed();
  std::printf("seeds %llu (base %llu), steps %llu, fills applied %llu, %.1f s, %.1f seeds/s, "
              "%.0f steps/s\nfaults injected:\n",
              static_cast<unsigned long long>(runs),
              static_cast<unsigned long long>(args.seed_base),
              static_cast<unsigned long long>(steps), static_cast<unsigned long long>(fills),
              seconds, static_cast<double>(runs) / seconds, static_cast<double>(steps) / seconds);
  for (const auto& [kind, n] : faults) {
    std::printf("  %-46s %llu\n", kind.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("OK\n");
  return 0;
}
