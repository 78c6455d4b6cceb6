#include "account/memory_store.h"
#include "strings.h"

#include <algorithm>
#include <deque>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "account/internal/mutex.h"

namespace account {

struct MemoryStore::Impl {
  mutable internal::SharedMutex mu;
  // Hash maps for cheap commits; load() sorts what it returns.
  absl::flat_hash_map<AccountId, Account> accounts ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::pair<AccountId, SymbolId>, Position> positions ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<ReservationId, Reservation> reservations ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<ExecutionId, Fill> executions ABSL_GUARDED_BY(mu);
  absl::Time newest_fill_time ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  absl::flat_hash_map<AccountId, std::vector<Trade>> trades ABSL_GUARDED_BY(mu);  // Oldest first.
  absl::flat_hash_map<std::string, ExternalEntry> entries ABSL_GUARDED_BY(mu);
  uint64_t reservation_id_high_water ABSL_GUARDED_BY(mu) = 0;
  uint64_t commits ABSL_GUARDED_BY(mu) = 0;

  // The checks a database's constraints would make; a refused commit changes nothing.
  absl::Status check(const ChangeSet& c) const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    for (const Account& a : c.new_accounts) {
      if (accounts.contains(a.id)) {
        return absl::AlreadyExistsError(internal::cat("account ", a.id.value(), " exists"));
      }
    }
    for (const ExternalEntry& e : c.entries) {
      if (entries.contains(internal::to_absl(e.key))) return absl::AlreadyExistsError("entry key exists");
    }
    for (const CashBalance& b : c.balances) {
      bool known = accounts.contains(b.account);
      for (const Account& a : c.new_accounts) known = known || a.id == b.account;
      if (!known) return absl::NotFoundError(internal::cat("account ", b.account.value()));
    }
    for (const AccountLink& l : c.links) {
      bool known = accounts.contains(l.account);
      for (const Account& a : c.new_accounts) known = known || a.id == l.account;
      if (!known) return absl::NotFoundError(internal::cat("account ", l.account.value()));
    }
    return absl::OkStatus();
  }

  // Adds the change set's executions, or none of them if one id is already
  // stored (or repeats within the set): one hash probe per execution, where
  // checking first and inserting after would take two.
  absl::Status insert_executions(const ChangeSet& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (size_t i = 0; i < c.executions.size(); ++i) {
      const Fill& f = c.executions[i];
      if (executions.try_emplace(f.execution, f).second) continue;
      for (size_t j = 0; j < i; ++j) executions.erase(c.executions[j].execution);
      return absl::AlreadyExistsError(internal::cat("execution ", f.execution.value(), " exists"));
    }
    return absl::OkStatus();
  }
};

MemoryStore::MemoryStore() : impl_(std::make_unique<Impl>()) {}
MemoryStore::~MemoryStore() = default;

absl::Status MemoryStore::commit(const ChangeSet& changes) {
  Impl& s = *impl_;
  internal::WriterLock lock(&s.mu);
  if (absl::Status ok = s.check(changes); !ok.ok()) return ok;
  // Last of the checks, since it is the one that writes (and undoes).
  if (absl::Status ok = s.insert_executions(changes); !ok.ok()) return ok;
  for (const Account& a : changes.new_accounts) s.accounts[a.id] = a;
  for (const CashBalance& b : changes.balances) s.accounts[b.account].cash = b.cash;
  for (const AccountLink& l : changes.links) s.accounts[l.account].sleeper = l.link;
  for (const Position& p : changes.positions) s.positions[{p.account, p.symbol}] = p;
  for (const Reservation& r : changes.reservations) {
    s.reservations[r.id] = r;
    s.reservation_id_high_water = std::max(s.reservation_id_high_water, r.id.value());
  }
  for (const Fill& f : changes.executions) s.newest_fill_time = std::max(s.newest_fill_time, f.time);
  for (const Trade& t : changes.trades) s.trades[t.account].push_back(t);
  for (const ExternalEntry& e : changes.entries) s.entries.emplace(e.key, e);
  ++s.commits;
  return absl::OkStatus();
}

absl::StatusOr<LedgerSnapshot> MemoryStore::load(const SnapshotRequest& request) {
  Impl& s = *impl_;
  internal::ReaderLock lock(&s.mu);
  LedgerSnapshot out;
  for (const auto& [id, a] : s.accounts) {
    Account row = a;
    row.reserved_cash = Cents{0};
    row.open_notional = Cents{0};
    out.accounts.push_back(std::move(row));
  }
  std::sort(out.accounts.begin(), out.accounts.end(),
            [](const Account& a, const Account& b) { return a.id < b.id; });
  for (const Account& a : out.accounts) {
    auto it = s.trades.find(a.id);
    if (it == s.trades.end()) continue;
    const std::vector<Trade>& all = it->second;
    const size_t n = std::min(all.size(), request.trades_per_account_max);
    out.trades.insert(out.trades.end(), all.end() - static_cast<std::ptrdiff_t>(n), all.end());
  }
  for (const auto& [key, p] : s.positions) {
    Position row = p;
    row.sell_reserved_qty = Qty{0};
    row.buy_pending_qty = Qty{0};
    out.positions.push_back(row);
  }
  for (const auto& [id, r] : s.reservations) {
    if (r.active() || r.updated_at >= request.reservations_finished_since) {
      out.reservations.push_back(r);
    }
  }
  const absl::Time window_start = s.newest_fill_time - request.execution_retention;
  for (const auto& [id, f] : s.executions) {
    if (f.time >= window_start) out.executions.push_back(f);
  }
  std::sort(out.executions.begin(), out.executions.end(),
            [](const Fill& a, const Fill& b) { return a.execution < b.execution; });
  for (const auto& [key, e] : s.entries) out.entries.push_back(e);
  std::sort(out.positions.begin(), out.positions.end(), [](const Position& a, const Position& b) {
    return std::pair(a.account, a.symbol) < std::pair(b.account, b.symbol);
  });
  std::sort(out.reservations.begin(), out.reservations.end(),
            [](const Reservation& a, const Reservation& b) { return a.id < b.id; });
  std::sort(out.entries.begin(), out.entries.end(),
            [](const ExternalEntry& a, const ExternalEntry& b) { return a.key < b.key; });
  out.reservation_id_high_water = s.reservation_id_high_water;
  return out;
}

absl::StatusOr<std::optional<Fill>> MemoryStore::find_execution(ExecutionId execution) {
  internal::ReaderLock lock(&impl_->mu);
  auto it = impl_->executions.find(execution);
  if (it == impl_->executions.end()) return std::optional<Fill>();
  return std::optional<Fill>(it->second);
}

absl::StatusOr<std::vector<Trade>> MemoryStore::trades(AccountId account, size_t limit) {
  internal::ReaderLock lock(&impl_->mu);
  auto it = impl_->trades.find(account);
  if (it == impl_->trades.end()) return std::vector<Trade>();
  const std::vector<Trade>& all = it->second;
  const size_t n = std::min(limit, all.size());
  return std::vector<Trade>(all.rbegin(), all.rbegin() + static_cast<std::ptrdiff_t>(n));
}

uint64_t MemoryStore::commits() const {
  internal::ReaderLock lock(&impl_->mu);
  return impl_->commits;
}

}  // namespace account
