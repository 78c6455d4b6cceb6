// How much memory a ledger on the MemoryStore holds after 10 million fills, with the dedupe
// window (LedgerLimits::execution_retention) at 1 hour and at 24 hours. A program of its own
// (not Google Benchmark, not run by ctest): it prints the process's resident memory
// (/proc/self/status VmRSS and VmHWM) and the allocator's bytes in use, beside two baselines
// measured in the same run: the process before the fills (the fixture's ledger and store), and
// the ledger's own share, measured by opening a second AccountService on the same store, which
// restores what the first holds (its window, trade rings, reservations) and nothing of the
// store.
//
//   build/release/benchmarks/memory_rss_benchmark                 # 1 h and 24 h, 10M fills
//   build/release/benchmarks/memory_rss_benchmark --fills 1000000 --fills-per-second 100
//   build/release/benchmarks/memory_rss_benchmark --retention-hours 24   # one run, this process
//
// Each retention runs in a process of its own (the program runs itself), so that one run's
// freed memory does not flatter the next. The workload: `--symbols` market makers (default
// 100), each with issued shares and one sell order; `--buyers` buyers (default 1,000), each
// with one buy order of its maker's symbol; fills of 0.01 share at $99.50, buyer i % buyers
// against its maker, stamped at `--fills-per-second` (default 50: 4.3M fills a day, so 10M
// fills span 56 hours and a 24-hour window holds 4.3M of them), settled one engine tick (one
// second) per settle_batch(), with end_of_tick() after each. The ledger's clock follows the
// fills.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/limits.h"
#include "account/memory_store.h"
#include "support/process_memory.h"

