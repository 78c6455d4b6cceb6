#include "account/reason.h"

namespace account {

std::string_view reason_name(Reason reason) {
  switch (reason) {
    case Reason::kInvalidQuantity: return "InvalidQuantity";
    case Reason::kInvalidPrice: return "InvalidPrice";
    case Reason::kInvalidAmount: return "InvalidAmount";
    case Reason::kInvalidArgument: return "InvalidArgument";
    case Reason::kOverflow: return "Overflow";
    case Reason::kAccountNotFound: return "AccountNotFound";
    case Reason::kReservationNotFound: return "ReservationNotFound";
    case Reason::kAccountExists: return "AccountExists";
    case Reason::kOrderExists: return "OrderExists";
    case Reason::kDuplicateExecution: return "DuplicateExecution";
    case Reason::kExecutionConflict: return "ExecutionConflict";
    case Reason::kDuplicateEntry: return "DuplicateEntry";
    case Reason::kEntryConflict: return "EntryConflict";
    case Reason::kSleeperLinkTaken: return "SleeperLinkTaken";
    case Reason::kOrderConflict: return "OrderConflict";
    case Reason::kReservationNotActive: return "ReservationNotActive";
    case Reason::kWrongSide: return "WrongSide";
    case Reason::kSymbolMismatch: return "SymbolMismatch";
    case Reason::kPriceOutsideLimit: return "PriceOutsideLimit";
    case Reason::kFillExceedsReservation: return "FillExceedsReservation";
    case Reason::kSelfTrade: return "SelfTrade";
    case Reason::kExpiryTooLong: return "ExpiryTooLong";
    case Reason::kExpiryInPast: return "ExpiryInPast";
    case Reason::kFillTimeAhead: return "FillTimeAhead";
    case Reason::kSleeperLinkChanged: return "SleeperLinkChanged";
    case Reason::kInsufficientFunds: return "InsufficientFunds";
    case Reason::kInsufficientPosition: return "InsufficientPosition";
    case Reason::kPositionLimitExceeded: return "PositionLimitExceeded";
    case Reason::kOpenNotionalLimitExceeded: return "OpenNotionalLimitExceeded";
    case Reason::kStoreUnavailable: return "StoreUnavailable";
    case Reason::kStoreFailure: return "StoreFailure";
    case Reason::kWriterFenced: return "WriterFenced";
    case Reason::kTokenMalformed: return "TokenMalformed";
    case Reason::kTokenAlgorithmRejected: return "TokenAlgorithmRejected";
    case Reason::kTokenKeyUnknown: return "TokenKeyUnknown";
    case Reason::kTokenSignatureInvalid: return "TokenSignatureInvalid";
    case Reason::kTokenExpired: return "TokenExpired";
    case Reason::kTokenNotYetValid: return "TokenNotYetValid";
    case Reason::kTokenClaimsInvalid: return "TokenClaimsInvalid";
    case Reason::kLoginStateUnknown: return "LoginStateUnknown";
    case Reason::kLoginStateExpired: return "LoginStateExpired";
    case Reason::kLoginStateReplayed: return "LoginStateReplayed";
    case Reason::kEmailNotVerified: return "EmailNotVerified";
    case Reason::kGoogleRejected: return "GoogleRejected";
    case Reason::kGoogleUnavailable: return "GoogleUnavailable";
    case Reason::kGoogleResponseInvalid: return "GoogleResponseInvalid";
    case Reason::kRefreshTokenUnknown: return "RefreshTokenUnknown";
    case Reason::kRefreshTokenReused: return "RefreshTokenReused";
    case Reason::kRefreshTokenRevoked: return "RefreshTokenRevoked";
    case Reason::kRefreshTokenExpired: return "RefreshTokenExpired";
    case Reason::kRateLimited: return "RateLimited";
    case Reason::kSleeperNotFound: return "SleeperNotFound";
    case Reason::kSleeperRejected: return "SleeperRejected";
    case Reason::kSleeperUnavailable: return "SleeperUnavailable";
    case Reason::kSleeperResponseInvalid: return "SleeperResponseInvalid";
    case Reason::kJournalPruned: return "JournalPruned";
    case Reason::kJournalCursorAhead: return "JournalCursorAhead";
    case Reason::kJournalNotWritten: return "JournalNotWritten";
    case Reason::kJournalCursorBehind: return "JournalCursorBehind";
  }
  return "Unknown";
}

bool transient(Reason reason) {
  return reason == Reason::kStoreUnavailable || reason == Reason::kGoogleUnavailable ||
         reason == Reason::kSleeperUnavailable || reason == Reason::kRateLimited ||
         reason == Reason::kFillTimeAhead;
}

EngineRejectCode engine_reject_code(Reason reason) {
  switch (reason) {
    case Reason::kInsufficientFunds:
    case Reason::kInsufficientPosition:
      return EngineRejectCode::kInsufficientFunds;
    case Reason::kPositionLimitExceeded:
    case Reason::kOpenNotionalLimitExceeded:
      return EngineRejectCode::kExposureExceeded;
    default:
      return EngineRejectCode::kRiskUnavailable;
  }
}

}  // namespace account
