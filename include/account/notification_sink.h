// File: notification_sink.h
//
// Where the ledger reports what a user, or a system downstream, should hear about.
//
// Notices from the journal (docs/journal.md): the ledger's notifier, one thread, reads each
// committed journal entry in seq order and calls on_journal_entry() with it, then
// on_order_expired() for each expiry it holds, outside every ledger lock, so a notice may
// itself call the ledger (the next notices wait for it). Delivery is at least once: the
// notifier stores how far it got (Store::set_journal_cursor, every 100 ms and when the ledger
// closes) and a ledger opened after a crash starts after the stored cursor, so the notices of
// the last entries before a crash may come again, with the same seq: dedupe by it. A store that
// keeps no cursors starts the notices at the head at each open. Notices follow the commit by
// the notifier's wake-up (microseconds) and may trail it while a notice runs long;
// AccountService::await_notices() waits for them. With the journal off
// (AccountServiceOptions::journal_written) there is neither.
//
// on_queued_fill_done() reports the outage queue (AccountService::settle), on the thread that
// retries it.
//
// Thread-safety: implementations must be thread-safe.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "account/fill.h"
#include "account/ids.h"
#include "account/journal_entry.h"

namespace account {

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // A committed journal entry: its seq, commit time, events and chain hash.
  virtual void on_journal_entry(const JournalEntry& entry) { (void)entry; }
  // `order` of `account` expired unfilled (or partly filled); its reservation was freed. `seq`
  // is the journal entry that expired it.
  virtual void on_order_expired(uint64_t seq, AccountId account, OrderId order,
                                ReservationId reservation) = 0;
  // A fill that settle() queued while the store was unavailable has been
  // dealt with: `result` is OK when it was applied now, kDuplicateExecution
  // when an earlier attempt had already applied it (an ambiguous commit),
  // kStoreUnavailable when the ledger shut down with it still queued (not
  // applied: deliver it again), kWriterFenced when another ledger took the
  // store (not applied: deliver it to that ledger; AccountService::
  // writer_fenced()), or the reason it was refused. Called once
  // per queued fill, in the order the fills were queued.
  virtual void on_queued_fill_done(const Fill& fill, const absl::Status& result) {
    (void)fill;
    (void)result;
  }
};

// Discards every notification.
class NullNotificationSink final : public NotificationSink {
 public:
  void on_order_expired(uint64_t, AccountId, OrderId, ReservationId) override {}
};

}  // namespace account
