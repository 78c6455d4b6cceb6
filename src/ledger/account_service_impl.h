// Private to the library: AccountService's implementation (account_service.h
// documents the API; the methods here of the same names do what it says).
// It owns the committed state and its lock, the group-commit queue
// (commit_queue.h) and the outage queue (outage_queue.h) with the thread
// that retries it, and the journal's notifier, so that the public
// header declares the API and nothing of its machinery.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "account/account_service.h"
#include "base/mutex.h"
#include "account/risk_cache.h"

namespace account {

namespace internal {
class JournalNotifier;
class JournalRing;
class LedgerObserver;
class LedgerState;
class CommitQueue;
class OutageQueue;
class Txn;
struct PendingCommand;
}  // namespace internal

class AccountService::Impl {
 public:
  explicit Impl(AccountServiceOptions options);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Loads the ledger and starts the retry thread: the second half of open().
  absl::Status start();

  // The API, as account_service.h documents it.
  absl::StatusOr<AccountId> create_account(std::string_view google_id,
                                           std::string_view display_name);
  absl::StatusOr<AccountId> get_account_id_by_user_id(std::string_view google_id) const;
  absl::Status link_sleeper(AccountId account, const SleeperLink& link);
  absl::Status credit(AccountId account, Cents amount, EntryKind kind, std::string_view key);
  absl::Status debit(AccountId account, Cents amount, EntryKind kind, std::string_view key);
  absl::Status issue_shares(AccountId account, SymbolId symbol, Qty qty, std::string_view key);
  absl::StatusOr<ReservationId> reserve_buy(const OrderSpec& order);
  absl::StatusOr<ReservationId> reserve_sell(const OrderSpec& order);
  std::vector<absl::StatusOr<ReservationId>> reserve_batch(absl::Span<const OrderSpec> orders,
                                                           Side side);
  absl::Status extend_reservation(ReservationId reservation, absl::Time expires_at);
  absl::Status cancel_order(OrderId order);
  absl::Status release_reservation(ReservationId reservation);
  std::vector<absl::Status> release_batch(absl::Span<const ReservationId> reservations);
  absl::StatusOr<size_t> expire_due_reservations();
  absl::StatusOr<std::vector<Reservation>> expired_reservations_since(absl::Time since) const;
  absl::StatusOr<SettlementReceipt> settle(const Fill& fill);
  std::vector<absl::StatusOr<SettlementReceipt>> settle_batch(absl::Span<const Fill> fills);
  absl::StatusOr<Account> get_account(AccountId account) const;
  absl::StatusOr<Cents> cash(AccountId account) const;
  absl::StatusOr<Cents> available_cash(AccountId account) const;
  absl::StatusOr<std::vector<Position>> positions(AccountId account) const;
  absl::StatusOr<std::optional<Position>> position(AccountId account, SymbolId symbol) const;
  absl::StatusOr<std::vector<Reservation>> active_reservations(AccountId account) const;
  absl::StatusOr<Reservation> reservation(ReservationId reservation) const;
  absl::StatusOr<Reservation> reservation_for_order(OrderId order) const;
  absl::StatusOr<std::vector<Trade>> trade_history(AccountId account, size_t limit) const;
  absl::StatusOr<std::vector<ExternalEntry>> external_entries(AccountId account) const;
  std::vector<Account> sleeper_linked_accounts() const;
  size_t account_count() const;
  size_t queued_fills() const;
  bool store_up() const;
  bool writer_fenced() const;
  absl::Status end_of_tick(TickId tick);
  RiskCache& risk_cache();
  MetricsRegistry& metrics() { return *options_.metrics; }
  AuditReport audit();
  LedgerSnapshot snapshot() const;
  absl::StatusOr<std::vector<JournalEntry>> events_since(uint64_t after_seq,
                                                         size_t max_events) const;
  uint64_t journal_head() const;
  StateHash state_hash() const;
  absl::StatusOr<AccountBalance> balance_at(AccountId account, absl::Time time) const;
  absl::StatusOr<JournalPruneResult> prune_journal(const JournalPruneRequest& request);
  bool await_notices(absl::Duration timeout) const;
  const LedgerLimits& limits() const { return options_.limits; }
  absl::Time now() const { return options_.clock->now(); }

