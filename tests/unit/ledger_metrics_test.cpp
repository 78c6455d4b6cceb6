// What AccountService reports to operators: the design document's counters,
// denials by reason, latency histograms and gauges (scraped and parsed as
// Prometheus text), and log records for store failures, queued fills and
// execution conflicts (account/testing/recording_log_sink.h).
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/status.h"
#include "account/testing/counterparties.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/recording_log_sink.h"
#include "support/ledger_fixture.h"
#include "support/prometheus_text.h"

namespace account {
namespace {

using testing::CommitFault;
using testing::Counterparties;
using testing::FaultInjectingStore;
using testing::LoggedRecord;
using testing::RecordingLogSink;
using testing::parse_prometheus_text;
using testing::PrometheusText;

constexpr SymbolId kSymbol{5};

struct World {
  std::shared_ptr<FaultInjectingStore> store =
      std::make_shared<FaultInjectingStore>(std::make_shared<MemoryStore>());
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(testing::test_epoch());
  std::shared_ptr<MetricsRegistry> metrics = std::make_shared<MetricsRegistry>();
  std::shared_ptr<RecordingLogSink> log = std::make_shared<RecordingLogSink>();
  std::unique_ptr<AccountService> service;

  World() {
    service = AccountService::open({.store = store,
                                    .clock = clock,
                                    .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                                                         .backoff_max = absl::Milliseconds(5)},
                                    .metrics = metrics,
                                    .log = log})
                  .value();
  }
  PrometheusText scrape() const {
    const std::string text = metrics->render_prometheus();
    PrometheusText parsed = parse_prometheus_text(text);
    INFO(text);
    REQUIRE(parsed.error == "");
    return parsed;
  }
  // A funded buyer ($100) and a seller with one share, each with a whole-share order on
  // kSymbol (buy at $50, sell at $40) reserved; its fills are numbered from `first_execution`.
  Counterparties two_sides(uint64_t buy_order, uint64_t sell_order, uint64_t first_execution) {
    return Counterparties::open(*service, {.name = "g",
                                           .symbol = kSymbol,
                                           .qty = Qty{10'000},
                                           .buy_limit = Price{50'00},
                                           .sell_limit = Price{40'00},
                                           .buyer_cash = Cents{100'00},
                                           .buy_order = OrderId{buy_order},
                                           .sell_order = OrderId{sell_order},
                                           .first_execution = ExecutionId{first_execution}})
        .value();
  }

  double value(std::string_view name, const std::map<std::string, std::string>& labels = {}) {
    const std::optional<double> v = scrape().value(name, labels);
    INFO(name);
    REQUIRE(v.has_value());
    return *v;
  }
};

TEST_CASE("the ledger counts reservations, fills, balance checks and denials", "[metrics]") {
  World w;
  AccountService& s = *w.service;
  Counterparties t = w.two_sides(1, 2, 77);
  const AccountId buyer = t.buyer();
  const OrderSpec too_big{.account = buyer, .order = OrderId{3}, .symbol = kSymbol,
                          .qty = Qty{100'000}, .limit = Price{50'00}};
  const OrderSpec later{.account = buyer, .order = OrderId{4}, .symbol = kSymbol,
                        .qty = Qty{1'000}, .limit = Price{10'00}};
  const OrderSpec cancelled{.account = buyer, .order = OrderId{5}, .symbol = kSymbol,
                            .qty = Qty{1'000}, .limit = Price{10'00}};
  REQUIRE(reason_of(s.reserve_buy(too_big)) == Reason::kInsufficientFunds);
  REQUIRE(s.reserve_buy(later).ok());
  REQUIRE(s.reserve_buy(cancelled).ok());
  REQUIRE(s.cancel_order(cancelled.order).ok());
  REQUIRE(s.available_cash(buyer).ok());

  const Fill fill = t.fill(Qty{10'000}, Price{45'00});
  REQUIRE(s.settle(fill).ok());
  REQUIRE(reason_of(s.settle(fill)) == Reason::kDuplicateExecution);

  w.clock->advance(absl::Hours(24 * 8));
  REQUIRE(s.expire_due_reservations().value() == 1);

  CHECK(w.value("reservation_created_total") == 4);
  CHECK(w.value("reservation_settled_total") == 2);  // both orders fully filled
  CHECK(w.value("reservation_released_total") == 1);
  CHECK(w.value("reservation_expired_total") == 1);
  CHECK(w.value("trade_settled_total") == 1);
  CHECK(w.value("account_balance_checks_total") == 6);  // 5 admissions + 1 query
  CHECK(w.value("account_denials_total", {{"reason", "InsufficientFunds"}}) == 1);
  CHECK(w.value("account_denials_total", {{"reason", "DuplicateExecution"}}) == 1);
  CHECK(w.value("account_denials_total", {{"reason", "StoreUnavailable"}}) == 0);
  CHECK(w.value("account_store_errors_total", {{"kind", "unavailable"}}) == 0);
  CHECK(w.value("account_store_up") == 1);
  CHECK(w.value("account_settlement_seconds_count") == 2);
  CHECK(w.value("account_store_commit_seconds_count") >= 10);
  CHECK(w.value("account_fills_queued") == 0);
  CHECK(w.log->with_event("reservations_expired").size() == 1);
}

TEST_CASE("a failed store commit is counted and logged without secrets", "[metrics][log]") {
  World w;
  w.store->fail_next_commits(1, CommitFault::kUnavailable);
  CHECK(reason_of(w.service->create_account("g-1", "One")) == Reason::kStoreUnavailable);
  CHECK(w.value("account_store_errors_total", {{"kind", "unavailable"}}) == 1);
  CHECK(w.value("account_store_errors_total", {{"kind", "unauthenticated"}}) == 0);
  CHECK(w.value("account_denials_total", {{"reason", "StoreUnavailable"}}) == 1);
  const std::vector<LoggedRecord> failures = w.log->with_event("store_commit_failed");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].level == LogLevel::kError);
  CHECK(failures[0].text("status_code") == "UNAVAILABLE");
  CHECK(failures[0].message == "connection refused");
}

TEST_CASE("fills queued during an outage are counted, logged and shown as a gauge",
          "[metrics][log]") {
  World w;
  AccountService& s = *w.service;
  Counterparties t = w.two_sides(1, 2, 9);

  w.store->go_down();
  const auto receipt = s.settle(t.fill(Qty{5'000}, Price{45'00}));
  REQUIRE(receipt.ok());
  CHECK(receipt->outcome == SettlementOutcome::kQueued);
  CHECK(w.value("account_fills_queued_total") == 1);
  CHECK(w.value("account_fills_queued") == 1);
  CHECK(w.value("trade_settled_total") == 0);
  CHECK(w.value("account_denials_total", {{"reason", "StoreUnavailable"}}) == 0);
  const std::vector<LoggedRecord> queued = w.log->with_event("fills_queued");
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].level == LogLevel::kWarning);
  CHECK(queued[0].text("count") == "1");

