#include "crash_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/sqlite/sqlite_store.h"
#include "account/status.h"
#include "crash_workload.h"

extern char** environ;

namespace account::crash {
namespace {

// What the children acknowledged, over every round.
struct Acks {
  absl::flat_hash_set<uint64_t> fills;
  absl::flat_hash_set<uint64_t> orders;
  absl::flat_hash_set<uint64_t> cancels;
  absl::flat_hash_set<std::string> entries;
};

struct Round {
  bool opened = false;
  bool done_any = false;
  uint64_t last_done = 0;
  std::vector<std::string> problems;  // N and X lines: never expected here.
};

// When the parent kills the child: never (it runs to its end), `delay`
// after it started, or `delay` after it printed "open" (its ledger is open
// and the stream begins).
struct Kill {
  enum When { kNever, kAfterStart, kAfterOpen } when = kNever;
  absl::Duration delay;
};

struct Printed {
  std::string text;
  absl::Duration open_after = absl::InfiniteDuration();  // When "open" came, if it did.
};

// Reads what the child prints until "open\n" has come or the child closed
// its output; false on a timeout.
bool read_until_open(int fd, Printed& out, std::chrono::steady_clock::time_point started) {
  constexpr int kTimeoutMs = 60'000;
  char buffer[4096];
  while (out.text.find("open\n") == std::string::npos) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, kTimeoutMs) <= 0) return false;
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0) return true;
    out.text.append(buffer, static_cast<size_t>(n));
  }
  out.open_after = absl::FromChrono(std::chrono::steady_clock::now() - started);
  return true;
}

// Starts the child streaming from `first` (with `extra` arguments), kills it
// as `kill` says, and returns everything it printed.
absl::StatusOr<Printed> run_child(const CrashOptions& o, uint64_t first, Kill kill,
                                  const std::vector<std::string>& extra = {}) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<std::string> args = {o.child, "stream", o.database, std::to_string(o.seed),
                                   std::to_string(first)};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const auto started = std::chrono::steady_clock::now();
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return absl::InternalError(absl::StrCat("cannot start ", o.child, ": error ", rc));
  }
  Printed printed;
  if (kill.when == Kill::kAfterOpen && !read_until_open(out[0], printed, started)) {
    ::kill(pid, SIGKILL);
  }
  if (kill.when != Kill::kNever) {
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(kill.delay));
    ::kill(pid, SIGKILL);
  }
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(out[0], buffer, sizeof(buffer))) > 0) {
    printed.text.append(buffer, static_cast<size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (kill.when == Kill::kNever) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return printed;
    return absl::InternalError(absl::StrCat("the child failed (status ", status,
                                            "); it printed:\n", printed.text));
  }
  if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
    return absl::InternalError(absl::StrCat("the child ended before it was killed (status ",
                                            status, "); it printed:\n", printed.text));
  }
  return printed;
}

// Reads the child's lines into `acks`. A line cut by the kill (no newline)
// is not an acknowledgement the parent could have seen: ignored.
Round parse(const std::string& printed, Acks& acks) {
  Round round;
  size_t start = 0;
  while (true) {
    const size_t end = printed.find('\n', start);
    if (end == std::string::npos) break;
    const std::string line = printed.substr(start, end - start);
    start = end + 1;
    if (line == "open") round.opened = true;
    if (line.size() < 3 || line[1] != ' ') continue;
    const std::string rest = line.substr(2);
    switch (line[0]) {
      case 'F': acks.fills.insert(std::strtoull(rest.c_str(), nullptr, 10)); break;
      case 'R': acks.orders.insert(std::strtoull(rest.c_str(), nullptr, 10)); break;
      case 'C': acks.cancels.insert(std::strtoull(rest.c_str(), nullptr, 10)); break;
      case 'E': acks.entries.insert(rest); break;
      case 'S':
        round.done_any = true;
        round.last_done = std::strtoull(rest.c_str(), nullptr, 10);
        break;
      case 'N':
      case 'X':
      case 'Q': round.problems.push_back(line); break;
      default: break;
    }
  }
  return round;
}

