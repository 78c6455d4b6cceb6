#include "ledger/ledger_state.h"

#include <algorithm>
#include <cassert>

#include "account/notional.h"
#include "base/check.h"
#include "base/strings.h"
#include "ledger/txn.h"

namespace account::internal {

// --- LedgerState: reads -------------------------------------------------------

const AccountRecord* LedgerState::account(AccountId id) const {
  if (id.value() == 0 || id.value() > accounts_.size()) return nullptr;
  return &accounts_[id.value() - 1];
}

const Position* LedgerState::position(AccountId account_id, SymbolId symbol) const {
  const AccountRecord* rec = account(account_id);
  if (rec == nullptr) return nullptr;
  auto it = rec->positions.find(symbol);
  return it == rec->positions.end() ? nullptr : &it->second;
}

const Reservation* LedgerState::reservation(ReservationId id) const {
  return reservations_.find(id);
}

std::optional<ReservationId> LedgerState::reservation_for_order(OrderId order) const {
  const uint64_t* id = by_order_.find(order.value());
  if (id == nullptr) return std::nullopt;
  return ReservationId{*id};
}

std::optional<AccountId> LedgerState::account_by_google_id(std::string_view google_id) const {
  auto it = by_google_id_.find(to_absl(google_id));
  if (it == by_google_id_.end()) return std::nullopt;
  return it->second;
}

const Fill* LedgerState::execution(ExecutionId id) const { return executions_.find(id); }

const ExternalEntry* LedgerState::entry(std::string_view key) const {
  auto it = entries_.find(to_absl(key));
  return it == entries_.end() ? nullptr : &it->second;
}

// --- LedgerState: writes ------------------------------------------------------

void LedgerState::add_account(Account row) {
  ACCOUNT_CHECK(row.id.value() == accounts_.size() + 1, "account ids are issued 1, 2, 3...");
  by_google_id_.emplace(row.google_id, row.id);
  accounts_.push_back(AccountRecord{.row = std::move(row)});
  index_sleeper_link(accounts_.back().row);
}

namespace {

template <typename Map, typename Key>
void drop_holder(Map& map, const Key& key, AccountId id) {
  auto it = map.find(key);
  if (it == map.end()) return;
  auto& holders = it->second;
  holders.erase(std::remove(holders.begin(), holders.end(), id), holders.end());
  if (it->second.empty()) map.erase(it);
}

template <typename Map, typename Key>
void add_holder(Map& map, const Key& key, AccountId id) {
  LedgerState::SleeperHolders& holders = map[key];
  if (std::find(holders.begin(), holders.end(), id) != holders.end()) return;
  holders.insert(std::upper_bound(holders.begin(), holders.end(), id), id);
}

const LedgerState::SleeperHolders kNoHolders;

}  // namespace

void LedgerState::unindex_sleeper_link(const Account& row) {
  if (!row.sleeper.has_value()) return;
  const SleeperLink& old = *row.sleeper;
  drop_holder(by_sleeper_user_, old.user_id, row.id);
  drop_holder(by_sleeper_roster_, std::pair(old.league_id, old.roster_id), row.id);
}

void LedgerState::index_sleeper_link(const Account& row) {
  if (!row.sleeper.has_value()) return;
  add_holder(by_sleeper_user_, row.sleeper->user_id, row.id);
  add_holder(by_sleeper_roster_, std::pair(row.sleeper->league_id, row.sleeper->roster_id),
             row.id);
}

const LedgerState::SleeperHolders& LedgerState::sleeper_user_holders(
    std::string_view user_id) const {
  auto it = by_sleeper_user_.find(to_absl(user_id));
  return it == by_sleeper_user_.end() ? kNoHolders : it->second;
}

const LedgerState::SleeperHolders& LedgerState::sleeper_roster_holders(std::string_view league_id,
                                                                      int64_t roster_id) const {
  auto it = by_sleeper_roster_.find(std::pair(std::string(league_id), roster_id));
  return it == by_sleeper_roster_.end() ? kNoHolders : it->second;
}

void LedgerState::put_position(const Position& p) {
  accounts_[p.account.value() - 1].positions[p.symbol] = p;
  dirty_positions_.insert(PositionKey{p.account, p.symbol});
}

void LedgerState::put_reservation(const Reservation& r) {
  bool was_active = false;
  absl::Time expires_at_before;
  const auto note_prior = [&](const Reservation* prior) {
    if (prior == nullptr) return;
    was_active = prior->active();
    expires_at_before = prior->expires_at;
  };
  const bool inserted = reservations_.put(r, note_prior).second;
  AccountRecord& owner = accounts_[r.account.value() - 1];
  if (inserted) {
    by_order_.insert(r.order.value(), r.id.value());
    reservation_id_high_water_ = std::max(reservation_id_high_water_, r.id.value());
  } else {
    // A partial fill leaves an active reservation active with its expiry:
    // both indexes already hold it.
    if (was_active && r.active() && expires_at_before == r.expires_at) return;
  }
  // A finished reservation's expiry entry stays behind, stale (expiry_queue.h).
  if (r.active() && !was_active) ++active_reservations_;
  if (!r.active() && was_active) --active_reservations_;
  std::vector<ReservationId>& active = owner.active_reservations;
  if (r.active()) {
    expiry_queue_.push(r.expires_at, r.id);
    // New reservations have the highest id yet: the common case appends
    // without a search.
    if (active.empty() || active.back() < r.id) {
      active.push_back(r.id);
    } else if (auto at = std::lower_bound(active.begin(), active.end(), r.id); *at != r.id) {
      active.insert(at, r.id);
    }
  } else {
    // Orders tend to finish in the order they came: try the oldest first.
    auto at = !active.empty() && active.front() == r.id
                  ? active.begin()
                  : std::lower_bound(active.begin(), active.end(), r.id);
    if (at != active.end() && *at == r.id) active.erase(at);
    finished_.emplace_back(r.updated_at, r.id);
  }
}

bool LedgerState::expiry_is_live(const ExpiryQueue::Entry& entry) const {
  const Reservation* r = reservations_.find(entry.reservation);
  return r != nullptr && r->active() && r->expires_at == entry.expires_at;
}

void LedgerState::add_execution(const Fill& fill) {
  executions_.push_back(fill);
  if (fill.time > newest_fill_time_) {
    newest_fill_time_ = fill.time;
    execution_window_start_ = newest_fill_time_ - limits_.execution_retention;
  }
}

void LedgerState::add_trade(const Trade& trade) {
  AccountRecord& rec = accounts_[trade.account.value() - 1];
  if (rec.recent_trades.push_back(trade, limits_.trades_in_memory_per_account_max)) {
    rec.older_trades_in_store = true;
  }
}

void LedgerState::add_entry(const ExternalEntry& entry) {
  entries_.emplace(entry.key, entry);
  if (entry.kind != EntryKind::kFantasyCredit) return;
  const std::optional<FantasyEntryKey> key = parse_fantasy_entry_key(entry.key);
  if (!key) return;  // An operator's key: no revision, no source.
  fantasy_revisions_.try_emplace(key->revision_key(), entry.key);
  if (!key->source) return;
  funded_users_.try_emplace(std::pair(key->source->user_id, key->season), entry.account);
  funded_rosters_.try_emplace(std::pair(key->source->league_id, key->source->roster_id),
                              entry.account);
}

std::optional<AccountId> LedgerState::funded_user_holder(std::string_view user_id,
                                                         std::string_view season) const {
  auto it = funded_users_.find(std::pair(std::string(user_id), std::string(season)));
  if (it == funded_users_.end()) return std::nullopt;
  return it->second;
}

std::optional<AccountId> LedgerState::funded_roster_holder(std::string_view league_id,
                                                           int64_t roster_id) const {
  auto it = funded_rosters_.find(std::pair(std::string(league_id), roster_id));
  if (it == funded_rosters_.end()) return std::nullopt;
  return it->second;
}

const std::string* LedgerState::fantasy_revision(std::string_view revision_key) const {
  auto it = fantasy_revisions_.find(to_absl(revision_key));
  return it == fantasy_revisions_.end() ? nullptr : &it->second;
}

// Drops what the retention windows no longer need: executions whose fill time
// left the window (the store answers for them), finished reservations past
// their retention. Both queues are popped from the front only, so the cost is
// amortized O(1) per record.
void LedgerState::prune(absl::Time now) {
  const absl::Time window_start = execution_window_start();
  while (!executions_.empty() && executions_.front().time < window_start) {
    executions_.pop_front();
    forgot_executions_ = true;
  }
  const absl::Time finished_cutoff = now - limits_.finished_reservation_retention;
  while (!finished_.empty() && finished_.front().first < finished_cutoff) {
    const Reservation* r = reservations_.find(finished_.front().second);
    if (r != nullptr && !r->active() && r->updated_at < finished_cutoff) {
      by_order_.erase(r->order.value());
      reservations_.erase(r->id);
    }
    finished_.pop_front();
  }
  const auto stale = [this](const ExpiryQueue::Entry& e) { return !expiry_is_live(e); };
  expiry_queue_.drop_stale_due(now, stale);
  // Entries of reservations that finished before their expiry wait for it;
  // once they outnumber the live ones (plus some slack, so that a small
  // ledger never compacts), drop them all: O(entries), at most once per
  // that many finishes.
  constexpr size_t kStaleSlack = 4096;
  if (expiry_queue_.size() > 2 * active_reservations_ + kStaleSlack) expiry_queue_.compact(stale);
}

void LedgerState::apply(const Txn& txn, const ChangeSet& changes, absl::Time now) {
  for (const Account& row : txn.new_accounts_) add_account(row);
  for (const AccountFigures& f : txn.accounts_) {
    Account& row = accounts_[f.id.value() - 1].row;
    row.cash = f.cash;
    row.reserved_cash = f.reserved_cash;
    row.open_notional = f.open_notional;
    dirty_accounts_.insert(f.id);
    // Invariant 1 on every account the group touched: a few compares, so
    // on in release builds too (ACCOUNT_AUDIT_EVERY_GROUP checks them all).
    ACCOUNT_CHECK(row.cash.value() >= 0 && row.available_cash().value() >= 0 &&
                      row.reserved_cash.value() >= 0,
                  "a touched account's cash and available cash are not negative");
  }
  // Every old link leaves the indexes before any new one enters: within one
  // group an account may take the Sleeper user or roster another gives up,
  // whichever staged first (Txn::sleeper_link_holder allowed it).
  for (const AccountLink& l : txn.links_) unindex_sleeper_link(accounts_[l.account.value() - 1].row);
  for (const AccountLink& l : txn.links_) {
    Account& row = accounts_[l.account.value() - 1].row;
    row.sleeper = l.link;
    index_sleeper_link(row);
  }
  // Invariant 2 on every position the group touched: no short selling.
  const auto check_position = [](const Position& p) {
    ACCOUNT_CHECK(p.qty.value() >= 0 && p.available_qty().value() >= 0 &&
                      p.buy_pending_qty.value() >= 0,
                  "a touched position's shares and available shares are not negative");
  };
  for (const Position& p : changes.positions) {
    check_position(p);
    put_position(p);
  }
  for (const Position& p : txn.derived_only_positions_) {
    check_position(p);
    put_position(p);
  }
  for (const Reservation& r : changes.reservations) put_reservation(r);
  for (const Fill& fill : changes.executions) add_execution(fill);
  // Each trade lands in its account's ring, whose next slot was last written
  // a thousand of that account's trades ago: ask for it a few trades ahead,
  // so that the misses of consecutive trades overlap instead of queueing.
  const std::vector<Trade>& trades = changes.trades;
  constexpr size_t kPrefetchAhead = 8;
  for (size_t i = 0; i < trades.size(); ++i) {
    if (i + kPrefetchAhead < trades.size()) {
      const AccountRecord& ahead = accounts_[trades[i + kPrefetchAhead].account.value() - 1];
      if (const Trade* slot = ahead.recent_trades.next_slot()) {
        __builtin_prefetch(slot, /*rw=*/1);
        __builtin_prefetch(reinterpret_cast<const char*>(slot) + sizeof(Trade) - 1, /*rw=*/1);
      }
    }
    add_trade(trades[i]);
  }
  for (const ExternalEntry& entry : changes.entries) add_entry(entry);
  if (changes.journal.seq != 0) {
    journal_tip_ = JournalTip{.head = {changes.journal.seq, changes.journal.hash},
                              .committed_at = changes.journal.committed_at};
  }
  prune(now);
}

void LedgerState::mark_all_dirty() {
  for (const AccountRecord& rec : accounts_) {
    dirty_accounts_.insert(rec.row.id);
    for (const auto& [symbol, p] : rec.positions) dirty_positions_.insert({rec.row.id, symbol});
  }
}

void LedgerState::mark_positions_dirty(const LedgerState& before) {
  for (const AccountRecord& rec : before.accounts_) {
    for (const auto& [symbol, p] : rec.positions) dirty_positions_.insert({rec.row.id, symbol});
  }
  // Those `before` had not published yet, gone from it in an earlier reload.
  dirty_positions_.insert(before.dirty_positions_.begin(), before.dirty_positions_.end());
}

// --- Snapshots ---------------------------------------------------------------

namespace {

// What the ledger's in-memory layout needs of a snapshot, which a store
// written by this ledger always meets: account ids 1..N (rows are indexed by
// id), every row's account among them, reservation ids from 1 and within
// LedgerState::kReservationIdSpanMax of each other (indexed densely).
// `accounts` is the snapshot's accounts, sorted by id.
absl::Status check_restorable(const std::vector<Account>& accounts, const LedgerSnapshot& snapshot,
                              uint64_t reservation_id_span_max) {
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (accounts[i].id.value() != i + 1) {
      return absl::DataLossError(internal::cat("account ids must run 1..", accounts.size(),
                                               " without gaps or repeats; found ",
                                               accounts[i].id.value(), " in place ", i + 1));
    }
  }
  const auto held = [&](AccountId id) {
    return id.value() >= 1 && id.value() <= accounts.size();
  };
  const auto missing = [](std::string_view what, AccountId id) {
    return absl::DataLossError(
        internal::cat(what, " of account ", id.value(), ", which the store does not hold"));
  };
  for (const Position& p : snapshot.positions) {
    if (!held(p.account)) return missing("a position", p.account);
  }
  for (const Trade& t : snapshot.trades) {
    if (!held(t.account)) return missing("a trade", t.account);
  }
  for (const ExternalEntry& e : snapshot.entries) {
    if (!held(e.account)) return missing("an entry", e.account);
  }
  if (snapshot.reservations.empty()) return absl::OkStatus();
  for (const Reservation& r : snapshot.reservations) {
    if (!held(r.account)) return missing("a reservation", r.account);
  }
  const auto [low, high] = std::minmax_element(
      snapshot.reservations.begin(), snapshot.reservations.end(),
      [](const Reservation& a, const Reservation& b) { return a.id < b.id; });
  if (!low->id.valid()) return absl::DataLossError("a reservation with id 0");
  // New ids follow the high-water mark, so the span runs up to it.
  const uint64_t top = std::max(high->id.value(), snapshot.reservation_id_high_water);
  if (top - low->id.value() > reservation_id_span_max) {
    return absl::DataLossError(internal::cat(
        "reservation ids ", low->id.value(), " to ", top, " span more than ",
        reservation_id_span_max, " ids; the ledger issues and indexes them densely"));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// Gives a vector's memory back now (clear() keeps its capacity).
template <typename T>
void release(std::vector<T>& rows) {
  std::vector<T>().swap(rows);
}

// Sorts in place, unless the rows already are in order (as stores hand them over).
template <typename T, typename Less>
void sort_in_place(std::vector<T>& rows, Less less) {
  if (!std::is_sorted(rows.begin(), rows.end(), less)) std::sort(rows.begin(), rows.end(), less);
}

}  // namespace

// The snapshot is taken by value and consumed table by table, each table's
// memory given back once it is in the state, rows moved rather than copied
// and sorted in place: a restore holds the snapshot and the state together
// only a table at a time. Copying the accounts, reservations and executions
// (to sort them) and keeping the whole snapshot to the end took the peak of
// an open to 2x the state it built (docs/perf/2026-12-07-restart-and-memory.md).
absl::StatusOr<std::unique_ptr<LedgerState>> LedgerState::from_snapshot(
    const LedgerLimits& limits, LedgerSnapshot snapshot) {
  sort_in_place(snapshot.accounts, [](const Account& a, const Account& b) { return a.id < b.id; });
  if (absl::Status s = check_restorable(snapshot.accounts, snapshot, kReservationIdSpanMax);
      !s.ok()) {
    return s;
  }
  auto state = std::make_unique<LedgerState>(limits);
  state->accounts_.reserve(snapshot.accounts.size());
  state->by_google_id_.reserve(snapshot.accounts.size());
  for (Account& row : snapshot.accounts) {
    row.reserved_cash = Cents{0};
    row.open_notional = Cents{0};
    state->add_account(std::move(row));
  }
  release(snapshot.accounts);
  // The largest tables next, while the state is small.
  for (const Trade& trade : snapshot.trades) state->add_trade(trade);
  release(snapshot.trades);
  // The snapshot carries each account's newest trades, as many as
  // snapshot_request asked for (none when trade_history_loaded_at_open is
  // off): when it carried that many, the store may hold older ones.
  const size_t trades_loaded =
      limits.trade_history_loaded_at_open ? limits.trades_in_memory_per_account_max : 0;
  for (AccountRecord& rec : state->accounts_) {
    rec.older_trades_in_store = rec.recent_trades.size() >= trades_loaded;
  }
  sort_in_place(snapshot.executions, [](const Fill& a, const Fill& b) {
    return std::pair(a.time, a.execution) < std::pair(b.time, b.execution);
  });
  for (const Fill& fill : snapshot.executions) state->add_execution(fill);
  release(snapshot.executions);
  // The store may hold executions older than the window it handed over.
  state->forgot_executions_ = true;
  for (Position p : snapshot.positions) {
    p.sell_reserved_qty = Qty{0};
    p.buy_pending_qty = Qty{0};
    state->accounts_[p.account.value() - 1].positions[p.symbol] = p;
  }
  release(snapshot.positions);
  sort_in_place(snapshot.reservations, [](const Reservation& a, const Reservation& b) {
    return std::pair(a.updated_at, a.id) < std::pair(b.updated_at, b.id);
  });
  for (const Reservation& r : snapshot.reservations) {
    state->put_reservation(r);
    if (!r.active()) continue;
    Account& owner = state->accounts_[r.account.value() - 1].row;
    owner.reserved_cash += r.reserved_cash;
    owner.open_notional += r.open_notional();
    Position& p = state->accounts_[r.account.value() - 1].positions[r.symbol];
    p.account = r.account;
    p.symbol = r.symbol;
    (r.side == Side::kBuy ? p.buy_pending_qty : p.sell_reserved_qty) += r.remaining_qty;
  }
  release(snapshot.reservations);
  state->reservation_id_high_water_ =
      std::max(state->reservation_id_high_water_, snapshot.reservation_id_high_water);
  state->entries_.reserve(snapshot.entries.size());
  for (const ExternalEntry& entry : snapshot.entries) state->add_entry(entry);
  state->journal_tip_.head = snapshot.journal_head;
  state->mark_all_dirty();
  return state;
}

LedgerSnapshot LedgerState::to_snapshot() const {
  LedgerSnapshot out;
  for (const AccountRecord& rec : accounts_) {
    Account row = rec.row;
    row.reserved_cash = Cents{0};
    row.open_notional = Cents{0};
    out.accounts.push_back(std::move(row));
    for (const auto& [symbol, p] : rec.positions) {
      // A position with nothing stored (one only orders touched) is not
      // written (Txn::change_set), so a restore has it only while its orders
      // are open: leave it out on both sides.
      if (!p.has_stored_figures()) continue;
      Position stored = p;
      stored.sell_reserved_qty = Qty{0};
      stored.buy_pending_qty = Qty{0};
      out.positions.push_back(stored);
    }
    rec.recent_trades.for_each([&](const Trade& trade) { out.trades.push_back(trade); });
  }
  out.reservations.reserve(reservations_.size());
  reservations_.for_each([&](const Reservation& r) { out.reservations.push_back(r); });  // By id.
  // Memory prunes in arrival order, so a fill that arrived already older than
  // the window may linger; the snapshot holds exactly the window.
  const absl::Time window_start = execution_window_start();
  executions_.for_each([&](const Fill& fill) {
    if (fill.time >= window_start) out.executions.push_back(fill);
  });
  std::sort(out.executions.begin(), out.executions.end(),
            [](const Fill& a, const Fill& b) { return a.execution < b.execution; });
  for (const auto& [key, entry] : entries_) out.entries.push_back(entry);
  std::sort(out.entries.begin(), out.entries.end(),
            [](const ExternalEntry& a, const ExternalEntry& b) { return a.key < b.key; });
  out.reservation_id_high_water = reservation_id_high_water_;
  out.journal_head = journal_tip_.head;
  return out;
}

}  // namespace account::internal
