// File: notification_sink.h
//
// Where the ledger reports events that a user should hear about. Called
// after the change is committed, outside the ledger's locks, on the thread
// that ran the command (an expiry whose commit was reported failed but
// landed: on the thread whose command next reloads the ledger, once that
// command's group is done), so a notice may itself call the ledger.
//
// Thread-safety: implementations must be thread-safe.
#pragma once

#include "absl/status/status.h"
#include "account/fill.h"
#include "account/ids.h"

namespace account {

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // `order` of `account` expired unfilled (or partly filled); its
  // reservation was freed.
  virtual void on_order_expired(AccountId account, OrderId order, ReservationId reservation) = 0;

  // A fill that settle() queued while the store was unavailable has been
  // dealt with: `result` is OK when it was applied now, kDuplicateExecution
  // when an earlier attempt had already applied it (an ambiguous commit),
  // kStoreUnavailable when the ledger shut down with it still queued (not
  // applied: deliver it again), or the reason it was refused. Called once
  // per queued fill, in the order the fills were queued.
  virtual void on_queued_fill_done(const Fill& fill, const absl::Status& result) {
    (void)fill;
    (void)result;
  }
};

// Discards every notification.
class NullNotificationSink final : public NotificationSink {
 public:
  void on_order_expired(AccountId, OrderId, ReservationId) override {}
};

}  // namespace account
