#include "rows.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/types/span.h"
#include "base/strings.h"
#include "statements.h"

namespace account::pg {
namespace {

// `rows` with only the last row of each key, in their original order.
// Returns `rows` itself when no key repeats (the ledger's case).
template <typename Row, typename Key>
absl::Span<const Row> last_images(const std::vector<Row>& rows, Key key,
                                  std::vector<Row>& storage) {
  absl::flat_hash_set<decltype(key(rows.front()))> seen;
  bool repeats = false;
  for (const Row& r : rows) repeats = repeats || !seen.insert(key(r)).second;
  if (!repeats) return rows;
  seen.clear();
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    if (seen.insert(key(*it)).second) storage.push_back(*it);
  }
  std::reverse(storage.begin(), storage.end());
  return storage;
}

int64_t ns(absl::Time t) { return time_to_ns(t); }
int64_t id(uint64_t v) { return id_to_db(v); }

void add_accounts(absl::Span<const Account> r, CommitParams& out) {
  Params& p = out.accounts;
  p.add_int8_column(r, [](const Account& a) { return id(a.id.value()); });
  p.add_bytea_column(r, [](const Account& a) -> const std::string& { return a.google_id; });
  p.add_bytea_column(r, [](const Account& a) -> const std::string& { return a.display_name; });
  p.add_int8_column(r, [](const Account& a) { return a.cash.value(); });
  p.add_int8_column(r, [](const Account& a) { return ns(a.created_at); });
  out.steps.push_back({.prepared = kInsertAccounts.name, .params = &p});
}

void add_balances(absl::Span<const CashBalance> r, CommitParams& out) {
  Params& p = out.balances;
  p.add_int8_column(r, [](const CashBalance& b) { return id(b.account.value()); });
  p.add_int8_column(r, [](const CashBalance& b) { return b.cash.value(); });
  out.steps.push_back({.prepared = kUpdateBalances.name, .params = &p});
}

void add_links(absl::Span<const AccountLink> r, CommitParams& out) {
  Params& p = out.links;
  p.add_int8_column(r, [](const AccountLink& l) { return id(l.account.value()); });
  p.add_bytea_column(r, [](const AccountLink& l) -> const std::string& { return l.link.user_id; });
  p.add_bytea_column(r,
                     [](const AccountLink& l) -> const std::string& { return l.link.username; });
  p.add_bytea_column(r,
                     [](const AccountLink& l) -> const std::string& { return l.link.league_id; });
  p.add_bytea_column(r, [](const AccountLink& l) -> const std::string& { return l.link.season; });
  p.add_int8_column(r, [](const AccountLink& l) { return l.link.roster_id; });
  out.steps.push_back({.prepared = kUpdateLinks.name, .params = &p});
}

void add_positions(absl::Span<const Position> r, CommitParams& out) {
  Params& p = out.positions;
  p.add_int8_column(r, [](const Position& x) { return id(x.account.value()); });
  p.add_int8_column(r, [](const Position& x) { return id(x.symbol.value()); });
  p.add_int8_column(r, [](const Position& x) { return x.qty.value(); });
  p.add_int8_column(r, [](const Position& x) { return x.cost_basis.value(); });
  p.add_int8_column(r, [](const Position& x) { return x.realized_pnl.value(); });
  p.add_int8_column(r, [](const Position& x) { return x.avg_cost().cents_per_share(); });
  out.steps.push_back({.prepared = kUpsertPositions.name, .params = &p});
}

void add_reservations(absl::Span<const Reservation> r, CommitParams& out) {
  Params& p = out.reservations;
  p.add_int8_column(r, [](const Reservation& x) { return id(x.id.value()); });
  p.add_int8_column(r, [](const Reservation& x) { return id(x.account.value()); });
  p.add_int8_column(r, [](const Reservation& x) { return id(x.order.value()); });
  p.add_int8_column(r, [](const Reservation& x) { return id(x.symbol.value()); });
  p.add_int8_column(r, [](const Reservation& x) { return static_cast<int64_t>(x.side); });
  p.add_int8_column(r, [](const Reservation& x) { return x.limit.cents_per_share(); });
  p.add_int8_column(r, [](const Reservation& x) { return x.order_qty.value(); });
  p.add_int8_column(r, [](const Reservation& x) { return x.remaining_qty.value(); });
  p.add_int8_column(r, [](const Reservation& x) { return x.reserved_cash.value(); });
  p.add_int8_column(r, [](const Reservation& x) { return static_cast<int64_t>(x.status); });
  p.add_int8_column(r, [](const Reservation& x) { return ns(x.created_at); });
  p.add_int8_column(r, [](const Reservation& x) { return ns(x.expires_at); });
  p.add_int8_column(r, [](const Reservation& x) { return ns(x.updated_at); });
  out.steps.push_back({.prepared = kUpsertReservations.name, .params = &p});
}

void add_executions(absl::Span<const Fill> r, CommitParams& out) {
  Params& p = out.executions;
  p.add_int8_column(r, [](const Fill& f) { return id(f.execution.value()); });
  p.add_int8_column(r, [](const Fill& f) { return id(f.symbol.value()); });
  p.add_int8_column(r, [](const Fill& f) { return f.qty.value(); });
  p.add_int8_column(r, [](const Fill& f) { return f.price.cents_per_share(); });
  p.add_int8_column(r, [](const Fill& f) { return id(f.buyer.account.value()); });
  p.add_int8_column(r, [](const Fill& f) { return id(f.buyer.order.value()); });
  p.add_int8_column(r, [](const Fill& f) { return id(f.seller.account.value()); });
  p.add_int8_column(r, [](const Fill& f) { return id(f.seller.order.value()); });
  p.add_int8_column(r, [](const Fill& f) { return id(f.tick.value()); });
  p.add_int8_column(r, [](const Fill& f) { return ns(f.time); });
  out.steps.push_back({.prepared = kInsertExecutions.name, .params = &p});
}

void add_trades(absl::Span<const Trade> r, CommitParams& out) {
  Params& p = out.trades;
  p.add_int8_column(r, [](const Trade& t) { return id(t.account.value()); });
  p.add_int8_column(r, [](const Trade& t) { return id(t.execution.value()); });
  p.add_int8_column(r, [](const Trade& t) { return id(t.order.value()); });
  p.add_int8_column(r, [](const Trade& t) { return id(t.symbol.value()); });
  p.add_int8_column(r, [](const Trade& t) { return static_cast<int64_t>(t.side); });
  p.add_int8_column(r, [](const Trade& t) { return t.qty.value(); });
  p.add_int8_column(r, [](const Trade& t) { return t.price.cents_per_share(); });
  p.add_int8_column(r, [](const Trade& t) { return t.notional.value(); });
  p.add_int8_column(r, [](const Trade& t) { return t.realized_pnl.value(); });
  p.add_int8_column(r, [](const Trade& t) { return id(t.tick.value()); });
  p.add_int8_column(r, [](const Trade& t) { return ns(t.time); });
  out.steps.push_back({.prepared = kInsertTrades.name, .params = &p});
}

void add_entries(absl::Span<const ExternalEntry> r, CommitParams& out) {
  Params& p = out.entries;
  p.add_bytea_column(r, [](const ExternalEntry& e) -> const std::string& { return e.key; });
  p.add_int8_column(r, [](const ExternalEntry& e) { return static_cast<int64_t>(e.kind); });
  p.add_int8_column(r, [](const ExternalEntry& e) { return id(e.account.value()); });
  p.add_int8_column(r, [](const ExternalEntry& e) { return e.cash.value(); });
  p.add_int8_column(r, [](const ExternalEntry& e) { return id(e.symbol.value()); });
  p.add_int8_column(r, [](const ExternalEntry& e) { return e.qty.value(); });
  p.add_int8_column(r, [](const ExternalEntry& e) { return ns(e.time); });
  out.steps.push_back({.prepared = kInsertEntries.name, .params = &p});
}

std::string_view bytes_of(const ChainHash& hash) {
  return std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size());
}

