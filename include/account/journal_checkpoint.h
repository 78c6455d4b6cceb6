// File: journal_checkpoint.h
//
// Retention of the journal (docs/journal.md, "Retention"). A prune removes the entries up to a
// seq and the trades of the fills in them, and keeps in their place a JournalCheckpoint: the
// ledger's rows as they stood after that seq, and that entry's chain hash, from which the chain
// goes on. `verify` checks the chain from the checkpoint's hash and replays the kept entries
// from its rows; `balance_at` starts from its rows.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "account/ids.h"
#include "account/journal_entry.h"

namespace account {

struct JournalCheckpoint {
  uint64_t seq = 0;          // The last entry pruned; the first kept is seq + 1.
  absl::Time committed_at;   // That entry's commit time.
  ChainHash hash{};          // That entry's chain hash: the first kept entry chains on it.
  // The ledger's rows after entry `seq`, in the checkpoint's canonical bytes
  // (src/journal/checkpoint_codec.h): accounts, positions, every reservation, every execution,
  // the entries, the reservation id high-water mark. No trades: a prune removes the trades of
  // the fills it removes, so none of seq or before is kept.
  std::string state;
  // SHA-256 over `hash` and `state`: what `verify` recomputes to hold the checkpoint itself.
  ChainHash digest{};

  friend bool operator==(const JournalCheckpoint&, const JournalCheckpoint&) = default;
};

// What Store::prune_journal() is asked to do, in one transaction.
struct JournalPrune {
  // Stored in place of the entries 1..checkpoint.seq, which are removed.
  JournalCheckpoint checkpoint;
  // The last fill among the removed entries, or 0 when they hold none. Trades are stored in
  // commit order, so the trades to remove are those stored up to this execution's: the store
  // removes every trade row up to and including the last of its two.
  ExecutionId last_removed_execution;
  // Whether to remove entries that a stored journal cursor (Store::journal_cursor) has not
  // passed yet. False: such a prune is refused, naming the cursor, as its consumer would miss
  // them.
  bool past_cursors = false;

  friend bool operator==(const JournalPrune&, const JournalPrune&) = default;
};

// What a prune removed. Zero counts: nothing was left to remove (a retry of a prune that
// landed, or one at or before the stored checkpoint).
struct JournalPruneResult {
  uint64_t checkpoint_seq = 0;     // The stored checkpoint after the call.
  uint64_t entries_removed = 0;
  uint64_t trades_removed = 0;

  friend bool operator==(const JournalPruneResult&, const JournalPruneResult&) = default;
};

}  // namespace account
