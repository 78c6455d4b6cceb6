#include "rows.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace account::sqlite {
namespace {

int64_t ns(absl::Time t) { return time_to_ns(t); }
int64_t id(uint64_t v) { return id_to_db(v); }
uint64_t uid(const Stmt& s, int column) { return id_from_db(s.column_int(column)); }
absl::Time time_at(const Stmt& s, int column) { return time_from_ns(s.column_int(column)); }

}  // namespace

absl::Status RowsStatement::prepare(sqlite3* db, const InsertStatement& statement) {
  columns_ = statement.columns;
  std::string row = "(";
  for (int c = 0; c < columns_; ++c) row += c == 0 ? "?" : ", ?";
  row += ")";
  for (size_t k = 0; k < kSizes; ++k) {
    std::string sql = statement.head;
    for (size_t r = 0; r < kRows[k]; ++r) sql += r == 0 ? row : ", " + row;
    sql += statement.tail;
    if (absl::Status ok = stmts_[k].prepare(db, statement.name, sql.c_str()); !ok.ok()) return ok;
  }
  return absl::OkStatus();
}

void bind_row(Stmt& s, int base, const Account& a) {
  s.bind_int(base + 1, id(a.id.value()));
  s.bind_blob(base + 2, a.google_id);
  s.bind_blob(base + 3, a.display_name);
  s.bind_int(base + 4, a.cash.value());
  s.bind_int(base + 5, ns(a.created_at));
}

void bind_row(Stmt& s, int base, const CashBalance& b) {
  s.bind_int(base + 1, id(b.account.value()));
  s.bind_int(base + 2, b.cash.value());
}

void bind_row(Stmt& s, int base, const AccountLink& l) {
  s.bind_int(base + 1, id(l.account.value()));
  s.bind_blob(base + 2, l.link.user_id);
  s.bind_blob(base + 3, l.link.username);
  s.bind_blob(base + 4, l.link.league_id);
  s.bind_blob(base + 5, l.link.season);
  s.bind_int(base + 6, l.link.roster_id);
}

void bind_row(Stmt& s, int base, const Position& p) {
  s.bind_int(base + 1, id(p.account.value()));
  s.bind_int(base + 2, id(p.symbol.value()));
  s.bind_int(base + 3, p.qty.value());
  s.bind_int(base + 4, p.cost_basis.value());
  s.bind_int(base + 5, p.realized_pnl.value());
  s.bind_int(base + 6, p.avg_cost().cents_per_share());
}

void bind_row(Stmt& s, int base, const Reservation& r) {
  s.bind_int(base + 1, id(r.id.value()));
  s.bind_int(base + 2, id(r.account.value()));
  s.bind_int(base + 3, id(r.order.value()));
  s.bind_int(base + 4, id(r.symbol.value()));
  s.bind_int(base + 5, static_cast<int64_t>(r.side));
  s.bind_int(base + 6, r.limit.cents_per_share());
  s.bind_int(base + 7, r.order_qty.value());
  s.bind_int(base + 8, r.remaining_qty.value());
  s.bind_int(base + 9, r.reserved_cash.value());
  s.bind_int(base + 10, static_cast<int64_t>(r.status));
  s.bind_int(base + 11, ns(r.created_at));
  s.bind_int(base + 12, ns(r.expires_at));
  s.bind_int(base + 13, ns(r.updated_at));
}

void bind_row(Stmt& s, int base, const Fill& f) {
  s.bind_int(base + 1, id(f.execution.value()));
  s.bind_int(base + 2, id(f.symbol.value()));
  s.bind_int(base + 3, f.qty.value());
  s.bind_int(base + 4, f.price.cents_per_share());
  s.bind_int(base + 5, id(f.buyer.account.value()));
  s.bind_int(base + 6, id(f.buyer.order.value()));
  s.bind_int(base + 7, id(f.seller.account.value()));
  s.bind_int(base + 8, id(f.seller.order.value()));
  s.bind_int(base + 9, id(f.tick.value()));
  s.bind_int(base + 10, ns(f.time));
}

void bind_row(Stmt& s, int base, const Trade& t) {
  s.bind_int(base + 1, id(t.account.value()));
  s.bind_int(base + 2, id(t.execution.value()));
  s.bind_int(base + 3, id(t.order.value()));
  s.bind_int(base + 4, id(t.symbol.value()));
  s.bind_int(base + 5, static_cast<int64_t>(t.side));
  s.bind_int(base + 6, t.qty.value());
  s.bind_int(base + 7, t.price.cents_per_share());
  s.bind_int(base + 8, t.notional.value());
  s.bind_int(base + 9, t.realized_pnl.value());
  s.bind_int(base + 10, id(t.tick.value()));
  s.bind_int(base + 11, ns(t.time));
}

void bind_row(Stmt& s, int base, const ExternalEntry& e) {
  s.bind_blob(base + 1, e.key);
  s.bind_int(base + 2, static_cast<int64_t>(e.kind));
  s.bind_int(base + 3, id(e.account.value()));
  s.bind_int(base + 4, e.cash.value());
  s.bind_int(base + 5, id(e.symbol.value()));
  s.bind_int(base + 6, e.qty.value());
  s.bind_int(base + 7, ns(e.time));
}

