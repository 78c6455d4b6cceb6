// Two ledgers, each owning half of the accounts, settle one exchange's fills between them under
// faults: the partition plan of docs/scale.md ("Past one writer"), run seed by seed.
//
// Each partition is an AccountService on its own store, with a clearing account that stands
// for the other partition. A fill between accounts of one partition is settled there, as
// today. A fill across partitions is settled as two legs, each in the partition of its account
// and each keyed by the engine's execution id there, so that (execution id, partition) is the
// (execution id, leg) key of the plan: the buyer's leg is a fill between the buyer and its
// partition's clearing account (which sells), the seller's leg a fill between the other
// clearing account (which buys) and the seller. Each partition conserves money and shares on
// its own; across partitions the clearing accounts' balances net to the legs not yet paired.
//
// Faults, each with a per-seed rate: commits that fail before they are durable, ambiguous
// commits (durable, reported failed), store outages, crashes of one partition's process (its
// queued fills handed back), legs delivered late, out of order, to one partition long before
// the other, and twice. After every step a reconciler reads both journals from its cursors and
// checks: no execution applied twice in a partition; money and shares conserved across the
// partitions; the clearing accounts' imbalance equal to the unpaired legs, in cash and per
// symbol. At the end, with the faults healed and everything delivered: every execution's legs
// applied exactly once each, with matching amounts, the imbalance zero, both audits passing.
//
// Replay one seed:  ACCOUNT_SIM_SEED=<seed> account_simulation_tests "[partitions]"
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/status.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/recording_notification_sink.h"
#include "simulation/simulator.h"
#include "support/reference_model.h"

