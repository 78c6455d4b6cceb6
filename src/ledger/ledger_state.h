// Private to the library: the ledger's in-memory state: accounts, positions,
// reservations, the executions the dedupe needs, trades and entries, with
// their indexes. A batch of commands is staged over it in a Txn (txn.h) and
// applied once the store has committed it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/account.h"
#include "account/change_set.h"
#include "account/external_entry.h"
#include "account/fantasy/fantasy_funding.h"
#include "account/fill.h"
#include "account/ledger_snapshot.h"
#include "account/limits.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/trade.h"
#include "base/ascending_key_map.h"
#include "base/chunked_fifo.h"
#include "journal/entry_codec.h"
#include "ledger/execution_window.h"
#include "ledger/expiry_queue.h"
#include "base/paged_slots.h"
#include "ledger/reservation_table.h"
#include "ledger/trade_ring.h"

namespace account::internal {

class Txn;

struct PositionKey {
  AccountId account;
  SymbolId symbol;
  friend bool operator==(const PositionKey&, const PositionKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const PositionKey& k) {
    return H::combine(std::move(h), k.account, k.symbol);
  }
};

// Everything the ledger knows about one account, besides reservations.
struct AccountRecord {
  Account row;
  absl::btree_map<SymbolId, Position> positions;
  // The newest trades, at most trades_in_memory_per_account_max: those the
  // snapshot carried at open, and those since.
  TradeRing recent_trades;
  bool older_trades_in_store = false;   // The store holds trades older than recent_trades.
  // Ascending. A sorted vector rather than a btree_set: an account often
  // has no active reservation between orders, and a btree allocates its
  // root again for every first element.
  std::vector<ReservationId> active_reservations;
};

// What a ledger at `now` loads from its store: the executions of the dedupe
// window, the finished reservations still kept, and each account's newest
// trades, up to what memory keeps. When the ledger opens or reloads
// (`for_audit` false) the trades only if limits.trade_history_loaded_at_open.
// An audit always loads them, to compare them with memory's; it only looks,
// so its commits_follow is false (SnapshotRequest).
inline SnapshotRequest snapshot_request(const LedgerLimits& limits, absl::Time now,
                                        bool for_audit) {
  const bool trades = for_audit || limits.trade_history_loaded_at_open;
  return SnapshotRequest{.execution_retention = limits.execution_retention,
                         .reservations_finished_since = now - limits.finished_reservation_retention,
                         .trades_per_account_max =
                             trades ? limits.trades_in_memory_per_account_max : 0,
                         .commits_follow = !for_audit};
}

// The committed state. Only AccountService's group-commit leader mutates it,
// through apply(), after the store committed.
class LedgerState {
 public:
  explicit LedgerState(const LedgerLimits& limits) : limits_(limits) {}

  // Allocates and touches the dedupe memory of the next `fills` fills
  // (AccountServiceOptions::fills_preallocated).
  void reserve_fills(size_t fills) { executions_.reserve(fills); }
  // Allocates and touches the memory of the next `reservations` new
  // reservations: rows, the order index and the finished list
  // (AccountServiceOptions::reservations_preallocated).
  void reserve_reservations(size_t reservations) {
    reservations_.reserve(reservations);
    by_order_.reserve(reservations);
    finished_.reserve(reservations);
  }

  // Rebuilds from a store snapshot, recomputing every derived figure
  // (reserved cash, open notional, reserved and pending quantities).
  // Fails with DataLoss, naming what is wrong, when the snapshot does not
  // fit the ledger's layout, which a store written by this ledger always
  // does: account ids not 1..N, a row of an account the snapshot lacks, a
  // reservation id 0, or reservation ids spanning more than
  // kReservationIdSpanMax (the ledger issues and indexes them densely).
  // Pass the snapshot with std::move when done with it: it is consumed
  // table by table, so that a restore at scale does not hold it whole beside
  // the state it builds.
  static absl::StatusOr<std::unique_ptr<LedgerState>> from_snapshot(
      const LedgerLimits& limits, LedgerSnapshot snapshot);
  static constexpr uint64_t kReservationIdSpanMax = uint64_t{1} << 32;

  const AccountRecord* account(AccountId id) const;
  const Position* position(AccountId account, SymbolId symbol) const;
  const Reservation* reservation(ReservationId id) const;
  std::optional<ReservationId> reservation_for_order(OrderId order) const;
  // Whether `order` is above every order id held, so has no reservation:
  // the common case of a new order, answered without a probe.
  bool order_above_all(OrderId order) const { return by_order_.above_every_key(order.value()); }
  std::optional<AccountId> account_by_google_id(std::string_view google_id) const;
  // The accounts linked to this Sleeper user, or to this roster of this
  // league, by ascending id: at most one, but for a store written before
  // links were unique.
  using SleeperHolders = absl::InlinedVector<AccountId, 1>;
  const SleeperHolders& sleeper_user_holders(std::string_view user_id) const;
  const SleeperHolders& sleeper_roster_holders(std::string_view league_id,
                                               int64_t roster_id) const;
  // The account a fantasy entry sourced from this Sleeper user's season, or
  // from this roster, funded, if any (fantasy_funding.h): it holds them for
  // good, relinked or not.
  std::optional<AccountId> funded_user_holder(std::string_view user_id,
                                              std::string_view season) const;
  std::optional<AccountId> funded_roster_holder(std::string_view league_id,
                                                int64_t roster_id) const;
  // The key of the fantasy entry applied under `revision_key`
  // (FantasyEntryKey::revision_key()), or nullptr.
  const std::string* fantasy_revision(std::string_view revision_key) const;
  const Fill* execution(ExecutionId id) const;
  const ExternalEntry* entry(std::string_view key) const;

