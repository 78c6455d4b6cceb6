#include "account/status.h"
#include "base/strings.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace account {
namespace {
// Type URL of the payload that carries the Reason's numeric value.
constexpr absl::string_view kReasonPayloadUrl = "type.waiver.exchange/account.Reason";

// Debian's Abseil is built with ABSL_OPTION_USE_STD_STRING_VIEW=0, so absl::string_view is its own
// type there and std::string_view does not convert to it implicitly.
absl::string_view to_absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace

absl::StatusCode canonical_code(Reason reason) {
  switch (reason) {
    case Reason::kInvalidQuantity:
    case Reason::kInvalidPrice:
    case Reason::kInvalidAmount:
    case Reason::kInvalidArgument:
    case Reason::kExpiryTooLong:
    case Reason::kExpiryInPast:
      return absl::StatusCode::kInvalidArgument;
    case Reason::kOverflow:
      return absl::StatusCode::kOutOfRange;
    case Reason::kAccountNotFound:
    case Reason::kReservationNotFound:
      return absl::StatusCode::kNotFound;
    case Reason::kAccountExists:
    case Reason::kOrderExists:
    case Reason::kOrderConflict:
    case Reason::kDuplicateExecution:
    case Reason::kExecutionConflict:
    case Reason::kDuplicateEntry:
    case Reason::kEntryConflict:
    case Reason::kSleeperLinkTaken:
      return absl::StatusCode::kAlreadyExists;
    case Reason::kStoreUnavailable:
    case Reason::kFillTimeAhead:  // The same call succeeds once the clock catches up.
      return absl::StatusCode::kUnavailable;
    case Reason::kStoreFailure:
      return absl::StatusCode::kInternal;
    case Reason::kWriterFenced:  // Another ledger writes: this one's commands go to it.
      return absl::StatusCode::kAborted;
    case Reason::kTokenMalformed:
    case Reason::kTokenAlgorithmRejected:
    case Reason::kTokenKeyUnknown:
    case Reason::kTokenSignatureInvalid:
    case Reason::kTokenExpired:
    case Reason::kTokenNotYetValid:
    case Reason::kTokenClaimsInvalid:
    case Reason::kLoginStateUnknown:
    case Reason::kLoginStateExpired:
    case Reason::kLoginStateReplayed:
    case Reason::kGoogleRejected:
    case Reason::kRefreshTokenUnknown:
    case Reason::kRefreshTokenReused:
    case Reason::kRefreshTokenRevoked:
    case Reason::kRefreshTokenExpired:
      return absl::StatusCode::kUnauthenticated;
    case Reason::kEmailNotVerified:
      return absl::StatusCode::kPermissionDenied;
    case Reason::kGoogleUnavailable:
    case Reason::kSleeperUnavailable:
      return absl::StatusCode::kUnavailable;
    case Reason::kGoogleResponseInvalid:
    case Reason::kSleeperResponseInvalid:
      return absl::StatusCode::kDataLoss;
    case Reason::kSleeperNotFound:
      return absl::StatusCode::kNotFound;
    case Reason::kJournalPruned:  // Asked from before the first entry kept.
    case Reason::kJournalCursorAhead:
      return absl::StatusCode::kOutOfRange;
    case Reason::kSleeperRejected:  // Sleeper refused what we asked: fix the request.
      return absl::StatusCode::kInvalidArgument;
    case Reason::kRateLimited:
      return absl::StatusCode::kResourceExhausted;
    default:
      return absl::StatusCode::kFailedPrecondition;
  }
}

absl::Status denial(Reason reason, std::string_view detail) {
  absl::Status status(canonical_code(reason), internal::cat(to_absl(reason_name(reason)), ": ", to_absl(detail)));
  status.SetPayload(kReasonPayloadUrl,
                    absl::Cord(internal::cat(static_cast<uint16_t>(reason))));
  return status;
}

std::optional<Reason> reason_of(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  absl::optional<absl::Cord> payload = status.GetPayload(kReasonPayloadUrl);
  if (!payload) return std::nullopt;
  uint32_t value = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &value)) return std::nullopt;
  return static_cast<Reason>(value);
}

}  // namespace account