namespace account::simulation {
namespace {

using testing::CommitFault;
using testing::FaultInjectingStore;
using testing::RecordingNotificationSink;

constexpr int kPartitions = 2;
constexpr int kUsers = 6;  // User u belongs to partition u % kPartitions.
constexpr SymbolId kSymbols[] = {SymbolId{1}, SymbolId{2}};
constexpr Cents kUserCash{1'000'000'00};
constexpr Qty kUserShares{1'000 * kBpPerShare};
constexpr Cents kClearingCash{10'000'000'00};
constexpr Qty kClearingShares{10'000 * kBpPerShare};

// Rates drawn once per seed: zero for about a third of seeds, so each fault is also seen alone.
struct Rates {
  double unavailable = 0;
  double ambiguous = 0;
  double outage = 0;
  double crash = 0;
  double late = 0;
  double twice = 0;
};

struct Leg {
  int partition = 0;
  Fill fill;
  int not_before_step = 0;  // Held on the wire until then (a late delivery).
  bool confirmed = false;   // Applied, as an answer said (OK, Duplicate, a queued fill's notice).
  bool queued = false;      // Answered kQueued: its notice is awaited.
};

struct Trade {
  int buyer = 0;
  int seller = 0;
  SymbolId symbol;
  Qty qty;
  Price price;
  ExecutionId execution;
  OrderSpec buy, sell;
  // A trade across partitions: the clearing accounts' orders, in the buyer's partition (a
  // sell) and in the seller's (a buy).
  std::optional<OrderSpec> clearing_sell, clearing_buy;
  std::set<uint64_t> placed;  // Order ids answered OK.
  bool executed = false;
  bool cross() const { return buyer % kPartitions != seller % kPartitions; }
};

class PartitionRun {
 public:
  explicit PartitionRun(uint64_t seed) : seed_(seed), rng_(seed) {
    const auto rate = [&](double low, double high) {
      const int pick = static_cast<int>(rng_() % 3);
      return pick == 0 ? 0.0 : pick == 1 ? low : high;
    };
    rates_ = {.unavailable = rate(0.02, 0.08),
              .ambiguous = rate(0.02, 0.08),
              .outage = rate(0.01, 0.04),
              .crash = rate(0.005, 0.02),
              .late = rate(0.1, 0.4),
              .twice = rate(0.05, 0.2)};
    steps_ = 120 + static_cast<int>(rng_() % 120);
  }

  // Runs the seed; an empty string when every check held, else what failed and where.
  std::string run() {
    for (int p = 0; p < kPartitions; ++p) {
      Part& part = parts_[p];
      part.store = std::make_shared<FaultInjectingStore>(std::make_shared<MemoryStore>());
      if (!reopen(p)) return failure_;
      part.clearing = create(p, "clearing-" + std::to_string(p), kClearingCash, kClearingShares);
    }
    for (int u = 0; u < kUsers; ++u) {
      users_.push_back(create(u % kPartitions, "user-" + std::to_string(u), kUserCash,
                              kUserShares));
    }
    if (!failure_.empty()) return failure_;
    for (step_ = 0; step_ < steps_ && failure_.empty(); ++step_) {
      clock_->advance(absl::Seconds(1));
      inject_faults();
      if (rng_() % 10 < 6) new_trade();
      place_and_route();
      deliver(/*at_most=*/1 + static_cast<int>(rng_() % 3));
      take_notices();
      reconcile();
    }
    if (failure_.empty()) finish();
    return failure_;
  }

  uint64_t legs_applied() const { return legs_applied_; }
  uint64_t faults() const { return faults_; }

 private:
  struct Part {
    std::shared_ptr<FaultInjectingStore> store;
    std::shared_ptr<RecordingNotificationSink> sink = std::make_shared<RecordingNotificationSink>();
    std::unique_ptr<AccountService> service;  // Null while its process is down.
    AccountId clearing;
    int outage_steps = 0;
    uint64_t cursor = 0;  // The reconciler's, in this partition's journal.
    std::map<uint64_t, Fill> applied;  // By execution id, from the journal.
  };

  void fail(const std::string& what) {
    if (!failure_.empty()) return;
    std::ostringstream os;
    os << "seed " << seed_ << ", step " << step_ << ": " << what
       << "\nreplay: ACCOUNT_SIM_SEED=" << seed_ << " account_simulation_tests \"[partitions]\"";
    failure_ = os.str();
  }

  bool reopen(int p) {
    Part& part = parts_[p];
    absl::StatusOr<std::unique_ptr<AccountService>> opened = AccountService::open(
        {.store = part.store,
         .clock = clock_,
         .sink = part.sink,
         .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                              .backoff_max = absl::Milliseconds(5)}});
    if (!opened.ok()) return false;
    part.service = std::move(*opened);
    return true;
  }

  AccountId create(int p, const std::string& name, Cents cash, Qty shares) {
    AccountService& svc = *parts_[p].service;
    absl::StatusOr<AccountId> id = svc.create_account("google-" + name, name);
    if (!id.ok()) {
      fail("creating " + name + ": " + id.status().ToString());
      return AccountId{};
    }
    if (absl::Status s = svc.credit(*id, cash, EntryKind::kAdjustment, "fund-" + name); !s.ok()) {
      fail("funding " + name + ": " + s.ToString());
    }
    for (SymbolId symbol : kSymbols) {
      const std::string key = "issue-" + name + "-" + std::to_string(symbol.value());
      if (absl::Status s = svc.issue_shares(*id, symbol, shares, key); !s.ok()) {
        fail("issuing to " + name + ": " + s.ToString());
      }
    }
    return *id;
  }

  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  void inject_faults() {
    for (int p = 0; p < kPartitions; ++p) {
      Part& part = parts_[p];
      if (part.outage_steps > 0 && --part.outage_steps == 0) part.store->come_back();
      if (chance(rates_.unavailable)) {
        part.store->fail_next_commits(1, CommitFault::kUnavailable);
        ++faults_;
      }
      if (chance(rates_.ambiguous)) {
        part.store->fail_next_commits(1, CommitFault::kAmbiguous);
        ++faults_;
      }
      if (part.outage_steps == 0 && chance(rates_.outage)) {
        part.store->go_down();
        part.outage_steps = 1 + static_cast<int>(rng_() % 8);
        ++faults_;
      }
      if (part.service != nullptr && chance(rates_.crash)) {
        part.service.reset();  // Its queued fills come back through the sink, not applied.
        ++faults_;
      }
      if (part.service == nullptr && part.outage_steps == 0) reopen(p);
    }
  }

  OrderSpec order(AccountId account, SymbolId symbol, Qty qty, Price limit) {
    return OrderSpec{.account = account,
                     .order = OrderId{next_order_++},
                     .symbol = symbol,
                     .qty = qty,
                     .limit = limit,
                     .expires_at = start_ + absl::Hours(24 * 7)};
  }

  void new_trade() {
    Trade t;
    t.buyer = static_cast<int>(rng_() % kUsers);
    t.seller = static_cast<int>(rng_() % (kUsers - 1));
    if (t.seller >= t.buyer) ++t.seller;
    t.symbol = kSymbols[rng_() % 2];
    t.qty = Qty{(1 + static_cast<int64_t>(rng_() % 3)) * kBpPerShare};
    t.price = Price{100 + static_cast<int64_t>(rng_() % 10'000)};
    t.buy = order(users_[t.buyer], t.symbol, t.qty, t.price);
    t.sell = order(users_[t.seller], t.symbol, t.qty, t.price);
    trades_.push_back(std::move(t));
  }

  // Sends the order again until it rests: an identical retry of one whose answer was lost gets
  // the same reservation. Any refusal but the store's fails the run: the workload stays inside
  // every limit.
  bool place(Trade& t, int p, const OrderSpec& spec, Side side) {
    if (t.placed.count(spec.order.value()) != 0) return true;
    AccountService* svc = parts_[p].service.get();
    if (svc == nullptr) return false;
    const absl::StatusOr<ReservationId> r =
        side == Side::kBuy ? svc->reserve_buy(spec) : svc->reserve_sell(spec);
    if (r.ok()) {
      t.placed.insert(spec.order.value());
      return true;
    }
    const std::optional<Reason> why = reason_of(r.status());
    if (why != Reason::kStoreUnavailable && why != Reason::kStoreFailure) {
      fail("order " + std::to_string(spec.order.value()) + " refused: " + r.status().ToString());
    }
    return false;
  }

  // The gateway places the users' orders; once both rest the exchange executes the trade, and
  // the router places the clearing orders of a trade across partitions and puts its legs on
  // the wire.
  void place_and_route() {
    for (Trade& t : trades_) {
      if (t.executed) continue;
      const int pb = t.buyer % kPartitions;
      const int ps = t.seller % kPartitions;
      // Both are sent each round, whatever the other's answer.
      const bool buy_rests = place(t, pb, t.buy, Side::kBuy);
      const bool sell_rests = place(t, ps, t.sell, Side::kSell);
      if (!buy_rests || !sell_rests) continue;
      if (!t.execution.value()) {
        t.execution = ExecutionId{next_execution_++};
        executed_at_[t.execution.value()] = clock_->now();
      }
      const absl::Time at = executed_at_[t.execution.value()];
      if (!t.cross()) {
        t.executed = true;
        put_on_wire(pb, fill_of(t, {users_[t.buyer], t.buy.order},
                                {users_[t.seller], t.sell.order}, at));
        continue;
      }
      if (!t.clearing_sell) {
        t.clearing_sell = order(parts_[pb].clearing, t.symbol, t.qty, t.price);
        t.clearing_buy = order(parts_[ps].clearing, t.symbol, t.qty, t.price);
      }
      const bool clearing_sell_rests = place(t, pb, *t.clearing_sell, Side::kSell);
      const bool clearing_buy_rests = place(t, ps, *t.clearing_buy, Side::kBuy);
      if (!clearing_sell_rests || !clearing_buy_rests) continue;
      t.executed = true;
      put_on_wire(pb, fill_of(t, {users_[t.buyer], t.buy.order},
                              {parts_[pb].clearing, t.clearing_sell->order}, at));
      put_on_wire(ps, fill_of(t, {parts_[ps].clearing, t.clearing_buy->order},
                              {users_[t.seller], t.sell.order}, at));
    }
  }

  static Fill fill_of(const Trade& t, FillParty buyer, FillParty seller, absl::Time at) {
    return Fill{.execution = t.execution,
                .symbol = t.symbol,
                .qty = t.qty,
                .price = t.price,
                .buyer = buyer,
                .seller = seller,
                .tick = TickId{1},
                .time = at};
  }

  void put_on_wire(int p, Fill fill) {
    Leg leg{.partition = p, .fill = std::move(fill), .not_before_step = step_};
    if (chance(rates_.late)) {
      leg.not_before_step += 1 + static_cast<int>(rng_() % 30);
      ++faults_;
    }
    legs_.push_back(std::move(leg));
  }

  // Settles one leg in its partition and reads the answer. `again`: a redelivery of a leg
  // already confirmed, which must not apply twice.
  void settle(Leg& leg, bool again) {
    AccountService* svc = parts_[leg.partition].service.get();
    if (svc == nullptr) return;
    const absl::StatusOr<SettlementReceipt> r = svc->settle(leg.fill);
    const std::optional<Reason> why = reason_of(r.status());
    if (r.ok() && r->outcome == SettlementOutcome::kApplied) {
      if (again) fail("a leg delivered again was applied again: " + describe(leg));
      leg.confirmed = true;
    } else if (r.ok()) {
      // Queued behind a store refusal; if it was applied already the notice says Duplicate.
      if (!again) leg.queued = true;
    } else if (why == Reason::kDuplicateExecution) {
      leg.confirmed = true;
    } else if (why != Reason::kStoreUnavailable && why != Reason::kStoreFailure) {
      fail("leg refused: " + describe(leg) + ": " + r.status().ToString());
    }
  }

  void deliver(int at_most) {
    std::vector<Leg*> ready;
    for (Leg& leg : legs_) {
      if (!leg.confirmed && !leg.queued && leg.not_before_step <= step_) ready.push_back(&leg);
    }
    std::shuffle(ready.begin(), ready.end(), rng_);  // Out of order, across partitions.
    for (int i = 0; i < at_most && i < static_cast<int>(ready.size()); ++i) {
      settle(*ready[i], /*again=*/false);
    }
    if (!legs_.empty() && chance(rates_.twice)) {
      Leg& leg = legs_[rng_() % legs_.size()];
      if (leg.confirmed) {
        settle(leg, /*again=*/true);
        ++faults_;
      }
    }
  }

  void take_notices() {
    for (int p = 0; p < kPartitions; ++p) {
      for (const testing::QueuedFillNotice& n : parts_[p].sink->take_queued_fills_done()) {
        const std::optional<Reason> why = reason_of(n.result);
        for (Leg& leg : legs_) {
          if (leg.partition != p || leg.fill.execution != n.fill.execution || !leg.queued) continue;
          leg.queued = false;
          if (n.result.ok() || why == Reason::kDuplicateExecution) {
            leg.confirmed = true;
          } else if (why != Reason::kStoreUnavailable && why != Reason::kStoreFailure) {
            fail("queued leg refused: " + describe(leg) + ": " + n.result.ToString());
          }
        }
      }
    }
  }

  std::string describe(const Leg& leg) const {
    std::ostringstream os;
    os << "execution " << leg.fill.execution.value() << " in partition " << leg.partition
       << " (buyer " << leg.fill.buyer.account.value() << ", seller "
       << leg.fill.seller.account.value() << ")";
    return os.str();
  }

  // The reconciler: takes one snapshot of each partition (the retry threads apply queued fills
  // meanwhile), reads each journal from its cursor up to that snapshot's head, then checks
  // conservation and the clearing imbalance against the legs applied so far. Skipped while a
  // partition is down.
  void reconcile(bool all_paired = false) {
    for (const Part& part : parts_) {
      if (part.service == nullptr) return;
    }
    LedgerSnapshot snaps[kPartitions];
    for (int p = 0; p < kPartitions; ++p) snaps[p] = parts_[p].service->snapshot();
    for (int p = 0; p < kPartitions && failure_.empty(); ++p) {
      Part& part = parts_[p];
      const uint64_t head = snaps[p].journal_head.seq;
      while (part.cursor < head && failure_.empty()) {
        absl::StatusOr<std::vector<JournalEntry>> entries =
            part.service->events_since(part.cursor, 10'000);
        if (!entries.ok()) {
          // The store is away and memory no longer holds the entries: read them later.
          if (reason_of(entries.status()) == Reason::kStoreUnavailable) return;
          fail("reading partition " + std::to_string(p) + "'s journal: " +
               entries.status().ToString());
          return;
        }
        if (entries->empty()) {
          fail("partition " + std::to_string(p) + "'s journal ends before its head");
          return;
        }
        for (const JournalEntry& entry : *entries) {
          if (entry.seq > head) break;
          for (const LedgerEvent& event : entry.events) {
            const auto* applied = std::get_if<FillApplied>(&event);
            if (applied == nullptr) continue;
            if (!part.applied.emplace(applied->fill.execution.value(), applied->fill).second) {
              fail("execution " + std::to_string(applied->fill.execution.value()) +
                   " applied twice in partition " + std::to_string(p));
            }
            ++legs_applied_;
          }
          part.cursor = entry.seq;
        }
      }
    }
    if (failure_.empty()) check_balances(snaps, all_paired);
  }

  static int64_t cash_of(const LedgerSnapshot& snap, AccountId id) {
    for (const Account& a : snap.accounts) {
      if (a.id == id) return a.cash.value();
    }
    return 0;
  }
  static int64_t qty_of(const LedgerSnapshot& snap, AccountId id, SymbolId symbol) {
    for (const Position& pos : snap.positions) {
      if (pos.account == id && pos.symbol == symbol) return pos.qty.value();
    }
    return 0;
  }

  // Conservation across partitions, and the clearing imbalance equal to the unpaired legs.
  void check_balances(const LedgerSnapshot (&snaps)[kPartitions], bool all_paired) {
    int64_t user_cash = 0;
    int64_t clearing_cash = 0;
    std::map<uint64_t, int64_t> user_qty, clearing_qty;
    for (int u = 0; u < kUsers; ++u) {
      const LedgerSnapshot& snap = snaps[u % kPartitions];
      user_cash += cash_of(snap, users_[u]);
      for (SymbolId s : kSymbols) user_qty[s.value()] += qty_of(snap, users_[u], s);
    }
    for (int p = 0; p < kPartitions; ++p) {
      clearing_cash += cash_of(snaps[p], parts_[p].clearing) - kClearingCash.value();
      for (SymbolId s : kSymbols) {
        clearing_qty[s.value()] += qty_of(snaps[p], parts_[p].clearing, s) - kClearingShares.value();
      }
    }
    // What the unpaired legs leave with the clearing accounts: a buyer's leg alone, the
    // buyer's clearing account sold (cash in, shares out); a seller's leg alone, the seller's
    // clearing account bought.
    int64_t unpaired_cash = 0;
    std::map<uint64_t, int64_t> unpaired_qty;
    size_t unpaired = 0;
    for (const Trade& t : trades_) {
      if (!t.executed || !t.cross()) continue;
      const bool buyer_leg = parts_[t.buyer % kPartitions].applied.count(t.execution.value()) != 0;
      const bool seller_leg =
          parts_[t.seller % kPartitions].applied.count(t.execution.value()) != 0;
      if (buyer_leg == seller_leg) continue;
      ++unpaired;
      const int64_t notional = t.qty.value() / kBpPerShare * t.price.cents_per_share();
      const int sign = buyer_leg ? 1 : -1;
      unpaired_cash += sign * notional;
      unpaired_qty[t.symbol.value()] -= sign * t.qty.value();
    }
    if (all_paired && unpaired != 0) fail(std::to_string(unpaired) + " legs left unpaired");
    const int64_t users_start_cash = kUsers * kUserCash.value();
    if (user_cash + clearing_cash != users_start_cash) {
      fail("cash not conserved across partitions: users hold " + std::to_string(user_cash) +
           ", clearing accounts are off by " + std::to_string(clearing_cash) + ", the users had " +
           std::to_string(users_start_cash));
    }
    if (clearing_cash != unpaired_cash) {
      fail("the clearing accounts' cash imbalance is " + std::to_string(clearing_cash) +
           " cents; the unpaired legs account for " + std::to_string(unpaired_cash));
    }
    for (SymbolId s : kSymbols) {
      if (user_qty[s.value()] + clearing_qty[s.value()] != kUsers * kUserShares.value()) {
        fail("shares of symbol " + std::to_string(s.value()) + " not conserved");
      }
      if (clearing_qty[s.value()] != unpaired_qty[s.value()]) {
        fail("the clearing accounts' imbalance in symbol " + std::to_string(s.value()) + " is " +
             std::to_string(clearing_qty[s.value()]) + " bp; the unpaired legs account for " +
             std::to_string(unpaired_qty[s.value()]));
      }
    }
  }

  // Heals every fault, delivers everything, and checks the end state.
  void finish() {
    for (int p = 0; p < kPartitions; ++p) {
      parts_[p].store->come_back();
      parts_[p].outage_steps = 0;
      if (parts_[p].service == nullptr && !reopen(p)) {
        fail("partition " + std::to_string(p) + " does not reopen on a healed store");
        return;
      }
    }
    const auto settled = [&] {
      for (const Trade& t : trades_) {
        if (!t.executed) return false;
      }
      for (const Leg& leg : legs_) {
        if (!leg.confirmed) return false;
      }
      return true;
    };
    for (int round = 0; round < 10'000 && failure_.empty() && !settled(); ++round) {
      clock_->advance(absl::Milliseconds(10));
      place_and_route();
      for (Leg& leg : legs_) leg.not_before_step = 0;
      deliver(/*at_most=*/1'000);
      take_notices();
      absl::SleepFor(absl::Milliseconds(1));  // The retry threads apply what they queued.
    }
    if (!failure_.empty()) return;
    if (!settled()) {
      fail("legs still unapplied after the faults healed");
      return;
    }
    reconcile(/*all_paired=*/true);
    for (int p = 0; p < kPartitions; ++p) {
      if (parts_[p].cursor != parts_[p].service->journal_head()) {
        fail("the reconciler did not read partition " + std::to_string(p) + "'s whole journal");
      }
    }
    // Every leg applied once, where its accounts are, with the trade's amounts; every leg
    // delivered once more is a duplicate.
    for (const Trade& t : trades_) {
      const int pb = t.buyer % kPartitions;
      const int ps = t.seller % kPartitions;
      for (const int p : {pb, ps}) {
        const auto it = parts_[p].applied.find(t.execution.value());
        if (it == parts_[p].applied.end()) {
          fail("execution " + std::to_string(t.execution.value()) + " has no leg in partition " +
               std::to_string(p));
          return;
        }
        if (it->second.qty != t.qty || it->second.price != t.price ||
            it->second.symbol != t.symbol) {
          fail("execution " + std::to_string(t.execution.value()) + "'s leg in partition " +
               std::to_string(p) + " does not match the trade");
        }
      }
    }
    for (Leg& leg : legs_) settle(leg, /*again=*/true);
    for (int p = 0; p < kPartitions; ++p) {
      if (const AuditReport audit = parts_[p].service->audit(); !audit.ok()) {
        fail("partition " + std::to_string(p) + "'s audit: " + audit.violations.front());
      }
    }
  }

  const uint64_t seed_;
  std::mt19937_64 rng_;
  Rates rates_;
  int steps_ = 0;
  int step_ = 0;
  const absl::Time start_ = absl::FromUnixSeconds(1'790'000'000);
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(start_);
  Part parts_[kPartitions];
  std::vector<AccountId> users_;
  std::vector<Trade> trades_;
  std::vector<Leg> legs_;
  std::map<uint64_t, absl::Time> executed_at_;
  uint64_t next_order_ = 1;
  uint64_t next_execution_ = 1;
  uint64_t legs_applied_ = 0;
  uint64_t faults_ = 0;
  std::string failure_;
};

TEST_CASE("simulation: two partitions settle fills across them, each leg once, conserving "
          "money and shares",
          "[simulation][partitions]") {
  const uint64_t replay = testing::env_u64("ACCOUNT_SIM_SEED", 0);
  const uint64_t seeds =
      replay != 0 ? 1 : std::max<uint64_t>(10, testing::env_u64("ACCOUNT_SIM_SEEDS", 300) / 5);
  uint64_t legs = 0;
  uint64_t faults = 0;
  for (uint64_t i = 0; i < seeds; ++i) {
    const uint64_t seed = replay != 0 ? replay : seed_for(Catch::rngSeed(), i);
    PartitionRun run(seed);
    const std::string failure = run.run();
    if (!failure.empty()) FAIL(failure);
    legs += run.legs_applied();
    faults += run.faults();
  }
  // The runs did settle legs, and did meet faults.
  CHECK(legs > seeds * 20);
  if (replay == 0) CHECK(faults > seeds);
}

}  // namespace
}  // namespace account::simulation
