// Private to account::postgres: ledger rows to statement parameters (one
// binary array per column) and result rows back to ledger rows.
#pragma once

#include <libpq-fe.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "account/change_set.h"
#include "account/ledger_snapshot.h"
#include "pg.h"

namespace account::pg {

// The parameters of one commit and the pipeline steps that use them (BEGIN
// and COMMIT not included). Steps point into this object: do not move it.
struct CommitParams {
  Params accounts, balances, links, positions, reservations, executions, trades, entries;
  std::vector<Step> steps;
};

// Fills `out` with one step per non-empty table of `changes`, in the order
// accounts, balances, links, positions, reservations, executions, trades, entries
// (accounts first: the later tables refer to them). Balances, positions and
// reservations are deduplicated, the last image of a key winning, as
// MemoryStore applies them.
void build_commit_params(const ChangeSet& changes, CommitParams& out);

// The execution window in whole nanoseconds for account_load_executions:
// the largest bigint for an infinite window, 0 for a negative one.
int64_t retention_ns(absl::Duration retention);

// Reads the results of the load pipeline (BEGIN, the seven load
// statements, COMMIT) into `out`, unsorted.
absl::Status read_snapshot(const std::vector<Result>& results, LedgerSnapshot& out);

// Reads rows of the fill or trade columns (statements.h) and appends them.
absl::Status read_fills(const PGresult* result, std::vector<Fill>& out);
absl::Status read_trades(const PGresult* result, std::vector<Trade>& out);

}  // namespace account::pg
