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
// How long a drain of queued fills, or the service's reconnect after the
// store came back, may take before the run calls it a hang. The retry
// thread's backoff is capped at 1 ms here, so either takes milliseconds.
constexpr absl::Duration kDrainTimeout = absl::Seconds(30);

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
  double refusal = 0;        // A refusal that retrying does not fix starts (many steps).
  double defer = 0;          // After a failed commit, the caller retries later, not at once.
  double storm = 0;          // While the store refuses, a burst of callers on several threads.
};

// How the store refuses while it is down: an outage, or a refusal that
// retrying does not fix by itself and an operator ends.
struct RefusalKind {
  const char* fault;  // The name counted in SimulationReport::faults.
  absl::StatusCode code;
  const char* message;
};
constexpr RefusalKind kRefusals[] = {
    {"store outage", absl::StatusCode::kUnavailable, "simulated outage: connection refused"},
    {"store refuses: authentication failed", absl::StatusCode::kUnauthenticated,
     "simulated: password authentication failed for user \"account\""},
    {"store refuses: permission denied", absl::StatusCode::kPermissionDenied,
     "simulated: permission denied for table reservations"},
    {"store refuses: writer lock held by another process", absl::StatusCode::kFailedPrecondition,
     "simulated: the ledger's writer lock is held by another process"},
    {"store refuses: disk full", absl::StatusCode::kResourceExhausted,
     "simulated: could not extend file: No space left on device"},
};
constexpr size_t kOutage = 0;
constexpr size_t kRefusalKinds = sizeof(kRefusals) / sizeof(kRefusals[0]);

absl::Status refusal_status(size_t kind) {
  return absl::Status(kRefusals[kind].code, kRefusals[kind].message);
}

bool queued(const absl::StatusOr<SettlementReceipt>& r) {
  return r.ok() && r->outcome == SettlementOutcome::kQueued;
}

bool same_receipt(const SettlementReceipt& a, const SettlementReceipt& b) {
  return testing::same_receipt(a, b) && a.outcome == SettlementOutcome::kApplied;
}

