#include "ledger/account_service_impl.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <optional>
#include <random>
#include <tuple>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "account/notional.h"
#include "account/risk_cache.h"
#include "account/status.h"
#include "account/writer_fencing.h"
#include "base/check.h"
#include "base/jittered_backoff.h"
#include "base/strings.h"
#include "journal/account_replay.h"
#include "journal/checkpoint_codec.h"
#include "journal/entry_codec.h"
#include "journal/journal_prune.h"
#include "journal/journal_ring.h"
#include "journal/state_hash.h"
#include "ledger/journal_notifier.h"
#include "ledger/commit_queue.h"
#include "ledger/ledger_audit.h"
#include "ledger/ledger_commands.h"
#include "ledger/ledger_observer.h"
#include "ledger/ledger_state.h"
#include "ledger/txn.h"
#include "ledger/outage_queue.h"
#include "ledger/pending_command.h"

namespace account {

using internal::CommandContext;
using internal::PendingCommand;
using internal::Txn;

namespace {

absl::Status store_denial(const absl::Status& store_status, std::string_view what) {
  // Aborted: nothing was sent, and a reload lets the next try through.
  const bool transient = store_status.code() == absl::StatusCode::kUnavailable ||
                         store_status.code() == absl::StatusCode::kAborted;
  const Reason reason = transient ? Reason::kStoreUnavailable : Reason::kStoreFailure;
  return denial(reason, internal::cat(what, ": ", store_status.message()));
}

// Latency comes from the steady clock: the injected Clock may be simulated.
class Stopwatch {
 public:
  absl::Duration elapsed() const {
    return absl::FromChrono(std::chrono::steady_clock::now() - start_);
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

Qty clamp_nonnegative(Qty q) { return q.value() < 0 ? Qty{0} : q; }
Cents clamp_nonnegative(Cents c) { return c.value() < 0 ? Cents{0} : c; }

std::string utc_text(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace

AccountService::Impl::Impl(AccountServiceOptions options) : options_(std::move(options)) {
  if (!options_.clock) options_.clock = std::make_shared<SystemClock>();
  // Without a sink of its own a ledger delivers no notices and leaves the notifier's stored
  // cursor alone: a tool's ledger (accountctl) must not take the notices of the one it stands
  // in for.
  const bool notifies = options_.sink != nullptr && options_.journal_written;
  if (!options_.sink) options_.sink = std::make_shared<NullNotificationSink>();
  if (!options_.metrics) options_.metrics = std::make_shared<MetricsRegistry>();
  observer_ = std::make_unique<internal::LedgerObserver>(*options_.metrics, *options_.clock,
                                                         options_.log.get());
  txn_ = std::make_unique<Txn>();
  txn_->set_journal(options_.journal_written);
  journal_ring_ =
      std::make_unique<internal::JournalRing>(options_.limits.journal_in_memory_bytes_max);
  if (notifies) {
    notifier_ = std::make_unique<internal::JournalNotifier>(
        *options_.store, *options_.sink, *observer_,
        [this](uint64_t after_seq, size_t max_events) {
          return events_since(after_seq, max_events);
        },
        [this] { return store_up() && !writer_fenced(); }, options_.settlement_retry.backoff_max);
  }
  commit_queue_ = std::make_unique<internal::CommitQueue>(
      options_.limits.group_commit_commands_max, options_.limits.group_commit_wait);
  outage_queue_ =
      std::make_unique<internal::OutageQueue>(options_.settlement_retry.queued_fills_max);
  risk_cache_ = std::make_unique<RiskCache>(
      RiskCacheOptions{.readers_max = options_.risk_readers_max,
                       .default_buy_headroom_qty = options_.limits.position_cap_qty});
  options_.metrics->gauge("account_fills_queued", "Fills waiting for the store to come back.",
                          [this] { return static_cast<double>(queued_fills()); });
  options_.metrics->gauge("account_store_up",
                          "1 while the store takes the ledger's commands, 0 while it is down.",
                          [this] { return store_up() ? 1.0 : 0.0; });
  options_.metrics->gauge("account_risk_published_tick", "Newest tick the RiskCache published.",
                          [this] { return static_cast<double>(risk_cache_->published_tick().value()); });
  options_.metrics->gauge("account_writer_fenced",
                          "1 once another ledger took the store: this one writes nothing more.",
                          [this] { return writer_fenced() ? 1.0 : 0.0; });
}

AccountService::Impl::~Impl() {
  // The registry may outlive the service: its gauges read this object.
  options_.metrics->remove_gauge("account_fills_queued");
  options_.metrics->remove_gauge("account_store_up");
  options_.metrics->remove_gauge("account_risk_published_tick");
  options_.metrics->remove_gauge("account_writer_fenced");
  outage_queue_->stop();
  if (retry_thread_.joinable()) retry_thread_.join();
  // What is committed is delivered (as far as the journal can be read) and the cursor stored.
  if (notifier_ != nullptr) notifier_->stop();
  // Fills still queued were never applied: say so for each, as for every
  // queued fill, so that the engine delivers them again after the restart.
  if (writer_fenced()) {
    hand_back_queued_fills();
    return;
  }
  const std::deque<Fill> unapplied = outage_queue_->take_all();
  for (const Fill& fill : unapplied) {
    options_.sink->on_queued_fill_done(
        fill, denial(Reason::kStoreUnavailable,
                     internal::cat("execution ", fill.execution.value(),
                                   " was still queued for the store when the ledger shut down; "
                                   "not applied: deliver it again")));
  }
}

absl::Status AccountService::Impl::start() {
  if (absl::Status loaded = reload(); !loaded.ok()) {
    return store_denial(loaded, "loading the ledger from the store");
  }
  if (!options_.journal_written) {
    internal::ReaderLock lock(&state_mu_);
    if (const uint64_t head = state_->journal_tip().head.seq; head != 0) {
      return denial(Reason::kJournalNotWritten,
                    internal::cat("the store keeps a journal (head seq ", head,
                                  "): a ledger that writes none would break its chain; open it "
                                  "with AccountServiceOptions::journal_written"));
    }
  }
  if (notifier_ != nullptr) {
    ACCOUNT_ASSIGN_OR_RETURN(const uint64_t cursor, notifier_cursor());
    notifier_->start(cursor, journal_ring_->head());
  }
  retry_thread_ = std::thread([this] { retry_queued_fills(); });
  // Everything restored is marked changed, so the first end_of_tick()
  // publishes it all; until then the engine's checks say RiskUnavailable.
  return absl::OkStatus();
}

absl::Status AccountService::Impl::reload() {
  absl::StatusOr<LedgerSnapshot> snapshot = options_.store->load(
      internal::snapshot_request(options_.limits, now(), /*for_audit=*/false));
  if (!snapshot.ok()) return snapshot.status();
  absl::StatusOr<std::unique_ptr<internal::LedgerState>> restored =
      internal::LedgerState::from_snapshot(options_.limits, std::move(*snapshot));
  if (!restored.ok()) return restored.status();
  std::unique_ptr<internal::LedgerState> state = std::move(*restored);
  if (absl::Status tip = load_journal_tip_time(*state); !tip.ok()) return tip;
  state->reserve_fills(options_.fills_preallocated);
  state->reserve_reservations(options_.reservations_preallocated);
  // Leader only, as reload() is: the Txn is the leader's.
  txn_->reserve_reservation_ids(*state, options_.reservations_preallocated);
  {
    internal::WriterLock lock(&state_mu_);
    store_writes_.fetch_add(1, std::memory_order_acq_rel);
    if (state_ != nullptr) state->mark_positions_dirty(*state_);
    journal_ring_->restart_at(state->journal_tip().head.seq);
    state_ = std::move(state);
    reload_needed_ = false;
    store_writes_.fetch_add(1, std::memory_order_acq_rel);
  }
  // A reload may find an entry the store took though its commit was reported lost.
  if (notifier_ != nullptr) notifier_->committed(journal_ring_->head());
  return absl::OkStatus();
}

absl::Status AccountService::Impl::load_journal_tip_time(internal::LedgerState& state) {
  const JournalHead head = state.journal_tip().head;
  if (head.seq == 0) return absl::OkStatus();
  {
    internal::ReaderLock lock(&state_mu_);
    if (state_ != nullptr && state_->journal_tip().head == head) {
      state.set_journal_committed_at(state_->journal_tip().committed_at);
      return absl::OkStatus();
    }
  }
  absl::StatusOr<std::vector<JournalRecord>> newest = options_.store->journal(head.seq - 1, 1);
  if (!newest.ok()) return newest.status();
  if (newest->size() != 1 || newest->front().seq != head.seq ||
      newest->front().hash != head.hash) {
    return absl::DataLossError(internal::cat("the store's journal head is seq ", head.seq,
                                             ", but reading that entry gave ",
                                             newest->empty() ? std::string("nothing")
                                                             : internal::cat("seq ", newest->front().seq)));
  }
  state.set_journal_committed_at(newest->front().committed_at);
  return absl::OkStatus();
}

// --- Group commit --------------------------------------------------------------
//
// LevelDB's writer queue: every caller queues its command; the caller at the
// front becomes the leader, stages the commands queued up to it (its own
// first) in one Txn, commits them as one store transaction, applies the
// result, and wakes the others. Only the leader changes state_, so it stages
// under a shared lock (queries go on), holds no lock during the store
// commit, and takes state_mu_ exclusively only to apply.

absl::Status AccountService::Impl::submit(PendingCommand& command) {
  return commit_queue_->submit(
      command, [&](absl::Span<PendingCommand* const> group) { run_group(group); });
}

absl::Status AccountService::Impl::reload_or_mark_down() {
  const absl::Status loaded = reload();
  if (loaded.ok()) {
    if (!store_up_.load(std::memory_order_acquire)) {
      observer_->store_back(now() - store_down_since_);
      store_up_.store(true, std::memory_order_release);
    }
    return loaded;
  }
  if (is_writer_fenced(loaded)) {
    // A reconnect found another writer's epoch: no retry will do.
    fence(loaded);
    return loaded;
  }
  observer_->reload_failed(loaded);
  mark_store_down(loaded);
  return loaded;
}

void AccountService::Impl::mark_store_down(const absl::Status& cause) {
  store_down_cause_ = cause;
  if (!store_up_.load(std::memory_order_acquire)) return;
  store_down_since_ = now();
  store_up_.store(false, std::memory_order_release);
  // Wake the retry thread: it alone tries the store from now on.
  outage_queue_->wake();
}

absl::Status AccountService::Impl::store_down_refusal() const {
  return absl::UnavailableError(internal::cat(
      "the store is down since ", utc_text(store_down_since_), " (", store_down_cause_.message(),
      "); refused without trying it: one background reconnect tries it again with backoff"));
}

void AccountService::Impl::fence(const absl::Status& cause) {
  {
    // Checked and set under the lock: the leader and a prune may both meet the fence, and
    // only the first records it.
    internal::MutexLock lock(&fence_mu_);
    if (writer_fenced()) return;
    fenced_cause_ = cause;
    fenced_since_ = now();
    fenced_.store(true, std::memory_order_release);
  }
  observer_->writer_fenced(cause);
  outage_queue_->wake();
}

bool AccountService::Impl::writer_fenced() const {
  return fenced_.load(std::memory_order_acquire);
}

absl::Status AccountService::Impl::writer_fenced_refusal(std::string_view what) const {
  internal::MutexLock lock(&fence_mu_);
  return denial(Reason::kWriterFenced,
                internal::cat(what, ": this ledger was fenced at ", utc_text(fenced_since_),
                              ": another ledger took the store (", fenced_cause_.message(),
                              "); it writes nothing more: stop it, and send its commands to the "
                              "ledger that took over"));
}

void AccountService::Impl::hand_back_queued_fills() {
  const std::deque<Fill> unapplied = outage_queue_->take_all();
  for (const Fill& fill : unapplied) {
    options_.sink->on_queued_fill_done(
        fill, writer_fenced_refusal(internal::cat("execution ", fill.execution.value(),
                                                  " was queued and is not applied")));
  }
}

void AccountService::Impl::run_group(absl::Span<PendingCommand* const> group) {
  if (writer_fenced()) {
    // Nothing reaches the store again, not even the retry thread's probe.
    for (PendingCommand* command : group) command->status = writer_fenced_refusal("refused");
    for (PendingCommand* command : group) {
      if (command->on_outcome != nullptr) (*command->on_outcome)();
    }
    return;
  }
  absl::Status failure;
  if (reload_needed_) {
    // While the store is down only the retry thread's probe touches it, so a
    // storm of callers costs no connection attempts.
    const bool probing = std::any_of(group.begin(), group.end(),
                                     [](const PendingCommand* c) { return c->probe; });
    failure = store_up_.load(std::memory_order_acquire) || probing ? reload_or_mark_down()
                                                                   : store_down_refusal();
  }
  if (failure.ok()) failure = stage_and_commit(group, /*dedupe_in_store=*/false);
  // Two refusals are answered by staging the group again on a reload, each at
  // most once, in whichever order they come (the retry after one may meet
  // the other):
  //   AlreadyExists: the store's unique index knew an execution id that
  //     memory had already forgotten (a redelivery restamped with a new
  //     time). The index is the authority: from then on, validation asks it.
  //   Aborted: nothing was written, and the store may hold what another
  //     writer wrote since our last load (store.h).
  bool dedupe_in_store = false;
  bool retried_aborted = false;
  while (true) {
    if (is_writer_fenced(failure)) {
      // An Aborted that no reload lifts (writer_fencing.h).
      fence(failure);
      break;
    }
    if (failure.code() == absl::StatusCode::kAlreadyExists && !dedupe_in_store) {
      dedupe_in_store = true;
    } else if (failure.code() == absl::StatusCode::kAborted && !retried_aborted) {
      retried_aborted = true;
    } else {
      break;
    }
    failure = reload_or_mark_down();
    if (failure.ok()) failure = stage_and_commit(group, dedupe_in_store);
  }
  // A store that loads but refuses every commit (a full disk, a permission
  // taken away) would cost a reload per command: a second such refusal in a
  // row hands it to the background reconnect too.
  if (!failure.ok() && commits_failed_in_row_ >= 2 && !writer_fenced()) mark_store_down(failure);
  if (!failure.ok()) {
    // Each caller gets a Status of its own: copies share a reference-counted
    // payload, and callers on other threads must not share one.
    for (PendingCommand* command : group) {
      if (writer_fenced()) {
        // Whatever its staging said: nothing of the group is written here again.
        command->status = writer_fenced_refusal("refused");
      } else if (command->status.ok()) {
        command->status = store_denial(failure, "commit failed");
      }
    }
  }
  for (PendingCommand* command : group) {
    if (command->on_outcome != nullptr) (*command->on_outcome)();
  }
}

absl::Status AccountService::Impl::stage_and_commit(absl::Span<PendingCommand* const> group,
                                              bool dedupe_in_store) {
  const CommandContext ctx =
      internal::command_context(options_.limits, now(), *options_.store, dedupe_in_store);
  // The leader's Txn and ChangeSet are reused from group to group, so their
  // containers keep their capacity instead of allocating per command.
  Txn& txn = *txn_;
  internal::JournalTip tip;
  {
    internal::ReaderLock lock(&state_mu_);
    txn.reset(*state_);
    for (PendingCommand* command : group) {
      command->status = command->stage(txn, ctx);
      // A store read while staging (a dedupe lookup) found this writer fenced.
      if (is_writer_fenced(command->status)) return command->status;
    }
    if (txn.empty()) return absl::OkStatus();
    txn.change_set(&changes_);
    tip = state_->journal_tip();
  }
  // The entry's seq is the head's successor: the store refuses it (kAborted, nothing written)
  // if another writer took that seq since our last load, and the reload that follows stages
  // the group again on the head it finds.
  if (options_.journal_written) {
    ACCOUNT_CHECK(txn.events().event_count() > 0, "every staged change has its journal event");
    internal::seal_entry(txn.events(), tip, ctx.now, &changes_.journal);
  } else {
    changes_.journal = JournalRecord{};
  }
  const Stopwatch commit_time;
  store_writes_.fetch_add(1, std::memory_order_acq_rel);
  absl::Status committed = options_.store->commit(changes_);
  observer_->store_committed(commit_time.elapsed(), committed, group.size());
  if (!committed.ok()) {
    store_writes_.fetch_add(1, std::memory_order_acq_rel);
    // Counted: refusals of a store that answers, not a lost connection (a
    // commit that may have landed, which one reload settles).
    const absl::StatusCode code = committed.code();
    if (code != absl::StatusCode::kUnavailable && code != absl::StatusCode::kAlreadyExists &&
        code != absl::StatusCode::kAborted &&
        std::any_of(group.begin(), group.end(),
                    [](const PendingCommand* c) { return !c->background; })) {
      ++commits_failed_in_row_;
    }
    // The store may or may not have committed: reload before the next
    // command (the notifier learns from that reload whether the entry landed).
    reload_needed_ = true;
    return committed;
  }
  commits_failed_in_row_ = 0;
  internal::WriterLock lock(&state_mu_);
  state_->apply(txn, changes_, ctx.now);
  if (changes_.journal.seq != 0) {
    const uint64_t seq = changes_.journal.seq;
    journal_ring_->push(std::move(changes_.journal), txn.events().event_count());
    if (notifier_ != nullptr) notifier_->committed(seq);
  }
#ifdef ACCOUNT_AUDIT_EVERY_GROUP
  std::vector<std::string> violations;
  internal::check_invariants(*state_, violations);
  for (const std::string& v : violations) std::fprintf(stderr, "account: audit: %s\n", v.c_str());
  ACCOUNT_CHECK(violations.empty(), "the ledger passes its audit after every group commit");
#endif
  store_writes_.fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

// --- Commands --------------------------------------------------------------------

absl::StatusOr<AccountId> AccountService::Impl::create_account(std::string_view google_id,
                                                         std::string_view display_name) {
  AccountId id;
  const auto stage = [&](Txn& txn, const CommandContext& ctx) -> absl::Status {
    ACCOUNT_ASSIGN_OR_RETURN(id, internal::stage_create_account(txn, ctx, google_id, display_name));
    return absl::OkStatus();
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  observer_->outcome(status);
  ACCOUNT_RETURN_IF_ERROR(status);
  return id;
}

absl::Status AccountService::Impl::link_sleeper(AccountId account, const SleeperLink& link) {
  const auto stage = [&](Txn& txn, const CommandContext&) {
    return internal::stage_link_sleeper(txn, account, link);
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  observer_->outcome(status);
  return status;
}

namespace {
ExternalEntry entry_request(AccountId account, Cents cash, EntryKind kind, std::string_view key) {
  return ExternalEntry{.key = std::string(key), .kind = kind, .account = account, .cash = cash};
}
}  // namespace

absl::Status AccountService::Impl::cash_entry(AccountId account, Cents amount, EntryKind kind,
                                        std::string_view key, bool cash_in) {
  const std::string_view verb = cash_in ? "credit" : "debit";
  if (amount.value() <= 0 || kind == EntryKind::kShareIssue) {
    return denial(Reason::kInvalidAmount,
                  internal::cat("a ", verb, " takes a positive cash amount, got ", amount.value(),
                                " cents of ", entry_kind_name(kind)));
  }
  const Cents signed_amount = cash_in ? amount : -amount;
  const auto stage = [&](Txn& txn, const CommandContext& ctx) {
    return internal::stage_entry(txn, ctx, entry_request(account, signed_amount, kind, key));
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  observer_->outcome(status);
  return status;
}

absl::Status AccountService::Impl::credit(AccountId account, Cents amount, EntryKind kind,
                                    std::string_view key) {
  return cash_entry(account, amount, kind, key, /*cash_in=*/true);
}

absl::Status AccountService::Impl::debit(AccountId account, Cents amount, EntryKind kind,
                                   std::string_view key) {
  return cash_entry(account, amount, kind, key, /*cash_in=*/false);
}

absl::Status AccountService::Impl::issue_shares(AccountId account, SymbolId symbol, Qty qty,
                                          std::string_view key) {
  const auto stage = [&](Txn& txn, const CommandContext& ctx) {
    ExternalEntry entry = entry_request(account, Cents{0}, EntryKind::kShareIssue, key);
    entry.symbol = symbol;
    entry.qty = qty;
    return internal::stage_entry(txn, ctx, std::move(entry));
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  observer_->outcome(status);
  return status;
}

absl::StatusOr<ReservationId> AccountService::Impl::reserve(const OrderSpec& order, Side side) {
  ReservationId id;
  const auto stage = [&](Txn& txn, const CommandContext& ctx) -> absl::Status {
    ACCOUNT_ASSIGN_OR_RETURN(id, internal::stage_reserve(txn, ctx, order, side));
    return absl::OkStatus();
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  observer_->reservation_admitted(status);
  ACCOUNT_RETURN_IF_ERROR(status);
  return id;
}

absl::StatusOr<ReservationId> AccountService::Impl::reserve_buy(const OrderSpec& order) {
  return reserve(order, Side::kBuy);
}

absl::StatusOr<ReservationId> AccountService::Impl::reserve_sell(const OrderSpec& order) {
  return reserve(order, Side::kSell);
}

namespace {

// Runs `stage_one` for each input of a batch inside one group-commit
// command; a failed commit turns every accepted result into its error.
template <typename Result, typename Input, typename StageOne>
std::vector<Result> submit_batch(absl::Span<const Input> inputs, StageOne stage_one,
                                 absl::FunctionRef<absl::Status(PendingCommand&)> submit) {
  std::vector<Result> results;
  results.reserve(inputs.size());
  const auto stage = [&](Txn& txn, const CommandContext& ctx) {
    results.clear();
    for (const Input& input : inputs) results.push_back(stage_one(txn, ctx, input));
    return absl::OkStatus();
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  if (!status.ok()) {
    for (Result& result : results) {
      if (result.ok()) result = status;
    }
    if (results.size() != inputs.size()) results.assign(inputs.size(), status);
  }
  return results;
}

}  // namespace

std::vector<absl::StatusOr<ReservationId>> AccountService::Impl::reserve_batch(
    absl::Span<const OrderSpec> orders, Side side) {
  std::vector<absl::StatusOr<ReservationId>> results = submit_batch<absl::StatusOr<ReservationId>>(
      orders,
      [side](Txn& txn, const CommandContext& ctx, const OrderSpec& order) {
        return internal::stage_reserve(txn, ctx, order, side);
      },
      [this](PendingCommand& command) { return submit(command); });
  for (const absl::StatusOr<ReservationId>& result : results) {
    observer_->reservation_admitted(result.status());
  }
  return results;
}

std::vector<absl::Status> AccountService::Impl::release_batch(
    absl::Span<const ReservationId> reservations) {
  std::vector<absl::Status> results = submit_batch<absl::Status>(
      reservations,
      [this](Txn& txn, const CommandContext& ctx, ReservationId id) -> absl::Status {
        if (const Reservation* r = outage_queue_->any() ? txn.reservation(id) : nullptr) {
          ACCOUNT_RETURN_IF_ERROR(refuse_finishing_before_queued_fills(r->order));
        }
        return internal::stage_finish(txn, ctx, id, ReservationStatus::kReleased);
      },
      [this](PendingCommand& command) { return submit(command); });
  for (const absl::Status& result : results) {
    observer_->outcome(result);
    if (result.ok()) observer_->reservations_released(1);
  }
  return results;
}

absl::Status AccountService::Impl::extend_reservation(ReservationId reservation,
                                                      absl::Time expires_at) {
  const auto stage = [&](Txn& txn, const CommandContext& ctx) {
    return internal::stage_extend(txn, ctx, reservation, expires_at);
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  observer_->outcome(status);
  return status;
}

absl::Status AccountService::Impl::cancel_order(OrderId order) {
  const auto stage = [&](Txn& txn, const CommandContext& ctx) -> absl::Status {
    std::optional<ReservationId> id = txn.reservation_for_order(order);
    if (!id) {
      return denial(Reason::kReservationNotFound,
                    internal::cat("no reservation for order ", order.value()));
    }
    ACCOUNT_RETURN_IF_ERROR(refuse_finishing_before_queued_fills(order));
    return internal::stage_finish(txn, ctx, *id, ReservationStatus::kCancelled);
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  observer_->outcome(status);
  if (status.ok()) observer_->reservations_released(1);
  return status;
}

absl::Status AccountService::Impl::release_reservation(ReservationId reservation) {
  const auto stage = [&](Txn& txn, const CommandContext& ctx) -> absl::Status {
    if (const Reservation* r = outage_queue_->any() ? txn.reservation(reservation) : nullptr) {
      ACCOUNT_RETURN_IF_ERROR(refuse_finishing_before_queued_fills(r->order));
    }
    return internal::stage_finish(txn, ctx, reservation, ReservationStatus::kReleased);
  };
  PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  observer_->outcome(status);
  if (status.ok()) observer_->reservations_released(1);
  return status;
}

absl::StatusOr<size_t> AccountService::Impl::expire_due_reservations() {
  std::vector<internal::ExpiredOrder> expired;
  const auto stage = [&](Txn& txn, const CommandContext& ctx) {
    // A due order with fills queued waits for them (they executed while it
    // was on the book) and expires in a later sweep if still active.
    expired = internal::stage_expire_due(
        txn, ctx, [this](OrderId order) { return outage_queue_->names(order); });
    return absl::OkStatus();
  };
  PendingCommand command{.stage = stage};
  // The notices come from the journal's entry (the notifier), so an expiry whose commit was
  // reported lost but landed is told as surely as one that was acknowledged.
  const absl::Status status = submit(command);
  observer_->outcome(status);
  ACCOUNT_RETURN_IF_ERROR(status);
  observer_->reservations_expired(expired.size());
  return expired.size();
}

namespace {

// A fill the store would not take, for whatever reason: never the fill's
// own fault, so it is kept and tried again, never completed with it.
bool store_refused(const absl::StatusOr<SettlementReceipt>& result) {
  const std::optional<Reason> reason = reason_of(result);
  return reason == Reason::kStoreUnavailable || reason == Reason::kStoreFailure;
}

bool is_queued(const absl::StatusOr<SettlementReceipt>& result) {
  return result.ok() && result->outcome == SettlementOutcome::kQueued;
}

SettlementReceipt queued_receipt(const Fill& fill) {
  return SettlementReceipt{.outcome = SettlementOutcome::kQueued, .execution = fill.execution};
}

// A fill neither applied nor queued: the queue is at queued_fills_max.
absl::Status queue_full(const Fill& fill, size_t queued) {
  return denial(Reason::kStoreUnavailable,
                internal::cat("execution ", fill.execution.value(),
                              " not applied and not queued: the store is refusing and ", queued,
                              " fills already wait for it, the most kept in memory "
                              "(SettlementRetryPolicy::queued_fills_max); deliver it again "
                              "later, after the fills before it"));
}

}  // namespace

absl::StatusOr<SettlementReceipt> AccountService::Impl::settle(const Fill& fill) {
  return std::move(settle_batch({&fill, 1}).front());
}

std::vector<absl::StatusOr<SettlementReceipt>> AccountService::Impl::settle_batch(
    absl::Span<const Fill> fills) {
  const Stopwatch settle_time;
  std::vector<absl::StatusOr<SettlementReceipt>> results;
  if (writer_fenced()) {
    // Refused, not queued: the ledger that took over applies them.
    results.reserve(fills.size());
    for (const Fill& fill : fills) {
      results.emplace_back(
          writer_fenced_refusal(internal::cat("execution ", fill.execution.value())));
    }
    observer_->settled(fills, results);
    return results;
  }
  absl::Status why = absl::UnavailableError("queued behind fills waiting for the store");
  // Earlier fills wait for the store: these go behind them, in order.
  if (const std::optional<internal::OutageQueue::Behind> behind =
          outage_queue_->push_behind(fills)) {
    results.reserve(fills.size());
    for (size_t i = 0; i < fills.size(); ++i) {
      results.push_back(i < behind->taken
                            ? absl::StatusOr<SettlementReceipt>(queued_receipt(fills[i]))
                            : absl::StatusOr<SettlementReceipt>(queue_full(fills[i], behind->size)));
    }
  } else {
    // The fills that meet a store refusal are queued before the group's
    // leader hands on (settle_now()): they answer kQueued.
    results = settle_now(fills, /*queue_refused=*/true, &why);
  }
  const auto queued =
      static_cast<size_t>(std::count_if(results.begin(), results.end(), is_queued));
  // Queued fills have kQueued receipts, which count nowhere yet.
  observer_->settled(fills, results);
  if (queued > 0) observer_->fills_queued(queued, why);
  observer_->settlement_latency(settle_time.elapsed());
  return results;
}

std::vector<absl::StatusOr<SettlementReceipt>> AccountService::Impl::settle_now(
    absl::Span<const Fill> fills, bool queue_refused, absl::Status* why) {
  // Without queue_refused, the retry thread's retry of the queue.
  const bool background = !queue_refused;
  std::vector<absl::StatusOr<SettlementReceipt>> results;
  results.reserve(fills.size());
  PendingCommand* pending = nullptr;
  const auto stage = [&](Txn& txn, const CommandContext& ctx) {
    results.clear();
    for (const Fill& fill : fills) results.push_back(internal::stage_settle(txn, ctx, fill));
    return absl::OkStatus();
  };
  // On the leader's thread, before leadership passes on: each fill's final
  // result (a failed commit applied none of the batch), and the fills that
  // met a store refusal join the queue, in order, as far as it has room.
  const auto outcome = [&] {
    const absl::Status& group = pending->status;
    if (!group.ok()) {
      if (results.size() != fills.size()) results.assign(fills.size(), group);
      for (absl::StatusOr<SettlementReceipt>& result : results) {
        if (result.ok()) result = group;
      }
    }
    if (!queue_refused) return;
    std::vector<const Fill*> to_queue;
    std::vector<size_t> positions;
    for (size_t i = 0; i < fills.size(); ++i) {
      if (!store_refused(results[i])) continue;
      if (to_queue.empty()) *why = results[i].status();
      to_queue.push_back(&fills[i]);
      positions.push_back(i);
    }
    if (to_queue.empty()) return;
    const size_t queued = outage_queue_->push(to_queue);
    for (size_t k = 0; k < positions.size(); ++k) {
      const size_t i = positions[k];
      const size_t kept_max = outage_queue_->fills_max();
      results[i] = k < queued ? absl::StatusOr<SettlementReceipt>(queued_receipt(fills[i]))
                              : absl::StatusOr<SettlementReceipt>(queue_full(fills[i], kept_max));
    }
  };
  const absl::FunctionRef<void()> on_outcome = outcome;
  PendingCommand command{.stage = stage, .on_outcome = &on_outcome, .background = background};
  pending = &command;
  // The outcome, failure included, is in `results` (set by `outcome`).
  (void)submit(command);
  return results;
}

absl::Status AccountService::Impl::refuse_finishing_before_queued_fills(OrderId order) const {
  if (!outage_queue_->names(order)) return absl::OkStatus();
  return denial(Reason::kStoreUnavailable,
                internal::cat("order ", order.value(),
                              " has fills that executed while the store was unavailable and "
                              "wait to be applied; it cannot end before them: retry once "
                              "they are done"));
}

size_t AccountService::Impl::queued_fills() const { return outage_queue_->size(); }

// The retry thread. While the store is down it alone tries it, by reloading
// the ledger (probe_store()); while fills are queued it applies them, oldest
// first, as one group per attempt. Both share one capped, jittered,
// exponential backoff. A queued fill completes only with its own answer:
// whatever the store says (unreachable, a password or permission refused,
// another writer, a full disk), nothing of the attempt was applied (one
// transaction) and the whole queue is tried again after the backoff.
void AccountService::Impl::retry_queued_fills() {
  const SettlementRetryPolicy& policy = options_.settlement_retry;
  internal::JitteredBackoff backoff(policy.backoff_initial, policy.backoff_max, /*seed=*/42);
  // Failed tries since the store last took queued fills, or was up for a
  // whole backoff_max: a store that reloads but keeps refusing commits
  // keeps its grown backoff.
  int failures = 0;
  auto up_since = std::chrono::steady_clock::now();
  bool probing = false;  // Between the first probe of an outage and its success.
  std::vector<Fill> attempt;
  const auto failed = [&](const absl::Status& why) {
    ++failures;
    const absl::Duration wait = backoff.delay(failures);
    observer_->store_retry_failed(why, failures, wait, queued_fills());
    outage_queue_->sleep_unless_stopping(wait);
  };
  while (outage_queue_->wait_for_work([this] { return store_up() || writer_fenced(); })) {
    if (writer_fenced()) {
      // Nothing queued will be applied here: each goes back to the engine now.
      hand_back_queued_fills();
      continue;
    }
    if (!store_up()) {
      if (!probing && std::chrono::steady_clock::now() - up_since >
                          absl::ToChronoNanoseconds(policy.backoff_max)) {
        failures = 0;  // A new outage, not the same one flapping.
      }
      probing = true;
      if (const absl::Status probed = probe_store(); !probed.ok()) {
        // Fenced by this probe: the queued fills go back now, not after a backoff.
        if (!writer_fenced()) failed(probed);
        continue;
      }
      probing = false;
      up_since = std::chrono::steady_clock::now();
    }
    outage_queue_->copy_to(attempt);
    if (attempt.empty()) continue;
    absl::Status why;
    const std::vector<absl::StatusOr<SettlementReceipt>> results =
        settle_now(attempt, /*queue_refused=*/false, &why);
    if (const auto refused = std::find_if(results.begin(), results.end(), store_refused);
        refused != results.end()) {
      failed(refused->status());
      continue;
    }
    failures = 0;
    outage_queue_->pop_front(attempt.size());
    observer_->settled(attempt, results);
    for (size_t i = 0; i < attempt.size(); ++i) {
      options_.sink->on_queued_fill_done(attempt[i], results[i].status());
    }
  }
}

absl::Status AccountService::Impl::probe_store() {
  const auto stage = [](Txn&, const CommandContext&) { return absl::OkStatus(); };
  PendingCommand command{.stage = stage, .probe = true, .background = true};
  return submit(command);
}

bool AccountService::Impl::store_up() const { return store_up_.load(std::memory_order_acquire); }

// --- Queries -------------------------------------------------------------------

namespace {
absl::Status account_not_found(AccountId id) {
  return denial(Reason::kAccountNotFound, internal::cat("account ", id.value()));
}
}  // namespace

absl::StatusOr<AccountId> AccountService::Impl::get_account_id_by_user_id(
    std::string_view google_id) const {
  internal::ReaderLock lock(&state_mu_);
  std::optional<AccountId> id = state_->account_by_google_id(google_id);
  if (!id) return denial(Reason::kAccountNotFound, "no account for that google id");
  return *id;
}

absl::StatusOr<Account> AccountService::Impl::get_account(AccountId account) const {
  internal::ReaderLock lock(&state_mu_);
  const internal::AccountRecord* rec = state_->account(account);
  if (rec == nullptr) return account_not_found(account);
  return rec->row;
}

absl::StatusOr<std::vector<ExternalEntry>> AccountService::Impl::external_entries(
    AccountId account) const {
  internal::ReaderLock lock(&state_mu_);
  if (state_->account(account) == nullptr) return account_not_found(account);
  std::vector<ExternalEntry> out;
  for (const auto& [key, entry] : state_->entries()) {
    if (entry.account == account) out.push_back(entry);
  }
  std::sort(out.begin(), out.end(),
            [](const ExternalEntry& a, const ExternalEntry& b) { return a.key < b.key; });
  return out;
}

std::vector<Account> AccountService::Impl::sleeper_linked_accounts() const {
  internal::ReaderLock lock(&state_mu_);
  std::vector<Account> out;
  for (const internal::AccountRecord& rec : state_->accounts()) {
    if (rec.row.sleeper.has_value()) out.push_back(rec.row);
  }
  return out;
}

absl::StatusOr<Cents> AccountService::Impl::cash(AccountId account) const {
  ACCOUNT_ASSIGN_OR_RETURN(Account row, get_account(account));
  return row.cash;
}

absl::StatusOr<Cents> AccountService::Impl::available_cash(AccountId account) const {
  observer_->balance_checked();
  ACCOUNT_ASSIGN_OR_RETURN(Account row, get_account(account));
  return row.available_cash();
}

absl::StatusOr<std::vector<Position>> AccountService::Impl::positions(AccountId account) const {
  internal::ReaderLock lock(&state_mu_);
  const internal::AccountRecord* rec = state_->account(account);
  if (rec == nullptr) return account_not_found(account);
  std::vector<Position> out;
  for (const auto& [symbol, p] : rec->positions) {
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

absl::StatusOr<std::optional<Position>> AccountService::Impl::position(AccountId account,
                                                                 SymbolId symbol) const {
  internal::ReaderLock lock(&state_mu_);
  if (state_->account(account) == nullptr) return account_not_found(account);
  const Position* p = state_->position(account, symbol);
  // An emptied position (its orders ended, no shares or P&L) is not stored,
  // so it is absent after a restore: it is absent before one too.
  if (p == nullptr || p->empty()) return std::optional<Position>();
  return std::optional<Position>(*p);
}

absl::StatusOr<std::vector<Reservation>> AccountService::Impl::active_reservations(
    AccountId account) const {
  internal::ReaderLock lock(&state_mu_);
  const internal::AccountRecord* rec = state_->account(account);
  if (rec == nullptr) return account_not_found(account);
  std::vector<Reservation> out;
  out.reserve(rec->active_reservations.size());
  for (ReservationId id : rec->active_reservations) out.push_back(*state_->reservation(id));
  return out;
}

absl::StatusOr<Reservation> AccountService::Impl::reservation(ReservationId reservation) const {
  internal::ReaderLock lock(&state_mu_);
  const Reservation* r = state_->reservation(reservation);
  if (r == nullptr) {
    return denial(Reason::kReservationNotFound, internal::cat("reservation ", reservation.value()));
  }
  return *r;
}

absl::StatusOr<Reservation> AccountService::Impl::reservation_for_order(OrderId order) const {
  internal::ReaderLock lock(&state_mu_);
  std::optional<ReservationId> id = state_->reservation_for_order(order);
  if (!id) {
    return denial(Reason::kReservationNotFound, internal::cat("no reservation for order ",
                                                             order.value()));
  }
  return *state_->reservation(*id);
}

absl::StatusOr<std::vector<Reservation>> AccountService::Impl::expired_reservations_since(
    absl::Time since) const {
  const absl::Time window_start = now() - options_.limits.finished_reservation_retention;
  if (since < window_start) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("since ", utc_text(since), " is before ", utc_text(window_start),
                               ", the start of the ",
                               absl::FormatDuration(options_.limits.finished_reservation_retention),
                               " finished reservations are kept"));
  }
  std::vector<Reservation> out;
  {
    internal::ReaderLock lock(&state_mu_);
    state_->reservations().for_each([&](const Reservation& r) {
      if (r.status == ReservationStatus::kExpired && r.updated_at >= since) out.push_back(r);
    });
  }
  std::sort(out.begin(), out.end(), [](const Reservation& a, const Reservation& b) {
    return std::tie(a.updated_at, a.id) < std::tie(b.updated_at, b.id);
  });
  return out;
}

absl::StatusOr<std::vector<Trade>> AccountService::Impl::trade_history(AccountId account,
                                                                 size_t limit) const {
  {
    internal::ReaderLock lock(&state_mu_);
    const internal::AccountRecord* rec = state_->account(account);
    if (rec == nullptr) return account_not_found(account);
    if (limit <= rec->recent_trades.size() || !rec->older_trades_in_store) {
      return rec->recent_trades.newest_first(limit);
    }
  }
  if (!store_up()) {
    return denial(Reason::kStoreUnavailable,
                  "reading trade history: the store is down; memory holds only the most recent "
                  "trades (LedgerLimits::trades_in_memory_per_account_max)");
  }
  absl::StatusOr<std::vector<Trade>> stored = options_.store->trades(account, limit);
  if (!stored.ok()) return store_denial(stored.status(), "reading trade history");
  return stored;
}

// --- Journal ---------------------------------------------------------------------

uint64_t AccountService::Impl::journal_head() const { return journal_ring_->head(); }

absl::StatusOr<AccountBalance> AccountService::Impl::balance_at(AccountId account,
                                                                absl::Time time) const {
  // Pages of this many events: the journal read in large steps, a bounded page at a time.
  constexpr size_t kEventsPerPage = 65'536;
  internal::AccountReplay replay(account);
  uint64_t seq = 0;
  for (bool past = false; !past;) {
    absl::StatusOr<std::vector<JournalEntry>> page = events_since(seq, kEventsPerPage);
    if (seq == 0 && reason_of(page.status()) == Reason::kJournalPruned) {
      // A pruned journal: its checkpoint holds the account as it stood after the last entry
      // removed, and the kept entries go on from there.
      absl::StatusOr<std::optional<JournalCheckpoint>> checkpoint =
          options_.store->journal_checkpoint();
      if (!checkpoint.ok()) return store_denial(checkpoint.status(), "reading the checkpoint");
      if (!checkpoint->has_value()) return page.status();
      if (time < (*checkpoint)->committed_at) {
        return denial(Reason::kJournalPruned,
                      internal::cat("the journal keeps entries from seq ", (*checkpoint)->seq + 1,
                                    ", after ", utc_text((*checkpoint)->committed_at),
                                    "; those before were pruned"));
      }
      absl::StatusOr<LedgerSnapshot> rows = internal::open_checkpoint(**checkpoint);
      if (!rows.ok()) return store_denial(rows.status(), "reading the checkpoint");
      replay.start_from(*rows);
      seq = (*checkpoint)->seq;
      continue;
    }
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    for (const JournalEntry& entry : *page) {
      // Commit times never decrease along the seq: the first entry after `time` ends it.
      if (entry.committed_at > time) {
        past = true;
        break;
      }
      replay.apply(entry);
      seq = entry.seq;
    }
  }
  if (!replay.exists()) {
    absl::StatusOr<Account> now = get_account(account);
    if (now.ok() && now->created_at <= time) {
      return denial(Reason::kJournalPruned,
                    internal::cat("account ", account.value(), " was created at ",
                                  utc_text(now->created_at),
                                  ", before the first entry the journal keeps"));
    }
    return denial(Reason::kAccountNotFound, internal::cat("account ", account.value(),
                                                          " did not exist at ", utc_text(time)));
  }
  return AccountBalance{.account = account,
                        .seq = seq,
                        .cash = replay.cash(),
                        .available_cash = replay.available_cash(),
                        .positions = replay.positions()};
}

absl::StatusOr<JournalPruneResult> AccountService::Impl::prune_journal(
    const JournalPruneRequest& request) {
  if (!options_.journal_written) {
    return denial(Reason::kJournalNotWritten,
                  "this ledger writes no journal (AccountServiceOptions::journal_written)");
  }
  if (request.before_seq == 0 && request.older_than == absl::InfiniteDuration()) {
    return denial(Reason::kInvalidArgument,
                  "a prune needs a bound: before_seq, older_than, or both");
  }
  if (request.older_than <= absl::ZeroDuration()) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("older_than must be positive, got ",
                                absl::FormatDuration(request.older_than)));
  }
  if (writer_fenced()) return writer_fenced_refusal("pruning the journal");
  if (!store_up()) {
    return denial(Reason::kStoreUnavailable, "pruning the journal: the store is down");
  }
  // One prune at a time: two would plan from the same checkpoint.
  internal::MutexLock lock(&prune_mu_);
  internal::PruneBound bound{.past_cursors = request.past_cursors};
  if (request.before_seq != 0) bound.before_seq = request.before_seq;
  if (request.older_than != absl::InfiniteDuration()) {
    bound.committed_before = now() - request.older_than;
  }
  absl::StatusOr<internal::PrunePlan> plan = internal::plan_journal_prune(*options_.store, bound);
  if (!plan.ok()) return store_denial(plan.status(), "planning the prune");
  if (!plan->prune) return JournalPruneResult{.checkpoint_seq = plan->stored_checkpoint_seq};
  absl::StatusOr<JournalPruneResult> result = options_.store->prune_journal(*plan->prune);
  if (is_writer_fenced(result.status())) {
    // The ledger stops writing, as when a commit meets the fence.
    fence(result.status());
    return writer_fenced_refusal("pruning the journal");
  }
  switch (result.status().code()) {
    case absl::StatusCode::kOk:
      return result;
    case absl::StatusCode::kFailedPrecondition:
      return denial(Reason::kJournalCursorBehind, std::string(result.status().message()));
    case absl::StatusCode::kUnimplemented:
      return denial(Reason::kInvalidArgument, std::string(result.status().message()));
    default:
      return store_denial(result.status(), "pruning the journal");
  }
}

StateHash AccountService::Impl::state_hash() const {
  // One reading of the state and its head, under the lock that commits wait for.
  internal::ReaderLock lock(&state_mu_);
  const LedgerSnapshot state = state_->to_snapshot();
  return StateHash{.seq = state.journal_head.seq, .hash = internal::state_hash(state)};
}

bool AccountService::Impl::await_notices(absl::Duration timeout) const {
  if (notifier_ == nullptr) return true;
  return notifier_->await_delivered(journal_ring_->head(), timeout);
}

absl::StatusOr<uint64_t> AccountService::Impl::notifier_cursor() {
  const uint64_t head = journal_ring_->head();
  absl::StatusOr<std::optional<uint64_t>> stored =
      options_.store->journal_cursor(internal::JournalNotifier::kCursorName);
  // A store without cursors: the notices start at the head.
  if (stored.status().code() == absl::StatusCode::kUnimplemented) return head;
  if (!stored.ok()) return store_denial(stored.status(), "reading the notifier's cursor");
  if (!stored->has_value()) {
    // The first open with a notifier: the notices start at the head, not with the history of a
    // journal older than the notifier, and the cursor is stored now, so that a crash before
    // the notifier's first store still repeats what followed.
    if (absl::Status set =
            options_.store->set_journal_cursor(internal::JournalNotifier::kCursorName, head);
        !set.ok()) {
      return store_denial(set, "storing the notifier's first cursor");
    }
    return head;
  }
  // A cursor past the head belongs to a journal this store no longer holds (restored from an
  // older backup): start at the head. One below the checkpoint was passed by a prune told to
  // (JournalPruneRequest::past_cursors): the notices of the entries removed are gone; start at
  // the first kept.
  absl::StatusOr<std::optional<JournalCheckpoint>> checkpoint =
      options_.store->journal_checkpoint();
  if (!checkpoint.ok()) return store_denial(checkpoint.status(), "reading the checkpoint");
  const uint64_t first_kept_after = *checkpoint ? (*checkpoint)->seq : 0;
  return std::clamp(**stored, std::min(first_kept_after, head), head);
}

namespace {
// Entries read from the store per call: a page bounded in memory whatever max_events is. An
// entry holds anything from one event to a batch's thousands, so pages start small and double
// while the events read stay under max_events.
constexpr size_t kStoredJournalPageFirst = 8;
constexpr size_t kStoredJournalPageMax = 4'096;

// The events an entry's canonical bytes hold, read from its header (version, seq, time, count),
// without decoding it; 0 when the header does not parse (the decode that follows says why).
size_t stored_event_count(const JournalRecord& record) {
  absl::StatusOr<uint64_t> count = internal::entry_event_count(record.bytes);
  return count.ok() ? static_cast<size_t>(*count) : 0;
}
}  // namespace

absl::Status AccountService::Impl::stored_journal_since(uint64_t after_seq, size_t max_events,
                                                        std::vector<JournalRecord>* out) const {
  if (!store_up()) {
    return denial(Reason::kStoreUnavailable,
                  internal::cat("journal entries after seq ", after_seq,
                                " are no longer in memory and the store is down; retry later"));
  }
  out->clear();
  size_t events = 0;
  size_t page = std::min(max_events, kStoredJournalPageFirst);
  uint64_t after = after_seq;
  while (events < max_events) {
    absl::StatusOr<std::vector<JournalRecord>> stored = options_.store->journal(after, page);
    if (!stored.ok()) return store_denial(stored.status(), "reading the journal");
    if (out->empty() && !stored->empty() && stored->front().seq > after_seq + 1) {
      return denial(Reason::kJournalPruned,
                    internal::cat("the journal keeps entries from seq ", stored->front().seq,
                                  "; those after ", after_seq, " were pruned"));
    }
    for (JournalRecord& record : *stored) {
      events += std::max<size_t>(stored_event_count(record), 1);
      out->push_back(std::move(record));
      if (events >= max_events) break;
    }
    if (stored->size() < page) break;  // The head.
    after = out->back().seq;
    page = std::min(2 * page, kStoredJournalPageMax);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<JournalEntry>> AccountService::Impl::events_since(
    uint64_t after_seq, size_t max_events) const {
  if (!options_.journal_written) {
    return denial(Reason::kJournalNotWritten,
                  "this ledger writes no journal (AccountServiceOptions::journal_written)");
  }
  if (max_events == 0) return denial(Reason::kInvalidArgument, "max_events must be at least 1");
  const uint64_t head = journal_ring_->head();
  if (after_seq > head) {
    return denial(Reason::kJournalCursorAhead,
                  internal::cat("seq ", after_seq, " is past the journal's head, seq ", head,
                                "; a cursor from another ledger's journal?"));
  }
  std::vector<JournalRecord> records;
  if (!journal_ring_->copy_since(after_seq, max_events, &records)) {
    ACCOUNT_RETURN_IF_ERROR(stored_journal_since(after_seq, max_events, &records));
    // The store may hold entries past this ledger's head: a commit reported lost that landed,
    // which the next reload takes in. Stop at the head, so that no seq handed out is ahead of
    // it (a consumer's next call from there would be refused as JournalCursorAhead).
    while (!records.empty() && records.back().seq > head) records.pop_back();
  }
  std::vector<JournalEntry> out;
  out.reserve(records.size());
  size_t events = 0;
  uint64_t expected = after_seq + 1;
  for (JournalRecord& record : records) {
    absl::StatusOr<JournalEntry> entry = internal::decode_entry(record.bytes);
    if (!entry.ok() || entry->seq != expected || record.seq != expected) {
      return denial(Reason::kStoreFailure,
                    internal::cat("journal entry seq ", expected, ": ",
                                  entry.ok() ? internal::cat("found seq ", record.seq, " (bytes say ",
                                                             entry->seq, ")")
                                             : std::string(entry.status().message())));
    }
    // Whole entries, until the next would pass max_events (the first whatever its size).
    if (!out.empty() && events + entry->events.size() > max_events) break;
    events += entry->events.size();
    entry->hash = record.hash;
    out.push_back(*std::move(entry));
    ++expected;
  }
  return out;
}

size_t AccountService::Impl::account_count() const {
  internal::ReaderLock lock(&state_mu_);
  return state_->account_count();
}

// --- Risk ------------------------------------------------------------------------

void AccountService::Impl::expire_if_due() {
  {
    internal::ReaderLock lock(&state_mu_);
    if (!state_->has_due_reservation(now())) return;
  }
  // Refused at once while the store is down (the next tick tries again), and for good once
  // fenced.
  if (!store_up() || writer_fenced()) return;
  (void)expire_due_reservations();
}

absl::Status AccountService::Impl::end_of_tick(TickId tick) {
  // Before the publish, so that the engine sees what the expiries freed.
  expire_if_due();
  internal::MutexLock publish_lock(&publish_mu_);
  if (tick <= risk_cache_->published_tick()) {
    return absl::InvalidArgumentError(internal::cat("tick ", tick.value(),
                                                    " is not after the published tick ",
                                                    risk_cache_->published_tick().value()));
  }
  RiskTickChanges changes{.tick = tick};
  {
    // Shared, so that a tick is not held up by a leader that stages under its
    // own shared lock while it waits on the store (a dedupe lookup). Taking
    // the dirty sets changes state_ all the same, which is safe here: the
    // sets are written only by apply() and reload(), which hold state_mu_
    // exclusively, and by end_of_tick(), which publish_mu_ serializes; no
    // other holder of the shared lock reads them.
    internal::ReaderLock lock(&state_mu_);
    const LedgerLimits& limits = options_.limits;
    for (AccountId id : state_->take_dirty_accounts()) {
      const Account& row = state_->account(id)->row;
      changes.accounts.push_back(AccountRisk{
          .account = id,
          .available_cash = row.available_cash(),
          .open_notional_headroom = clamp_nonnegative(limits.open_notional_cap - row.open_notional)});
    }
    for (const internal::PositionKey& key : state_->take_dirty_positions()) {
      // Absent: gone in a reload (mark_positions_dirty), so nothing held or
      // pending.
      const Position* found = state_->position(key.account, key.symbol);
      const Position p = found != nullptr ? *found : Position{};
      changes.positions.push_back(PositionRisk{
          .account = key.account,
          .symbol = key.symbol,
          .available_qty = p.available_qty(),
          .buy_headroom_qty =
              clamp_nonnegative(limits.position_cap_qty - p.qty - p.buy_pending_qty)});
    }
  }
  // Publishing waits only for engine readers to leave the old copy.
  const absl::Status published = risk_cache_->publish(changes);
  ACCOUNT_CHECK(published.ok(), "the risk cache takes every account the ledger issues");
  return absl::OkStatus();
}

RiskCache& AccountService::Impl::risk_cache() { return *risk_cache_; }

LedgerSnapshot AccountService::Impl::snapshot() const {
  internal::ReaderLock lock(&state_mu_);
  LedgerSnapshot out = state_->to_snapshot();
  const absl::Time cutoff = now() - options_.limits.finished_reservation_retention;
  std::erase_if(out.reservations,
                [&](const Reservation& r) { return !r.active() && r.updated_at < cutoff; });
  return out;
}

}  // namespace account
