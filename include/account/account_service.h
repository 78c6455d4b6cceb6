// File: account_service.h
//
// AccountService: the facade the order gateway, ExecutionManager, tick
// driver, auth and fantasy jobs call. It owns the ledger (accounts, cash,
// positions, reservations, trades, applied execution ids), a Store behind
// it, and the RiskCache the matching engine reads.
//
//   // A durable store from a URL (account::stores, stores/open_store.h), or a MemoryStore in tests.
//   auto service = AccountService::open({.store = open_store("sqlite:ledger.db")->store}).value();
//   AccountId alice = service->create_account("google-sub-1", "Alice").value();
//   service->credit(alice, Cents{100'00}, EntryKind::kFantasyCredit, "fantasy:1:2026:w1");
//   ReservationId r = service->reserve_buy({.account = alice, .order = OrderId{1},
//       .symbol = SymbolId{7}, .qty = Qty{1'429}, .limit = Price{35'000}}).value();
//   service->settle(fill);            // DuplicateExecution if delivered again
//   service->end_of_tick(TickId{42}); // publish risk for the engine
//
// Every mutation is validated fully, committed to the Store, and only then
// applied in memory and acknowledged (ARCHITECTURE.md section 4). A refused
// command returns a denial (status.h) naming its Reason and the figures, and
// changes nothing. Concurrent callers are group-committed: the first waiting
// caller commits the commands queued behind it in one store transaction.
//
// Fill dedupe: execution ids are kept in memory while the fill's time is
// within LedgerLimits::execution_retention of the newest fill seen; a fill
// older than that is checked against the store (slow path). A redelivery
// must carry its original fields, time included; if one arrives restamped
// after memory forgot its id, the store's unique index refuses the commit
// and the group is validated again against the store, so it still comes
// back kDuplicateExecution or kExecutionConflict and the rest apply.
//
// After any failed commit the outcome is unknown (the store may have
// committed), so the service reloads its state from the store before it
// takes the next command; until that reload succeeds every command is
// refused with kStoreUnavailable, and queries answer from memory.
//
// Thread-safety: every method is safe to call from any thread. Queries and
// end_of_tick() take a shared lock and never wait for store I/O (not even
// for a dedupe lookup the leader makes while it stages). end_of_tick() must
// be called from one thread at a time (the tick driver).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/account.h"
#include "account/audit.h"
#include "account/clock.h"
#include "account/external_entry.h"
#include "account/fill.h"
#include "account/history.h"
#include "account/ids.h"
#include "account/journal_entry.h"
#include "account/ledger_snapshot.h"
#include "account/limits.h"
#include "account/log_sink.h"
#include "account/metrics.h"
#include "account/notification_sink.h"
#include "account/order_spec.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/settlement_receipt.h"
#include "account/side.h"
#include "account/sleeper_account_link.h"
#include "account/store.h"
#include "account/trade.h"
#include "account/units.h"

