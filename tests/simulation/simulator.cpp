#include "simulation/simulator.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/internal/mutex.h"
#include "account/risk_cache.h"
#include "account/status.h"
#include "simulation/sim_store.h"
#include "support/model_state_check.h"
#include "support/random_draws.h"
#include "support/reference_model.h"

namespace account::simulation {

using testing::Answer;
using testing::answer_of;
using testing::answer_text;
using testing::describe;
using testing::ExpiredNotice;
using testing::LedgerModel;
using testing::ModelReservation;
using testing::Outcome;
using testing::outcome_text;

uint64_t seed_for(uint64_t base, uint64_t index) {
  return testing::splitmix64(base * 1'000'003 + index) | 1;
}

std::string SimBackend::replay_command(uint64_t seed) const {
  return "ACCOUNT_SIM_SEED=" + std::to_string(seed) +
         " build/release/tests/account_simulation_tests   (or: "
         "build/release/tests/account_simulation_soak --seed " +
         std::to_string(seed) + ")";
}

namespace {

constexpr uint64_t kSymbols = 3;
constexpr size_t kAccountsMax = 7;
// How long a drain of queued fills may take before the run calls it a hang.
constexpr absl::Duration kDrainTimeout = absl::Seconds(30);

// Records expiry notices and the outcome of every queued fill, in order.
class SimSink final : public NotificationSink {
 public:
  void on_order_expired(AccountId account, OrderId order, ReservationId reservation) override {
    internal::MutexLock lock(&mu_);
    notices_.push_back({account, order, reservation});
  }
  void on_queued_fill_done(const Fill& fill, const absl::Status& result) override {
    internal::MutexLock lock(&mu_);
    done_.emplace_back(fill, result);
  }
  std::vector<ExpiredNotice> take_notices() {
    internal::MutexLock lock(&mu_);
    std::vector<ExpiredNotice> out = std::move(notices_);
    notices_.clear();
    std::sort(out.begin(), out.end());
    return out;
  }
  size_t done_count() const {
    internal::MutexLock lock(&mu_);
    return done_.size();
  }
  std::vector<std::pair<Fill, absl::Status>> take_done() {
    internal::MutexLock lock(&mu_);
    std::vector<std::pair<Fill, absl::Status>> out = std::move(done_);
    done_.clear();
    return out;
  }

 private:
  mutable internal::Mutex mu_;
  std::vector<ExpiredNotice> notices_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<Fill, absl::Status>> done_ ABSL_GUARDED_BY(mu_);
};

// Per-step probability of each fault, drawn once per seed. Many seeds draw 0
// for some faults, so that each fault is also seen alone (swarm testing).
struct FaultRates {
  double duplicate = 0;      // A delivered fill is sent again later.
  double late = 0;           // A fill is held back behind later ones.
  double out_of_order = 0;   // Two fills swap places.
  double changed = 0;        // A fill is re-sent with other fields, same execution id.
  double before_durable = 0; // A commit fails before it is durable.
  double ambiguous = 0;      // A commit is durable but reported failed.
  double crash_mid = 0;      // A crash right after one of those two.
  double outage = 0;         // An outage starts (lasting many steps).
  double crash = 0;          // A crash between two commands.
};

bool queued(const absl::StatusOr<SettlementReceipt>& r) {
  return r.ok() && r->outcome == SettlementOutcome::kQueued;
}

bool same_receipt(const SettlementReceipt& a, const SettlementReceipt& b) {
  return testing::same_receipt(a, b) && a.outcome == SettlementOutcome::kApplied;
}

// What the RiskCache must answer for the state the model has at a publish.
struct RiskImage {
  bool published = false;
  TickId tick;
  struct AccountValues {
    Cents available_cash;
    Cents headroom;
  };
  struct PositionValues {
    Qty available_qty;
    Qty buy_headroom;
  };
  std::map<AccountId, AccountValues> accounts;
  std::map<std::pair<AccountId, SymbolId>, PositionValues> positions;
};

class Simulation : private testing::RandomDraws {
 public:
  Simulation(const SimulationOptions& options, SimBackend& backend)
      : RandomDraws(options.seed), options_(options), backend_(backend) {
    report_.seed = options.seed;
    draw_configuration();
  }

  SimulationReport run() {
    if (!open_service("start")) return finish();
    for (step_ = 1; step_ <= steps_; ++step_) {
      one_step();
      if (problems_.empty()) check_everything();
      if (!problems_.empty()) return finish();
    }
    step_ = steps_ + 1;
    op_ = "final: end outage, drain, restart, audit";
    if (outage_) end_outage();
    if (problems_.empty()) crash_and_restart("final restart");
    if (problems_.empty()) check_everything();
    if (problems_.empty() && !outage_) audit();
    return finish();
  }

 private:
  // --- Configuration

  absl::Time now() const { return clock_->now(); }

  // A rate: zero for about a third of seeds, otherwise low or high.
  double rate(double low, double high) {
    switch (uniform(0, 2)) {
      case 0: return 0;
      case 1: return low;
      default: return high;
    }
  }

