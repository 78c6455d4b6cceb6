// Reasons: stable names and numbers, canonical codes, the engine's reject
// codes, and the round trip through absl::Status.
#include <catch2/catch.hpp>

#include "account/reason.h"
#include "account/status.h"

namespace account {
namespace {

TEST_CASE("every reason has a stable name, number and canonical code", "[reason]") {
  struct Row {
    Reason reason;
    uint16_t number;
    std::string_view name;
    absl::StatusCode code;
    EngineRejectCode engine;
  };
  using C = absl::StatusCode;
  using E = EngineRejectCode;
  const Row rows[] = {
      {Reason::kInvalidQuantity, 1, "InvalidQuantity", C::kInvalidArgument, E::kRiskUnavailable},
      {Reason::kInvalidPrice, 2, "InvalidPrice", C::kInvalidArgument, E::kRiskUnavailable},
      {Reason::kInvalidAmount, 3, "InvalidAmount", C::kInvalidArgument, E::kRiskUnavailable},
      {Reason::kInvalidArgument, 4, "InvalidArgument", C::kInvalidArgument, E::kRiskUnavailable},
      {Reason::kOverflow, 5, "Overflow", C::kOutOfRange, E::kRiskUnavailable},
      {Reason::kAccountNotFound, 10, "AccountNotFound", C::kNotFound, E::kRiskUnavailable},
      {Reason::kReservationNotFound, 11, "ReservationNotFound", C::kNotFound,
       E::kRiskUnavailable},
      {Reason::kAccountExists, 20, "AccountExists", C::kAlreadyExists, E::kRiskUnavailable},
      {Reason::kOrderExists, 21, "OrderExists", C::kAlreadyExists, E::kRiskUnavailable},
      {Reason::kDuplicateExecution, 22, "DuplicateExecution", C::kAlreadyExists,
       E::kRiskUnavailable},
      {Reason::kExecutionConflict, 23, "ExecutionConflict", C::kAlreadyExists,
       E::kRiskUnavailable},
      {Reason::kDuplicateEntry, 24, "DuplicateEntry", C::kAlreadyExists, E::kRiskUnavailable},
      {Reason::kEntryConflict, 25, "EntryConflict", C::kAlreadyExists, E::kRiskUnavailable},
      {Reason::kSleeperLinkTaken, 26, "SleeperLinkTaken", C::kAlreadyExists,
       E::kRiskUnavailable},
      {Reason::kReservationNotActive, 30, "ReservationNotActive", C::kFailedPrecondition,
       E::kRiskUnavailable},
      {Reason::kWrongSide, 31, "WrongSide", C::kFailedPrecondition, E::kRiskUnavailable},
      {Reason::kSymbolMismatch, 32, "SymbolMismatch", C::kFailedPrecondition,
       E::kRiskUnavailable},
      {Reason::kPriceOutsideLimit, 33, "PriceOutsideLimit", C::kFailedPrecondition,
       E::kRiskUnavailable},
      {Reason::kFillExceedsReservation, 34, "FillExceedsReservation", C::kFailedPrecondition,
       E::kRiskUnavailable},
      {Reason::kSelfTrade, 35, "SelfTrade", C::kFailedPrecondition, E::kRiskUnavailable},
      {Reason::kExpiryTooLong, 36, "ExpiryTooLong", C::kInvalidArgument, E::kRiskUnavailable},
      {Reason::kExpiryInPast, 37, "ExpiryInPast", C::kInvalidArgument, E::kRiskUnavailable},
      {Reason::kFillTimeAhead, 38, "FillTimeAhead", C::kUnavailable, E::kRiskUnavailable},
      {Reason::kSleeperLinkChanged, 39, "SleeperLinkChanged", C::kFailedPrecondition,
       E::kRiskUnavailable},
      {Reason::kInsufficientFunds, 40, "InsufficientFunds", C::kFailedPrecondition,
       E::kInsufficientFunds},
      {Reason::kInsufficientPosition, 41, "InsufficientPosition", C::kFailedPrecondition,
       E::kInsufficientFunds},
      {Reason::kPositionLimitExceeded, 42, "PositionLimitExceeded", C::kFailedPrecondition,
       E::kExposureExceeded},
      {Reason::kOpenNotionalLimitExceeded, 43, "OpenNotionalLimitExceeded",
       C::kFailedPrecondition, E::kExposureExceeded},
      {Reason::kStoreUnavailable, 50, "StoreUnavailable", C::kUnavailable, E::kRiskUnavailable},
      {Reason::kStoreFailure, 51, "StoreFailure", C::kInternal, E::kRiskUnavailable},
      {Reason::kWriterFenced, 52, "WriterFenced", C::kAborted, E::kRiskUnavailable},
      {Reason::kTokenMalformed, 60, "TokenMalformed", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kTokenAlgorithmRejected, 61, "TokenAlgorithmRejected", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kTokenKeyUnknown, 62, "TokenKeyUnknown", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kTokenSignatureInvalid, 63, "TokenSignatureInvalid", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kTokenExpired, 64, "TokenExpired", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kTokenNotYetValid, 65, "TokenNotYetValid", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kTokenClaimsInvalid, 66, "TokenClaimsInvalid", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kLoginStateUnknown, 70, "LoginStateUnknown", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kLoginStateExpired, 71, "LoginStateExpired", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kLoginStateReplayed, 72, "LoginStateReplayed", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kEmailNotVerified, 73, "EmailNotVerified", C::kPermissionDenied, E::kRiskUnavailable},
      {Reason::kGoogleRejected, 74, "GoogleRejected", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kGoogleUnavailable, 75, "GoogleUnavailable", C::kUnavailable, E::kRiskUnavailable},
      {Reason::kGoogleResponseInvalid, 76, "GoogleResponseInvalid", C::kDataLoss, E::kRiskUnavailable},
      {Reason::kRefreshTokenUnknown, 80, "RefreshTokenUnknown", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kRefreshTokenReused, 81, "RefreshTokenReused", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kRefreshTokenRevoked, 82, "RefreshTokenRevoked", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kRefreshTokenExpired, 83, "RefreshTokenExpired", C::kUnauthenticated, E::kRiskUnavailable},
      {Reason::kRateLimited, 90, "RateLimited", C::kResourceExhausted, E::kRiskUnavailable},
      {Reason::kSleeperNotFound, 100, "SleeperNotFound", C::kNotFound, E::kRiskUnavailable},
      {Reason::kSleeperRejected, 101, "SleeperRejected", C::kInvalidArgument,
       E::kRiskUnavailable},
      {Reason::kSleeperUnavailable, 102, "SleeperUnavailable", C::kUnavailable,
       E::kRiskUnavailable},
      {Reason::kSleeperResponseInvalid, 103, "SleeperResponseInvalid", C::kDataLoss,
       E::kRiskUnavailable},
      {Reason::kJournalPruned, 110, "JournalPruned", C::kOutOfRange, E::kRiskUnavailable},
      {Reason::kJournalCursorAhead, 111, "JournalCursorAhead", C::kOutOfRange,
       E::kRiskUnavailable},
      {Reason::kJournalNotWritten, 112, "JournalNotWritten", C::kFailedPrecondition,
       E::kRiskUnavailable},
      {Reason::kJournalCursorBehind, 113, "JournalCursorBehind", C::kFailedPrecondition,
       E::kRiskUnavailable},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    CHECK(static_cast<uint16_t>(row.reason) == row.number);
    CHECK(reason_name(row.reason) == row.name);
    CHECK(canonical_code(row.reason) == row.code);
    CHECK(engine_reject_code(row.reason) == row.engine);
    CHECK(transient(row.reason) == (row.reason == Reason::kStoreUnavailable ||
                                    row.reason == Reason::kGoogleUnavailable ||
                                    row.reason == Reason::kSleeperUnavailable ||
                                    row.reason == Reason::kRateLimited ||
                                    row.reason == Reason::kFillTimeAhead));
    const absl::Status s = denial(row.reason, "required 5 cents, available 4 cents");
    CHECK(s.code() == row.code);
    CHECK(reason_of(s) == row.reason);
    CHECK(std::string(s.message()) ==
          std::string(row.name) + ": required 5 cents, available 4 cents");
  }
  CHECK(static_cast<uint8_t>(EngineRejectCode::kRiskUnavailable) == 6);
  CHECK(static_cast<uint8_t>(EngineRejectCode::kInsufficientFunds) == 7);
  CHECK(static_cast<uint8_t>(EngineRejectCode::kExposureExceeded) == 8);
}

TEST_CASE("statuses that are not denials carry no reason", "[reason]") {
  CHECK_FALSE(reason_of(absl::OkStatus()).has_value());
  CHECK_FALSE(reason_of(absl::UnavailableError("down")).has_value());
  CHECK_FALSE(reason_of(absl::StatusOr<int>(3)).has_value());
}

}  // namespace
}  // namespace account