namespace account {

class RiskCache;

// How the service gets its store back after the store refused it, and how
// many fills it keeps meanwhile.
//
// Once a reload of the ledger from the store fails (after a failed commit,
// the next command reloads first), the store is "down": every command is
// refused at once with kStoreUnavailable without touching the store, queries
// answer from memory, and one background thread alone tries the store again
// (a reload), after a capped exponential backoff with equal jitter from
// `backoff_initial` to `backoff_max`, shared by the fills it retries. So an
// outage costs one connection attempt per backoff step, whatever the load.
struct SettlementRetryPolicy {
  absl::Duration backoff_initial = absl::Milliseconds(10);
  absl::Duration backoff_max = absl::Seconds(5);
  // Fills kept in memory while the store cannot take them (~150 bytes each
  // with their order index: 1M is ~150 MB). Past it settle() refuses with
  // kStoreUnavailable, unacknowledged, and the engine keeps the fill. The
  // default holds 100 s of fills at 10,000 a second, above what one
  // PostgreSQL writer commits (docs/postgres-store.md), so an outage as long
  // as a server restart or a failover queues without refusing.
  size_t queued_fills_max = 1'000'000;
};

struct AccountServiceOptions {
  // Required. A durable store (SqliteStore, PostgresStore; account::stores::open_store() opens
  // either from a URL), or a MemoryStore for tests and runs that may forget everything: it has
  // no default, so that no ledger runs on a volatile store by omission.
  std::shared_ptr<Store> store;
  std::shared_ptr<Clock> clock;             // Default: SystemClock.
  // Where the journal's notices go (notification_sink.h). Without one the ledger runs no
  // notifier and leaves the stored notifier cursor as it is, so that a tool's ledger on the
  // same store (accountctl) takes no notices from the ledger it stands in for.
  std::shared_ptr<NotificationSink> sink;
  LedgerLimits limits;
  size_t risk_readers_max = 64;             // Engine threads that may read the RiskCache.
  SettlementRetryPolicy settlement_retry;
  // Counters and latency histograms (docs/operations.md names them).
  // Default: a registry of the service's own; see metrics().
  std::shared_ptr<MetricsRegistry> metrics;
  // Events that need an operator (store failures, fills queued during an
  // outage, execution conflicts). Default: none.
  std::shared_ptr<LogSink> log;
  // Fills whose dedupe memory (~104 bytes each) is allocated and touched
  // when the ledger is loaded, at open and at every reload, so that the
  // first that many fills after it take no page fault (a fault costs 1.4 to
  // 10 us per 4 KiB on the machines we measure; docs/ledger.md, "Preallocation"). Size it to
  // the fills of an execution_retention window. Default 0: memory is taken
  // as fills come.
  size_t fills_preallocated = 0;
  // The same for reservations (~175 bytes each: the row, the order index
  // entry and the finished list's entry): size it to the reservations made within
  // LedgerLimits::finished_reservation_retention. Default 0.
  size_t reservations_preallocated = 0;
  // Whether every commit writes its journal entry (docs/journal.md): its seq, its events, its
  // chain hash, in the commit's transaction. Off only to measure what the journal costs
  // (store_benchmark): events_since() then answers kJournalNotWritten, and open() refuses a
  // store that has journal entries (kJournalNotWritten), whose chain a commit without an entry
  // would break.
  bool journal_written = true;
};

// The bounds of AccountService::prune_journal(): entries go when inside every bound set.
struct JournalPruneRequest {
  uint64_t before_seq = 0;  // Entries with a lower seq; 0: no seq bound.
  // Entries committed more than this long before the ledger's clock; infinite: no age bound.
  absl::Duration older_than = absl::InfiniteDuration();
  // Remove entries a stored consumer cursor has not read (its consumer then gets
  // kJournalPruned and must start again from the checkpoint). False: refuse.
  bool past_cursors = false;
};

class AccountService {
 public:
  // Opens the service on `options.store`, rebuilding memory from what the
  // store holds (an empty store gives an empty ledger). The restored state
  // reaches the RiskCache with the first end_of_tick(); until then the
  // engine's checks answer kRiskUnavailable.
  // Fails with kInvalidArgument when options.store is null, with InvalidArgument, naming the
  // field, when options.limits fail validate_limits() (limits.h), and with a store reason if
  // load() fails.
  static absl::StatusOr<std::unique_ptr<AccountService>> open(AccountServiceOptions options);

  ~AccountService();
  AccountService(const AccountService&) = delete;
  AccountService& operator=(const AccountService&) = delete;

  // --- Accounts -----------------------------------------------------------

  // Creates an account for a Google user (`google_id` = Google's `sub`), or
  // finds it: a google id that has an account answers that account's id and
  // changes nothing (the display name is not compared), so sign-in calls this
  // on every login and a caller told kStoreUnavailable retries to learn the
  // truth. Denials: kInvalidArgument (empty or over 255 bytes, NUL byte),
  // store reasons.
  absl::StatusOr<AccountId> create_account(std::string_view google_id,
                                           std::string_view display_name);

  // The account of a Google user. Denials: kAccountNotFound.
  absl::StatusOr<AccountId> get_account_id_by_user_id(std::string_view google_id) const;

