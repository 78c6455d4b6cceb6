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
#include "support/faulty_store.h"

namespace account {
namespace {

constexpr SymbolId kSymbol{1};
constexpr int kFills = 200;

TEST_CASE("fills handed in during an outage apply once and in order when the store is back",
          "[concurrency][outage]") {
  auto faulty = std::make_shared<testing::FaultyStore>(std::make_shared<MemoryStore>());
  auto service = AccountService::open({.store = faulty,
                                       .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                                                            .backoff_max = absl::Milliseconds(8)}})
                     .value();
  const AccountId buyer = service->create_account("buyer", "").value();
  const AccountId seller = service->create_account("seller", "").value();
  REQUIRE(service->credit(buyer, Cents{10'000'000}, EntryKind::kFantasyCredit, "c").ok());
  REQUIRE(service->issue_shares(seller, kSymbol, Qty{kFills * 100}, "i").ok());
  const OrderSpec buy{.account = buyer, .order = OrderId{1}, .symbol = kSymbol,
                      .qty = Qty{kFills * 100}, .limit = Price{1'000}};
  const OrderSpec sell{.account = seller, .order = OrderId{2}, .symbol = kSymbol,
                       .qty = Qty{kFills * 100}, .limit = Price{1'000}};
  REQUIRE(service->reserve_buy(buy).ok());
  REQUIRE(service->reserve_sell(sell).ok());

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

  faulty->inject(testing::FaultyStore::Fault::kDown);
  int queued = 0;
  for (int i = 0; i < kFills; ++i) {
    if (i == kFills / 2) {
      // Keep the store down until the gateway has met the outage too.
      for (int wait = 0; wait < 5'000 && refused_commands.load() == 0; ++wait) {
        absl::SleepFor(absl::Milliseconds(1));
      }
      faulty->inject(testing::FaultyStore::Fault::kNone);
    }
    const Fill fill{.execution = ExecutionId{static_cast<uint64_t>(1'000 + i)}, .symbol = kSymbol,
                    .qty = Qty{100}, .price = Price{1'000}, .buyer = {buyer, buy.order},
                    .seller = {seller, sell.order}, .tick = TickId{1}, .time = service->now()};
    const auto result = service->settle(fill);
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
