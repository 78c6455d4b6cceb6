// Private to the library: one account's figures rebuilt from the journal's events
// (AccountService::balance_at, docs/journal.md "History"): each event carries the figures after
// it, so the account's cash is its last event's, each position its last image, and what is
// held (reserved cash, sell and pending quantities) the sum over its reservations active then.
//
// Thread-safety: a value; one thread at a time.
#pragma once

#include <cstdint>

#include "absl/container/btree_map.h"
#include "absl/time/time.h"
#include "account/journal_entry.h"
#include "account/ledger_snapshot.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/units.h"

namespace account::internal {

class AccountReplay {
 public:
  explicit AccountReplay(AccountId account) : account_(account) {}

  // Starts from the account's rows in `rows` (a checkpoint's: the ledger after the entry
  // rows.journal_head.seq), forgetting what was applied before.
  void start_from(const LedgerSnapshot& rows);
  // Applies the events of `entry` that concern the account.
  void apply(const JournalEntry& entry);

  // Whether an AccountCreated of the account was applied.
  bool exists() const { return exists_; }
  Cents cash() const { return cash_; }
  // Cash less what the account's active buy reservations hold.
  Cents available_cash() const;
  // Positions by symbol with shares, cost basis, realized P&L or an open order, their reserved
  // and pending quantities summed from the active reservations.
  std::vector<Position> positions() const;

 private:
  void put_position(const Position& p);

  AccountId account_;
  bool exists_ = false;
  Cents cash_;
  absl::btree_map<SymbolId, Position> positions_;      // Stored figures only.
  absl::btree_map<ReservationId, Reservation> active_;  // The account's active reservations.
};

}  // namespace account::internal
