// The order gateway on a durable store: T threads each calling reserve_buy() then
// release_reservation() on one AccountService, whose concurrent callers are group-committed into
// one store transaction per group; and, in the same run on the same disk, the store's physical
// reference: what the engine underneath does with plain commits.
//
// For each store (--store, default sqlite,postgres) and thread count T (--threads, default
// 1,8,64):
//   gateway    a fresh file or database, the store's open() and AccountService::open on it
//              (system clock, default limits), T accounts funded with credit(), one per thread.
//              Each thread reserves 1 share at $100.00 (10,000 cents) for a new order id and
//              releases it, in a loop: --warmup_seconds unmeasured, then --seconds measured. A
//              call is one reserve_buy() or one release_reservation(): each is one ledger command
//              and one member of a group commit, so calls/s counts both, and p50/p99/p999 are over
//              both together (the detail table splits them). Latency is steady_clock around the
//              call.
//   reference  PostgreSQL: pgbench -n -M prepared -c T -j min(T, 2) -T --seconds, one statement
//              per transaction in autocommit: an UPDATE of the client's own row (HOT, no lock
//              waits), so each transaction is one round trip and one commit record to flush.
//              Latencies per transaction from its --log files.
//              SQLite: one writer (SQLite has one at a time, whatever T is) committing the same
//              UPDATE in its own transaction per call on a file with the store's settings (WAL,
//              synchronous=FULL), for --seconds: the commits per second the disk's fsync allows.
//
// Commands per commit come from a Store decorator in front of the store that counts commit()
// calls and the reservation rows each writes (one per command here: the reservation created or
// released), and times each commit() and the gap from one commit's return to the next one's call
// (the leaders' apply, hand-over and staging), also by size of group. On PostgreSQL, WAL flushes
// are pg_stat_wal.wal_sync, read before and after each run (SQLite with synchronous=FULL syncs
// its WAL at every commit). CPU is split between the server (every `postgres` process), the
// driver (this process and pgbench) and the rest of the machine: on a shared machine a build on
// the same cores delays every wake-up after a flush, and the "other" column tells a run that met
// one (it should be near 0).
//
// PostgreSQL is the tests' harness (tests/support/postgres_server.h): a private PostgreSQL in
// /tmp, fsync on, synchronous_commit on, loopback TCP. It allows 40 connections; the driver raises
// max_connections to 100 (ALTER SYSTEM, then a restart) so that pgbench -c 64 can connect.
// pgbench is the harness's: $ACCOUNT_PG_BINDIR, else /usr/lib/postgresql/{15,16,17,14}/bin.
// SQLite files go to a directory under $TMPDIR (default /tmp), the same disk.
//
// A program of its own rather than Google Benchmark: the figures wanted are percentiles over every
// call of many threads in one fixed wall-clock window, and a reference run beside each, which its
// per-iteration timing and per-thread means do not give.
//
//   build/release/benchmarks/gateway_benchmark
//   build/release/benchmarks/gateway_benchmark --store=sqlite --threads=8,64 --seconds=10
//
// Default run: 2 stores x 3 x (1 s warm-up + 5 s gateway + 5 s reference) plus set-up, about
// 100 s. A refused call turns the run into an error (exit status 1) rather than a faster figure.
#include <fcntl.h>
#include <sqlite3.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "account/account_service.h"
#include "account/change_set.h"
#include "account/postgres/postgres_store.h"
#include "account/sqlite/sqlite_store.h"
#include "account/status.h"
#include "account/store.h"
#include "support/postgres_server.h"
#include "support/temp_dir.h"

extern char** environ;