void bind_row(Stmt& s, int base, const JournalRecord& j) {
  s.bind_int(base + 1, id(j.seq));
  s.bind_int(base + 2, ns(j.committed_at));
  s.bind_blob(base + 3, std::string_view(reinterpret_cast<const char*>(j.hash.data()),
                                         j.hash.size()));
  s.bind_blob(base + 4, j.bytes);
}

void bind_row(Stmt& s, int base, const JournalCheckpoint& c) {
  const auto blob = [](const ChainHash& h) {
    return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
  };
  s.bind_int(base + 1, id(c.seq));
  s.bind_int(base + 2, ns(c.committed_at));
  s.bind_blob(base + 3, blob(c.hash));
  s.bind_blob(base + 4, c.state);
  s.bind_blob(base + 5, blob(c.digest));
}

Account read_account(const Stmt& s) {
  Account a{.id = AccountId{uid(s, 0)},
            .google_id = s.column_blob(1),
            .display_name = s.column_blob(2),
            .created_at = time_at(s, 4),
            .cash = Cents{s.column_int(3)}};
  // A link is written whole, so its user id stands for all of it.
  if (!s.column_null(5)) {
    a.sleeper = SleeperLink{.user_id = s.column_blob(5),
                            .username = s.column_blob(6),
                            .league_id = s.column_blob(7),
                            .season = s.column_blob(8),
                            .roster_id = s.column_int(9)};
  }
  return a;
}

Position read_position(const Stmt& s) {
  return Position{.account = AccountId{uid(s, 0)},
                  .symbol = SymbolId{uid(s, 1)},
                  .qty = Qty{s.column_int(2)},
                  .cost_basis = Cents{s.column_int(3)},
                  .realized_pnl = Cents{s.column_int(4)}};
}

Reservation read_reservation(const Stmt& s) {
  return Reservation{.id = ReservationId{uid(s, 0)},
                     .account = AccountId{uid(s, 1)},
                     .order = OrderId{uid(s, 2)},
                     .symbol = SymbolId{uid(s, 3)},
                     .side = static_cast<Side>(s.column_int(4)),
                     .limit = Price{s.column_int(5)},
                     .order_qty = Qty{s.column_int(6)},
                     .remaining_qty = Qty{s.column_int(7)},
                     .reserved_cash = Cents{s.column_int(8)},
                     .created_at = time_at(s, 10),
                     .expires_at = time_at(s, 11),
                     .updated_at = time_at(s, 12),
                     .status = static_cast<ReservationStatus>(s.column_int(9))};
}

Fill read_fill(const Stmt& s) {
  return Fill{.execution = ExecutionId{uid(s, 0)},
              .symbol = SymbolId{uid(s, 1)},
              .qty = Qty{s.column_int(2)},
              .price = Price{s.column_int(3)},
              .buyer = {AccountId{uid(s, 4)}, OrderId{uid(s, 5)}},
              .seller = {AccountId{uid(s, 6)}, OrderId{uid(s, 7)}},
              .tick = TickId{uid(s, 8)},
              .time = time_at(s, 9)};
}

Trade read_trade(const Stmt& s) {
  return Trade{.execution = ExecutionId{uid(s, 0)},
               .account = AccountId{uid(s, 1)},
               .order = OrderId{uid(s, 2)},
               .symbol = SymbolId{uid(s, 3)},
               .side = static_cast<Side>(s.column_int(4)),
               .qty = Qty{s.column_int(5)},
               .price = Price{s.column_int(6)},
               .notional = Cents{s.column_int(7)},
               .realized_pnl = Cents{s.column_int(8)},
               .tick = TickId{uid(s, 9)},
               .time = time_at(s, 10)};
}

ExternalEntry read_entry(const Stmt& s) {
  return ExternalEntry{.key = s.column_blob(0),
                       .kind = static_cast<EntryKind>(s.column_int(1)),
                       .account = AccountId{uid(s, 2)},
                       .cash = Cents{s.column_int(3)},
                       .symbol = SymbolId{uid(s, 4)},
                       .qty = Qty{s.column_int(5)},
                       .time = time_at(s, 6)};
}

ChainHash chain_hash_from(const std::string& blob) {
  ChainHash hash{};
  std::memcpy(hash.data(), blob.data(), std::min(blob.size(), hash.size()));
  return hash;
}

JournalRecord read_journal_record(const Stmt& s) {
  return JournalRecord{.seq = uid(s, 0),
                       .committed_at = time_at(s, 1),
                       .bytes = s.column_blob(3),
                       .hash = chain_hash_from(s.column_blob(2))};
}

JournalCheckpoint read_journal_checkpoint(const Stmt& s) {
  return JournalCheckpoint{.seq = uid(s, 0),
                           .committed_at = time_at(s, 1),
                           .hash = chain_hash_from(s.column_blob(2)),
                           .state = s.column_blob(3),
                           .digest = chain_hash_from(s.column_blob(4))};
}

}  // namespace account::sqlite