namespace {

using account::AccountId;
using account::AccountService;
using account::Cents;
using account::ExecutionId;
using account::Fill;
using account::FillParty;
using account::OrderId;
using account::Price;
using account::Qty;
using account::SymbolId;
using account::TickId;
using account::kBpPerShare;

constexpr Qty kOrderQty{100'000 * kBpPerShare};  // The default position cap.
constexpr Price kBuyLimit{100'00};
constexpr Price kSellLimit{99'50};
constexpr Price kFillPrice{99'50};
constexpr Qty kFillQty{100};                      // 0.01 share.
constexpr Cents kBuyerCash{10'000'000'00};        // Covers the buy order at its limit.

struct Options {
  int64_t fills = 10'000'000;
  int64_t fills_per_second = 50;
  int64_t buyers = 1'000;
  int64_t symbols = 100;
  int64_t retention_hours = 0;  // 0: run 1 h and 24 h, each in a child process.
};

absl::Time start_time() { return absl::FromUnixSeconds(1'763'960'400); }

int fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "memory_rss_benchmark: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

struct Parties {
  std::vector<FillParty> makers;  // One per symbol: index symbol - 1.
  std::vector<FillParty> buyers;
};

// Market makers with issued shares and a sell order, buyers with cash and a buy order.
absl::Status add_parties(AccountService& service, const Options& o, Parties& parties) {
  uint64_t next_order = 1;
  for (int64_t s = 1; s <= o.symbols; ++s) {
    const std::string name = "maker-" + std::to_string(s);
    absl::StatusOr<AccountId> id = service.create_account("sub-" + name, name + " Market Maker");
    if (!id.ok()) return id.status();
    const SymbolId symbol{static_cast<uint64_t>(s)};
    absl::Status ok = service.issue_shares(*id, symbol, kOrderQty, "issue:" + name);
    const OrderId order{next_order++};
    if (ok.ok()) {
      ok = service.reserve_sell({.account = *id, .order = order, .symbol = symbol,
                                 .qty = kOrderQty, .limit = kSellLimit}).status();
    }
    if (!ok.ok()) return ok;
    parties.makers.push_back({*id, order});
  }
  for (int64_t b = 0; b < o.buyers; ++b) {
    const std::string name = "buyer-" + std::to_string(b);
    absl::StatusOr<AccountId> id = service.create_account("sub-" + name, name + " Fantasy Owner");
    if (!id.ok()) return id.status();
    absl::Status ok =
        service.credit(*id, kBuyerCash, account::EntryKind::kAdjustment, "fund:" + name);
    const OrderId order{next_order++};
    if (ok.ok()) {
      ok = service.reserve_buy({.account = *id, .order = order,
                                .symbol = SymbolId{static_cast<uint64_t>(b % o.symbols) + 1},
                                .qty = kOrderQty, .limit = kBuyLimit}).status();
    }
    if (!ok.ok()) return ok;
    parties.buyers.push_back({*id, order});
  }
  return absl::OkStatus();
}

// One run in this process: the figures for o.retention_hours.
int run_one(const Options& o) {
  const std::string load_before = account::bench::load_average();
  auto clock = std::make_shared<account::ManualClock>(start_time());
  auto store = std::make_shared<account::MemoryStore>();
  account::LedgerLimits limits;
  limits.execution_retention = absl::Hours(o.retention_hours);
  absl::StatusOr<std::unique_ptr<AccountService>> service =
      AccountService::open({.store = store, .clock = clock, .limits = limits});
  if (!service.ok()) return fail("open", service.status());
  Parties parties;
  if (absl::Status ok = add_parties(**service, o, parties); !ok.ok()) return fail("parties", ok);
  account::bench::trim_heap();
  const account::bench::ProcessMemory before = account::bench::process_memory();
  const double heap_before = account::bench::heap_in_use_mib();

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Fill> tick_fills;
  int64_t refused = 0;
  absl::Status first_refusal;
  uint64_t tick = 0;
  for (int64_t next = 0; next < o.fills; ++tick) {
    const absl::Time tick_time = start_time() + absl::Seconds(static_cast<int64_t>(tick));
    const int64_t n = std::min(o.fills_per_second, o.fills - next);
    tick_fills.clear();
    for (int64_t k = 0; k < n; ++k, ++next) {
      const size_t b = static_cast<size_t>(next % o.buyers);
      const size_t s = b % static_cast<size_t>(o.symbols);
      tick_fills.push_back(Fill{
          .execution = ExecutionId{(tick + 1) << 20 | static_cast<uint64_t>(k + 1)},
          .symbol = SymbolId{s + 1},
          .qty = kFillQty,
          .price = kFillPrice,
          .buyer = parties.buyers[b],
          .seller = parties.makers[s],
          .tick = TickId{tick + 1},
          .time = tick_time + absl::Seconds(1) * k / o.fills_per_second});
    }
    clock->set(tick_time + absl::Seconds(1));
    for (const auto& r : (*service)->settle_batch(tick_fills)) {
      if (!r.ok() && refused++ == 0) first_refusal = r.status();
    }
    if (absl::Status ok = (*service)->end_of_tick(TickId{tick + 1}); !ok.ok()) {
      return fail("end_of_tick", ok);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (refused > 0) {
    return fail(std::to_string(refused) + " fills refused, first", first_refusal);
  }
  // The store indexes its trades by account when first read (8 bytes a trade): read once
  // here, so that the index counts as the store's and not as the second ledger's below.
  if (absl::Status ok = store->trades(parties.buyers[0].account, 1).status(); !ok.ok()) {
    return fail("trades", ok);
  }
  const account::bench::ProcessMemory after = account::bench::process_memory();
  const double heap_after = account::bench::heap_in_use_mib();
  account::bench::trim_heap();
  const account::bench::ProcessMemory after_trim = account::bench::process_memory();

  // The ledger's own share: a second ledger restored from the same store holds what the first
  // does (its window of fills, trade rings, reservations, accounts) and none of the store.
  absl::StatusOr<std::unique_ptr<AccountService>> second =
      AccountService::open({.store = store, .clock = clock, .limits = limits});
  if (!second.ok()) return fail("second open", second.status());
  account::bench::trim_heap();
  const double heap_second = account::bench::heap_in_use_mib();
  const account::bench::ProcessMemory with_second = account::bench::process_memory();

  const int64_t window_fills =
      std::min(o.fills, o.fills_per_second * 3'600 * o.retention_hours + o.fills_per_second);
  std::printf(
      "retention %2lld h | fills %lld (~%lld in the window) in %.1f s, %.2fM fills/s, load %s "
      "before, %s after\n"
      "  VmRSS before fills %.0f MiB | after %.0f MiB (%.0f MiB trimmed) | VmHWM %.0f MiB\n"
      "  heap in use: before fills %.0f MiB | after %.0f MiB (+%.0f MiB, %.0f bytes a fill)\n"
      "  a second ledger restored on the same store: +%.0f MiB heap, +%.0f MiB RSS "
      "(the ledger's share)\n"
      "  the rest of the growth, the store's share: %.0f MiB (%.0f bytes a fill)\n",
      static_cast<long long>(o.retention_hours), static_cast<long long>(o.fills),
      static_cast<long long>(window_fills), seconds, static_cast<double>(o.fills) / seconds / 1e6,
      load_before.c_str(), account::bench::load_average().c_str(), before.rss_mib(),
      after.rss_mib(), after_trim.rss_mib(), after.hwm_mib(), heap_before, heap_after,
      heap_after - heap_before, (heap_after - heap_before) * 1048576.0 / o.fills,
      heap_second - heap_after, with_second.rss_mib() - after_trim.rss_mib(),
      (heap_after - heap_before) - (heap_second - heap_after),
      ((heap_after - heap_before) - (heap_second - heap_after)) * 1048576.0 / o.fills);
  std::fflush(stdout);
  return 0;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    const std::string flag = argv[i];
    const int64_t value = std::atoll(argv[i + 1]);
    if (flag == "--fills") {
      o.fills = value;
    } else if (flag == "--fills-per-second") {
      o.fills_per_second = value;
    } else if (flag == "--buyers") {
      o.buyers = value;
    } else if (flag == "--symbols") {
      o.symbols = value;
    } else if (flag == "--retention-hours") {
      o.retention_hours = value;
    } else {
      return false;
    }
    if (value <= 0) return false;
  }
  return true;
}

// Runs this program again with `args` and waits for it.
int run_child(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: memory_rss_benchmark [--fills N] [--fills-per-second N] [--buyers N] "
                 "[--symbols N] [--retention-hours H]\n");
    return 2;
  }
  if (o.retention_hours > 0) return run_one(o);
  int failed = 0;
  for (const int64_t hours : {1, 24}) {
    failed |= run_child({argv[0], "--fills", std::to_string(o.fills), "--fills-per-second",
                         std::to_string(o.fills_per_second), "--buyers", std::to_string(o.buyers),
                         "--symbols", std::to_string(o.symbols), "--retention-hours",
                         std::to_string(hours)});
  }
  return failed;
}