  // Stores `link` as the account's Sleeper league (replacing any link).
  // The fantasy update (fantasy_funding_service.h) reads the season through it.
  // A Sleeper user, and a roster of a league, fund one account each: linking
  // one that another account links is refused until that account links
  // elsewhere; a user's season, or a roster, that a fantasy entry paid into
  // another account stays that account's for good (fantasy_funding.h).
  // Denials: kInvalidArgument (user id, username, league id or season
  // empty, over kSleeperFieldBytesMax bytes or with NUL; roster id below 1),
  // kAccountNotFound, kSleeperLinkTaken, store reasons.
  absl::Status link_sleeper(AccountId account, const SleeperLink& link);

  // --- External entries (idempotent by key) --------------------------------

  // Adds `amount` (cents, > 0) to the account's cash.
  // Denials: kInvalidAmount, kInvalidArgument (key), kAccountNotFound,
  // kDuplicateEntry (key applied before with the same fields; nothing
  // changes), kEntryConflict (key applied before with other fields),
  // kOverflow, store reasons. A kFantasyCredit whose key a fantasy run
  // wrote (fantasy_funding.h) is checked against its key too:
  // kInvalidArgument (the key names another account), kEntryConflict (its
  // revision was applied under another key), kSleeperLinkChanged (the
  // account no longer links the key's source), kSleeperLinkTaken (the
  // source funded another account).
  absl::Status credit(AccountId account, Cents amount, EntryKind kind, std::string_view key);

  // Takes `amount` (cents, > 0) from the account's available cash.
  // Denials: as credit(), plus kInsufficientFunds (amount above available cash).
  absl::Status debit(AccountId account, Cents amount, EntryKind kind, std::string_view key);

  // Creates `qty` (basis points, > 0) shares of `symbol` in `account`
  // (the exchange's inventory; cost basis 0). Denials: kInvalidQuantity,
  // kInvalidArgument, kAccountNotFound, kDuplicateEntry, kEntryConflict,
  // kOverflow, store reasons.
  absl::Status issue_shares(AccountId account, SymbolId symbol, Qty qty, std::string_view key);

  // --- Reservations --------------------------------------------------------

  // Holds reserve_notional(qty, limit) cents for a buy limit order.
  // Idempotent by order id: an order id that already has a reservation with
  // the same account, side, symbol, qty, limit (and expiry, when one is
  // given) answers OK with that ReservationId, whatever its status now, and
  // changes nothing; with other fields it is kOrderConflict, naming the
  // field. Memory answers for every active reservation and for finished ones
  // within LedgerLimits::finished_reservation_retention. So a caller told
  // kStoreUnavailable (the commit may have landed) retries the same order
  // and learns whether it holds cash (docs/ledger.md, "Retries").
  // Denials in precedence order: kInvalidArgument (order id 0),
  // kInvalidQuantity, kInvalidPrice, kOrderConflict, kExpiryInPast,
  // kExpiryTooLong, kAccountNotFound, kInsufficientFunds,
  // kPositionLimitExceeded, kOpenNotionalLimitExceeded, store reasons.
  absl::StatusOr<ReservationId> reserve_buy(const OrderSpec& order);

  // Holds `qty` shares for a sell limit order (no short selling).
  // Denials: as reserve_buy() but kInsufficientPosition in place of
  // kInsufficientFunds and no position cap.
  absl::StatusOr<ReservationId> reserve_sell(const OrderSpec& order);

  // Admits a batch of orders of one side (e.g. what the gateway received
  // during one engine tick) in one store transaction: each is validated as
  // reserve_buy() (side kBuy) or reserve_sell() would, against the state
  // left by the ones before it, and gets its own result, in order; the
  // accepted ones commit together. A failed commit refuses every order of
  // the batch with the store's reason.
  std::vector<absl::StatusOr<ReservationId>> reserve_batch(absl::Span<const OrderSpec> orders,
                                                           Side side);

  // Moves the expiry of an active reservation to `expires_at`, which must be
  // after now and at most created_at + reservation_expiry_max (30 days). An
  // active reservation that already expires at `expires_at` (a retry)
  // answers OK and changes nothing.
  // Denials: kReservationNotFound, kReservationNotActive, kExpiryInPast,
  // kExpiryTooLong, store reasons.
  absl::Status extend_reservation(ReservationId reservation, absl::Time expires_at);