void add_journal(const JournalRecord& j, CommitParams& out) {
  Params& p = out.journal;
  p.add_int8(static_cast<int64_t>(j.seq));
  p.add_int8(ns(j.committed_at));
  p.add_bytea(bytes_of(j.hash));
  p.add_bytea(j.bytes);
  out.steps.push_back({.prepared = kAppendJournal.name, .params = &p});
}

// A chain hash from a bytea column: exactly 32 bytes, as the schema's check
// holds them.
absl::Status read_hash(const PGresult* r, int row, int column, ChainHash& out) {
  if (PQgetlength(r, row, column) != static_cast<int>(out.size())) {
    return absl::InternalError(internal::cat("journal: a stored hash of ",
                                             PQgetlength(r, row, column), " bytes, not 32"));
  }
  std::memcpy(out.data(), PQgetvalue(r, row, column), out.size());
  return absl::OkStatus();
}

// Result readers. `row` columns follow the statements in statements.h.
int64_t at(const PGresult* r, int row, int column) { return get_int(r, row, column); }
uint64_t uat(const PGresult* r, int row, int column) { return id_from_db(get_int(r, row, column)); }
absl::Time tat(const PGresult* r, int row, int column) {
  return time_from_ns(get_int(r, row, column));
}

absl::Status read_accounts(const PGresult* r, std::vector<Account>& out) {
  if (absl::Status ok = expect_columns(r, "ibbiibbbbi", "accounts"); !ok.ok()) return ok;
  for (int i = 0; i < PQntuples(r); ++i) {
    out.push_back(Account{.id = AccountId{uat(r, i, 0)},
                          .google_id = get_bytes(r, i, 1),
                          .display_name = get_bytes(r, i, 2),
                          .created_at = tat(r, i, 4),
                          .cash = Cents{at(r, i, 3)}});
    // A link is written whole, with a non-empty user id; '' means none.
    std::string user_id = get_bytes(r, i, 5);
    if (user_id.empty()) continue;
    out.back().sleeper = SleeperLink{.user_id = std::move(user_id),
                                     .username = get_bytes(r, i, 6),
                                     .league_id = get_bytes(r, i, 7),
                                     .season = get_bytes(r, i, 8),
                                     .roster_id = at(r, i, 9)};
  }
  return absl::OkStatus();
}

