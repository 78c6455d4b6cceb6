// File: ledger_event.h
//
// LedgerEvent: one thing that happened to the ledger, as the journal records it (docs/journal.md).
// Each carries the figures after it, so that a consumer of the journal needs nothing else, and a
// change set's rows are the last image each key takes in its events.
//
// Units as everywhere: cash in cents, quantities in basis points of a share, prices in cents per
// share. Rows are stored images: an Account's reserved cash and open notional, and a Position's
// reserved and pending quantities, are derived figures and always zero here.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "account/account.h"
#include "account/external_entry.h"
#include "account/fill.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/sleeper_account_link.h"
#include "account/units.h"

namespace account {

// An account was created (its cash is 0).
struct AccountCreated {
  Account account;
  friend bool operator==(const AccountCreated&, const AccountCreated&) = default;
};

// An account's Sleeper link was set, replaced or (nullopt) removed.
struct SleeperLinkChanged {
  AccountId account;
  std::optional<SleeperLink> link;
  friend bool operator==(const SleeperLinkChanged&, const SleeperLinkChanged&) = default;
};

// A credit, debit or share issuance was applied.
struct EntryApplied {
  ExternalEntry entry;
  Cents cash_after;                       // The account's cash after it.
  std::optional<Position> position_after; // kShareIssue: the position after it.
  friend bool operator==(const EntryApplied&, const EntryApplied&) = default;
};

// An order was admitted and its cash or shares held.
struct ReservationCreated {
  Reservation reservation;
  friend bool operator==(const ReservationCreated&, const ReservationCreated&) = default;
};

enum class ReservationChange : uint8_t {
  kExtended = 1,       // Its expiry moved.
  kPartlySettled = 2,  // A fill used part of it; it stays active.
  kSettled = 3,        // A fill used the rest of it.
  kExpired = 4,
  kCancelled = 5,
  kReleased = 6,
};

// A reservation changed; `reservation` is its row after the change.
struct ReservationChanged {
  ReservationChange change = ReservationChange::kExtended;
  Reservation reservation;
  Cents cash_freed;  // Buy: reserved cash no longer held (by a fill: the part it used or freed).
  Qty qty_freed;     // Quantity no longer held or pending.
  friend bool operator==(const ReservationChanged&, const ReservationChanged&) = default;
};

// One side of an applied fill: its account's figures after it.
struct FillLeg {
  Cents cash_after;
  Position position_after;
  Cents realized_pnl;  // The trade's: sells only, 0 for buys.
  friend bool operator==(const FillLeg&, const FillLeg&) = default;
};

// A fill was applied: cash and shares moved between the two accounts. The two reservations'
// changes follow it as ReservationChanged events.
struct FillApplied {
  Fill fill;
  FillLeg buyer;
  FillLeg seller;
  friend bool operator==(const FillApplied&, const FillApplied&) = default;
};

using LedgerEvent = std::variant<AccountCreated, SleeperLinkChanged, EntryApplied,
                                 ReservationCreated, ReservationChanged, FillApplied>;

}  // namespace account
