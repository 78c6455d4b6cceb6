// Private to the library: one caller's command in AccountService's
// group-commit queue (account_service.cpp), also built by audit.cpp.
#pragma once

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "base/mutex.h"
#include "ledger/ledger_commands.h"
#include "ledger/ledger_state.h"
#include "ledger/txn.h"

namespace account {
namespace internal {

// One caller's command waiting in the group-commit queue.
struct PendingCommand {
  // Validates and stages the command; runs on the group leader's thread,
  // under the service mutex. Returns the command's own denial, if any.
  // Refers to a lambda on the caller's stack, which outlives the command.
  absl::FunctionRef<absl::Status(Txn&, const CommandContext&)> stage;
  // Optional: runs on the leader's thread once the group's outcome is known
  // (`status` is set), before leadership passes on. Settlement queues the
  // fills that met an unavailable store here, so that no later command can
  // end their orders before them.
  const absl::FunctionRef<void()>* on_outcome = nullptr;
  absl::Status status;
  // The retry thread's reload while the store is down (probe_store()): the
  // one command a down store does not refuse at once.
  bool probe = false;
  // The retry thread's commands (its probes and retries of queued fills):
  // already paced by the backoff, so their failures do not count towards
  // handing the store to the background reconnect.
  bool background = false;
  bool done = false;   // Guarded by the CommitQueue's mutex.
  CondVar cv;          // Signalled when done, or when the command reaches the front.
};

}  // namespace internal

}  // namespace account
