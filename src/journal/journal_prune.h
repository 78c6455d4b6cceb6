// Plans a prune of the journal (docs/journal.md, "Retention"): which entries go, and the
// checkpoint that replaces them, computed from what the store holds, for Store::prune_journal()
// to apply in one transaction.
//
//   absl::StatusOr<PrunePlan> plan =
//       plan_journal_prune(store, PruneBound{.before_seq = 1'000'000});
//   if (plan.ok() && plan->prune) store.prune_journal(*plan->prune);
//
// The plan replays the entries to remove from the stored checkpoint (or from the empty ledger
// when there is none), checking their chain as it goes, and encodes the replay's rows after the
// last of them. It removes only entries the bound allows, and never the head: the next commit
// chains on it. The replay reads a page of entries at a time; its rows (every account,
// position, reservation, execution and entry) are held in memory.
//
// Thread-safety: a function of the store's reads; the store may take commits meanwhile (the
// entries it removes are older than any commit can touch).
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/journal_checkpoint.h"
#include "account/store.h"

namespace account::internal {

// Which entries a prune may remove: those below `before_seq` AND committed before
// `committed_before`. Leave one at its default for no bound of that kind.
struct PruneBound {
  uint64_t before_seq = UINT64_MAX;
  absl::Time committed_before = absl::InfiniteFuture();
  bool past_cursors = false;  // JournalPrune::past_cursors.
};

struct PrunePlan {
  // The prune of every stored entry inside the bound but the head; nullopt when there is none
  // to remove.
  std::optional<JournalPrune> prune;
  // The seq of the checkpoint the plan started from (0: none stored).
  uint64_t stored_checkpoint_seq = 0;
};

// Plans the prune of `bound`. DataLoss (naming the seq) when a stored entry does not decode,
// does not chain on the one before or cannot be replayed (a journal begun after rows it did not
// write), or the stored checkpoint fails its digest; other errors as Store::journal()'s.
absl::StatusOr<PrunePlan> plan_journal_prune(Store& store, const PruneBound& bound);

// The replay of the stored checkpoint: the empty ledger when there is none. DataLoss as
// open_checkpoint()'s.
absl::StatusOr<class JournalReplay> replay_from_checkpoint(
    const std::optional<JournalCheckpoint>& checkpoint);

}  // namespace account::internal
