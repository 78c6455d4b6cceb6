// Holds a store's tables against the journal's replay of them (docs/journal.md, `verify`): the
// first row that differs, named in words, with the seq of the entry that last wrote it, so that
// a byte flipped in a stored row shows as that row against the entry behind it.
//
//   JournalReplay replay;  // fed every stored entry
//   const auto difference = first_difference(replay, *store.load(SnapshotRequest{}));
//   if (difference) std::cout << difference->to_string() << "\n";
//   // "position of account 7 in symbol 3, last written by seq 12: qty: journal 5000 bp,
//   //  store 4000 bp"
//
// Both sides are normalized first: each table sorted by key, positions with no quantity, cost
// basis or realized P&L left out (a store may or may not keep one whose figures went back to
// zero), derived figures (an account's reserved cash and open notional, a position's reserved and
// pending quantities) ignored. Tables are compared in a fixed order, each by key ascending:
//   accounts (id), positions (account, symbol), reservations (id), executions (execution id),
//   trades (execution id, then the buyer's before the seller's), entries (key, bytes as unsigned);
// then the ledger-wide figures: the reservation id high-water mark, and the journal head (its seq,
// then its hash). The stored side must be a full load (`SnapshotRequest{}`: every reservation,
// execution and trade), since the replay holds them all.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "account/ledger_snapshot.h"
#include "journal/journal_replay.h"

namespace account::internal {

enum class LedgerTable : uint8_t {
  kAccounts = 1,
  kPositions = 2,
  kReservations = 3,
  kExecutions = 4,
  kTrades = 5,
  kEntries = 6,
  kLedger = 7,  // The reservation id high-water mark and the journal head.
};

std::string_view ledger_table_name(LedgerTable table);

struct RowDifference {
  LedgerTable table = LedgerTable::kAccounts;
  std::string row;  // The row's key in words: "position of account 7 in symbol 3".
  // The entry that last wrote the row, per the replay; 0 when the replay has no such row (one the
  // journal never wrote).
  uint64_t last_written_seq = 0;
  // Both sides: "cash: journal 500 cents, store 400 cents", or which side lacks the row.
  std::string difference;

  // "<row>, last written by seq <n>: <difference>" (", never written by the journal" for seq 0).
  std::string to_string() const;

  friend bool operator==(const RowDifference&, const RowDifference&) = default;
};

// The first difference between the replay's rows and `stored`, in the order above; nullopt when
// they hold the same ledger.
std::optional<RowDifference> first_difference(const JournalReplay& replayed,
                                              const LedgerSnapshot& stored);

}  // namespace account::internal
