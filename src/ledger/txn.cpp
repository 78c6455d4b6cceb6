#include "ledger/txn.h"

#include <algorithm>

#include "account/notional.h"
#include "base/check.h"
#include "base/strings.h"

namespace account::internal {

Txn::Slot& Txn::claim(std::vector<Slot>& slots, uint64_t id, uint32_t index) {
  if (id > slots.size()) slots.resize(std::max<size_t>(id, slots.size() * 2));
  Slot& s = slots[id - 1];
  s = Slot{generation_, index};
  return s;
}

uint64_t Txn::lowest_reservation_id(const LedgerState& base) {
  const uint64_t held = base.reservations().lowest_id_bound();
  return held != 0 ? held : base.next_reservation_id();
}

void Txn::reserve_reservation_ids(const LedgerState& base, size_t count) {
  reservation_slots_.drop_below(lowest_reservation_id(base));
  const uint64_t next = base.next_reservation_id();
  reservation_slots_.reserve(next, next + count);
}

std::optional<AccountFigures> Txn::account(AccountId id) const {
  if (const Slot* s = slot(account_slots_, id.value())) return accounts_[s->index];
  const AccountRecord* rec = base_->account(id);
  if (rec == nullptr) return std::nullopt;
  return AccountFigures::of(rec->row);
}

AccountFigures* Txn::stage_figures(const AccountFigures& figures) {
  claim(account_slots_, figures.id.value(), static_cast<uint32_t>(accounts_.size()));
  accounts_.push_back(figures);
  return &accounts_.back();
}

AccountFigures* Txn::mutable_account(AccountId id) {
  if (const Slot* s = slot(account_slots_, id.value())) return &accounts_[s->index];
  const AccountRecord* rec = base_->account(id);
  ACCOUNT_CHECK(rec != nullptr, "commands change only accounts they found");
  return stage_figures(AccountFigures::of(rec->row));
}

std::optional<AccountId> Txn::sleeper_link_holder(AccountId account,
                                                  const SleeperLink& link) const {
  const auto same = [&](const SleeperLink& other) {
    return other.user_id == link.user_id ||
           (other.league_id == link.league_id && other.roster_id == link.roster_id);
  };
  for (const AccountLink& staged : links_) {
    if (staged.account != account && same(staged.link)) return staged.account;
  }
  for (const LedgerState::SleeperHolders* holders :
       {&base_->sleeper_user_holders(link.user_id),
        &base_->sleeper_roster_holders(link.league_id, link.roster_id)}) {
    for (AccountId holder : *holders) {
      // A holder that links anew in this batch holds what it staged, checked above.
      if (holder != account && !link_index_.contains(holder.value())) return holder;
    }
  }
  return std::nullopt;
}

std::optional<AccountId> Txn::sleeper_funded_holder(AccountId account,
                                                    const SleeperLink& link) const {
  for (const StagedFantasyKey& staged : fantasy_keys_) {
    const std::optional<SleeperLink>& source = staged.key.source;
    if (staged.account == account || !source) continue;
    if ((source->user_id == link.user_id && source->season == link.season) ||
        (source->league_id == link.league_id && source->roster_id == link.roster_id)) {
      return staged.account;
    }
  }
  for (std::optional<AccountId> holder :
       {base_->funded_user_holder(link.user_id, link.season),
        base_->funded_roster_holder(link.league_id, link.roster_id)}) {
    if (holder && *holder != account) return holder;
  }
  return std::nullopt;
}

const SleeperLink* Txn::sleeper_link(AccountId id) const {
  if (auto it = link_index_.find(id.value()); it != link_index_.end()) {
    return &links_[it->second].link;
  }
  const AccountRecord* rec = base_->account(id);
  return rec != nullptr && rec->row.sleeper.has_value() ? &*rec->row.sleeper : nullptr;
}

const std::string* Txn::fantasy_revision(std::string_view revision_key) const {
  for (const StagedFantasyKey& staged : fantasy_keys_) {
    if (staged.key.revision_key() == revision_key) return &staged.entry_key;
  }
  return base_->fantasy_revision(revision_key);
}

void Txn::link_sleeper(AccountId id, const SleeperLink& link) {
  const auto [it, added] = link_index_.try_emplace(id.value(), links_.size());
  if (added) {
    links_.push_back(AccountLink{id, link});
  } else {
    links_[it->second].link = link;
  }
}

const Position* Txn::position(AccountId account_id, SymbolId symbol) const {
  if (const Slot* s = slot(position_slots_, account_id.value())) {
    for (uint32_t i = s->index; i != kNoPosition; i = position_next_[i]) {
      if (positions_[i].symbol == symbol) return &positions_[i];
    }
  }
  return base_->position(account_id, symbol);
}

const Reservation* Txn::reservation(ReservationId id) const {
  if (const Slot* s = reservation_slot(id.value())) return &reservations_[s->index];
  return base_->reservation(id);
}

std::optional<ReservationId> Txn::reservation_for_order(OrderId order) const {
  const Reservation* r = reservation_of_order(order);
  if (r == nullptr) return std::nullopt;
  return r->id;
}

const Reservation* Txn::reservation_of_order(OrderId order) const {
  if (const uint64_t* id = new_orders_.find(order.value())) {
    return reservation(ReservationId{*id});
  }
  if (base_->order_above_all(order)) return nullptr;  // A new order: no hint needed.
  // Fibonacci hashing: order ids that rise by one spread over the table.
  constexpr uint64_t kFibonacci = 0x9E3779B97F4A7C15;
  OrderHint& hint = order_hints_[(order.value() * kFibonacci) >> (64 - kOrderHintBits)];
  if (hint.order == order.value()) {
    const Reservation* r = reservation(ReservationId{hint.reservation});
    if (r != nullptr && r->order == order) return r;
  }
  const std::optional<ReservationId> id = base_->reservation_for_order(order);
  if (!id) return nullptr;
  hint = OrderHint{order.value(), id->value()};
  return reservation(*id);
}

std::optional<AccountId> Txn::account_by_google_id(std::string_view google_id) const {
  if (auto it = new_google_ids_.find(to_absl(google_id)); it != new_google_ids_.end()) return it->second;
  return base_->account_by_google_id(google_id);
}

const Fill* Txn::execution(ExecutionId id) const {
  if (const uint64_t* index = execution_index_.find(id.value())) return &executions_[*index];
  return base_->execution(id);
}

const ExternalEntry* Txn::entry(std::string_view key) const {
  if (auto it = entry_index_.find(to_absl(key)); it != entry_index_.end()) return &entries_[it->second];
  return base_->entry(key);
}

void Txn::create_account(Account row) {
  new_google_ids_.emplace(row.google_id, row.id);
  stage_figures(AccountFigures::of(row));
  new_accounts_.push_back(std::move(row));
}

Reservation* Txn::stage_reservation(Slot& slot, const Reservation& row) {
  slot = Slot{generation_, static_cast<uint32_t>(reservations_.size())};
  reservations_.push_back(row);
  return &reservations_.back();
}

Reservation* Txn::mutable_reservation(ReservationId id) {
  // One page lookup for both the check and the claim.
  Slot& slot = reservation_slots_.at(id.value());
  if (slot.generation == generation_) return &reservations_[slot.index];
  const Reservation* current = base_->reservation(id);
  ACCOUNT_CHECK(current != nullptr, "commands change only reservations they found");
  return stage_reservation(slot, *current);
}

Reservation* Txn::mutable_reservation(const Reservation& found) {
  Slot& slot = reservation_slots_.at(found.id.value());
  if (slot.generation == generation_) return &reservations_[slot.index];  // `found` is it.
  return stage_reservation(slot, found);  // The base's row, which the push cannot move.
}

Position* Txn::mutable_position(AccountId account_id, SymbolId symbol) {
  uint32_t head = kNoPosition;
  if (const Slot* s = slot(position_slots_, account_id.value())) {
    for (uint32_t i = s->index; i != kNoPosition; i = position_next_[i]) {
      if (positions_[i].symbol == symbol) return &positions_[i];
    }
    head = s->index;
  }
  const Position* current = base_->position(account_id, symbol);
  claim(position_slots_, account_id.value(), static_cast<uint32_t>(positions_.size()));
  positions_.push_back(current != nullptr ? *current
                                          : Position{.account = account_id, .symbol = symbol});
  position_next_.push_back(head);
  return &positions_.back();
}

void Txn::put_position(const Position& position) {
  const uint64_t account_id = position.account.value();
  uint32_t head = kNoPosition;
  if (const Slot* s = slot(position_slots_, account_id)) {
    for (uint32_t i = s->index; i != kNoPosition; i = position_next_[i]) {
      if (positions_[i].symbol == position.symbol) {
        positions_[i] = position;
        return;
      }
    }
    head = s->index;
  }
  claim(position_slots_, account_id, static_cast<uint32_t>(positions_.size()));
  positions_.push_back(position);
  position_next_.push_back(head);
}

void Txn::put_reservation(const Reservation& reservation) {
  const uint64_t id = reservation.id.value();
  Slot& slot = reservation_slots_.at(id);
  if (slot.generation == generation_) {
    reservations_[slot.index] = reservation;
    return;
  }
  stage_reservation(slot, reservation);
  if (id >= base_->next_reservation_id()) {
    new_orders_.insert(reservation.order.value(), id);
    ++new_reservations_;
  }
}

void Txn::add_entry(ExternalEntry entry) {
  if (entry.kind == EntryKind::kFantasyCredit) {
    if (std::optional<FantasyEntryKey> key = parse_fantasy_entry_key(entry.key)) {
      fantasy_keys_.push_back(StagedFantasyKey{std::move(*key), entry.key, entry.account});
    }
  }
  entry_index_.emplace(entry.key, entries_.size());
  entries_.push_back(std::move(entry));
}

bool Txn::empty() const {
  return new_accounts_.empty() && accounts_.empty() && links_.empty() && positions_.empty() &&
         reservations_.empty() && executions_.empty() && trades_.empty() && entries_.empty();
}

void Txn::reset(const LedgerState& base) {
  base_ = &base;
  reservation_slots_.drop_below(lowest_reservation_id(base));
  if (++generation_ == 0) {
    // After 2^32 batches the stamps would repeat: start the arrays afresh.
    for (std::vector<Slot>* slots : {&account_slots_, &position_slots_}) {
      std::fill(slots->begin(), slots->end(), Slot{});
    }
    reservation_slots_.clear();
    generation_ = 1;
  }
  new_accounts_.clear();
  // Clearing an absl map costs its capacity even when empty: skip the
  // maps most batches leave empty.
  if (!new_google_ids_.empty()) new_google_ids_.clear();
  accounts_.clear();
  links_.clear();
  if (!link_index_.empty()) link_index_.clear();
  positions_.clear();
  position_next_.clear();
  derived_only_positions_.clear();
  reservations_.clear();
  new_orders_.clear();
  new_reservations_ = 0;
  executions_.clear();
  execution_index_.clear();
  trades_.clear();
  entries_.clear();
  if (!entry_index_.empty()) entry_index_.clear();
  fantasy_keys_.clear();
  events_.clear();
}

void Txn::change_set(ChangeSet* out_ptr) {
  ChangeSet& out = *out_ptr;
  out.new_accounts = new_accounts_;
  out.balances.clear();
  out.links.clear();
  for (const AccountFigures& row : accounts_) {
    const AccountRecord* before = base_->account(row.id);
    // New accounts are written whole (cash 0), then as existing ones: a
    // balance only when cash moved (reserved cash and open notional are
    // derived, never stored).
    const Cents cash_before = before == nullptr ? Cents{0} : before->row.cash;
    if (row.cash != cash_before) out.balances.push_back(CashBalance{row.id, row.cash});
  }
  for (const AccountLink& l : links_) {
    // A link equal to the one held is not written again.
    const AccountRecord* before = base_->account(l.account);
    if (before == nullptr || before->row.sleeper != l.link) out.links.push_back(l);
  }
  // A position is written when a stored figure moved (quantity, cost basis,
  // realized P&L); one whose reserved or pending quantity alone moved (an
  // order admitted or ended) is applied in memory only: those are derived
  // from the active reservations, as reserved cash is, and rebuilt on
  // restore.
  out.positions.clear();
  derived_only_positions_.clear();
  for (const Position& p : positions_) {
    const Position* before = base_->position(p.account, p.symbol);
    const bool stored_moved = before == nullptr
                                  ? p.has_stored_figures()
                                  : p.qty != before->qty || p.cost_basis != before->cost_basis ||
                                        p.realized_pnl != before->realized_pnl;
    (stored_moved ? out.positions : derived_only_positions_).push_back(p);
  }
  out.reservations.swap(reservations_);
  out.executions.swap(executions_);
  out.trades.swap(trades_);
  out.entries.swap(entries_);
}

}  // namespace account::internal
