// AccountService::audit(): recomputes every derived figure from first
// principles and checks invariants 1-4 of ARCHITECTURE.md, then compares
// memory with what the store would restore (invariant 6).
#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <thread>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ledger/account_service_impl.h"
#include "base/strings.h"
#include "account/notional.h"
#include "ledger/ledger_commands.h"
#include "ledger/ledger_state.h"
#include "ledger/ledger_audit.h"
#include "ledger/pending_command.h"
#include "ledger/txn.h"

namespace account {
namespace {

struct Expected {
  Cents reserved_cash;
  Cents open_notional;
  std::map<SymbolId, std::pair<Qty, Qty>> pending;  // symbol -> (buy pending, sell reserved)
};

void check_reservation(const Reservation& r, std::vector<std::string>& out) {
  if (!r.active()) return;
  const Cents needed = reserve_notional(r.remaining_qty, r.limit).value_or(Cents{-1});
  if (r.remaining_qty.value() <= 0 || r.remaining_qty > r.order_qty) {
    out.push_back(internal::cat("reservation ", r.id.value(), ": remaining ",
                               r.remaining_qty.value(), " bp outside 1..",
                               r.order_qty.value(), " bp"));
  }
  if (r.side == Side::kBuy && r.reserved_cash < needed) {  // Invariant 3.
    out.push_back(internal::cat("reservation ", r.id.value(), ": holds ", r.reserved_cash.value(),
                               " cents, unfilled ", r.remaining_qty.value(), " bp at limit needs ",
                               needed.value()));
  }
}

// One account per Sleeper user and per roster (a store written before links
// were unique may break it), and no account linking what paid another.
void check_sleeper_links(const internal::LedgerState& state, std::vector<std::string>& out) {
  std::map<std::string, std::vector<AccountId>> by_user;
  std::map<std::pair<std::string, int64_t>, std::vector<AccountId>> by_roster;
  for (const internal::AccountRecord& rec : state.accounts()) {
    if (!rec.row.sleeper.has_value()) continue;
    const SleeperLink& link = *rec.row.sleeper;
    by_user[link.user_id].push_back(rec.row.id);
    by_roster[std::pair(link.league_id, link.roster_id)].push_back(rec.row.id);
    for (std::optional<AccountId> funded :
         {state.funded_user_holder(link.user_id, link.season),
          state.funded_roster_holder(link.league_id, link.roster_id)}) {
      if (funded && *funded != rec.row.id) {
        out.push_back(internal::cat("sleeper: account ", rec.row.id.value(), " links user ",
                                   link.user_id, " roster ", link.roster_id, " of league ",
                                   link.league_id, ", season ", link.season,
                                   ", which funded account ", funded->value()));
      }
    }
  }
  const auto ids = [](const std::vector<AccountId>& accounts) {
    std::string text;
    for (AccountId id : accounts) text += internal::cat(text.empty() ? "" : ", ", id.value());
    return text;
  };
  for (const auto& [user, accounts] : by_user) {
    if (accounts.size() > 1) {
      out.push_back(internal::cat("sleeper: user ", user, " is linked by accounts ", ids(accounts)));
    }
  }
  for (const auto& [roster, accounts] : by_roster) {
    if (accounts.size() > 1) {
      out.push_back(internal::cat("sleeper: roster ", roster.second, " of league ", roster.first,
                                 " is linked by accounts ", ids(accounts)));
    }
  }
}

void check_ledger(const internal::LedgerState& state, std::vector<std::string>& out) {
  absl::flat_hash_map<AccountId, Expected> expected;
  state.reservations().for_each([&](const Reservation& r) {
    check_reservation(r, out);
    if (!r.active()) return;
    Expected& e = expected[r.account];
    e.open_notional += r.open_notional();
    auto& [buy_pending, sell_reserved] = e.pending[r.symbol];
    if (r.side == Side::kBuy) {
      e.reserved_cash += r.reserved_cash;
      buy_pending += r.remaining_qty;
    } else {
      sell_reserved += r.remaining_qty;
    }
  });
  Cents cash_total{0};
  absl::flat_hash_map<SymbolId, Qty> shares_total;
  for (const internal::AccountRecord& rec : state.accounts()) {
    const Account& a = rec.row;
    const Expected& e = expected[a.id];
    cash_total += a.cash;
    if (a.reserved_cash != e.reserved_cash || a.open_notional != e.open_notional) {
      out.push_back(internal::cat("account ", a.id.value(), ": reserved ", a.reserved_cash.value(),
                                 " / open ", a.open_notional.value(), " cents, reservations say ",
                                 e.reserved_cash.value(), " / ", e.open_notional.value()));
    }
    if (a.cash.value() < 0 || a.available_cash().value() < 0) {  // Invariant 1.
      out.push_back(internal::cat("account ", a.id.value(), ": cash ", a.cash.value(),
                                 " cents, available ", a.available_cash().value(), " cents"));
    }
    for (const auto& [symbol, p] : rec.positions) {
      shares_total[symbol] += p.qty;
      auto it = e.pending.find(symbol);
      const auto [buy_pending, sell_reserved] =
          it == e.pending.end() ? std::pair(Qty{0}, Qty{0}) : it->second;
      if (p.buy_pending_qty != buy_pending || p.sell_reserved_qty != sell_reserved) {
        out.push_back(internal::cat("position ", a.id.value(), "/", symbol.value(),
                                   ": pending buys / reserved sells ",
                                   p.buy_pending_qty.value(), " / ", p.sell_reserved_qty.value(),
                                   " bp, reservations say ", buy_pending.value(), " / ",
                                   sell_reserved.value()));
      }
      if (p.qty.value() < 0 || p.available_qty().value() < 0 || p.cost_basis.value() < 0) {
        out.push_back(internal::cat("position ", a.id.value(), "/", symbol.value(), ": qty ",
                                   p.qty.value(), " bp, available ", p.available_qty().value(),
                                   " bp, cost basis ", p.cost_basis.value(), " cents"));
      }
    }
  }
  // Invariant 4: cash and shares come only from external entries.
  Cents credited{0};
  absl::flat_hash_map<SymbolId, Qty> issued;
  for (const auto& [key, entry] : state.entries()) {
    credited += entry.cash;
    if (entry.kind == EntryKind::kShareIssue) issued[entry.symbol] += entry.qty;
  }
  if (cash_total != credited) {
    out.push_back(internal::cat("conservation: accounts hold ", cash_total.value(),
                               " cents, external entries sum to ", credited.value()));
  }
  for (const auto& [symbol, qty] : shares_total) {
    if (qty != issued[symbol]) {
      out.push_back(internal::cat("conservation: symbol ", symbol.value(), " held ", qty.value(),
                                 " bp, issued ", issued[symbol].value(), " bp"));
    }
  }
}

}  // namespace

namespace internal {
void check_invariants(const LedgerState& state, std::vector<std::string>& violations) {
  check_ledger(state, violations);
  check_sleeper_links(state, violations);
}
}  // namespace internal

namespace {


// Without the history loaded at open, memory keeps each account's trades
// since open, at most the newest trades_in_memory_per_account_max; the store
// keeps them all, and an audit loads that many of each account's newest. They
// agree when each account's trades in memory are the newest of its stored ones. Both lists are grouped
// by account in ascending order, each account's oldest first (to_snapshot).
bool newest_trades_agree(const std::vector<Trade>& memory, const std::vector<Trade>& stored) {
  const auto group_end = [](const std::vector<Trade>& v, size_t from) {
    size_t end = from;
    while (end < v.size() && v[end].account == v[from].account) ++end;
    return end;
  };
  size_t s = 0;
  for (size_t m = 0; m < memory.size();) {
    const size_t m_end = group_end(memory, m);
    while (s < stored.size() && stored[s].account < memory[m].account) ++s;
    const size_t s_end = s < stored.size() && stored[s].account == memory[m].account
                             ? group_end(stored, s)
                             : s;
    const size_t kept = m_end - m;
    if (s_end - s < kept ||
        !std::equal(memory.begin() + static_cast<ptrdiff_t>(m),
                    memory.begin() + static_cast<ptrdiff_t>(m_end),
                    stored.begin() + static_cast<ptrdiff_t>(s_end - kept))) {
      return false;
    }
    m = m_end;
    s = s_end;
  }
  return true;
}

// Adds to `report` where `memory` and `stored`, taken at one committed
// point, differ once `stored` is restored the way open() restores it.
void compare(const LedgerLimits& limits, const LedgerSnapshot& memory,
             const absl::StatusOr<LedgerSnapshot>& stored, AuditReport& report) {
  if (!stored.ok()) {
    report.violations.push_back(
        internal::cat("store: could not load for comparison: ", stored.status().message()));
    return;
  }
  absl::StatusOr<std::unique_ptr<internal::LedgerState>> rebuilt =
      internal::LedgerState::from_snapshot(limits, *stored);
  if (!rebuilt.ok()) {
    report.violations.push_back(
        internal::cat("store: cannot be restored: ", rebuilt.status().message()));
    return;
  }
  const LedgerSnapshot restored = (*rebuilt)->to_snapshot();
  auto differ = [&](std::string_view what, const auto& a, const auto& b) {
    if (a != b) {
      report.violations.push_back(internal::cat("store: ", what, " differ from memory (",
                                               a.size(), " in memory, ", b.size(), " stored)"));
    }
  };
  differ("accounts", memory.accounts, restored.accounts);
  differ("positions", memory.positions, restored.positions);
  differ("entries", memory.entries, restored.entries);
  // With the history loaded at open, memory holds each account's newest trades up to the
  // cap, exactly as a restore does; without, only those since open.
  if (limits.trade_history_loaded_at_open) {
    differ("trades", memory.trades, restored.trades);
  } else if (!newest_trades_agree(memory.trades, restored.trades)) {
    report.violations.push_back(internal::cat(
        "store: trades differ from memory (", memory.trades.size(),
        " in memory, which are not the newest of the ", restored.trades.size(), " stored)"));
  }
  auto active = [](std::vector<Reservation> v) {
    std::erase_if(v, [](const Reservation& r) { return !r.active(); });
    return v;
  };
  differ("active reservations", active(memory.reservations), active(restored.reservations));
  if (memory.journal_head != stored->journal_head) {
    report.violations.push_back(internal::cat(
        "store: journal head is seq ", stored->journal_head.seq, ", memory's seq ",
        memory.journal_head.seq,
        stored->journal_head.seq == memory.journal_head.seq ? " with another hash" : ""));
  }
}

}  // namespace

AuditReport AccountService::Impl::audit() {
  AuditReport report;
  {
    internal::ReaderLock lock(&state_mu_);
    internal::check_invariants(*state_, report.violations);
  }
  compare_with_store(report);
  return report;
}

// Memory and the store agree only between commits. First without holding
// anyone up: take both while no commit or reload of ours runs, and try again
// when one ran meanwhile (store_writes_ moved). A ledger that commits all the
// time may never leave such a window, and a failed commit leaves memory
// behind the store until the next reload; then as the group-commit leader,
// which reloads first when a reload is due and holds commits back for one
// load of the store.
void AccountService::Impl::compare_with_store(AuditReport& report) {
  constexpr int kTriesWithoutLeading = 3;
  for (int i = 0; i < kTriesWithoutLeading; ++i) {
    const uint64_t writes = store_writes_.load(std::memory_order_acquire);
    if (writes % 2 == 1) {
      std::this_thread::yield();
      continue;
    }
    const LedgerSnapshot memory = snapshot();
    const absl::StatusOr<LedgerSnapshot> stored =
        options_.store->load(internal::snapshot_request(options_.limits, now(), /*for_audit=*/true));
    if (store_writes_.load(std::memory_order_acquire) == writes) {
      // A difference may still be an ambiguous commit that landed, which
      // memory learns at the next reload: only the leader, reloading first
      // when one is due, may call it a difference.
      AuditReport found;
      compare(options_.limits, memory, stored, found);
      if (found.ok()) return;
      break;
    }
  }
  bool compared = false;
  const auto stage = [&](internal::Txn& txn, const internal::CommandContext& ctx) {
    // The leader's shared lock on the state is held: read it through the Txn.
    LedgerSnapshot memory = txn.base().to_snapshot();
    const absl::Time cutoff = ctx.now - options_.limits.finished_reservation_retention;
    std::erase_if(memory.reservations,
                  [&](const Reservation& r) { return !r.active() && r.updated_at < cutoff; });
    const SnapshotRequest request =
        internal::snapshot_request(options_.limits, ctx.now, /*for_audit=*/true);
    compare(options_.limits, memory, options_.store->load(request), report);
    compared = true;
    return absl::OkStatus();
  };
  internal::PendingCommand command{.stage = stage};
  const absl::Status status = submit(command);
  if (!compared) {
    report.violations.push_back(internal::cat("store: could not be compared with memory: ",
                                             status.message()));
  }
}

AuditReport audit_store(Store& store, const LedgerLimits& limits, absl::Time now) {
  AuditReport report;
  const absl::StatusOr<LedgerSnapshot> stored =
      store.load(internal::snapshot_request(limits, now, /*for_audit=*/true));
  if (!stored.ok()) {
    report.violations.push_back(
        internal::cat("store: could not load: ", stored.status().message()));
    return report;
  }
  absl::StatusOr<std::unique_ptr<internal::LedgerState>> state =
      internal::LedgerState::from_snapshot(limits, *stored);
  if (!state.ok()) {
    report.violations.push_back(
        internal::cat("store: cannot be restored: ", state.status().message()));
    return report;
  }
  internal::check_invariants(**state, report.violations);
  return report;
}

}  // namespace account