absl::Status read_positions(const PGresult* r, std::vector<Position>& out) {
  if (absl::Status ok = expect_columns(r, "iiiii", "positions"); !ok.ok()) return ok;
  for (int i = 0; i < PQntuples(r); ++i) {
    out.push_back(Position{.account = AccountId{uat(r, i, 0)},
                           .symbol = SymbolId{uat(r, i, 1)},
                           .qty = Qty{at(r, i, 2)},
                           .cost_basis = Cents{at(r, i, 3)},
                           .realized_pnl = Cents{at(r, i, 4)}});
  }
  return absl::OkStatus();
}

}  // namespace

void build_commit_params(const ChangeSet& c, CommitParams& out) {
  std::vector<CashBalance> balances;
  std::vector<AccountLink> links;
  std::vector<Position> positions;
  std::vector<Reservation> reservations;
  if (c.journal.seq != 0) add_journal(c.journal, out);
  if (!c.new_accounts.empty()) add_accounts(c.new_accounts, out);
  if (!c.balances.empty()) {
    add_balances(last_images(
                     c.balances, [](const CashBalance& b) { return b.account; }, balances),
                 out);
  }
  if (!c.links.empty()) {
    add_links(last_images(c.links, [](const AccountLink& l) { return l.account; }, links), out);
  }
  if (!c.positions.empty()) {
    auto key = [](const Position& p) { return std::pair(p.account, p.symbol); };
    add_positions(last_images(c.positions, key, positions), out);
  }
  if (!c.reservations.empty()) {
    auto key = [](const Reservation& r) { return r.id; };
    add_reservations(last_images(c.reservations, key, reservations), out);
  }
  if (!c.executions.empty()) add_executions(c.executions, out);
  if (!c.trades.empty()) add_trades(c.trades, out);
  if (!c.entries.empty()) add_entries(c.entries, out);
}

