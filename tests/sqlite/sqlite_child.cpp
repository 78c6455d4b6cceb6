// account_sqlite_child: the process the SQLite tests start beside themselves.
//
//   account_sqlite_child hold <db>
//       Opens <db> for writing, prints "ready <pid>", and keeps it until its
//       stdin closes: the other writer of the one-writer tests.
//   account_sqlite_child try-open <db> [--as-nobody] [--read-only]
//       Opens <db> and prints "ok", or "error <code>: <message>". With
//       --as-nobody, running as root, it first becomes user and group 65534,
//       so that file permissions apply to it (root ignores them).
//   account_sqlite_child stream <db> <seed> <first-step> [--steps N]
//                                [--file-bytes-max BYTES]
//       Runs the crash stream (crash_workload.h) through an AccountService
//       on <db> from step <first-step>, printing one line per acknowledged
//       command as soon as it is acknowledged:
//         E <key>        an entry applied (or found applied)
//         R <order>      an order's reservation held (or found held)
//         C <order>      an order cancelled
//         F <execution>  a fill applied (or found applied): acknowledged
//         Q <execution>  a fill queued by a store refusal: not acknowledged
//         S <step>       every command of the step acknowledged
//         X <reason>     a command refused by the store
//         N <execution> <reason>  a fill refused on its own merits (a bug)
//       Until killed, or for N steps. With --file-bytes-max the process may
//       write no file past BYTES (RLIMIT_FSIZE: the disk is full, writes fail
//       with EFBIG); it stops after the third step a store refusal stopped.
//
// Lines go out with write(2), unbuffered, so that a line the parent reads
// was acknowledged before any kill that follows.
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "account/account_service.h"
#include "account/clock.h"
#include "account/notification_sink.h"
#include "account/sqlite/sqlite_store.h"
#include "account/status.h"
#include "crash_workload.h"

namespace {

using account::AccountService;
using account::Reason;

void say(const std::string& line) {
  const std::string text = line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(1, text.data() + done, text.size() - done);
    if (n <= 0) std::_Exit(4);  // The parent is gone.
    done += static_cast<size_t>(n);
  }
}

std::string code_text(const absl::Status& s) {
  return std::string(absl::StatusCodeToString(s.code())) + ": " + std::string(s.message());
}

bool store_refused(const absl::Status& s) {
  const std::optional<Reason> r = account::reason_of(s);
  return r == Reason::kStoreUnavailable || r == Reason::kStoreFailure;
}

// Queued fills are acknowledged when the ledger reports them applied.
class AckSink final : public account::NotificationSink {
 public:
  void on_order_expired(uint64_t, account::AccountId, account::OrderId,
                        account::ReservationId) override {}
  void on_queued_fill_done(const account::Fill& fill, const absl::Status& result) override {
    if (result.ok() || account::reason_of(result) == Reason::kDuplicateExecution) {
      say("F " + std::to_string(fill.execution.value()));
    }
  }
};

// Runs one step; false when a command was refused by the store (the step
// stays unacknowledged and is run again by the next process).
bool run_step(AccountService& service, account::ManualClock& clock,
              const account::crash::Step& step) {
  clock.set(account::crash::step_time(step.index));
  for (const auto& c : step.credits) {
    const absl::Status s = service.credit(c.account, c.amount, account::EntryKind::kFantasyCredit,
                                          c.key);
    if (!s.ok() && account::reason_of(s) != Reason::kDuplicateEntry) {
      say("X " + code_text(s));
      return false;
    }
    say("E " + c.key);
  }
  for (const auto& o : step.cancels) {
    const absl::StatusOr<account::ReservationId> r = service.reserve_buy(o);
    if (!r.ok()) {
      say("X " + code_text(r.status()));
      return false;
    }
    say("R " + std::to_string(o.order.value()));
    const absl::Status s = service.cancel_order(o.order);
    if (!s.ok()) {
      say("X " + code_text(s));
      return false;
    }
    say("C " + std::to_string(o.order.value()));
  }
  if (!step.buys.empty()) {
    const auto results = service.reserve_batch(step.buys, account::Side::kBuy);
    for (size_t i = 0; i < results.size(); ++i) {
      if (!results[i].ok()) {
        say("X " + code_text(results[i].status()));
        return false;
      }
      say("R " + std::to_string(step.buys[i].order.value()));
    }
  }
  for (const auto& o : step.sells) {
    const absl::StatusOr<account::ReservationId> r = service.reserve_sell(o);
    if (!r.ok()) {
      say("X " + code_text(r.status()));
      return false;
    }
    say("R " + std::to_string(o.order.value()));
  }
  bool all = true;
  if (!step.fills.empty()) {
    const auto results = service.settle_batch(step.fills);
    for (size_t i = 0; i < results.size(); ++i) {
      const std::string id = std::to_string(step.fills[i].execution.value());
      if (results[i].ok() && results[i]->outcome == account::SettlementOutcome::kQueued) {
        say("Q " + id);
        all = false;
      } else if (results[i].ok() ||
                 account::reason_of(results[i].status()) == Reason::kDuplicateExecution) {
        say("F " + id);
      } else if (store_refused(results[i].status())) {
        say("X " + code_text(results[i].status()));
        all = false;
      } else {
        say("N " + id + " " + code_text(results[i].status()));
        all = false;
      }
    }
  }
  if (all) say("S " + std::to_string(step.index));
  return all;
}

