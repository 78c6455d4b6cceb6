// File: account.h
//
// A user's account as the ledger holds it: identity, cash and what is
// reserved of it. Positions, reservations and trades have headers of their own.
//
// Thread-safety: plain value.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "account/ids.h"
#include "account/sleeper_account_link.h"
#include "account/units.h"

namespace account {

// Limits on identity fields, in bytes. 255 matches the schema's VARCHAR(255).
inline constexpr size_t kGoogleIdBytesMax = 255;
inline constexpr size_t kDisplayNameBytesMax = 255;

struct Account {
  AccountId id;
  std::string google_id;     // Google's `sub`: stable, never reused; unique per account.
  std::string display_name;  // From Google at sign-up; may be empty.
  absl::Time created_at;
  Cents cash;                // Settled cash, in cents. Never negative.
  Cents reserved_cash;       // Held by active buy reservations, in cents.
  Cents open_notional;       // Open order notional at limit (buys and sells), in cents.
  // The Sleeper league the account funds from; nullopt until linked.
  std::optional<SleeperLink> sleeper;

  // Cash that a new order or debit may use: cash - reserved_cash, in cents.
  Cents available_cash() const { return cash - reserved_cash; }

  friend bool operator==(const Account&, const Account&) = default;
};

}  // namespace account
