// Private to the accountctl tool: the operator CLI as a function, so that
// tests run every command in-process against a MemoryStore, a SQLite file or
// a real PostgreSQL, with the output captured.
//
//   accountctl show 7                 an account, its positions, reservations, trades
//   accountctl list                   every account with its cash
//   accountctl fantasy-update --all   the fantasy update, with a progress line
//   accountctl expire                 the reservation clean-up
//   accountctl audit                  the invariant audit, printing what is wrong
//   accountctl migrate                apply schema migrations
//   accountctl health                 store and Sleeper reachability
//   accountctl config                 the configuration as read, secrets hidden
//   accountctl events --since 120     the journal after seq 120, one JSON line per event
//   accountctl events --follow        ... and every new entry as it commits, until Ctrl-C
//   accountctl verify                 the journal's hash chain, the tables against a replay of
//                                     the journal, and both state hashes
//   accountctl history trades 7 --symbol 17 --from 2026-09-10T00:00:00Z
//                                     a page of account 7's trades (entries, reservations), then
//                                     the --after cursor of the next page
//
// `accountctl help` and `accountctl <command> --help` say more.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "account/clock.h"
#include "account/config.h"
#include "account/fantasy/sleeper_client.h"
#include "account/store.h"

namespace account::cli {

// Exit codes, for scripts. Stable: documented in --help.
enum ExitCode : int {
  kExitOk = 0,
  kExitProblemsFound = 1,  // The command ran and found problems (audit violations,
                           // accounts the fantasy update could not update).
  kExitUsage = 2,          // Unknown command or option, a missing or malformed argument.
  kExitConfig = 3,         // The environment's configuration is invalid or incomplete.
  kExitUnavailable = 4,    // The store or Sleeper could not be reached; retry later.
  kExitNotFound = 5,       // The account asked for does not exist, or the journal entries
                           // asked for were pruned.
  kExitFailed = 6,         // Refused or failed otherwise (e.g. another ledger holds the
                           // database's writer lock); the message says why.
};

enum class StoreMode {
  kReadOnly,  // show, list, audit, health, events, verify, history: beside a running ledger,
              // no lock.
  kWriter,    // expire, fantasy-update, migrate: takes the store's writer lock.
};

struct OpenedStore {
  std::shared_ptr<Store> store;
  // Safe to print: "the SQLite file /srv/ledger.db", "the PostgreSQL
  // database postgresql://ledger:***@db/waiver", "the in-memory store".
  std::string description;
  int64_t schema_version_found = 0;  // 0 for stores without a schema.
  int64_t schema_version_now = 0;
};

struct CliContext {
  Environment env;
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  bool err_is_terminal = false;  // Progress rewrites one line when true.
  std::shared_ptr<Clock> clock;
  std::function<absl::StatusOr<OpenedStore>(const Config&, StoreMode)> open_store;
  std::function<absl::StatusOr<std::shared_ptr<SleeperClient>>(const Config&)> open_sleeper;
  // Asked by `events --follow` each time it has caught up with the head, before it waits for
  // new entries: true ends it, exit 0. Unset in the real tool, which ends on SIGINT or SIGTERM;
  // in-process tests set it.
  std::function<bool()> stop_following;
};

// The real thing: the process environment, stdout/stderr, the system clock,
// the store DATABASE_URL names, opened by open_store() (stores/open_store.h:
// a PostgreSQL database, or a SQLite file), read-only for kReadOnly; an
// error when DATABASE_URL is not set. Sleeper over libcurl.
CliContext default_cli_context();

// The exit code for a failed call to the store, Sleeper or the ledger: kExitUnavailable for a
// transient failure, kExitNotFound for a missing account, kExitConfig for settings refused,
// kExitFailed otherwise.
int exit_code_for(const absl::Status& status);

// Runs one command line (args[0] is the command, without the program name).
// Returns an ExitCode.
int run_accountctl(const std::vector<std::string>& args, CliContext& context);

}  // namespace account::cli
