// File: change_set.h
//
// What one store transaction writes. The ledger validates a batch of
// commands, turns it into one ChangeSet, commits it, and only then applies it
// in memory. Rows are final images: an account touched by 100 fills in a
// batch appears once with its final cash.
//
// Thread-safety: plain value.
#pragma once

#include <vector>

#include "account/account.h"
#include "account/external_entry.h"
#include "account/fill.h"
#include "account/journal_entry.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/trade.h"

namespace account {

struct CashBalance {
  AccountId account;
  Cents cash;
  friend bool operator==(const CashBalance&, const CashBalance&) = default;
};

// A Sleeper link set on an existing or new account (the row's other fields
// are unchanged).
struct AccountLink {
  AccountId account;
  SleeperLink link;
  friend bool operator==(const AccountLink&, const AccountLink&) = default;
};

struct ChangeSet {
  std::vector<Account> new_accounts;       // Created in this batch (cash 0).
  std::vector<CashBalance> balances;       // Final cash of every account whose cash changed.
  // Final image of every position whose quantity, cost basis or realized
  // P&L changed. Its reserved and pending quantities are derived from the
  // active reservations (a restore recomputes them), so a change of those
  // alone writes no row, as reserved cash writes no balance.
  std::vector<Position> positions;
  std::vector<Reservation> reservations;   // Final image of every reservation created or changed.
  std::vector<Fill> executions;            // Applied executions (the exactly-once record).
  std::vector<Trade> trades;               // Two per execution.
  std::vector<ExternalEntry> entries;      // Applied external entries.
  std::vector<AccountLink> links;          // Final Sleeper link of every account relinked.
  // The journal entry of this change set, written in the same transaction (docs/journal.md).
  // Its seq must be the stored head's + 1, else the store refuses the commit with kAborted and
  // writes nothing: another writer committed since this one loaded. Seq 0: no entry, and no
  // check (rows written outside the ledger, as a bulk load or a test does).
  JournalRecord journal;

  bool empty() const {
    return new_accounts.empty() && balances.empty() && positions.empty() &&
           reservations.empty() && executions.empty() && trades.empty() && entries.empty() &&
           links.empty() && journal.seq == 0;
  }
};

}  // namespace account
