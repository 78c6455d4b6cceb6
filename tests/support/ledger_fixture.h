// Test helpers: an AccountService on a MemoryStore with a manual clock, and
// short ways to fund accounts, place orders and build fills.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/status.h"

namespace account::testing {

// 2026-09-10T00:00:00Z, a Thursday of week 1 of the 2026 NFL season.
inline absl::Time test_epoch() { return absl::FromUnixSeconds(1'789'000'000); }

inline std::string status_text(const absl::Status& s) { return s.ToString(); }
template <typename T>
std::string status_text(const absl::StatusOr<T>& s) {
  return s.status().ToString();
}

// True when `status` is a denial with `reason`; prints the status otherwise.
template <typename S>
bool denied_with(const S& status, Reason reason) {
  const std::optional<Reason> got = reason_of(status);
  if (got == reason) return true;
  UNSCOPED_INFO("expected " << reason_name(reason) << ", got "
                            << (got ? std::string(reason_name(*got)) : std::string("no reason"))
                            << ": " << status_text(status));
  return false;
}

// Polls `done` every millisecond until it holds or `timeout` (real time)
// passes; returns whether it held. For what background threads finish (the
// store's reconnect, queued fills).
inline bool eventually(const std::function<bool()>& done,
                       absl::Duration timeout = absl::Seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

struct LedgerFixture {
  std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(test_epoch());
  LedgerLimits limits;
  std::unique_ptr<AccountService> service;
  uint64_t next_key = 1;
  uint64_t next_order = 1;
  uint64_t next_execution = 1;

  explicit LedgerFixture(LedgerLimits l = {}) : limits(l) { reopen(); }

  AccountServiceOptions options() {
    return AccountServiceOptions{.store = store, .clock = clock, .limits = limits};
  }
  void reopen() {
    service.reset();
    service = AccountService::open(options()).value();
  }

  AccountService& svc() { return *service; }

  AccountId account(int64_t cash_cents = 0) {
    const std::string google = "google-sub-" + std::to_string(next_key++);
    AccountId id = service->create_account(google, "User " + google).value();
    if (cash_cents > 0) fund(id, Cents{cash_cents});
    return id;
  }
  void fund(AccountId id, Cents amount) {
    REQUIRE(service->credit(id, amount, EntryKind::kFantasyCredit,
                            "credit-" + std::to_string(next_key++))
                .ok());
  }
  void give_shares(AccountId id, SymbolId symbol, Qty qty) {
    REQUIRE(service->issue_shares(id, symbol, qty, "issue-" + std::to_string(next_key++)).ok());
  }
  OrderSpec order(AccountId id, SymbolId symbol, Qty qty, Price limit) {
    return OrderSpec{.account = id, .order = OrderId{next_order++}, .symbol = symbol, .qty = qty,
                     .limit = limit};
  }
  Fill fill(const OrderSpec& buy, const OrderSpec& sell, Qty qty, Price price) {
    return Fill{.execution = ExecutionId{next_execution++},
                .symbol = buy.symbol,
                .qty = qty,
                .price = price,
                .buyer = {buy.account, buy.order},
                .seller = {sell.account, sell.order},
                .tick = TickId{1},
                .time = clock->now()};
  }
};

}  // namespace account::testing
