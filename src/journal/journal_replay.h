// JournalReplay: the ledger's stored rows rebuilt from its journal alone (docs/journal.md,
// invariant 3), for `verify` to hold a store's tables against (state_compare.h).
//
//   JournalReplay replay;
//   for (const JournalRecord& record : page) {
//     if (absl::Status s = replay.apply(record); !s.ok()) return s;  // DataLoss, naming the seq.
//   }
//   const LedgerSnapshot rows = replay.rows();
//
// Each row is the LAST image its key takes in the events, as a store keeps it:
//   accounts      AccountCreated's row; cash from the last `cash_after` of an event of the
//                 account (EntryApplied, either leg of FillApplied); the Sleeper link from the
//                 last SleeperLinkChanged.
//   positions     keyed (account, symbol): the last FillLeg::position_after or
//                 EntryApplied::position_after (a share issue). One whose figures went back to
//                 zero is kept as such; a store may or may not hold it.
//   reservations  ReservationCreated's row, then each ReservationChanged's row.
//   executions    FillApplied's fill.
//   trades        two per fill, fill_trade()'s: the buyer's (realized P&L 0) and the seller's
//                 (the seller leg's realized P&L).
//   entries       EntryApplied's entry.
// Derived figures (an account's reserved cash and open notional, a position's reserved and
// pending quantities) are zero. Every row remembers the seq of the entry that last wrote it, so
// that a difference from the store can be traced to the entry behind it.
//
// Thread-safety: a value; one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/journal_entry.h"
#include "account/ledger_event.h"
#include "account/ledger_snapshot.h"
#include "account/side.h"

namespace account::internal {

class JournalReplay {
 public:
  // The empty ledger, before seq 1.
  JournalReplay() = default;

  // The ledger as `checkpoint` holds it, after entry checkpoint.journal_head.seq (the state
  // written with a prune): the next entry applied must be that seq + 1. Its rows count as last
  // written by that seq, since which earlier entry wrote them is no longer known. DataLoss when
  // its account ids do not run 1..N or a key appears twice in a table.
  static absl::StatusOr<JournalReplay> from_checkpoint(const LedgerSnapshot& checkpoint);

  // Applies `entry`'s events in order; `entry.hash` becomes the head's hash (decode_entry leaves
  // it zero: the hash lives in the record). DataLoss, naming the seq, and the event's index
  // (0-based) and why, when the entry's seq is not the head's + 1, it was committed before the
  // previous entry, or an event cannot follow what came before: an event of an account never
  // created, an AccountCreated out of the order ids are issued (1, 2, 3, ...), a
  // ReservationCreated of an existing id, a ReservationChanged of an unknown one, an EntryApplied
  // of an existing key, a FillApplied of an existing execution, a position after that is not the
  // event's account's (or the fill's symbol's). A refused seq changes nothing; a refused event
  // leaves its entry applied in part, and every later apply() is refused (FailedPrecondition).
  absl::Status apply(const JournalEntry& entry);
  // The same for a stored record: its bytes decoded (DataLoss naming the record's seq when they
  // do not decode, or hold another seq), its hash taken as the entry's.
  absl::Status apply(const JournalRecord& record);

  // The rows, each table sorted by key as a store's full load returns them: accounts by id,
  // positions by (account, symbol), reservations by id, executions by execution id, trades by
  // (execution, side: the buyer's first), entries by key; the reservation id high-water mark (the
  // largest id seen) and journal_head (the last entry applied).
  LedgerSnapshot rows() const;
  JournalHead head() const { return head_; }

  // The seq of the entry that last wrote a row, or 0 when the replay has no such row.
  uint64_t account_seq(AccountId account) const;
  uint64_t position_seq(AccountId account, SymbolId symbol) const;
  uint64_t reservation_seq(ReservationId reservation) const;
  uint64_t execution_seq(ExecutionId execution) const;
  uint64_t trade_seq(ExecutionId execution, Side side) const;
  uint64_t entry_seq(const std::string& key) const;
  // The seq that last raised the reservation id high-water mark.
  uint64_t reservation_id_high_water_seq() const { return high_water_seq_; }

 private:
  template <typename Row>
  struct Written {
    // Constructors, not aggregate initialization, and no default member initializer: clang 14
    // has no parenthesized aggregate initialization (the maps' try_emplace(key, row, seq)), and
    // crashes reading through an iterator a member with a default initializer of a class
    // nested in a class template's scope.
    Written() : seq(0) {}
    Written(Row r, uint64_t s) : row(std::move(r)), seq(s) {}
    Row row;
    uint64_t seq;  // The entry that last wrote the row.
  };

  absl::Status apply_event(uint64_t seq, const AccountCreated& e);
  absl::Status apply_event(uint64_t seq, const SleeperLinkChanged& e);
  absl::Status apply_event(uint64_t seq, const EntryApplied& e);
  absl::Status apply_event(uint64_t seq, const ReservationCreated& e);
  absl::Status apply_event(uint64_t seq, const ReservationChanged& e);
  absl::Status apply_event(uint64_t seq, const FillApplied& e);

  Written<Account>* find_account(AccountId id);
  void put_position(uint64_t seq, const Position& p);
  void raise_high_water(uint64_t seq, ReservationId id);

  std::vector<Written<Account>> accounts_;  // Account id i at index i - 1.
  absl::btree_map<std::pair<AccountId, SymbolId>, Written<Position>> positions_;
  absl::btree_map<ReservationId, Written<Reservation>> reservations_;
  absl::btree_map<ExecutionId, Written<Fill>> executions_;
  absl::btree_map<std::pair<ExecutionId, Side>, Written<Trade>> trades_;
  absl::btree_map<std::string, Written<ExternalEntry>> entries_;
  uint64_t reservation_id_high_water_ = 0;
  uint64_t high_water_seq_ = 0;
  JournalHead head_;
  absl::Time head_committed_at_ = absl::InfinitePast();
  absl::Status refusal_;  // Not OK once an event was refused: the state is partway.
};

}  // namespace account::internal
