// Fills the engine executed are never dropped because of the store: whatever
// the store answers while it is down (unreachable, a password or a
// permission refused, another writer, a full disk), queued fills stay queued,
// in order, and apply exactly once when it is back. While it is down, one
// background reconnect alone touches it.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/risk_cache.h"
#include "account/status.h"
#include "account/testing/counterparties.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/recording_log_sink.h"
#include "account/testing/recording_notification_sink.h"
#include "support/ledger_fixture.h"
#include "support/prometheus_text.h"

namespace account {
namespace {

using testing::denied_with;
using testing::eventually;
using testing::FaultInjectingStore;
using testing::LedgerFixture;
using testing::RecordingLogSink;
using testing::RecordingNotificationSink;

constexpr SymbolId kAllen{17};

// A ledger on a FaultInjectingStore, recording its notices and logs, with a buyer ($100,000)
// and a seller of 100 shares of kAllen, each with a 100-share order at $100 reserved (orders 1
// and 2); next_fill() is 0.01 share between them.
struct Outage {
  LedgerFixture f;
  std::shared_ptr<FaultInjectingStore> faulty = std::make_shared<FaultInjectingStore>(f.store);
  std::shared_ptr<RecordingNotificationSink> sink = std::make_shared<RecordingNotificationSink>();
  std::shared_ptr<RecordingLogSink> log = std::make_shared<RecordingLogSink>();
  std::shared_ptr<MetricsRegistry> metrics = std::make_shared<MetricsRegistry>();
  std::optional<testing::Counterparties> pair;
  AccountId buyer;

