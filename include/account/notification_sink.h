// File: notification_sink.h
//
// Where the ledger reports events that a user should hear about. Called
// after the change is committed, outside the ledger's lock, on the thread
// that ran the command.
//
// Thread-safety: implementations must be thread-safe.
#pragma once

#include "account/ids.h"

namespace account {

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // `order` of `account` expired unfilled (or partly filled); its
  // reservation was freed.
  virtual void on_order_expired(AccountId account, OrderId order, ReservationId reservation) = 0;
};

// Discards every notification.
class NullNotificationSink final : public NotificationSink {
 public:
  void on_order_expired(AccountId, OrderId, ReservationId) override {}
};

}  // namespace account
