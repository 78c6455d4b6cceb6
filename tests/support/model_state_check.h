// Compares everything an AccountService reports with the reference model
// (reference_model.h): every account, position, active and recently finished
// reservation and trade history, and checks invariants 1-4 of the
// architecture on what the service reports. Differences are appended to
// `problems` as one line each; nothing is thrown.
//
//   std::vector<std::string> problems;
//   ModelStateCheck(*service, model, clock->now(), {.symbols = 3}, problems).run();
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "account/account_service.h"
#include "account/status.h"
#include "support/reference_model.h"

namespace account::testing {

struct ModelStateCheckOptions {
  uint64_t symbols = 3;  // Symbols 1..symbols are checked per account.
  // How many recent trades to ask for besides the full history (any k works).
  std::function<size_t()> recent_trades_k = [] { return size_t{2}; };
  // The store refuses every call (an outage, or a refusal such as a full
  // disk): reading old trades from it may fail.
  bool store_down = false;
};

class ModelStateCheck {
 public:
  ModelStateCheck(AccountService& service, const LedgerModel& model, absl::Time now,
                  ModelStateCheckOptions options, std::vector<std::string>& problems)
      : service_(&service),
        model_(model),
        now_(now),
        symbols_(options.symbols),
        recent_trades_k_(std::move(options.recent_trades_k)),
        store_down_(options.store_down),
        problems_(problems) {}

  // The state and invariants 1-4.
  void run() { check_state(); }
  // The service's own audit (invariants 1-4 over memory, memory == store).
  void audit() {
    const AuditReport report = service_->audit();
    for (const std::string& v : report.violations) problems_.push_back("audit: " + v);
  }

 private:
  absl::Time now() const { return now_; }

  // The list a query answered, or an empty one and a problem if it failed.
  template <typename T>
  std::vector<T> listed(const std::string& what, absl::StatusOr<std::vector<T>> got) {
    if (got.ok()) return *std::move(got);
    problems_.push_back(what + " failed: " + got.status().ToString());
    return {};
  }

  template <typename A, typename B>
  void same(const std::string& what, const A& service, const B& model) {
    if (!(service == model)) {
      std::ostringstream os;
      os << what << ": service " << service << ", model " << model;
      problems_.push_back(os.str());
    }
  }

  void check_account(AccountId id) {
    const std::string who = "account " + std::to_string(id.value());
    const Account expected = model_.account_image(id);
    absl::StatusOr<Account> got = service_->get_account(id);
    if (!got.ok()) {
      problems_.push_back(who + ": get_account failed: " + got.status().ToString());
      return;
    }
    if (!(*got == expected)) {
      problems_.push_back(who + ": service " + describe(*got) + ", model " + describe(expected));
    }
    same(who + " cash()", service_->cash(id).value_or(Cents{-1}), expected.cash);
    same(who + " available_cash()", service_->available_cash(id).value_or(Cents{-1}),
         expected.cash - expected.reserved_cash);
    absl::StatusOr<AccountId> by_user = service_->get_account_id_by_user_id(expected.google_id);
    same(who + " by google id", by_user.value_or(AccountId{0}), id);
    check_positions(id);
    check_active_reservations(id);
    check_trades(id);
  }

  // Nothing held, open or realized: positions() leaves it out and
  // position() answers nullopt.
  static bool empty_position(const Position& p) {
    return p.qty.value() == 0 && p.cost_basis.value() == 0 && p.realized_pnl.value() == 0 &&
           p.buy_pending_qty.value() == 0 && p.sell_reserved_qty.value() == 0;
  }

  void check_positions(AccountId id) {
    const std::string who = "account " + std::to_string(id.value());
    // positions(): those with shares held, open orders or realized P&L.
    std::vector<Position> expected;
    for (const auto& [key, p] : model_.positions) {
      if (key.first != id) continue;
      const Position image = model_.position_image(id, key.second);
      if (!empty_position(image)) expected.push_back(image);
    }
    const std::vector<Position> got = listed(who + " positions()", service_->positions(id));
    if (got != expected) problems_.push_back(first_difference(who + " positions()", got, expected));
    for (const Position& p : got) {
      same(describe(p) + " avg_cost()", p.avg_cost(), model_avg_cost(p.qty, p.cost_basis));
      if (p.available_qty().value() < 0) {  // Invariant 2.
        problems_.push_back("invariant 2: " + describe(p));
      }
    }
    // position(): nullopt for a symbol the account has nothing in (never
    // touched, or touched only by orders that have ended).
    for (uint64_t s = 1; s <= symbols_; ++s) {
      const SymbolId sym{s};
      absl::StatusOr<std::optional<Position>> one = service_->position(id, sym);
      std::optional<Position> want;
      if (const Position image = model_.position_image(id, sym); !empty_position(image)) {
        want = image;
      }
      if (!one.ok() || *one != want) {
        problems_.push_back(who + " position(" + std::to_string(s) + "): service " +
                            (!one.ok() ? one.status().ToString()
                                       : *one ? describe(**one) : std::string("nullopt")) +
                            ", model " + (want ? describe(*want) : std::string("nullopt")));
      }
    }
  }