namespace {

using account::AccountId;
using account::AccountService;
using account::testing::PostgresServer;
using account::testing::TempDir;
using SteadyClock = std::chrono::steady_clock;
using Instant = SteadyClock::time_point;

// One share at $100.00 per order: 10,000 cents held, then freed.
constexpr account::Qty kOrderQty{account::kBpPerShare};
constexpr account::Price kOrderLimit{100'00};
// Far above what one open order holds, so that no call is refused for funds.
constexpr account::Cents kAccountCash{1'000'000'00};
// pgbench -c 64 needs 65 connections with its own; the harness allows 40.
constexpr int kMaxConnections = 100;
constexpr size_t kSymbols = 8;

int64_t ns_between(Instant from, Instant to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

// --- Flags ----------------------------------------------------------------------------------

struct Flags {
  int seconds = 5;
  int warmup_seconds = 1;
  std::vector<int> threads = {1, 8, 64};
  std::vector<std::string> stores = {"sqlite", "postgres"};
  bool reference = true;
};

constexpr const char* kUsage =
    "usage: gateway_benchmark [--store=sqlite,postgres] [--seconds=5] [--warmup_seconds=1] "
    "[--threads=1,8,64] [--reference=on|off]\n";

absl::StatusOr<Flags> parse_flags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    bool ok = true;
    if (name == "--seconds") {
      ok = absl::SimpleAtoi(value, &flags.seconds) && flags.seconds >= 1;
    } else if (name == "--warmup_seconds") {
      ok = absl::SimpleAtoi(value, &flags.warmup_seconds) && flags.warmup_seconds >= 0;
    } else if (name == "--threads") {
      flags.threads.clear();
      const std::vector<std::string> parts = absl::StrSplit(value, ',');
      for (const std::string& part : parts) {
        int t = 0;
        ok = ok && absl::SimpleAtoi(part, &t) && t >= 1 && t < kMaxConnections;
        flags.threads.push_back(t);
      }
    } else if (name == "--store") {
      flags.stores = absl::StrSplit(value, ',');
      for (const std::string& store : flags.stores) {
        ok = ok && (store == "sqlite" || store == "postgres");
      }
    } else if (name == "--reference") {
      ok = value == "on" || value == "off";
      flags.reference = value == "on";
    } else {
      ok = false;
    }
    if (!ok) return absl::InvalidArgumentError(absl::StrCat("bad flag ", arg, "\n", kUsage));
  }
  return flags;
}

// --- Figures --------------------------------------------------------------------------------

// Nearest-rank percentile of sorted `v` (q in (0, 1]); 0 for an empty one.
int64_t percentile(const std::vector<int64_t>& v, double q) {
  if (v.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

double mean(const std::vector<int64_t>& v) {
  if (v.empty()) return 0;
  double sum = 0;
  for (int64_t x : v) sum += static_cast<double>(x);
  return sum / static_cast<double>(v.size());
}

double ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Where the machine's CPU time went, in nanoseconds summed over its cores: all of it, the
// server's (every `postgres` process, with the backends that exited since: the postmaster's
// reaped children), and the driver's (this process and its reaped children, pgbench).
struct CpuSample {
  Instant at;
  int64_t busy_ns = 0;
  int64_t server_ns = 0;
  int64_t driver_ns = 0;
};

int64_t jiffies_ns(uint64_t jiffies) {
  static const int64_t per_second = sysconf(_SC_CLK_TCK);
  return static_cast<int64_t>(jiffies) * (1'000'000'000 / per_second);
}

// utime + stime + cutime + cstime of every process called `postgres`, from /proc/<pid>/stat.
int64_t server_cpu_ns() {
  uint64_t jiffies = 0;
  // Processes come and go while this reads: no exceptions, and a vanished one reads as "".
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc", error), end; !error && it != end;
       it.increment(error)) {
    const std::filesystem::directory_entry& entry = *it;
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_file(entry.path().string() + "/stat");
    const size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (stat.substr(open + 1, close - open - 1) != "postgres") continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 17 && fields >> field; ++i) {  // Fields 14 to 17: the four times.
      if (i >= 14) jiffies += std::strtoull(field.c_str(), nullptr, 10);
    }
  }
  return jiffies_ns(jiffies);
}

CpuSample sample_cpu() {
  CpuSample s{.at = SteadyClock::now()};
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t field[8] = {};  // user nice system idle iowait irq softirq steal
  in >> cpu;
  for (uint64_t& f : field) in >> f;
  uint64_t busy = 0;
  for (uint64_t f : field) busy += f;
  s.busy_ns = jiffies_ns(busy - field[3] - field[4]);
  s.server_ns = server_cpu_ns();
  const auto to_ns = [](timeval t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_usec * 1000; };
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    getrusage(who, &usage);
    s.driver_ns += to_ns(usage.ru_utime) + to_ns(usage.ru_stime);
  }
  return s;
}

// CPU use between two samples, in cores busy on average.
struct CpuUse {
  double machine = 0;
  double server = 0;
  double driver = 0;
  double other() const { return std::max(0.0, machine - server - driver); }
};

CpuUse cpu_use(const CpuSample& from, const CpuSample& to) {
  const double wall_ns = static_cast<double>(ns_between(from.at, to.at));
  if (wall_ns <= 0) return {};
  return {.machine = static_cast<double>(to.busy_ns - from.busy_ns) / wall_ns,
          .server = static_cast<double>(to.server_ns - from.server_ns) / wall_ns,
          .driver = static_cast<double>(to.driver_ns - from.driver_ns) / wall_ns};
}

absl::StatusOr<int64_t> wal_syncs(PostgresServer& server) {
  absl::StatusOr<std::string> text = server.query("postgres", "SELECT wal_sync FROM pg_stat_wal");
  if (!text.ok()) return text.status();
  int64_t n = 0;
  if (!absl::SimpleAtoi(*text, &n)) return absl::InternalError("pg_stat_wal.wal_sync: " + *text);
  return n;
}

// pg_stat_wal is updated by a backend when it goes idle (at most once a second) or exits; the
// runs end by closing their connections, so a short wait lets their last counts land.
absl::StatusOr<int64_t> wal_syncs_settled(PostgresServer& server) {
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return wal_syncs(server);
}

// --- The counting store ---------------------------------------------------------------------

struct CommitSample {
  size_t commands = 0;    // Reservation rows written: one per reserve or release command.
  int64_t commit_ns = 0;  // PostgresStore::commit(): one round trip and the WAL flush.
  int64_t gap_ns = 0;     // From the previous commit's return to this one's call.
};

// Forwards to PostgresStore; counts and times commit().
class CountingStore final : public account::Store {
 public:
  explicit CountingStore(std::unique_ptr<account::Store> inner) : inner_(std::move(inner)) {}

  absl::Status commit(const account::ChangeSet& changes) override {
    const Instant start = SteadyClock::now();
    absl::Status status = inner_->commit(changes);
    const Instant end = SteadyClock::now();
    ++commits_;
    // Relaxed: the flag only marks the window; the samples are read after the threads that
    // commit have been joined.
    if (recording_.load(std::memory_order_relaxed) && last_end_.has_value()) {
      samples_.push_back({.commands = changes.reservations.size(),
                          .commit_ns = ns_between(start, end),
                          .gap_ns = ns_between(*last_end_, start)});
    }
    last_end_ = end;
    return status;
  }
  absl::StatusOr<account::LedgerSnapshot> load(const account::SnapshotRequest& request) override {
    return inner_->load(request);
  }
  absl::StatusOr<std::optional<account::Fill>> find_execution(
      account::ExecutionId execution) override {
    return inner_->find_execution(execution);
  }
  absl::StatusOr<std::vector<account::Trade>> trades(AccountId account, size_t limit) override {
    return inner_->trades(account, limit);
  }
  absl::StatusOr<std::vector<account::JournalRecord>> journal(uint64_t after_seq,
                                                              size_t limit) override {
    return inner_->journal(after_seq, limit);
  }
  absl::Status ping() override { return inner_->ping(); }

  void record(bool on) { recording_.store(on, std::memory_order_relaxed); }
  // Read these only while no command runs.
  uint64_t commits() const { return commits_; }
  const std::vector<CommitSample>& samples() const { return samples_; }

 private:
  std::unique_ptr<account::Store> inner_;
  std::atomic<bool> recording_{false};
  // Touched only inside commit(). The ledger commits from one group leader at a time, and
  // leadership passes under its queue mutex, which orders one leader's writes before the next's.
  uint64_t commits_ = 0;
  std::optional<Instant> last_end_;
  std::vector<CommitSample> samples_;
};

// --- The gateway run ------------------------------------------------------------------------

struct Ledger {
  std::shared_ptr<CountingStore> store;
  std::unique_ptr<AccountService> service;
  std::vector<AccountId> accounts;
};

// The physical reference's run: pgbench's, or the raw SQLite writer's.
struct ReferenceFigures {
  double tps = 0;
  double latency_avg_ms = 0;
  int64_t transactions = 0;
  std::vector<int64_t> latency_ns;  // Sorted (pgbench's from its transaction logs).
  double txns_per_wal_flush = 0;    // 0 where flushes are not counted.
  CpuUse cpu;  // Over the whole run (pgbench's connecting included).
  double wall_s = 0;
};

// Where a run's ledger lives, and the physical reference beside it.
class Target {
 public:
  virtual ~Target() = default;
  virtual const char* name() const = 0;
  // A store on a fresh file or database.
  virtual absl::StatusOr<std::unique_ptr<account::Store>> open_store() = 0;
  // Durable flushes so far (PostgreSQL's WAL syncs); nullopt where the engine does not count
  // them. `settled` waits for the closed connections' counts to land.
  virtual absl::StatusOr<std::optional<int64_t>> flushes(bool settled) = 0;
  virtual absl::StatusOr<ReferenceFigures> reference(int threads, int seconds) = 0;
};

absl::StatusOr<Ledger> open_ledger(Target& target, int accounts) {
  absl::StatusOr<std::unique_ptr<account::Store>> store = target.open_store();
  if (!store.ok()) return store.status();
  Ledger ledger;
  ledger.store = std::make_shared<CountingStore>(std::move(*store));
  absl::StatusOr<std::unique_ptr<AccountService>> service =
      AccountService::open({.store = ledger.store});
  if (!service.ok()) return service.status();
  ledger.service = std::move(*service);
  for (int i = 0; i < accounts; ++i) {
    const std::string name = absl::StrCat("gateway-", i);
    absl::StatusOr<AccountId> id = ledger.service->create_account(
        absl::StrCat("1101694840000000", 10'000 + i), absl::StrCat(name, " Fantasy Owner"));
    if (!id.ok()) return id.status();
    ACCOUNT_RETURN_IF_ERROR(
        ledger.service->credit(*id, kAccountCash, account::EntryKind::kAdjustment, "fund:" + name));
    ledger.accounts.push_back(*id);
  }
  return ledger;
}

struct Control {
  // Relaxed: each flag is a signal on its own and orders no data; the threads' results are read
  // after join().
  std::atomic<bool> measuring{false};
  std::atomic<bool> stop{false};
};

struct ThreadResult {
  std::vector<int64_t> reserve_ns;
  std::vector<int64_t> release_ns;
  int64_t refused = 0;
  absl::Status first_refusal;
};

// Reserve and release until told to stop; records the calls that end inside the window.
void gateway_thread(AccountService& service, AccountId account, size_t index,
                    const Control& control, ThreadResult& out) {
  const uint64_t order_base = static_cast<uint64_t>(index + 1) << 32;
  for (uint64_t seq = 1; !control.stop.load(std::memory_order_relaxed); ++seq) {
    const account::OrderSpec order{.account = account,
                                   .order = account::OrderId{order_base + seq},
                                   .symbol = account::SymbolId{index % kSymbols + 1},
                                   .qty = kOrderQty,
                                   .limit = kOrderLimit};
    const Instant t0 = SteadyClock::now();
    const absl::StatusOr<account::ReservationId> held = service.reserve_buy(order);
    const Instant t1 = SteadyClock::now();
    if (control.measuring.load(std::memory_order_relaxed)) {
      out.reserve_ns.push_back(ns_between(t0, t1));
    }
    absl::Status s = held.status();
    if (s.ok()) {
      s = service.release_reservation(*held);
      const Instant t2 = SteadyClock::now();
      if (control.measuring.load(std::memory_order_relaxed)) {
        out.release_ns.push_back(ns_between(t1, t2));
      }
    }
    if (!s.ok()) {
      if (out.refused++ == 0) out.first_refusal = s;
      return;
    }
  }
}

struct GatewayFigures {
  int threads = 0;
  double window_s = 0;
  std::vector<int64_t> all_ns, reserve_ns, release_ns;  // Sorted.
  std::vector<CommitSample> commits;
  double commits_per_wal_flush = 0;
  CpuUse cpu;  // Over the measured window.
};

// Runs `threads` gateway threads over the warm-up and the window; fills the call figures.
absl::Status drive(Ledger& ledger, int threads, const Flags& flags, GatewayFigures& f) {
  Control control;
  std::vector<ThreadResult> results(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (size_t i = 0; i < results.size(); ++i) {
    workers.emplace_back(gateway_thread, std::ref(*ledger.service), ledger.accounts[i], i,
                         std::cref(control), std::ref(results[i]));
  }
  std::this_thread::sleep_for(std::chrono::seconds(flags.warmup_seconds));
  const CpuSample cpu_start = sample_cpu();
  const Instant start = SteadyClock::now();
  ledger.store->record(true);
  control.measuring.store(true, std::memory_order_relaxed);
  std::this_thread::sleep_for(std::chrono::seconds(flags.seconds));
  control.measuring.store(false, std::memory_order_relaxed);
  ledger.store->record(false);
  const Instant end = SteadyClock::now();
  const CpuSample cpu_end = sample_cpu();
  control.stop.store(true, std::memory_order_relaxed);
  for (std::thread& w : workers) w.join();
  f.window_s = static_cast<double>(ns_between(start, end)) / 1e9;
  f.cpu = cpu_use(cpu_start, cpu_end);
  for (ThreadResult& r : results) {
    if (r.refused > 0) {
      return absl::InternalError(
          absl::StrCat(r.refused, " calls refused, first: ", r.first_refusal.ToString()));
    }
    f.reserve_ns.insert(f.reserve_ns.end(), r.reserve_ns.begin(), r.reserve_ns.end());
    f.release_ns.insert(f.release_ns.end(), r.release_ns.begin(), r.release_ns.end());
  }
  f.all_ns = f.reserve_ns;
  f.all_ns.insert(f.all_ns.end(), f.release_ns.begin(), f.release_ns.end());
  for (std::vector<int64_t>* v : {&f.all_ns, &f.reserve_ns, &f.release_ns}) {
    std::sort(v->begin(), v->end());
  }
  f.commits = ledger.store->samples();
  return absl::OkStatus();
}

absl::StatusOr<GatewayFigures> run_gateway(Target& target, int threads, const Flags& flags) {
  GatewayFigures f;
  f.threads = threads;
  absl::StatusOr<Ledger> ledger = open_ledger(target, threads);
  if (!ledger.ok()) return ledger.status();
  const absl::StatusOr<std::optional<int64_t>> flushes_before = target.flushes(false);
  if (!flushes_before.ok()) return flushes_before.status();
  const uint64_t commits_before = ledger->store->commits();
  ACCOUNT_RETURN_IF_ERROR(drive(*ledger, threads, flags, f));
  const uint64_t commits = ledger->store->commits() - commits_before;
  // Closing the ledger closes its connection, whose backend then reports its WAL counts.
  ledger->service.reset();
  ledger->store.reset();
  const absl::StatusOr<std::optional<int64_t>> flushes_after = target.flushes(true);
  if (!flushes_after.ok()) return flushes_after.status();
  if (flushes_before->has_value() && flushes_after->has_value()) {
    const int64_t flushes = **flushes_after - **flushes_before;
    f.commits_per_wal_flush =
        flushes > 0 ? static_cast<double>(commits) / static_cast<double>(flushes) : 0;
  }
  return f;
}

// --- pgbench --------------------------------------------------------------------------------

// The harness's lookup, which it keeps private: the same binaries as the server's.
absl::StatusOr<std::string> find_bindir() {
  if (const char* env = std::getenv("ACCOUNT_PG_BINDIR"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  for (const char* version : {"15", "16", "17", "14"}) {
    const std::string dir = absl::StrCat("/usr/lib/postgresql/", version, "/bin");
    if (access((dir + "/initdb").c_str(), X_OK) == 0) return dir;
  }
  return absl::NotFoundError("no PostgreSQL binaries in /usr/lib/postgresql/*/bin");
}

// Runs argv with `env` added to this process's environment, stdout and stderr to `output`.
absl::Status spawn_and_wait(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env, const std::string& output) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("cannot run ", argv[0], ": ", strerror(rc)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(argv[0], " failed (status ", status, "):\n", read_file(output)));
}

struct Pgbench {
  std::string bindir;
  std::string dir;  // Script, output and transaction logs; a TempDir of the caller's.
  std::string database;
};

absl::StatusOr<Pgbench> prepare_pgbench(PostgresServer& server, const TempDir& dir) {
  Pgbench p;
  absl::StatusOr<std::string> bindir = find_bindir();
  if (!bindir.ok()) return bindir.status();
  p.bindir = *bindir;
  if (dir.path().empty()) return absl::InternalError("cannot make a temporary directory");
  p.dir = dir.path();
  absl::StatusOr<std::string> url = server.create_database();
  if (!url.ok()) return url.status();
  p.database = url->substr(url->rfind('/') + 1);
  // One row per client; fillfactor leaves room on the page for HOT updates.
  ACCOUNT_RETURN_IF_ERROR(server.execute(
      p.database,
      "CREATE TABLE gateway_reference (client int PRIMARY KEY, calls bigint NOT NULL) "
      "WITH (fillfactor = 50); "
      "INSERT INTO gateway_reference SELECT c, 0 FROM generate_series(0, 127) c"));
  std::ofstream script(p.dir + "/call.sql");
  script << "UPDATE gateway_reference SET calls = calls + 1 WHERE client = :client_id;\n";
  script.close();
  if (!script) return absl::InternalError("cannot write " + p.dir + "/call.sql");
  return p;
}


// The number after `label` on the line that starts with it, in pgbench's summary.
std::optional<double> summary_value(const std::string& text, const std::string& label) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(label, 0) != 0) continue;
    double v = 0;
    if (absl::SimpleAtod(line.substr(label.size(), line.find(' ', label.size()) - label.size()),
                         &v)) {
      return v;
    }
  }
  return std::nullopt;
}

// Latencies (the third field, microseconds) of every transaction log with `prefix`.
std::vector<int64_t> logged_latencies_ns(const std::string& dir, const std::string& prefix) {
  std::vector<int64_t> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      long long client = 0, txn = 0, latency_us = 0;
      if (std::sscanf(line.c_str(), "%lld %lld %lld", &client, &txn, &latency_us) == 3) {
        out.push_back(latency_us * 1000);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<ReferenceFigures> run_pgbench(PostgresServer& server, const Pgbench& p, int clients,
                                           int seconds) {
  const std::string tag = absl::StrCat("c", clients);
  const std::string output = absl::StrCat(p.dir, "/pgbench-", tag, ".txt");
  // Flags and their values in pairs, as pgbench's documentation lists them.
  // clang-format off
  const std::vector<std::string> argv = {
      p.bindir + "/pgbench", "-n", "-M", "prepared", "-f", p.dir + "/call.sql",
      "-c", absl::StrCat(clients), "-j", absl::StrCat(std::min(clients, 2)),
      "-T", absl::StrCat(seconds), "-l", absl::StrCat("--log-prefix=", p.dir, "/log-", tag),
      "-h", "127.0.0.1", "-p", absl::StrCat(server.port()), "-U", "postgres", p.database};
  // clang-format on
  absl::StatusOr<int64_t> wal_before = wal_syncs(server);
  if (!wal_before.ok()) return wal_before.status();
  const CpuSample cpu_start = sample_cpu();
  ACCOUNT_RETURN_IF_ERROR(spawn_and_wait(argv, {"PGPASSWORD=" + server.password()}, output));
  const CpuSample cpu_end = sample_cpu();
  absl::StatusOr<int64_t> wal_after = wal_syncs_settled(server);
  if (!wal_after.ok()) return wal_after.status();
  const std::string text = read_file(output);
  const std::optional<double> tps = summary_value(text, "tps = ");
  const std::optional<double> latency = summary_value(text, "latency average = ");
  const std::optional<double> txns =
      summary_value(text, "number of transactions actually processed: ");
  if (!tps || !latency || !txns) {
    return absl::InternalError("cannot read pgbench's summary: " + text);
  }
  ReferenceFigures f{
      .tps = *tps, .latency_avg_ms = *latency, .transactions = static_cast<int64_t>(*txns)};
  f.latency_ns = logged_latencies_ns(p.dir, absl::StrCat("log-", tag, "."));
  const int64_t flushes = *wal_after - *wal_before;
  f.txns_per_wal_flush = flushes > 0 ? *txns / static_cast<double>(flushes) : 0;
  f.cpu = cpu_use(cpu_start, cpu_end);
  f.wall_s = static_cast<double>(ns_between(cpu_start.at, cpu_end.at)) / 1e9;
  return f;
}

// --- Targets ----------------------------------------------------------------------------------

absl::Status allow_pgbench_connections(PostgresServer& server) {
  // postgresql.auto.conf is read after postgresql.conf and the harness's file it includes.
  ACCOUNT_RETURN_IF_ERROR(server.execute(
      "postgres", absl::StrCat("ALTER SYSTEM SET max_connections = ", kMaxConnections)));
  ACCOUNT_RETURN_IF_ERROR(server.stop());
  return server.start();
}

class PostgresTarget final : public Target {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresTarget>> start(bool reference) {
    absl::StatusOr<PostgresServer*> server = PostgresServer::shared();
    if (!server.ok()) return server.status();
    auto target = std::unique_ptr<PostgresTarget>(new PostgresTarget(**server));
    if (reference) {
      ACCOUNT_RETURN_IF_ERROR(allow_pgbench_connections(**server));
      absl::StatusOr<Pgbench> p = prepare_pgbench(**server, target->dir_);
      if (!p.ok()) return p.status();
      target->pgbench_ = std::move(*p);
    }
    return target;
  }
  const char* name() const override { return "postgres"; }
  absl::StatusOr<std::unique_ptr<account::Store>> open_store() override {
    absl::StatusOr<std::string> url = server_.create_database();
    if (!url.ok()) return url.status();
    absl::StatusOr<std::unique_ptr<account::PostgresStore>> store =
        account::PostgresStore::open(*url, {});
    if (!store.ok()) return store.status();
    return std::unique_ptr<account::Store>(std::move(*store));
  }
  absl::StatusOr<std::optional<int64_t>> flushes(bool settled) override {
    absl::StatusOr<int64_t> n = settled ? wal_syncs_settled(server_) : wal_syncs(server_);
    if (!n.ok()) return n.status();
    return std::optional<int64_t>(*n);
  }
  absl::StatusOr<ReferenceFigures> reference(int threads, int seconds) override {
    if (!pgbench_) return absl::FailedPreconditionError("started without --reference");
    return run_pgbench(server_, *pgbench_, threads, seconds);
  }
  PostgresServer& server() { return server_; }

 private:
  explicit PostgresTarget(PostgresServer& server) : server_(server) {}
  PostgresServer& server_;
  TempDir dir_{"account-gateway", std::nothrow};  // path() empty when it could not be made.
  std::optional<Pgbench> pgbench_;
};

// SQLite's settings as SqliteStore sets them: what its reference and its report use.
constexpr const char* kSqliteSettings = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";

class SqliteTarget final : public Target {
 public:
  const char* name() const override { return "sqlite"; }
  absl::StatusOr<std::unique_ptr<account::Store>> open_store() override {
    if (dir_.path().empty()) return absl::InternalError("cannot make a temporary directory");
    absl::StatusOr<std::unique_ptr<account::SqliteStore>> store =
        account::SqliteStore::open(absl::StrCat(dir_.path(), "/ledger-", next_++, ".db"), {});
    if (!store.ok()) return store.status();
    return std::unique_ptr<account::Store>(std::move(*store));
  }
  absl::StatusOr<std::optional<int64_t>> flushes(bool) override { return std::nullopt; }
  // One writer whatever `threads` is: SQLite commits one transaction at a time.
  absl::StatusOr<ReferenceFigures> reference(int, int seconds) override;

 private:
  TempDir dir_{"account-gateway", std::nothrow};  // path() empty when it could not be made.
  int next_ = 0;
};

absl::StatusOr<ReferenceFigures> SqliteTarget::reference(int, int seconds) {
  const std::string path = absl::StrCat(dir_.path(), "/reference-", next_++, ".db");
  sqlite3* db = nullptr;
  const auto close = [&db] { sqlite3_close_v2(db); };
  const auto fail = [&db, &close](const char* what) {
    absl::Status s = absl::InternalError(absl::StrCat(what, ": ", sqlite3_errmsg(db)));
    close();
    return s;
  };
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return fail("open");
  const std::string setup = absl::StrCat(
      kSqliteSettings,
      "CREATE TABLE gateway_reference (client INTEGER PRIMARY KEY, calls INTEGER NOT NULL);"
      "INSERT INTO gateway_reference VALUES (0, 0);");
  if (sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("set-up");
  }
  sqlite3_stmt *begin = nullptr, *update = nullptr, *commit = nullptr;
  sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr);
  sqlite3_prepare_v2(db, "UPDATE gateway_reference SET calls = calls + 1 WHERE client = 0", -1,
                     &update, nullptr);
  sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
  ReferenceFigures f;
  const CpuSample cpu_start = sample_cpu();
  const Instant end = cpu_start.at + std::chrono::seconds(seconds);
  bool failed = false;
  for (Instant now = cpu_start.at; now < end && !failed;) {
    for (sqlite3_stmt* step : {begin, update, commit}) {
      failed = failed || sqlite3_step(step) != SQLITE_DONE;
      sqlite3_reset(step);
    }
    const Instant done = SteadyClock::now();
    f.latency_ns.push_back(ns_between(now, done));
    now = done;
  }
  const CpuSample cpu_end = sample_cpu();
  for (sqlite3_stmt* step : {begin, update, commit}) sqlite3_finalize(step);
  if (failed) return fail("commit");
  close();
  f.transactions = static_cast<int64_t>(f.latency_ns.size());
  f.cpu = cpu_use(cpu_start, cpu_end);
  f.wall_s = static_cast<double>(ns_between(cpu_start.at, cpu_end.at)) / 1e9;
  f.tps = static_cast<double>(f.transactions) / f.wall_s;
  f.latency_avg_ms = mean(f.latency_ns) / 1e6;
  std::sort(f.latency_ns.begin(), f.latency_ns.end());
  return f;
}

void print_machine() {
  // The figures are only as good as the machine is quiet: anything else busy on its cores (a
  // build) delays the wake-ups after each flush.
  const CpuSample before = sample_cpu();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::printf(
      "machine: %u cores (std::thread::hardware_concurrency), %.2f cores busy over the "
      "second before the run\n",
      std::thread::hardware_concurrency(), cpu_use(before, sample_cpu()).machine);
  std::printf("sqlite %s: %s\n", sqlite3_libversion(), kSqliteSettings);
}

void print_server(PostgresServer& server) {
  std::printf("postgres:\n");
  for (const char* setting : {"server_version", "fsync", "synchronous_commit", "wal_sync_method",
                              "full_page_writes", "shared_buffers", "max_connections"}) {
    absl::StatusOr<std::string> value = server.query("postgres", absl::StrCat("SHOW ", setting));
    std::printf("  %s = %s\n", setting,
                value.ok() ? value->c_str() : value.status().ToString().c_str());
  }
}

// --- Report ---------------------------------------------------------------------------------

struct Row {
  std::string store;
  GatewayFigures gateway;
  std::optional<ReferenceFigures> reference;
};

double calls_per_second(const GatewayFigures& g) {
  return static_cast<double>(g.all_ns.size()) / g.window_s;
}

double commands_per_commit(const GatewayFigures& g) {
  return g.commits.empty()
             ? 0
             : static_cast<double>(g.all_ns.size()) / static_cast<double>(g.commits.size());
}

void print_summary(const std::vector<Row>& rows) {
  std::printf(
      "\nCalls are reserve_buy() and release_reservation() together; latencies in ms.\n\n"
      "Reference: pgbench with the same number of clients on PostgreSQL, one raw writer on "
      "SQLite.\n\n"
      "| store | threads | calls/s | p50 | p99 | p999 | commands/commit | reference tps "
      "| reference avg latency |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const GatewayFigures& g = r.gateway;
    std::printf("| %s | %d | %.0f | %.3f | %.3f | %.3f | %.1f | ", r.store.c_str(), g.threads,
                calls_per_second(g),
                ms(percentile(g.all_ns, 0.5)), ms(percentile(g.all_ns, 0.99)),
                ms(percentile(g.all_ns, 0.999)), commands_per_commit(g));
    if (r.reference) {
      std::printf("%.0f | %.3f |\n", r.reference->tps, r.reference->latency_avg_ms);
    } else {
      std::printf("- | - |\n");
    }
  }
}

void print_gateway_detail(const std::vector<Row>& rows) {
  std::printf(
      "\nGateway detail, ms. commit = the store's commit(): the write and its flush (on "
      "PostgreSQL a round trip too); between = from one commit's return to the next one's call: "
      "the leader applies and hands over, the next leader wakes and stages. Commits per WAL flush: "
      "PostgreSQL's pg_stat_wal (SQLite syncs at every commit: -).\n\n"
      "| store | threads | reserve p50 / p99 | release p50 / p99 | commits/s | commands/commit "
      "p50 / p99 / max | commit mean / p50 / p99 | between mean / p50 / p99 | commits per WAL "
      "flush |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const GatewayFigures& g = r.gateway;
    std::vector<int64_t> sizes, commit_ns, gap_ns;
    for (const CommitSample& c : g.commits) {
      sizes.push_back(static_cast<int64_t>(c.commands));
      commit_ns.push_back(c.commit_ns);
      gap_ns.push_back(c.gap_ns);
    }
    for (std::vector<int64_t>* v : {&sizes, &commit_ns, &gap_ns}) std::sort(v->begin(), v->end());
    std::printf("| %s | %d | %.3f / %.3f | %.3f / %.3f | %.0f | %" PRId64 " / %" PRId64
                " / %" PRId64 " | %.3f / %.3f / %.3f | %.3f / %.3f / %.3f | %.2f |\n",
                r.store.c_str(), g.threads, ms(percentile(g.reserve_ns, 0.5)), ms(percentile(g.reserve_ns, 0.99)),
                ms(percentile(g.release_ns, 0.5)), ms(percentile(g.release_ns, 0.99)),
                static_cast<double>(g.commits.size()) / g.window_s, percentile(sizes, 0.5),
                percentile(sizes, 0.99), sizes.empty() ? 0 : sizes.back(), mean(commit_ns) / 1e6,
                ms(percentile(commit_ns, 0.5)), ms(percentile(commit_ns, 0.99)), mean(gap_ns) / 1e6,
                ms(percentile(gap_ns, 0.5)), ms(percentile(gap_ns, 0.99)), g.commits_per_wal_flush);
  }
}

// Per size bucket: the share of commits, their mean commit() time, and the mean gap before them
// (the previous group's apply and hand-over, then this group's staging).
void print_group_sizes(const std::vector<Row>& rows) {
  constexpr int64_t kBounds[] = {1, 3, 7, 15, 31, 63, 127};
  constexpr size_t kBuckets = std::size(kBounds) + 1;
  std::printf(
      "\nCommands per commit, by size of group: share of commits / commit() mean ms / between "
      "mean ms (the gap before the commit).\n\n"
      "| store | threads | 1 | 2-3 | 4-7 | 8-15 | 16-31 | 32-63 | 64-127 | 128+ |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    int64_t count[kBuckets] = {}, commit_ns[kBuckets] = {}, gap_ns[kBuckets] = {};
    for (const CommitSample& c : r.gateway.commits) {
      size_t b = 0;
      while (b < std::size(kBounds) && static_cast<int64_t>(c.commands) > kBounds[b]) ++b;
      ++count[b];
      commit_ns[b] += c.commit_ns;
      gap_ns[b] += c.gap_ns;
    }
    std::printf("| %s | %d |", r.store.c_str(), r.gateway.threads);
    const double n = std::max<double>(1, static_cast<double>(r.gateway.commits.size()));
    for (size_t b = 0; b < kBuckets; ++b) {
      if (count[b] == 0) {
        std::printf(" - |");
        continue;
      }
      std::printf(" %.1f%% / %.3f / %.3f |", 100.0 * static_cast<double>(count[b]) / n,
                  ms(commit_ns[b] / count[b]), ms(gap_ns[b] / count[b]));
    }
    std::printf("\n");
  }
}

void print_reference_detail(const std::vector<Row>& rows) {
  std::printf(
      "\nReference detail: one UPDATE per transaction (pgbench in autocommit with as many clients "
      "as threads; one raw writer on SQLite). Latencies in ms.\n\n"
      "| store | clients | tps | transactions | avg | p50 | p99 | p999 | txns per WAL flush |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    if (!r.reference) continue;
    const ReferenceFigures& p = *r.reference;
    std::printf("| %s | %d | %.0f | %" PRId64 " | %.3f | %.3f | %.3f | %.3f | %.2f |\n",
                r.store.c_str(), r.store == "sqlite" ? 1 : r.gateway.threads, p.tps, p.transactions, p.latency_avg_ms,
                ms(percentile(p.latency_ns, 0.5)), ms(percentile(p.latency_ns, 0.99)),
                ms(percentile(p.latency_ns, 0.999)), p.txns_per_wal_flush);
  }
}

void print_cpu_row(const std::string& run, int threads, const CpuUse& cpu,
                   double server_us_per_commit) {
  std::printf("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.0f |\n", run.c_str(), threads,
              cpu.machine, cpu.server, cpu.driver, cpu.other(), server_us_per_commit);
}

void print_cpu(const std::vector<Row>& rows) {
  std::printf(
      "\nCPU, in cores busy on average (the machine has %u): server = every postgres process; "
      "driver = this process and pgbench; other = the rest of the machine, which should be near 0 "
      "for figures that mean anything. Gateway over the measured window; the reference over its "
      "whole run (pgbench's connecting included).\n\n"
      "| run | threads or clients | machine | server | driver | other | server CPU per commit, us "
      "|\n|---|---:|---:|---:|---:|---:|---:|\n",
      std::thread::hardware_concurrency());
  for (const Row& r : rows) {
    const GatewayFigures& g = r.gateway;
    const double commits = std::max<double>(1, static_cast<double>(g.commits.size()));
    print_cpu_row(r.store + " gateway", g.threads, g.cpu, g.cpu.server * g.window_s * 1e6 / commits);
    if (!r.reference) continue;
    const ReferenceFigures& p = *r.reference;
    const double txns = std::max<double>(1, static_cast<double>(p.transactions));
    print_cpu_row(r.store + " reference", g.threads, p.cpu, p.cpu.server * p.wall_s * 1e6 / txns);
  }
}

absl::Status run(const Flags& flags) {
  print_machine();
  std::vector<Row> rows;
  for (const std::string& store : flags.stores) {
    std::unique_ptr<Target> target;
    if (store == "postgres") {
      absl::StatusOr<std::unique_ptr<PostgresTarget>> pg = PostgresTarget::start(flags.reference);
      if (!pg.ok()) return pg.status();
      print_server((*pg)->server());
      target = std::move(*pg);
    } else {
      target = std::make_unique<SqliteTarget>();
    }
    for (int threads : flags.threads) {
      absl::StatusOr<GatewayFigures> gateway = run_gateway(*target, threads, flags);
      if (!gateway.ok()) return gateway.status();
      std::printf("%s gateway, %d threads: %.0f calls/s\n", target->name(), threads,
                  calls_per_second(*gateway));
      std::fflush(stdout);
      Row row{.store = target->name(), .gateway = std::move(*gateway)};
      if (flags.reference) {
        absl::StatusOr<ReferenceFigures> figures = target->reference(threads, flags.seconds);
        if (!figures.ok()) return figures.status();
        std::printf("%s reference, %d clients: %.0f tps\n", target->name(), threads, figures->tps);
        std::fflush(stdout);
        row.reference = std::move(*figures);
      }
      rows.push_back(std::move(row));
    }
  }
  print_summary(rows);
  print_gateway_detail(rows);
  print_group_sizes(rows);
  if (flags.reference) print_reference_detail(rows);
  print_cpu(rows);
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::StatusOr<Flags> flags = parse_flags(argc, argv);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s", std::string(flags.status().message()).c_str());
    return 2;
  }
  if (absl::Status s = run(*flags); !s.ok()) {
    std::fprintf(stderr, "gateway_benchmark: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
