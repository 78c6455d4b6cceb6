// File: ledger_snapshot.h
//
// The durable state a store hands back on start-up, from which the ledger
// rebuilds memory exactly (invariant 6).
//
// Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "account/account.h"
#include "account/external_entry.h"
#include "account/fill.h"
#include "account/journal_entry.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/trade.h"

namespace account {

struct LedgerSnapshot {
  std::vector<Account> accounts;          // All accounts; derived fields zero.
  // All stored positions; derived fields zero. A ledger's snapshot() leaves
  // out those with no shares, cost basis or realized P&L (one that only
  // orders touched), which it never writes (ChangeSet::positions).
  std::vector<Position> positions;
  // Active reservations, and finished ones last updated no earlier than
  // `reservations_finished_since`.
  std::vector<Reservation> reservations;
  // Executions whose fill time is within `execution_retention` of the newest
  // applied fill time.
  std::vector<Fill> executions;
  std::vector<Trade> trades;              // Most recent trades per account, newest last.
  std::vector<ExternalEntry> entries;     // All external entries.
  uint64_t reservation_id_high_water = 0; // Largest reservation id ever committed.
  JournalHead journal_head;               // The newest journal entry stored.

  friend bool operator==(const LedgerSnapshot&, const LedgerSnapshot&) = default;
};

// What load() should include; see LedgerLimits for the windows.
struct SnapshotRequest {
  absl::Duration execution_retention = absl::InfiniteDuration();
  absl::Time reservations_finished_since = absl::InfinitePast();
  size_t trades_per_account_max = SIZE_MAX;
  // Whether the caller stages its next commits on what this load returns, as
  // the ledger does at open and at each reload. A store that replaced a lost
  // writer session refuses commits (kAborted, store.h) until such a load;
  // a load made only to look (AccountService::audit) must not lift that.
  bool commits_follow = true;
};

}  // namespace account
