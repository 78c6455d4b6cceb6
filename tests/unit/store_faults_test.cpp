// Commit faults and outages: nothing is applied or acknowledged before the
// store commits; an ambiguous commit is resolved by reloading from the
// store, so a retry finds the fill applied instead of applying it twice;
// fills met by an outage queue in order and apply once the store is back.
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <latch>
#include <thread>
#include <string>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/log_sink.h"
#include "account/risk_cache.h"
#include "account/testing/counterparties.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/recording_notification_sink.h"
#include "account/writer_fencing.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::CommitFault;
using testing::denied_with;
using testing::FaultInjectingStore;
using testing::RecordingNotificationSink;

constexpr SymbolId kAllen{1};

// What the retry thread reported about queued fills: each fill's execution id and reason.
std::vector<std::pair<ExecutionId, std::optional<Reason>>> reported(
    const RecordingNotificationSink& sink) {
  std::vector<std::pair<ExecutionId, std::optional<Reason>>> out;
  for (const testing::QueuedFillNotice& n : sink.queued_fills_done()) {
    out.emplace_back(n.fill.execution, reason_of(n.result));
  }
  return out;
}

// A ledger on a FaultInjectingStore, with a buyer ($1,000) and a seller holding one share of
// kAllen, each with a whole-share order reserved (buy at $100, sell at $50): orders 1 and 2.
struct FaultFixture : testing::LedgerFixture {
  std::shared_ptr<FaultInjectingStore> faulty = std::make_shared<FaultInjectingStore>(store);
  std::shared_ptr<RecordingNotificationSink> sink = std::make_shared<RecordingNotificationSink>();
  AccountId buyer, seller;
  OrderSpec buy, sell;
  explicit FaultFixture(absl::Duration backoff_max = absl::Milliseconds(20)) {
    service = AccountService::open({.store = faulty, .clock = clock, .sink = sink,
                                    .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                                                         .backoff_max = backoff_max}})
                  .value();
    const testing::Counterparties pair =
        testing::Counterparties::open(svc(), {.symbol = kAllen,
                                              .qty = Qty{10'000},
                                              .buy_limit = Price{10'000},
                                              .sell_limit = Price{5'000},
                                              .buyer_cash = Cents{100'000}})
            .value();
    buyer = pair.buyer();
    seller = pair.seller();
    buy = pair.buy();
    sell = pair.sell();
    orders = testing::OrderBuilder(OrderId{3});  // Later orders come after the pair's.
  }
  std::vector<std::pair<ExecutionId, std::optional<Reason>>> reported() const {
    return account::reported(*sink);
  }
  // Waits (at most 10 s) until the retry thread has emptied the queue and
  // reported `reports` fills to the sink: it reports each fill after the fill
  // has left the queue, so an empty queue alone does not mean reported.
  bool drained(size_t reports) {
    const auto done = [&] {
      return svc().queued_fills() == 0 && sink->queued_fill_done_count() >= reports;
    };
    for (int i = 0; i < 10'000 && !done(); ++i) absl::SleepFor(absl::Milliseconds(1));
    return done();
  }
};

bool queued(const absl::StatusOr<SettlementReceipt>& r) {
  return r.ok() && r->outcome == SettlementOutcome::kQueued;
}

TEST_CASE("a fill whose commit fails before it is durable is queued, then applied once",
          "[store][faults]") {
  FaultFixture f;
  const LedgerSnapshot before = f.svc().snapshot();
  const Fill fill = f.fill(f.buy, f.sell, Qty{5'000}, Price{8'000});
  f.faulty->fail_next_commits(1, CommitFault::kUnavailable);
  const auto result = f.svc().settle(fill);
  REQUIRE(queued(result));
  REQUIRE(f.drained(1));
  CHECK(f.reported() == std::vector<std::pair<ExecutionId, std::optional<Reason>>>{
                                  {fill.execution, std::nullopt}});
  CHECK(f.svc().snapshot() != before);
  CHECK(denied_with(f.svc().settle(fill), Reason::kDuplicateExecution));
  CHECK(f.svc().cash(f.seller).value() == Cents{4'000});
  CHECK(f.svc().audit().ok());
}

TEST_CASE("an ambiguous commit is resolved from the store: the retry finds it applied",
          "[store][faults]") {
  FaultFixture f;
  const Fill fill = f.fill(f.buy, f.sell, Qty{5'000}, Price{8'000});
  f.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  REQUIRE(queued(f.svc().settle(fill)));
  REQUIRE(f.drained(1));
  // The store had committed it: the retry reloads, finds it, and says so.
  CHECK(f.reported() == std::vector<std::pair<ExecutionId, std::optional<Reason>>>{
                                  {fill.execution, Reason::kDuplicateExecution}});
  CHECK(denied_with(f.svc().settle(fill), Reason::kDuplicateExecution));
  CHECK(f.svc().cash(f.seller).value() == Cents{4'000});
  CHECK(f.svc().position(f.buyer, kAllen).value()->qty == Qty{5'000});
  CHECK(f.svc().audit().ok());
}

// Regression: a position that only an order made is not stored, so a reload
// after the order ended (here by a commit that failed after it was durable)
// drops it; the risk cache must still learn that its pending quantity is
// gone, also when a second reload comes before the tick.
TEST_CASE("a position a reload drops reaches the risk cache empty, after two reloads in a tick",
          "[store][faults]") {
  FaultFixture f;
  const Qty cap = f.limits.position_cap_qty;
  RiskReader reader = f.svc().risk_cache().register_reader().value();
  REQUIRE(f.svc().end_of_tick(TickId{1}).ok());
  CHECK(reader.read().buy_headroom_qty(f.buyer, kAllen) == cap - f.buy.qty);

  const ReservationId held = f.svc().reservation_for_order(f.buy.order).value().id;
  f.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(f.svc().release_reservation(held), Reason::kStoreUnavailable));
  // Reloads, then fails after its commit too: a second reload is due.
  f.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(f.svc().credit(f.seller, Cents{1}, EntryKind::kAdjustment, "k1"),
                    Reason::kStoreUnavailable));
  REQUIRE(f.svc().credit(f.seller, Cents{1}, EntryKind::kAdjustment, "k2").ok());  // Reloads.
  CHECK(f.svc().position(f.buyer, kAllen).value() == std::nullopt);

  REQUIRE(f.svc().end_of_tick(TickId{2}).ok());
  CHECK(reader.read().buy_headroom_qty(f.buyer, kAllen) == cap);
  CHECK(reader.read().available_cash(f.buyer) == f.svc().available_cash(f.buyer).value());
  CHECK(f.svc().audit().ok());
}

TEST_CASE("during an outage reservations are refused, fills queue in order, queries answer",
          "[store][faults][outage]") {
  FaultFixture f;
  f.faulty->go_down();
  CHECK(denied_with(f.svc().reserve_buy(f.order(f.buyer, kAllen, Qty{1}, Price{100})),
                    Reason::kStoreUnavailable));
  CHECK(denied_with(f.svc().credit(f.buyer, Cents{1}, EntryKind::kAdjustment, "adj"),
                    Reason::kStoreUnavailable));
  // Three fills that only fit in this order: 6000, 3000, then the last 1000 bp.
  const Fill a = f.fill(f.buy, f.sell, Qty{6'000}, Price{8'000});
  const Fill b = f.fill(f.buy, f.sell, Qty{3'000}, Price{7'000});
  const Fill c = f.fill(f.buy, f.sell, Qty{1'000}, Price{6'000});
  CHECK(queued(f.svc().settle(a)));
  const auto rest = f.svc().settle_batch({b, c});
  CHECK(queued(rest[0]));
  CHECK(queued(rest[1]));
  CHECK(f.svc().queued_fills() == 3);
  // Queries answer from memory meanwhile.
  CHECK(f.svc().cash(f.buyer).value() == Cents{100'000});
  CHECK(f.svc().available_cash(f.buyer).value() == Cents{90'000});
  absl::SleepFor(absl::Milliseconds(50));  // Several retries meet the outage.
  CHECK(f.svc().queued_fills() == 3);

  f.faulty->come_back();
  REQUIRE(f.drained(3));
  const auto reported = f.reported();
  REQUIRE(reported.size() == 3);
  CHECK(reported[0] == std::pair(a.execution, std::optional<Reason>()));
  CHECK(reported[1] == std::pair(b.execution, std::optional<Reason>()));
  CHECK(reported[2] == std::pair(c.execution, std::optional<Reason>()));
  CHECK(f.svc().cash(f.seller).value() == Cents{4'800 + 2'100 + 600});
  CHECK(f.svc().reservation_for_order(f.buy.order).value().status ==
        ReservationStatus::kSettled);
  for (const Fill& fill : {a, b, c}) {
    CHECK(denied_with(f.svc().settle(fill), Reason::kDuplicateExecution));
  }
  CHECK(f.svc().credit(f.buyer, Cents{1}, EntryKind::kAdjustment, "adj").ok());
  CHECK(f.svc().audit().ok());
}

TEST_CASE("an order whose fill waits for the store is not cancelled, released or expired first",
          "[store][faults][outage]") {
  FaultFixture f;
  const OrderSpec other = f.order(f.buyer, kAllen, Qty{1'000}, Price{10'000});
  const ReservationId other_id = f.svc().reserve_buy(other).value();
  const ReservationId sell_id = f.svc().reservation_for_order(f.sell.order).value().id;
  // Commits holding a fill fail; everything else goes through.
  f.faulty->fail_fill_commits();
  const Fill fill = f.fill(f.buy, f.sell, Qty{5'000}, Price{8'000});
  REQUIRE(queued(f.svc().settle(fill)));

  // The engine matched the orders before the user cancelled and the engine
  // dropped them: ending them first would refuse the fill when it comes back.
  const absl::Status cancel = f.svc().cancel_order(f.buy.order);
  CHECK(denied_with(cancel, Reason::kStoreUnavailable));
  CHECK_THAT(std::string(cancel.message()), Catch::Contains("wait to be applied"));
  CHECK(denied_with(f.svc().release_reservation(sell_id), Reason::kStoreUnavailable));
  CHECK(denied_with(f.svc().release_batch({sell_id})[0], Reason::kStoreUnavailable));
  // Due, both wait for a later sweep; an order without queued fills expires.
  f.clock->advance(absl::Hours(24 * 8));
  // The retry thread keeps trying the queued fill, and an attempt may share
  // the sweep's group commit; the store refuses that group as one
  // transaction, as it would any group holding a fill, and the sweep is run
  // again.
  absl::StatusOr<size_t> swept = f.svc().expire_due_reservations();
  for (int i = 0; i < 1'000 && reason_of(swept) == Reason::kStoreUnavailable; ++i) {
    swept = f.svc().expire_due_reservations();
  }
  REQUIRE(swept.ok());
  CHECK(*swept == 1);
  CHECK(f.svc().reservation(other_id).value().status == ReservationStatus::kExpired);
  CHECK(f.svc().reservation_for_order(f.buy.order).value().status ==
        ReservationStatus::kActive);

  f.faulty->come_back();
  REQUIRE(f.drained(1));
  CHECK(f.reported() == std::vector<std::pair<ExecutionId, std::optional<Reason>>>{
                                  {fill.execution, std::nullopt}});
  CHECK(f.svc().position(f.buyer, kAllen).value()->qty == Qty{5'000});
  CHECK(f.svc().cash(f.seller).value() == Cents{4'000});
  // Applied: the rest of both orders may end now.
  CHECK(f.svc().expire_due_reservations().value() == 2);
  CHECK(f.svc().audit().ok());
}

// Holds the thread that logs an execution conflict until released.
struct BlockingLog final : LogSink {
  std::atomic<bool> entered{false};
  std::latch released{1};
  void write(const LogRecord& record) override {
    if (record.event != "execution_conflict") return;
    entered = true;
    released.wait();
  }
};

TEST_CASE("a fill that met an unavailable store is queued before another command can end its order",
          "[store][faults][outage]") {
  testing::LedgerFixture f;
  auto faulty = std::make_shared<FaultInjectingStore>(f.store);
  auto sink = std::make_shared<RecordingNotificationSink>();
  auto log = std::make_shared<BlockingLog>();
  f.service = AccountService::open({.store = faulty, .clock = f.clock, .sink = sink,
                                    .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                                                         .backoff_max = absl::Milliseconds(20)},
                                    .log = log})
                  .value();
  const testing::Counterparties pair =
      testing::Counterparties::open(f.svc(), {.symbol = kAllen,
                                              .qty = Qty{10'000},
                                              .buy_limit = Price{10'000},
                                              .sell_limit = Price{5'000},
                                              .buyer_cash = Cents{100'000}})
          .value();
  const AccountId buyer = pair.buyer();
  const OrderSpec& buy = pair.buy();
  const OrderSpec& sell = pair.sell();
  const Fill applied = f.fill(buy, sell, Qty{1'000}, Price{8'000});
  REQUIRE(f.svc().settle(applied).ok());
  // A new fill and a conflicting redelivery in one batch whose commit fails:
  // the conflict is logged while settle_batch reports, which holds that
  // thread there, after the group's leader has handed on.
  const Fill fresh = f.fill(buy, sell, Qty{1'000}, Price{8'000});
  Fill conflict = applied;
  conflict.price = Price{8'001};
  // Commits of fills fail until the end (so the retry cannot apply it early),
  // and other commits go through.
  faulty->fail_fill_commits();
  std::thread engine([&] {
    const auto results = f.svc().settle_batch({fresh, conflict});
    CHECK(queued(results[0]));
  });
  while (!log->entered) absl::SleepFor(absl::Milliseconds(1));
  // The user cancels the order meanwhile: its fill is queued already.
  CHECK(denied_with(f.svc().cancel_order(buy.order), Reason::kStoreUnavailable));
  log->released.count_down();
  engine.join();
  faulty->come_back();
  CHECK(sink->wait_for_queued_fills_done(1, absl::Seconds(10)));
  CHECK(reported(*sink) == std::vector<std::pair<ExecutionId, std::optional<Reason>>>{
                               {fresh.execution, std::nullopt}});
  CHECK(f.svc().position(buyer, kAllen).value()->qty == Qty{2'000});
  CHECK(f.svc().audit().ok());
}

TEST_CASE("fills queued during an outage do not cut the retry's backoff short",
          "[store][faults][outage]") {
  FaultFixture f(absl::Milliseconds(100));
  f.faulty->go_down();
  const int64_t loads_before = f.faulty->counts().loads;
  REQUIRE(queued(f.svc().settle(f.fill(f.buy, f.sell, Qty{1}, Price{8'000}))));
  // A fill a millisecond for 300 ms: the backoff (1 ms doubling to 100 ms)
  // allows about ten attempts, each a reload; one per fill would be 300.
  for (int i = 0; i < 300; ++i) {
    REQUIRE(queued(f.svc().settle(f.fill(f.buy, f.sell, Qty{1}, Price{8'000}))));
    absl::SleepFor(absl::Milliseconds(1));
  }
  const int64_t attempts = f.faulty->counts().loads - loads_before;
  CHECK(attempts >= 1);
  CHECK(attempts <= 40);
  f.faulty->come_back();
  REQUIRE(f.drained(301));
  CHECK(f.svc().position(f.buyer, kAllen).value()->qty == Qty{301});
}

TEST_CASE("a notice a reload delivers may call the ledger", "[store][faults]") {
  FaultFixture f;
  // The sweep's commit lands but is reported failed: its notice waits for
  // the reload the next command makes (the notifier learns of the entry from
  // it), and that notice calls a command.
  f.clock->advance(absl::Hours(24 * 8));
  std::atomic<int> called{0};
  f.sink->set_on_order_expired([&](const testing::ExpiredOrderNotice& notice) {
    CHECK(f.svc()
              .credit(f.buyer, Cents{1}, EntryKind::kAdjustment,
                      "from-notice-" + std::to_string(notice.order.value()))
              .ok());
    ++called;
  });
  f.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(f.svc().expire_due_reservations(), Reason::kStoreUnavailable));
  CHECK(called == 0);
  // This command reloads, finds both expiries durable, and the notifier
  // delivers them; each notice's own command goes through.
  REQUIRE(f.svc().credit(f.seller, Cents{1}, EntryKind::kAdjustment, "next").ok());
  CHECK(testing::eventually([&] { return called == 2; }));
  REQUIRE(f.svc().await_notices(absl::Seconds(10)));
  CHECK(called == 2);
  CHECK(f.svc().cash(f.buyer).value() == Cents{100'002});
  CHECK(f.svc().audit().ok());
}

TEST_CASE("a ledger destroyed with fills queued reports each as not applied",
          "[store][faults][outage]") {
  FaultFixture f;
  f.faulty->go_down();
  const Fill a = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  const Fill b = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  REQUIRE(queued(f.svc().settle(a)));
  REQUIRE(queued(f.svc().settle(b)));
  f.service.reset();
  CHECK(f.reported() == std::vector<std::pair<ExecutionId, std::optional<Reason>>>{
                                  {a.execution, Reason::kStoreUnavailable},
                                  {b.execution, Reason::kStoreUnavailable}});
}

TEST_CASE("a ledger the store fenced writes nothing more: every command is refused "
          "kWriterFenced, and queued fills go back to the engine",
          "[store][faults][fencing]") {
  FaultFixture f;
  // A fill meets an outage and is queued; then another ledger takes the store over (a newer
  // writer epoch), and every commit of this one is refused as fenced.
  f.faulty->fail_fill_commits();
  const Fill queued_fill = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  REQUIRE(queued(f.svc().settle(queued_fill)));
  f.faulty->refuse_commits(writer_fenced_error("this writer was fenced: its epoch 7 is no "
                                               "longer the database's, which is 8"));
  const Cents buyer_cash = f.svc().cash(f.buyer).value();
  const absl::Status first = f.svc().credit(f.buyer, Cents{100}, EntryKind::kAdjustment, "k1");
  CHECK(denied_with(first, Reason::kWriterFenced));
  CHECK(first.code() == absl::StatusCode::kAborted);
  CHECK_THAT(std::string(first.message()), Catch::Contains("epoch 7"));
  CHECK(f.svc().writer_fenced());
  CHECK_THAT(f.svc().metrics().render_prometheus(),
             Catch::Contains("account_writer_fenced 1"));

  // The queued fill is handed back, not applied: the ledger that took over applies it.
  REQUIRE(f.drained(1));
  CHECK(f.reported() == std::vector<std::pair<ExecutionId, std::optional<Reason>>>{
                                  {queued_fill.execution, Reason::kWriterFenced}});

  // From now on nothing reaches the store, however often it is asked, and a fill is refused,
  // not queued. The answers do not depend on what the store would say.
  f.faulty->come_back();
  const int64_t commits_before = f.faulty->counts().commits;
  const Fill later = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  for (int attempt = 0; attempt < 3; ++attempt) {
    CHECK(denied_with(f.svc().settle(later), Reason::kWriterFenced));
    CHECK(denied_with(f.svc().credit(f.buyer, Cents{100}, EntryKind::kAdjustment, "k1"),
                      Reason::kWriterFenced));
    CHECK(denied_with(f.svc().create_account("google-sub-new", "New"), Reason::kWriterFenced));
    CHECK(denied_with(f.svc().reserve_buy(f.order(f.buyer, kAllen, Qty{1'000}, Price{1'000})),
                      Reason::kWriterFenced));
  }
  CHECK(denied_with(f.svc().prune_journal({.before_seq = 1}), Reason::kWriterFenced));
  CHECK(f.svc().queued_fills() == 0);
  absl::SleepFor(absl::Milliseconds(50));  // Several of the retry thread's backoffs.
  CHECK(f.faulty->counts().commits == commits_before);
  CHECK(f.faulty->counts().fills_written == 0);
  // Queries answer from memory as of the fencing.
  CHECK(f.svc().cash(f.buyer).value() == buyer_cash);
  f.service.reset();
  CHECK(f.reported().size() == 1);  // Handed back once, not again at shutdown.
}

TEST_CASE("a ledger fenced by a dedupe lookup refuses the fill kWriterFenced rather than "
          "queuing it",
          "[store][faults][fencing]") {
  FaultFixture f;
  // A fill stamped before the ledger's execution window is checked against the store, the only
  // store call its settle makes: here that lookup meets the newer epoch.
  Fill old = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  old.time = f.clock->now() - LedgerLimits{}.execution_retention - absl::Hours(1);
  const int64_t written_before = f.faulty->counts().commits_written;
  f.faulty->go_down(writer_fenced_error("this writer was fenced: its epoch 3 is no longer the "
                                        "database's, which is 4"));
  CHECK(denied_with(f.svc().settle(old), Reason::kWriterFenced));
  CHECK(f.svc().writer_fenced());
  CHECK(f.svc().queued_fills() == 0);
  CHECK(f.faulty->counts().commits_written == written_before);
}

TEST_CASE("events_since stops at the ledger's head while the store holds a commit reported "
          "lost: no seq it hands out is ahead of the head",
          "[store][faults][journal]") {
  FaultFixture f;
  // Reopened, the ledger's memory keeps no entries before its head: older ones come from the
  // store.
  f.service.reset();
  f.service = AccountService::open({.store = f.faulty, .clock = f.clock, .sink = f.sink}).value();
  const uint64_t head = f.svc().journal_head();
  REQUIRE(head > 1);
  // Written, then reported lost: the store's head is past memory's until the next reload.
  f.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(f.svc().credit(f.buyer, Cents{1}, EntryKind::kAdjustment, "lost"),
                    Reason::kStoreUnavailable));
  const std::vector<JournalEntry> seen = f.svc().events_since(head - 1, 1'000).value();
  REQUIRE(seen.size() == 1);
  CHECK(seen.back().seq == head);
  CHECK(f.svc().events_since(seen.back().seq, 1'000).value().empty());
  // The next command reloads; the entry that landed follows, once.
  REQUIRE(f.svc().credit(f.buyer, Cents{2}, EntryKind::kAdjustment, "after").ok());
  const std::vector<JournalEntry> after = f.svc().events_since(head, 1'000).value();
  REQUIRE(after.size() == 2);
  CHECK(after[0].seq == head + 1);
  CHECK(after[1].seq == head + 2);
}

// A MemoryStore whose dedupe lookups wait until released.
class SlowLookupStore final : public Store {
 public:
  explicit SlowLookupStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}
  void release() { released_.count_down(); }
  bool looking_up() const { return looking_up_.load(); }

  absl::Status commit(const ChangeSet& c) override { return inner_->commit(c); }
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& r) override {
    return inner_->load(r);
  }
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId id) override {
    looking_up_ = true;
    released_.wait();
    return inner_->find_execution(id);
  }
  absl::StatusOr<std::vector<Trade>> trades(AccountId a, size_t limit) override {
    return inner_->trades(a, limit);
  }
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override {
    return inner_->journal(after_seq, limit);
  }

 private:
  std::shared_ptr<Store> inner_;
  std::latch released_{1};
  std::atomic<bool> looking_up_{false};
};

TEST_CASE("end_of_tick does not wait for a store lookup the ledger makes meanwhile",
          "[store][faults]") {
  testing::LedgerFixture f;
  auto slow = std::make_shared<SlowLookupStore>(f.store);
  f.service = AccountService::open({.store = slow, .clock = f.clock}).value();
  const AccountId buyer = f.account(100'000);
  const AccountId seller = f.account();
  f.give_shares(seller, kAllen, Qty{10'000});
  const OrderSpec buy = f.order(buyer, kAllen, Qty{10'000}, Price{10'000});
  const OrderSpec sell = f.order(seller, kAllen, Qty{10'000}, Price{5'000});
  REQUIRE(f.svc().reserve_buy(buy).ok());
  REQUIRE(f.svc().reserve_sell(sell).ok());
  REQUIRE(f.svc().settle(f.fill(buy, sell, Qty{1'000}, Price{8'000})).ok());
  // Older than the in-memory window: only the store can say it is new.
  Fill old = f.fill(buy, sell, Qty{1'000}, Price{8'000});
  old.time -= f.svc().limits().execution_retention + absl::Hours(1);
  std::thread settling([&] { CHECK(f.svc().settle(old).ok()); });
  while (!slow->looking_up()) absl::SleepFor(absl::Milliseconds(1));
  // The leader holds the state shared while it waits on the store; the
  // tick must publish meanwhile (had it waited, nothing would release it).
  auto tick = std::async(std::launch::async, [&] { return f.svc().end_of_tick(TickId{1}); });
  const bool published = tick.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  slow->release();
  settling.join();
  REQUIRE(published);
  CHECK(tick.get().ok());
  CHECK(f.svc().risk_cache().published_tick() == TickId{1});
}

TEST_CASE("a refused fill in a failed batch keeps its own reason and is not queued",
          "[store][faults]") {
  FaultFixture f;
  f.faulty->fail_next_commits(1, CommitFault::kUnavailable);
  const Fill good = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  Fill bad = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  bad.qty = Qty{0};
  const auto results = f.svc().settle_batch({good, bad});
  CHECK(queued(results[0]));
  CHECK(denied_with(results[1], Reason::kInvalidQuantity));
  REQUIRE(f.drained(1));
  CHECK(f.svc().position(f.buyer, kAllen).value()->qty == Qty{1'000});
}

}  // namespace
}  // namespace account