  // The user cancelled the order: its reservation becomes kCancelled and
  // frees what it held. One already cancelled or released (a retry, or the
  // engine's release first) answers OK and changes nothing; one settled or
  // expired is kReservationNotActive, naming its status.
  // Denials: kReservationNotFound, kReservationNotActive,
  // kStoreUnavailable (also while fills of the order wait in the queue of
  // fills taken during a store outage: they executed first and apply first).
  absl::Status cancel_order(OrderId order);

  // The engine dropped the order (e.g. rejected it): the reservation becomes
  // kReleased and frees what it held. Retries and denials: as cancel_order().
  absl::Status release_reservation(ReservationId reservation);

  // release_reservation() for each of `reservations`, in order, in one store
  // transaction; each gets its own result.
  std::vector<absl::Status> release_batch(absl::Span<const ReservationId> reservations);

  // Expires every active reservation whose expiry is at or before the
  // clock's now, frees what each held, and tells the NotificationSink per
  // order after the commit. Returns how many expired. end_of_tick() runs the
  // same sweep whenever a reservation is due, so a host need not call this;
  // it stays for hosts that want an expiry between ticks. Until a sweep runs
  // a due reservation still settles fills, since the engine may still have
  // the order on its book. A due order with
  // fills waiting in the outage queue (settle()) is left for a later sweep.
  // A failed commit refuses the sweep with a store reason; if it was durable
  // all the same (an ambiguous commit), the reload that follows it finds the
  // expiries and notifies each of them then, once, and a retried sweep finds
  // nothing due. A crash between the commit and a notice loses the notice:
  // see expired_reservations_since().
  absl::StatusOr<size_t> expire_due_reservations();

  // Reservations that expired at or after `since` (by the sweep's clock),
  // oldest first, then by id. For the engine to reconcile its book when this
  // process restarts: an expiry committed just before a crash may never have
  // been notified (docs/ledger.md). Answers from memory, which keeps finished
  // reservations for LedgerLimits::finished_reservation_retention.
  // Denials: kInvalidArgument (`since` before now - that retention, where the
  // answer could be incomplete).
  absl::StatusOr<std::vector<Reservation>> expired_reservations_since(absl::Time since) const;

  // --- Settlement ----------------------------------------------------------

  // Applies one fill exactly once: both legs or neither.
  //
  // Store outages: a fill that cannot be committed because of the store,
  // whatever its error (unreachable, an ambiguous commit, a password or a
  // permission refused, another writer holding the database, a full disk),
  // is not refused. It is queued in memory and the result is OK with outcome
  // kQueued; a background thread retries the queue in order, with
  // SettlementRetryPolicy's backoff, for as long as the store refuses, and
  // reports each queued fill to NotificationSink::on_queued_fill_done once
  // it is applied or refused on its own merits (never because of the store).
  // Past SettlementRetryPolicy::queued_fills_max queued fills, settle()
  // refuses with kStoreUnavailable instead, unacknowledged. While fills are queued, new fills
  // queue behind them, so fills handed in by one thread apply in order, and
  // their orders cannot be cancelled, released or expired before them. A
  // ledger destroyed with fills queued reports each as not applied.
  // Only kApplied is an acknowledgement: a queued fill is not durable until
  // it is reported done.
  // Denials in precedence order: kInvalidArgument (execution id 0),
  // kInvalidQuantity, kInvalidPrice, kDuplicateExecution (same fields
  // applied before; nothing changes), kExecutionConflict (the id was applied
  // with other fields), kFillTimeAhead (stamped more than
  // LedgerLimits::fill_time_ahead_max ahead of the ledger's clock: transient,
  // hand the same fill in again once the clock has caught up; nothing is
  // queued), kSelfTrade, kAccountNotFound, then the buyer's leg
  // fully and then the seller's: kReservationNotFound,
  // kReservationNotActive, kWrongSide, kSymbolMismatch, kPriceOutsideLimit,
  // kFillExceedsReservation; store reasons.
  absl::StatusOr<SettlementReceipt> settle(const Fill& fill);

