// Test helpers: an AccountService on a MemoryStore with a manual clock, and
// short ways to fund accounts, place orders and build fills (the builders of
// account::testing, account/testing/builders.h, with this fixture's clock).
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
#include "account/testing/builders.h"
#include "account/testing/catch2.h"

namespace account::testing {

// 2026-09-10T00:00:00Z, a Thursday of week 1 of the 2026 NFL season.
inline absl::Time test_epoch() { return absl::FromUnixSeconds(1'789'000'000); }

inline std::string status_text(const absl::Status& s) { return s.ToString(); }
template <typename T>
std::string status_text(const absl::StatusOr<T>& s) {
  return s.status().ToString();
}

// True when `status` is a denial with `reason`; prints the status otherwise.
using catch2::denied_with;

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
  OrderBuilder orders;
  FillBuilder fills{clock};

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
    return orders.order(id, symbol, qty, limit);
  }
  Fill fill(const OrderSpec& buy, const OrderSpec& sell, Qty qty, Price price) {
    return fills.fill(buy, sell, qty, price);
  }
};

}  // namespace account::testing
