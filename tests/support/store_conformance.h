// The Store conformance suite. Every Store implementation runs it:
//
//   TEST_CASE("MemoryStore conforms", "[store]") {
//     testing::store_conformance([] { return std::make_shared<MemoryStore>(); });
//   }
//
// `make_store` must return a new, empty store each call. Written against the
// Store contract in include/account/store.h only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/store.h"
#include "support/ledger_fixture.h"

namespace account::testing {

inline ChangeSet sample_changes(absl::Time t) {
  ChangeSet c;
  c.new_accounts.push_back(Account{.id = AccountId{1}, .google_id = "sub-1",
                                   .display_name = "Quote ' \" \\ ; --", .created_at = t});
  c.new_accounts.push_back(Account{.id = AccountId{2}, .google_id = "sub-2",
                                   .display_name = std::string(255, 'x'), .created_at = t});
  c.balances.push_back(CashBalance{AccountId{1}, Cents{4'999}});
  c.balances.push_back(CashBalance{AccountId{2}, Cents{5'001}});
  c.positions.push_back(Position{.account = AccountId{1}, .symbol = SymbolId{7},
                                 .qty = Qty{1'429}, .cost_basis = Cents{5'001}});
  c.positions.push_back(Position{.account = AccountId{2}, .symbol = SymbolId{7},
                                 .qty = Qty{8'571}, .realized_pnl = Cents{5'001}});
  c.reservations.push_back(Reservation{.id = ReservationId{1}, .account = AccountId{1},
                                       .order = OrderId{11}, .symbol = SymbolId{7},
                                       .side = Side::kBuy, .limit = Price{35'000},
                                       .order_qty = Qty{1'429}, .remaining_qty = Qty{0},
                                       .created_at = t, .expires_at = t + absl::Hours(168),
                                       .updated_at = t, .status = ReservationStatus::kSettled});
  c.reservations.push_back(Reservation{.id = ReservationId{2}, .account = AccountId{2},
                                       .order = OrderId{12}, .symbol = SymbolId{7},
                                       .side = Side::kSell, .limit = Price{30'000},
                                       .order_qty = Qty{5'000}, .remaining_qty = Qty{3'571},
                                       .created_at = t, .expires_at = t + absl::Hours(168),
                                       .updated_at = t, .status = ReservationStatus::kActive});
  const Fill fill{.execution = ExecutionId{(uint64_t{1} << 40) | 3}, .symbol = SymbolId{7},
                  .qty = Qty{1'429}, .price = Price{35'000},
                  .buyer = {AccountId{1}, OrderId{11}}, .seller = {AccountId{2}, OrderId{12}},
                  .tick = TickId{1'000}, .time = t};
  c.executions.push_back(fill);
  c.trades.push_back(Trade{.execution = fill.execution, .account = AccountId{1},
                           .order = OrderId{11}, .symbol = SymbolId{7}, .side = Side::kBuy,
                           .qty = fill.qty, .price = fill.price, .notional = Cents{5'001},
                           .tick = fill.tick, .time = t});
  c.trades.push_back(Trade{.execution = fill.execution, .account = AccountId{2},
                           .order = OrderId{12}, .symbol = SymbolId{7}, .side = Side::kSell,
                           .qty = fill.qty, .price = fill.price, .notional = Cents{5'001},
                           .realized_pnl = Cents{5'001}, .tick = fill.tick, .time = t});
  c.entries.push_back(ExternalEntry{.key = "fantasy:1:2026:w1", .kind = EntryKind::kFantasyCredit,
                                    .account = AccountId{1}, .cash = Cents{10'000}, .time = t});
  c.entries.push_back(ExternalEntry{.key = "adj:1", .kind = EntryKind::kAdjustment,
                                    .account = AccountId{1}, .cash = Cents{-10'000 + 4'999},
                                    .time = t});
  c.entries.push_back(ExternalEntry{.key = "issue:2:7", .kind = EntryKind::kShareIssue,
                                    .account = AccountId{2}, .symbol = SymbolId{7},
                                    .qty = Qty{10'000}, .time = t});
  return c;
}

inline void store_conformance(const std::function<std::shared_ptr<Store>()>& make_store) {
  const absl::Time t = test_epoch();
  std::shared_ptr<Store> store = make_store();

  SECTION("an empty store loads empty") {
    const LedgerSnapshot s = store->load({}).value();
    CHECK(s.accounts.empty());
    CHECK(s.reservations.empty());
    CHECK(s.reservation_id_high_water == 0);
    CHECK_FALSE(store->find_execution(ExecutionId{1}).value().has_value());
    CHECK(store->trades(AccountId{1}, 10).value().empty());
  }
  SECTION("a commit round-trips every row type exactly") {
    const ChangeSet c = sample_changes(t);
    REQUIRE(store->commit(c).ok());
    const LedgerSnapshot s = store->load({}).value();
    REQUIRE(s.accounts.size() == 2);
    CHECK(s.accounts[0].display_name == c.new_accounts[0].display_name);
    CHECK(s.accounts[1].display_name == c.new_accounts[1].display_name);
    CHECK(s.accounts[0].cash == Cents{4'999});
    CHECK(s.accounts[1].created_at == t);
    CHECK(s.positions == c.positions);
    CHECK(s.reservations == c.reservations);
    CHECK(s.executions == c.executions);
    CHECK(s.trades.size() == 2);
    CHECK(s.entries.size() == 3);
    CHECK(s.reservation_id_high_water == 2);
    CHECK(store->find_execution(c.executions[0].execution).value() == c.executions[0]);
  }
  SECTION("later commits update balances, positions and reservations in place") {
    REQUIRE(store->commit(sample_changes(t)).ok());
    ChangeSet next;
    next.balances.push_back(CashBalance{AccountId{1}, Cents{1}});
    Reservation r = sample_changes(t).reservations[1];
    r.status = ReservationStatus::kCancelled;
    r.updated_at = t + absl::Hours(1);
    next.reservations.push_back(r);
    REQUIRE(store->commit(next).ok());
    const LedgerSnapshot s = store->load({}).value();
    CHECK(s.accounts[0].cash == Cents{1});
    CHECK(s.accounts[1].cash == Cents{5'001});
    CHECK(s.reservations[1].status == ReservationStatus::kCancelled);
  }
  SECTION("a Sleeper link round-trips, is replaced whole, and leaves the row alone") {
    ChangeSet c = sample_changes(t);
    const SleeperLink link{.user_id = "7310", .username = "Al'ice \\ \xff",
                           .league_id = std::string(255, '9'), .season = "2026",
                           .roster_id = 4};
    c.links.push_back(AccountLink{AccountId{2}, link});
    REQUIRE(store->commit(c).ok());
    LedgerSnapshot s = store->load({}).value();
    REQUIRE(s.accounts.size() == 2);
    CHECK_FALSE(s.accounts[0].sleeper.has_value());
    CHECK(s.accounts[1].sleeper == link);
    CHECK(s.accounts[1].cash == Cents{5'001});
    ChangeSet next;
    const SleeperLink other{.user_id = "42", .username = "al", .league_id = "1",
                            .season = "2027", .roster_id = 1};
    next.links.push_back(AccountLink{AccountId{1}, other});
    next.links.push_back(AccountLink{AccountId{2}, other});
    next.balances.push_back(CashBalance{AccountId{1}, Cents{3}});
    REQUIRE(store->commit(next).ok());
    s = store->load({}).value();
    CHECK(s.accounts[0].sleeper == other);
    CHECK(s.accounts[0].cash == Cents{3});
    CHECK(s.accounts[1].sleeper == other);
    CHECK(s.accounts[1].display_name == c.new_accounts[1].display_name);
  }
  SECTION("a link or a balance for an account the store lacks fails the commit whole") {
    REQUIRE(store->commit(sample_changes(t)).ok());
    for (bool link : {true, false}) {
      CAPTURE(link);
      ChangeSet bad;
      bad.balances.push_back(CashBalance{AccountId{1}, Cents{777}});
      if (link) {
        bad.links.push_back(AccountLink{AccountId{99}, SleeperLink{.user_id = "1",
                                                                   .username = "u",
                                                                   .league_id = "2",
                                                                   .season = "2026",
                                                                   .roster_id = 3}});
      } else {
        bad.balances.push_back(CashBalance{AccountId{99}, Cents{1}});
      }
      CHECK(store->commit(bad).code() == absl::StatusCode::kNotFound);
      const LedgerSnapshot s = store->load({}).value();
      CHECK(s.accounts.size() == 2);
      CHECK(s.accounts[0].cash == Cents{4'999});
    }
  }
  SECTION("a commit that breaks a unique key applies nothing") {
    REQUIRE(store->commit(sample_changes(t)).ok());
    ChangeSet again;
    again.balances.push_back(CashBalance{AccountId{1}, Cents{777}});
    again.executions.push_back(sample_changes(t).executions[0]);
    CHECK_FALSE(store->commit(again).ok());
    CHECK(store->load({}).value().accounts[0].cash == Cents{4'999});
  }
  SECTION("trades come newest first, limited") {
    REQUIRE(store->commit(sample_changes(t)).ok());
    ChangeSet more;
    for (int i = 0; i < 5; ++i) {
      Trade trade = sample_changes(t).trades[0];
      trade.execution = ExecutionId{static_cast<uint64_t>(100 + i)};
      trade.time = t + absl::Minutes(i + 1);
      more.trades.push_back(trade);
    }
    REQUIRE(store->commit(more).ok());
    const auto trades = store->trades(AccountId{1}, 3).value();
    REQUIRE(trades.size() == 3);
    CHECK(trades[0].execution == ExecutionId{104});
    CHECK(trades[2].execution == ExecutionId{102});
    const LedgerSnapshot s = store->load({.trades_per_account_max = 2}).value();
    CHECK(s.trades.size() == 3);  // 2 of account 1, 1 of account 2.
  }
  SECTION("load honours the execution and finished-reservation windows") {
    REQUIRE(store->commit(sample_changes(t)).ok());
    ChangeSet later;
    Fill fill = sample_changes(t).executions[0];
    fill.execution = ExecutionId{999};
    fill.time = t + absl::Hours(3);
    later.executions.push_back(fill);
    REQUIRE(store->commit(later).ok());
    const LedgerSnapshot s = store->load({.execution_retention = absl::Hours(1),
                                          .reservations_finished_since = t + absl::Seconds(1)})
                                 .value();
    REQUIRE(s.executions.size() == 1);
    CHECK(s.executions[0].execution == ExecutionId{999});
    REQUIRE(s.reservations.size() == 1);  // The settled one finished before the cutoff.
    CHECK(s.reservations[0].id == ReservationId{2});
    CHECK(s.reservation_id_high_water == 2);
    // Executions outside the window are still found.
    CHECK(store->find_execution(ExecutionId{(uint64_t{1} << 40) | 3}).value().has_value());
  }
  SECTION("a ledger restores exactly from the store after a restart") {
    auto clock = std::make_shared<ManualClock>(t);
    auto service = AccountService::open({.store = store, .clock = clock}).value();
    const AccountId a = service->create_account("sub-a", "A").value();
    const AccountId b = service->create_account("sub-b", "B").value();
    REQUIRE(service->credit(a, Cents{100'000}, EntryKind::kFantasyCredit, "c1").ok());
    REQUIRE(service->issue_shares(b, SymbolId{3}, Qty{50'000}, "i1").ok());
    const OrderSpec buy{.account = a, .order = OrderId{1}, .symbol = SymbolId{3},
                        .qty = Qty{20'000}, .limit = Price{9'999}};
    const OrderSpec sell{.account = b, .order = OrderId{2}, .symbol = SymbolId{3},
                         .qty = Qty{30'000}, .limit = Price{5'000}};
    REQUIRE(service->reserve_buy(buy).ok());
    REQUIRE(service->reserve_sell(sell).ok());
    const Fill fill{.execution = ExecutionId{77}, .symbol = SymbolId{3}, .qty = Qty{7'777},
                    .price = Price{6'543}, .buyer = {a, buy.order}, .seller = {b, sell.order},
                    .tick = TickId{5}, .time = t};
    REQUIRE(service->settle(fill).ok());
    const LedgerSnapshot before = service->snapshot();
    service.reset();
    auto reopened = AccountService::open({.store = store, .clock = clock}).value();
    CHECK(reopened->snapshot() == before);
    CHECK(denied_with(reopened->settle(fill), Reason::kDuplicateExecution));
    // 100000 - floor(7777 * 6543 / 1e4) paid - ceil(12223 * 9999 / 1e4) still held.
    CHECK(reopened->available_cash(a).value() == Cents{100'000 - 5'088 - 12'222});
    CHECK(reopened->audit().ok());
  }
}

}  // namespace account::testing
