#include "journal/account_replay.h"

#include <variant>

#include "account/ledger_event.h"

namespace account::internal {

void AccountReplay::put_position(const Position& p) {
  Position stored = p;
  stored.sell_reserved_qty = Qty{0};
  stored.buy_pending_qty = Qty{0};
  positions_[p.symbol] = stored;
}

void AccountReplay::start_from(const LedgerSnapshot& rows) {
  exists_ = false;
  cash_ = Cents{0};
  positions_.clear();
  active_.clear();
  for (const Account& a : rows.accounts) {
    if (a.id != account_) continue;
    exists_ = true;
    cash_ = a.cash;
  }
  for (const Position& p : rows.positions) {
    if (p.account == account_) put_position(p);
  }
  for (const Reservation& r : rows.reservations) {
    if (r.account == account_ && r.active()) active_[r.id] = r;
  }
}

void AccountReplay::apply(const JournalEntry& entry) {
  for (const LedgerEvent& event : entry.events) {
    if (const auto* created = std::get_if<AccountCreated>(&event)) {
      if (created->account.id != account_) continue;
      exists_ = true;
      cash_ = created->account.cash;
    } else if (const auto* applied = std::get_if<EntryApplied>(&event)) {
      if (applied->entry.account != account_) continue;
      cash_ = applied->cash_after;
      if (applied->position_after) put_position(*applied->position_after);
    } else if (const auto* fill = std::get_if<FillApplied>(&event)) {
      for (const auto& [party, leg] : {std::pair(fill->fill.buyer.account, &fill->buyer),
                                       std::pair(fill->fill.seller.account, &fill->seller)}) {
        if (party != account_) continue;
        cash_ = leg->cash_after;
        put_position(leg->position_after);
      }
    } else if (const auto* reserved = std::get_if<ReservationCreated>(&event)) {
      if (reserved->reservation.account != account_) continue;
      active_[reserved->reservation.id] = reserved->reservation;
    } else if (const auto* changed = std::get_if<ReservationChanged>(&event)) {
      const Reservation& r = changed->reservation;
      if (r.account != account_) continue;
      if (r.active()) {
        active_[r.id] = r;
      } else {
        active_.erase(r.id);
      }
    }
  }
}

Cents AccountReplay::available_cash() const {
  Cents held{0};
  for (const auto& [id, r] : active_) held += r.reserved_cash;
  return cash_ - held;
}

std::vector<Position> AccountReplay::positions() const {
  absl::btree_map<SymbolId, Position> out = positions_;
  for (const auto& [id, r] : active_) {
    Position& p = out[r.symbol];
    p.account = account_;
    p.symbol = r.symbol;
    (r.side == Side::kBuy ? p.buy_pending_qty : p.sell_reserved_qty) += r.remaining_qty;
  }
  std::vector<Position> list;
  for (const auto& [symbol, p] : out) {
    if (!p.empty()) list.push_back(p);
  }
  return list;
}

}  // namespace account::internal
