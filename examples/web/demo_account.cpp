#include "demo_account.h"

#include <cstdint>
#include <tuple>

#include "account/fill.h"
#include "account/order_spec.h"
#include "account/reason.h"
#include "account/sleeper_account_link.h"
#include "account/status.h"

namespace account_example {
namespace {

using namespace account;

struct DemoTrade {
  uint64_t execution;
  uint64_t symbol;
  int64_t shares;
  int64_t price_cents;
  bool player_buys;
};

constexpr DemoTrade kTrades[] = {
    {1, 1, 10, 1'250, true},
    {2, 2, 4, 3'000, true},
    {3, 1, 3, 1'400, false},
};

// One fill between the player and the maker, each side reserved first as the gateway would.
absl::Status trade(AccountService& service, AccountId player, AccountId maker,
                   const DemoTrade& t) {
  const OrderId buy_order{t.execution * 2 - 1};
  const OrderId sell_order{t.execution * 2};
  const AccountId buyer = t.player_buys ? player : maker;
  const AccountId seller = t.player_buys ? maker : player;
  const Qty qty{t.shares * kBpPerShare};
  const Price price{t.price_cents};
  const SymbolId symbol{t.symbol};
  // A second run finds the fill applied: its reservations are settled, so both reserve calls
  // answer an order conflict or duplicate, which is fine; settle() then answers a duplicate.
  (void)service.reserve_buy({.account = buyer, .order = buy_order, .symbol = symbol,
                             .qty = qty, .limit = price});
  (void)service.reserve_sell({.account = seller, .order = sell_order, .symbol = symbol,
                              .qty = qty, .limit = price});
  absl::StatusOr<SettlementReceipt> receipt = service.settle(
      Fill{.execution = ExecutionId{t.execution},
           .symbol = symbol,
           .qty = qty,
           .price = price,
           .buyer = {.account = buyer, .order = buy_order},
           .seller = {.account = seller, .order = sell_order},
           .tick = TickId{t.execution},
           .time = service.now()});
  return receipt.ok() ? absl::OkStatus() : receipt.status();
}

}  // namespace

absl::Status seed_demo_account(AccountService& service, std::string_view sub) {
  absl::StatusOr<AccountId> maker = service.create_account("demo-market-maker", "Market Maker");
  if (!maker.ok()) return maker.status();
  absl::StatusOr<AccountId> player = service.create_account(sub, "Demo Player");
  if (!player.ok()) return player.status();
  for (const auto& [account, cents, key] :
       {std::tuple{*maker, int64_t{1'000'000}, "demo-maker-cash"},
        std::tuple{*player, int64_t{250'000}, "demo-player-cash"}}) {
    absl::Status s = service.credit(account, Cents{cents}, EntryKind::kAdjustment, key);
    if (!s.ok() && reason_of(s) != Reason::kDuplicateEntry) return s;
  }
  for (const uint64_t symbol : {1, 2}) {
    absl::Status s = service.issue_shares(*maker, SymbolId{symbol}, Qty{100 * kBpPerShare},
                                          symbol == 1 ? "demo-shares-1" : "demo-shares-2");
    if (!s.ok() && reason_of(s) != Reason::kDuplicateEntry) return s;
  }
  absl::Status linked = service.link_sleeper(*player, {.user_id = "738295014520123392",
                                                       .username = "demo_gm",
                                                       .league_id = "1048176542781366272",
                                                       .season = "2026",
                                                       .roster_id = 3});
  if (!linked.ok()) return linked;
  for (const DemoTrade& t : kTrades) {
    absl::Status s = trade(service, *player, *maker, t);
    if (!s.ok() && reason_of(s) != Reason::kDuplicateExecution) return s;
  }
  return absl::OkStatus();
}

}  // namespace account_example
