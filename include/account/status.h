// File: status.h
//
// absl::Status carrying a Reason. A denial is an ordinary absl::Status whose
// canonical code follows Abseil's guidance (InvalidArgument: fix the input;
// NotFound; AlreadyExists; FailedPrecondition: fix state first; Unavailable:
// retry) with the Reason attached as a payload, so callers can switch on it:
//
//   absl::Status s = service.cancel_order(OrderId{7});
//   if (reason_of(s) == Reason::kReservationNotActive) { ... }
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/reason.h"

namespace account {

// A Status with the canonical code for `reason`, the message
// "<ReasonName>: <detail>", and the reason attached.
absl::Status denial(Reason reason, std::string_view detail);

// The Reason carried by `status`, or nullopt for OK and for statuses that did
// not come from denial().
std::optional<Reason> reason_of(const absl::Status& status);

template <typename T>
std::optional<Reason> reason_of(const absl::StatusOr<T>& status_or) {
  return reason_of(status_or.status());
}

// The canonical absl::StatusCode for a reason.
absl::StatusCode canonical_code(Reason reason);

}  // namespace account

// Abseil 20220623 ships no status macros; these two are all we need.
#define ACCOUNT_STATUS_CONCAT_INNER_(a, b) a##b
#define ACCOUNT_STATUS_CONCAT_(a, b) ACCOUNT_STATUS_CONCAT_INNER_(a, b)

#define ACCOUNT_RETURN_IF_ERROR(expr)                          \
  do {                                                         \
    if (::absl::Status account_status_ = (expr); !account_status_.ok()) \
      return account_status_;                                  \
  } while (false)

#define ACCOUNT_ASSIGN_OR_RETURN(lhs, expr) \
  ACCOUNT_ASSIGN_OR_RETURN_IMPL_(ACCOUNT_STATUS_CONCAT_(account_statusor_, __LINE__), lhs, expr)

#define ACCOUNT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()