  void draw_configuration() {
    steps_ = options_.steps > 0 ? options_.steps
                                : static_cast<int>(uniform(options_.steps_min, options_.steps_max));
    auto pick = [&](std::initializer_list<int64_t> xs) {
      return *(xs.begin() + uniform(0, static_cast<int64_t>(xs.size()) - 1));
    };
    limits_.position_cap_qty = Qty{pick({30, 80, 100'000}) * kBpPerShare};
    limits_.open_notional_cap = Cents{pick({60'000, 300'000, 1'000'000'000})};
    limits_.trades_in_memory_per_account_max = static_cast<size_t>(pick({3, 1'000}));
    limits_.execution_retention = absl::Hours(pick({1, 24}));
    limits_.finished_reservation_retention = absl::Hours(24 * pick({1, 7}));
    limits_.reservation_expiry_default = absl::Hours(24 * pick({1, 7}));
    model_.limits = limits_;
    rates_.duplicate = rate(0.03, 0.15);
    rates_.late = rate(0.03, 0.15);
    rates_.out_of_order = rate(0.03, 0.15);
    rates_.changed = rate(0.02, 0.08);
    rates_.before_durable = rate(0.01, 0.05);
    rates_.ambiguous = rate(0.01, 0.05);
    rates_.crash_mid = rate(0.1, 0.4);
    rates_.outage = rate(0.005, 0.02);
    rates_.crash = rate(0.003, 0.015);
    for (uint64_t s = 1; s <= kSymbols; ++s) reference_price_[s] = uniform(500, 9'000);
  }

  AccountServiceOptions service_options() {
    return AccountServiceOptions{
        .store = store_,
        .clock = clock_,
        .sink = sink_,
        .limits = limits_,
        .risk_readers_max = 2,
        // Fast retries: a drain after an outage should not wait on backoff.
        .settlement_retry = {.backoff_initial = absl::Microseconds(50),
                             .backoff_max = absl::Milliseconds(1)}};
  }

  // Opens the service on a fresh store connection. During an outage it must
  // fail with StoreUnavailable; returns whether a service is open.
  bool open_service(const std::string& why) {
    absl::StatusOr<std::shared_ptr<Store>> inner = backend_.open_store();
    if (!inner.ok()) {
      if (!outage_) problems_.push_back(why + ": opening the store failed: " +
                                        inner.status().ToString());
      return false;
    }
    store_ = std::make_shared<SimStore>(*std::move(inner));
    if (outage_ && !backend_.real_outages()) store_->set_down(true);
    absl::StatusOr<std::unique_ptr<AccountService>> opened =
        AccountService::open(service_options());
    if (!opened.ok()) {
      if (!outage_ || reason_of(opened) != Reason::kStoreUnavailable) {
        problems_.push_back(why + ": AccountService::open failed: " +
                            opened.status().ToString());
      }
      store_.reset();
      return false;
    }
    if (outage_) problems_.push_back(why + ": AccountService::open succeeded during an outage");
    service_ = *std::move(opened);
    risk_.published = false;
    return true;
  }

  void count_fault(const std::string& kind) { ++report_.faults[kind]; }

  // --- The step loop

  enum class Op {
    kCreateAccount, kCredit, kDebit, kIssue, kReserveBuy, kReserveSell, kExtend, kCancel,
    kRelease, kExchange, kDeliver, kRedeliver, kExpire, kTick,
  };

  Op pick_op() {
    if (model_.accounts.size() < 2) return Op::kCreateAccount;
    static const std::vector<std::pair<Op, int>> weights = {
        {Op::kCreateAccount, 3}, {Op::kCredit, 9},      {Op::kDebit, 2},
        {Op::kIssue, 5},         {Op::kReserveBuy, 14}, {Op::kReserveSell, 12},
        {Op::kExtend, 3},        {Op::kCancel, 3},      {Op::kRelease, 2},
        {Op::kExchange, 18},     {Op::kDeliver, 24},    {Op::kRedeliver, 3},
        {Op::kExpire, 4},        {Op::kTick, 8},
    };
    const Op op = weighted(weights);
    if (op == Op::kCreateAccount && model_.accounts.size() >= kAccountsMax && chance(0.8)) {
      return Op::kCredit;
    }
    return op;
  }

  void one_step() {
    clock_->advance(absl::Seconds(uniform(0, 3)));
    if (outage_ && step_ >= outage_until_) {
      end_outage();
      if (!problems_.empty()) return;
    }
    if (!outage_ && pending_.empty() && outages_ < options_.outages_max && chance(rates_.outage)) {
      begin_outage();
      if (!problems_.empty()) return;
    }
    if (crashes_ < options_.crashes_max && chance(rates_.crash)) {
      crash_and_restart("crash between commands");
      return;
    }
    switch (pick_op()) {
      case Op::kCreateAccount: return create_account();
      case Op::kCredit: return cash_entry(true);
      case Op::kDebit: return cash_entry(false);
      case Op::kIssue: return issue_shares();
      case Op::kReserveBuy: return reserve(Side::kBuy);
      case Op::kReserveSell: return reserve(Side::kSell);
      case Op::kExtend: return extend();
      case Op::kCancel: return cancel();
      case Op::kRelease: return release();
      case Op::kExchange: return exchange();
      case Op::kDeliver: return deliver();
      case Op::kRedeliver: return redeliver();
      case Op::kExpire: return expire();
      case Op::kTick: return tick();
    }
  }

  void log(std::string line) {
    history_.push_back("#" + std::to_string(step_) + " " + std::move(line));
    if (history_.size() > 50) history_.pop_front();
  }

  void count(const std::string& op, const std::string& outcome) {
    ++report_.commands[op.substr(0, op.find_first_of("([")) + " " + outcome];
  }

  // --- Faults on one command

  enum class Armed { kNone, kBefore, kAfter };
  struct Plan {
    Armed armed = Armed::kNone;
    bool crash = false;
  };

  // Decides whether the next command's commit fails, and how. Only from a
  // quiet state: no outage and no queued fills, so that the retry thread
  // cannot take the fault meant for the command.
  Plan plan_fault(bool then_down_if_crash) {
    Plan plan;
    if (outage_ || !pending_.empty()) return plan;
    if (chance(rates_.before_durable)) plan.armed = Armed::kBefore;
    else if (chance(rates_.ambiguous)) plan.armed = Armed::kAfter;
    if (plan.armed == Armed::kNone) return plan;
    plan.crash = crashes_ < options_.crashes_max && chance(rates_.crash_mid);
    store_->arm(plan.armed == Armed::kBefore ? SimStore::Fault::kBeforeDurable
                                             : SimStore::Fault::kAfterDurable,
                plan.crash && then_down_if_crash);
    fired_before_ = store_->faults_fired();
    return plan;
  }

  // Disarms the store; true when the planned fault fired (a command that
  // commits nothing leaves it unfired).
  bool fault_fired(const Plan& plan) {
    if (plan.armed == Armed::kNone) return false;
    store_->disarm();
    const bool fired = store_->faults_fired() != fired_before_;
    if (fired) {
      count_fault(plan.armed == Armed::kBefore ? "commit fails before durable"
                                               : "ambiguous commit (durable, reported failed)");
    }
    return fired;
  }

  void expect(const std::string& op, const Answer& got, const Outcome& model) {
    op_ = op;
    count(op, outcome_text(model));
    log(op + " -> service " + answer_text(got) + ", model " + outcome_text(model));
    if (!testing::agrees(got, model)) {
      problems_.push_back("result of " + op + ": service " + answer_text(got) + ", model " +
                          outcome_text(model));
    }
  }

  // During an outage: a command the model accepts must be refused with
  // StoreUnavailable; one it refuses may also get its own reason.
  void expect_outage(const std::string& op, const Answer& got, const Outcome& model) {
    op_ = op + " [outage]";
    count(op, "outage");
    log(op_ + " -> service " + answer_text(got) + ", model " + outcome_text(model));
    const bool unavailable = !got.ok && got.reason == Reason::kStoreUnavailable;
    if (unavailable || (model && testing::agrees(got, model))) return;
    if (got.ok && commits_nothing_) return;
    problems_.push_back("during an outage " + op + ": service " + answer_text(got) +
                        ", expected StoreUnavailable" +
                        (model ? " or " + outcome_text(model) : std::string()));
  }

  // The service may forget a finished reservation once it is older than
  // finished_reservation_retention (on a reload or restart); a fill naming
  // one is then refused as ReservationNotFound rather than NotActive.
  bool settle_agrees(const Answer& got, const Outcome& verdict, const Fill& f) const {
    if (testing::agrees(got, verdict)) return true;
    if (verdict != Reason::kReservationNotActive || got.reason != Reason::kReservationNotFound) {
      return false;
    }
    for (OrderId order : {f.buyer.order, f.seller.order}) {
      const ModelReservation* r = model_.by_order(order);
      if (r != nullptr && !model_.referable(*r, now())) return true;
    }
    return false;
  }

  // Runs one command that is not a settlement. `on_model` runs the command
  // on a model and returns its outcome; `on_service` runs it on the service.
  // `after_ok(model_outcome, answer)` compares what an accepted command
  // returned (ids). Faults: see plan_fault(); after one fired, the caller
  // retries the command once (after a restart, if it crashed), and the retry
  // must find it applied (ambiguous) or apply it (before durable).
  void command(const std::string& op, const std::function<Outcome(LedgerModel&)>& on_model,
               const std::function<Answer()>& on_service,
               const std::function<void()>& after_ok = {}) {
    if (outage_) {
      LedgerModel scratch = model_;
      const Outcome expected = on_model(scratch);
      expect_outage(op, on_service(), expected);
      return;
    }
    const Plan plan = plan_fault(/*then_down_if_crash=*/false);
    const Answer got = on_service();
    if (!fault_fired(plan)) {
      const Outcome expected = on_model(model_);
      expect(op, got, expected);
      if (got.ok && !expected && after_ok) after_ok();
      return;
    }
    // The commit failed: the caller must see StoreUnavailable.
    expect(op + " [commit failed]", got, Reason::kStoreUnavailable);
    if (plan.armed == Armed::kAfter) {
      // It is durable all the same: the model applies it.
      const Outcome landed = on_model(model_);
      if (landed) {
        problems_.push_back(op + ": the store committed it, but the model refuses it with " +
                            outcome_text(landed));
      }
    }
    if (plan.crash) {
      count_fault("crash mid-commit");
      crash_and_restart("crash after a failed commit of " + op, /*memory_is_store=*/false);
      if (!problems_.empty()) return;
    }
    const Outcome expected = on_model(model_);
    const Answer retry = on_service();
    expect(op + " [retried]", retry, expected);
    if (retry.ok && !expected && after_ok) after_ok();
  }

  // --- Commands

  AccountId some_account() {
    if (model_.accounts.empty() || chance(0.03)) {
      return AccountId{model_.accounts.size() + static_cast<uint64_t>(uniform(1, 3))};
    }
    return AccountId{static_cast<uint64_t>(uniform(1, int64_t(model_.accounts.size())))};
  }
  SymbolId some_symbol() { return SymbolId{static_cast<uint64_t>(uniform(1, kSymbols))}; }

  void create_account() {
    std::string google = "google-sub-" + std::to_string(next_google_++);
    if (chance(0.04)) google.clear();
    if (chance(0.05) && !model_.accounts.empty()) {
      google = model_.accounts.at(AccountId{1}).google_id;
    }
    const std::string name = "Player " + google;
    AccountId model_id;
    AccountId got_id;
    command(
        "create_account('" + google + "')",
        [&](LedgerModel& m) { return m.create_account(google, name, now(), &model_id); },
        [&] {
          absl::StatusOr<AccountId> got = service_->create_account(google, name);
          if (got.ok()) got_id = *got;
          return answer_of(got);
        },
        [&] {
          if (got_id != model_id) {
            problems_.push_back("account id " + std::to_string(got_id.value()) + ", model " +
                                std::to_string(model_id.value()));
          }
        });
  }

  // Fantasy credits carry the key of the week they pay for; a job that runs
  // again sends the same key (a duplicate), and a correction that reuses a
  // key with another amount is a conflict.
  void cash_entry(bool credit) {
    AccountId account = some_account();
    EntryKind kind = chance(0.7) ? EntryKind::kFantasyCredit
                                 : (chance(0.5) ? EntryKind::kWinBonus : EntryKind::kAdjustment);
    std::string key = "fantasy:" + std::to_string(account.value()) + ":2026:w" +
                      std::to_string(next_key_++);
    Cents amount{uniform(1'000, 250'000)};
    if (!credit && model_.has_account(account)) {
      const int64_t avail = model_.available_cash(account).value();
      amount = Cents{uniform(1, std::max<int64_t>(1, avail + avail / 5 + 10))};
    }
    if (!model_.entries.empty() && chance(0.12)) {
      std::vector<testing::EntryRequest> all;
      for (const auto& [k, e] : model_.entries) {
        if (e.kind != EntryKind::kShareIssue) all.push_back(e);
      }
      if (!all.empty()) {
        const testing::EntryRequest& e = one_of(all);
        key = e.key;
        account = e.account;
        kind = e.kind;
        credit = e.cash.value() > 0;
        amount = credit ? e.cash : -e.cash;
        if (chance(0.4)) amount += Cents{uniform(1, 100)};  // A conflict.
      }
    }
    std::ostringstream op;
    op << (credit ? "credit(" : "debit(") << account << ", " << amount << ", "
       << entry_kind_name(kind) << ", '" << key << "')";
    command(
        op.str(),
        [&](LedgerModel& m) {
          return credit ? m.credit(account, amount, kind, key)
                        : m.debit(account, amount, kind, key);
        },
        [&] {
          return answer_of(credit ? service_->credit(account, amount, kind, key)
                                  : service_->debit(account, amount, kind, key));
        });
  }

  void issue_shares() {
    const AccountId account = some_account();
    const SymbolId symbol = some_symbol();
    const Qty qty{uniform(1, 30) * kBpPerShare + (chance(0.3) ? uniform(1, 9'999) : 0)};
    const std::string key = "issue:" + std::to_string(next_key_++);
    std::ostringstream op;
    op << "issue_shares(" << account << ", sym " << symbol << ", " << qty << ", '" << key << "')";
    command(
        op.str(), [&](LedgerModel& m) { return m.issue_shares(account, symbol, qty, key); },
        [&] { return answer_of(service_->issue_shares(account, symbol, qty, key)); });
  }

  Price scaled(Price p, int lo_pct, int hi_pct) {
    return Price{std::max<int64_t>(limits_.price_min.cents_per_share(),
                                   p.cents_per_share() * uniform(lo_pct, hi_pct) / 100)};
  }
  Price around(SymbolId s, int lo_pct, int hi_pct) {
    return scaled(Price{reference_price_[s.value()]}, lo_pct, hi_pct);
  }

  std::vector<const ModelReservation*> active_orders(Side side) const {
    std::vector<const ModelReservation*> out;
    for (const auto& [id, r] : model_.reservations) {
      if (r.active() && r.side == side) out.push_back(&r);
    }
    return out;
  }

  std::vector<const ModelReservation*> referable(bool active_only) const {
    std::vector<const ModelReservation*> out;
    for (const auto& [id, r] : model_.reservations) {
      if (model_.referable(r, now()) && (!active_only || r.active())) out.push_back(&r);
    }
    return out;
  }

  OrderSpec order_for(Side side) {
    OrderSpec spec{.account = some_account(), .order = OrderId{next_order_++},
                   .symbol = some_symbol(),
                   .qty = chance(0.5) ? Qty{uniform(1, 10) * kBpPerShare}
                                      : Qty{uniform(1, 60'000)}};
    spec.limit = around(spec.symbol, 85, 120);
    const std::vector<const ModelReservation*> other =
        active_orders(side == Side::kBuy ? Side::kSell : Side::kBuy);
    if (side == Side::kBuy) {
      if (!other.empty() && chance(0.6)) {
        const ModelReservation* s = one_of(other);
        spec.symbol = s->symbol;
        spec.limit = scaled(s->limit, 100, 115);
        if (spec.account == s->account) {
          spec.account = AccountId{s->account.value() % model_.accounts.size() + 1};
        }
      }
      if (model_.has_account(spec.account) && chance(0.7)) {
        const Qty affordable =
            qty_for_notional(model_.available_cash(spec.account), spec.limit).value_or(Qty{0});
        if (affordable.value() > 0) spec.qty = std::min(spec.qty, affordable);
      }
    } else {
      std::vector<std::pair<AccountId, SymbolId>> holders;
      for (const auto& [key, p] : model_.positions) {
        if (p.qty > model_.open_qty(key.first, key.second, Side::kSell)) holders.push_back(key);
      }
      if (!holders.empty() && chance(0.85)) {
        std::tie(spec.account, spec.symbol) = one_of(holders);
        const int64_t avail = (model_.position_or_zero(spec.account, spec.symbol).qty -
                               model_.open_qty(spec.account, spec.symbol, Side::kSell)).value();
        spec.qty = Qty{chance(0.92) ? uniform(1, avail) : avail + uniform(1, 20'000)};
        spec.limit = around(spec.symbol, 80, 105);
        for (const ModelReservation* b : other) {
          if (b->symbol == spec.symbol && b->account != spec.account && chance(0.6)) {
            spec.limit = scaled(b->limit, 85, 100);
            break;
          }
        }
      }
    }
    if (chance(0.2)) spec.expires_at = now() + absl::Minutes(uniform(1, 20 * 24 * 60));
    if (chance(0.02)) spec.expires_at = now() + limits_.reservation_expiry_max + absl::Seconds(1);
    if (chance(0.03)) {
      const std::vector<const ModelReservation*> known = referable(false);
      if (!known.empty()) spec.order = one_of(known)->order;  // OrderExists.
    }
    return spec;
  }

  void reserve(Side side) {
    const OrderSpec spec = order_for(side);
    std::ostringstream op;
    op << (side == Side::kBuy ? "reserve_buy(" : "reserve_sell(") << "account " << spec.account
       << " order " << spec.order << " sym " << spec.symbol << " qty " << spec.qty << " limit "
       << spec.limit << ")";
    ReservationId model_id;
    ReservationId got_id;
    command(
        op.str(), [&](LedgerModel& m) { return m.reserve(spec, side, now(), &model_id); },
        [&] {
          absl::StatusOr<ReservationId> got =
              side == Side::kBuy ? service_->reserve_buy(spec) : service_->reserve_sell(spec);
          if (got.ok()) got_id = *got;
          return answer_of(got);
        },
        [&] {
          if (got_id != model_id) {
            problems_.push_back("reservation id " + std::to_string(got_id.value()) + ", model " +
                                std::to_string(model_id.value()));
          }
        });
  }

  const ModelReservation* some_reservation() {
    const std::vector<const ModelReservation*> active = referable(true);
    const std::vector<const ModelReservation*> any = referable(false);
    if (any.empty() || chance(0.05)) return nullptr;
    if (!active.empty() && chance(0.8)) return one_of(active);
    return one_of(any);
  }

  void extend() {
    const ModelReservation* r = some_reservation();
    const ReservationId id =
        r ? r->id : ReservationId{model_.reservations.size() + uint64_t(uniform(1, 5))};
    const absl::Time created = r ? r->created_at : now();
    absl::Time to = created + absl::Minutes(uniform(1, 30 * 24 * 60));
    if (chance(0.1)) to = created + limits_.reservation_expiry_max + absl::Seconds(1);
    command("extend_reservation(" + std::to_string(id.value()) + ")",
            [&](LedgerModel& m) { return m.extend(id, to, now()); },
            [&] { return answer_of(service_->extend_reservation(id, to)); });
  }

  void cancel() {
    const ModelReservation* r = some_reservation();
    const OrderId order = r ? r->order : OrderId{next_order_ + uint64_t(uniform(1000, 2000))};
    command("cancel_order(" + std::to_string(order.value()) + ")",
            [&](LedgerModel& m) { return m.cancel(order, now()); },
            [&] { return answer_of(service_->cancel_order(order)); });
  }

  void release() {
    const ModelReservation* r = some_reservation();
    const ReservationId id =
        r ? r->id : ReservationId{model_.reservations.size() + uint64_t(uniform(1, 5))};
    command("release_reservation(" + std::to_string(id.value()) + ")",
            [&](LedgerModel& m) { return m.release(id, now()); },
            [&] { return answer_of(service_->release_reservation(id)); });
  }

  // Moves the clock to an expiry (or retention) boundary or by a jump, then
  // runs the sweep. Every expiry the model makes must be notified exactly
  // once (check_notices()): by the sweep after its commit, or, when the
  // commit was ambiguous, by the reload before the retry.
  void expire() {
    std::vector<absl::Time> boundaries;
    for (const auto& [id, r] : model_.reservations) {
      const absl::Time t =
          r.active() ? r.expires_at : r.updated_at + limits_.finished_reservation_retention;
      if (t > now()) boundaries.push_back(t);
    }
    if (!boundaries.empty() && chance(0.4)) {
      clock_->set(one_of(boundaries));
    } else {
      static const std::vector<absl::Duration> jumps = {
          absl::Minutes(30), absl::Hours(6), absl::Hours(24), absl::Hours(72)};
      clock_->advance(one_of(jumps));
    }
    const std::string op = "expire_due_reservations(clock " + testing::time_text(now()) + ")";
    std::vector<ExpiredNotice> expected_notices;
    // The orders of queued fills wait for them: the sweep leaves them.
    std::vector<OrderId> held;
    for (const Fill& f : pending_) {
      held.push_back(f.buyer.order);
      held.push_back(f.seller.order);
    }
    {
      // With nothing due the sweep commits nothing, so it succeeds even
      // during an outage.
      LedgerModel scratch = model_;
      commits_nothing_ = scratch.expire_due(now(), held).empty();
    }
    size_t got_count = 0;
    bool saw_ok = false;
    command(
        op,
        [&](LedgerModel& m) {
          expected_notices = m.expire_due(now(), held);
          if (&m == &model_) {
            for (const ExpiredNotice& n : expected_notices) unnotified_[n.reservation] = n;
          }
          return Outcome{};
        },
        [&] {
          absl::StatusOr<size_t> got = service_->expire_due_reservations();
          if (got.ok()) {
            got_count = *got;
            saw_ok = true;
          }
          return answer_of(got);
        });
    commits_nothing_ = false;
    check_notices();
    if (outage_ || !saw_ok) return;
    // The last call (the retry, after a fault) is what the count describes.
    if (got_count != expected_notices.size()) {
      problems_.push_back("expired " + std::to_string(got_count) + ", model " +
                          std::to_string(expected_notices.size()));
    }
  }

  // Takes the notices sent so far: each must name an expiry of the model not
  // notified before. With `all_due`, outside an outage, every expiry of the
  // model must have been notified by now (a crash may lose notices:
  // reconcile_expiries()).
  void check_notices(bool all_due = true) {
    for (const ExpiredNotice& n : sink_->take_notices()) {
      const std::string what = "expiry notice for order " + std::to_string(n.order.value()) +
                               " (reservation " + std::to_string(n.reservation.value()) + ")";
      log(what);
      if (notified_.contains(n.reservation)) {
        problems_.push_back(what + ": sent twice");
        continue;
      }
      const auto due = unnotified_.find(n.reservation);
      if (due == unnotified_.end() || !(due->second == n)) {
        problems_.push_back(what + ": the model expired no such order");
        continue;
      }
      unnotified_.erase(due);
      notified_.insert(n.reservation);
    }
    if (!all_due || outage_ || !service_) return;
    for (const auto& [id, n] : unnotified_) {
      problems_.push_back("order " + std::to_string(n.order.value()) + " (reservation " +
                          std::to_string(id.value()) + ") expired without a notice");
    }
  }

  // What the engine does when the ledger restarts: it asks what expired
  // within the window, since notices of expiries committed just before a
  // crash may never have been sent. Every expiry of the model not yet
  // notified must be listed, and nothing the model did not expire.
  void reconcile_expiries() {
    const absl::Time since = now() - limits_.finished_reservation_retention;
    absl::StatusOr<std::vector<Reservation>> expired = service_->expired_reservations_since(since);
    if (!expired.ok()) {
      problems_.push_back("expired_reservations_since: " + expired.status().ToString());
      return;
    }
    for (const Reservation& r : *expired) {
      const ModelReservation* m = model_.by_order(r.order);
      if (m == nullptr || m->id != r.id || m->status != ReservationStatus::kExpired ||
          m->updated_at != r.updated_at) {
        problems_.push_back("expired_reservations_since lists reservation " +
                            std::to_string(r.id.value()) + ", which the model did not expire "
                            "then");
        continue;
      }
      if (unnotified_.erase(r.id) > 0) {
        notified_.insert(r.id);
        ++report_.faults["expiry notices lost in a crash, reconciled"];
      }
    }
    for (const auto& [id, n] : unnotified_) {
      problems_.push_back("order " + std::to_string(n.order.value()) +
                          " expired without a notice, and a restart does not list it");
    }
  }

  // --- The exchange and the wire

  absl::Time fill_time() {
    const double x = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (x < 0.85) return now();
    if (x < 0.97) return now() - absl::Minutes(uniform(1, 90));
    return now() - limits_.execution_retention - absl::Hours(uniform(1, 24));  // Slow path.
  }

  // Quantity of `order` already on the wire, not yet delivered.
  Qty on_wire(OrderId order) const {
    Qty sum{0};
    for (const Fill& f : wire_) {
      if (f.buyer.order == order || f.seller.order == order) sum += f.qty;
    }
    for (const Fill& f : pending_) {
      if (f.buyer.order == order || f.seller.order == order) sum += f.qty;
    }
    return sum;
  }

  // The matching engine crosses resting orders and puts fills on the wire:
  // full, partial, at either limit or improved between them.
  void exchange() {
    const auto pairs = testing::crossing_pairs(model_);
    op_ = "exchange";
    if (pairs.empty()) {
      log("exchange: nothing crosses");
      return;
    }
    const int n = static_cast<int>(uniform(1, 4));
    for (int i = 0; i < n; ++i) {
      const auto [b, s] = one_of(pairs);
      const int64_t most =
          std::min(b->remaining - on_wire(b->order), s->remaining - on_wire(s->order)).value();
      if (most <= 0) continue;
      const Qty qty{chance(0.4) ? most : uniform(1, most)};
      const int64_t lo = s->limit.cents_per_share();
      const int64_t hi = b->limit.cents_per_share();
      int64_t px = chance(0.5) ? (chance(0.5) ? lo : hi) : uniform(lo, hi);
      if (hi - lo >= 2 && chance(0.3)) px = uniform(lo + 1, hi - 1);
      const Fill f{.execution = ExecutionId{next_execution_++}, .symbol = b->symbol, .qty = qty,
                   .price = Price{px}, .buyer = {b->account, b->order},
                   .seller = {s->account, s->order}, .tick = TickId{tick_ + 1},
                   .time = fill_time()};
      wire_.push_back(f);
      log("exchange: " + describe(f));
    }
  }

  Fill changed_fields(Fill f) {
    switch (uniform(0, 6)) {
      case 0: f.qty += Qty{f.qty.value() > 1 && chance(0.5) ? -1 : 1}; break;
      case 1: f.price = Price{f.price.cents_per_share() + (chance(0.5) ? 1 : -1)}; break;
      case 2: f.tick = TickId{f.tick.value() + 1}; break;
      case 3: f.time += absl::Nanoseconds(1); break;
      case 4: f.time = now(); break;  // Restamped on redelivery.
      case 5: f.time -= limits_.execution_retention + absl::Hours(1); break;
      default: f.seller.order = OrderId{f.seller.order.value() + 1}; break;
    }
    return f;
  }

  // Takes up to a few fills off the wire, with the delivery faults of this
  // seed, and settles them one by one or as one batch.
  void deliver() {
    if (wire_.empty()) return exchange();
    if (wire_.size() >= 2 && chance(rates_.late)) {
      count_fault("fill delivered late");
      const Fill f = wire_.front();
      wire_.pop_front();
      wire_.push_back(f);
    }
    if (wire_.size() >= 2 && chance(rates_.out_of_order)) {
      count_fault("fills out of order");
      std::swap(wire_[0], wire_[static_cast<size_t>(uniform(1, int64_t(wire_.size()) - 1))]);
    }
    const size_t n = chance(0.3) ? static_cast<size_t>(uniform(1, 4)) : 1;
    std::vector<Fill> batch;
    while (batch.size() < n && !wire_.empty()) {
      batch.push_back(wire_.front());
      wire_.pop_front();
    }
    for (const Fill& f : batch) {
      if (chance(rates_.duplicate)) {
        count_fault("fill delivered twice");
        wire_.insert(wire_.begin() + uniform(0, int64_t(wire_.size())), f);
      }
      if (chance(rates_.changed)) {
        count_fault("fill re-sent with other fields");
        wire_.insert(wire_.begin() + uniform(0, int64_t(wire_.size())), changed_fields(f));
      }
    }
    settle(batch, batch.size() > 1 || chance(0.2));
  }

  // An applied fill sent again, unchanged or changed.
  void redeliver() {
    if (model_.applied.empty()) return deliver();
    const Fill f = one_of(model_.applied);
    if (chance(0.5)) {
      count_fault("fill delivered twice");
      settle({f}, chance(0.3));
    } else {
      count_fault("fill re-sent with other fields");
      settle({changed_fields(f)}, chance(0.3));
    }
  }

  std::string fills_text(const std::vector<Fill>& fills) {
    std::string out;
    for (const Fill& f : fills) out += (out.empty() ? "" : "; ") + describe(f);
    return out;
  }

  // Settles `fills` (as one settle_batch call, or one settle() each) and
  // checks every answer against the model. Fills answered kQueued wait in
  // pending_ until the retry thread reports them done (drain()).
  void settle(const std::vector<Fill>& fills, bool as_batch) {
    if (!as_batch && fills.size() > 1) {
      for (const Fill& f : fills) {
        settle({f}, false);
        if (!problems_.empty()) return;
      }
      return;
    }
    const std::string op = std::string(as_batch ? "settle_batch(" : "settle(") +
                           fills_text(fills) + ")";
    op_ = op;
    const bool was_pending = !pending_.empty();
    const bool was_outage = outage_;
    const Plan plan = plan_fault(/*then_down_if_crash=*/true);
    std::vector<absl::StatusOr<SettlementReceipt>> got =
        as_batch ? service_->settle_batch(fills)
                 : std::vector<absl::StatusOr<SettlementReceipt>>{service_->settle(fills[0])};
    const bool fired = fault_fired(plan);
    if (got.size() != fills.size()) {
      problems_.push_back(op + ": " + std::to_string(got.size()) + " results for " +
                          std::to_string(fills.size()) + " fills");
      return;
    }
    // What the model says, fill by fill, on a copy: the real model changes
    // only for what is durable.
    LedgerModel scratch = model_;
    for (size_t i = 0; i < fills.size(); ++i) {
      SettlementReceipt model_receipt;
      const Outcome verdict = scratch.settle(fills[i], now(), &model_receipt);
      const std::string what = op + " [" + std::to_string(i) + "]";
      const Answer answer = answer_of(got[i]);
      log(what.substr(0, 200) + " -> service " +
          (queued(got[i]) ? std::string("Queued") : answer_text(answer)) + ", model " +
          outcome_text(verdict));
      count(as_batch ? "settle_batch" : "settle",
            queued(got[i]) ? "Queued" : outcome_text(verdict));
      if (was_pending) {
        // Fills queue behind the ones already waiting, whatever they are.
        if (!queued(got[i])) problems_.push_back(what + ": not queued behind queued fills: " +
                                                 answer_text(answer));
        pending_.push_back(fills[i]);
      } else if (was_outage || fired) {
        // Accepted ones cannot commit and queue; refused ones are refused
        // at once (or queue too, when the service must reload first).
        if (queued(got[i])) {
          pending_.push_back(fills[i]);
        } else if (!verdict || !settle_agrees(answer, verdict, fills[i])) {
          problems_.push_back(what + ": service " + answer_text(answer) + ", expected Queued" +
                              (verdict ? " or " + outcome_text(verdict) : std::string()));
        }
      } else {
        if (!settle_agrees(answer, verdict, fills[i]) || queued(got[i])) {
          problems_.push_back(what + ": service " +
                              (queued(got[i]) ? std::string("Queued") : answer_text(answer)) +
                              ", model " + outcome_text(verdict));
        } else if (got[i].ok() && !same_receipt(*got[i], model_receipt)) {
          problems_.push_back(what + ": service " + describe(*got[i]) + ", model " +
                              describe(model_receipt));
        }
      }
    }
    if (!problems_.empty()) return;
    if (!was_pending && !was_outage && (!fired || plan.armed == Armed::kAfter)) {
      // Healthy, or durable despite the error: the model applies the batch.
      model_ = std::move(scratch);
    }
    if (fired && plan.crash) {
      count_fault("crash mid-commit");
      crash_and_restart("crash after a failed commit of " + op, /*memory_is_store=*/false);
      return;
    }
    if (fired) drain();
  }

  // Waits until the retry thread has dealt with every queued fill, then
  // checks each reported outcome against the model, in queue order.
  void drain() {
    if (pending_.empty()) return;
    const absl::Time deadline = absl::Now() + kDrainTimeout;
    while (service_->queued_fills() > 0 || sink_->done_count() < pending_.size()) {
      if (absl::Now() > deadline) {
        problems_.push_back("drain: queued fills not done after " +
                            absl::FormatDuration(kDrainTimeout) + " (" +
                            std::to_string(service_->queued_fills()) + " still queued, " +
                            std::to_string(sink_->done_count()) + " of " +
                            std::to_string(pending_.size()) + " reported)");
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    const std::vector<std::pair<Fill, absl::Status>> done = sink_->take_done();
    if (done.size() != pending_.size()) {
      problems_.push_back("drain: " + std::to_string(done.size()) + " fills reported, " +
                          std::to_string(pending_.size()) + " queued");
      return;
    }
    for (size_t i = 0; i < done.size(); ++i) {
      if (!(done[i].first == pending_[i])) {
        problems_.push_back("drain: reported out of order at " + std::to_string(i) + ": " +
                            describe(done[i].first) + " for " + describe(pending_[i]));
        return;
      }
      SettlementReceipt ignored;
      const Outcome verdict = model_.settle(pending_[i], now(), &ignored);
      const Answer answer = answer_of(done[i].second);
      const std::string what = "queued " + describe(pending_[i]);
      log(what + " done -> service " + answer_text(answer) + ", model " + outcome_text(verdict));
      count("queued fill done", outcome_text(verdict));
      if (!settle_agrees(answer, verdict, pending_[i])) {
        problems_.push_back(what + ": service " + answer_text(answer) + ", model " +
                            outcome_text(verdict));
      }
    }
    pending_.clear();
  }

  // --- Outages and crashes

  void begin_outage() {
    ++outages_;
    outage_ = true;
    outage_started_ = step_;
    outage_until_ = step_ + static_cast<int>(uniform(3, 40));
    count_fault("store outage");
    log("outage begins, until step " + std::to_string(outage_until_));
    if (backend_.real_outages()) {
      if (absl::Status s = backend_.outage_begin(); !s.ok()) {
        problems_.push_back("outage_begin: " + s.ToString());
      }
    } else {
      store_->set_down(true);
    }
  }

  void end_outage() {
    log("outage ends, " + std::to_string(pending_.size()) + " fills queued");
    report_.faults["store outage steps"] += static_cast<uint64_t>(step_ - outage_started_);
    outage_ = false;
    if (backend_.real_outages()) {
      if (absl::Status s = backend_.outage_end(); !s.ok()) {
        problems_.push_back("outage_end: " + s.ToString());
        return;
      }
    } else if (store_) {
      store_->set_down(false);
    }
    if (service_) drain();
  }

  // The process dies: the service is dropped without any shutdown step
  // (queued fills, never acknowledged, are lost with it), and a new one
  // opens on the backend's data. Whatever was not acknowledged is delivered
  // again, in order, and a sample of applied fills is redelivered too.
  // `memory_is_store`: nothing failed since the last successful commit, so
  // the running ledger and the store must hold the same state.
  void crash_and_restart(const std::string& why, bool memory_is_store = true) {
    ++crashes_;
    count_fault("crash");
    op_ = why;
    log(why + " at " + testing::time_text(now()) + ", " + std::to_string(pending_.size()) +
        " queued fills lost");
    const bool comparable =
        memory_is_store && service_ && store_ && !outage_ && pending_.empty() && !store_->down();
    LedgerSnapshot before;
    if (comparable) before = service_->snapshot();
    check_notices(/*all_due=*/false);
    if (!problems_.empty()) return;
    reader_.reset();
    service_.reset();
    store_.reset();
    sink_->take_done();
    // During an outage the store is already down; the crash is the
    // process's alone.
    if (absl::Status s = outage_ ? absl::OkStatus() : backend_.crash(); !s.ok()) {
      problems_.push_back("backend crash: " + s.ToString());
      return;
    }
    if (outage_) {
      open_service(why + ", reopening during the outage");  // Must fail.
      if (!problems_.empty()) return;
      end_outage();
      if (!problems_.empty()) return;
    }
    if (!open_service(why + ", reopening")) {
      if (problems_.empty()) problems_.push_back(why + ": could not reopen");
      return;
    }
    reconcile_expiries();
    if (!problems_.empty()) return;
    if (comparable) {
      const LedgerSnapshot after = service_->snapshot();
      if (before != after) {
        problems_.push_back("invariant 6: the reopened ledger differs (first = before the "
                            "crash):\n" + testing::snapshot_difference(before, after));
        return;
      }
    }
    // Redeliver what was never acknowledged, in order.
    std::vector<Fill> lost = std::move(pending_);
    pending_.clear();
    for (const Fill& f : lost) {
      settle({f}, false);
      if (!problems_.empty()) return;
    }
    // Exactly once across the restart (invariant 5).
    for (int i = 0; i < 3 && !model_.applied.empty(); ++i) settle({one_of(model_.applied)}, false);
  }

  // --- Risk

  void tick() {
    ++tick_;
    op_ = "end_of_tick(" + std::to_string(tick_) + ")";
    const absl::Status s = service_->end_of_tick(TickId{tick_});
    log(op_ + " -> " + s.ToString());
    count("end_of_tick", s.ok() ? "OK" : "failed");
    if (!s.ok()) {
      problems_.push_back(op_ + ": " + s.ToString());
      return;
    }
    risk_ = risk_image();
    check_risk();
  }

  RiskImage risk_image() const {
    RiskImage image;
    image.published = true;
    image.tick = TickId{tick_};
    for (const auto& [id, a] : model_.accounts) {
      const Cents headroom = limits_.open_notional_cap - model_.open_notional(id);
      image.accounts[id] = {model_.available_cash(id),
                            headroom.value() < 0 ? Cents{0} : headroom};
      for (uint64_t s = 1; s <= kSymbols; ++s) {
        const SymbolId sym{s};
        const Position p = model_.position_image(id, sym);
        const Qty room = limits_.position_cap_qty - p.qty - p.buy_pending_qty;
        image.positions[{id, sym}] = {p.qty - p.sell_reserved_qty,
                                      room.value() < 0 ? Qty{0} : room};
      }
    }
    return image;
  }

  // Readers see exactly what the last publish held: until the next tick,
  // commands change nothing a reader sees.
  void check_risk() {
    if (!reader_) {
      absl::StatusOr<RiskReader> reader = service_->risk_cache().register_reader();
      if (!reader.ok()) {
        problems_.push_back("register_reader: " + reader.status().ToString());
        return;
      }
      reader_.emplace(*std::move(reader));
    }
    ReadGuard guard = reader_->read();
    if (!risk_.published) {
      if (guard.available_cash(AccountId{1}).has_value()) {
        problems_.push_back("risk cache answers before the first publish after a restart");
      }
      return;
    }
    if (guard.tick() != risk_.tick) {
      problems_.push_back("risk cache tick " + std::to_string(guard.tick().value()) +
                          ", published " + std::to_string(risk_.tick.value()));
    }
    for (const auto& [id, v] : risk_.accounts) {
      const std::string who = "risk account " + std::to_string(id.value());
      if (guard.available_cash(id) != std::optional<Cents>(v.available_cash)) {
        problems_.push_back(who + " available_cash " +
                            std::to_string(guard.available_cash(id).value_or(Cents{-1}).value()) +
                            ", model " + std::to_string(v.available_cash.value()));
      }
      if (guard.open_notional_headroom(id) != std::optional<Cents>(v.headroom)) {
        problems_.push_back(who + " open_notional_headroom differs, model " +
                            std::to_string(v.headroom.value()));
      }
    }
    for (const auto& [key, v] : risk_.positions) {
      const std::string who = "risk position " + std::to_string(key.first.value()) + "/" +
                              std::to_string(key.second.value());
      if (guard.available_qty(key.first, key.second) != v.available_qty) {
        problems_.push_back(who + " available_qty " +
                            std::to_string(guard.available_qty(key.first, key.second).value()) +
                            ", model " + std::to_string(v.available_qty.value()));
      }
      if (guard.buy_headroom_qty(key.first, key.second) != v.buy_headroom) {
        problems_.push_back(who + " buy_headroom_qty " +
                            std::to_string(guard.buy_headroom_qty(key.first, key.second).value()) +
                            ", model " + std::to_string(v.buy_headroom.value()));
      }
    }
  }

  // --- Checks

  void check_everything() {
    if (!service_) return;
    check_notices();
    testing::ModelStateCheck(
        *service_, model_, now(),
        {.symbols = kSymbols,
         .recent_trades_k = [this] { return static_cast<size_t>(uniform(0, 3)); },
         .store_down = outage_},
        problems_)
        .run();
    if (chance(0.3)) check_risk();
    if (step_ % 20 == 0 && !outage_ && pending_.empty()) audit();
  }

  void audit() {
    testing::ModelStateCheck(*service_, model_, now(), {.symbols = kSymbols}, problems_).audit();
  }

  SimulationReport finish() {
    report_.steps = std::min(step_, steps_);
    report_.fills_applied = model_.applied.size();
    if (!problems_.empty()) {
      report_.ok = false;
      std::ostringstream os;
      os << "simulation failed on " << backend_.name() << "\n  seed " << options_.seed
         << ", step " << step_ << " of " << steps_ << ": " << op_
         << "\n  replay: " << backend_.replay_command(options_.seed)
         << (options_.steps > 0 ? " with --steps " + std::to_string(options_.steps) : "")
         << "\n  limits: position cap " << limits_.position_cap_qty << " bp, open notional cap "
         << limits_.open_notional_cap << " cents, trades in memory "
         << limits_.trades_in_memory_per_account_max << ", execution retention "
         << absl::FormatDuration(limits_.execution_retention) << "\n  problems:";
      for (const std::string& p : problems_) os << "\n    " << p;
      os << "\n  recent steps:";
      for (const std::string& h : history_) os << "\n    " << h;
      report_.failure = os.str();
    }
    reader_.reset();
    service_.reset();
    return std::move(report_);
  }

  const SimulationOptions options_;
  SimBackend& backend_;
  SimulationReport report_;
  int steps_ = 0;
  LedgerLimits limits_;
  FaultRates rates_;
  std::map<uint64_t, int64_t> reference_price_;

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(testing::kEpoch);
  std::shared_ptr<SimSink> sink_ = std::make_shared<SimSink>();
  std::shared_ptr<SimStore> store_;
  std::unique_ptr<AccountService> service_;
  std::optional<RiskReader> reader_;  // Declared after service_: destroyed first.
  RiskImage risk_;
  LedgerModel model_;

  std::deque<Fill> wire_;     // Generated by the exchange, not yet delivered.
  std::vector<Fill> pending_; // Answered kQueued, not yet reported done.
  // Expiries of the model, by reservation: not yet notified, and notified
  // (or listed by expired_reservations_since() after a crash).
  std::map<ReservationId, ExpiredNotice> unnotified_;
  std::set<ReservationId> notified_;
  bool outage_ = false;
  int outage_started_ = 0;
  int outage_until_ = 0;
  int outages_ = 0;
  int crashes_ = 0;
  uint64_t fired_before_ = 0;
  bool commits_nothing_ = false;  // The command at hand stages no change.

  int step_ = 0;
  std::string op_ = "open";
  std::vector<std::string> problems_;
  std::deque<std::string> history_;
  uint64_t tick_ = 0;
  uint64_t next_google_ = 1;
  uint64_t next_key_ = 1;
  uint64_t next_order_ = 1;
  uint64_t next_execution_ = 1;
};

}  // namespace

SimulationReport run_simulation(const SimulationOptions& options, SimBackend& backend) {
  return Simulation(options, backend).run();
}

}  // namespace account::simulation
