#include "journal/state_compare.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "account/external_entry.h"
#include "account/reservation.h"
#include "account/side.h"
#include "base/strings.h"

namespace account::internal {
namespace {

// --- Values in words ---------------------------------------------------------------------------

std::string text(Cents v) { return cat(v.value(), " cents"); }
std::string text(Qty v) { return cat(v.value(), " bp"); }
std::string text(Price v) { return cat(v.cents_per_share(), " cents/share"); }
template <typename Tag, typename Rep>
std::string text(StrongId<Tag, Rep> id) {
  return cat(id.value());
}
std::string text(uint64_t v) { return cat(v); }
std::string text(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}
std::string text(const std::string& s) { return cat("\"", absl::CHexEscape(s), "\""); }
std::string text(Side v) { return std::string(side_name(v)); }
std::string text(ReservationStatus v) { return std::string(reservation_status_name(v)); }
std::string text(EntryKind v) { return std::string(entry_kind_name(v)); }
std::string text(const std::optional<SleeperLink>& link) {
  if (!link) return "none";
  return cat("{user ", text(link->user_id), ", username ", text(link->username), ", league ",
             text(link->league_id), ", season ", text(link->season), ", roster ", link->roster_id,
             "}");
}
std::string text(const ChainHash& h) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

// The first field, in the order named, whose two sides differ: "cash: journal 500 cents, store
// 400 cents". Only that one is put in words.
class FirstField {
 public:
  template <typename T>
  void operator()(std::string_view name, const T& journal, const T& store) {
    if (!found_ && !(journal == store)) {
      found_ = cat(name, ": journal ", text(journal), ", store ", text(store));
    }
  }
  std::optional<std::string> result() { return std::move(found_); }

