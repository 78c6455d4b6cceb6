// Commit faults and outages: nothing is applied or acknowledged before the
// store commits; an ambiguous commit is resolved by reloading from the
// store, so a retry finds the fill applied instead of applying it twice;
// fills met by an outage queue in order and apply once the store is back.
#include <mutex>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "support/faulty_store.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::FaultyStore;

constexpr SymbolId kAllen{1};

// Records what the retry thread reports about queued fills.
struct QueueSink final : NotificationSink {
  std::mutex mu;
  std::vector<std::pair<ExecutionId, std::optional<Reason>>> done;  // Guarded by mu.
  void on_order_expired(AccountId, OrderId, ReservationId) override {}
  void on_queued_fill_done(const Fill& fill, const absl::Status& result) override {
    std::lock_guard lock(mu);
    done.emplace_back(fill.execution, reason_of(result));
  }
  std::vector<std::pair<ExecutionId, std::optional<Reason>>> reported() {
    std::lock_guard lock(mu);
    return done;
  }
};

struct FaultFixture : testing::LedgerFixture {
  std::shared_ptr<FaultyStore> faulty = std::make_shared<FaultyStore>(store);
  std::shared_ptr<QueueSink> sink = std::make_shared<QueueSink>();
  AccountId buyer, seller;
  OrderSpec buy, sell;
  FaultFixture() {
    service = AccountService::open({.store = faulty, .clock = clock, .sink = sink,
                                    .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                                                         .backoff_max = absl::Milliseconds(20)}})
                  .value();
    buyer = account(100'000);
    seller = account();
    give_shares(seller, kAllen, Qty{10'000});
    buy = order(buyer, kAllen, Qty{10'000}, Price{10'000});
    sell = order(seller, kAllen, Qty{10'000}, Price{5'000});
    REQUIRE(svc().reserve_buy(buy).ok());
    REQUIRE(svc().reserve_sell(sell).ok());
  }
  // Waits (at most 10 s) until the retry thread has emptied the queue and
  // reported `reports` fills to the sink: it reports each fill after the fill
  // has left the queue, so an empty queue alone does not mean reported.
  bool drained(size_t reports) {
    const auto done = [&] {
      return svc().queued_fills() == 0 && sink->reported().size() >= reports;
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
  f.faulty->inject(FaultyStore::Fault::kFailBeforeCommit);
  const auto result = f.svc().settle(fill);
  REQUIRE(queued(result));
  REQUIRE(f.drained(1));
  CHECK(f.sink->reported() == std::vector<std::pair<ExecutionId, std::optional<Reason>>>{
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
  f.faulty->inject(FaultyStore::Fault::kFailAfterCommit);
  REQUIRE(queued(f.svc().settle(fill)));
  REQUIRE(f.drained(1));
  // The store had committed it: the retry reloads, finds it, and says so.
  CHECK(f.sink->reported() == std::vector<std::pair<ExecutionId, std::optional<Reason>>>{
                                  {fill.execution, Reason::kDuplicateExecution}});
  CHECK(denied_with(f.svc().settle(fill), Reason::kDuplicateExecution));
  CHECK(f.svc().cash(f.seller).value() == Cents{4'000});
  CHECK(f.svc().position(f.buyer, kAllen).value()->qty == Qty{5'000});
  CHECK(f.svc().audit().ok());
}

TEST_CASE("during an outage reservations are refused, fills queue in order, queries answer",
          "[store][faults][outage]") {
  FaultFixture f;
  f.faulty->inject(FaultyStore::Fault::kDown);
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

  f.faulty->inject(FaultyStore::Fault::kNone);
  REQUIRE(f.drained(3));
  const auto reported = f.sink->reported();
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

TEST_CASE("a refused fill in a failed batch keeps its own reason and is not queued",
          "[store][faults]") {
  FaultFixture f;
  f.faulty->inject(FaultyStore::Fault::kFailBeforeCommit);
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