  void check_active_reservations(AccountId id) {
    std::vector<Reservation> expected;
    for (const auto& [rid, r] : model_.reservations) {
      if (r.account == id && r.active()) expected.push_back(r.image());
    }
    const std::vector<Reservation> got = listed(
        "account " + std::to_string(id.value()) + " active_reservations()",
        service_->active_reservations(id));
    if (got != expected) {
      problems_.push_back(first_difference(
          "account " + std::to_string(id.value()) + " active_reservations()", got, expected));
    }
    for (const Reservation& r : got) {  // Invariant 3.
      if (r.side == Side::kBuy &&
          r.reserved_cash < reserve_notional(r.remaining_qty, r.limit).value_or(Cents{0})) {
        problems_.push_back("invariant 3: " + describe(r));
      }
    }
  }

  void check_trades(AccountId id) {
    std::vector<Trade> expected;
    if (auto it = model_.trades.find(id); it != model_.trades.end()) {
      expected.assign(it->second.rbegin(), it->second.rend());  // Newest first.
    }
    const std::string who = "account " + std::to_string(id.value());
    absl::StatusOr<std::vector<Trade>> history = service_->trade_history(id, 1'000'000);
    // Older trades are read from the store; while it refuses, that read may
    // fail, and only with a store reason: StoreUnavailable, or StoreFailure
    // for a refusal that retrying does not fix (a password, a full disk).
    const std::optional<Reason> why = reason_of(history);
    if (store_down_ && (why == Reason::kStoreUnavailable || why == Reason::kStoreFailure)) return;
    const std::vector<Trade> all = listed(who + " trade_history()", std::move(history));
    if (all != expected) {
      problems_.push_back(first_difference(who + " trade_history()", all, expected));
    }
    const size_t k = recent_trades_k_();
    const std::vector<Trade> recent = listed(who + " trade_history(k)",
                                             service_->trade_history(id, k));
    expected.resize(std::min(k, expected.size()));
    if (recent != expected) {
      problems_.push_back(first_difference(who + " trade_history(" + std::to_string(k) + ")",
                                           recent, expected));
    }
  }

  void check_known_reservations() {
    for (const auto& [id, r] : model_.reservations) {
      if (!model_.referable(r, now())) continue;
      const Reservation want = r.image();
      absl::StatusOr<Reservation> by_id = service_->reservation(id);
      if (!by_id.ok() || !(*by_id == want)) {
        problems_.push_back("reservation(" + std::to_string(id.value()) + "): service " +
                            (by_id.ok() ? describe(*by_id) : by_id.status().ToString()) +
                            ", model " + describe(want));
      }
      absl::StatusOr<Reservation> by_order = service_->reservation_for_order(r.order);
      if (!by_order.ok() || !(*by_order == want)) {
        problems_.push_back("reservation_for_order(" + std::to_string(r.order.value()) +
                            "): service " +
                            (by_order.ok() ? describe(*by_order) : by_order.status().ToString()) +
                            ", model " + describe(want));
      }
    }
  }

  void check_state() {
    same(std::string("account_count()"), service_->account_count(), model_.accounts.size());
    Cents cash_total{0};
    std::map<SymbolId, Qty> held;
    for (const auto& [id, a] : model_.accounts) {
      check_account(id);
      const Cents cash = service_->cash(id).value_or(Cents{0});
      cash_total += cash;
      if (service_->available_cash(id).value_or(Cents{-1}).value() < 0) {  // Invariant 1.
        problems_.push_back("invariant 1: account " + std::to_string(id.value()));
      }
      for (const Position& p : service_->positions(id).value_or(std::vector<Position>{})) {
        held[p.symbol] += p.qty;
      }
    }
    const AccountId unknown{model_.accounts.size() + 1};
    same(std::string("get_account(unknown)"),
         outcome_text(reason_of(service_->get_account(unknown))),
         outcome_text(Reason::kAccountNotFound));
    check_known_reservations();
    check_conservation(cash_total, held);
  }

  // Invariant 4: cash and shares come from external entries only.
  void check_conservation(Cents cash_total, const std::map<SymbolId, Qty>& held) {
    Cents credited{0};
    std::map<SymbolId, Qty> issued;
    for (const auto& [key, e] : model_.entries) {
      credited += e.cash;
      if (e.kind == EntryKind::kShareIssue) issued[e.symbol] += e.qty;
    }
    same(std::string("invariant 4: total cash vs entries"), cash_total, credited);
    for (uint64_t s = 1; s <= symbols_; ++s) {
      const SymbolId sym{s};
      const Qty h = held.contains(sym) ? held.at(sym) : Qty{0};
      const Qty i = issued.contains(sym) ? issued.at(sym) : Qty{0};
      same("invariant 4: symbol " + std::to_string(s) + " held vs issued", h, i);
    }
  }

  AccountService* service_;
  const LedgerModel& model_;
  const absl::Time now_;
  const uint64_t symbols_;
  const std::function<size_t()> recent_trades_k_;
  const bool store_down_;
  std::vector<std::string>& problems_;
};

}  // namespace account::testing
