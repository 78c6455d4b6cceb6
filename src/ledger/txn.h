// Private to the library: the transaction overlay that stages a batch of
// commands over the ledger's state (ledger_state.h) without changing it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "account/account.h"
#include "account/change_set.h"
#include "account/external_entry.h"
#include "account/fantasy/fantasy_funding.h"
#include "account/fill.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/trade.h"
#include "base/ascending_key_map.h"
#include "base/paged_slots.h"
#include "journal/entry_codec.h"
#include "ledger/ledger_state.h"

namespace account::internal {

// An account's figures as a batch stages them. Commands change only these
// (and the Sleeper link, staged apart); an account's identity (google id,
// display name, creation time) never changes after it is created. So the
// overlay copies three numbers per account it touches, where copying the
// row copied its strings (a Google id is longer than a string's inline
// buffer: an allocation per account per batch).
struct AccountFigures {
  AccountId id;
  Cents cash;
  Cents reserved_cash;
  Cents open_notional;

  // Cash that a new order or debit may use, as Account::available_cash().
  Cents available_cash() const { return cash - reserved_cash; }
  static AccountFigures of(const Account& row) {
    return AccountFigures{row.id, row.cash, row.reserved_cash, row.open_notional};
  }
};

// Stages a batch of commands over a LedgerState without changing it. Reads
// see the base state plus what earlier commands of the batch staged; writes
// go to the overlay. change_set() is what the store commits; after it
// commits, LedgerState::apply() takes the overlay.
//
// Commands validate fully before their first write, so a refused command
// leaves nothing staged.
//
// The overlay is dense: accounts and reservations have ids issued 1, 2, 3...,
// so each has a slot array indexed by id whose entries are stamped with the
// batch's generation. A lookup is an array index and a compare, and reset()
// is O(1) (the generation moves on), where hash maps cost a hash, a probe and
// a clear proportional to their capacity per batch. Overlay rows live in
// vectors in the order first touched, which is also the order they are
// applied and written.
//
// Pointers returned by the read methods and mutable_account() stay valid
// until the next write to the Txn. account() answers by value: its figures
// are three numbers.
class Txn {
 public:
  Txn() = default;
  explicit Txn(const LedgerState& base) { reset(base); }

  // Empties the overlay (keeping its capacity) and stages over `base` next.
  void reset(const LedgerState& base);

  // The account's figures (staged or base), or nullopt if it does not exist.
  std::optional<AccountFigures> account(AccountId id) const;
  const Position* position(AccountId account, SymbolId symbol) const;
  const Reservation* reservation(ReservationId id) const;
  std::optional<ReservationId> reservation_for_order(OrderId order) const;
  // The reservation of `order` (staged or base), or nullptr: one lookup
  // where reservation(*reservation_for_order(order)) takes two.
  const Reservation* reservation_of_order(OrderId order) const;
  std::optional<AccountId> account_by_google_id(std::string_view google_id) const;
  const Fill* execution(ExecutionId id) const;
  const ExternalEntry* entry(std::string_view key) const;
  const LedgerState& base() const { return *base_; }

  AccountId next_account_id() const {
    return AccountId{base_->account_count() + new_accounts_.size() + 1};
  }
  ReservationId next_reservation_id() const {
    return ReservationId{base_->next_reservation_id() + new_reservations_};
  }

  // Sizes the overlay's reservation slots for the next `count` new ids of
  // `base`, so that staging them neither grows nor faults (the slots are
  // touched).
  void reserve_reservation_ids(const LedgerState& base, size_t count);

  void create_account(Account row);
  // The staged figures of an existing account (or one created in this
  // batch), copied into the overlay on first touch and changed in place.
  AccountFigures* mutable_account(AccountId id);
  // Stages `link` as the account's Sleeper link (the last staged wins).
  void link_sleeper(AccountId id, const SleeperLink& link);
  // An account other than `account` whose link, as staged, names the same
  // Sleeper user as `link`, or the same roster of the same league.
  std::optional<AccountId> sleeper_link_holder(AccountId account, const SleeperLink& link) const;
  // An account other than `account` that a fantasy entry (applied or
  // staged) sourced from `link`'s Sleeper user and season, or from its
  // roster, funded.
  std::optional<AccountId> sleeper_funded_holder(AccountId account, const SleeperLink& link) const;
  // The account's Sleeper link as staged, or nullptr when it has none.
  const SleeperLink* sleeper_link(AccountId id) const;
  // The key of the fantasy entry applied or staged under `revision_key`, or
  // nullptr.
  const std::string* fantasy_revision(std::string_view revision_key) const;
  // Staged images changed in place, copied into the overlay on first touch
  // (as mutable_account()): a fill changes a few figures of two positions
  // and two reservations, where copying each whole row out and back in cost
  // more than the arithmetic. mutable_reservation() takes an existing
  // reservation; mutable_position() starts an empty one if there is none.
  Reservation* mutable_reservation(ReservationId id);
  // The same for `found`, a row reservation() or reservation_of_order()
  // returned since the last write to the overlay's reservations: it saves
  // the base's lookup.
  Reservation* mutable_reservation(const Reservation& found);
  Position* mutable_position(AccountId account, SymbolId symbol);
  void put_position(const Position& position);
  // A reservation with an id above the base's high-water mark is new (ids
  // come from next_reservation_id()).
  void put_reservation(const Reservation& reservation);
  // Inline: two of each per fill.
  void add_execution(const Fill& fill) {
    execution_index_.insert(fill.execution.value(), executions_.size());
    executions_.push_back(fill);
  }
  void add_trade(const Trade& trade) { trades_.push_back(trade); }
  void add_entry(ExternalEntry entry);