  size_t account_count() const { return accounts_.size(); }
  uint64_t next_reservation_id() const { return reservation_id_high_water_ + 1; }
  // Fills older than this are deduped against the store.
  absl::Time execution_window_start() const { return execution_window_start_; }
  // Whether some applied execution ids are known to the store only: pruned
  // from memory, or never loaded into it.
  bool forgot_executions() const { return forgot_executions_; }
  // Candidates for expiry; an entry is live only if reservation_is_due_at()
  // says so (see expiry_queue.h).
  const ExpiryQueue& expiry_queue() const { return expiry_queue_; }
  // Whether `entry` is live: its reservation is active and expires at
  // exactly entry.expires_at.
  bool expiry_is_live(const ExpiryQueue::Entry& entry) const;
  // Whether an active reservation expires at or before `now`.
  bool has_due_reservation(absl::Time now) const {
    return expiry_queue_.any_due(now, [this](const ExpiryQueue::Entry& e) {
      return expiry_is_live(e);
    });
  }
  const std::vector<AccountRecord>& accounts() const { return accounts_; }
  const ReservationTable& reservations() const { return reservations_; }
  const absl::flat_hash_map<std::string, ExternalEntry>& entries() const { return entries_; }
  // The newest journal entry committed: from the snapshot's head at open (its commit time
  // set by the ledger, which reads it: set_journal_committed_at()), moved on by apply().
  const JournalTip& journal_tip() const { return journal_tip_; }
  void set_journal_committed_at(absl::Time t) { journal_tip_.committed_at = t; }

  // Applies a committed transaction: the accounts staged in `txn` and the
  // rows that `changes` (its change_set()) holds.
  // `now` drives pruning of finished reservations. Adds every account whose
  // figures were staged and every position written to the dirty sets (a
  // Sleeper link changes no risk value).
  void apply(const Txn& txn, const ChangeSet& changes, absl::Time now);

  // Risk values changed since the last take_dirty(): read them, then clear.
  absl::flat_hash_set<AccountId> take_dirty_accounts() { return std::exchange(dirty_accounts_, {}); }
  absl::flat_hash_set<PositionKey> take_dirty_positions() {
    return std::exchange(dirty_positions_, {});
  }
  void mark_all_dirty();
  // Marks dirty every position `before` holds or has marked dirty, present
  // here or not: a reload replaces `before` with this state, and a position
  // that only orders made is not stored, so it may be gone, and the risk
  // cache must learn that it is (even after two reloads in one tick).
  void mark_positions_dirty(const LedgerState& before);

  LedgerSnapshot to_snapshot() const;

 private:
  // Adds a new account; ids come 1, 2, 3... (from_snapshot sorts them).
  void add_account(Account row);
  void put_position(const Position& p);
  void put_reservation(const Reservation& r);
  void add_execution(const Fill& fill);
  void add_trade(const Trade& trade);
  void add_entry(const ExternalEntry& entry);
  void prune(absl::Time now);
  // The two Sleeper link indexes: drop, or add, what `row.sleeper` holds.
  void unindex_sleeper_link(const Account& row);
  void index_sleeper_link(const Account& row);

  LedgerLimits limits_;
  std::vector<AccountRecord> accounts_;  // Index = id - 1.
  absl::flat_hash_map<std::string, AccountId> by_google_id_;
  // Sleeper user id -> accounts, and (league id, roster id) -> accounts,
  // each linking it now. A store written before links were unique may hold
  // two accounts per key: all are kept, so that one leaving does not free a
  // user another still links.
  absl::flat_hash_map<std::string, SleeperHolders> by_sleeper_user_;
  absl::flat_hash_map<std::pair<std::string, int64_t>, SleeperHolders> by_sleeper_roster_;
  ReservationTable reservations_;
  // Order id -> reservation id. The gateway's order ids ascend: a new
  // order's id is known absent without a probe and appended.
  AscendingKeyMap by_order_;
  ExpiryQueue expiry_queue_;
  size_t active_reservations_ = 0;
  ChunkedFifo<std::pair<absl::Time, ReservationId>> finished_;           // By finish time.
  uint64_t reservation_id_high_water_ = 0;
  // Applied executions in the window, in arrival order, indexed by id.
  ExecutionWindow executions_;
  absl::Time newest_fill_time_ = absl::InfinitePast();
  // newest_fill_time_ - limits_.execution_retention, kept with it: every
  // fill reads it, and Time - Duration is a library call.
  absl::Time execution_window_start_ = absl::InfinitePast();
  bool forgot_executions_ = false;
  absl::flat_hash_map<std::string, ExternalEntry> entries_;
  // Read off the fantasy entries' keys as they are added (so a restore
  // rebuilds them): revision key -> entry key, (user id, season) ->
  // account and (league id, roster id) -> account. The first entry wins.
  absl::flat_hash_map<std::string, std::string> fantasy_revisions_;
  absl::flat_hash_map<std::pair<std::string, std::string>, AccountId> funded_users_;
  absl::flat_hash_map<std::pair<std::string, int64_t>, AccountId> funded_rosters_;
  absl::flat_hash_set<AccountId> dirty_accounts_;
  absl::flat_hash_set<PositionKey> dirty_positions_;
  JournalTip journal_tip_;
};

}  // namespace account::internal
