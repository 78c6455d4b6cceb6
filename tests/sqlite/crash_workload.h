// The command stream of the crash tests, shared by the process that runs it
// (account_sqlite_child stream) and the one that checks what survived a kill
// (crash_harness.cpp): step i of a seed is always the same commands, so the
// checker knows every fill, order and entry a step makes without being told.
//
// Accounts 1-3 sell (they are issued shares), 4-6 buy (they are credited
// cash). A step is one of:
//   - a credit of a buyer (one commit);
//   - a trade group: 1-4 buy orders (one reserve_batch, one commit), 1-4
//     sell orders (one each), then their fills in one settle_batch (one
//     commit: all of them or none);
//   - an order placed and then cancelled (two commits).
// Every command has its natural key, so a step run again after a kill is a
// retry: what committed before answers as it did, the rest applies now.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/limits.h"
#include "account/reason.h"
#include "account/status.h"

namespace account::crash {

inline constexpr uint64_t kSellers = 3;
inline constexpr uint64_t kBuyers = 3;
inline constexpr uint64_t kSymbols = 3;
inline constexpr size_t kFillsPerGroupMax = 4;

// 2026-09-10T00:00:00Z, and one millisecond of the ledger's clock per step.
inline absl::Time step_time(uint64_t step) {
  return absl::FromUnixSeconds(1'789'000'000) + absl::Milliseconds(static_cast<int64_t>(step));
}

// Caps far above what any soak reaches: the stream runs for as long as asked.
inline LedgerLimits crash_limits() {
  LedgerLimits limits;
  limits.position_cap_qty = Qty{int64_t{1} << 50};
  limits.open_notional_cap = Cents{int64_t{1} << 50};
  return limits;
}

inline std::string google_id(uint64_t account) { return "crash-" + std::to_string(account); }

struct Credit {
  AccountId account;
  Cents amount;
  std::string key;
};

struct Step {
  uint64_t index = 0;
  std::vector<Credit> credits;      // At most one.
  std::vector<OrderSpec> buys;      // Admitted in one reserve_batch.
  std::vector<OrderSpec> sells;     // Admitted one by one.
  std::vector<Fill> fills;          // Settled in one settle_batch.
  std::vector<OrderSpec> cancels;   // Each placed, then cancelled.
};

// Setup, run at every start (each command answers "done already" after the
// first): the six accounts, their cash and shares.
inline absl::Status set_up(AccountService& service) {
  for (uint64_t a = 1; a <= kSellers + kBuyers; ++a) {
    absl::StatusOr<AccountId> id = service.create_account(google_id(a), "Crash " + google_id(a));
    if (!id.ok()) return id.status();
    if (*id != AccountId{a}) return absl::InternalError("accounts were not created in order");
  }
  for (uint64_t a = 1; a <= kSellers + kBuyers; ++a) {
    absl::Status s;
    if (a <= kSellers) {
      for (uint64_t sym = 1; sym <= kSymbols; ++sym) {
        s = service.issue_shares(AccountId{a}, SymbolId{sym}, Qty{int64_t{10'000'000} * 10'000},
                                 "issue-" + std::to_string(a) + "-" + std::to_string(sym));
        if (!s.ok() && reason_of(s) != Reason::kDuplicateEntry) return s;
      }
    } else {
      s = service.credit(AccountId{a}, Cents{1'000'000'000}, EntryKind::kAdjustment,
                         "fund-" + std::to_string(a));
      if (!s.ok() && reason_of(s) != Reason::kDuplicateEntry) return s;
    }
  }
  return absl::OkStatus();
}

inline Step make_step(uint64_t seed, uint64_t index) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL ^ index);
  const auto pick = [&](uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
  };
  Step step;
  step.index = index;
  const uint64_t order_base = index * 16 + 1'000;
  const uint64_t kind = pick(1, 8);
  if (kind == 1) {
    step.credits.push_back(Credit{AccountId{kSellers + pick(1, kBuyers)},
                                  Cents{static_cast<int64_t>(pick(1'000'000, 20'000'000))},
                                  "credit-" + std::to_string(index)});
  } else if (kind == 2) {
    step.cancels.push_back(OrderSpec{.account = AccountId{kSellers + pick(1, kBuyers)},
                                     .order = OrderId{order_base},
                                     .symbol = SymbolId{pick(1, kSymbols)},
                                     .qty = Qty{static_cast<int64_t>(pick(1, 50'000))},
                                     .limit = Price{static_cast<int64_t>(pick(100, 100'000))}});
  } else {
    const size_t fills = pick(1, kFillsPerGroupMax);
    for (size_t j = 0; j < fills; ++j) {
      const SymbolId symbol{pick(1, kSymbols)};
      const Qty qty{static_cast<int64_t>(pick(1, 100'000))};
      const Price sell_limit{static_cast<int64_t>(pick(100, 100'000))};
      const Price buy_limit{
          static_cast<int64_t>(pick(static_cast<uint64_t>(sell_limit.cents_per_share()), 100'000))};
      const OrderSpec buy{.account = AccountId{kSellers + pick(1, kBuyers)},
                          .order = OrderId{order_base + 2 * j},
                          .symbol = symbol, .qty = qty, .limit = buy_limit};
      const OrderSpec sell{.account = AccountId{pick(1, kSellers)},
                           .order = OrderId{order_base + 2 * j + 1},
                           .symbol = symbol, .qty = qty, .limit = sell_limit};
      step.buys.push_back(buy);
      step.sells.push_back(sell);
      step.fills.push_back(Fill{.execution = ExecutionId{index * 8 + j + 1},
                                .symbol = symbol,
                                .qty = qty,
                                .price = sell_limit,
                                .buyer = {buy.account, buy.order},
                                .seller = {sell.account, sell.order},
                                .tick = TickId{index + 1},
                                .time = step_time(index)});
    }
  }
  return step;
}

}  // namespace account::crash
