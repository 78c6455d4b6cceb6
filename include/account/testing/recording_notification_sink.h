// File: testing/recording_notification_sink.h
//
// RecordingNotificationSink: a NotificationSink (notification_sink.h) that keeps every notice
// the ledger sends, in order, so that a test can check who heard what, and wait for notices
// that background threads send (the retry thread reports queued fills once the store is back).
//
//   auto sink = std::make_shared<account::testing::RecordingNotificationSink>();
//   auto service = account::AccountService::open({.store = store, .sink = sink}).value();
//   ...                                                  // fills queued during an outage
//   REQUIRE(sink->wait_for_queued_fills_done(3, absl::Seconds(10)));
//   CHECK(sink->queued_fills_done()[0].result.ok());     // in the order they were queued
//
// A callback (set_on_order_expired, set_on_queued_fill_done) runs after a notice is recorded,
// on the notifying thread and outside the sink's lock, so it may call the ledger, as a real
// sink may. It does not model a slow or failing sink (a notice cannot fail), and it keeps every
// notice until clear(): memory grows with them.
//
// Thread-safety: every member may be called from any thread while notices arrive. Set the
// callbacks before the notices they should see.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "account/fill.h"
#include "account/ids.h"
#include "account/notification_sink.h"

namespace account::testing {

// One on_order_expired() notice.
struct ExpiredOrderNotice {
  uint64_t seq = 0;  // The journal entry that expired the order.
  AccountId account;
  OrderId order;
  ReservationId reservation;
  friend bool operator==(const ExpiredOrderNotice&, const ExpiredOrderNotice&) = default;
};

// One on_queued_fill_done() notice: the fill and what became of it.
struct QueuedFillNotice {
  Fill fill;
  absl::Status result;
};

class RecordingNotificationSink final : public NotificationSink {
 public:
  RecordingNotificationSink();
  ~RecordingNotificationSink() override;
  RecordingNotificationSink(const RecordingNotificationSink&) = delete;
  RecordingNotificationSink& operator=(const RecordingNotificationSink&) = delete;

  // --- NotificationSink.

  void on_order_expired(uint64_t seq, AccountId account, OrderId order,
                        ReservationId reservation) override;
  void on_queued_fill_done(const Fill& fill, const absl::Status& result) override;

  // --- What was recorded, oldest first.

  std::vector<ExpiredOrderNotice> expired_orders() const;
  std::vector<QueuedFillNotice> queued_fills_done() const;
  size_t expired_order_count() const;
  size_t queued_fill_done_count() const;

  // Waits until at least `count` notices of the kind are kept (since construction or the last
  // clear()), or `timeout` (real time) passes; returns whether they were.
  bool wait_for_expired_orders(size_t count, absl::Duration timeout) const;
  bool wait_for_queued_fills_done(size_t count, absl::Duration timeout) const;

  // What was kept, handed over and forgotten in one step, so that a notice recorded meanwhile
  // is neither lost nor handed over twice.
  std::vector<ExpiredOrderNotice> take_expired_orders();
  std::vector<QueuedFillNotice> take_queued_fills_done();

  // Forgets every notice recorded so far (the callbacks stay).
  void clear();

  // --- Callbacks, run after each notice is recorded.

  void set_on_order_expired(std::function<void(const ExpiredOrderNotice&)> callback);
  void set_on_queued_fill_done(std::function<void(const QueuedFillNotice&)> callback);

 private:
  class State;
  std::unique_ptr<State> state_;
};

}  // namespace account::testing
