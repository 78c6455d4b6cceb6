// File: reason.h
//
// Why a ledger command was refused. Every denial carries exactly one Reason,
// attached to an absl::Status (see status.h) together with a message that
// names the figures ("required 5002 cents, available 4998 cents").
//
// Values are explicit and never renumbered: they are stored in logs and
// returned across process boundaries. New reasons get new numbers.
//
// Precedence: a command checks in this order and reports the first failure:
//   1. malformed input     (kInvalid*, kOverflow)
//   2. unknown entities    (kAccountNotFound, kReservationNotFound, ...)
//   3. identity conflicts  (kDuplicate*, kExecutionConflict, kOrderConflict, ...)
//   4. state               (kReservationNotActive, kWrongSide, kSymbolMismatch, ...)
//   5. risk                (kInsufficientFunds, kInsufficientPosition, limits)
//   6. infrastructure      (kStoreUnavailable, kStoreFailure, kWriterFenced)
//
// Sign-in reasons (60-99) are answered by the auth component: an access
// token's checks run in the order the numbers give (format, algorithm, key,
// signature, then time and claims), so a forged token is never told that it
// is also expired.
//
// Sleeper reasons (100-109) are answered by a SleeperClient (see
// fantasy/sleeper_client.h for which call answers which, and whether to
// retry it).
//
// Journal reasons (110-119) are answered by the journal's readers
// (AccountService::events_since, docs/journal.md).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace account {

enum class Reason : uint16_t {
  kInvalidQuantity = 1,           // qty <= 0 or above the configured maximum
  kInvalidPrice = 2,              // price outside [price_min, price_max]
  kInvalidAmount = 3,             // cash amount <= 0 or above the maximum
  kInvalidArgument = 4,           // any other malformed field (empty key, bad name, ...)
  kOverflow = 5,                  // a result would leave int64
  kAccountNotFound = 10,
  kReservationNotFound = 11,      // no reservation for that id or order id
  kAccountExists = 20,            // retired: create_account() is find-or-create
  kOrderExists = 21,              // retired: see kOrderConflict
  kDuplicateExecution = 22,       // the execution id was applied before, same fields
  kExecutionConflict = 23,        // the execution id was applied before, other fields
  kDuplicateEntry = 24,           // the idempotency key was applied before, same fields
  kEntryConflict = 25,            // the idempotency key was applied before, other fields
  kSleeperLinkTaken = 26,         // the Sleeper user or roster is linked to another account
  kOrderConflict = 27,            // the order id has a reservation with other fields
  kReservationNotActive = 30,     // settled, expired, cancelled or released
  kWrongSide = 31,                // a buy fill against a sell reservation, or the reverse
  kSymbolMismatch = 32,           // the fill's symbol is not the reservation's
  kPriceOutsideLimit = 33,        // buy above its limit, or sell below its limit
  kFillExceedsReservation = 34,   // fill quantity above the order's unfilled quantity
  kSelfTrade = 35,                // buyer and seller are the same account
  kExpiryTooLong = 36,            // beyond the maximum expiry after creation
  kExpiryInPast = 37,             // new expiry not after now
  kFillTimeAhead = 38,            // fill stamped too far ahead of the ledger's clock; retry later
  kSleeperLinkChanged = 39,       // a fantasy entry's source is not the account's Sleeper link now
  kInsufficientFunds = 40,        // available cash below the requirement
  kInsufficientPosition = 41,     // available shares below the requirement (no shorting)
  kPositionLimitExceeded = 42,    // per-symbol position cap
  kOpenNotionalLimitExceeded = 43,// per-account cap on open order notional
  kStoreUnavailable = 50,         // the store could not commit; retry later
  kStoreFailure = 51,             // the store refused the commit for a non-transient cause
  kWriterFenced = 52,             // another ledger took the store: this one writes nothing more
  kTokenMalformed = 60,           // not three base64url parts, or not the JSON a token holds
  kTokenAlgorithmRejected = 61,   // `alg` is not the one algorithm pinned for that token
  kTokenKeyUnknown = 62,          // `kid` names no key we hold
  kTokenSignatureInvalid = 63,    // the signature does not verify
  kTokenExpired = 64,             // `exp` has passed (beyond the leeway)
  kTokenNotYetValid = 65,         // `iat` or `nbf` is in the future (beyond the leeway)
  kTokenClaimsInvalid = 66,       // `iss`, `aud` or `sub` missing or not ours
  kLoginStateUnknown = 70,        // no login started with that `state` (missing or wrong)
  kLoginStateExpired = 71,        // the login's `state` is older than its lifetime
  kLoginStateReplayed = 72,       // the login's `state` was used already
  kEmailNotVerified = 73,         // Google has not verified the user's email
  kGoogleRejected = 74,           // Google refused the request (bad code, PKCE mismatch, ...)
  kGoogleUnavailable = 75,        // Google could not be reached or kept failing; retry later
  kGoogleResponseInvalid = 76,    // Google's answer was not what its API documents
  kRefreshTokenUnknown = 80,      // no refresh token with that value
  kRefreshTokenReused = 81,       // an already-rotated token came back: its family is revoked
  kRefreshTokenRevoked = 82,      // the token's family was revoked (logout or reuse)
  kRefreshTokenExpired = 83,      // the refresh token's lifetime has passed
  kRateLimited = 90,              // too many requests from this client key; retry later
  kSleeperNotFound = 100,         // Sleeper has no such user or league (a `null` answer or 404)
  kSleeperRejected = 101,         // Sleeper refused the request (a 4xx other than 404 and 429)
  kSleeperUnavailable = 102,      // Sleeper unreachable, timed out or kept failing; retry later
  kSleeperResponseInvalid = 103,  // Sleeper's answer was not what its API documents
  kJournalPruned = 110,           // the journal no longer holds the entries after that seq
  kJournalCursorAhead = 111,      // the seq is past the journal's head
  kJournalNotWritten = 112,       // this ledger writes no journal (AccountServiceOptions)
  kJournalCursorBehind = 113,     // a prune would remove entries a stored cursor has not read
};

// Stable upper-camel name, e.g. "InsufficientFunds".
std::string_view reason_name(Reason reason);

// True when the same command may succeed if retried unchanged later
// (infrastructure trouble), false when the caller must change something.
bool transient(Reason reason);

// The matching engine's reject codes (Whistle's RejectReason numbering).
enum class EngineRejectCode : uint8_t {
  kRiskUnavailable = 6,
  kInsufficientFunds = 7,
  kExposureExceeded = 8,
};

// Maps a denial onto the engine's reject code: funds and shares shortfalls are
// kInsufficientFunds, caps are kExposureExceeded, and everything else
// (unknown account, store trouble, malformed input) is kRiskUnavailable.
EngineRejectCode engine_reject_code(Reason reason);

}  // namespace account
