// A store outage with callers on several threads: the settlement thread
// keeps handing in fills (they queue), the gateway's reservations are
// refused, queries and tick publishes go on, and when the store is back
// every fill applies exactly once, in order. Runs under ThreadSanitizer.
#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/risk_cache.h"
#include "account/status.h"
#include "account/testing/counterparties.h"
#include "account/testing/fault_injecting_store.h"

namespace account {
namespace {

constexpr SymbolId kSymbol{1};
constexpr int kFills = 200;

TEST_CASE("fills handed in during an outage apply once and in order when the store is back",
          "[concurrency][outage]") {
  auto faulty = std::make_shared<testing::FaultInjectingStore>(std::make_shared<MemoryStore>());
  auto service = AccountService::open({.store = faulty,
                                       .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                                                            .backoff_max = absl::Milliseconds(8)}})
                     .value();
  testing::Counterparties pair =
      testing::Counterparties::open(*service, {.symbol = kSymbol,
                                               .qty = Qty{kFills * 100},
                                               .buy_limit = Price{1'000},
                                               .sell_limit = Price{1'000},
                                               .buyer_cash = Cents{10'000'000},
                                               .first_execution = ExecutionId{1'000},
                                               .fill_qty = Qty{100}})
          .value();
  const AccountId buyer = pair.buyer();
  const AccountId seller = pair.seller();
  const OrderSpec& buy = pair.buy();

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> refused_commands{0};
  std::thread gateway([&] {
    for (uint64_t order = 100; !stop.load(); ++order) {
      const auto r = service->reserve_buy({.account = buyer, .order = OrderId{order},
                                           .symbol = kSymbol, .qty = Qty{1}, .limit = Price{100}});
      if (reason_of(r) == Reason::kStoreUnavailable) ++refused_commands;  // The gateway's.
      // A reservation that was taken must be cancellable once the store is up.
      for (int attempt = 0; r.ok(); ++attempt) {
        const absl::Status cancelled = service->cancel_order(OrderId{order});
        if (cancelled.ok()) break;
        if (reason_of(cancelled) != Reason::kStoreUnavailable || attempt == 10'000) {
          ++failures;
          break;
        }
        ++refused_commands;
        absl::SleepFor(absl::Milliseconds(1));
      }
      if (service->available_cash(buyer).value().value() < 0) ++failures;
    }
  });
  std::thread ticker([&] {
    RiskReader engine = service->risk_cache().register_reader().value();
    for (uint64_t tick = 1; !stop.load(); ++tick) {
      if (!service->end_of_tick(TickId{tick}).ok()) ++failures;
      if (engine.available_cash(buyer).value_or(Cents{0}).value() < 0) ++failures;
    }
  });

  faulty->go_down();
  int queued = 0;
  for (int i = 0; i < kFills; ++i) {
    if (i == kFills / 2) {
      // Keep the store down until the gateway has met the outage too.
      for (int wait = 0; wait < 5'000 && refused_commands.load() == 0; ++wait) {
        absl::SleepFor(absl::Milliseconds(1));
      }
      faulty->come_back();
    }
    const auto result = service->settle(pair.fill());  // Executions 1000, 1001, ...
    if (!result.ok()) ++failures;
    if (result.ok() && result->outcome == SettlementOutcome::kQueued) ++queued;
  }
  for (int i = 0; i < 10'000 && service->queued_fills() > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  stop = true;
  gateway.join();
  ticker.join();

  CHECK(failures.load() == 0);
  CHECK(queued >= kFills / 2);  // Every fill of the outage half queued.
  CHECK(refused_commands.load() > 0);
  CHECK(service->queued_fills() == 0);
  CHECK(service->cash(seller).value() == Cents{kFills * 10});
  CHECK(service->reservation_for_order(buy.order).value().status == ReservationStatus::kSettled);
  const AuditReport audit = service->audit();
  for (const std::string& v : audit.violations) UNSCOPED_INFO(v);
  CHECK(audit.ok());
}

}  // namespace
}  // namespace account
