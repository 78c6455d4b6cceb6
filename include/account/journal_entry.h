// File: journal_entry.h
//
// JournalEntry: one committed change set as the journal keeps it (docs/journal.md): its number
// in the ledger's gap-free sequence, when it was committed, its events in the order the commands
// were staged, and the chain hash that links it to the entry before. JournalRecord: the same
// entry as a store keeps it, its events as their canonical bytes.
//
// Thread-safety: plain value.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "account/ledger_event.h"

namespace account {

// SHA-256 over the previous entry's hash and this entry's canonical bytes.
using ChainHash = std::array<uint8_t, 32>;

struct JournalEntry {
  uint64_t seq = 0;            // 1, 2, 3, ... with no gap.
  absl::Time committed_at;     // The ledger's clock when the change set was staged.
  std::vector<LedgerEvent> events;
  ChainHash hash{};

  friend bool operator==(const JournalEntry&, const JournalEntry&) = default;
};

// An entry as stores write and read it: the canonical bytes (docs/journal.md: they hold the
// seq, the commit time and the events) as the ledger encoded them, never re-encoded, and the
// chain hash over them. `seq` and `committed_at` repeat what the bytes hold, for the store's
// key and range queries.
struct JournalRecord {
  uint64_t seq = 0;  // 0: no entry (a ChangeSet written without one).
  absl::Time committed_at;
  std::string bytes;
  ChainHash hash{};

  friend bool operator==(const JournalRecord&, const JournalRecord&) = default;
};

// The state hash of a ledger (docs/journal.md, "Hash chain and state hash"): SHA-256 over the
// canonical bytes of its accounts, stored positions, active reservations and entries, as of
// the journal entry `seq`. Equal hashes at one seq: the same durable state.
struct StateHash {
  uint64_t seq = 0;
  ChainHash hash{};

  friend bool operator==(const StateHash&, const StateHash&) = default;
};

// The newest stored entry: where the next commit's entry chains on. Seq 0 and a zero hash for a
// store without entries.
struct JournalHead {
  uint64_t seq = 0;
  ChainHash hash{};

  friend bool operator==(const JournalHead&, const JournalHead&) = default;
};

}  // namespace account
