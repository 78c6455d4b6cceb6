#include "account/memory_store.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/mutex.h"
#include "account/notional.h"
#include "store/append_log.h"
#include "ledger/fill_trade.h"
#include "base/ascending_key_map.h"
#include "ledger/reservation_table.h"
#include "base/strings.h"
#include "base/u64_map.h"
#include "store/history_query.h"

namespace account {

using internal::AppendLog;
using internal::AscendingKeyMap;
using internal::U64Map;

// The store keeps what a database would hold, in memory: the latest row of
// each key (accounts with their cash and Sleeper link, positions,
// reservations), and every execution, trade and entry ever committed, which
// exactly-once and trade history need for good (memory_store.h says why).
// commit() checks the unique keys a database would check, then writes each
// row in its place or appends it; nothing can fail after the check, so a
// commit is all or nothing. Trades are kept as references to their
// execution and materialised only when read (load(), trades()), which is
// rare next to commits.
struct MemoryStore::Impl {
  // A trade row as the log keeps it. Each trade the ledger writes is one side
  // of an execution of the same change set and repeats the execution's
  // fields, all but the seller's realized P&L: such a trade is kept as the
  // execution's row, its side and that P&L, 16 bytes where the row is 96
  // (two trades a fill were most of the store's memory per fill). Any other
  // trade is kept whole in `whole_trades`, and `row` indexes that.
  struct StoredTrade {
    static constexpr uint64_t kWhole = uint64_t{1} << 63;
    static constexpr uint64_t kSell = uint64_t{1} << 62;
    static constexpr uint64_t kRowMask = kSell - 1;
    uint64_t row_and_flags;  // Row in executions (or whole_trades), kWhole, kSell.
    Cents realized_pnl;
    bool whole() const { return (row_and_flags & kWhole) != 0; }
    Side side() const { return (row_and_flags & kSell) != 0 ? Side::kSell : Side::kBuy; }
    size_t row() const { return static_cast<size_t>(row_and_flags & kRowMask); }
  };

  mutable internal::SharedMutex mu;
  // Each account's latest row: as created, with every later cash and link
  // change written over it. account_ids maps an id to its row.
  AppendLog<Account> accounts ABSL_GUARDED_BY(mu);
  // Each position's latest image, in the order first written; position_rows
  // maps (account, symbol) to its row. A position is never removed (a
  // database keeps its row at zero too).
  AppendLog<Position> positions ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, size_t> position_rows ABSL_GUARDED_BY(mu);
  // The last image of each reservation. The ledger issues reservation ids
  // 1, 2, 3..., so a table dense by id holds them with an index and no log
  // of every image (half the memory of a reserve-then-release); an id far
  // above the rest, which only a hand-made change set carries, goes to the
  // hash map instead of stretching the table.
  internal::ReservationTable reservations ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<uint64_t, Reservation> sparse_reservations ABSL_GUARDED_BY(mu);
  AppendLog<Fill> executions ABSL_GUARDED_BY(mu);
  // Every trade, in commit order, as a reference (see StoredTrade).
  AppendLog<StoredTrade> trades ABSL_GUARDED_BY(mu);
  AppendLog<Trade> whole_trades ABSL_GUARDED_BY(mu);
  AppendLog<ExternalEntry> entries ABSL_GUARDED_BY(mu);
  // The unique keys: account id -> its row in accounts, execution id ->
  // its row in executions. Entry keys are strings and rare (credits, not
  // fills), so a hash set of them does. Execution ids ascend (the engine
  // packs tick and sequence), so claiming a new one appends to an
  // AscendingKeyMap with no probe, and a refused commit's undo, newest
  // first, pops its back.
  U64Map account_ids ABSL_GUARDED_BY(mu);
  AscendingKeyMap execution_ids ABSL_GUARDED_BY(mu);
  absl::flat_hash_set<std::string> entry_keys ABSL_GUARDED_BY(mu);
  absl::Time newest_fill_time ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  uint64_t reservation_id_high_water ABSL_GUARDED_BY(mu) = 0;
  uint64_t dense_reservation_id_high_water ABSL_GUARDED_BY(mu) = 0;  // Of `reservations`.
  uint64_t commits ABSL_GUARDED_BY(mu) = 0;
  // Every journal entry kept, seq journal_pruned + 1, + 2, ... at index seq - journal_pruned - 1
  // (commit() admits only the head's successor, so the seqs have no gap).
  std::vector<JournalRecord> journal ABSL_GUARDED_BY(mu);
  // The seq of the last entry a prune removed, and the checkpoint stored in their place.
  uint64_t journal_pruned ABSL_GUARDED_BY(mu) = 0;
  std::optional<JournalCheckpoint> checkpoint ABSL_GUARDED_BY(mu);
  // Trades at log positions below this were removed by a prune: the index leaves them out (the
  // log keeps their 16 bytes; a volatile store does not compact).
  size_t trades_pruned ABSL_GUARDED_BY(mu) = 0;
  absl::flat_hash_map<std::string, uint64_t> journal_cursors ABSL_GUARDED_BY(mu);

