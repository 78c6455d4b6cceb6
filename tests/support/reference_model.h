// The reference model of the ledger: a deliberately plain implementation of
// the rules that AccountService documents (std::map state, every derived
// figure recomputed from scratch, one function per command written from the
// contracts in account_service.h, position.h, reservation.h and
// external_entry.h). It is slow and obviously correct; the randomized model
// test (tests/unit/ledger_model_test.cpp) and the simulator (tests/simulation)
// feed it the same commands as a service and compare every answer.
//
//   LedgerModel model;
//   AccountId a;
//   Outcome o = model.create_account("g1", "Alice", now, &a);  // nullopt: accepted
//   o = model.credit(a, Cents{100}, EntryKind::kFantasyCredit, "k1");
//
// Also here: descriptions of ledger values for failure messages, the expiry
// notices of a RecordingNotificationSink in the model's form, and the
// comparison of a service's answers with the model's. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/account.h"
#include "account/fill.h"
#include "account/ledger_snapshot.h"
#include "account/limits.h"
#include "account/notification_sink.h"
#include "account/notional.h"
#include "account/order_spec.h"
#include "account/position.h"
#include "account/reason.h"
#include "account/reservation.h"
#include "account/settlement_receipt.h"
#include "account/status.h"
#include "account/testing/recording_notification_sink.h"
#include "account/trade.h"
#include "account/units.h"