  explicit Outage(size_t queued_fills_max = 1'000'000) {
    f.service.reset();
    f.service = AccountService::open({.store = faulty,
                                      .clock = f.clock,
                                      .sink = sink,
                                      .settlement_retry = {.backoff_initial = absl::Milliseconds(5),
                                                           .backoff_max = absl::Milliseconds(50),
                                                           .queued_fills_max = queued_fills_max},
                                      .metrics = metrics,
                                      .log = log})
                    .value();
    pair = testing::Counterparties::open(svc(), {.symbol = kAllen,
                                                 .qty = Qty{1'000'000},
                                                 .buy_limit = Price{10'000},
                                                 .sell_limit = Price{10'000},
                                                 .buyer_cash = Cents{10'000'000}})
               .value();
    buyer = pair->buyer();
    f.orders = testing::OrderBuilder(OrderId{3});  // Later orders come after the pair's.
  }
  AccountService& svc() { return f.svc(); }
  Fill next_fill() { return pair->fill(); }
  double metric(std::string_view name, const std::map<std::string, std::string>& labels = {}) {
    const testing::PrometheusText text =
        testing::parse_prometheus_text(metrics->render_prometheus());
    REQUIRE(text.error.empty());
    const std::optional<double> v = text.value(name, labels);
    INFO(name);
    REQUIRE(v.has_value());
    return *v;
  }
  // Takes the store down with `error` for every call.
  void down(absl::Status error) { faulty->go_down(std::move(error)); }
};

struct StoreRefusal {
  const char* kind;  // account_store_errors_total's label.
  absl::Status error;
};

TEST_CASE("queued fills survive every kind of store refusal and apply once, in order",
          "[retry-safety][outage]") {
  const StoreRefusal refusal = GENERATE(
      StoreRefusal{"unavailable", absl::UnavailableError("connection refused")},
      StoreRefusal{"unauthenticated",
                   absl::UnauthenticatedError("password authentication failed for user ledger")},
      StoreRefusal{"permission_denied",
                   absl::PermissionDeniedError("permission denied for table accounts")},
      StoreRefusal{"failed_precondition",
                   absl::FailedPreconditionError("database already has a writer")},
      StoreRefusal{"resource_exhausted",
                   absl::ResourceExhaustedError("could not extend file: No space left")},
      StoreRefusal{"internal", absl::InternalError("unexpected server error")});
  INFO(refusal.kind);
  Outage o;
  o.down(refusal.error);
  std::vector<Fill> fills;
  for (int i = 0; i < 50; ++i) {
    fills.push_back(o.next_fill());
    const absl::StatusOr<SettlementReceipt> got = o.svc().settle(fills.back());
    REQUIRE(got.ok());
    CHECK(got->outcome == SettlementOutcome::kQueued);
  }
  CHECK(o.svc().queued_fills() == 50);
  // The retry thread's first try reloads, fails, and marks the store down.
  REQUIRE(eventually([&] { return !o.svc().store_up(); }));
  CHECK(o.metric("account_store_up") == 0);
  CHECK(o.metric("account_fills_queued") == 50);
  // Let the retry thread fail for a while: nothing may complete meanwhile.
  REQUIRE(o.log->wait_for_event("store_retry_failed", 3, absl::Seconds(10)));
  CHECK(o.sink->queued_fill_done_count() == 0);
  CHECK(o.svc().queued_fills() == 50);
  CHECK(o.metric("account_store_errors_total", {{"kind", refusal.kind}}) >= 3);
  const std::vector<testing::LoggedRecord> lines = o.log->with_event("store_retry_failed");
  CHECK(lines.front().level == LogLevel::kError);
  CHECK(lines.back().message.find(std::string(refusal.error.message())) != std::string::npos);

  o.faulty->come_back();
  REQUIRE(o.sink->wait_for_queued_fills_done(fills.size(), absl::Seconds(10)));
  const auto done = o.sink->queued_fills_done();
  for (size_t i = 0; i < fills.size(); ++i) {
    CHECK(done[i].fill == fills[i]);  // In the order handed in.
    CHECK(done[i].result.ok());
  }
  CHECK(o.svc().store_up());
  CHECK(o.metric("account_store_up") == 1);
  CHECK(o.svc().position(o.buyer, kAllen).value()->qty == Qty{50 * 100});
  for (const Fill& fill : fills) {
    CHECK(denied_with(o.svc().settle(fill), Reason::kDuplicateExecution));
  }
  CHECK(o.svc().audit().ok());
}

TEST_CASE("a queued fill refused on its own merits completes with its reason, the rest apply",
          "[retry-safety][outage]") {
  Outage o;
  o.down(absl::UnauthenticatedError("password authentication failed"));
  const Fill first = o.next_fill();
  Fill too_big = o.next_fill();
  too_big.qty = Qty{2'000'000};  // More than the order's 1,000,000 bp.
  const Fill last = o.next_fill();
  for (const Fill& fill : {first, too_big, last}) REQUIRE(o.svc().settle(fill).ok());
  o.faulty->come_back();
  REQUIRE(o.sink->wait_for_queued_fills_done(3, absl::Seconds(10)));
  const auto done = o.sink->queued_fills_done();
  CHECK(done[0].result.ok());
  CHECK(denied_with(done[1].result, Reason::kFillExceedsReservation));
  CHECK(done[2].result.ok());
  CHECK(o.svc().position(o.buyer, kAllen).value()->qty == Qty{200});
}

TEST_CASE("past queued_fills_max, settle refuses unacknowledged and keeps the order",
          "[retry-safety][outage]") {
  Outage o(/*queued_fills_max=*/3);
  o.down(absl::UnavailableError("connection refused"));
  std::vector<Fill> fills;
  for (int i = 0; i < 5; ++i) fills.push_back(o.next_fill());
  REQUIRE(o.svc().settle(fills[0]).value().outcome == SettlementOutcome::kQueued);
  // A batch that passes the bound: a prefix queues, the rest is refused.
  const auto batch = o.svc().settle_batch(absl::MakeConstSpan(fills).subspan(1));
  REQUIRE(batch.size() == 4);
  CHECK(batch[0].value().outcome == SettlementOutcome::kQueued);
  CHECK(batch[1].value().outcome == SettlementOutcome::kQueued);
  CHECK(denied_with(batch[2], Reason::kStoreUnavailable));
  CHECK(denied_with(batch[3], Reason::kStoreUnavailable));
  CHECK(batch[2].status().message().find("queued_fills_max") != std::string_view::npos);
  CHECK(o.svc().queued_fills() == 3);

  o.faulty->come_back();
  REQUIRE(eventually(
      [&] { return o.sink->queued_fill_done_count() == 3 && o.svc().queued_fills() == 0; }));
  // The engine delivers the refused ones again, in order.
  CHECK(o.svc().settle(fills[3]).value().outcome == SettlementOutcome::kApplied);
  CHECK(o.svc().settle(fills[4]).value().outcome == SettlementOutcome::kApplied);
  CHECK(o.svc().position(o.buyer, kAllen).value()->qty == Qty{500});
}

TEST_CASE("while the store is down, refused commands do not touch it: one reconnect at a time",
          "[retry-safety][outage]") {
  Outage o;
  o.down(absl::UnavailableError("connection refused"));
  // The command that meets the outage: its commit fails, the next reload fails.
  CHECK(denied_with(o.svc().credit(o.buyer, Cents{1}, EntryKind::kAdjustment, "a"),
                    Reason::kStoreUnavailable));
  CHECK(denied_with(o.svc().credit(o.buyer, Cents{1}, EntryKind::kAdjustment, "a"),
                    Reason::kStoreUnavailable));
  REQUIRE_FALSE(o.svc().store_up());
  const int64_t calls_at_down = o.faulty->counts().calls;
  const auto start = std::chrono::steady_clock::now();
  int refused = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500)) {
    const OrderSpec order = o.f.order(o.buyer, kAllen, Qty{1}, Price{10'000});
    const absl::StatusOr<ReservationId> got = o.svc().reserve_buy(order);
    REQUIRE(denied_with(got, Reason::kStoreUnavailable));
    // Refused at once, but for a command that joined the reconnect's group.
    if (got.status().message().find("down since") != std::string_view::npos) ++refused;
  }
  // Backoff 5 ms doubling to 50 ms, waits of at least half of each: at most
  // 2.5 + 5 + 10 + 20 + 25 * n ms for n + 4 tries, so under 25 in 500 ms.
  const int64_t calls = o.faulty->counts().calls - calls_at_down;
  INFO(refused << " commands refused, " << calls << " store calls");
  CHECK(refused > 1'000);
  CHECK(calls <= 25);
  CHECK(calls >= 3);  // The reconnect kept trying.
  o.faulty->come_back();
  REQUIRE(eventually([&] { return o.svc().store_up(); }));
  CHECK(o.svc().credit(o.buyer, Cents{1}, EntryKind::kAdjustment, "a").ok());
}

TEST_CASE("a store that loads but refuses every commit is tried once per backoff step",
          "[retry-safety][outage]") {
  Outage o;
  o.faulty->refuse_commits(absl::ResourceExhaustedError("could not extend file: disk full"));
  const int64_t calls_before = o.faulty->counts().calls;
  const Fill fill = o.next_fill();
  REQUIRE(o.svc().settle(fill).value().outcome == SettlementOutcome::kQueued);
  const auto start = std::chrono::steady_clock::now();
  int refused = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500)) {
    const OrderSpec order = o.f.order(o.buyer, kAllen, Qty{1}, Price{10'000});
    const std::optional<Reason> reason = reason_of(o.svc().reserve_buy(order));
    REQUIRE((reason == Reason::kStoreUnavailable || reason == Reason::kStoreFailure));
    ++refused;
  }
  // Each backoff step costs the probe's reload and at most one command's
  // commit and the fills' retry; a reload per refused command would be
  // thousands.
  const int64_t calls = o.faulty->counts().calls - calls_before;
  INFO(refused << " commands refused, " << calls << " store calls");
  CHECK(refused > 1'000);
  CHECK(calls <= 60);
  CHECK(o.metric("account_store_errors_total", {{"kind", "resource_exhausted"}}) >= 2);
  CHECK(o.sink->queued_fill_done_count() == 0);
  o.faulty->come_back();
  REQUIRE(o.sink->wait_for_queued_fills_done(1, absl::Seconds(10)));
  CHECK(o.sink->queued_fills_done().front().result.ok());
  CHECK(o.svc().position(o.buyer, kAllen).value()->qty == Qty{100});
}

TEST_CASE("expiry runs at the first tick at or after a reservation's due time",
          "[retry-safety][expiry]") {
  LedgerFixture f;
  auto sink = std::make_shared<RecordingNotificationSink>();
  f.service.reset();
  f.service = AccountService::open({.store = f.store, .clock = f.clock, .sink = sink}).value();
  const AccountId a = f.account(100'000);
  OrderSpec order = f.order(a, kAllen, Qty{10'000}, Price{40'000});
  order.expires_at = f.clock->now() + absl::Minutes(10);
  const ReservationId id = f.svc().reserve_buy(order).value();
  RiskReader engine = f.svc().risk_cache().register_reader().value();

  REQUIRE(f.svc().end_of_tick(TickId{1}).ok());
  CHECK(engine.check_buy(a, kAllen, Qty{10'000}, Cents{60'001}) ==
        RiskVerdict::kInsufficientFunds);
  const uint64_t commits = f.store->commits();
  f.clock->advance(absl::Minutes(10) - absl::Nanoseconds(1));
  REQUIRE(f.svc().end_of_tick(TickId{2}).ok());  // Not due yet: no commit.
  CHECK(f.store->commits() == commits);
  CHECK(f.svc().reservation(id).value().active());

  f.clock->advance(absl::Nanoseconds(1));  // Due now, exactly.
  REQUIRE(f.svc().end_of_tick(TickId{3}).ok());
  CHECK(f.svc().reservation(id).value().status == ReservationStatus::kExpired);
  CHECK(f.store->commits() == commits + 1);
  REQUIRE(f.svc().await_notices(absl::Seconds(10)));
  CHECK(sink->expired_orders() == std::vector<testing::ExpiredOrderNotice>{
                                      {f.svc().journal_head(), a, order.order, id}});
  // The tick that expired it published what it freed.
  CHECK(engine.check_buy(a, kAllen, Qty{10'000}, Cents{100'000}) == RiskVerdict::kAccept);
  REQUIRE(f.svc().end_of_tick(TickId{4}).ok());
  CHECK(f.store->commits() == commits + 1);
}

}  // namespace
}  // namespace account