  // Trades by account (rows of `trades`), built from the log when read.
  // Readers share `mu`, so the index has a mutex of its own; commits, which
  // append to the log, exclude readers and so never race with it.
  mutable internal::Mutex index_mu;
  mutable absl::flat_hash_map<uint64_t, std::vector<size_t>> trades_by_account
      ABSL_GUARDED_BY(index_mu);
  mutable size_t trades_indexed ABSL_GUARDED_BY(index_mu) = 0;

  // Claims the change set's unique keys, or none of them: the checks a
  // database's constraints would make, so that a refused commit changes
  // nothing. One probe per key, where checking first and inserting after
  // would take two.
  absl::Status claim_keys(const ChangeSet& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // How many keys of each kind try_claim() took before it stopped.
  struct Claimed {
    size_t accounts = 0;
    size_t entries = 0;
    size_t executions = 0;
  };
  absl::Status try_claim(const ChangeSet& c, Claimed& claimed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void unclaim(const ChangeSet& c, const Claimed& claimed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Writes the change set's accounts, cash, links and positions over their
  // rows (new keys append a row). Runs after claim_keys(), which checked
  // every account a balance or link names.
  void write_latest(const ChangeSet& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Appends `changes.trades`; their executions are already appended, the
  // first of them at row `first_execution_row`.
  void append_trades(const ChangeSet& changes, size_t first_execution_row)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // The trade at row `i` of `trades`, whole.
  Trade trade(size_t i) const ABSL_SHARED_LOCKS_REQUIRED(mu);
  // The account whose trade row `i` is (without building the trade).
  AccountId trade_account(size_t i) const ABSL_SHARED_LOCKS_REQUIRED(mu);

  // Indexes the trades appended since the last call.
  void index_trades() const ABSL_SHARED_LOCKS_REQUIRED(mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(index_mu) {
    for (; trades_indexed < trades.size(); ++trades_indexed) {
      trades_by_account[trade_account(trades_indexed).value()].push_back(trades_indexed);
    }
  }
};

namespace {

// Whether t == fill_trade(fill, t.side, notional, t.realized_pnl), with the
// fill's notional: field by field without building the trade (this runs for
// every trade committed).
bool repeats(const Fill& fill, const Trade& t) {
  if (t.side != Side::kBuy && t.side != Side::kSell) return false;
  const FillParty& party = t.side == Side::kBuy ? fill.buyer : fill.seller;
  if (t.execution != fill.execution || t.account != party.account || t.order != party.order ||
      t.symbol != fill.symbol || t.qty != fill.qty || t.price != fill.price ||
      t.tick != fill.tick || t.time != fill.time) {
    return false;
  }
  const std::optional<Cents> notional = fill_notional(fill.qty, fill.price);
  return notional.has_value() && *notional == t.notional;
}

}  // namespace

void MemoryStore::Impl::append_trades(const ChangeSet& changes, size_t first_execution_row) {
  // Plain pointers and counts: the appends below could alias the vectors'
  // own fields as far as the compiler knows, which made it reload them for
  // every trade.
  const Fill* const fills = changes.executions.data();
  const size_t fill_count = changes.executions.size();
  const Trade* const all = changes.trades.data();
  const size_t count = changes.trades.size();
  for (size_t k = 0; k < count; ++k) {
    const Trade& t = all[k];
    // The ledger writes the buyer's and the seller's trade of each execution
    // in turn, so trade k repeats execution k / 2; a trade laid out otherwise
    // is kept whole (no search: a hand-made change set costs memory, not time).
    const size_t e = k / 2;
    if (e < fill_count && repeats(fills[e], t)) {
      const uint64_t sell = t.side == Side::kSell ? StoredTrade::kSell : 0;
      trades.push_back(StoredTrade{(first_execution_row + e) | sell, t.realized_pnl});
    } else {
      trades.push_back(StoredTrade{whole_trades.size() | StoredTrade::kWhole, Cents{0}});
      whole_trades.push_back(t);
    }
  }
}

Trade MemoryStore::Impl::trade(size_t i) const {
  const StoredTrade& t = trades[i];
  if (t.whole()) return whole_trades[t.row()];
  // repeats() checked the notional when the trade was committed.
  const Fill& fill = executions[t.row()];
  return internal::fill_trade(fill, t.side(), *fill_notional(fill.qty, fill.price),
                              t.realized_pnl);
}

AccountId MemoryStore::Impl::trade_account(size_t i) const {
  const StoredTrade& t = trades[i];
  if (t.whole()) return whole_trades[t.row()].account;
  const Fill& fill = executions[t.row()];
  return t.side() == Side::kBuy ? fill.buyer.account : fill.seller.account;
}

absl::Status MemoryStore::Impl::claim_keys(const ChangeSet& c) {
  Claimed claimed;
  absl::Status status = try_claim(c, claimed);
  if (!status.ok()) unclaim(c, claimed);
  return status;
}

absl::Status MemoryStore::Impl::try_claim(const ChangeSet& c, Claimed& claimed) {
  for (const Account& a : c.new_accounts) {
    if (!account_ids.insert(a.id.value(), accounts.size() + claimed.accounts)) {
      return absl::AlreadyExistsError(internal::cat("account ", a.id.value(), " exists"));
    }
    ++claimed.accounts;
  }
  for (const ExternalEntry& e : c.entries) {
    if (!entry_keys.insert(e.key).second) return absl::AlreadyExistsError("entry key exists");
    ++claimed.entries;
  }
  for (const CashBalance& b : c.balances) {
    if (!account_ids.contains(b.account.value())) {
      return absl::NotFoundError(internal::cat("account ", b.account.value()));
    }
  }
  for (const AccountLink& l : c.links) {
    if (!account_ids.contains(l.account.value())) {
      return absl::NotFoundError(internal::cat("account ", l.account.value()));
    }
  }
  for (const Reservation& r : c.reservations) {
    if (!r.id.valid()) return absl::InvalidArgumentError("reservation id 0");
  }
  for (const Fill& f : c.executions) {
    if (!execution_ids.insert(f.execution.value(), executions.size() + claimed.executions)) {
      return absl::AlreadyExistsError(internal::cat("execution ", f.execution.value(), " exists"));
    }
    ++claimed.executions;
  }
  return absl::OkStatus();
}

void MemoryStore::Impl::unclaim(const ChangeSet& c, const Claimed& claimed) {
  for (size_t i = 0; i < claimed.accounts; ++i) account_ids.erase(c.new_accounts[i].id.value());
  for (size_t i = 0; i < claimed.entries; ++i) entry_keys.erase(c.entries[i].key);
  // Newest first: each erase pops the back of execution_ids' run.
  for (size_t i = claimed.executions; i > 0; --i) {
    execution_ids.erase(c.executions[i - 1].execution.value());
  }
}

void MemoryStore::Impl::write_latest(const ChangeSet& c) {
  accounts.append(c.new_accounts);
  // In change-set order, so the last image of a key wins, as in a database.
  for (const CashBalance& b : c.balances) {
    accounts[*account_ids.find(b.account.value())].cash = b.cash;
  }
  for (const AccountLink& l : c.links) {
    accounts[*account_ids.find(l.account.value())].sleeper = l.link;
  }
  for (const Position& p : c.positions) {
    const auto [it, added] =
        position_rows.try_emplace({p.account.value(), p.symbol.value()}, positions.size());
    if (added) {
      positions.push_back(p);
    } else {
      positions[it->second] = p;
    }
  }
}

MemoryStore::MemoryStore(MemoryStoreOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  internal::WriterLock lock(&s.mu);
  s.executions.reserve(options.fills_preallocated);
  s.execution_ids.reserve(options.fills_preallocated);
  s.trades.reserve(2 * options.fills_preallocated);
  s.reservations.reserve(options.reservations_preallocated);
}
MemoryStore::~MemoryStore() = default;

absl::Status MemoryStore::commit(const ChangeSet& changes) {
  Impl& s = *impl_;
  internal::WriterLock lock(&s.mu);
  const uint64_t seq = changes.journal.seq;
  const uint64_t head = s.journal_pruned + s.journal.size();
  if (seq != 0 && seq != head + 1) {
    return absl::AbortedError(internal::cat("journal entry ", seq,
                                            " does not follow the stored head ", head,
                                            ": another writer committed"));
  }
  if (absl::Status ok = s.claim_keys(changes); !ok.ok()) return ok;
  if (seq != 0) s.journal.push_back(changes.journal);
  s.write_latest(changes);
  // Reservations in the commit's own loop, where the table's put() inlines
  // (a call per reservation cost ~26 instructions a reserve+release pair).
  for (const Reservation& r : changes.reservations) {
    // Dense while within a chunk table of 8 MB of pointers above the ids the table holds (not
    // every id: after one far id, the next one near it would stretch the table out to both).
    constexpr uint64_t kDenseIdsAbove = uint64_t{1} << 30;
    if (r.id.value() <= s.dense_reservation_id_high_water + kDenseIdsAbove &&
        (s.sparse_reservations.empty() || !s.sparse_reservations.contains(r.id.value()))) {
      s.reservations.put(r);
      s.dense_reservation_id_high_water =
          std::max(s.dense_reservation_id_high_water, r.id.value());
    } else {
      s.sparse_reservations.insert_or_assign(r.id.value(), r);
    }
    s.reservation_id_high_water = std::max(s.reservation_id_high_water, r.id.value());
  }
  const size_t first_execution_row = s.executions.size();
  s.executions.append(changes.executions);
  for (const Fill& f : changes.executions) {
    s.newest_fill_time = std::max(s.newest_fill_time, f.time);
  }
  s.append_trades(changes, first_execution_row);
  s.entries.append(changes.entries);
  ++s.commits;
  return absl::OkStatus();
}

absl::StatusOr<LedgerSnapshot> MemoryStore::load(const SnapshotRequest& request) {
  Impl& s = *impl_;
  internal::ReaderLock lock(&s.mu);
  LedgerSnapshot out;
  out.accounts.reserve(s.accounts.size());
  for (size_t i = 0; i < s.accounts.size(); ++i) {
    Account& row = out.accounts.emplace_back(s.accounts[i]);
    row.reserved_cash = Cents{0};
    row.open_notional = Cents{0};
  }
  std::sort(out.accounts.begin(), out.accounts.end(),
            [](const Account& a, const Account& b) { return a.id < b.id; });
  {
    internal::MutexLock index_lock(&s.index_mu);
    s.index_trades();
    for (const Account& a : out.accounts) {
      auto it = s.trades_by_account.find(a.id.value());
      if (it == s.trades_by_account.end()) continue;
      const std::vector<size_t>& rows = it->second;
      const size_t n = std::min(rows.size(), request.trades_per_account_max);
      for (size_t i = rows.size() - n; i < rows.size(); ++i) {
        out.trades.push_back(s.trade(rows[i]));
      }
    }
  }
  out.positions.reserve(s.positions.size());
  for (size_t i = 0; i < s.positions.size(); ++i) {
    Position& row = out.positions.emplace_back(s.positions[i]);
    row.sell_reserved_qty = Qty{0};
    row.buy_pending_qty = Qty{0};
  }
  std::sort(out.positions.begin(), out.positions.end(), [](const Position& a, const Position& b) {
    return std::pair(a.account, a.symbol) < std::pair(b.account, b.symbol);
  });
  const auto wanted = [&](const Reservation& r) {
    return r.active() || r.updated_at >= request.reservations_finished_since;
  };
  s.reservations.for_each([&](const Reservation& r) {
    if (wanted(r)) out.reservations.push_back(r);
  });
  for (const auto& [id, r] : s.sparse_reservations) {
    if (wanted(r)) out.reservations.push_back(r);
  }
  std::sort(out.reservations.begin(), out.reservations.end(),
            [](const Reservation& a, const Reservation& b) { return a.id < b.id; });
  const absl::Time window_start = s.newest_fill_time - request.execution_retention;
  for (size_t i = 0; i < s.executions.size(); ++i) {
    if (s.executions[i].time >= window_start) out.executions.push_back(s.executions[i]);
  }
  std::sort(out.executions.begin(), out.executions.end(),
            [](const Fill& a, const Fill& b) { return a.execution < b.execution; });
  for (size_t i = 0; i < s.entries.size(); ++i) out.entries.push_back(s.entries[i]);
  std::sort(out.entries.begin(), out.entries.end(),
            [](const ExternalEntry& a, const ExternalEntry& b) { return a.key < b.key; });
  out.reservation_id_high_water = s.reservation_id_high_water;
  if (!s.journal.empty()) out.journal_head = {s.journal.back().seq, s.journal.back().hash};
  return out;
}

absl::StatusOr<std::vector<JournalRecord>> MemoryStore::journal(uint64_t after_seq,
                                                                size_t limit) {
  Impl& s = *impl_;
  internal::ReaderLock lock(&s.mu);
  std::vector<JournalRecord> out;
  // Index of the first entry after `after_seq` (the first kept, when it was pruned).
  const uint64_t first = after_seq <= s.journal_pruned ? 0 : after_seq - s.journal_pruned;
  if (first >= s.journal.size()) return out;
  const size_t n = std::min<size_t>(limit, s.journal.size() - first);
  out.assign(s.journal.begin() + static_cast<ptrdiff_t>(first),
             s.journal.begin() + static_cast<ptrdiff_t>(first + n));
  return out;
}

absl::StatusOr<JournalPruneResult> MemoryStore::prune_journal(const JournalPrune& prune) {
  Impl& s = *impl_;
  internal::WriterLock lock(&s.mu);
  const JournalCheckpoint& c = prune.checkpoint;
  const uint64_t stored_seq = s.checkpoint ? s.checkpoint->seq : 0;
  JournalPruneResult result{.checkpoint_seq = stored_seq};
  if (s.checkpoint && c.seq < stored_seq) return result;  // Older than the stored one.
  if (s.checkpoint && c.seq == stored_seq) {
    if (c == *s.checkpoint) return result;  // A retry of the prune that stored it.
    return absl::InvalidArgumentError(internal::cat(
        "a journal checkpoint at seq ", c.seq, " is stored already, with other bytes"));
  }
  const uint64_t head = s.journal_pruned + s.journal.size();
  if (c.seq == 0 || c.seq >= head) {
    return absl::InvalidArgumentError(internal::cat("a journal checkpoint at seq ", c.seq,
                                                    ": it must be below the head, seq ", head,
                                                    ", which a prune keeps"));
  }
  const JournalRecord& at = s.journal[c.seq - s.journal_pruned - 1];
  if (at.hash != c.hash || at.committed_at != c.committed_at) {
    return absl::InvalidArgumentError(internal::cat(
        "the stored journal entry ", c.seq, " has another ",
        at.hash != c.hash ? "hash" : "commit time", ": the checkpoint is of another journal"));
  }
  if (!prune.past_cursors) {
    for (const auto& [name, seq] : s.journal_cursors) {
      if (seq < c.seq) {
        return absl::FailedPreconditionError(internal::cat(
            "the journal cursor \"", name, "\" is at seq ", seq,
            "; its consumer has not read the entries to seq ", c.seq, " a prune would remove"));
      }
    }
  }
  size_t trades_cut = s.trades_pruned;
  if (prune.last_removed_execution.valid()) {
    std::optional<size_t> last;
    for (size_t i = s.trades.size(); i > s.trades_pruned && !last; --i) {
      if (s.trade(i - 1).execution == prune.last_removed_execution) last = i - 1;
    }
    if (!last) {
      return absl::DataLossError(internal::cat("no trade of execution ",
                                               prune.last_removed_execution.value(),
                                               ", the last fill pruned, is stored"));
    }
    trades_cut = std::max(trades_cut, *last + 1);
  }
  {
    internal::MutexLock index_lock(&s.index_mu);
    s.index_trades();
    for (auto& [account, positions] : s.trades_by_account) {
      positions.erase(positions.begin(),
                      std::lower_bound(positions.begin(), positions.end(), trades_cut));
    }
  }
  result.trades_removed = trades_cut - s.trades_pruned;
  s.trades_pruned = trades_cut;
  result.entries_removed = c.seq - s.journal_pruned;
  s.journal.erase(s.journal.begin(),
                  s.journal.begin() + static_cast<ptrdiff_t>(result.entries_removed));
  s.journal_pruned = c.seq;
  s.checkpoint = c;
  result.checkpoint_seq = c.seq;
  return result;
}

absl::StatusOr<std::optional<JournalCheckpoint>> MemoryStore::journal_checkpoint() {
  internal::ReaderLock lock(&impl_->mu);
  return impl_->checkpoint;
}

absl::StatusOr<std::optional<uint64_t>> MemoryStore::journal_cursor(std::string_view name) {
  internal::ReaderLock lock(&impl_->mu);
  auto it = impl_->journal_cursors.find(internal::to_absl(name));
  if (it == impl_->journal_cursors.end()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(it->second);
}

absl::Status MemoryStore::set_journal_cursor(std::string_view name, uint64_t seq) {
  internal::WriterLock lock(&impl_->mu);
  impl_->journal_cursors[std::string(name)] = seq;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Fill>> MemoryStore::find_execution(ExecutionId execution) {
  internal::ReaderLock lock(&impl_->mu);
  const uint64_t* row = impl_->execution_ids.find(execution.value());
  if (row == nullptr) return std::optional<Fill>();
  return std::optional<Fill>(impl_->executions[*row]);
}

absl::StatusOr<std::vector<Trade>> MemoryStore::trades(AccountId account, size_t limit) {
  Impl& s = *impl_;
  internal::ReaderLock lock(&s.mu);
  internal::MutexLock index_lock(&s.index_mu);
  s.index_trades();
  std::vector<Trade> out;
  auto it = s.trades_by_account.find(account.value());
  if (it == s.trades_by_account.end()) return out;
  const std::vector<size_t>& rows = it->second;
  for (size_t i = rows.size(); i > 0 && out.size() < limit; --i) {
    out.push_back(s.trade(rows[i - 1]));
  }
  return out;
}

absl::StatusOr<TradePage> MemoryStore::trade_page(const TradeQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  Impl& s = *impl_;
  internal::ReaderLock lock(&s.mu);
  internal::MutexLock index_lock(&s.index_mu);
  s.index_trades();
  TradePage page{.last_row = query.after_row};
  auto it = s.trades_by_account.find(query.account.value());
  if (it == s.trades_by_account.end()) return page;
  // The index holds log positions, ascending; a trade's row is its position + 1, so the rows
  // after `after_row` start at position after_row.
  const std::vector<size_t>& positions = it->second;
  for (auto next = std::lower_bound(positions.begin(), positions.end(), query.after_row);
       next != positions.end(); ++next) {
    Trade t = s.trade(*next);
    if ((query.symbol && t.symbol != *query.symbol) || t.time < query.from ||
        t.time >= query.to) {
      continue;
    }
    if (page.trades.size() == query.limit) {
      page.more = true;
      break;
    }
    page.trades.push_back(std::move(t));
    page.last_row = *next + 1;
  }
  return page;
}

namespace {

// Copies of the first `limit` of `rows` by `less` (a strict total order); `more` says whether
// rows were left over. Sorts only as far as the page goes.
template <typename Row, typename Less>
std::vector<Row> first_rows(std::vector<const Row*>& rows, size_t limit, Less less, bool& more) {
  const size_t n = std::min(rows.size(), limit);
  const auto by_row = [&less](const Row* a, const Row* b) { return less(*a, *b); };
  std::partial_sort(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(n), rows.end(), by_row);
  more = rows.size() > limit;
  std::vector<Row> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(*rows[i]);
  return out;
}

}  // namespace

absl::StatusOr<EntryPage> MemoryStore::entry_page(const EntryQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  const auto key = [](const ExternalEntry& e) { return std::tie(e.time, e.key); };
  Impl& s = *impl_;
  internal::ReaderLock lock(&s.mu);
  std::vector<const ExternalEntry*> matching;
  for (size_t i = 0; i < s.entries.size(); ++i) {
    const ExternalEntry& e = s.entries[i];
    if (e.account != query.account || (query.kind && e.kind != *query.kind) ||
        e.time < query.from || e.time >= query.to ||
        (query.after && key(e) <= std::tie(query.after->time, query.after->key))) {
      continue;
    }
    matching.push_back(&e);
  }
  EntryPage page;
  page.entries = first_rows(
      matching, query.limit,
      [&key](const ExternalEntry& a, const ExternalEntry& b) { return key(a) < key(b); },
      page.more);
  return page;
}

absl::StatusOr<ReservationPage> MemoryStore::reservation_page(const ReservationQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  Impl& s = *impl_;
  internal::ReaderLock lock(&s.mu);
  std::vector<const Reservation*> matching;
  const auto consider = [&](const Reservation& r) {
    if (r.account == query.account && r.id > query.after_id &&
        (!query.status || r.status == *query.status)) {
      matching.push_back(&r);
    }
  };
  s.reservations.for_each(consider);
  for (const auto& [id, r] : s.sparse_reservations) consider(r);
  ReservationPage page;
  page.reservations = first_rows(
      matching, query.limit,
      [](const Reservation& a, const Reservation& b) { return a.id < b.id; }, page.more);
  return page;
}

uint64_t MemoryStore::commits() const {
  internal::ReaderLock lock(&impl_->mu);
  return impl_->commits;
}

}  // namespace account
