// Randomized model test of the ledger. A deliberately plain reference model
// of the ledger rules (support/reference_model.h, shared with the simulator
// in tests/simulation) and an AccountService on a MemoryStore with a
// ManualClock receive the same random commands. After every command the service's answer (ok, or the Reason of its
// denial) must equal the model's, and every observable figure must agree:
// cash, available cash, positions, reservations, trade history, expiry
// notifications. Invariants 1-4 are checked on what the service reports, the
// audit runs regularly, and some sequences restart the service on the same
// store (invariant 6) and redeliver every applied fill (invariant 5). At the
// end, short tests pin the disagreements the sequences found.
//
// Replay one sequence:  ACCOUNT_MODEL_SEED=<seed> account_tests "[model]"
// Longer runs:          ACCOUNT_MODEL_SEQUENCES=<n> ACCOUNT_MODEL_STEPS=<m>
// Other seeds:          account_tests "[model]" --rng-seed time
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/notional.h"
#include "account/status.h"
#include "support/model_state_check.h"
#include "support/random_draws.h"
#include "support/reference_model.h"

namespace account {
namespace {

using namespace testing;  // The reference model.

constexpr uint64_t kSymbols = 3;
constexpr size_t kAccountsMax = 6;

// Small caps, so that the position and open-notional limits, the in-memory
// trade window and the execution retention window are all reached.
LedgerLimits limits_for(std::mt19937_64& rng) {
  auto pick = [&](std::initializer_list<int64_t> xs) {
    return *(xs.begin() + std::uniform_int_distribution<size_t>(0, xs.size() - 1)(rng));
  };
  LedgerLimits l;
  l.position_cap_qty = Qty{pick({25, 60, 100'000}) * kBpPerShare};
  l.open_notional_cap = Cents{pick({40'000, 150'000, 1'000'000'000})};
  l.trades_in_memory_per_account_max = static_cast<size_t>(pick({2, 5, 1'000}));
  l.trade_history_loaded_at_open = pick({0, 1}) == 1;
  l.execution_retention = absl::Hours(pick({2, 24}));
  l.finished_reservation_retention = absl::Hours(24 * pick({1, 7}));
  l.reservation_expiry_default = absl::Hours(24 * pick({2, 7}));
  return l;
}

// How often each command met each outcome, over a whole run: the run checks
// that the generator reached every reason it aims at.
using Coverage = std::map<std::string, uint64_t>;

// --- One random sequence -----------------------------------------------------------

class Sequence : private testing::RandomDraws {
 public:
  Sequence(uint64_t seed, int steps, Coverage& coverage)
      : RandomDraws(seed), seed_(seed), steps_(steps), coverage_(coverage) {
    limits_ = limits_for(rng_);
    model_.limits = limits_;
    for (uint64_t s = 1; s <= kSymbols; ++s) reference_price_[s] = uniform(300, 9'000);
    service_ = AccountService::open(options()).value();
  }

  void run() {
    for (step_ = 1; step_ <= steps_; ++step_) {
      one_step();
      check_state();
      if (step_ % 25 == 0) check_audit();
      if (!problems_.empty()) fail();
    }
    if (chance(0.5)) restart();
    check_state();
    check_audit();
    if (!problems_.empty()) fail();
  }

  size_t fills_applied() const { return model_.applied.size(); }
  int restarts() const { return restarts_; }

 private:
  // --- Randomness

  absl::Time now() const { return clock_->now(); }

  AccountServiceOptions options() {
    // Half the seeds (by their second bit: seeds are odd) open with fill and
    // reservation memory preallocated, more than a run uses.
    const size_t preallocated = (seed_ >> 1) % 2 == 0 ? 0 : 2'000;
    return AccountServiceOptions{.store = store_, .clock = clock_, .sink = sink_,
                                 .limits = limits_, .fills_preallocated = preallocated,
                                 .reservations_preallocated = preallocated};
  }

  // An existing account mostly; sometimes one that does not exist.
  AccountId some_account() {
    if (model_.accounts.empty() || chance(0.04)) {
      return AccountId{model_.accounts.size() + static_cast<uint64_t>(uniform(1, 3))};
    }
    return AccountId{static_cast<uint64_t>(uniform(1, int64_t(model_.accounts.size())))};
  }
  SymbolId some_symbol() { return SymbolId{static_cast<uint64_t>(uniform(1, kSymbols))}; }

  // Order quantities: whole shares, and odd basis points for the rounding.
  Qty order_qty() {
    if (chance(0.5)) return Qty{uniform(1, 12) * kBpPerShare};
    return Qty{uniform(1, 90'000)};
  }
  Qty bad_qty() {
    switch (uniform(0, 2)) {
      case 0: return Qty{0};
      case 1: return Qty{-uniform(1, 10'000)};
      default: return limits_.order_qty_max + Qty{1};
    }
  }
  Price bad_price() {
    switch (uniform(0, 2)) {
      case 0: return Price{limits_.price_min.cents_per_share() - 1};
      case 1: return Price{limits_.price_max.cents_per_share() + 1};
      default: return Price{0};
    }
  }
  Price around(SymbolId s, int lo_pct, int hi_pct) {
    const int64_t ref = reference_price_[s.value()];
    return Price{std::max<int64_t>(limits_.price_min.cents_per_share(),
                                   ref * uniform(lo_pct, hi_pct) / 100)};
  }

  std::vector<const ModelReservation*> referable(std::optional<bool> active) const {
    std::vector<const ModelReservation*> out;
    for (const auto& [id, r] : model_.reservations) {
      if (!model_.referable(r, now())) continue;
      if (active && r.active() != *active) continue;
      out.push_back(&r);
    }
    return out;
  }

  // --- Steps

  enum class Op {
    kCreateAccount, kCredit, kDebit, kIssue, kReserveBuy, kReserveSell, kExtend, kCancel,
    kRelease, kSettle, kSettleBatch, kExpire, kRestart,
  };

  Op pick_op() {
    if (model_.accounts.size() < 2) return Op::kCreateAccount;
    // Without a crossing pair of orders there is nothing to settle: build one.
    if (chance(0.5) && crossing_pairs(model_).empty()) {
      if (sellable().empty()) return chance(0.5) ? Op::kIssue : Op::kCredit;
      return active_orders(Side::kSell).empty() ? Op::kReserveSell : Op::kReserveBuy;
    }
    static const std::vector<std::pair<Op, int>> weights = {
        {Op::kCreateAccount, 3}, {Op::kCredit, 9},      {Op::kDebit, 4},
        {Op::kIssue, 6},         {Op::kReserveBuy, 16}, {Op::kReserveSell, 13},
        {Op::kExtend, 4},        {Op::kCancel, 4},      {Op::kRelease, 3},
        {Op::kSettle, 24},       {Op::kSettleBatch, 6}, {Op::kExpire, 5},
        {Op::kRestart, 1},
    };
    const Op op = weighted(weights);
    // Past kAccountsMax accounts, most sign-ups turn into credits.
    if (op == Op::kCreateAccount && model_.accounts.size() >= kAccountsMax && chance(0.7)) {
      return Op::kCredit;
    }
    return op;
  }

  void one_step() {
    switch (pick_op()) {
      case Op::kCreateAccount: return create_account();
      case Op::kCredit: return cash_entry(/*credit=*/true);
      case Op::kDebit: return cash_entry(/*credit=*/false);
      case Op::kIssue: return issue_shares();
      case Op::kReserveBuy: return reserve(Side::kBuy);
      case Op::kReserveSell: return reserve(Side::kSell);
      case Op::kExtend: return extend();
      case Op::kCancel: return cancel();
      case Op::kRelease: return release();
      case Op::kSettle: return settle();
      case Op::kSettleBatch: return settle_batch();
      case Op::kExpire: return expire();
      case Op::kRestart: return restart();
    }
  }

  // Records the step and compares the service's answer with the model's.
  void expect(const std::string& op, const Answer& service, const Outcome& model) {
    op_ = op;
    ++coverage_[op.substr(0, op.find_first_of("([")) + " " + outcome_text(model)];
    log("#" + std::to_string(step_) + " " + op + " -> service " + answer_text(service) +
        ", model " + outcome_text(model));
    if (!agrees(service, model)) {
      problems_.push_back("result of " + op + ": service " + answer_text(service) +
                          ", model " + outcome_text(model));
    }
  }

  void log(std::string line) {
    history_.push_back(std::move(line));
    if (history_.size() > 40) history_.pop_front();
  }

  void create_account() {
    std::string google = "g" + std::to_string(next_google_++);
    std::string name = "User " + google;
    if (chance(0.05)) google.clear();
    if (chance(0.05) && !model_.accounts.empty()) {
      google = model_.accounts.at(AccountId{1}).google_id;  // Already has an account.
    }
    if (chance(0.03)) google = std::string(kGoogleIdBytesMax + 1, 'x');
    if (chance(0.03)) name = std::string("nul\0name", 8);
    AccountId model_id;
    const Outcome expected = model_.create_account(google, name, now(), &model_id);
    absl::StatusOr<AccountId> got = service_->create_account(google, name);
    expect("create_account('" + google.substr(0, 20) + "')", answer_of(got), expected);
    if (got.ok() && !expected && *got != model_id) {
      problems_.push_back("account id " + std::to_string(got->value()) + ", model " +
                          std::to_string(model_id.value()));
    }
  }

  // A fresh key mostly; sometimes an applied key sent again with the same or
  // other fields, or a malformed key.
  std::string entry_key() {
    if (chance(0.03)) return "";
    if (chance(0.03)) return std::string(kEntryKeyBytesMax + 1, 'k');
    if (chance(0.02)) return std::string(kEntryKeyBytesMax, 'm') + std::to_string(next_key_++);
    return "k" + std::to_string(next_key_++);
  }

  // A previous entry sent again (a duplicate), or with one field changed (a conflict).
  std::optional<EntryRequest> resend() {
    if (model_.entries.empty() || !chance(0.12)) return std::nullopt;
    std::vector<EntryRequest> all;
    for (const auto& [key, e] : model_.entries) all.push_back(e);
    EntryRequest e = one_of(all);
    if (chance(0.5)) {
      switch (uniform(0, 3)) {
        case 0: e.account = some_account(); break;
        case 1: e.cash += Cents{e.cash.value() == 0 ? 0 : 1}; e.qty += Qty{e.qty.value() ? 1 : 0};
                break;
        case 2: e.kind = e.kind == EntryKind::kWinBonus ? EntryKind::kAdjustment
                                                         : EntryKind::kWinBonus;
                break;
        default: e.cash = -e.cash; break;
      }
    }
    return e;
  }

  EntryKind cash_kind() {
    static const std::vector<EntryKind> kinds = {EntryKind::kFantasyCredit, EntryKind::kWinBonus,
                                                 EntryKind::kAdjustment};
    return chance(0.03) ? EntryKind::kShareIssue : one_of(kinds);
  }

  void cash_entry(bool credit) {
    AccountId account = some_account();
    EntryKind kind = cash_kind();
    std::string key = entry_key();
    Cents amount{uniform(1'000, 300'000)};
    if (!credit && model_.has_account(account)) {
      const int64_t avail = model_.available_cash(account).value();
      amount = Cents{uniform(1, std::max<int64_t>(1, avail + avail / 5 + 10))};
    }
    if (std::optional<EntryRequest> again = resend();
        again && again->kind != EntryKind::kShareIssue) {
      credit = again->cash.value() > 0;
      account = again->account;
      kind = again->kind;
      key = again->key;
      amount = credit ? again->cash : -again->cash;
    }
    if (chance(0.03)) amount = Cents{-uniform(0, 100)};
    if (chance(0.02)) amount = limits_.entry_cash_max + Cents{1};
    const Outcome expected = credit ? model_.credit(account, amount, kind, key)
                                    : model_.debit(account, amount, kind, key);
    const absl::Status got = credit ? service_->credit(account, amount, kind, key)
                                    : service_->debit(account, amount, kind, key);
    std::ostringstream op;
    op << (credit ? "credit(" : "debit(") << account << ", " << amount << ", "
       << entry_kind_name(kind) << ", '" << key.substr(0, 20) << "')";
    expect(op.str(), answer_of(got), expected);
  }

  void issue_shares() {
    AccountId account = some_account();
    SymbolId symbol = some_symbol();
    Qty qty{uniform(1, 40) * kBpPerShare + (chance(0.3) ? uniform(1, 9'999) : 0)};
    std::string key = entry_key();
    if (std::optional<EntryRequest> again = resend();
        again && again->kind == EntryKind::kShareIssue) {
      account = again->account;
      symbol = again->symbol;
      qty = again->qty;
      key = again->key;
      if (chance(0.3)) symbol = some_symbol();
    }
    if (chance(0.03)) qty = Qty{-uniform(0, 5)};
    if (chance(0.02)) qty = limits_.entry_qty_max + Qty{1};
    const Outcome expected = model_.issue_shares(account, symbol, qty, key);
    const absl::Status got = service_->issue_shares(account, symbol, qty, key);
    std::ostringstream op;
    op << "issue_shares(" << account << ", sym " << symbol << ", " << qty << ", '"
       << key.substr(0, 20) << "')";
    expect(op.str(), answer_of(got), expected);
  }

  std::optional<absl::Time> order_expiry() {
    const double x = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (x < 0.70) return std::nullopt;
    if (x < 0.93) return now() + absl::Minutes(uniform(1, 30 * 24 * 60));
    switch (uniform(0, 3)) {
      case 0: return now();
      case 1: return now() - absl::Hours(1);
      case 2: return now() + limits_.reservation_expiry_max;  // The last valid instant.
      default: return now() + limits_.reservation_expiry_max + absl::Nanoseconds(1);
    }
  }

  // Active orders of the other side, for an order that should cross one.
  std::vector<const ModelReservation*> active_orders(Side side) const {
    std::vector<const ModelReservation*> out;
    for (const auto& [id, r] : model_.reservations) {
      if (r.active() && r.side == side) out.push_back(&r);
    }
    return out;
  }

  // (account, symbol) pairs with shares not yet offered.
  std::vector<std::pair<AccountId, SymbolId>> sellable() const {
    std::vector<std::pair<AccountId, SymbolId>> out;
    for (const auto& [key, p] : model_.positions) {
      if (p.qty > model_.open_qty(key.first, key.second, Side::kSell)) out.push_back(key);
    }
    return out;
  }

  Price scaled(Price p, int lo_pct, int hi_pct) {
    return Price{std::max<int64_t>(limits_.price_min.cents_per_share(),
                                   p.cents_per_share() * uniform(lo_pct, hi_pct) / 100)};
  }

  // A buy: often one that crosses a resting sell of another account.
  OrderSpec buy_order() {
    OrderSpec spec{.account = some_account(), .order = OrderId{next_order_++},
                   .symbol = some_symbol(), .qty = order_qty()};
    spec.limit = around(spec.symbol, 85, 130);
    std::vector<const ModelReservation*> sells = active_orders(Side::kSell);
    if (!sells.empty() && chance(0.6)) {
      const ModelReservation* s = one_of(sells);
      spec.symbol = s->symbol;
      spec.limit = scaled(s->limit, 100, 115);
      if (spec.account == s->account && model_.accounts.size() > 1) {
        spec.account = AccountId{s->account.value() % model_.accounts.size() + 1};
      }
    }
    if (model_.has_account(spec.account) && chance(0.6)) {
      // What the buyer can afford (a dollar-amount order rounds its quantity down).
      const Qty affordable =
          qty_for_notional(model_.available_cash(spec.account), spec.limit).value_or(Qty{0});
      if (affordable.value() > 0) spec.qty = std::min(spec.qty, affordable);
    }
    return spec;
  }

  // A sell: mostly of shares the account holds, often crossing a resting buy.
  OrderSpec sell_order() {
    OrderSpec spec{.account = some_account(), .order = OrderId{next_order_++},
                   .symbol = some_symbol(), .qty = order_qty()};
    spec.limit = around(spec.symbol, 70, 110);
    std::vector<std::pair<AccountId, SymbolId>> holders = sellable();
    if (!holders.empty() && chance(0.8)) {
      std::tie(spec.account, spec.symbol) = one_of(holders);
      const int64_t avail = (model_.position_or_zero(spec.account, spec.symbol).qty -
                             model_.open_qty(spec.account, spec.symbol, Side::kSell)).value();
      spec.qty = Qty{chance(0.9) ? uniform(1, avail) : avail + uniform(1, 20'000)};
      for (const ModelReservation* b : active_orders(Side::kBuy)) {
        if (b->symbol == spec.symbol && b->account != spec.account && chance(0.5)) {
          spec.limit = scaled(b->limit, 85, 100);
          break;
        }
      }
    }
    return spec;
  }

  void reserve(Side side) {
    OrderSpec spec = side == Side::kBuy ? buy_order() : sell_order();
    spec.expires_at = order_expiry();
    if (chance(0.03)) spec.qty = bad_qty();
    if (chance(0.03)) spec.limit = bad_price();
    if (chance(0.04) && !model_.reservations.empty()) {
      std::vector<const ModelReservation*> known = referable(std::nullopt);
      if (!known.empty()) spec.order = one_of(known)->order;  // Already has a reservation.
    }
    if (chance(0.01)) spec.order = OrderId{0};
    ReservationId model_id;
    const Outcome expected = model_.reserve(spec, side, now(), &model_id);
    absl::StatusOr<ReservationId> got =
        side == Side::kBuy ? service_->reserve_buy(spec) : service_->reserve_sell(spec);
    std::ostringstream op;
    op << (side == Side::kBuy ? "reserve_buy(" : "reserve_sell(") << "account " << spec.account
       << " order " << spec.order << " sym " << spec.symbol << " qty " << spec.qty << " limit "
       << spec.limit << " expires "
       << (spec.expires_at ? time_text(*spec.expires_at) : std::string("default")) << ")";
    expect(op.str(), answer_of(got), expected);
    if (got.ok() && !expected && *got != model_id) {
      problems_.push_back("reservation id " + std::to_string(got->value()) + ", model " +
                          std::to_string(model_id.value()));
    }
  }

  // A reservation the service must still know, or (sometimes) an id it never issued.
  std::optional<const ModelReservation*> some_reservation() {
    std::vector<const ModelReservation*> active = referable(true);
    std::vector<const ModelReservation*> any = referable(std::nullopt);
    if (chance(0.1) || any.empty()) return std::nullopt;
    if (!active.empty() && chance(0.75)) return one_of(active);
    return one_of(any);
  }

  void extend() {
    std::optional<const ModelReservation*> r = some_reservation();
    const ReservationId id =
        r ? (*r)->id : ReservationId{model_.reservations.size() + uint64_t(uniform(1, 5))};
    const absl::Time created = r ? (*r)->created_at : now();
    absl::Time to = created + absl::Minutes(uniform(1, 30 * 24 * 60));
    switch (uniform(0, 9)) {
      case 0: to = now(); break;
      case 1: to = created + limits_.reservation_expiry_max; break;
      case 2: to = created + limits_.reservation_expiry_max + absl::Seconds(1); break;
      default: break;
    }
    const Outcome expected = model_.extend(id, to, now());
    const absl::Status got = service_->extend_reservation(id, to);
    expect("extend_reservation(" + std::to_string(id.value()) + ", " + time_text(to) + ")",
           answer_of(got), expected);
  }

  void cancel() {
    std::optional<const ModelReservation*> r = some_reservation();
    const OrderId order = r ? (*r)->order : OrderId{next_order_ + uint64_t(uniform(1000, 2000))};
    const Outcome expected = model_.cancel(order, now());
    const absl::Status got = service_->cancel_order(order);
    expect("cancel_order(" + std::to_string(order.value()) + ")", answer_of(got), expected);
  }

  void release() {
    std::optional<const ModelReservation*> r = some_reservation();
    const ReservationId id =
        r ? (*r)->id : ReservationId{model_.reservations.size() + uint64_t(uniform(1, 5))};
    const Outcome expected = model_.release(id, now());
    const absl::Status got = service_->release_reservation(id);
    expect("release_reservation(" + std::to_string(id.value()) + ")", answer_of(got), expected);
  }

  // Moves the clock forward: by a random step, or exactly onto a boundary (an
  // order's expiry, or the end of a finished reservation's retention).
  void advance_clock() {
    std::vector<absl::Time> boundaries;
    for (const auto& [id, r] : model_.reservations) {
      const absl::Time t = r.active() ? r.expires_at
                                      : r.updated_at + limits_.finished_reservation_retention;
      if (t > now()) boundaries.push_back(t);
    }
    if (!boundaries.empty() && chance(0.3)) {
      clock_->set(one_of(boundaries));
      return;
    }
    static const std::vector<absl::Duration> steps = {
        absl::ZeroDuration(), absl::Seconds(1), absl::Minutes(30), absl::Hours(6),
        absl::Hours(24),      absl::Hours(72),  absl::Hours(24 * 7), absl::Hours(24 * 8)};
    clock_->advance(one_of(steps));
  }

  void expire() {
    advance_clock();
    std::vector<ExpiredNotice> expected = model_.expire_due(now());
    std::sort(expected.begin(), expected.end());
    absl::StatusOr<size_t> got = service_->expire_due_reservations();
    if (!service_->await_notices(absl::Seconds(10))) problems_.push_back("notices not delivered");
    std::vector<ExpiredNotice> notices = take_expired_notices(*sink_, seen_notices_);
    expect("expire_due_reservations(clock at " + time_text(now()) + ")", answer_of(got),
           std::nullopt);
    if (got.ok() && *got != expected.size()) {
      problems_.push_back("expired " + std::to_string(*got) + ", model " +
                          std::to_string(expected.size()));
    }
    if (notices != expected) {
      problems_.push_back("expiry notifications: " + std::to_string(notices.size()) +
                          ", model " + std::to_string(expected.size()));
    }
  }

  // --- Fills

  // Mostly now; sometimes a little earlier, or older than the in-memory
  // dedupe window, so that the store's slow path decides; sometimes from a
  // clock a little ahead of ours (taken), or far ahead (refused).
  absl::Time fill_time() {
    const double x = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (x < 0.85) return now();
    if (x < 0.96) return now() - absl::Minutes(uniform(1, 180));
    if (x < 0.965) return now() + absl::Seconds(uniform(1, 60));
    if (x < 0.97) return now() + absl::Hours(uniform(1, 30));
    return now() - limits_.execution_retention - absl::Hours(uniform(1, 48));
  }

  Fill new_fill(SymbolId symbol, Qty qty, Price price, FillParty buyer, FillParty seller) {
    return Fill{.execution = ExecutionId{next_execution_++}, .symbol = symbol, .qty = qty,
                .price = price, .buyer = buyer, .seller = seller,
                .tick = TickId{next_tick_++}, .time = fill_time()};
  }

  // A fill the ledger should accept, if `m` has a crossing pair of active orders.
  std::optional<Fill> valid_fill(const LedgerModel& m) {
    const auto pairs = crossing_pairs(m);
    if (pairs.empty()) return std::nullopt;
    const auto [b, s] = one_of(pairs);
    const int64_t most = std::min(b->remaining, s->remaining).value();
    const Qty qty{chance(0.4) ? most : uniform(1, most)};
    const int64_t lo = s->limit.cents_per_share();
    const int64_t hi = b->limit.cents_per_share();
    int64_t px = chance(0.3) ? (chance(0.5) ? lo : hi) : uniform(lo, hi);
    if (hi - lo >= 2 && chance(0.5)) px = uniform(lo + 1, hi - 1);  // Price improvement.
    return new_fill(b->symbol, qty, Price{px}, {b->account, b->order}, {s->account, s->order});
  }

  FillParty some_party() {
    std::vector<const ModelReservation*> any = referable(std::nullopt);
    if (any.empty() || chance(0.15)) {
      return {some_account(), OrderId{next_order_ + uint64_t(uniform(1000, 2000))}};
    }
    const ModelReservation* r = one_of(any);
    return {r->account, r->order};
  }

  // One thing wrong with an otherwise ordinary fill.
  void spoil(Fill& f) {
    const ModelReservation* buy = model_.by_order(f.buyer.order);
    const ModelReservation* sell = model_.by_order(f.seller.order);
    switch (uniform(0, 12)) {
      case 0: f.execution = ExecutionId{0}; break;
      case 1: f.qty = bad_qty(); break;
      case 2: f.price = bad_price(); break;
      case 3: f.seller.account = f.buyer.account; break;
      case 4: (chance(0.5) ? f.buyer : f.seller).account =
                  AccountId{model_.accounts.size() + uint64_t(uniform(1, 3))};
              break;
      case 5: (chance(0.5) ? f.buyer : f.seller).order = OrderId{next_order_ + 5'000}; break;
      case 6: (chance(0.5) ? f.buyer : f.seller).account = some_account(); break;
      case 7: (chance(0.5) ? f.buyer : f.seller) = some_party(); break;
      case 8: std::swap(f.buyer, f.seller); break;
      case 9: f.symbol = SymbolId{f.symbol.value() % kSymbols + 1}; break;
      case 10:
        if (buy && chance(0.5)) f.price = Price{buy->limit.cents_per_share() + uniform(1, 50)};
        else if (sell) f.price = Price{sell->limit.cents_per_share() - uniform(1, 50)};
        break;
      case 11:
        if (buy && sell) f.qty = std::max(buy->remaining, sell->remaining) + Qty{uniform(1, 9)};
        break;
      default: f.qty = f.qty + Qty{uniform(1, 20'000)}; break;
    }
  }

  Fill invalid_fill(const LedgerModel& m) {
    std::optional<Fill> f = valid_fill(m);
    if (!f) {
      const FillParty buyer = some_party();
      FillParty seller = some_party();
      for (int tries = 0; tries < 3 && seller.account == buyer.account; ++tries) {
        seller = some_party();
      }
      const ModelReservation* r = m.by_order(buyer.order);
      f = new_fill(r ? r->symbol : some_symbol(), order_qty(),
                   r ? r->limit : around(some_symbol(), 70, 130), buyer, seller);
    }
    spoil(*f);
    if (chance(0.25)) spoil(*f);  // Two faults: precedence decides.
    return *f;
  }

  // An applied fill sent again: unchanged (a duplicate) or with one field changed.
  std::optional<Fill> redelivery(bool change) {
    if (model_.applied.empty()) return std::nullopt;
    Fill f = one_of(model_.applied);
    if (!change) return f;
    switch (uniform(0, 10)) {
      case 0: f.qty += Qty{f.qty.value() > 1 && chance(0.5) ? -1 : 1}; break;
      case 1: f.price = Price{f.price.cents_per_share() + (chance(0.5) ? 1 : -1)}; break;
      case 2: f.symbol = SymbolId{f.symbol.value() % kSymbols + 1}; break;
      case 3: f.buyer.order = OrderId{f.buyer.order.value() + 1}; break;
      case 4: f.seller.account = AccountId{f.seller.account.value() + 1}; break;
      case 5: f.tick = TickId{f.tick.value() + 1}; break;
      case 6: f.time += absl::Nanoseconds(1); break;
      case 7: std::swap(f.buyer, f.seller); break;
      case 8: f.time = now(); break;  // Stamped with the time of redelivery.
      case 9: f.time -= limits_.execution_retention + absl::Hours(1); break;
      default: f.qty = Qty{0}; break;  // Malformed input outranks the conflict.
    }
    return f;
  }

  Fill some_fill(const LedgerModel& m) {
    const double x = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (x < 0.08) {
      if (std::optional<Fill> f = redelivery(false)) return *f;
    } else if (x < 0.14) {
      if (std::optional<Fill> f = redelivery(true)) return *f;
    } else if (x < 0.85) {
      if (std::optional<Fill> f = valid_fill(m)) return *f;
    }
    return invalid_fill(m);
  }

  void settle() {
    const Fill fill = some_fill(model_);
    SettlementReceipt model_receipt;
    const Outcome expected = model_.settle(fill, now(), &model_receipt);
    absl::StatusOr<SettlementReceipt> got = service_->settle(fill);
    expect("settle(" + describe(fill) + ")", answer_of(got), expected);
    if (got.ok() && !expected && !same_receipt(*got, model_receipt)) {
      problems_.push_back("service " + describe(*got) + ", model " + describe(model_receipt));
    }
  }

  void settle_batch() {
    // Each fill is drawn against the state the ones before it leave.
    LedgerModel scratch = model_;
    std::vector<Fill> fills;
    const int n = static_cast<int>(uniform(2, 6));
    for (int i = 0; i < n; ++i) {
      Fill f = (!fills.empty() && chance(0.1)) ? one_of(fills) : some_fill(scratch);
      SettlementReceipt ignored;
      (void)scratch.settle(f, now(), &ignored);
      fills.push_back(f);
    }
    std::vector<absl::StatusOr<SettlementReceipt>> got = service_->settle_batch(fills);
    if (got.size() != fills.size()) {
      problems_.push_back("settle_batch gave " + std::to_string(got.size()) + " results for " +
                          std::to_string(fills.size()) + " fills");
      return;
    }
    for (size_t i = 0; i < fills.size(); ++i) {
      SettlementReceipt model_receipt;
      const Outcome expected = model_.settle(fills[i], now(), &model_receipt);
      expect("settle_batch[" + std::to_string(i) + "/" + std::to_string(n) + "](" +
                 describe(fills[i]) + ")",
             answer_of(got[i]), expected);
      if (got[i].ok() && !expected && !same_receipt(*got[i], model_receipt)) {
        problems_.push_back("service " + describe(*got[i]) + ", model " +
                            describe(model_receipt));
      }
    }
  }

  // Invariant 6 and exactly-once across a restart: a second service opened on
  // the same store restores the same ledger, takes over, and refuses every
  // fill applied so far as a duplicate.
  void restart() {
    ++restarts_;
    op_ = "restart";
    log("#" + std::to_string(step_) + " restart at " + time_text(now()) + ", redeliver " +
        std::to_string(model_.applied.size()) + " fills");
    absl::StatusOr<std::unique_ptr<AccountService>> reopened = AccountService::open(options());
    if (!reopened.ok()) {
      problems_.push_back("reopen failed: " + reopened.status().ToString());
      return;
    }
    LedgerSnapshot before = service_->snapshot();
    LedgerSnapshot after = (*reopened)->snapshot();
    if (!limits_.trade_history_loaded_at_open) {
      // The reopened ledger holds no trades in memory: each account's history must come back
      // from the store the same.
      for (uint64_t a = 1; a <= model_.accounts.size(); ++a) {
        const size_t n = limits_.trades_in_memory_per_account_max + 2;
        const auto running = service_->trade_history(AccountId{a}, n);
        const auto restored = (*reopened)->trade_history(AccountId{a}, n);
        if (!running.ok() || !restored.ok() || *running != *restored) {
          problems_.push_back("trade history of account " + std::to_string(a) +
                              " differs after a restart without trades loaded");
        }
      }
      if (!after.trades.empty()) {
        problems_.push_back("a ledger opened without trades holds some in memory");
      }
      before.trades.clear();
    }
    if (before != after) {
      problems_.push_back("snapshot after restart differs (first = running service, second ="
                          " reopened):\n" + snapshot_difference(before, after));
    }
    service_ = std::move(*reopened);
    if (chance(0.5)) {
      for (const Fill& f : model_.applied) {
        const Answer a = answer_of(service_->settle(f));
        if (!agrees(a, Reason::kDuplicateExecution)) {
          problems_.push_back("redelivery after restart of " + describe(f) + ": " +
                              answer_text(a));
        }
      }
    } else if (!model_.applied.empty()) {
      const auto results = service_->settle_batch(model_.applied);
      if (results.size() != model_.applied.size()) {
        problems_.push_back("batch redelivery after restart gave " +
                            std::to_string(results.size()) + " results for " +
                            std::to_string(model_.applied.size()) + " fills");
      }
      for (size_t i = 0; i < results.size() && i < model_.applied.size(); ++i) {
        const Answer a = answer_of(results[i]);
        if (!agrees(a, Reason::kDuplicateExecution)) {
          problems_.push_back("batch redelivery after restart of " +
                              describe(model_.applied[i]) + ": " + answer_text(a));
        }
      }
    }
  }

  // --- State comparison

  void check_state() {
    ModelStateCheck(*service_, model_, now(),
                    {.symbols = kSymbols,
                     .recent_trades_k = [this] { return static_cast<size_t>(uniform(0, 4)); }},
                    problems_)
        .run();
  }


  void check_audit() {
    const AuditReport report = service_->audit();
    for (const std::string& v : report.violations) problems_.push_back("audit: " + v);
  }

  [[noreturn]] void fail() {
    std::ostringstream os;
    os << "ledger model disagreement\n  seed " << seed_ << " (replay: ACCOUNT_MODEL_SEED="
       << seed_ << " account_tests \"[model]\")\n  step " << step_ << ": " << op_
       << "\n  limits: position cap " << limits_.position_cap_qty << " bp, open notional cap "
       << limits_.open_notional_cap << " cents, trades in memory "
       << limits_.trades_in_memory_per_account_max
       << (limits_.trade_history_loaded_at_open ? " (loaded at open)" : " (not loaded at open)")
       << ", execution retention "
       << absl::FormatDuration(limits_.execution_retention) << ", finished retention "
       << absl::FormatDuration(limits_.finished_reservation_retention) << ", default expiry "
       << absl::FormatDuration(limits_.reservation_expiry_default) << "\n  problems:";
    for (const std::string& p : problems_) os << "\n    " << p;
    os << "\n  recent steps:";
    for (const std::string& h : history_) os << "\n    " << h;
    FAIL(os.str());
    throw std::logic_error("unreachable");  // FAIL throws; this keeps [[noreturn]] honest.
  }

  const uint64_t seed_;
  const int steps_;
  Coverage& coverage_;
  LedgerLimits limits_;
  // Every third seed's store preallocates its log and reservation rows, for
  // fewer than a long run commits.
  std::shared_ptr<MemoryStore> store_ = std::make_shared<MemoryStore>(
      MemoryStoreOptions{.fills_preallocated = seed_ % 3 == 0 ? size_t{100} : 0,
                         .reservations_preallocated = seed_ % 3 == 0 ? size_t{100} : 0});
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kEpoch);
  std::shared_ptr<RecordingNotificationSink> sink_ =
      std::make_shared<RecordingNotificationSink>();
  SeenNotices seen_notices_;
  std::unique_ptr<AccountService> service_;
  LedgerModel model_;
  std::map<uint64_t, int64_t> reference_price_;  // Per symbol, cents per share.

  int step_ = 0;
  int restarts_ = 0;
  std::string op_;
  std::vector<std::string> problems_;
  std::deque<std::string> history_;
  uint64_t next_google_ = 1;
  uint64_t next_key_ = 1;
  uint64_t next_order_ = 1;
  uint64_t next_execution_ = 1;
  uint64_t next_tick_ = 1;
};

TEST_CASE("the reference model agrees with the documented examples", "[model]") {
  LedgerModel m;
  AccountId buyer, seller;
  REQUIRE(accepted(m.create_account("a", "A", kEpoch, &buyer)));
  REQUIRE(accepted(m.create_account("b", "B", kEpoch, &seller)));
  REQUIRE(accepted(m.credit(buyer, Cents{10'000}, EntryKind::kFantasyCredit, "c1")));
  REQUIRE(accepted(m.issue_shares(seller, SymbolId{1}, Qty{10'000}, "i1")));
  ReservationId b, s;
  REQUIRE(accepted(m.reserve({.account = buyer, .order = OrderId{1}, .symbol = SymbolId{1},
                           .qty = Qty{1'429}, .limit = Price{35'000}},
                          Side::kBuy, kEpoch, &b)));
  CHECK(m.available_cash(buyer) == Cents{10'000 - 5'002});  // reserve_notional rounds up.
  REQUIRE(accepted(m.reserve({.account = seller, .order = OrderId{2}, .symbol = SymbolId{1},
                           .qty = Qty{1'429}, .limit = Price{35'000}},
                          Side::kSell, kEpoch, &s)));
  SettlementReceipt r;
  const Fill f{.execution = ExecutionId{1}, .symbol = SymbolId{1}, .qty = Qty{1'429},
               .price = Price{35'000}, .buyer = {buyer, OrderId{1}},
               .seller = {seller, OrderId{2}}, .tick = TickId{1}, .time = kEpoch};
  REQUIRE(accepted(m.settle(f, kEpoch, &r)));
  CHECK(r.notional == Cents{5'001});  // fill_notional rounds down.
  CHECK(m.accounts.at(buyer).cash == Cents{4'999});
  CHECK(m.available_cash(buyer) == Cents{4'999});
  const Position bought = m.position_image(buyer, SymbolId{1});
  CHECK(bought.cost_basis == Cents{5'001});
  CHECK(model_avg_cost(bought.qty, bought.cost_basis) == Price{34'997});  // 34996.5 half up.
  CHECK(m.settle(f, kEpoch, &r) == Reason::kDuplicateExecution);
  Fill changed = f;
  changed.tick = TickId{2};
  CHECK(m.settle(changed, kEpoch, &r) == Reason::kExecutionConflict);
  // Selling a third of a 3-share position that cost 1000 cents removes 333;
  // selling the rest removes the other 667, leaving a cost basis of exactly 0.
  ModelPosition& p = m.positions[{seller, SymbolId{2}}];
  p.qty = Qty{30'000};
  p.cost_basis = Cents{1'000};
  ReservationId b2, s2;
  REQUIRE(accepted(m.credit(buyer, Cents{1'000'000}, EntryKind::kAdjustment, "c2")));
  REQUIRE(accepted(m.reserve({.account = buyer, .order = OrderId{3}, .symbol = SymbolId{2},
                           .qty = Qty{30'000}, .limit = Price{1'000}},
                          Side::kBuy, kEpoch, &b2)));
  REQUIRE(accepted(m.reserve({.account = seller, .order = OrderId{4}, .symbol = SymbolId{2},
                           .qty = Qty{30'000}, .limit = Price{500}},
                          Side::kSell, kEpoch, &s2)));
  Fill third{.execution = ExecutionId{2}, .symbol = SymbolId{2}, .qty = Qty{10'000},
             .price = Price{600}, .buyer = {buyer, OrderId{3}}, .seller = {seller, OrderId{4}},
             .tick = TickId{2}, .time = kEpoch};
  REQUIRE(accepted(m.settle(third, kEpoch, &r)));
  CHECK(r.seller_realized_pnl == Cents{600 - 333});
  CHECK(r.buyer_cash_freed == Cents{1'000 - 600});  // Price improvement, freed at once.
  third.execution = ExecutionId{3};
  third.qty = Qty{20'000};
  REQUIRE(accepted(m.settle(third, kEpoch, &r)));
  CHECK(r.seller_realized_pnl == Cents{1'200 - 667});
  CHECK(m.position_or_zero(seller, SymbolId{2}).cost_basis == Cents{0});
  CHECK(r.buyer_order_done);
  CHECK(r.seller_order_done);
}

TEST_CASE("random command sequences: the service agrees with the reference model",
          "[model]") {
  const uint64_t replay = env_u64("ACCOUNT_MODEL_SEED", 0);
  const uint64_t sequences = replay != 0 ? 1 : env_u64("ACCOUNT_MODEL_SEQUENCES", 300);
  const int steps = static_cast<int>(env_u64("ACCOUNT_MODEL_STEPS", 200));
  const uint64_t base = Catch::rngSeed();
  Coverage coverage;
  size_t fills = 0;
  int restarts = 0;
  for (uint64_t i = 0; i < sequences; ++i) {
    const uint64_t seed = replay != 0 ? replay : splitmix64(base * 1'000'003 + i) | 1;
    Sequence sequence(seed, steps, coverage);
    sequence.run();
    fills += sequence.fills_applied();
    restarts += sequence.restarts();
  }
  if (env_u64("ACCOUNT_MODEL_STATS", 0) != 0) {
    std::ostringstream os;
    os << sequences << " sequences x " << steps << " steps, " << fills << " fills applied, "
       << restarts << " restarts";
    for (const auto& [what, n] : coverage) os << "\n  " << what << ": " << n;
    WARN(os.str());
  }
  // Guards against a generator that quietly stops reaching the interesting
  // cases: in a full run every one of these must have happened.
  if (replay == 0 && sequences * static_cast<uint64_t>(steps) >= 20'000) {
    CHECK(fills > sequences * 10);
    CHECK(restarts > static_cast<int>(sequences / 4));
    for (const char* what : {
             "create_account OK", "create_account InvalidArgument",
             "credit OK", "credit InvalidAmount",
             "credit InvalidArgument", "credit AccountNotFound", "credit DuplicateEntry",
             "credit EntryConflict", "debit OK", "debit InsufficientFunds",
             "debit DuplicateEntry", "issue_shares OK", "issue_shares InvalidQuantity",
             "issue_shares DuplicateEntry", "issue_shares EntryConflict", "reserve_buy OK",
             "reserve_buy InvalidQuantity", "reserve_buy InvalidPrice",
             "reserve_buy ExpiryInPast", "reserve_buy ExpiryTooLong",
             "reserve_buy AccountNotFound", "reserve_buy OrderConflict",
             "reserve_buy InsufficientFunds", "reserve_buy PositionLimitExceeded",
             "reserve_buy OpenNotionalLimitExceeded", "reserve_sell OK",
             "reserve_sell InsufficientPosition", "reserve_sell OpenNotionalLimitExceeded",
             "extend_reservation OK", "extend_reservation ReservationNotFound",
             "extend_reservation ReservationNotActive", "extend_reservation ExpiryInPast",
             "extend_reservation ExpiryTooLong", "cancel_order OK",
             "cancel_order ReservationNotFound", "cancel_order ReservationNotActive",
             "release_reservation OK", "release_reservation ReservationNotActive",
             "expire_due_reservations OK", "settle OK", "settle InvalidArgument",
             "settle InvalidQuantity", "settle InvalidPrice", "settle DuplicateExecution",
             "settle ExecutionConflict", "settle SelfTrade", "settle AccountNotFound",
             "settle ReservationNotFound", "settle ReservationNotActive", "settle WrongSide",
             "settle SymbolMismatch", "settle PriceOutsideLimit",
             "settle FillExceedsReservation", "settle_batch OK",
             "settle_batch DuplicateExecution"}) {
      INFO(what);
      CHECK(coverage[what] > 0);
    }
  }
}

// --- Disagreements the sequences found, pinned --------------------------------------
//
// Each reproduces, in as few commands as possible, a place where the service
// once broke a documented contract; they stay as regression tests.

// Two accounts with $1,000 and 10 shares, and a 3-share buy and sell at $10
// (orders 1 and 2); execution ids stay in memory for an hour.
struct SmallMarket {
  std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kEpoch);
  LedgerLimits limits = [] {
    LedgerLimits l;
    l.execution_retention = absl::Hours(1);
    return l;
  }();
  std::unique_ptr<AccountService> service =
      AccountService::open({.store = store, .clock = clock, .limits = limits}).value();
  AccountId buyer = service->create_account("buyer", "Buyer").value();
  AccountId seller = service->create_account("seller", "Seller").value();

  SmallMarket() {
    REQUIRE(service->credit(buyer, Cents{100'000}, EntryKind::kAdjustment, "cash").ok());
    REQUIRE(service->issue_shares(seller, SymbolId{1}, Qty{100'000}, "shares").ok());
    place(OrderId{1}, OrderId{2});
  }
  void place(OrderId buy, OrderId sell) {
    REQUIRE(service->reserve_buy({.account = buyer, .order = buy, .symbol = SymbolId{1},
                                  .qty = Qty{30'000}, .limit = Price{1'000}})
                .ok());
    REQUIRE(service->reserve_sell({.account = seller, .order = sell, .symbol = SymbolId{1},
                                   .qty = Qty{30'000}, .limit = Price{1'000}})
                .ok());
  }
  Fill fill(uint64_t execution, Qty qty, absl::Time time, OrderId buy = OrderId{1},
            OrderId sell = OrderId{2}) const {
    return Fill{.execution = ExecutionId{execution}, .symbol = SymbolId{1}, .qty = qty,
                .price = Price{1'000}, .buyer = {buyer, buy}, .seller = {seller, sell},
                .tick = TickId{execution}, .time = time};
  }
};

TEST_CASE("restamped redelivery: an execution older than the dedupe window, redelivered "
          "with a new fill time, is an ExecutionConflict",
          "[model]") {
  SmallMarket m;
  const Fill first = m.fill(1, Qty{10'000}, m.clock->now());
  REQUIRE(m.service->settle(first).ok());
  m.clock->advance(absl::Hours(2));
  // A later fill moves the window past the first one's time.
  REQUIRE(m.service->settle(m.fill(2, Qty{5'000}, m.clock->now())).ok());
  CHECK(reason_of(m.service->settle(first)) == Reason::kDuplicateExecution);

  Fill restamped = first;
  restamped.time = m.clock->now();  // Any field changed: a conflict (invariant 5).
  const absl::StatusOr<SettlementReceipt> alone = m.service->settle(restamped);
  INFO("alone: " << alone.status());
  CHECK(reason_of(alone) == Reason::kExecutionConflict);

  // In a batch it must not take a good fill down with it.
  const auto batch = m.service->settle_batch({m.fill(3, Qty{5'000}, m.clock->now()), restamped});
  REQUIRE(batch.size() == 2);
  INFO("batch: " << batch[0].status() << " / " << batch[1].status());
  CHECK(batch[0].ok());
  CHECK(reason_of(batch[1]) == Reason::kExecutionConflict);
  CHECK(m.service->cash(m.seller).value() == Cents{1'000 + 500 + 500});
  CHECK(m.service->audit().ok());
}

TEST_CASE("restamped redelivery of an execution whose orders are finished is still an "
          "ExecutionConflict",
          "[model][regression]") {
  SmallMarket m;
  const Fill first = m.fill(1, Qty{10'000}, m.clock->now());
  REQUIRE(m.service->settle(first).ok());
  REQUIRE(m.service->cancel_order(OrderId{1}).ok());
  m.place(OrderId{3}, OrderId{4});
  m.clock->advance(absl::Hours(2));
  REQUIRE(m.service->settle(m.fill(2, Qty{5'000}, m.clock->now(), OrderId{3}, OrderId{4})).ok());

  Fill restamped = first;
  restamped.time = m.clock->now();
  const absl::StatusOr<SettlementReceipt> got = m.service->settle(restamped);
  INFO(got.status());
  CHECK(reason_of(got) == Reason::kExecutionConflict);  // Not kReservationNotActive.
}

TEST_CASE("snapshot() lists only the executions a restored ledger would hold "
          "(a fill applied with a time older than the retention window)",
          "[model][regression]") {
  SmallMarket m;
  REQUIRE(m.service->settle(m.fill(1, Qty{10'000}, m.clock->now())).ok());
  // Applied after the first, but executed before the window that the first opens.
  REQUIRE(m.service->settle(m.fill(2, Qty{10'000}, m.clock->now() - absl::Hours(2))).ok());
  const LedgerSnapshot running = m.service->snapshot();
  auto reopened = AccountService::open({.store = m.store, .clock = m.clock, .limits = m.limits});
  REQUIRE(reopened.ok());
  const LedgerSnapshot restored = (*reopened)->snapshot();
  INFO(snapshot_difference(running, restored));
  CHECK(running == restored);
}

}  // namespace
}  // namespace account