  // Applies a batch of fills (e.g. one tick's) in order, in one store
  // transaction: each fill is validated against the state left by the ones
  // before it and gets its own result; the accepted ones commit together.
  std::vector<absl::StatusOr<SettlementReceipt>> settle_batch(absl::Span<const Fill> fills);

  // --- Queries (answer from memory) ----------------------------------------

  absl::StatusOr<Account> get_account(AccountId account) const;
  absl::StatusOr<Cents> cash(AccountId account) const;
  absl::StatusOr<Cents> available_cash(AccountId account) const;
  // Positions with shares held, open orders or realized P&L, by symbol.
  absl::StatusOr<std::vector<Position>> positions(AccountId account) const;
  // nullopt when the account has no shares, open order, cost basis or
  // realized P&L in the symbol (never touched it, or only by orders that
  // have ended).
  absl::StatusOr<std::optional<Position>> position(AccountId account, SymbolId symbol) const;
  // Active reservations of the account, by id.
  absl::StatusOr<std::vector<Reservation>> active_reservations(AccountId account) const;
  absl::StatusOr<Reservation> reservation(ReservationId reservation) const;
  absl::StatusOr<Reservation> reservation_for_order(OrderId order) const;
  // Up to `limit` most recent trades, newest first (older ones from the store).
  absl::StatusOr<std::vector<Trade>> trade_history(AccountId account, size_t limit) const;
  // Every external entry applied to the account (the ledger keeps all of
  // them in memory), by key. Denials: kAccountNotFound.
  absl::StatusOr<std::vector<ExternalEntry>> external_entries(AccountId account) const;
  // Accounts with a Sleeper link, by id.
  std::vector<Account> sleeper_linked_accounts() const;
  size_t account_count() const;
  // Fills queued while the store was unavailable, not yet applied.
  size_t queued_fills() const;
  // False from a failed reload of the ledger from the store until the
  // background reconnect reloads it (SettlementRetryPolicy); meanwhile every
  // command is refused with kStoreUnavailable. Gauge account_store_up.
  bool store_up() const;
  // True once the store refused a commit because another ledger took it over since this one
  // opened it (a newer writer epoch: writer_fencing.h, docs/ha.md "Fencing by epoch"). Nothing
  // lifts it. From then on every command is refused with kWriterFenced (canonical code
  // Aborted) without trying the store, and the journal notifier stores no cursor; fills are
  // refused, not queued, and those already queued are handed back through
  // NotificationSink::on_queued_fill_done with kWriterFenced: deliver them to the ledger that
  // took over. Queries answer from memory as of the fencing. The embedding process should
  // exit: opening a ledger on the store again takes the epoch back and fences the other, so
  // do that only where this process must be the writer. Gauge account_writer_fenced.
  bool writer_fenced() const;

  // --- Journal (docs/journal.md) -------------------------------------------

