#include "journal/journal_prune.h"

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/strings.h"
#include "journal/chain_check.h"
#include "journal/checkpoint_codec.h"
#include "journal/entry_codec.h"
#include "journal/journal_replay.h"

namespace account::internal {
namespace {

// Entries read from the store per call: bounded memory whatever the journal's length.
constexpr size_t kPageEntries = 4'096;

bool inside(const PruneBound& bound, const JournalRecord& record) {
  return record.seq < bound.before_seq && record.committed_at < bound.committed_before;
}

}  // namespace

absl::StatusOr<JournalReplay> replay_from_checkpoint(
    const std::optional<JournalCheckpoint>& checkpoint) {
  if (!checkpoint) return JournalReplay();
  absl::StatusOr<LedgerSnapshot> rows = open_checkpoint(*checkpoint);
  if (!rows.ok()) return rows.status();
  return JournalReplay::from_checkpoint(*rows);
}

absl::StatusOr<PrunePlan> plan_journal_prune(Store& store, const PruneBound& bound) {
  absl::StatusOr<std::optional<JournalCheckpoint>> stored = store.journal_checkpoint();
  if (!stored.ok()) return stored.status();
  PrunePlan plan{.stored_checkpoint_seq = *stored ? (*stored)->seq : 0};
  absl::StatusOr<JournalReplay> replay = replay_from_checkpoint(*stored);
  if (!replay.ok()) return replay.status();
  const JournalHead anchor = replay->head();
  ChainChecker chain(anchor);

  // Each record is applied once a later one is seen, so that the head is never removed.
  std::optional<JournalRecord> held;
  absl::Time held_committed_at;
  ExecutionId last_fill;
  uint64_t applied = 0;
  for (uint64_t after = anchor.seq;;) {
    absl::StatusOr<std::vector<JournalRecord>> page = store.journal(after, kPageEntries);
    if (!page.ok()) return page.status();
    if (applied == 0 && !held && !page->empty() && page->front().seq != anchor.seq + 1) {
      return absl::DataLossError(cat("the journal's first stored entry is seq ",
                                     page->front().seq, ", not seq ", anchor.seq + 1,
                                     ", the one after its checkpoint"));
    }
    bool done = page->size() < kPageEntries;
    for (JournalRecord& record : *page) {
      if (held) {
        absl::StatusOr<JournalEntry> entry = decode_entry(held->bytes);
        if (!entry.ok()) return entry.status();
        entry->hash = held->hash;
        if (absl::Status ok = replay->apply(*entry); !ok.ok()) {
          return absl::DataLossError(cat("the journal cannot be replayed to prune it: ",
                                         ok.message()));
        }
        for (const LedgerEvent& event : entry->events) {
          if (const auto* fill = std::get_if<FillApplied>(&event)) last_fill = fill->fill.execution;
        }
        held_committed_at = held->committed_at;
        ++applied;
        held.reset();
      }
      if (!inside(bound, record)) {
        done = true;
        break;
      }
      chain.feed(absl::MakeConstSpan(&record, 1));
      if (!chain.result().ok()) {
        return absl::DataLossError(cat("the journal's chain is broken at seq ",
                                       *chain.result().first_bad_seq, ": ",
                                       chain.result().reason, "; nothing pruned"));
      }
      held = std::move(record);
    }
    if (done || page->empty()) break;
    after = page->back().seq;
  }
  if (applied == 0) return plan;

  LedgerSnapshot rows = replay->rows();
  rows.trades.clear();  // Removed with their fills' entries.
  JournalPrune prune;
  prune.checkpoint.seq = rows.journal_head.seq;
  prune.checkpoint.committed_at = held_committed_at;
  prune.checkpoint.hash = rows.journal_head.hash;
  prune.checkpoint.state = encode_checkpoint_state(rows);
  prune.checkpoint.digest = checkpoint_digest(prune.checkpoint.hash, prune.checkpoint.state);
  prune.last_removed_execution = last_fill;
  prune.past_cursors = bound.past_cursors;
  plan.prune = std::move(prune);
  return plan;
}

}  // namespace account::internal