  w.store->come_back();
  // The retry thread counts a fill just after it leaves the queue: wait for both.
  const auto drained = [&] {
    return s.queued_fills() == 0 && w.value("trade_settled_total") >= 1;
  };
  for (int i = 0; i < 2'000 && !drained(); ++i) absl::SleepFor(absl::Milliseconds(1));
  REQUIRE(s.queued_fills() == 0);
  CHECK(w.value("trade_settled_total") == 1);
  CHECK(w.value("account_fills_queued") == 0);
}

TEST_CASE("an execution re-sent with other fields is logged as an error with its ids",
          "[metrics][log]") {
  World w;
  AccountService& s = *w.service;
  Counterparties t = w.two_sides(11, 12, 4242);
  Fill fill = t.fill(Qty{5'000}, Price{45'00});
  REQUIRE(s.settle(fill).ok());
  fill.price = Price{46'00};
  REQUIRE(reason_of(s.settle(fill)) == Reason::kExecutionConflict);

  const std::vector<LoggedRecord> conflicts = w.log->with_event("execution_conflict");
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0].level == LogLevel::kError);
  CHECK(conflicts[0].text("execution_id") == "4242");
  CHECK(conflicts[0].text("buyer_order_id") == "11");
  CHECK(conflicts[0].text("seller_account_id") == std::to_string(t.seller().value()));
  CHECK(w.value("account_denials_total", {{"reason", "ExecutionConflict"}}) == 1);
}

TEST_CASE("a registry shared with a closed service no longer reads it", "[metrics]") {
  auto metrics = std::make_shared<MetricsRegistry>();
  {
    auto service =
        AccountService::open({.store = std::make_shared<MemoryStore>(), .metrics = metrics}).value();
    CHECK(parse_prometheus_text(metrics->render_prometheus()).value("account_fills_queued") ==
          0.0);
  }
  const PrometheusText after = parse_prometheus_text(metrics->render_prometheus());
  CHECK(after.error == "");
  CHECK_FALSE(after.value("account_fills_queued").has_value());
  CHECK(after.value("trade_settled_total") == 0.0);
}

}  // namespace
}  // namespace account
