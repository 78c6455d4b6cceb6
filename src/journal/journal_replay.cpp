#include "journal/journal_replay.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <variant>

#include "absl/strings/escaping.h"
#include "account/notional.h"
#include "base/strings.h"
#include "journal/entry_codec.h"
#include "ledger/fill_trade.h"

namespace account::internal {
namespace {

template <typename... Parts>
absl::Status refused(const Parts&... why) {
  return absl::DataLossError(cat(why...));
}

std::string quoted(const std::string& key) { return cat("\"", absl::CHexEscape(key), "\""); }

std::string utc(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

Account stored_account(Account a) {
  a.reserved_cash = Cents{0};
  a.open_notional = Cents{0};
  return a;
}

Position stored_position(Position p) {
  p.sell_reserved_qty = Qty{0};
  p.buy_pending_qty = Qty{0};
  return p;
}

template <typename Map, typename Key>
uint64_t seq_of(const Map& rows, const Key& key) {
  const auto it = rows.find(key);
  return it == rows.end() ? 0 : it->second.seq;
}

}  // namespace

// --- Checkpoint --------------------------------------------------------------------------------

absl::StatusOr<JournalReplay> JournalReplay::from_checkpoint(const LedgerSnapshot& checkpoint) {
  JournalReplay replay;
  const uint64_t seq = checkpoint.journal_head.seq;
  replay.head_ = checkpoint.journal_head;
  std::vector<const Account*> accounts;
  for (const Account& a : checkpoint.accounts) accounts.push_back(&a);
  std::sort(accounts.begin(), accounts.end(),
            [](const Account* a, const Account* b) { return a->id < b->id; });
  for (const Account* a : accounts) {
    if (a->id.value() != replay.accounts_.size() + 1) {
      return refused("checkpoint: account ids must run 1..", accounts.size(), "; found ",
                     a->id.value(), " in place ", replay.accounts_.size() + 1);
    }
    replay.accounts_.push_back({stored_account(*a), seq});
  }
  const auto twice = [](const auto&... what) {
    return refused("checkpoint: two rows of ", what...);
  };
  for (const Position& p : checkpoint.positions) {
    if (!replay.positions_.try_emplace({p.account, p.symbol}, stored_position(p), seq).second) {
      return twice("the position of account ", p.account.value(), " in symbol ", p.symbol.value());
    }
  }
  for (const Reservation& r : checkpoint.reservations) {
    if (!replay.reservations_.try_emplace(r.id, r, seq).second) {
      return twice("reservation ", r.id.value());
    }
    replay.raise_high_water(seq, r.id);
  }
  replay.raise_high_water(seq, ReservationId{checkpoint.reservation_id_high_water});
  for (const Fill& f : checkpoint.executions) {
    if (!replay.executions_.try_emplace(f.execution, f, seq).second) {
      return twice("execution ", f.execution.value());
    }
  }
  for (const Trade& t : checkpoint.trades) {
    if (!replay.trades_.try_emplace({t.execution, t.side}, t, seq).second) {
      return twice("the ", side_name(t.side), " trade of execution ", t.execution.value());
    }
  }
  for (const ExternalEntry& e : checkpoint.entries) {
    if (!replay.entries_.try_emplace(e.key, e, seq).second) return twice("entry ", quoted(e.key));
  }
  return replay;
}

// --- Applying ----------------------------------------------------------------------------------

absl::Status JournalReplay::apply(const JournalEntry& entry) {
  if (!refusal_.ok()) {
    return absl::FailedPreconditionError(
        cat("the replay stopped at an earlier refusal: ", refusal_.message()));
  }
  if (entry.seq != head_.seq + 1) {
    return refused("journal seq ", entry.seq, ": expected seq ", head_.seq + 1, ", after seq ",
                   head_.seq);
  }
  if (entry.committed_at < head_committed_at_) {
    return refused("journal seq ", entry.seq, ": committed at ", utc(entry.committed_at),
                   ", before seq ", head_.seq, " (", utc(head_committed_at_), ")");
  }
  for (size_t i = 0; i < entry.events.size(); ++i) {
    const absl::Status s =
        std::visit([&](const auto& e) { return apply_event(entry.seq, e); }, entry.events[i]);
    if (!s.ok()) {
      refusal_ = refused("journal seq ", entry.seq, ", event ", i, ": ", s.message());
      return refusal_;
    }
  }
  head_ = JournalHead{.seq = entry.seq, .hash = entry.hash};
  head_committed_at_ = entry.committed_at;
  return absl::OkStatus();
}

absl::Status JournalReplay::apply(const JournalRecord& record) {
  absl::StatusOr<JournalEntry> entry = decode_entry(record.bytes);
  if (!entry.ok()) {
    return refused("journal seq ", record.seq, ": ", entry.status().message());
  }
  if (entry->seq != record.seq) {
    return refused("journal seq ", record.seq, ": its bytes hold seq ", entry->seq);
  }
  entry->hash = record.hash;
  return apply(*entry);
}

JournalReplay::Written<Account>* JournalReplay::find_account(AccountId id) {
  if (id.value() == 0 || id.value() > accounts_.size()) return nullptr;
  return &accounts_[id.value() - 1];
}

void JournalReplay::put_position(uint64_t seq, const Position& p) {
  positions_.insert_or_assign({p.account, p.symbol}, Written<Position>{stored_position(p), seq});
}

void JournalReplay::raise_high_water(uint64_t seq, ReservationId id) {
  if (id.value() <= reservation_id_high_water_) return;
  reservation_id_high_water_ = id.value();
  high_water_seq_ = seq;
}

absl::Status JournalReplay::apply_event(uint64_t seq, const AccountCreated& e) {
  const uint64_t next = accounts_.size() + 1;
  if (e.account.id.valid() && e.account.id.value() < next) {
    return refused("a second AccountCreated of account ", e.account.id.value(), " (seq ",
                   accounts_[e.account.id.value() - 1].seq, " wrote it last)");
  }
  if (e.account.id.value() != next) {
    return refused("AccountCreated of account ", e.account.id.value(), " where account ", next,
                   " is the next to be issued");
  }
  accounts_.push_back({stored_account(e.account), seq});
  return absl::OkStatus();
}

absl::Status JournalReplay::apply_event(uint64_t seq, const SleeperLinkChanged& e) {
  Written<Account>* account = find_account(e.account);
  if (account == nullptr) {
    return refused("SleeperLinkChanged of account ", e.account.value(), ", never created");
  }
  account->row.sleeper = e.link;
  account->seq = seq;
  return absl::OkStatus();
}

absl::Status JournalReplay::apply_event(uint64_t seq, const EntryApplied& e) {
  Written<Account>* account = find_account(e.entry.account);
  if (account == nullptr) {
    return refused("EntryApplied ", quoted(e.entry.key), " of account ", e.entry.account.value(),
                   ", never created");
  }
  if (const auto it = entries_.find(e.entry.key); it != entries_.end()) {
    return refused("EntryApplied ", quoted(e.entry.key), ", which seq ", it->second.seq,
                   " applied already");
  }
  if (e.position_after && e.position_after->account != e.entry.account) {
    return refused("EntryApplied ", quoted(e.entry.key), " of account ", e.entry.account.value(),
                   " with a position after of account ", e.position_after->account.value());
  }
  entries_.try_emplace(e.entry.key, e.entry, seq);
  account->row.cash = e.cash_after;
  account->seq = seq;
  if (e.position_after) put_position(seq, *e.position_after);
  return absl::OkStatus();
}

absl::Status JournalReplay::apply_event(uint64_t seq, const ReservationCreated& e) {
  const Reservation& r = e.reservation;
  if (!r.id.valid()) return refused("ReservationCreated of reservation id 0");
  if (const auto it = reservations_.find(r.id); it != reservations_.end()) {
    return refused("ReservationCreated of reservation ", r.id.value(), ", which seq ",
                   it->second.seq, " wrote already");
  }
  if (find_account(r.account) == nullptr) {
    return refused("ReservationCreated of reservation ", r.id.value(), " for account ",
                   r.account.value(), ", never created");
  }
  reservations_.try_emplace(r.id, r, seq);
  raise_high_water(seq, r.id);
  return absl::OkStatus();
}

absl::Status JournalReplay::apply_event(uint64_t seq, const ReservationChanged& e) {
  const auto it = reservations_.find(e.reservation.id);
  if (it == reservations_.end()) {
    return refused("ReservationChanged of reservation ", e.reservation.id.value(),
                   ", never created");
  }
  it->second = Written<Reservation>{e.reservation, seq};
  return absl::OkStatus();
}

absl::Status JournalReplay::apply_event(uint64_t seq, const FillApplied& e) {
  const Fill& fill = e.fill;
  const uint64_t execution = fill.execution.value();
  if (const auto it = executions_.find(fill.execution); it != executions_.end()) {
    return refused("FillApplied of execution ", execution, ", which seq ", it->second.seq,
                   " applied already");
  }
  Written<Account>* buyer = find_account(fill.buyer.account);
  Written<Account>* seller = find_account(fill.seller.account);
  for (const auto& [side, leg, party, account] :
       {std::tuple("buyer", &e.buyer, &fill.buyer, buyer),
        std::tuple("seller", &e.seller, &fill.seller, seller)}) {
    if (account == nullptr) {
      return refused("FillApplied of execution ", execution, ": its ", side, ", account ",
                     party->account.value(), ", never created");
    }
    const Position& after = leg->position_after;
    if (after.account != party->account || after.symbol != fill.symbol) {
      return refused("FillApplied of execution ", execution, ": the ", side,
                     "'s position after is of account ", after.account.value(), " in symbol ",
                     after.symbol.value(), ", not account ", party->account.value(), " in symbol ",
                     fill.symbol.value());
    }
  }
  const std::optional<Cents> notional = fill_notional(fill.qty, fill.price);
  if (!notional) {
    return refused("FillApplied of execution ", execution, ": no notional for ", fill.qty.value(),
                   " bp at ", fill.price.cents_per_share(), " cents");
  }
  executions_.try_emplace(fill.execution, fill, seq);
  trades_.try_emplace({fill.execution, Side::kBuy},
                      fill_trade(fill, Side::kBuy, *notional, Cents{0}), seq);
  trades_.try_emplace({fill.execution, Side::kSell},
                      fill_trade(fill, Side::kSell, *notional, e.seller.realized_pnl), seq);
  buyer->row.cash = e.buyer.cash_after;
  buyer->seq = seq;
  seller->row.cash = e.seller.cash_after;
  seller->seq = seq;
  put_position(seq, e.buyer.position_after);
  put_position(seq, e.seller.position_after);
  return absl::OkStatus();
}

// --- Reading -----------------------------------------------------------------------------------

LedgerSnapshot JournalReplay::rows() const {
  LedgerSnapshot out;
  out.accounts.reserve(accounts_.size());
  for (const auto& a : accounts_) out.accounts.push_back(a.row);
  out.positions.reserve(positions_.size());
  for (const auto& [key, p] : positions_) out.positions.push_back(p.row);
  out.reservations.reserve(reservations_.size());
  for (const auto& [key, r] : reservations_) out.reservations.push_back(r.row);
  out.executions.reserve(executions_.size());
  for (const auto& [key, f] : executions_) out.executions.push_back(f.row);
  out.trades.reserve(trades_.size());
  for (const auto& [key, t] : trades_) out.trades.push_back(t.row);
  out.entries.reserve(entries_.size());
  for (const auto& [key, e] : entries_) out.entries.push_back(e.row);
  out.reservation_id_high_water = reservation_id_high_water_;
  out.journal_head = head_;
  return out;
}

uint64_t JournalReplay::account_seq(AccountId account) const {
  if (account.value() == 0 || account.value() > accounts_.size()) return 0;
  return accounts_[account.value() - 1].seq;
}
uint64_t JournalReplay::position_seq(AccountId account, SymbolId symbol) const {
  return seq_of(positions_, std::pair(account, symbol));
}
uint64_t JournalReplay::reservation_seq(ReservationId reservation) const {
  return seq_of(reservations_, reservation);
}
uint64_t JournalReplay::execution_seq(ExecutionId execution) const {
  return seq_of(executions_, execution);
}
uint64_t JournalReplay::trade_seq(ExecutionId execution, Side side) const {
  return seq_of(trades_, std::pair(execution, side));
}
uint64_t JournalReplay::entry_seq(const std::string& key) const { return seq_of(entries_, key); }

}  // namespace account::internal