// The checks of the header, on the file as the killed child left it. Steps
// [0, reached] are those any child may have started.
absl::Status verify(const CrashOptions& o, const Acks& acks, uint64_t reached,
                    CrashReport& report) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(o.database, {});
  if (!opened.ok()) return opened.status();
  std::shared_ptr<SqliteStore> store = std::move(*opened);
  const LedgerSnapshot stored = store->load({}).value_or(LedgerSnapshot{});
  absl::flat_hash_set<uint64_t> executions;
  for (const Fill& f : stored.executions) executions.insert(f.execution.value());
  absl::flat_hash_map<uint64_t, int> trades_per_execution;
  for (const Trade& t : stored.trades) ++trades_per_execution[t.execution.value()];
  for (uint64_t e : executions) {
    if (trades_per_execution[e] != 2) {
      return absl::DataLossError(absl::StrCat("execution ", e, " is stored with ",
                                              trades_per_execution[e], " trades, not 2"));
    }
  }
  if (trades_per_execution.size() != executions.size()) {
    return absl::DataLossError("a trade is stored without its execution");
  }
  // Every fill of one step is committed by one settle_batch.
  std::vector<Fill> stored_fills;
  size_t fills_seen = 0;
  for (uint64_t s = 0; s <= reached; ++s) {
    const Step step = make_step(o.seed, s);
    size_t present = 0;
    for (const Fill& f : step.fills) present += executions.contains(f.execution.value());
    if (present != 0 && present != step.fills.size()) {
      return absl::DataLossError(absl::StrCat("step ", s, " has ", present, " of its ",
                                              step.fills.size(), " fills stored: half a commit"));
    }
    for (const Fill& f : step.fills) {
      if (!executions.contains(f.execution.value())) continue;
      stored_fills.push_back(f);
      if (!acks.fills.contains(f.execution.value())) ++report.fills_stored_unacked;
    }
    fills_seen += present;
  }
  if (fills_seen != executions.size()) {
    return absl::DataLossError(absl::StrCat(executions.size() - fills_seen,
                                            " stored executions belong to no step started"));
  }
  for (uint64_t f : acks.fills) {
    if (!executions.contains(f)) {
      return absl::DataLossError(absl::StrCat("acknowledged fill ", f, " is not stored"));
    }
  }
  absl::flat_hash_set<std::string> keys;
  for (const ExternalEntry& e : stored.entries) keys.insert(e.key);
  for (const std::string& k : acks.entries) {
    if (!keys.contains(k)) {
      return absl::DataLossError(absl::StrCat("acknowledged entry ", k, " is not stored"));
    }
  }
  auto clock = std::make_shared<ManualClock>(step_time(reached + 1));
  absl::StatusOr<std::unique_ptr<AccountService>> service =
      AccountService::open({.store = store, .clock = clock, .limits = crash_limits()});
  if (!service.ok()) return service.status();
  for (uint64_t order : acks.orders) {
    const absl::StatusOr<Reservation> r = (*service)->reservation_for_order(OrderId{order});
    if (!r.ok()) {
      return absl::DataLossError(absl::StrCat("acknowledged order ", order, " has no reservation: ",
                                              r.status().ToString()));
    }
    if (acks.cancels.contains(order) && r->status != ReservationStatus::kCancelled) {
      return absl::DataLossError(absl::StrCat("acknowledged cancel of order ", order,
                                              " is not stored"));
    }
  }
  const AuditReport audit = (*service)->audit();
  if (!audit.ok()) {
    return absl::DataLossError(absl::StrCat("audit failed with ", audit.violations.size(),
                                            " violations, the first: ",
                                            audit.violations.front()));
  }
  const auto results = (*service)->settle_batch(stored_fills);
  for (size_t i = 0; i < results.size(); ++i) {
    if (reason_of(results[i]) != Reason::kDuplicateExecution) {
      return absl::DataLossError(absl::StrCat(
          "redelivered fill ", stored_fills[i].execution.value(), " was not a duplicate: ",
          results[i].ok() ? "applied again" : results[i].status().ToString()));
    }
  }
  report.fills_acked = acks.fills.size();
  report.orders_acked = acks.orders.size();
  report.entries_acked = acks.entries.size();
  report.cancels_acked = acks.cancels.size();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CrashReport> run_crash_rounds(const CrashOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  std::mt19937_64 rng(o.seed);
  Acks acks;
  CrashReport report;
  uint64_t next = 0;  // The first step not acknowledged in full.
  // A quarter of the kills land while the child opens (the integrity check,
  // migrations, the ledger's load), timed from the opens seen so far; the
  // rest land among its commits, timed from its "open".
  absl::Duration open_time_sum;
  int opens_seen = 0;
  for (int round = 0; round < o.kills; ++round) {
    Kill kill;
    const absl::Duration open_estimate =
        opens_seen == 0 ? o.kill_delay_max : open_time_sum / opens_seen;
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
      kill.when = Kill::kAfterStart;
      kill.delay = absl::Microseconds(std::uniform_int_distribution<int64_t>(
          0, absl::ToInt64Microseconds(open_estimate))(rng));
    } else {
      kill.when = Kill::kAfterOpen;
      kill.delay = absl::Microseconds(std::uniform_int_distribution<int64_t>(
          0, absl::ToInt64Microseconds(o.kill_delay_max))(rng));
    }
    absl::StatusOr<Printed> printed = run_child(o, next, kill);
    const std::string where = absl::StrCat(
        "seed ", o.seed, ", round ", round, " (kill ", absl::FormatDuration(kill.delay),
        kill.when == Kill::kAfterStart ? " after the start" : " after the open", ", from step ",
        next, "): ");
    if (!printed.ok()) {
      return absl::Status(printed.status().code(), where + std::string(printed.status().message()));
    }
    if (printed->open_after != absl::InfiniteDuration()) {
      open_time_sum += printed->open_after;
      ++opens_seen;
    }
    ++report.kills;
    const Round r = parse(printed->text, acks);
    if (!r.problems.empty()) {
      return absl::InternalError(where + "the stream met a refusal: " + r.problems.front());
    }
    if (!r.opened) ++report.kills_before_open;
    // The step in flight when the kill came is `reached`: its commands
    // may be stored, acknowledged or not.
    const uint64_t reached = r.done_any ? r.last_done + 1 : next;
    if (r.done_any) {
      report.steps_done += r.last_done + 1 - next;
      next = r.last_done + 1;
    }
    if (absl::Status ok = verify(o, acks, reached, report); !ok.ok()) {
      return absl::Status(ok.code(), where + std::string(ok.message()));
    }
    if (o.log) {
      o.log(absl::StrCat(where, r.opened ? "" : "killed before its ledger opened; ",
                         "steps acknowledged ", report.steps_done, ", fills ",
                         report.fills_acked));
    }
  }
  report.elapsed = absl::FromChrono(std::chrono::steady_clock::now() - started);
  return report;
}

absl::StatusOr<FullDiskReport> run_full_disk(const CrashOptions& o, int64_t file_bytes_max) {
  const auto started = std::chrono::steady_clock::now();
  Acks acks;
  FullDiskReport report;
  absl::StatusOr<Printed> printed =
      run_child(o, 0, Kill{}, {"--file-bytes-max", std::to_string(file_bytes_max)});
  if (!printed.ok()) return printed.status();
  const Round r = parse(printed->text, acks);
  for (const std::string& line : r.problems) {
    if (line[0] == 'N') return absl::InternalError("a fill was refused on its merits: " + line);
    if (line[0] == 'X') {
      if (report.refusals++ == 0) report.first_refusal = line;
    }
    if (line[0] == 'Q') ++report.fills_queued;
  }
  if (r.done_any) report.acked.steps_done = r.last_done + 1;
  // The child stops at the third step a refusal cut short, so it reached at
  // most a few steps past the last it finished.
  const uint64_t reached = (r.done_any ? r.last_done + 1 : 0) + 4;
  if (absl::Status ok = verify(o, acks, reached, report.acked); !ok.ok()) return ok;
  report.acked.elapsed = absl::FromChrono(std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace account::crash
