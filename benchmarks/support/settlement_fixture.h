// The settlement fixture every settlement benchmark shares, so that figures
// on different stores describe the same work:
//
//   8 market makers, one per player, each with 100,000 issued shares and one
//   100,000-share sell order at $99.50; 64 buyers with $10,000,000 each and
//   one 100,000-share buy order at $100.00 (exactly the default caps on
//   position and open notional, so the fixture runs on the default
//   LedgerLimits); fills of 0.01 share at $99.50, buyer i against the market
//   maker of player i % 8, 1,000 per engine tick, execution ids built as the
//   engine builds them (tick << 20 | sequence). Every fill frees a little
//   cash (price improvement).
//
//   SettlementParties parties;
//   ACCOUNT_RETURN_IF_ERROR(add_settlement_parties(service, parties));
//   std::vector<Fill> fills = make_settlement_fills(parties, 100'000);
//
// Also the one way benchmarks report: refused commands turn a run into an
// error rather than a faster figure.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/account_service.h"

namespace account::bench {

inline constexpr size_t kBuyers = 64;
inline constexpr size_t kPlayers = 8;
inline constexpr Qty kOrderQty{100'000 * kBpPerShare};
inline constexpr Price kBuyLimit{100'00};
inline constexpr Price kSellLimit{99'50};
inline constexpr Cents kBuyerCash{10'000'000'00};
inline constexpr Qty kFillQty{100};        // 0.01 share.
inline constexpr Price kFillPrice{99'50};  // Below the buy limit: every fill frees a little cash.
// Each market maker's order serves an eighth of the fills, each buyer's a 64th: the market
// makers' orders run out first, at kFillCapacity fills.
inline constexpr int64_t kFillCapacity =
    kOrderQty.value() / kFillQty.value() * static_cast<int64_t>(kPlayers);

inline absl::Time bench_start() { return absl::FromUnixSeconds(1'763'960'400); }

struct SettlementParties {
  std::vector<FillParty> buyers;   // Account and its buy order, one per buyer.
  std::vector<FillParty> sellers;  // Account and its sell order, one per player.
};

// A Google `sub` for `name`: 21 digits, as Google's are, so that copying one costs what it
// costs in production (longer than std::string's 15-character inline buffer).
inline std::string google_sub(const std::string& name) {
  std::string sub = std::to_string(std::hash<std::string>{}(name) % 1'000'000'000'000);
  return "110169484" + std::string(12 - sub.size(), '0') + sub;
}

// A display name longer than the inline buffer too, as a person's full name often is.
inline std::string display_name(const std::string& name) { return name + " Fantasy Owner"; }

// A buyer with kBuyerCash.
inline absl::StatusOr<AccountId> funded_account(AccountService& service, const std::string& name) {
  absl::StatusOr<AccountId> id = service.create_account(google_sub(name), display_name(name));
  if (!id.ok()) return id.status();
  absl::Status credited = service.credit(*id, kBuyerCash, EntryKind::kAdjustment, "fund:" + name);
  if (!credited.ok()) return credited;
  return *id;
}

// Creates the market makers and `buyers` buyers with their orders, order ids from 1.
inline absl::Status add_settlement_parties(AccountService& service, SettlementParties& parties,
                                           size_t buyers = kBuyers) {
  uint64_t next_order = 1;
  for (size_t p = 1; p <= kPlayers; ++p) {
    const std::string name = "maker-" + std::to_string(p);
    absl::StatusOr<AccountId> id = service.create_account(google_sub(name), display_name(name));
    if (!id.ok()) return id.status();
    absl::Status s = service.issue_shares(*id, SymbolId{p}, kOrderQty, "issue:" + name);
    const OrderId order{next_order++};
    if (s.ok()) {
      s = service.reserve_sell({.account = *id, .order = order, .symbol = SymbolId{p},
                                .qty = kOrderQty, .limit = kSellLimit}).status();
    }
    if (!s.ok()) return s;
    parties.sellers.push_back({*id, order});
  }
  for (size_t b = 0; b < buyers; ++b) {
    absl::StatusOr<AccountId> id = funded_account(service, "buyer-" + std::to_string(b));
    if (!id.ok()) return id.status();
    const OrderId order{next_order++};
    const absl::Status s = service.reserve_buy({.account = *id, .order = order,
                                                .symbol = SymbolId{b % kPlayers + 1},
                                                .qty = kOrderQty, .limit = kBuyLimit}).status();
    if (!s.ok()) return s;
    parties.buyers.push_back({*id, order});
  }
  return absl::OkStatus();
}

// `count` fills (at most kFillCapacity), all stamped bench_start(): fill i is buyer
// b = i % buyers against the market maker of the buyer's player, b % kPlayers.
inline std::vector<Fill> make_settlement_fills(const SettlementParties& parties, int64_t count) {
  std::vector<Fill> fills;
  fills.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const size_t b = static_cast<size_t>(i) % parties.buyers.size();
    const uint64_t tick = static_cast<uint64_t>(i / 1'000) + 1;
    const uint64_t seq = static_cast<uint64_t>(i % 1'000) + 1;
    fills.push_back(Fill{.execution = ExecutionId{tick << 20 | seq},
                         .symbol = SymbolId{b % kPlayers + 1},
                         .qty = kFillQty,
                         .price = kFillPrice,
                         .buyer = parties.buyers[b],
                         .seller = parties.sellers[b % kPlayers],
                         .tick = TickId{tick},
                         .time = bench_start()});
  }
  return fills;
}

// Items per second, or an error naming the first refusal.
inline void report(benchmark::State& state, int64_t items, int64_t refused,
                   const absl::Status& first) {
  if (refused > 0) {
    const std::string msg =
        std::to_string(refused) + " commands refused, first: " + first.ToString();
    state.SkipWithError(msg.c_str());
    return;
  }
  state.SetItemsProcessed(items);
}

}  // namespace account::bench