 private:
  // credit() (cash_in) and debit() (not cash_in), with a positive `amount`.
  absl::Status cash_entry(AccountId account, Cents amount, EntryKind kind, std::string_view key,
                          bool cash_in);
  absl::StatusOr<ReservationId> reserve(const OrderSpec& order, Side side);
  // Stages and commits `fills` as one group. With `queue_refused`, the
  // fills that meet a store refusal are queued by the group's leader
  // before it hands on (their results stay the store's reason).
  // `why` gets the store's refusal of the first fill queued.
  std::vector<absl::StatusOr<SettlementReceipt>> settle_now(absl::Span<const Fill> fills,
                                                            bool queue_refused, absl::Status* why);
  // The background thread: reloads from the store while it is down, and
  // applies queued fills in order once it is back, both on one backoff.
  void retry_queued_fills();
  // Reloads the ledger from the store as the group-commit leader, even
  // while the store is down (the only command that does): OK brings it up.
  absl::Status probe_store();
  // Leader only: reloads, and marks the store down when that fails.
  absl::Status reload_or_mark_down();
  // Leader only: from now on commands are refused at once and the retry
  // thread alone tries the store.
  void mark_store_down(const absl::Status& cause);
  // Leader only: the refusal of a command while the store is down.
  absl::Status store_down_refusal() const;
  // The store refused a write because another writer took it (`cause`, writer_fencing.h):
  // from the leader, or from prune_journal(). Records it once and wakes the retry thread,
  // which hands the queued fills back (hand_back_queued_fills()).
  void fence(const absl::Status& cause);
  // The refusal of every command once fenced (kWriterFenced), naming `what` was refused.
  absl::Status writer_fenced_refusal(std::string_view what) const;
  // The retry thread, once fenced: every queued fill completes with kWriterFenced.
  void hand_back_queued_fills();
  // Runs the expiry sweep when an active reservation is due (end_of_tick()).
  void expire_if_due();
  // kStoreUnavailable when fills of `order` wait in the queue: the order
  // must not be finished before they apply (they executed while it was on
  // the engine's book), else OK.
  absl::Status refuse_finishing_before_queued_fills(OrderId order) const;

  // Rebuilds state_ from the store. Leader only.
  absl::Status reload() ABSL_LOCKS_EXCLUDED(state_mu_);
  // The commit time of `state`'s journal head, from memory's newest entries when they end at
  // it, else read from the store. Leader only.
  absl::Status load_journal_tip_time(internal::LedgerState& state);
  // Where the notifier starts at open: after the stored cursor, or at the head.
  absl::StatusOr<uint64_t> notifier_cursor();
  // events_since()'s entries after `after_seq` read from the store.
  absl::Status stored_journal_since(uint64_t after_seq, size_t max_events,
                                    std::vector<JournalRecord>* out) const;
  // The memory-to-store comparison of audit(), as of one committed point.
  void compare_with_store(AuditReport& report);
  // Runs `command` through the commit queue (with whatever is queued behind
  // it, as one group commit). Returns the command's result.
  absl::Status submit(internal::PendingCommand& command);
  // Leader only: stages, commits and applies `group`, setting each result.
  void run_group(absl::Span<internal::PendingCommand* const> group)
      ABSL_LOCKS_EXCLUDED(state_mu_);
  // Stages `group` in one Txn, commits it, applies it. Returns the store's
  // error (and marks a reload due) when the commit failed.
  absl::Status stage_and_commit(absl::Span<internal::PendingCommand* const> group,
                                bool dedupe_in_store) ABSL_LOCKS_EXCLUDED(state_mu_);


  AccountServiceOptions options_;

  // The group-commit queue. Its leader is the one thread that may change
  // state_.
  std::unique_ptr<internal::CommitQueue> commit_queue_;

  internal::Mutex publish_mu_;  // Serializes end_of_tick().
  internal::Mutex prune_mu_;    // Serializes prune_journal().

  // The committed state. Readers take state_mu_ shared; the leader takes it
  // shared while staging and exclusive only to apply a commit or reload, so
  // store I/O never blocks a query.
  mutable internal::SharedMutex state_mu_ ABSL_ACQUIRED_AFTER(publish_mu_);
  std::unique_ptr<internal::LedgerState> state_ ABSL_GUARDED_BY(state_mu_);
  // Touched only by the leader; leadership passes under the commit queue's
  // mutex, which orders them. reload_needed_ is set after a failed commit: the next
  // leader reloads first. txn_ and changes_ are reused across groups.
  bool reload_needed_ = false;
  std::unique_ptr<internal::Txn> txn_;
  ChangeSet changes_;
  // Whether the store took the last reload (see store_up()); written by
  // leaders, read by the retry thread and the gauge. store_down_cause_ and
  // store_down_since_ are the leader's.
  std::atomic<bool> store_up_{true};
  absl::Status store_down_cause_;
  absl::Time store_down_since_;
  int commits_failed_in_row_ = 0;  // The leader's.
  // Set once, under fence_mu_, when the store fenced this writer (fence()); never cleared.
  // fenced_cause_ and fenced_since_ are written before fenced_ and read after it.
  std::atomic<bool> fenced_{false};
  mutable internal::Mutex fence_mu_;
  absl::Status fenced_cause_ ABSL_GUARDED_BY(fence_mu_);
  absl::Time fenced_since_ ABSL_GUARDED_BY(fence_mu_);
  // Odd while a leader writes to the store or replaces state_ (a commit and
  // its apply, or a reload), even otherwise: audit() compares memory with
  // the store only across a window in which it did not move.
  std::atomic<uint64_t> store_writes_{0};

  // The newest journal entries, for events_since(); pushed by the leader as it applies.
  std::unique_ptr<internal::JournalRing> journal_ring_;
  // Hands the journal's entries to the sink (null with the journal off).
  std::unique_ptr<internal::JournalNotifier> notifier_;

  std::unique_ptr<RiskCache> risk_cache_;
  std::unique_ptr<internal::LedgerObserver> observer_;

  // Fills queued during a store outage, oldest first, and the thread that
  // retries them.
  std::unique_ptr<internal::OutageQueue> outage_queue_;
  std::thread retry_thread_;
};

}  // namespace account
