// File: journal_entry.h
//
// JournalEntry: one committed change set as the journal keeps it (docs/journal.md): its number
// in the ledger's gap-free sequence, when it was committed, its events in the order the commands
// were staged, and the chain hash that links it to the entry before.
//
// Thread-safety: plain value.
#pragma once

#include <array>
#include <cstdint>
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

}  // namespace account
