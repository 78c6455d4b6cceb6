// ExecutionManager: hands the matching engine's fills to the ledger (AccountService) and keeps
// each one until the ledger has acknowledged it, so that no fill is lost to a store outage and
// none is applied twice. A small version of the process's real one, for the example's test.
//
//   auto manager = std::make_shared<ExecutionManager>();
//   auto ledger = account::AccountService::open({.store = store, .sink = manager}).value();
//   manager->attach(ledger.get());
//   manager->on_fill(fill);        // from the engine, in the order it executed them
//   manager->redeliver();          // from a timer: hands in what is not acknowledged yet
//
// What becomes of a fill (State):
// - kAcknowledged: settle() answered kApplied, or kDuplicateExecution (it was applied before:
//   the engine's redelivery, or a commit whose answer was lost); or it was queued during a
//   store outage and the ledger reported it applied (NotificationSink::on_queued_fill_done).
// - kQueued: the ledger holds it in memory while the store is down (kQueued); not durable yet.
// - kPending: the ledger does not have it (refused with kStoreUnavailable: its outage queue was
//   full; or reported not applied because the ledger shut down): redeliver() hands it in again.
// - kRefused: refused on its own merits (a price outside a limit, an order already ended): kept
//   in refused() for the engine to repair its book, never handed in again. A redelivery whose
//   fields differ from the fill first seen under its id is refused as a conflict, and the
//   first one keeps its state.
//
// It is the ledger's NotificationSink, and forwards every notice to `downstream` (the
// gateway's, say) after acting on it.
//
// Thread-safety: every member may be called from any thread; the ledger reports queued fills
// from its retry thread. One lock, never held while the ledger is called.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "account/account_service.h"
#include "account/fill.h"
#include "account/ids.h"
#include "account/notification_sink.h"

namespace example {

class ExecutionManager final : public account::NotificationSink {
 public:
  enum class State { kInFlight, kQueued, kPending, kAcknowledged, kRefused };

  explicit ExecutionManager(std::shared_ptr<account::NotificationSink> downstream = nullptr);

  // The ledger fills are settled with; it must outlive its use here. A new one (after a
  // restart) may be attached at any time.
  void attach(account::AccountService* ledger);

  // Takes a fill from the engine and settles it at once; returns what became of it.
  State on_fill(const account::Fill& fill);

  // Hands every kPending fill in again, oldest first; returns how many were handed in.
  size_t redeliver();

  // The fill's state; kPending for one never seen.
  State state(account::ExecutionId execution) const;
  // Fills not acknowledged and not refused: the ledger may not have them durably yet.
  size_t unacknowledged() const;
  // Fills refused on their own merits, with the reason, oldest first.
  std::vector<std::pair<account::Fill, absl::Status>> refused() const;

  // --- NotificationSink.
  void on_journal_entry(const account::JournalEntry& entry) override;
  void on_order_expired(uint64_t seq, account::AccountId account, account::OrderId order,
                        account::ReservationId reservation) override;
  void on_queued_fill_done(const account::Fill& fill, const absl::Status& result) override;

 private:
  struct Entry {
    account::Fill fill;
    State state = State::kInFlight;
    uint64_t arrival = 0;  // Order of first arrival, for redelivery.
  };

  // Settles `fill` and records the answer: in its entry when `tracked`, and among the refused
  // ones when the ledger refused it on its merits.
  State settle(const account::Fill& fill, bool tracked);
  // What `result` (settle()'s, or a queued fill's report) makes of a fill.
  static State classify(const absl::Status& result);

  const std::shared_ptr<account::NotificationSink> downstream_;
  mutable std::mutex mu_;
  account::AccountService* ledger_ = nullptr;                    // Guarded by mu_.
  std::map<uint64_t, Entry> entries_;                            // By execution id; guarded by mu_.
  std::vector<std::pair<account::Fill, absl::Status>> refused_;  // Guarded by mu_.
  uint64_t arrivals_ = 0;                                        // Guarded by mu_.
};

}  // namespace example
