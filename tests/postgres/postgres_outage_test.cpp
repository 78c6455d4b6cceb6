// A real outage: the PostgreSQL server is stopped with `pg_ctl stop -m
// immediate` in the middle of a workload and started again. Fills handed in
// meanwhile queue and apply exactly once, in order, when it is back, each
// reported to the NotificationSink; every reservation tried meanwhile is
// refused with StoreUnavailable; queries keep answering; the audit passes,
// and a restarted ledger finds every fill.
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/status.h"
#include "account/testing/counterparties.h"
#include "account/testing/recording_notification_sink.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::open_store;
using testing::pg_server;

constexpr SymbolId kSymbol{9};
constexpr int kFills = 90;

TEST_CASE("PostgreSQL stopped mid-workload: fills queue and apply once when it is back",
          "[postgres][outage]") {
  const std::string url = testing::fresh_database_url();
  auto clock = std::make_shared<ManualClock>(absl::FromUnixSeconds(1'790'000'000));
  auto sink = std::make_shared<testing::RecordingNotificationSink>();
  AccountServiceOptions options{
      .store = open_store(url),
      .clock = clock,
      .sink = sink,
      .settlement_retry = {.backoff_initial = absl::Milliseconds(5),
                           .backoff_max = absl::Milliseconds(100)}};
  auto service = AccountService::open(options).value();
  // 0.1 share at $45.00 (450 cents) each, the last third at $40.00.
  testing::Counterparties pair =
      testing::Counterparties::open(*service, {.symbol = kSymbol,
                                               .qty = Qty{kFills * 1'000},
                                               .buy_limit = Price{5'000},
                                               .sell_limit = Price{4'000},
                                               .buyer_cash = Cents{1'000'000},
                                               .first_execution = ExecutionId{uint64_t{7} << 40}})
          .value();
  const AccountId buyer = pair.buyer();
  const AccountId seller = pair.seller();
  const OrderSpec& buy = pair.buy();

  std::vector<Fill> fills;
  std::vector<Fill> queued_fills;
  int queued = 0;
  int refused = 0;
  for (int i = 0; i < kFills; ++i) {
    if (i == kFills / 3) REQUIRE(pg_server().stop().ok());
    if (i == 2 * kFills / 3) REQUIRE(pg_server().start().ok());
    clock->advance(absl::Seconds(1));
    fills.push_back(pair.fill(Qty{1'000}, Price{i < 2 * kFills / 3 ? 4'500 : 4'000}));
    const auto settled = service->settle(fills.back());
    REQUIRE(settled.ok());
    if (settled->outcome == SettlementOutcome::kQueued) {
      ++queued;
      queued_fills.push_back(fills.back());
    }
    if (i >= kFills / 3 && i < 2 * kFills / 3) {
      // The gateway during the outage: refused, with the reason to retry.
      const auto r = service->reserve_buy({.account = buyer, .order = OrderId{100 + static_cast<uint64_t>(i)},
                                           .symbol = kSymbol, .qty = Qty{1}, .limit = Price{100}});
      CHECK(reason_of(r) == Reason::kStoreUnavailable);
      if (!r.ok()) ++refused;
      // Queries answer from memory.
      CHECK(service->cash(buyer).ok());
    }
  }
  for (int i = 0; i < 30'000 && service->queued_fills() > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  REQUIRE(service->queued_fills() == 0);
  CHECK(queued >= kFills / 3);
  // Each queued fill was reported, in the order handed in, as applied (or as applied already,
  // when the server stopped after its commit but before the answer).
  REQUIRE(sink->wait_for_queued_fills_done(queued_fills.size(), absl::Seconds(30)));
  const std::vector<testing::QueuedFillNotice> reported = sink->queued_fills_done();
  REQUIRE(reported.size() == queued_fills.size());
  for (size_t i = 0; i < reported.size(); ++i) {
    CHECK(reported[i].fill == queued_fills[i]);
    CHECK((reported[i].result.ok() ||
           reason_of(reported[i].result) == Reason::kDuplicateExecution));
  }
  CHECK(refused == kFills / 3);

  const int64_t at_45 = 2 * kFills / 3;
  const int64_t at_40 = kFills - at_45;
  const Cents proceeds{at_45 * 450 + at_40 * 400};
  CHECK(service->cash(seller).value() == proceeds);
  CHECK(service->cash(buyer).value() == Cents{1'000'000} - proceeds);
  CHECK(service->position(buyer, kSymbol).value()->qty == Qty{kFills * 1'000});
  CHECK(service->reservation_for_order(buy.order).value().status == ReservationStatus::kSettled);
  const AuditReport audit = service->audit();
  for (const std::string& v : audit.violations) UNSCOPED_INFO(v);
  CHECK(audit.ok());

  // A restart finds exactly the same ledger, and every fill already applied.
  const LedgerSnapshot before = service->snapshot();
  service.reset();
  options.store.reset();  // The old store lets go of the writer lock.
  options.store = open_store(url);
  auto restarted = AccountService::open(options).value();
  CHECK(restarted->snapshot() == before);
  for (const Fill& fill : fills) {
    CHECK(reason_of(restarted->settle(fill)) == Reason::kDuplicateExecution);
  }
}

}  // namespace
}  // namespace account