// A refusal because of the store, whatever its cause: the caller cannot
// tell whether the command landed.
bool store_refused(const Answer& a) {
  return !a.ok && (a.reason == Reason::kStoreUnavailable || a.reason == Reason::kStoreFailure);
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

// One command of the gateway or of a job (anything but a settlement), held
// as values so that it can be sent again later, when a caller retries it.
struct Cmd {
  std::string name;  // What it is, for messages.
  std::string op;    // The name, and how it is sent (a retry, when first sent).
  // Runs the command on a model; returns its outcome.
  std::function<Outcome(LedgerModel&)> on_model;
  // Runs it on the service. Touches nothing but the service and the
  // command's own results, so that callers on several threads may run it.
  std::function<Answer()> on_service;
  // On the simulator's thread after each answer, with the model's outcome:
  // compares returned ids and notes what the caller learned.
  std::function<void(const Answer&, const Outcome&)> after;
  // A caller told that the store refused (the commit may have landed) may
  // send it again later, after the store is back, rather than at once. Not
  // expiry sweeps (the next sweep does it), nor commands naming a
  // reservation or order the caller was never told of.
  bool retried_later = false;
  // reserve_buy/reserve_sell of an order id that had no reservation when
  // first sent: a retry of it, unchanged, never conflicts.
  bool fresh_order = false;
  bool retry = false;  // This is a retry.
  // Of a command waiting for its retry: the step it was first sent at, and
  // whether one of its failed commits was durable all the same.
  int first_step = 0;
  bool landed = false;
  // The order or reservation it names: a retry is given up once that has
  // finished longer ago than the service must remember it.
  std::optional<OrderId> order;
  std::optional<ReservationId> reservation;
};

// A call of a connect storm: a command, or a query of one account's cash.
struct StormCall {
  std::optional<Cmd> cmd;
  AccountId query;
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
    final_phase();
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
    rates_.refusal = rate(0.004, 0.015);
    rates_.defer = rate(0.4, 0.8);
    rates_.storm = rate(0.04, 0.12);
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
                             .backoff_max = absl::Milliseconds(1)},
        .log = std::make_shared<SimLog>(store_)};
  }

  // Whether the store refuses because the backend really is down (a
  // PostgreSQL server stopped), not because the wrapper says so.
  bool real_refusal() const { return refusal_ == kOutage && backend_.real_outages(); }

  // Opens the service on a fresh store connection. While the store refuses
  // it must fail with a store reason; returns whether a service is open.
  bool open_service(const std::string& why) {
    absl::StatusOr<std::shared_ptr<Store>> inner = backend_.open_store();
    if (!inner.ok()) {
      if (!refusing_) problems_.push_back(why + ": opening the store failed: " +
                                          inner.status().ToString());
      return false;
    }
    store_ = std::make_shared<SimStore>(*std::move(inner));
    if (refusing_ && !real_refusal()) store_->set_refusal(refusal_status(refusal_));
    absl::StatusOr<std::unique_ptr<AccountService>> opened =
        AccountService::open(service_options());
    if (!opened.ok()) {
      if (!refusing_ || !store_refused(answer_of(opened))) {
        problems_.push_back(why + ": AccountService::open failed: " +
                            opened.status().ToString());
      }
      store_.reset();
      return false;
    }
    if (refusing_) problems_.push_back(why + ": AccountService::open succeeded while the store "
                                             "refuses every call");
    service_ = *std::move(opened);
    store_->watch([service = service_.get()] { return !service->store_up(); });
    risk_.published = false;
    risk_alternative_.reset();
    memory_model_.reset();
    return true;
  }

  // Drops the service without any shutdown step, and counts the store
  // calls it made while it reported the store down.
  void drop_service() {
    if (store_) {
      store_->watch(nullptr);
      const SimStore::DownCalls calls = store_->down_calls();
      report_.faults["store down: probe loads"] += calls.loads;
      report_.faults["store down: probe loads run by another caller leading the group"] +=
          calls.loads_off_retry_thread;
    }
    reader_.reset();
    service_.reset();
  }

  void count_fault(const std::string& kind) { ++report_.faults[kind]; }

  // --- The step loop

  enum class Op {
    kCreateAccount, kCredit, kDebit, kIssue, kReserveBuy, kReserveSell, kReserveAgain, kExtend,
    kCancel, kRelease, kExchange, kDeliver, kRedeliver, kExpire, kTick, kRetry,
  };

  Op pick_op() {
    if (model_.accounts.size() < 2) return Op::kCreateAccount;
    static const std::vector<std::pair<Op, int>> weights = {
        {Op::kCreateAccount, 3}, {Op::kCredit, 9},       {Op::kDebit, 2},
        {Op::kIssue, 5},         {Op::kReserveBuy, 14},  {Op::kReserveSell, 12},
        {Op::kReserveAgain, 2},  {Op::kExtend, 3},       {Op::kCancel, 3},
        {Op::kRelease, 2},       {Op::kExchange, 18},    {Op::kDeliver, 24},
        {Op::kRedeliver, 3},     {Op::kExpire, 4},       {Op::kTick, 8},
        {Op::kRetry, 6},
    };
    const Op op = weighted(weights);
    if (op == Op::kCreateAccount && model_.accounts.size() >= kAccountsMax && chance(0.8)) {
      return Op::kCredit;
    }
    // Callers retry once the store takes commands again.
    if (op == Op::kRetry && (retries_.empty() || refusing_)) return Op::kDeliver;
    return op;
  }

  void one_step() {
    clock_->advance(absl::Seconds(uniform(0, 3)));
    if (refusing_ && step_ >= refusing_until_) {
      end_refusal();
      if (!problems_.empty()) return;
    }
    if (!refusing_ && pending_.empty()) {
      if (outages_ < options_.outages_max && chance(rates_.outage)) {
        begin_refusal(kOutage);
      } else if (chance(rates_.refusal)) {
        begin_refusal(static_cast<size_t>(uniform(1, kRefusalKinds - 1)));
      }
      if (!problems_.empty()) return;
    }
    if (crashes_ < options_.crashes_max && chance(rates_.crash)) {
      crash_and_restart("crash between commands");
      return;
    }
    if (refusing_ && chance(rates_.storm)) return storm();
    switch (pick_op()) {
      case Op::kCreateAccount: return create_account();
      case Op::kCredit: return cash_entry(true);
      case Op::kDebit: return cash_entry(false);
      case Op::kIssue: return issue_shares();
      case Op::kReserveBuy: return reserve(Side::kBuy);
      case Op::kReserveSell: return reserve(Side::kSell);
      case Op::kReserveAgain: return reserve_again();
      case Op::kExtend: return extend();
      case Op::kCancel: return cancel();
      case Op::kRelease: return release();
      case Op::kExchange: return exchange();
      case Op::kDeliver: return deliver();
      case Op::kRedeliver: return redeliver();
      case Op::kExpire: return expire();
      case Op::kTick: return tick();
      case Op::kRetry: return run_retries();
    }
  }

  // After the last step: the store comes back, every caller's retry goes
  // through, the fills left on the wire are delivered, the process restarts,
  // and then every fill the engine was told executed must be applied
  // exactly once, and every hold must belong to an order whose caller was
  // answered OK with it.
  void final_phase() {
    op_ = "final: store back, retries, wire delivered, restart, audit";
    faults_off_ = true;
    if (refusing_) end_refusal();
    while (problems_.empty() && !retries_.empty()) run_retries();
    while (problems_.empty() && !wire_.empty()) {
      const Fill f = wire_.front();
      wire_.pop_front();
      settle({f}, false);
    }
    if (problems_.empty()) drain();
    if (problems_.empty()) crash_and_restart("final restart");
    if (problems_.empty()) check_everything();
    if (problems_.empty()) audit();
    if (problems_.empty()) check_executed_once();
    if (problems_.empty()) check_no_orphan_holds();
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
  // quiet state: the store taking calls and no queued fills, so that the
  // retry thread cannot take the fault meant for the command.
  Plan plan_fault(bool then_down_if_crash) {
    Plan plan;
    if (refusing_ || !pending_.empty() || faults_off_) return plan;
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

  // Judges one answer of `c` to which the model said `model`, and lets the
  // command note what its caller learned.
  void judge(const Cmd& c, const std::string& op, const Answer& got, const Outcome& model) {
    expect(op, got, model);
    if (c.fresh_order && c.retry && !got.ok && got.reason == Reason::kOrderConflict) {
      problems_.push_back(op + ": the identical order sent again got OrderConflict");
    }
    c.after(got, model);
  }

  // While the store refuses every call. A service that reports the store
  // down (`down_before`) refuses every command at once, before validating
  // it: StoreUnavailable and nothing else. One that has not found out yet
  // may refuse it with a store reason (StoreFailure for a refusal that
  // retrying does not fix), refuse it on its own merits, or accept it if it
  // changes nothing (`no_change`: nothing to commit).
  void expect_refused(const std::string& op, const Answer& got, const Outcome& model,
                      bool down_before, bool no_change) {
    op_ = op + " [store refusing]";
    count(op, "store refusing");
    log(op_ + " -> service " + answer_text(got) + ", model " + outcome_text(model) +
        (down_before ? ", service reports the store down" : ""));
    if (down_before) {
      // The retry thread's probe is a group of its own, so no command
      // waits for its load or gets its error.
      if (!got.ok && got.reason == Reason::kStoreUnavailable) return;
      problems_.push_back(op + " while the service reports the store down: service " +
                          answer_text(got) + ", expected StoreUnavailable at once");
      return;
    }
    if (store_refused(got) || (model && testing::agrees(got, model))) return;
    if (got.ok && !model && no_change) return;
    problems_.push_back("while the store refuses, " + op + ": service " + answer_text(got) +
                        ", expected StoreUnavailable or StoreFailure" +
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

  // Runs one command that is not a settlement. Faults: see plan_fault();
  // after one fired, the caller retries the command (after a restart, if it
  // crashed): at once, or later (defer()) with the rate of this seed. The
  // retry must find it applied (ambiguous) or apply it (before durable).
  void command(const Cmd& c) {
    if (refusing_) return command_refused(c);
    const Plan plan = plan_fault(/*then_down_if_crash=*/false);
    const Answer got = c.on_service();
    if (!fault_fired(plan)) {
      const Outcome expected = c.on_model(model_);
      judge(c, c.op, got, expected);
      return;
    }
    // The commit failed: the caller must see StoreUnavailable.
    judge(c, c.op + " [commit failed]", got, Reason::kStoreUnavailable);
    std::optional<LedgerModel> before;
    if (plan.armed == Armed::kAfter) {
      // It is durable all the same: the model applies it. The command's
      // leader reloaded before it committed, if a reload was due.
      note_reloads();
      before = model_;
      const Outcome landed = c.on_model(model_);
      if (landed) {
        problems_.push_back(c.op + ": the store committed it, but the model refuses it with " +
                            outcome_text(landed));
      }
    }
    if (plan.crash) {
      count_fault("crash mid-commit");
      crash_and_restart("crash after a failed commit of " + c.op, /*memory_is_store=*/false);
      if (!problems_.empty()) return;
      before.reset();  // The new process loaded what the store holds.
    }
    await_store_up();
    if (!problems_.empty()) return;
    if (c.retried_later && chance(rates_.defer)) {
      if (before) {
        // Until its next leader reloads, the service's memory lacks what
        // landed: queries and publishes show the state before it.
        memory_model_ = std::move(before);
        loads_at_stale_ = store_->loads_ok_at_last_fault();
      }
      return defer(c, plan.armed == Armed::kAfter);
    }
    const Outcome expected = c.on_model(model_);
    const Answer retry = c.on_service();
    judge(c, c.op + " [retried]", retry, expected);
  }

  // `c` while the store refuses every call: nothing can land, so the model
  // does not change; a caller told that the store refused retries later.
  void command_refused(const Cmd& c) {
    const bool down_before = !service_->store_up();
    LedgerModel scratch = model_;
    const Outcome expected = c.on_model(scratch);
    const Answer got = c.on_service();
    expect_refused(c.op, got, expected, down_before, scratch.same_state(model_));
    c.after(got, expected);
    if (store_refused(got) && c.retried_later) defer(c, /*landed=*/false);
  }

  // --- Callers' retries

  void defer(const Cmd& c, bool landed) {
    count_fault(landed ? "ambiguous commit, retried later" : "store refusal, retried later");
    log(c.op + ": the caller will retry it later" + (landed ? " (it landed)" : ""));
    Cmd waiting = c;
    if (!c.retry) waiting.first_step = step_;
    waiting.landed = c.landed || landed;
    retries_.push_back(std::move(waiting));
  }

  // The oldest few retries, while the store takes commands.
  void run_retries() {
    const int64_t n = uniform(1, 4);
    for (int64_t i = 0; i < n && !retries_.empty() && !refusing_; ++i) {
      Cmd c = std::move(retries_.front());
      retries_.pop_front();
      retry(std::move(c));
      if (!problems_.empty()) return;
    }
  }

  // Sends a refused command again, unchanged. Given up when the reservation
  // it names finished longer ago than the service must remember it: a
  // caller gives up long before, and nothing is held by it.
  void retry(Cmd c) {
    for (const ModelReservation* r :
         {c.order ? model_.by_order(*c.order) : nullptr,
          c.reservation ? model_.by_id(*c.reservation) : nullptr}) {
      if (r != nullptr && !model_.referable(*r, now())) {
        count_fault("retry given up (its reservation finished long ago)");
        log(c.name + ": retry given up, its reservation finished long ago");
        return;
      }
    }
    c.retry = true;
    c.op = "retry of " + c.name + " [first sent at step " + std::to_string(c.first_step) +
           (c.landed ? ", landed]" : "]");
    command(c);
  }

  // --- The gateway's knowledge

  // The caller was answered OK for `order` with `id`: from now on the order
  // is on the engine's book, and every answer for it must name `id`.
  void acknowledge(OrderId order, ReservationId id) {
    const auto [it, fresh] = acknowledged_.emplace(order, id);
    if (!fresh && it->second != id) {
      problems_.push_back("order " + std::to_string(order.value()) + " was answered OK with "
                          "reservation " + std::to_string(it->second.value()) + ", now with " +
                          std::to_string(id.value()));
    }
  }
  bool acknowledged(const ModelReservation& r) const {
    const auto it = acknowledged_.find(r.order);
    return it != acknowledged_.end() && it->second == r.id;
  }

  // --- Commands

  static Cmd named(std::string name) {
    Cmd c;
    c.name = name;
    c.op = std::move(name);
    return c;
  }

  AccountId some_account() {
    if (model_.accounts.empty() || chance(0.03)) {
      return AccountId{model_.accounts.size() + static_cast<uint64_t>(uniform(1, 3))};
    }
    return AccountId{static_cast<uint64_t>(uniform(1, int64_t(model_.accounts.size())))};
  }
  SymbolId some_symbol() { return SymbolId{static_cast<uint64_t>(uniform(1, kSymbols))}; }

  Cmd make_create_account(const std::string& google) {
    const std::string name = "Player " + google;
    auto ids = std::make_shared<std::pair<AccountId, AccountId>>();  // The model's, the service's.
    Cmd c = named("create_account('" + google + "')");
    c.on_model = [this, google, name, ids](LedgerModel& m) {
      return m.create_account(google, name, now(), &ids->first);
    };
    c.on_service = [this, google, name, ids] {
      absl::StatusOr<AccountId> got = service_->create_account(google, name);
      if (got.ok()) ids->second = *got;
      return answer_of(got);
    };
    c.after = [this, ids](const Answer& got, const Outcome& model) {
      if (got.ok && !model && ids->second != ids->first) {
        problems_.push_back("account id " + std::to_string(ids->second.value()) + ", model " +
                            std::to_string(ids->first.value()));
      }
    };
    c.retried_later = true;
    return c;
  }

  std::string fresh_google() { return "google-sub-" + std::to_string(next_google_++); }
  // A sign-in: mostly a user who has an account (find-or-create answers it).
  std::string login_google() {
    if (model_.accounts.empty() || chance(0.2)) return fresh_google();
    return model_.accounts.at(AccountId{static_cast<uint64_t>(
                                  uniform(1, static_cast<int64_t>(model_.accounts.size())))})
        .google_id;
  }

  void create_account() {
    std::string google = fresh_google();
    if (chance(0.04)) google.clear();
    if (chance(0.05) && !model_.accounts.empty()) {
      google = model_.accounts.at(AccountId{1}).google_id;
    }
    command(make_create_account(google));
  }

  Cmd make_cash_entry(bool credit, AccountId account, Cents amount, EntryKind kind,
                      const std::string& key) {
    std::ostringstream op;
    op << (credit ? "credit(" : "debit(") << account << ", " << amount << ", "
       << entry_kind_name(kind) << ", '" << key << "')";
    Cmd c = named(op.str());
    c.on_model = [=](LedgerModel& m) {
      return credit ? m.credit(account, amount, kind, key) : m.debit(account, amount, kind, key);
    };
    c.on_service = [=, this] {
      return answer_of(credit ? service_->credit(account, amount, kind, key)
                              : service_->debit(account, amount, kind, key));
    };
    c.after = [](const Answer&, const Outcome&) {};
    c.retried_later = true;
    return c;
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
    command(make_cash_entry(credit, account, amount, kind, key));
  }

  Cmd make_issue(AccountId account, SymbolId symbol, Qty qty, const std::string& key) {
    std::ostringstream op;
    op << "issue_shares(" << account << ", sym " << symbol << ", " << qty << ", '" << key << "')";
    Cmd c = named(op.str());
    c.on_model = [=](LedgerModel& m) { return m.issue_shares(account, symbol, qty, key); };
    c.on_service = [=, this] {
      return answer_of(service_->issue_shares(account, symbol, qty, key));
    };
    c.after = [](const Answer&, const Outcome&) {};
    c.retried_later = true;
    return c;
  }

  void issue_shares() {
    const AccountId account = some_account();
    const SymbolId symbol = some_symbol();
    const Qty qty{uniform(1, 30) * kBpPerShare + (chance(0.3) ? uniform(1, 9'999) : 0)};
    command(make_issue(account, symbol, qty, "issue:" + std::to_string(next_key_++)));
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

  // Reservations the service must still know; with `acknowledged_only`,
  // only those whose caller was answered OK (the engine knows no other
  // reservation id).
  std::vector<const ModelReservation*> referable(bool active_only,
                                                 bool acknowledged_only = false) const {
    std::vector<const ModelReservation*> out;
    for (const auto& [id, r] : model_.reservations) {
      if (model_.referable(r, now()) && (!active_only || r.active()) &&
          (!acknowledged_only || acknowledged(r))) {
        out.push_back(&r);
      }
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
      if (!known.empty()) spec.order = one_of(known)->order;  // OrderConflict, or the same.
    }
    return spec;
  }

  // The gateway notes every answer for the order, and the id of an OK one.
  Cmd make_reserve(const OrderSpec& spec, Side side, const std::string& how = "") {
    std::ostringstream op;
    op << (side == Side::kBuy ? "reserve_buy(" : "reserve_sell(") << "account " << spec.account
       << " order " << spec.order << " sym " << spec.symbol << " qty " << spec.qty << " limit "
       << spec.limit;
    if (spec.expires_at) op << " expires " << testing::time_text(*spec.expires_at);
    op << ")" << how;
    auto ids = std::make_shared<std::pair<ReservationId, ReservationId>>();
    Cmd c = named(op.str());
    c.on_model = [this, spec, side, ids](LedgerModel& m) {
      return m.reserve(spec, side, now(), &ids->first);
    };
    c.on_service = [this, spec, side, ids] {
      absl::StatusOr<ReservationId> got =
          side == Side::kBuy ? service_->reserve_buy(spec) : service_->reserve_sell(spec);
      if (got.ok()) ids->second = *got;
      return answer_of(got);
    };
    c.after = [this, order = spec.order, ids](const Answer& got, const Outcome& model) {
      order_answers_[order].push_back(
          got.ok ? "OK " + std::to_string(ids->second.value())
                 : std::string(got.reason ? reason_name(*got.reason) : "error"));
      if (!got.ok) return;
      if (!model && ids->second != ids->first) {
        problems_.push_back("reservation id " + std::to_string(ids->second.value()) +
                            ", model " + std::to_string(ids->first.value()));
      }
      acknowledge(order, ids->second);
    };
    c.retried_later = true;
    c.fresh_order = model_.by_order(spec.order) == nullptr;
    c.order = spec.order;
    return c;
  }

  void reserve(Side side) { command(make_reserve(order_for(side), side)); }

  // The order of a known reservation sent again: unchanged (OK with the
  // same reservation, whatever its status now, and nothing changes), or
  // with one field changed (OrderConflict, and nothing changes).
  void reserve_again() {
    const std::vector<const ModelReservation*> known = referable(false);
    if (known.empty()) return reserve(Side::kBuy);
    const ModelReservation r = *one_of(known);
    OrderSpec spec{.account = r.account, .order = r.order, .symbol = r.symbol,
                   .qty = r.order_qty, .limit = r.limit};
    Side side = r.side;
    std::string what = "unchanged";
    switch (uniform(0, 7)) {
      case 0: spec.qty += Qty{1}; what = "other qty"; break;
      case 1:
        spec.limit = Price{spec.limit.cents_per_share() + (chance(0.5) ? 1 : -1)};
        what = "other limit";
        break;
      case 2:
        spec.symbol = SymbolId{spec.symbol.value() % kSymbols + 1};
        what = "other symbol";
        break;
      case 3:
        spec.account = AccountId{spec.account.value() % model_.accounts.size() + 1};
        what = "other account";
        break;
      case 4: side = side == Side::kBuy ? Side::kSell : Side::kBuy; what = "other side"; break;
      case 5:
        spec.expires_at = r.expires_at + absl::Minutes(uniform(1, 600));
        what = "other expiry";
        break;
      default:
        if (chance(0.5)) spec.expires_at = r.expires_at;
        break;
    }
    command(make_reserve(spec, side, " [order " + std::to_string(r.order.value()) +
                                         " again, " + what + "]"));
  }

  const ModelReservation* some_reservation(bool acknowledged_only) {
    const std::vector<const ModelReservation*> active = referable(true, acknowledged_only);
    const std::vector<const ModelReservation*> any = referable(false, acknowledged_only);
    if (any.empty() || chance(0.05)) return nullptr;
    if (!active.empty() && chance(0.8)) return one_of(active);
    return one_of(any);
  }

  Cmd make_extend(ReservationId id, absl::Time to) {
    Cmd c = named("extend_reservation(" + std::to_string(id.value()) + ", " +
                  testing::time_text(to) + ")");
    c.on_model = [this, id, to](LedgerModel& m) { return m.extend(id, to, now()); };
    c.on_service = [this, id, to] { return answer_of(service_->extend_reservation(id, to)); };
    c.after = [](const Answer&, const Outcome&) {};
    c.retried_later = true;
    c.reservation = id;
    return c;
  }

  // The engine extends orders it knows, by the reservation it was told.
  void extend() {
    const ModelReservation* r = some_reservation(/*acknowledged_only=*/true);
    const ReservationId id =
        r ? r->id : ReservationId{model_.reservations.size() + uint64_t(uniform(1, 5))};
    const absl::Time created = r ? r->created_at : now();
    absl::Time to = created + absl::Minutes(uniform(1, 30 * 24 * 60));
    if (chance(0.1)) to = created + limits_.reservation_expiry_max + absl::Seconds(1);
    if (r && chance(0.1)) to = r->expires_at;  // Already so: OK, nothing changes.
    Cmd c = make_extend(id, to);
    c.retried_later = r != nullptr;  // Only what the engine knows is retried.
    command(c);
  }

  Cmd make_cancel(OrderId order) {
    Cmd c = named("cancel_order(" + std::to_string(order.value()) + ")");
    c.on_model = [this, order](LedgerModel& m) { return m.cancel(order, now()); };
    c.on_service = [this, order] { return answer_of(service_->cancel_order(order)); };
    c.after = [](const Answer&, const Outcome&) {};
    c.retried_later = true;
    c.order = order;
    return c;
  }

  // A user cancels by order id, also an order whose placing was never
  // answered (it may have landed).
  void cancel() {
    const ModelReservation* r = some_reservation(/*acknowledged_only=*/false);
    Cmd c = make_cancel(r ? r->order : OrderId{next_order_ + uint64_t(uniform(1000, 2000))});
    c.retried_later = r != nullptr;  // An order id that is not one may be issued later.
    command(c);
  }

  Cmd make_release(ReservationId id) {
    Cmd c = named("release_reservation(" + std::to_string(id.value()) + ")");
    c.on_model = [this, id](LedgerModel& m) { return m.release(id, now()); };
    c.on_service = [this, id] { return answer_of(service_->release_reservation(id)); };
    c.after = [](const Answer&, const Outcome&) {};
    c.retried_later = true;
    c.reservation = id;
    return c;
  }

  void release() {
    const ModelReservation* r = some_reservation(/*acknowledged_only=*/true);
    Cmd c = make_release(
        r ? r->id : ReservationId{model_.reservations.size() + uint64_t(uniform(1, 5))});
    c.retried_later = r != nullptr;
    command(c);
  }

  // The orders of queued fills wait for them: a sweep leaves them.
  std::vector<OrderId> held_orders() const {
    std::vector<OrderId> held;
    for (const Fill& f : pending_) {
      held.push_back(f.buyer.order);
      held.push_back(f.seller.order);
    }
    return held;
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
    const std::vector<OrderId> held = held_orders();
    std::vector<ExpiredNotice> expected_notices;
    size_t got_count = 0;
    bool saw_ok = false;
    Cmd c = named("expire_due_reservations(clock " + testing::time_text(now()) + ")");
    c.on_model = [&](LedgerModel& m) {
      expected_notices = m.expire_due(now(), held);
      if (&m == &model_) {
        for (const ExpiredNotice& n : expected_notices) unnotified_[n.reservation] = n;
      }
      return Outcome{};
    };
    c.on_service = [&] {
      absl::StatusOr<size_t> got = service_->expire_due_reservations();
      if (got.ok()) {
        got_count = *got;
        saw_ok = true;
      }
      return answer_of(got);
    };
    c.after = [](const Answer&, const Outcome&) {};
    command(c);
    check_notices();
    if (refusing_ || !saw_ok) return;
    // The last call (the retry, after a fault) is what the count describes.
    if (got_count != expected_notices.size()) {
      problems_.push_back("expired " + std::to_string(got_count) + ", model " +
                          std::to_string(expected_notices.size()));
    }
  }
  // Takes the notices sent so far: each must name an expiry of the model not
  // notified before. With `all_due`, while the store takes calls, every
  // expiry of the model must have been notified by now (a crash may lose
  // notices: reconcile_expiries()). A reload that finds the expiries of an
  // ambiguous sweep durable may be the retry thread's probe (after the
  // service marked the store down); its notices follow it on that thread,
  // so they are waited for.
  void check_notices(bool all_due = true) {
    take_notices();
    if (!all_due || refusing_ || !service_) return;
    const absl::Time deadline = absl::Now() + kDrainTimeout;
    while (!unnotified_.empty() && problems_.empty() && absl::Now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      take_notices();
    }
    for (const auto& [id, n] : unnotified_) {
      problems_.push_back("order " + std::to_string(n.order.value()) + " (reservation " +
                          std::to_string(id.value()) + ") expired without a notice");
    }
  }

  void take_notices() {
    for (const ExpiredNotice& n : testing::take_expired_notices(*sink_, seen_notices_)) {
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
  }

  // What an engine may do when the ledger restarts: ask what expired within
  // the window. Every expiry it lists must be one the model made; and since
  // the journal's notices survive a crash, every one must have been notified
  // by the reopened ledger already.
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
        problems_.push_back("order " + std::to_string(r.order.value()) +
                            " expired before the crash, and the reopened ledger did not notify "
                            "it: the journal's notices lost it");
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
  // full, partial, at either limit or improved between them. Only orders
  // whose caller was answered OK rest on its book.
  void exchange() {
    auto pairs = testing::crossing_pairs(model_);
    std::erase_if(pairs, [this](const auto& pair) {
      return !acknowledged(*pair.first) || !acknowledged(*pair.second);
    });
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
    const bool was_refusing = refusing_;
    const bool down_before = !service_->store_up();
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
    const SettleContext context{.was_pending = was_pending,
                                .store_failed = was_refusing || fired,
                                .down_before = down_before};
    for (size_t i = 0; i < fills.size(); ++i) {
      SettlementReceipt model_receipt;
      const Outcome verdict = scratch.settle(fills[i], now(), &model_receipt);
      const std::string what = op + " [" + std::to_string(i) + "]";
      log(what.substr(0, 200) + " -> service " +
          (queued(got[i]) ? std::string("Queued") : answer_text(answer_of(got[i]))) +
          ", model " + outcome_text(verdict));
      count(as_batch ? "settle_batch" : "settle",
            queued(got[i]) ? "Queued" : outcome_text(verdict));
      judge_settled(what, fills[i], got[i], verdict, model_receipt, context);
    }
    if (!problems_.empty()) return;
    const bool queued_some = std::any_of(got.begin(), got.end(), queued);
    if (was_refusing && queued_some) await_retry_thread();
    if (!problems_.empty()) return;
    if (!was_pending && !was_refusing && (!fired || plan.armed == Armed::kAfter)) {
      // Healthy, or durable despite the error: the model applies the batch.
      model_ = std::move(scratch);
    }
    if (fired && plan.crash) {
      count_fault("crash mid-commit");
      crash_and_restart("crash after a failed commit of " + op, /*memory_is_store=*/false);
      return;
    }
    if (fired) drain();
    if (fired && problems_.empty()) await_store_up();
  }

  // How a settlement call went, for judge_settled().
  struct SettleContext {
    bool was_pending = false;   // Fills were queued before it.
    bool store_failed = false;  // The store refused every call, or its commit failed.
    bool down_before = false;   // The service reported the store down before it.
  };

  // Judges one fill's answer against the model's verdict and receipt.
  void judge_settled(const std::string& what, const Fill& fill,
                     const absl::StatusOr<SettlementReceipt>& got, const Outcome& verdict,
                     const SettlementReceipt& model_receipt, const SettleContext& context) {
    const Answer answer = answer_of(got);
    if (context.was_pending) {
      // Fills queue behind the ones already waiting, whatever they are.
      if (!queued(got)) {
        problems_.push_back(what + ": not queued behind queued fills: " + answer_text(answer));
      }
      pending_.push_back(fill);
    } else if (context.store_failed) {
      // Accepted ones cannot commit and queue; refused ones are refused at
      // once (or queue too, when the service must reload first). A service
      // that reports the store down validates nothing: it queues.
      if (queued(got)) {
        pending_.push_back(fill);
      } else if (context.down_before) {
        problems_.push_back(what + ": not queued while the service reports the store down: " +
                            answer_text(answer));
      } else if (!verdict || !settle_agrees(answer, verdict, fill)) {
        problems_.push_back(what + ": service " + answer_text(answer) + ", expected Queued" +
                            (verdict ? " or " + outcome_text(verdict) : std::string()));
      } else {
        note_executed(fill, answer);
      }
    } else if (!settle_agrees(answer, verdict, fill) || queued(got)) {
      problems_.push_back(what + ": service " +
                          (queued(got) ? std::string("Queued") : answer_text(answer)) +
                          ", model " + outcome_text(verdict));
    } else if (got.ok() && !same_receipt(*got, model_receipt)) {
      problems_.push_back(what + ": service " + describe(*got) + ", model " +
                          describe(model_receipt));
    } else {
      note_executed(fill, answer);
    }
  }

  // The engine was told that `fill` executed: it was applied (OK) or had
  // been (DuplicateExecution). In the end it must be applied exactly once.
  void note_executed(const Fill& fill, const Answer& answer) {
    if (answer.ok || answer.reason == Reason::kDuplicateExecution) executed_[fill.execution] = fill;
  }

  // Waits until the retry thread has dealt with every queued fill, then
  // checks each reported outcome against the model, in queue order. A fill
  // completes only with its own answer, never because of the store.
  void drain() {
    if (pending_.empty()) return;
    const absl::Time deadline = absl::Now() + kDrainTimeout;
    while (service_->queued_fills() > 0 || sink_->queued_fill_done_count() < pending_.size()) {
      if (absl::Now() > deadline) {
        problems_.push_back("drain: queued fills not done after " +
                            absl::FormatDuration(kDrainTimeout) + " (" +
                            std::to_string(service_->queued_fills()) + " still queued, " +
                            std::to_string(sink_->queued_fill_done_count()) + " of " +
                            std::to_string(pending_.size()) + " reported; store " +
                            (service_->store_up() ? "up" : "down") + ")");
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    const std::vector<testing::QueuedFillNotice> done = sink_->take_queued_fills_done();
    if (done.size() != pending_.size()) {
      problems_.push_back("drain: " + std::to_string(done.size()) + " fills reported, " +
                          std::to_string(pending_.size()) + " queued");
      return;
    }
    for (size_t i = 0; i < done.size(); ++i) {
      if (!(done[i].fill == pending_[i])) {
        problems_.push_back("drain: reported out of order at " + std::to_string(i) + ": " +
                            describe(done[i].fill) + " for " + describe(pending_[i]));
        return;
      }
      SettlementReceipt ignored;
      const Outcome verdict = model_.settle(pending_[i], now(), &ignored);
      const Answer answer = answer_of(done[i].result);
      const std::string what = "queued " + describe(pending_[i]);
      log(what + " done -> service " + answer_text(answer) + ", model " + outcome_text(verdict));
      count("queued fill done", outcome_text(verdict));
      if (store_refused(answer)) {
        problems_.push_back(what + ": completed because of the store (" + answer_text(answer) +
                            "); a queued fill waits until the store takes it, model " +
                            outcome_text(verdict));
      } else if (!settle_agrees(answer, verdict, pending_[i])) {
        problems_.push_back(what + ": service " + answer_text(answer) + ", model " +
                            outcome_text(verdict));
      } else {
        note_executed(pending_[i], answer);
      }
    }
    pending_.clear();
  }

  // --- Store refusals and crashes

  // The store refuses every call from now on, for 3-40 steps: an outage
  // (on a backend with real outages, the server goes down), or a refusal
  // that retrying does not fix, which the wrapper fakes on any backend.
  void begin_refusal(size_t kind) {
    if (kind == kOutage) ++outages_;
    refusing_ = true;
    refusal_ = kind;
    refusing_since_ = step_;
    refusing_until_ = step_ + static_cast<int>(uniform(3, 40));
    count_fault(kRefusals[kind].fault);
    log(std::string(kRefusals[kind].fault) + " begins, until step " +
        std::to_string(refusing_until_));
    if (real_refusal()) {
      if (absl::Status s = backend_.outage_begin(); !s.ok()) {
        problems_.push_back("outage_begin: " + s.ToString());
      }
    } else {
      store_->set_refusal(refusal_status(kind));
    }
  }

  // The store takes calls again. The service finds out through its retry
  // thread's probe; until then it refuses commands, so the simulator waits
  // for it, then for the queued fills.
  void end_refusal() {
    log(std::string(kRefusals[refusal_].fault) + " ends, " + std::to_string(pending_.size()) +
        " fills queued");
    report_.faults[refusal_ == kOutage ? "store outage steps" : "store refusal steps"] +=
        static_cast<uint64_t>(step_ - refusing_since_);
    const bool real = real_refusal();
    refusing_ = false;
    if (real) {
      if (absl::Status s = backend_.outage_end(); !s.ok()) {
        problems_.push_back("outage_end: " + s.ToString());
        return;
      }
    } else if (store_) {
      store_->set_refusal(absl::OkStatus());
    }
    if (!service_) return;
    await_store_up();
    if (problems_.empty()) drain();
  }

  // Waits (in real time) until the service reports the store up again.
  void await_store_up() {
    const absl::Time deadline = absl::Now() + kDrainTimeout;
    while (!service_->store_up()) {
      if (absl::Now() > deadline) {
        problems_.push_back("hang: the service still reports the store down " +
                            absl::FormatDuration(kDrainTimeout) + " after it came back");
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  // Fills were just queued while the store refuses, and the retry thread
  // tries the queue. Its next attempt may commit (and fail), the one after
  // then reloads (and fails, marking the store down); an attempt that stops
  // at a dedupe lookup in the store commits nothing and leaves the store up.
  // So after two more failed attempts, or once the store is marked down,
  // the service's state no longer moves while the store refuses, and a
  // command is refused on its merits or by the store whatever the threads'
  // timing: the run stays decided by the seed.
  void await_retry_thread() {
    const uint64_t settled = store_->retry_attempts_failed() + 2;
    const absl::Time deadline = absl::Now() + kDrainTimeout;
    while (service_->store_up() && store_->retry_attempts_failed() < settled) {
      if (absl::Now() > deadline) {
        problems_.push_back("hang: the retry thread made no attempt on the queued fills in " +
                            absl::FormatDuration(kDrainTimeout));
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
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
    note_reloads();
    const bool comparable = memory_is_store && service_ && store_ && !refusing_ &&
                            pending_.empty() && !store_->down() && !memory_model_;
    LedgerSnapshot before;
    if (comparable) before = service_->snapshot();
    check_notices(/*all_due=*/false);
    if (!problems_.empty()) return;
    drop_service();
    take_notices();  // Sent by the retry thread before it stopped.
    store_.reset();
    sink_->take_queued_fills_done();
    // While a real outage lasts the server is already down; the crash is
    // the process's alone.
    if (absl::Status s = real_refusal() ? absl::OkStatus() : backend_.crash(); !s.ok()) {
      problems_.push_back("backend crash: " + s.ToString());
      return;
    }
    if (refusing_) {
      open_service(why + ", reopening while the store refuses");  // Must fail.
      if (!problems_.empty()) return;
      end_refusal();
      if (!problems_.empty()) return;
    }
    if (!open_service(why + ", reopening")) {
      if (problems_.empty()) problems_.push_back(why + ": could not reopen");
      return;
    }
    // The reopened ledger's notifier delivers the entries after its stored cursor: the
    // expiries committed before the crash, notified or not (repeats carry their seq).
    if (!service_->await_notices(kDrainTimeout)) {
      problems_.push_back(why + ": the reopened ledger's notices did not arrive");
      return;
    }
    take_notices();
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

  // --- Connect storms

  StormCall storm_call() {
    StormCall call;
    switch (uniform(0, 6)) {
      case 0: call.cmd = make_reserve(order_for(Side::kBuy), Side::kBuy); break;
      case 1: call.cmd = make_reserve(order_for(Side::kSell), Side::kSell); break;
      case 2: {
        const ModelReservation* r = some_reservation(/*acknowledged_only=*/false);
        call.cmd = make_cancel(r ? r->order : OrderId{next_order_ + 1'000});
        call.cmd->retried_later = r != nullptr;
        break;
      }
      case 3: {
        const ModelReservation* r = some_reservation(/*acknowledged_only=*/true);
        call.cmd = make_release(r ? r->id : ReservationId{model_.reservations.size() + 1});
        call.cmd->retried_later = r != nullptr;
        break;
      }
      case 4:
        call.cmd = make_cash_entry(true, some_account(), Cents{uniform(1'000, 50'000)},
                                   EntryKind::kFantasyCredit,
                                   "fantasy:storm:" + std::to_string(next_key_++));
        break;
      case 5: call.cmd = make_create_account(login_google()); break;
      default: {
        // A query answers from the service's memory.
        const int64_t accounts = static_cast<int64_t>(memory().accounts.size());
        if (accounts == 0) call.cmd = make_create_account(fresh_google());
        else call.query = AccountId{static_cast<uint64_t>(uniform(1, accounts))};
        break;
      }
    }
    return call;
  }

  // While the store refuses: many callers at once, on several threads. Once
  // the service reports the store down, each command is refused at once
  // with StoreUnavailable and touches nothing (SimStore checks that nothing
  // but the retry thread's probe reaches the store); queries answer from
  // memory. The refused commands are retried once the store is back.
  void storm() {
    count_fault("connect storm");
    log("connect storm begins");
    // Two commands that need the store: the first's commit (or reload)
    // fails, the second's reload fails and marks the store down, unless the
    // service reported it down already.
    for (int i = 0; i < 2; ++i) {
      if (memory().accounts.empty()) {
        command(make_create_account(fresh_google()));
      } else {
        command(make_cash_entry(true, AccountId{1}, Cents{1'000}, EntryKind::kAdjustment,
                                "storm:" + std::to_string(next_key_++)));
      }
      if (!problems_.empty()) return;
    }
    if (service_->store_up()) {
      problems_.push_back("after two commands refused by the store, the service still reports "
                          "the store up");
      return;
    }
    std::vector<std::vector<StormCall>> calls(static_cast<size_t>(uniform(2, 3)));
    for (std::vector<StormCall>& list : calls) {
      for (int64_t n = uniform(3, 10); n > 0; --n) list.push_back(storm_call());
    }
    std::vector<std::vector<Answer>> answers(calls.size());
    std::vector<std::vector<absl::StatusOr<Cents>>> cash(calls.size());
    const SimStore::DownCalls before = store_->down_calls();
    {
      std::vector<std::thread> callers;
      for (size_t t = 0; t < calls.size(); ++t) {
        callers.emplace_back([&, t] {
          for (const StormCall& call : calls[t]) {
            if (call.cmd) answers[t].push_back(call.cmd->on_service());
            else cash[t].push_back(service_->available_cash(call.query));
          }
        });
      }
      for (std::thread& caller : callers) caller.join();
    }
    report_.faults["connect storm: probe loads"] += store_->down_calls().loads - before.loads;
    judge_storm(calls, answers, cash);
  }

  void judge_storm(const std::vector<std::vector<StormCall>>& calls,
                   const std::vector<std::vector<Answer>>& answers,
                   const std::vector<std::vector<absl::StatusOr<Cents>>>& cash) {
    for (size_t t = 0; t < calls.size(); ++t) {
      size_t command_index = 0;
      size_t query_index = 0;
      for (const StormCall& call : calls[t]) {
        ++report_.faults["connect storm: calls"];
        if (!call.cmd) {
          const absl::StatusOr<Cents>& got = cash[t][query_index++];
          const Cents want = memory().available_cash(call.query);
          if (!got.ok() || *got != want) {
            problems_.push_back("storm: available_cash(" + std::to_string(call.query.value()) +
                                ") " + (got.ok() ? std::to_string(got->value())
                                                 : got.status().ToString()) +
                                ", model " + std::to_string(want.value()));
          }
          continue;
        }
        const Cmd& c = *call.cmd;
        const Answer& got = answers[t][command_index++];
        LedgerModel scratch = model_;
        const Outcome expected = c.on_model(scratch);
        expect_refused(c.op + " [storm, thread " + std::to_string(t) + "]", got, expected,
                       /*down_before=*/true, scratch.same_state(model_));
        c.after(got, expected);
        if (store_refused(got) && c.retried_later) defer(c, /*landed=*/false);
        if (!problems_.empty()) return;
      }
    }
  }
  // --- Risk

  // Whether `m` has an active reservation due (held ones too): then
  // end_of_tick() runs the sweep, which reloads first when a reload is due.
  bool any_due(const LedgerModel& m) const {
    for (const auto& [id, r] : m.reservations) {
      if (r.active() && r.expires_at <= now()) return true;
    }
    return false;
  }

  // end_of_tick() sweeps first when the service's memory has a reservation
  // due, so a reservation expires at the first tick at or after its expiry
  // and the publish shows what it freed. A sweep whose commit failed leaves
  // the publish showing the state before it, and the tick driver's next
  // tick follows at once: it sweeps again or, after an ambiguous commit, its
  // reload finds the expiries durable and notifies them.
  void tick() {
    for (int attempt = 0; attempt < 8 && problems_.empty(); ++attempt) {
      if (!tick_once()) return;
    }
  }

  // One end_of_tick(); true when its sweep's commit failed.
  bool tick_once() {
    ++tick_;
    op_ = "end_of_tick(" + std::to_string(tick_) + ")";
    note_reloads();
    // While the store refuses, nothing the sweep commits can land.
    const bool sweeps = any_due(memory()) && !refusing_;
    LedgerModel swept = model_;
    std::vector<ExpiredNotice> due;
    if (sweeps) due = swept.expire_due(now(), held_orders());
    const Plan plan = due.empty() ? Plan{} : plan_fault(/*then_down_if_crash=*/false);
    const absl::Status s = service_->end_of_tick(TickId{tick_});
    const bool fired = fault_fired(plan);
    log(op_ + (due.empty() ? "" : ", sweep expiring " + std::to_string(due.size())) +
        (!fired                          ? ""
         : plan.armed == Armed::kBefore ? ", its commit failed before durable"
                                         : ", its commit was ambiguous") +
        " -> " + s.ToString());
    count("end_of_tick", s.ok() ? (due.empty() ? "OK" : "OK, expired some") : "failed");
    if (!s.ok()) {
      problems_.push_back(op_ + ": " + s.ToString());
      return false;
    }
    note_reloads();
    risk_alternative_.reset();
    if (fired) {
      // Published from memory, which the failed commit did not change.
      risk_ = risk_image(model_);
    }
    if (!fired || plan.armed == Armed::kAfter) {
      if (fired) {
        // Durable all the same; memory lacks it until the next reload.
        memory_model_ = model_;
        loads_at_stale_ = store_->loads_ok_at_last_fault();
      }
      model_ = std::move(swept);
      for (const ExpiredNotice& n : due) unnotified_[n.reservation] = n;
      // Unless the failed commit made the service mark the store down and
      // its retry thread reloaded memory before the publish: a race that
      // end_of_tick() allows (a failed sweep does not stop the publish).
      if (fired) risk_alternative_ = risk_image(model_);
    }
    if (!fired) risk_ = risk_image(memory());
    if (fired && plan.crash) {
      count_fault("crash mid-commit");
      crash_and_restart("crash after a failed commit of the sweep of " + op_,
                        /*memory_is_store=*/false);
      return false;
    }
    check_risk();
    if (fired) await_store_up();
    return fired;
  }

  RiskImage risk_image(const LedgerModel& m) const {
    RiskImage image;
    image.published = true;
    image.tick = TickId{tick_};
    for (const auto& [id, a] : m.accounts) {
      const Cents headroom = limits_.open_notional_cap - m.open_notional(id);
      image.accounts[id] = {m.available_cash(id),
                            headroom.value() < 0 ? Cents{0} : headroom};
      for (uint64_t s = 1; s <= kSymbols; ++s) {
        const SymbolId sym{s};
        const Position p = m.position_image(id, sym);
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
    std::vector<std::string> differences = risk_differences(guard, risk_);
    if (!differences.empty() && risk_alternative_ &&
        risk_differences(guard, *risk_alternative_).empty()) {
      risk_ = *risk_alternative_;
      differences.clear();
    }
    // Whichever the publish showed, it stays so until the next tick.
    if (differences.empty()) risk_alternative_.reset();
    problems_.insert(problems_.end(), differences.begin(), differences.end());
  }

  std::vector<std::string> risk_differences(ReadGuard& guard, const RiskImage& image) const {
    std::vector<std::string> out;
    if (guard.tick() != image.tick) {
      out.push_back("risk cache tick " + std::to_string(guard.tick().value()) + ", published " +
                    std::to_string(image.tick.value()));
    }
    for (const auto& [id, v] : image.accounts) {
      const std::string who = "risk account " + std::to_string(id.value());
      if (guard.available_cash(id) != std::optional<Cents>(v.available_cash)) {
        out.push_back(who + " available_cash " +
                      std::to_string(guard.available_cash(id).value_or(Cents{-1}).value()) +
                      ", model " + std::to_string(v.available_cash.value()));
      }
      if (guard.open_notional_headroom(id) != std::optional<Cents>(v.headroom)) {
        out.push_back(who + " open_notional_headroom differs, model " +
                      std::to_string(v.headroom.value()));
      }
    }
    for (const auto& [key, v] : image.positions) {
      const std::string who = "risk position " + std::to_string(key.first.value()) + "/" +
                              std::to_string(key.second.value());
      if (guard.available_qty(key.first, key.second) != v.available_qty) {
        out.push_back(who + " available_qty " +
                      std::to_string(guard.available_qty(key.first, key.second).value()) +
                      ", model " + std::to_string(v.available_qty.value()));
      }
      if (guard.buy_headroom_qty(key.first, key.second) != v.buy_headroom) {
        out.push_back(who + " buy_headroom_qty " +
                      std::to_string(guard.buy_headroom_qty(key.first, key.second).value()) +
                      ", model " + std::to_string(v.buy_headroom.value()));
      }
    }
    return out;
  }

  // --- Checks

  // The state the service's memory holds: the model's, or, after an
  // ambiguous commit whose retry waits, the model's before that commit until
  // the service's next leader has reloaded (a load that returned a snapshot;
  // no audit runs meanwhile, as it loads too).
  const LedgerModel& memory() const { return memory_model_ ? *memory_model_ : model_; }
  void note_reloads() {
    if (memory_model_ && store_ && store_->loads_ok() > loads_at_stale_) memory_model_.reset();
  }

  void check_everything() {
    if (!service_) return;
    note_reloads();
    for (const std::string& v : store_->take_violations()) {
      problems_.push_back("store call while the service reports the store down: " + v);
    }
    if (refusing_ && sink_->queued_fill_done_count() > 0) {
      problems_.push_back("a queued fill was reported done while the store refused every call");
    }
    check_notices();
    testing::ModelStateCheck(
        *service_, memory(), now(),
        {.symbols = kSymbols,
         .recent_trades_k = [this] { return static_cast<size_t>(uniform(0, 3)); },
         .store_down = refusing_},
        problems_)
        .run();
    if (chance(0.3)) check_risk();
    // Also while a reload is due after an ambiguous commit: audit() then
    // compares as the leader, after that reload.
    if (step_ % 20 == 0 && !refusing_ && pending_.empty()) audit();
  }

  void audit() {
    testing::ModelStateCheck(*service_, model_, now(), {.symbols = kSymbols}, problems_).audit();
  }

  // Every fill the engine was told executed (settle() answered OK, or
  // DuplicateExecution, or a queued fill was reported done so) is applied
  // exactly once: one buyer's and one seller's trade, with its fields.
  void check_executed_once() {
    std::map<ExecutionId, std::vector<Trade>> legs;
    for (const auto& [id, a] : model_.accounts) {
      absl::StatusOr<std::vector<Trade>> history = service_->trade_history(id, 1'000'000'000);
      if (!history.ok()) {
        problems_.push_back("trade_history(" + std::to_string(id.value()) +
                            "): " + history.status().ToString());
        return;
      }
      for (const Trade& t : *history) legs[t.execution].push_back(t);
    }
    for (const auto& [execution, f] : executed_) {
      const std::vector<Trade>& found = legs[execution];
      int buys = 0;
      int sells = 0;
      for (const Trade& t : found) {
        if (t.symbol != f.symbol || t.qty != f.qty || t.price != f.price || t.tick != f.tick ||
            t.time != f.time) {
          continue;
        }
        if (t.side == Side::kBuy && t.account == f.buyer.account && t.order == f.buyer.order) {
          ++buys;
        }
        if (t.side == Side::kSell && t.account == f.seller.account && t.order == f.seller.order) {
          ++sells;
        }
      }
      if (buys != 1 || sells != 1 || found.size() != 2) {
        problems_.push_back("executed " + describe(f) + " is applied with " +
                            std::to_string(buys) + " buyer and " + std::to_string(sells) +
                            " seller trades matching it (" + std::to_string(found.size()) +
                            " trades with its id); expected exactly once");
      }
    }
    report_.commands["fills the engine was told executed, each applied once"] += executed_.size();
  }

  // No orphan hold: every active reservation belongs to an order whose
  // caller was answered OK with that reservation at some point.
  void check_no_orphan_holds() {
    for (const Reservation& r : service_->snapshot().reservations) {
      if (!r.active()) continue;
      const auto it = acknowledged_.find(r.order);
      if (it != acknowledged_.end() && it->second == r.id) continue;
      std::string answers;
      for (const std::string& a : order_answers_[r.order]) {
        answers += (answers.empty() ? "" : ", ") + a;
      }
      problems_.push_back("orphan hold: " + describe(r) + " is active, but its caller was never "
                          "answered OK with it (answers for the order: " +
                          (answers.empty() ? std::string("none") : answers) + ")");
    }
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
    drop_service();
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
  std::shared_ptr<testing::RecordingNotificationSink> sink_ =
      std::make_shared<testing::RecordingNotificationSink>();
  testing::SeenNotices seen_notices_;
  std::shared_ptr<SimStore> store_;
  std::unique_ptr<AccountService> service_;
  std::optional<RiskReader> reader_;  // Declared after service_: destroyed first.
  RiskImage risk_;
  // What a publish may show instead of risk_ (see tick_once()).
  std::optional<RiskImage> risk_alternative_;
  LedgerModel model_;
  // What the service's memory holds while it lacks an ambiguous commit
  // (memory()), and the store's successful loads when that began.
  std::optional<LedgerModel> memory_model_;
  uint64_t loads_at_stale_ = 0;

  std::deque<Fill> wire_;     // Generated by the exchange, not yet delivered.
  std::vector<Fill> pending_; // Answered kQueued, not yet reported done.
  // Every fill the engine was told executed, by execution id.
  std::map<ExecutionId, Fill> executed_;
  // Expiries of the model, by reservation: not yet notified, and notified
  // (or listed by expired_reservations_since() after a crash).
  std::map<ReservationId, ExpiredNotice> unnotified_;
  std::set<ReservationId> notified_;

  // The gateway: commands refused by the store, waiting to be sent again
  // (oldest first); the reservation each order was answered OK with; and
  // every answer each order got, for messages.
  std::deque<Cmd> retries_;
  std::map<OrderId, ReservationId> acknowledged_;
  std::map<OrderId, std::vector<std::string>> order_answers_;

  bool refusing_ = false;   // The store refuses every call (kRefusals[refusal_]).
  size_t refusal_ = kOutage;
  int refusing_since_ = 0;
  int refusing_until_ = 0;
  int outages_ = 0;
  int crashes_ = 0;
  uint64_t fired_before_ = 0;
  bool faults_off_ = false;  // The final phase: no more faults.

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