namespace account::testing {

__extension__ typedef __int128 Wide;

// 2026-09-10T00:00:00Z. Times in messages are printed as offsets from it.
inline const absl::Time kEpoch = absl::FromUnixSeconds(1'789'000'000);

// nullopt: the command was accepted; otherwise the Reason it was refused with.
using Outcome = std::optional<Reason>;

inline std::string outcome_text(const Outcome& o) {
  return o ? std::string(reason_name(*o)) : std::string("OK");
}

inline bool accepted(const Outcome& o) { return !o.has_value(); }

inline std::string time_text(absl::Time t) { return "T+" + absl::FormatDuration(t - kEpoch); }

// --- Descriptions for failure messages -------------------------------------------

inline std::string describe(const Account& a) {
  std::ostringstream os;
  os << "account " << a.id << " google '" << a.google_id << "' name '" << a.display_name
     << "' created " << time_text(a.created_at) << " cash " << a.cash << " reserved "
     << a.reserved_cash << " open " << a.open_notional;
  return os.str();
}

inline std::string describe(const Position& p) {
  std::ostringstream os;
  os << "position " << p.account << "/" << p.symbol << " qty " << p.qty << " cost "
     << p.cost_basis << " pnl " << p.realized_pnl << " sell_reserved " << p.sell_reserved_qty
     << " buy_pending " << p.buy_pending_qty;
  return os.str();
}

inline std::string describe(const Reservation& r) {
  std::ostringstream os;
  os << "reservation " << r.id << " account " << r.account << " order " << r.order << " sym "
     << r.symbol << " " << side_name(r.side) << " limit " << r.limit << " qty " << r.order_qty
     << " remaining " << r.remaining_qty << " cash " << r.reserved_cash << " created "
     << time_text(r.created_at) << " expires " << time_text(r.expires_at) << " updated "
     << time_text(r.updated_at) << " " << reservation_status_name(r.status);
  return os.str();
}

inline std::string describe(const Fill& f) {
  std::ostringstream os;
  os << "fill exec " << f.execution << " sym " << f.symbol << " qty " << f.qty << " px "
     << f.price << " buyer " << f.buyer.account << "/" << f.buyer.order << " seller "
     << f.seller.account << "/" << f.seller.order << " tick " << f.tick << " at "
     << time_text(f.time);
  return os.str();
}

inline std::string describe(const Trade& t) {
  std::ostringstream os;
  os << "trade exec " << t.execution << " account " << t.account << " order " << t.order
     << " sym " << t.symbol << " " << side_name(t.side) << " qty " << t.qty << " px " << t.price
     << " notional " << t.notional << " pnl " << t.realized_pnl << " tick " << t.tick << " at "
     << time_text(t.time);
  return os.str();
}

inline std::string describe(const ExternalEntry& e) {
  std::ostringstream os;
  os << "entry '" << e.key << "' " << entry_kind_name(e.kind) << " account " << e.account
     << " cash " << e.cash << " sym " << e.symbol << " qty " << e.qty << " at "
     << time_text(e.time);
  return os.str();
}

inline std::string describe(const SettlementReceipt& r) {
  std::ostringstream os;
  os << "receipt exec " << r.execution << " notional " << r.notional << " freed "
     << r.buyer_cash_freed << " pnl " << r.seller_realized_pnl << " done " << r.buyer_order_done
     << "/" << r.seller_order_done;
  return os.str();
}

inline bool same_receipt(const SettlementReceipt& a, const SettlementReceipt& b) {
  return a.execution == b.execution && a.notional == b.notional &&
         a.buyer_cash_freed == b.buyer_cash_freed &&
         a.seller_realized_pnl == b.seller_realized_pnl &&
         a.buyer_order_done == b.buyer_order_done && a.seller_order_done == b.seller_order_done;
}

// Where two vectors first differ, for a failure message.
template <typename T>
inline std::string first_difference(std::string_view what, const std::vector<T>& service,
                             const std::vector<T>& model) {
  std::ostringstream os;
  os << what << ": service has " << service.size() << ", expected " << model.size();
  for (size_t i = 0; i < std::max(service.size(), model.size()); ++i) {
    if (i < service.size() && i < model.size() && service[i] == model[i]) continue;
    os << "; first difference at [" << i << "]: service "
       << (i < service.size() ? describe(service[i]) : std::string("(none)")) << " / expected "
       << (i < model.size() ? describe(model[i]) : std::string("(none)"));
    break;
  }
  return os.str();
}

inline std::string snapshot_difference(const LedgerSnapshot& a, const LedgerSnapshot& b) {
  std::string out;
  auto add = [&](std::string line) { out += (out.empty() ? "" : "\n") + line; };
  if (a.accounts != b.accounts) add(first_difference("accounts", a.accounts, b.accounts));
  if (a.positions != b.positions) add(first_difference("positions", a.positions, b.positions));
  if (a.reservations != b.reservations) {
    add(first_difference("reservations", a.reservations, b.reservations));
  }
  if (a.executions != b.executions) {
    add(first_difference("executions", a.executions, b.executions));
  }
  if (a.trades != b.trades) add(first_difference("trades", a.trades, b.trades));
  if (a.entries != b.entries) add(first_difference("entries", a.entries, b.entries));
  if (a.reservation_id_high_water != b.reservation_id_high_water) {
    add("reservation_id_high_water " + std::to_string(a.reservation_id_high_water) + " vs " +
        std::to_string(b.reservation_id_high_water));
  }
  return out;
}

// --- The reference model -----------------------------------------------------------

struct ModelAccount {
  AccountId id;
  std::string google_id;
  std::string display_name;
  absl::Time created_at;
  Cents cash{0};
  friend bool operator==(const ModelAccount&, const ModelAccount&) = default;
};

// position.h: the exact cost basis in cents and the P&L realized by sells.
struct ModelPosition {
  Qty qty{0};
  Cents cost_basis{0};
  Cents realized_pnl{0};
  friend bool operator==(const ModelPosition&, const ModelPosition&) = default;
};

struct ModelReservation {
  ReservationId id;
  AccountId account;
  OrderId order;
  SymbolId symbol;
  Side side = Side::kBuy;
  Price limit;
  Qty order_qty;
  Qty remaining;
  absl::Time created_at;
  absl::Time expires_at;
  absl::Time updated_at;
  ReservationStatus status = ReservationStatus::kActive;
  friend bool operator==(const ModelReservation&, const ModelReservation&) = default;

  bool active() const { return status == ReservationStatus::kActive; }
  // The worst case of the unfilled rest at the limit, while the order is open.
  Cents open_notional() const {
    return active() ? reserve_notional(remaining, limit).value() : Cents{0};
  }
  // What a buy reservation holds; sells hold shares, not cash.
  Cents held_cash() const { return side == Side::kBuy ? open_notional() : Cents{0}; }

  Reservation image() const {
    return Reservation{.id = id, .account = account, .order = order, .symbol = symbol,
                       .side = side, .limit = limit, .order_qty = order_qty,
                       .remaining_qty = remaining, .reserved_cash = held_cash(),
                       .created_at = created_at, .expires_at = expires_at,
                       .updated_at = updated_at, .status = status};
  }
};

// An external entry as requested: what makes a redelivery a duplicate.
struct EntryRequest {
  std::string key;
  EntryKind kind = EntryKind::kAdjustment;
  AccountId account;
  Cents cash{0};  // Signed: > 0 credit, < 0 debit, 0 for shares.
  SymbolId symbol;
  Qty qty{0};
  friend bool operator==(const EntryRequest&, const EntryRequest&) = default;

  bool same_fields(const EntryRequest& o) const {
    return kind == o.kind && account == o.account && cash == o.cash && symbol == o.symbol &&
           qty == o.qty;
  }
};

struct ExpiredNotice {
  AccountId account;
  OrderId order;
  ReservationId reservation;
  friend auto operator<=>(const ExpiredNotice&, const ExpiredNotice&) = default;
};

// The ledger, written for clarity rather than speed: every derived figure
// (reserved cash, open notional, reserved and pending quantities) is summed
// over all reservations whenever it is needed.
struct LedgerModel {
  LedgerLimits limits;
  std::map<AccountId, ModelAccount> accounts;
  std::map<std::pair<AccountId, SymbolId>, ModelPosition> positions;  // Touched ones only.
  std::map<ReservationId, ModelReservation> reservations;             // Every one ever made.
  std::map<OrderId, ReservationId> reservation_of_order;
  std::map<std::string, EntryRequest> entries;
  std::map<ExecutionId, Fill> executions;
  std::vector<Fill> applied;                     // Fills in the order they were applied.
  std::map<AccountId, std::vector<Trade>> trades;  // Per account, oldest first.

  // The same ledger state (the limits are not compared): a command that
  // leaves a model equal to itself changes nothing, and needs no commit.
  bool same_state(const LedgerModel& o) const {
    return accounts == o.accounts && positions == o.positions &&
           reservations == o.reservations && reservation_of_order == o.reservation_of_order &&
           entries == o.entries && executions == o.executions && applied == o.applied &&
           trades == o.trades;
  }

  // --- Derived figures

  bool has_account(AccountId id) const { return accounts.contains(id); }

  Cents reserved_cash(AccountId a) const {
    Cents sum{0};
    for (const auto& [id, r] : reservations) {
      if (r.account == a) sum += r.held_cash();
    }
    return sum;
  }
  Cents open_notional(AccountId a) const {
    Cents sum{0};
    for (const auto& [id, r] : reservations) {
      if (r.account == a) sum += r.open_notional();
    }
    return sum;
  }
  Cents available_cash(AccountId a) const { return accounts.at(a).cash - reserved_cash(a); }

  // Unfilled quantity of the account's active orders of one side in one symbol.
  Qty open_qty(AccountId a, SymbolId s, Side side) const {
    Qty sum{0};
    for (const auto& [id, r] : reservations) {
      if (r.account == a && r.symbol == s && r.side == side && r.active()) sum += r.remaining;
    }
    return sum;
  }
  ModelPosition position_or_zero(AccountId a, SymbolId s) const {
    auto it = positions.find({a, s});
    return it == positions.end() ? ModelPosition{} : it->second;
  }

  const ModelReservation* by_order(OrderId order) const {
    auto it = reservation_of_order.find(order);
    return it == reservation_of_order.end() ? nullptr : &reservations.at(it->second);
  }
  const ModelReservation* by_id(ReservationId id) const {
    auto it = reservations.find(id);
    return it == reservations.end() ? nullptr : &it->second;
  }

  Account account_image(AccountId id) const {
    const ModelAccount& a = accounts.at(id);
    return Account{.id = id, .google_id = a.google_id, .display_name = a.display_name,
                   .created_at = a.created_at, .cash = a.cash,
                   .reserved_cash = reserved_cash(id), .open_notional = open_notional(id)};
  }
  Position position_image(AccountId a, SymbolId s) const {
    const ModelPosition p = position_or_zero(a, s);
    return Position{.account = a, .symbol = s, .qty = p.qty, .cost_basis = p.cost_basis,
                    .realized_pnl = p.realized_pnl,
                    .sell_reserved_qty = open_qty(a, s, Side::kSell),
                    .buy_pending_qty = open_qty(a, s, Side::kBuy)};
  }

  // --- Commands (account_service.h), in the documented precedence order

  Outcome create_account(const std::string& google_id, const std::string& name, absl::Time now,
                         AccountId* id) {
    if (google_id.empty() || google_id.size() > kGoogleIdBytesMax ||
        google_id.find('\0') != std::string::npos) {
      return Reason::kInvalidArgument;
    }
    if (name.size() > kDisplayNameBytesMax || name.find('\0') != std::string::npos) {
      return Reason::kInvalidArgument;
    }
    for (const auto& [existing, a] : accounts) {
      if (a.google_id == google_id) {  // Find-or-create: the existing account.
        *id = existing;
        return std::nullopt;
      }
    }
    *id = AccountId{accounts.size() + 1};  // Issued densely from 1.
    accounts[*id] = ModelAccount{.id = *id, .google_id = google_id, .display_name = name,
                                 .created_at = now};
    return std::nullopt;
  }

  Outcome credit(AccountId account, Cents amount, EntryKind kind, const std::string& key) {
    if (amount.value() <= 0 || kind == EntryKind::kShareIssue) return Reason::kInvalidAmount;
    return entry(EntryRequest{.key = key, .kind = kind, .account = account, .cash = amount});
  }

  Outcome debit(AccountId account, Cents amount, EntryKind kind, const std::string& key) {
    if (amount.value() <= 0 || kind == EntryKind::kShareIssue) return Reason::kInvalidAmount;
    return entry(EntryRequest{.key = key, .kind = kind, .account = account, .cash = -amount});
  }

  Outcome issue_shares(AccountId account, SymbolId symbol, Qty qty, const std::string& key) {
    return entry(EntryRequest{.key = key, .kind = EntryKind::kShareIssue, .account = account,
                              .symbol = symbol, .qty = qty});
  }

  Outcome entry(const EntryRequest& e) {
    const bool shares = e.kind == EntryKind::kShareIssue;
    if (shares && (e.qty.value() <= 0 || e.qty > limits.entry_qty_max)) {
      return Reason::kInvalidQuantity;
    }
    if (!shares && (e.cash.value() == 0 || e.cash > limits.entry_cash_max ||
                    -e.cash > limits.entry_cash_max)) {
      return Reason::kInvalidAmount;
    }
    if (e.key.empty() || e.key.size() > kEntryKeyBytesMax) return Reason::kInvalidArgument;
    if (!has_account(e.account)) return Reason::kAccountNotFound;
    if (auto it = entries.find(e.key); it != entries.end()) {
      return it->second.same_fields(e) ? Reason::kDuplicateEntry : Reason::kEntryConflict;
    }
    if (shares) {
      ModelPosition& p = positions[{e.account, e.symbol}];
      std::optional<Qty> qty = checked_add(p.qty, e.qty);
      if (!qty) return Reason::kOverflow;
      p.qty = *qty;
    } else {
      if (e.cash.value() < 0 && available_cash(e.account) < -e.cash) {
        return Reason::kInsufficientFunds;
      }
      std::optional<Cents> cash = checked_add(accounts.at(e.account).cash, e.cash);
      if (!cash) return Reason::kOverflow;
      accounts.at(e.account).cash = *cash;
    }
    entries[e.key] = e;
    return std::nullopt;
  }

  Outcome reserve(const OrderSpec& o, Side side, absl::Time now, ReservationId* id) {
    if (!o.order.valid()) return Reason::kInvalidArgument;
    if (o.qty.value() <= 0 || o.qty > limits.order_qty_max) return Reason::kInvalidQuantity;
    if (o.limit < limits.price_min || o.limit > limits.price_max) return Reason::kInvalidPrice;
    // The order id is the key: a retry gets the first answer, other fields a conflict.
    if (const ModelReservation* r = by_order(o.order)) {
      if (r->account != o.account || r->side != side || r->symbol != o.symbol ||
          r->order_qty != o.qty || r->limit != o.limit ||
          (o.expires_at.has_value() && *o.expires_at != r->expires_at)) {
        return Reason::kOrderConflict;
      }
      *id = r->id;
      return std::nullopt;
    }
    const absl::Time expires_at = o.expires_at.value_or(now + limits.reservation_expiry_default);
    if (expires_at <= now) return Reason::kExpiryInPast;
    if (expires_at > now + limits.reservation_expiry_max) return Reason::kExpiryTooLong;
    if (!has_account(o.account)) return Reason::kAccountNotFound;
    const Cents need = reserve_notional(o.qty, o.limit).value();
    const ModelPosition p = position_or_zero(o.account, o.symbol);
    if (side == Side::kBuy) {
      if (available_cash(o.account) < need) return Reason::kInsufficientFunds;
      // limits.h: position plus unfilled buy orders of one symbol.
      if (p.qty + open_qty(o.account, o.symbol, Side::kBuy) + o.qty > limits.position_cap_qty) {
        return Reason::kPositionLimitExceeded;
      }
    } else if (p.qty - open_qty(o.account, o.symbol, Side::kSell) < o.qty) {
      return Reason::kInsufficientPosition;
    }
    if (open_notional(o.account) + need > limits.open_notional_cap) {
      return Reason::kOpenNotionalLimitExceeded;
    }
    *id = ReservationId{reservations.size() + 1};  // Issued densely from 1.
    reservations[*id] = ModelReservation{.id = *id, .account = o.account, .order = o.order,
                                         .symbol = o.symbol, .side = side, .limit = o.limit,
                                         .order_qty = o.qty, .remaining = o.qty,
                                         .created_at = now, .expires_at = expires_at,
                                         .updated_at = now};
    reservation_of_order[o.order] = *id;
    positions[{o.account, o.symbol}];  // Placing an order touches the symbol.
    return std::nullopt;
  }

  Outcome extend(ReservationId id, absl::Time expires_at, absl::Time now) {
    const ModelReservation* r = by_id(id);
    if (r == nullptr) return Reason::kReservationNotFound;
    if (r->active() && r->expires_at == expires_at) return std::nullopt;  // Already so.
    if (!r->active()) return Reason::kReservationNotActive;
    if (expires_at <= now) return Reason::kExpiryInPast;
    if (expires_at > r->created_at + limits.reservation_expiry_max) return Reason::kExpiryTooLong;
    ModelReservation& m = reservations.at(id);
    m.expires_at = expires_at;
    m.updated_at = now;
    return std::nullopt;
  }

  Outcome finish(const ModelReservation* r, ReservationStatus to, absl::Time now) {
    if (r == nullptr) return Reason::kReservationNotFound;
    if (!r->active()) {
      // Ended by its owner already (cancelled or released): the state asked for holds.
      const bool by_owner = r->status == ReservationStatus::kCancelled ||
                            r->status == ReservationStatus::kReleased;
      if (to != ReservationStatus::kExpired && by_owner) return std::nullopt;
      return Reason::kReservationNotActive;
    }
    ModelReservation& m = reservations.at(r->id);
    m.status = to;
    m.updated_at = now;
    return std::nullopt;
  }

  Outcome cancel(OrderId order, absl::Time now) {
    return finish(by_order(order), ReservationStatus::kCancelled, now);
  }
  Outcome release(ReservationId id, absl::Time now) {
    return finish(by_id(id), ReservationStatus::kReleased, now);
  }

  // Expires every active reservation due at `now`, except those of the
  // orders in `held`: orders named by fills queued for the store wait for
  // them (account_service.h).
  std::vector<ExpiredNotice> expire_due(absl::Time now, const std::vector<OrderId>& held = {}) {
    std::vector<ExpiredNotice> out;
    for (auto& [id, r] : reservations) {
      if (std::find(held.begin(), held.end(), r.order) != held.end()) continue;
      if (r.active() && r.expires_at <= now) {
        r.status = ReservationStatus::kExpired;
        r.updated_at = now;
        out.push_back({r.account, r.order, r.id});
      }
    }
    return out;
  }

  // One leg of a fill against the reservation of its order. account_service.h
  // lists the reasons of one leg; the legs are checked in turn, the buyer's
  // first, which is the order the implementation uses.
  Outcome leg(const Fill& f, const FillParty& party, Side side) const {
    const ModelReservation* r = by_order(party.order);
    if (r == nullptr || r->account != party.account) return Reason::kReservationNotFound;
    if (!r->active()) return Reason::kReservationNotActive;
    if (r->side != side) return Reason::kWrongSide;
    if (r->symbol != f.symbol) return Reason::kSymbolMismatch;
    if (side == Side::kBuy ? f.price > r->limit : f.price < r->limit) {
      return Reason::kPriceOutsideLimit;
    }
    if (f.qty > r->remaining) return Reason::kFillExceedsReservation;
    return std::nullopt;
  }

  Outcome settle(const Fill& f, absl::Time now, SettlementReceipt* receipt) {
    if (!f.execution.valid()) return Reason::kInvalidArgument;
    if (f.qty.value() <= 0 || f.qty > limits.order_qty_max) return Reason::kInvalidQuantity;
    if (f.price < limits.price_min || f.price > limits.price_max) return Reason::kInvalidPrice;
    if (auto it = executions.find(f.execution); it != executions.end()) {
      return it->second == f ? Reason::kDuplicateExecution : Reason::kExecutionConflict;
    }
    if (f.time > now + limits.fill_time_ahead_max) return Reason::kFillTimeAhead;
    if (f.buyer.account == f.seller.account) return Reason::kSelfTrade;
    if (!has_account(f.buyer.account) || !has_account(f.seller.account)) {
      return Reason::kAccountNotFound;
    }
    if (Outcome o = leg(f, f.buyer, Side::kBuy)) return o;
    if (Outcome o = leg(f, f.seller, Side::kSell)) return o;
    apply_fill(f, now, receipt);
    return std::nullopt;
  }

  void apply_fill(const Fill& f, absl::Time now, SettlementReceipt* receipt) {
    const Cents notional = fill_notional(f.qty, f.price).value();
    ModelReservation& buy = reservations.at(reservation_of_order.at(f.buyer.order));
    ModelReservation& sell = reservations.at(reservation_of_order.at(f.seller.order));
    const Cents held_before = buy.held_cash();
    for (ModelReservation* r : {&buy, &sell}) {
      r->remaining -= f.qty;
      r->updated_at = now;
      if (r->remaining.value() == 0) r->status = ReservationStatus::kSettled;
    }
    const Cents freed = held_before - buy.held_cash();

    accounts.at(f.buyer.account).cash -= notional;
    accounts.at(f.seller.account).cash += notional;
    ModelPosition& bought = positions[{f.buyer.account, f.symbol}];
    bought.qty += f.qty;
    bought.cost_basis += notional;
    ModelPosition& sold = positions[{f.seller.account, f.symbol}];
    // position.h: a sell removes floor(cost_basis * q / qty), all of it when q == qty.
    const Cents removed =
        f.qty == sold.qty
            ? sold.cost_basis
            : Cents{static_cast<int64_t>(static_cast<Wide>(sold.cost_basis.value()) *
                                         f.qty.value() / sold.qty.value())};
    const Cents realized = notional - removed;
    sold.qty -= f.qty;
    sold.cost_basis -= removed;
    sold.realized_pnl += realized;

    executions[f.execution] = f;
    applied.push_back(f);
    const Trade base{.execution = f.execution, .symbol = f.symbol, .qty = f.qty,
                     .price = f.price, .notional = notional, .tick = f.tick, .time = f.time};
    Trade buy_trade = base;
    buy_trade.account = f.buyer.account;
    buy_trade.order = f.buyer.order;
    buy_trade.side = Side::kBuy;
    Trade sell_trade = base;
    sell_trade.account = f.seller.account;
    sell_trade.order = f.seller.order;
    sell_trade.side = Side::kSell;
    sell_trade.realized_pnl = realized;
    trades[f.buyer.account].push_back(buy_trade);
    trades[f.seller.account].push_back(sell_trade);
    *receipt = SettlementReceipt{.execution = f.execution, .notional = notional,
                                 .buyer_cash_freed = freed - notional,
                                 .seller_realized_pnl = realized,
                                 .buyer_order_done = !buy.active(),
                                 .seller_order_done = !sell.active()};
  }

  // Finished reservations must stay known for finished_reservation_retention;
  // after that the service may forget them, so the driver no longer names them.
  bool referable(const ModelReservation& r, absl::Time now) const {
    return r.active() || r.updated_at >= now - limits.finished_reservation_retention;
  }
};


// Active buy and sell orders of different accounts that can trade.
inline std::vector<std::pair<const ModelReservation*, const ModelReservation*>> crossing_pairs(
    const LedgerModel& m) {
  std::vector<std::pair<const ModelReservation*, const ModelReservation*>> pairs;
  for (const auto& [bid, b] : m.reservations) {
    if (!b.active() || b.side != Side::kBuy) continue;
    for (const auto& [sid, s] : m.reservations) {
      if (s.active() && s.side == Side::kSell && s.symbol == b.symbol &&
          s.account != b.account && b.limit >= s.limit) {
        pairs.emplace_back(&b, &s);
      }
    }
  }
  return pairs;
}

inline Price model_avg_cost(Qty qty, Cents cost_basis) {
  if (qty.value() <= 0) return Price{0};
  const Wide scaled = static_cast<Wide>(cost_basis.value()) * kBpPerShare;
  Wide avg = scaled / qty.value();
  if (2 * (scaled % qty.value()) >= qty.value()) ++avg;
  return Price{static_cast<int64_t>(avg)};
}

// --- Notifications ----------------------------------------------------------------

// Notices come at least once: a restarted ledger repeats those after its stored cursor, with
// their seq. A consumer drops a notice it has seen, as this does by (seq, reservation).
class SeenNotices {
 public:
  // Whether `n` is new; a repeat counts in repeats().
  bool first(const ExpiredOrderNotice& n) {
    if (seen_.insert({n.seq, n.reservation.value()}).second) return true;
    ++repeats_;
    return false;
  }
  size_t repeats() const { return repeats_; }

 private:
  std::set<std::pair<uint64_t, uint64_t>> seen_;
  size_t repeats_ = 0;
};

// The new expiry notices `sink` kept since the last call, in the model's order (sorted).
inline std::vector<ExpiredNotice> take_expired_notices(RecordingNotificationSink& sink,
                                                       SeenNotices& seen) {
  std::vector<ExpiredNotice> out;
  for (const ExpiredOrderNotice& n : sink.take_expired_orders()) {
    if (seen.first(n)) out.push_back({n.account, n.order, n.reservation});
  }
  std::sort(out.begin(), out.end());
  return out;
}

// --- The service's answers ---------------------------------------------------------

struct Answer {
  bool ok = false;
  Outcome reason;       // The denial's Reason; nullopt when ok or not a denial.
  std::string message;  // The full status, for failure messages.
};

template <typename S>
inline Answer answer_of(const S& status_or) {
  if constexpr (std::is_same_v<S, absl::Status>) {
    return Answer{status_or.ok(), reason_of(status_or), status_or.ToString()};
  } else {
    return answer_of(status_or.status());
  }
}

inline bool agrees(const Answer& a, const Outcome& model) {
  return model ? (!a.ok && a.reason == model) : a.ok;
}

inline std::string answer_text(const Answer& a) {
  if (a.ok) return "OK";
  return (a.reason ? std::string(reason_name(*a.reason)) : std::string("(no reason)")) + " [" +
         a.message + "]";
}

// --- Sequence configuration --------------------------------------------------------

inline uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E37'79B9'7F4A'7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58'476D'1CE4'E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D0'49BB'1331'11EBULL;
  return x ^ (x >> 31);
}

}  // namespace account::testing