  // The batch's journal events (docs/journal.md), encoded as they are staged: a command adds
  // its events, with the figures after them, once every check passed, as it stages its rows,
  // so that the events of a refused command are never written either. Whether they are kept
  // at all is the ledger's choice (AccountServiceOptions::journal_written): set_journal().
  template <typename Event>
  void add_event(const Event& event) {
    if (journal_on_) events_.add(event);
  }
  void set_journal(bool on) { journal_on_ = on; }
  bool journal_on() const { return journal_on_; }
  const EntryEncoder& events() const { return events_; }

  // Writes what the store must commit into `out`. The batch's reservations,
  // executions, trades and entries move into `out` rather than being copied
  // (the vectors swap, so both keep their capacity); LedgerState::apply()
  // reads them from there. Positions are copied: those whose stored figures
  // moved into `out`, the others (reserved or pending quantity only) stay
  // here for apply(). Until reset(), the Txn stages nothing more and must
  // not be read (its reservations now hold other vectors).
  void change_set(ChangeSet* out);
  bool empty() const;

 private:
  friend class LedgerState;

  // Where an id's overlay row is, valid only if `generation` is the Txn's.
  struct Slot {
    uint32_t generation = 0;
    uint32_t index = 0;
  };
  static constexpr uint32_t kNoPosition = UINT32_MAX;

  // `s` if it was claimed in this batch, else nullptr.
  const Slot* current(const Slot* s) const {
    return s != nullptr && s->generation == generation_ ? s : nullptr;
  }
  const Slot* slot(const std::vector<Slot>& slots, uint64_t id) const {
    return id == 0 || id > slots.size() ? nullptr : current(&slots[id - 1]);
  }
  Slot& claim(std::vector<Slot>& slots, uint64_t id, uint32_t index);
  AccountFigures* stage_figures(const AccountFigures& figures);
  const Slot* reservation_slot(uint64_t id) const { return current(reservation_slots_.find(id)); }
  // Claims `slot` (a reservation's, not current) for a copy of `row` appended
  // to the overlay's reservations; returns the copy. `row` must not be one of
  // them: the append may move them.
  Reservation* stage_reservation(Slot& slot, const Reservation& row);
  // The lowest reservation id `base` may hand the overlay: its lowest held,
  // or the next new one.
  static uint64_t lowest_reservation_id(const LedgerState& base);

  const LedgerState* base_ = nullptr;
  uint32_t generation_ = 0;
  std::vector<Account> new_accounts_;   // Images at creation.
  absl::flat_hash_map<std::string, AccountId> new_google_ids_;
  std::vector<Slot> account_slots_;     // Index = account id - 1.
  std::vector<AccountFigures> accounts_;  // Touched accounts, first touch first.
  std::vector<AccountLink> links_;      // Staged links, one per account.
  absl::flat_hash_map<uint64_t, size_t> link_index_;  // Account id -> index in links_.
  // Positions chain per account: the slot's index is the account's most
  // recently added position, position_next_ links to the previous one.
  std::vector<Slot> position_slots_;    // Index = account id - 1.
  std::vector<Position> positions_;
  std::vector<uint32_t> position_next_;
  // After change_set(): the staged positions it left out of the change set,
  // whose reserved or pending quantities alone moved; apply() takes them.
  std::vector<Position> derived_only_positions_;
  // By reservation id, in pages made where ids are staged (paged_slots.h):
  // ids rise for ever, and an old active order keeps the lowest id held far
  // below the newest, so a flat array from the lowest id could be large.
  PagedSlots<Slot> reservation_slots_;
  std::vector<Reservation> reservations_;
  // The batch's new order and execution ids ascend as the whole ledger's
  // do: a fresh id is known absent and appended, and reset() is O(1).
  AscendingKeyMap new_orders_;          // Order id -> reservation id, new this batch.
  // Order id -> reservation id, of orders the base was asked for: fills come
  // against the same resting orders again and again, and a stored id costs a
  // search of the base's index (docs/ledger.md). Direct-mapped, kept from
  // batch to batch, and only a hint: an entry counts when the reservation
  // it names still carries its order id (an order id names at most one
  // reservation in memory), so a stale entry, or a reload, costs a miss.
  struct OrderHint {
    uint64_t order = 0;
    uint64_t reservation = 0;
  };
  static constexpr int kOrderHintBits = 12;
  mutable std::vector<OrderHint> order_hints_ =
      std::vector<OrderHint>(size_t{1} << kOrderHintBits);
  uint64_t new_reservations_ = 0;
  std::vector<Fill> executions_;
  AscendingKeyMap execution_index_;     // Execution id -> index in executions_.
  std::vector<Trade> trades_;
  std::vector<ExternalEntry> entries_;
  absl::flat_hash_map<std::string, size_t> entry_index_;
  // The staged fantasy entries' keys, read (a handful per batch at most).
  struct StagedFantasyKey {
    FantasyEntryKey key;
    std::string entry_key;
    AccountId account;
  };
  std::vector<StagedFantasyKey> fantasy_keys_;
  bool journal_on_ = true;
  EntryEncoder events_;
};

}  // namespace account::internal