int64_t window_start_ns(int64_t newest_ns, absl::Duration retention) {
  const absl::Time start = time_from_ns(newest_ns) - retention;
  if (start == absl::InfinitePast() || start <= absl::FromUnixNanos(INT64_MIN)) return INT64_MIN;
  // Only the infinite future (stored as the largest bigint) is at or after it.
  if (start > absl::FromUnixNanos(INT64_MAX)) return INT64_MAX;
  int64_t ns = absl::ToUnixNanos(start);
  if (absl::FromUnixNanos(ns) < start) ++ns;
  return ns;
}

absl::Status read_fills(const PGresult* r, std::vector<Fill>& out) {
  if (absl::Status ok = expect_columns(r, "iiiiiiiiii", "executions"); !ok.ok()) return ok;
  for (int i = 0; i < PQntuples(r); ++i) {
    out.push_back(Fill{.execution = ExecutionId{uat(r, i, 0)},
                       .symbol = SymbolId{uat(r, i, 1)},
                       .qty = Qty{at(r, i, 2)},
                       .price = Price{at(r, i, 3)},
                       .buyer = {AccountId{uat(r, i, 4)}, OrderId{uat(r, i, 5)}},
                       .seller = {AccountId{uat(r, i, 6)}, OrderId{uat(r, i, 7)}},
                       .tick = TickId{uat(r, i, 8)},
                       .time = tat(r, i, 9)});
  }
  return absl::OkStatus();
}

namespace {

// The trade of row `i`, from the trade columns (statements.h) at 0..10.
Trade trade_at(const PGresult* r, int i) {
  return Trade{.execution = ExecutionId{uat(r, i, 0)},
               .account = AccountId{uat(r, i, 1)},
               .order = OrderId{uat(r, i, 2)},
               .symbol = SymbolId{uat(r, i, 3)},
               .side = static_cast<Side>(at(r, i, 4)),
               .qty = Qty{at(r, i, 5)},
               .price = Price{at(r, i, 6)},
               .notional = Cents{at(r, i, 7)},
               .realized_pnl = Cents{at(r, i, 8)},
               .tick = TickId{uat(r, i, 9)},
               .time = tat(r, i, 10)};
}

}  // namespace

absl::Status read_trades(const PGresult* r, std::vector<Trade>& out) {
  if (absl::Status ok = expect_columns(r, "iiiiiiiiiii", "trades"); !ok.ok()) return ok;
  for (int i = 0; i < PQntuples(r); ++i) out.push_back(trade_at(r, i));
  return absl::OkStatus();
}

absl::Status read_trades_with_ids(const PGresult* r, std::vector<Trade>& out,
                                  std::vector<uint64_t>& ids) {
  if (absl::Status ok = expect_columns(r, "iiiiiiiiiiii", "trade page"); !ok.ok()) return ok;
  for (int i = 0; i < PQntuples(r); ++i) {
    out.push_back(trade_at(r, i));
    ids.push_back(uat(r, i, 11));
  }
  return absl::OkStatus();
}

absl::Status read_reservations(const PGresult* r, std::vector<Reservation>& out) {
  if (absl::Status ok = expect_columns(r, "iiiiiiiiiiiii", "reservations"); !ok.ok()) return ok;
  for (int i = 0; i < PQntuples(r); ++i) {
    out.push_back(Reservation{.id = ReservationId{uat(r, i, 0)},
                              .account = AccountId{uat(r, i, 1)},
                              .order = OrderId{uat(r, i, 2)},
                              .symbol = SymbolId{uat(r, i, 3)},
                              .side = static_cast<Side>(at(r, i, 4)),
                              .limit = Price{at(r, i, 5)},
                              .order_qty = Qty{at(r, i, 6)},
                              .remaining_qty = Qty{at(r, i, 7)},
                              .reserved_cash = Cents{at(r, i, 8)},
                              .created_at = tat(r, i, 10),
                              .expires_at = tat(r, i, 11),
                              .updated_at = tat(r, i, 12),
                              .status = static_cast<ReservationStatus>(at(r, i, 9))});
  }
  return absl::OkStatus();
}

