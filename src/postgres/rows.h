// Private to account::postgres: ledger rows to statement parameters (one
// binary array per column) and result rows back to ledger rows.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/change_set.h"
#include "account/journal_checkpoint.h"
#include "account/ledger_snapshot.h"
#include "pg.h"

namespace account::pg {

// The parameters of one commit and the pipeline steps that use them (BEGIN
// and COMMIT not included). Steps point into this object: do not move it.
struct CommitParams {
  Params journal, accounts, balances, links, positions, reservations, executions, trades,
      entries;
  std::vector<Step> steps;
};

// Fills `out` with one step per non-empty table of `changes`, in the order
// journal, accounts, balances, links, positions, reservations, executions,
// trades, entries. The journal entry (when its seq is not 0) comes first: its
// seq check, and the lock it takes, precede every row, so a refused commit
// writes and locks nothing else. Accounts come before the tables that refer
// to them. Balances, positions and
// reservations are deduplicated, the last image of a key winning, as
// MemoryStore applies them.
void build_commit_params(const ChangeSet& changes, CommitParams& out);

// The first fill time within `retention` of `newest_ns`, in whole
// nanoseconds: the smallest at or after newest - retention, as MemoryStore
// compares (time >= newest - retention).
int64_t window_start_ns(int64_t newest_ns, absl::Duration retention);

// The tables load() reads, each through a cursor (stream_rows()).
enum class LoadTable { kAccounts, kPositions, kReservations, kExecutions, kTrades, kEntries };

// Appends the rows of `result`, a batch of `table`'s load statement
// (statements.h), to the matching vector of `out`, unsorted.
absl::Status read_load_rows(LoadTable table, const PGresult* result, LedgerSnapshot& out);

// Reads rows of the fill or trade columns (statements.h) and appends them.
absl::Status read_fills(const PGresult* result, std::vector<Fill>& out);
absl::Status read_trades(const PGresult* result, std::vector<Trade>& out);
// Rows of the trade columns followed by the trade's id (kTradePage): the trades to `out`, their
// ids to `ids`.
absl::Status read_trades_with_ids(const PGresult* result, std::vector<Trade>& out,
                                  std::vector<uint64_t>& ids);
// Rows of the reservation and the external entry columns (kLoadReservations, kLoadEntries and
// the history pages), appended.
absl::Status read_reservations(const PGresult* result, std::vector<Reservation>& out);
absl::Status read_entries(const PGresult* result, std::vector<ExternalEntry>& out);

// Reads rows of the journal columns (seq, committed_at_ns, hash, bytes) and
// appends them; a hash that is not 32 bytes is Internal.
absl::Status read_journal(const PGresult* result, std::vector<JournalRecord>& out);

// The head from kLoadJournalHead's result (seq 0 and a zero hash for no row).
absl::StatusOr<JournalHead> read_journal_head(const PGresult* result);

// kPruneJournal's parameters for `prune`, whose checkpoint's seq fits a BIGINT.
void build_prune_params(const JournalPrune& prune, Params& out);

// kPruneJournal's result: the stored checkpoint's seq and the rows removed.
absl::StatusOr<JournalPruneResult> read_prune_result(const PGresult* result);

// kJournalCheckpoint's result (nullopt for no row); a hash or digest that is not 32 bytes is
// Internal.
absl::StatusOr<std::optional<JournalCheckpoint>> read_journal_checkpoint(const PGresult* result);

}  // namespace account::pg