 private:
  std::optional<std::string> found_;
};

// --- Tables ------------------------------------------------------------------------------------
// Each table's key, its name in words, the seq that last wrote it, whether a row counts, and the
// stored fields compared (the key's own fields are equal already).

struct AccountRows {
  static constexpr LedgerTable kTable = LedgerTable::kAccounts;
  static AccountId key(const Account& a) { return a.id; }
  static std::string name(const Account& a) { return cat("account ", a.id.value()); }
  static uint64_t seq(const JournalReplay& r, const Account& a) { return r.account_seq(a.id); }
  static bool kept(const Account&) { return true; }
  static std::optional<std::string> differs(const Account& j, const Account& s) {
    FirstField f;
    f("google id", j.google_id, s.google_id);
    f("display name", j.display_name, s.display_name);
    f("created at", j.created_at, s.created_at);
    f("cash", j.cash, s.cash);
    f("Sleeper link", j.sleeper, s.sleeper);
    return f.result();
  }
};

struct PositionRows {
  static constexpr LedgerTable kTable = LedgerTable::kPositions;
  static std::pair<AccountId, SymbolId> key(const Position& p) { return {p.account, p.symbol}; }
  static std::string name(const Position& p) {
    return cat("position of account ", p.account.value(), " in symbol ", p.symbol.value());
  }
  static uint64_t seq(const JournalReplay& r, const Position& p) {
    return r.position_seq(p.account, p.symbol);
  }
  // One with no figure is as good as absent: a store may keep it or not.
  static bool kept(const Position& p) { return p.has_stored_figures(); }
  static std::optional<std::string> differs(const Position& j, const Position& s) {
    FirstField f;
    f("qty", j.qty, s.qty);
    f("cost basis", j.cost_basis, s.cost_basis);
    f("realized P&L", j.realized_pnl, s.realized_pnl);
    return f.result();
  }
};

struct ReservationRows {
  static constexpr LedgerTable kTable = LedgerTable::kReservations;
  static ReservationId key(const Reservation& r) { return r.id; }
  static std::string name(const Reservation& r) { return cat("reservation ", r.id.value()); }
  static uint64_t seq(const JournalReplay& replay, const Reservation& r) {
    return replay.reservation_seq(r.id);
  }
  static bool kept(const Reservation&) { return true; }
  static std::optional<std::string> differs(const Reservation& j, const Reservation& s) {
    FirstField f;
    f("account", j.account, s.account);
    f("order", j.order, s.order);
    f("symbol", j.symbol, s.symbol);
    f("side", j.side, s.side);
    f("limit", j.limit, s.limit);
    f("order qty", j.order_qty, s.order_qty);
    f("remaining qty", j.remaining_qty, s.remaining_qty);
    f("reserved cash", j.reserved_cash, s.reserved_cash);
    f("created at", j.created_at, s.created_at);
    f("expires at", j.expires_at, s.expires_at);
    f("updated at", j.updated_at, s.updated_at);
    f("status", j.status, s.status);
    return f.result();
  }
};

struct ExecutionRows {
  static constexpr LedgerTable kTable = LedgerTable::kExecutions;
  static ExecutionId key(const Fill& f) { return f.execution; }
  static std::string name(const Fill& f) { return cat("execution ", f.execution.value()); }
  static uint64_t seq(const JournalReplay& r, const Fill& f) {
    return r.execution_seq(f.execution);
  }
  static bool kept(const Fill&) { return true; }
  static std::optional<std::string> differs(const Fill& j, const Fill& s) {
    FirstField f;
    f("symbol", j.symbol, s.symbol);
    f("qty", j.qty, s.qty);
    f("price", j.price, s.price);
    f("buyer", j.buyer.account, s.buyer.account);
    f("buyer's order", j.buyer.order, s.buyer.order);
    f("seller", j.seller.account, s.seller.account);
    f("seller's order", j.seller.order, s.seller.order);
    f("tick", j.tick, s.tick);
    f("time", j.time, s.time);
    return f.result();
  }
};

struct TradeRows {
  static constexpr LedgerTable kTable = LedgerTable::kTrades;
  // Side's values order the buyer's trade (kBuy = 1) before the seller's (kSell = 2).
  static std::pair<ExecutionId, Side> key(const Trade& t) { return {t.execution, t.side}; }
  static std::string name(const Trade& t) {
    return cat(t.side == Side::kBuy ? "the buyer's" : "the seller's", " trade of execution ",
               t.execution.value());
  }
  static uint64_t seq(const JournalReplay& r, const Trade& t) {
    return r.trade_seq(t.execution, t.side);
  }
  static bool kept(const Trade&) { return true; }
  static std::optional<std::string> differs(const Trade& j, const Trade& s) {
    FirstField f;
    f("account", j.account, s.account);
    f("order", j.order, s.order);
    f("symbol", j.symbol, s.symbol);
    f("qty", j.qty, s.qty);
    f("price", j.price, s.price);
    f("notional", j.notional, s.notional);
    f("realized P&L", j.realized_pnl, s.realized_pnl);
    f("tick", j.tick, s.tick);
    f("time", j.time, s.time);
    return f.result();
  }
};

struct EntryRows {
  static constexpr LedgerTable kTable = LedgerTable::kEntries;
  static std::string_view key(const ExternalEntry& e) { return e.key; }
  static std::string name(const ExternalEntry& e) { return cat("entry ", text(e.key)); }
  static uint64_t seq(const JournalReplay& r, const ExternalEntry& e) { return r.entry_seq(e.key); }
  static bool kept(const ExternalEntry&) { return true; }
  static std::optional<std::string> differs(const ExternalEntry& j, const ExternalEntry& s) {
    FirstField f;
    f("kind", j.kind, s.kind);
    f("account", j.account, s.account);
    f("cash", j.cash, s.cash);
    f("symbol", j.symbol, s.symbol);
    f("qty", j.qty, s.qty);
    f("time", j.time, s.time);
    return f.result();
  }
};

// The table's rows that count, sorted by key.
template <typename Rows, typename Row>
std::vector<const Row*> normalized(const std::vector<Row>& rows) {
  std::vector<const Row*> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    if (Rows::kept(row)) out.push_back(&row);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Row* a, const Row* b) { return Rows::key(*a) < Rows::key(*b); });
  return out;
}