absl::Status read_entries(const PGresult* r, std::vector<ExternalEntry>& out) {
  if (absl::Status ok = expect_columns(r, "biiiiii", "external entries"); !ok.ok()) return ok;
  for (int i = 0; i < PQntuples(r); ++i) {
    out.push_back(ExternalEntry{.key = get_bytes(r, i, 0),
                                .kind = static_cast<EntryKind>(at(r, i, 1)),
                                .account = AccountId{uat(r, i, 2)},
                                .cash = Cents{at(r, i, 3)},
                                .symbol = SymbolId{uat(r, i, 4)},
                                .qty = Qty{at(r, i, 5)},
                                .time = tat(r, i, 6)});
  }
  return absl::OkStatus();
}

absl::Status read_journal(const PGresult* r, std::vector<JournalRecord>& out) {
  if (absl::Status ok = expect_columns(r, "iibb", "journal"); !ok.ok()) return ok;
  for (int i = 0; i < PQntuples(r); ++i) {
    JournalRecord record{.seq = static_cast<uint64_t>(at(r, i, 0)),
                         .committed_at = tat(r, i, 1),
                         .bytes = get_bytes(r, i, 3)};
    if (absl::Status ok = read_hash(r, i, 2, record.hash); !ok.ok()) return ok;
    out.push_back(std::move(record));
  }
  return absl::OkStatus();
}

absl::StatusOr<JournalHead> read_journal_head(const PGresult* r) {
  if (absl::Status ok = expect_columns(r, "ib", "journal head"); !ok.ok()) return ok;
  JournalHead head;
  if (PQntuples(r) == 0) return head;
  head.seq = static_cast<uint64_t>(at(r, 0, 0));
  if (absl::Status ok = read_hash(r, 0, 1, head.hash); !ok.ok()) return ok;
  return head;
}

void build_prune_params(const JournalPrune& prune, Params& out) {
  const JournalCheckpoint& c = prune.checkpoint;
  out.add_int8(static_cast<int64_t>(c.seq));
  out.add_int8(ns(c.committed_at));
  out.add_bytea(bytes_of(c.hash));
  out.add_bytea(c.state);
  out.add_bytea(bytes_of(c.digest));
  out.add_int8(id(prune.last_removed_execution.value()));
  out.add_int8(prune.past_cursors ? 1 : 0);
}

absl::StatusOr<JournalPruneResult> read_prune_result(const PGresult* r) {
  if (absl::Status ok = expect_columns(r, "iii", "prune"); !ok.ok()) return ok;
  if (PQntuples(r) != 1) {
    return absl::InternalError(internal::cat("prune: ", PQntuples(r), " result rows, not 1"));
  }
  return JournalPruneResult{.checkpoint_seq = static_cast<uint64_t>(at(r, 0, 0)),
                            .entries_removed = static_cast<uint64_t>(at(r, 0, 1)),
                            .trades_removed = static_cast<uint64_t>(at(r, 0, 2))};
}

absl::StatusOr<std::optional<JournalCheckpoint>> read_journal_checkpoint(const PGresult* r) {
  if (absl::Status ok = expect_columns(r, "iibbb", "journal checkpoint"); !ok.ok()) return ok;
  if (PQntuples(r) == 0) return std::optional<JournalCheckpoint>();
  JournalCheckpoint c{.seq = static_cast<uint64_t>(at(r, 0, 0)),
                      .committed_at = tat(r, 0, 1),
                      .state = get_bytes(r, 0, 3)};
  if (absl::Status ok = read_hash(r, 0, 2, c.hash); !ok.ok()) return ok;
  if (absl::Status ok = read_hash(r, 0, 4, c.digest); !ok.ok()) return ok;
  return std::optional<JournalCheckpoint>(std::move(c));
}

absl::Status read_load_rows(LoadTable table, const PGresult* result, LedgerSnapshot& out) {
  switch (table) {
    case LoadTable::kAccounts:
      return read_accounts(result, out.accounts);
    case LoadTable::kPositions:
      return read_positions(result, out.positions);
    case LoadTable::kReservations:
      return read_reservations(result, out.reservations);
    case LoadTable::kExecutions:
      return read_fills(result, out.executions);
    case LoadTable::kTrades:
      return read_trades(result, out.trades);
    case LoadTable::kEntries:
      return read_entries(result, out.entries);
  }
  return absl::InternalError("load: unknown table");
}

}  // namespace account::pg
