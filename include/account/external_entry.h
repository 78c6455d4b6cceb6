// File: external_entry.h
//
// Value entering or leaving the ledger from outside trading: fantasy-point
// credits, win bonuses, manual adjustments (cash), and share issuance by the
// exchange (shares). Each carries an idempotency key: applying the same key
// twice changes nothing and says kDuplicateEntry; the same key with other
// fields says kEntryConflict. Conservation (invariant 4) is checked against
// the sum of these entries.
//
// Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "account/ids.h"
#include "account/units.h"

namespace account {

// Longest idempotency key, in bytes.
inline constexpr size_t kEntryKeyBytesMax = 128;

enum class EntryKind : uint8_t {
  kFantasyCredit = 1,  // Season points x conversion rate (may be negative: a stat correction).
  kWinBonus = 2,       // Weekly win bonus.
  kAdjustment = 3,     // Manual credit or debit by an operator.
  kShareIssue = 4,     // Shares created by the exchange (e.g. the market maker's inventory).
};

std::string_view entry_kind_name(EntryKind kind);

struct ExternalEntry {
  std::string key;   // Idempotency key, 1..kEntryKeyBytesMax bytes.
  EntryKind kind = EntryKind::kAdjustment;
  AccountId account;
  Cents cash;        // Signed: > 0 credits, < 0 debits; 0 for kShareIssue.
  SymbolId symbol;   // kShareIssue only.
  Qty qty;           // kShareIssue only, > 0.
  absl::Time time;

  friend bool operator==(const ExternalEntry&, const ExternalEntry&) = default;
};

}  // namespace account