  // The journal entries after `after_seq`, oldest first: whole entries, until the next would
  // take the events returned past `max_events` (always at least one entry when any exists
  // after `after_seq`). Each entry is one committed change set: its seq (1, 2, 3, ... with no
  // gap), commit time, events in the order they happened, and chain hash. Empty when
  // `after_seq` is the head. A consumer that stores the last seq it handled and calls again
  // from there sees every entry once, in order, across restarts of the ledger. Entries near
  // the head come from memory (LedgerLimits::journal_in_memory_bytes_max), older ones from
  // the store. Denials: kInvalidArgument (max_events 0), kJournalCursorAhead (`after_seq` past
  // the head: the consumer's cursor does not belong to this ledger's journal),
  // kJournalPruned (the entries after `after_seq` were pruned), kJournalNotWritten
  // (AccountServiceOptions::journal_written off), kStoreUnavailable (older entries needed
  // and the store is down: retry later), kStoreFailure (a stored entry fails to decode or
  // does not follow the one before: the store is damaged; `accountctl verify` names it).
  // Retry: an identical call returns the same entries (and any committed since).
  absl::StatusOr<std::vector<JournalEntry>> events_since(uint64_t after_seq,
                                                         size_t max_events) const;
  // The seq of the newest committed entry (0 before the first).
  uint64_t journal_head() const;
  // The account's figures as of `time` (docs/journal.md, "History"): cash, available cash and
  // positions after the last journal entry committed at or before `time`, rebuilt from the
  // account's events (each carries its figures after it). Cost: reads the journal from its
  // start up to `time`, from memory and the store, at millions of events a second: for history
  // pages and operators, not a hot path. Denials: kAccountNotFound (the account did not exist
  // then), kJournalPruned (the journal does not reach back to the account's creation: pruned,
  // or begun after it on a store migrated from before the journal), kJournalNotWritten,
  // kStoreUnavailable, kStoreFailure. Retry: the same answer, for a time before the head's.
  absl::StatusOr<AccountBalance> balance_at(AccountId account, absl::Time time) const;
  // The state hash of the ledger in memory, at the journal's head: what `accountctl verify`
  // computes from the store and from the journal, so that equal hashes at one seq say memory,
  // store and journal hold one ledger. O(state): for operators and tests, not for each tick.
  StateHash state_hash() const;
  // Waits until the notifier has handed the NotificationSink every entry committed before the
  // call (notification_sink.h), or `timeout` (real time) passes; returns whether it had. For
  // tests and orderly hand-overs: notices are otherwise delivered on their own.
  bool await_notices(absl::Duration timeout) const;
  // Retention (docs/journal.md, "Retention"): removes from the store the journal entries the
  // request's bounds take (all of them: below `before_seq` and older than `older_than`), never
  // the head, with the trades of their fills, and stores in their place a checkpoint of the
  // ledger after the last removed; `verify`, events_since() and balance_at() go on from it.
  // Executions, reservations and entries stay (they are the ledger's exactly-once keys). Cost:
  // replays the entries it removes (from the last checkpoint), then one store transaction that
  // also passes over the trades; commits go on meanwhile. Memory's newest entries
  // (journal_in_memory_bytes_max) are still served by events_since() until they age out.
  // Denials: kInvalidArgument (no bound set, or older_than not positive), kJournalNotWritten,
  // kJournalCursorBehind (a stored consumer cursor, named, has not read entries it would remove,
  // and `past_cursors` is false), kStoreUnavailable, kStoreFailure (a stored entry or the
  // checkpoint is damaged: nothing is removed; `accountctl verify` says where). Retry: an
  // identical call after an answer lost removes what is left inside its bounds, and answers zero
  // counts when that is nothing.
  absl::StatusOr<JournalPruneResult> prune_journal(const JournalPruneRequest& request);

  // --- Risk ----------------------------------------------------------------

  // Publishes every risk value changed since the last publish to the
  // RiskCache, tagged `tick`. Cost: O(accounts and positions changed), plus
  // waiting for engine readers still inside the previous copy.
  // First, when an active reservation is due by the clock, it runs
  // expire_due_reservations() (a store commit, O(reservations due)), so a
  // reservation expires at the first tick at or after its expiry and the
  // publish shows what it freed; the notices follow the commit. Finding
  // none due costs O(1). A failed sweep does not stop the publish: the next
  // tick tries again (and while the store is down, none is tried).
  // Fails with InvalidArgument when `tick` is not after the last published tick.
  absl::Status end_of_tick(TickId tick);
  RiskCache& risk_cache();

  // The registry the service counts into (options.metrics, or its own).
  MetricsRegistry& metrics();

  // --- Audit and state ------------------------------------------------------

  // Checks invariants 1-4 over memory, and that memory equals the store as
  // of one committed point: the comparison is made between commits (it is
  // tried again when a commit lands while the store is read, and made as the
  // group-commit leader when commits keep landing), so a live ledger never
  // fails it falsely. Never changes the ledger.
  AuditReport audit();

  // The in-memory state in LedgerSnapshot form, canonically ordered (ids
  // ascending; trades per account oldest first). Two ledgers are equal when
  // their snapshots are equal.
  LedgerSnapshot snapshot() const;

  const LedgerLimits& limits() const;
  absl::Time now() const;

 private:
  class Impl;
  explicit AccountService(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;

};

}  // namespace account