// Walks both sides in key order to the first row that one lacks or that differs.
template <typename Rows, typename Row>
std::optional<RowDifference> first_in_table(const JournalReplay& replay,
                                            const std::vector<Row>& journal_rows,
                                            const std::vector<Row>& stored_rows) {
  const std::vector<const Row*> journal = normalized<Rows>(journal_rows);
  const std::vector<const Row*> stored = normalized<Rows>(stored_rows);
  const auto difference = [&](const Row& row, std::string what) {
    return RowDifference{.table = Rows::kTable,
                         .row = Rows::name(row),
                         .last_written_seq = Rows::seq(replay, row),
                         .difference = std::move(what)};
  };
  size_t j = 0;
  size_t s = 0;
  while (j < journal.size() || s < stored.size()) {
    if (s == stored.size() ||
        (j < journal.size() && Rows::key(*journal[j]) < Rows::key(*stored[s]))) {
      return difference(*journal[j], "in the journal's replay, not in the store");
    }
    if (j == journal.size() || Rows::key(*stored[s]) < Rows::key(*journal[j])) {
      return difference(*stored[s], "in the store, not in the journal's replay");
    }
    if (std::optional<std::string> what = Rows::differs(*journal[j], *stored[s])) {
      return difference(*journal[j], std::move(*what));
    }
    ++j;
    ++s;
  }
  return std::nullopt;
}

std::optional<RowDifference> first_in_ledger(const JournalReplay& replay,
                                             const LedgerSnapshot& journal,
                                             const LedgerSnapshot& stored) {
  if (journal.reservation_id_high_water != stored.reservation_id_high_water) {
    return RowDifference{.table = LedgerTable::kLedger,
                         .row = "the reservation id high-water mark",
                         .last_written_seq = replay.reservation_id_high_water_seq(),
                         .difference = cat("journal ", journal.reservation_id_high_water,
                                           ", store ", stored.reservation_id_high_water)};
  }
  FirstField head_field;
  head_field("seq", journal.journal_head.seq, stored.journal_head.seq);
  head_field("hash", journal.journal_head.hash, stored.journal_head.hash);
  if (std::optional<std::string> head = head_field.result()) {
    return RowDifference{.table = LedgerTable::kLedger,
                         .row = "the journal head",
                         .last_written_seq = journal.journal_head.seq,
                         .difference = std::move(*head)};
  }
  return std::nullopt;
}

}  // namespace

std::string_view ledger_table_name(LedgerTable table) {
  switch (table) {
    case LedgerTable::kAccounts:
      return "accounts";
    case LedgerTable::kPositions:
      return "positions";
    case LedgerTable::kReservations:
      return "reservations";
    case LedgerTable::kExecutions:
      return "executions";
    case LedgerTable::kTrades:
      return "trades";
    case LedgerTable::kEntries:
      return "entries";
    case LedgerTable::kLedger:
      return "ledger";
  }
  return "unknown";
}

std::string RowDifference::to_string() const {
  if (last_written_seq == 0) return cat(row, ", never written by the journal: ", difference);
  return cat(row, ", last written by seq ", last_written_seq, ": ", difference);
}

std::optional<RowDifference> first_difference(const JournalReplay& replayed,
                                              const LedgerSnapshot& stored) {
  const LedgerSnapshot journal = replayed.rows();
  if (auto d = first_in_table<AccountRows>(replayed, journal.accounts, stored.accounts)) return d;
  if (auto d = first_in_table<PositionRows>(replayed, journal.positions, stored.positions)) {
    return d;
  }
  if (auto d =
          first_in_table<ReservationRows>(replayed, journal.reservations, stored.reservations)) {
    return d;
  }
  if (auto d = first_in_table<ExecutionRows>(replayed, journal.executions, stored.executions)) {
    return d;
  }
  if (auto d = first_in_table<TradeRows>(replayed, journal.trades, stored.trades)) return d;
  if (auto d = first_in_table<EntryRows>(replayed, journal.entries, stored.entries)) return d;
  return first_in_ledger(replayed, journal, stored);
}

}  // namespace account::internal
