// File: store.h
//
// Durable storage behind the ledger. The ledger calls commit() with one
// ChangeSet per batch and applies it in memory only after commit() returns
// OK: nothing is acknowledged before it is durable. SqliteStore is the
// durable embedded store (one file, no server); PostgresStore is production;
// MemoryStore keeps everything in the process, for tests and volatile runs.
// account/testing/store_conformance.h (account::testing) runs one suite
// against every implementation.
//
// Contract for implementations:
// - commit() is all-or-nothing. OK means durable. An error means either
//   "not committed" or "unknown" (an ambiguous commit); the ledger treats
//   every error as unknown and reloads its state with load() before it takes
//   the next command, so an implementation must never half-apply.
// - Error codes: kUnavailable for transient trouble (connection lost,
//   timeout); kAlreadyExists when a unique key (execution id, entry key,
//   account id) is already stored, which makes the ledger validate the
//   batch again against the store; kAborted when nothing was sent because
//   the store's contents may have changed since the last load() (PostgreSQL:
//   the writer session was lost, and the writer lock with it, so another
//   writer may have written meanwhile), which makes the ledger reload and
//   stage the batch again: a load() with SnapshotRequest::commits_follow
//   lifts it, a load only to look does not; kAborted marked by
//   writer_fenced_error() (writer_fencing.h) when another writer took the
//   store since this one opened it, which nothing lifts: the ledger stops
//   writing (Reason::kWriterFenced); anything else for a refusal that
//   retrying won't fix.
// - load() returns the committed state as a LedgerSnapshot.
// - find_execution() answers dedupe questions for executions older than
//   the ledger's in-memory window.
// - commit() writes changes.journal (when its seq is not 0) in the same
//   transaction, and refuses with kAborted, writing nothing, when that seq
//   is not the stored head's + 1 (ChangeSet::journal); load() returns the
//   head (LedgerSnapshot::journal_head); journal() reads stored entries.
// - journal_cursor() and set_journal_cursor() keep, by name, how far a consumer of the journal
//   got (the ledger's notifier: docs/journal.md); a store that keeps none may leave the
//   defaults.
// - prune_journal() removes the oldest entries and the trades of their fills and stores the
//   checkpoint that replaces them (journal_checkpoint.h), in one transaction; journal() then
//   starts after the checkpoint's seq, and journal_checkpoint() returns it.
// - ping() is for health checks only; the ledger never relies on it.
// - Calls come from one ledger writer at a time, but queries (trades) may
//   come from other threads concurrently with commit(): implementations are
//   thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/change_set.h"
#include "account/history.h"
#include "account/ids.h"
#include "account/journal_checkpoint.h"
#include "account/ledger_snapshot.h"

namespace account {

class Store {
 public:
  virtual ~Store() = default;

  // Makes `changes` durable in one transaction. See the contract above.
  virtual absl::Status commit(const ChangeSet& changes) = 0;

  // The committed state, limited by `request`.
  virtual absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) = 0;

  // The applied fill with this execution id, or nullopt if none was applied.
  virtual absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) = 0;

  // Up to `limit` most recent trades of `account`, newest first.
  virtual absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) = 0;

  // Up to `limit` stored journal entries with seq > `after_seq`, oldest first, exactly as
  // committed. Empty when there are none. Errors as load()'s.
  virtual absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq,
                                                             size_t limit) = 0;

  // The seq that the journal consumer `name` (the ledger's notifier: "notifier") stored last
  // with set_journal_cursor(), or nullopt when it stored none. Errors as load()'s. The default
  // answers kUnimplemented: a store that keeps no cursors, whose ledger then starts its notices
  // at the head at each open (a crash may lose the notices of its last commits).
  virtual absl::StatusOr<std::optional<uint64_t>> journal_cursor(std::string_view name);
  // Stores `seq` as `name`'s cursor, replacing what it held, durably, in a transaction of its
  // own (not the ledger's commits: a consumer moves its cursor on its own thread). Errors as
  // commit()'s, all transient for the caller (it stores a later cursor next). Default:
  // kUnimplemented.
  virtual absl::Status set_journal_cursor(std::string_view name, uint64_t seq);

  // Removes the journal entries up to `prune.checkpoint.seq` (those an earlier prune left) and
  // the trades stored up to the last of `prune.last_removed_execution`'s, and stores the
  // checkpoint in their place, in one transaction (docs/journal.md, "Retention"). Refusals,
  // nothing changed: InvalidArgument when the checkpoint's seq is 0 or not below the head (the
  // head entry stays: the next commit chains on it), when the stored entry at that seq has
  // another hash or commit time (a checkpoint of another journal), or when the stored
  // checkpoint has that seq with other bytes; FailedPrecondition, naming the cursor, when a
  // stored journal cursor is below the checkpoint's seq and `prune.past_cursors` is false (its
  // consumer would miss entries); DataLoss when the execution's trades are not stored. Retry: a
  // prune whose checkpoint is the stored one (an identical retry after an ambiguous answer), or
  // older than it, changes nothing and answers OK with zero counts. Other errors as commit()'s,
  // with its all-or-nothing promise. Default: kUnimplemented.
  virtual absl::StatusOr<JournalPruneResult> prune_journal(const JournalPrune& prune);
  // The checkpoint the last prune stored, or nullopt when none was. Errors as load()'s.
  // Default: nullopt (a store that never prunes).
  virtual absl::StatusOr<std::optional<JournalCheckpoint>> journal_checkpoint();

  // History pages (history.h): an account's trades, entries and reservations, oldest first,
  // a page after the cursor the last one ended with. InvalidArgument for a limit outside
  // 1..kHistoryPageRowsMax or from >= to; other errors as load()'s. Identical calls with no
  // commit between them return identical pages. Defaults: kUnimplemented.
  virtual absl::StatusOr<TradePage> trade_page(const TradeQuery& query);
  virtual absl::StatusOr<EntryPage> entry_page(const EntryQuery& query);
  virtual absl::StatusOr<ReservationPage> reservation_page(const ReservationQuery& query);

  // OK when the store can take a commit now, as far as one cheap round trip
  // can tell (health checks). Unavailable otherwise. An in-process store is
  // always reachable.
  virtual absl::Status ping() { return absl::OkStatus(); }
};

}  // namespace account