int stream(const std::string& db, uint64_t seed, uint64_t first, int64_t steps,
           int64_t file_bytes_max) {
  if (file_bytes_max > 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // A write past the limit fails with EFBIG instead.
    const rlimit limit{static_cast<rlim_t>(file_bytes_max), static_cast<rlim_t>(file_bytes_max)};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 5;
  }
  absl::StatusOr<std::unique_ptr<account::SqliteStore>> store = account::SqliteStore::open(db, {});
  if (!store.ok()) {
    say("error " + code_text(store.status()));
    return 1;
  }
  auto clock = std::make_shared<account::ManualClock>(account::crash::step_time(first));
  absl::StatusOr<std::unique_ptr<AccountService>> service = AccountService::open(
      {.store = std::move(*store), .clock = clock, .sink = std::make_shared<AckSink>(),
       .limits = account::crash::crash_limits(),
       // One try a millisecond: a test's disk stays full, and the queue's
       // retries only need to show that they change nothing.
       .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                            .backoff_max = absl::Milliseconds(20)}});
  if (!service.ok()) {
    say("error " + code_text(service.status()));
    return 1;
  }
  if (absl::Status ok = account::crash::set_up(**service); !ok.ok()) {
    say("X " + code_text(ok));
    return file_bytes_max > 0 ? 0 : 3;
  }
  say("open");
  int refused_steps = 0;
  for (uint64_t i = first; steps < 0 || i < first + static_cast<uint64_t>(steps); ++i) {
    if (run_step(**service, *clock, account::crash::make_step(seed, i))) continue;
    if (file_bytes_max <= 0) return 3;
    if (++refused_steps == 3) break;
  }
  service->reset();
  say("done");
  return 0;
}

int try_open(const std::string& db, bool as_nobody, bool read_only) {
  if (as_nobody && ::geteuid() == 0) {
    constexpr gid_t kNobody = 65534;
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
      say("error setuid failed");
      return 5;
    }
  }
  absl::StatusOr<std::unique_ptr<account::SqliteStore>> store =
      account::SqliteStore::open(db, {.read_only = read_only});
  say(store.ok() ? std::string("ok") : "error " + code_text(store.status()));
  return 0;
}

int hold(const std::string& db) {
  absl::StatusOr<std::unique_ptr<account::SqliteStore>> store = account::SqliteStore::open(db, {});
  if (!store.ok()) {
    say("error " + code_text(store.status()));
    return 1;
  }
  say("ready " + std::to_string(::getpid()));
  char c = 0;
  while (::read(0, &c, 1) > 0) {
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto has = [&](const std::string& flag) {
    for (const std::string& a : args) {
      if (a == flag) return true;
    }
    return false;
  };
  const auto value = [&](const std::string& flag, int64_t fallback) {
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == flag) return std::strtoll(args[i + 1].c_str(), nullptr, 10);
    }
    return static_cast<long long>(fallback);
  };
  if (args.size() >= 2 && args[0] == "hold") return hold(args[1]);
  if (args.size() >= 2 && args[0] == "try-open") {
    return try_open(args[1], has("--as-nobody"), has("--read-only"));
  }
  if (args.size() >= 4 && args[0] == "stream") {
    return stream(args[1], std::strtoull(args[2].c_str(), nullptr, 10),
                  std::strtoull(args[3].c_str(), nullptr, 10), value("--steps", -1),
                  value("--file-bytes-max", 0));
  }
  std::fprintf(stderr, "usage: see the top of tests/sqlite/sqlite_child.cpp\n");
  return 2;
}
