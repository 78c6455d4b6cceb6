// Holding a store's rows against the journal's replay: the first row that differs is named in
// words, with the field, both sides, and the seq of the entry that last wrote it; rows the
// comparison must not count (all-zero positions, derived figures, row order) do not show.
#include "journal/state_compare.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "journal/journal_replay.h"
#include "replay_history.h"

namespace account::internal {
namespace {

using namespace replay_history;

JournalReplay replayed(const std::vector<std::vector<LedgerEvent>>& entries) {
  JournalReplay replay;
  for (const JournalRecord& r : records(entries)) REQUIRE(replay.apply(r).ok());
  return replay;
}

TEST_CASE("state compare: a store holding what the journal wrote shows no difference",
          "[journal][compare]") {
  const JournalReplay replay = replayed(history());
  LedgerSnapshot stored = replay.rows();
  CHECK_FALSE(first_difference(replay, stored).has_value());

  SECTION("in another row order, with derived figures filled in") {
    std::reverse(stored.accounts.begin(), stored.accounts.end());
    std::reverse(stored.trades.begin(), stored.trades.end());
    std::reverse(stored.entries.begin(), stored.entries.end());
    stored.accounts[0].reserved_cash = Cents{200'00};
    stored.accounts[0].open_notional = Cents{200'00};
    stored.positions[1].sell_reserved_qty = Qty{10'000};
    stored.positions[0].buy_pending_qty = Qty{20'000};
    CHECK_FALSE(first_difference(replay, stored).has_value());
  }
  SECTION("with an all-zero position the journal never wrote") {
    stored.positions.push_back(Position{.account = kAlice, .symbol = SymbolId{9}});
    CHECK_FALSE(first_difference(replay, stored).has_value());
  }
}

TEST_CASE("state compare: a position whose figures went back to zero equals an absent one",
          "[journal][compare]") {
  // Alice buys 1 share at $10.00 and sells it back at $10.00: she ends with nothing stored.
  std::vector<std::vector<LedgerEvent>> entries = {
      {AccountCreated{account_row(kAlice, "a", "")}, AccountCreated{account_row(kMaker, "m", "")}},
      {FillApplied{.fill = fill(1, Qty{10'000}, Price{10'00}, kT0),
                   .buyer = {.position_after = position(kAlice, 10'000, 10'00, 0)},
                   .seller = {.position_after = position(kMaker, -10'000, 0, 10'00)}}},
  };
  Fill back = fill(2, Qty{10'000}, Price{10'00}, kT0);
  std::swap(back.buyer, back.seller);
  entries.push_back({FillApplied{.fill = back,
                                 .buyer = {.position_after = position(kMaker, 0, 0, 10'00)},
                                 .seller = {.position_after = position(kAlice, 0, 0, 0)}}});
  const JournalReplay replay = replayed(entries);
  LedgerSnapshot stored = replay.rows();
  REQUIRE(stored.positions.size() == 2);
  CHECK_FALSE(first_difference(replay, stored).has_value());
  std::erase_if(stored.positions, [](const Position& p) { return p.account == kAlice; });
  CHECK_FALSE(first_difference(replay, stored).has_value());
  // The maker's, with realized P&L, does count.
  stored.positions.clear();
  const std::optional<RowDifference> d = first_difference(replay, stored);
  REQUIRE(d.has_value());
  CHECK(d->row == "position of account 2 in symbol 3");
  CHECK(d->last_written_seq == 3);
}

TEST_CASE("state compare: the first difference is named with its seq and both sides",
          "[journal][compare]") {
  const JournalReplay replay = replayed(history());
  LedgerSnapshot stored = replay.rows();
  const auto difference = [&]() {
    const std::optional<RowDifference> d = first_difference(replay, stored);
    REQUIRE(d.has_value());
    return *d;
  };

  SECTION("a changed cash") {
    stored.accounts[1].cash += Cents{1};
    CHECK(difference() == RowDifference{.table = LedgerTable::kAccounts,
                                        .row = "account 2",
                                        .last_written_seq = 6,
                                        .difference = "cash: journal 28600 cents, "
                                                      "store 28601 cents"});
    CHECK(difference().to_string() ==
          "account 2, last written by seq 6: cash: journal 28600 cents, store 28601 cents");
  }
  SECTION("a changed Sleeper link") {
    stored.accounts[0].sleeper.reset();
    CHECK(difference().last_written_seq == 8);
    CHECK(difference().difference ==
          "Sleeper link: journal {user \"u-17\", username \"alice\", league \"L-4\", season "
          "\"2026\", roster 6}, store none");
  }
  SECTION("a missing row") {
    stored.reservations.erase(stored.reservations.begin() + 1);
    CHECK(difference() == RowDifference{.table = LedgerTable::kReservations,
                                        .row = "reservation 2",
                                        .last_written_seq = 6,
                                        .difference = "in the journal's replay, not in the store"});
  }
  SECTION("an extra row, which no seq wrote") {
    ExternalEntry stray = credit();
    stray.key = "stray";
    stored.entries.push_back(stray);
    CHECK(difference() == RowDifference{.table = LedgerTable::kEntries,
                                        .row = "entry \"stray\"",
                                        .last_written_seq = 0,
                                        .difference = "in the store, not in the journal's replay"});
    CHECK(difference().to_string() ==
          "entry \"stray\", never written by the journal: in the store, not in the journal's "
          "replay");
  }
  SECTION("a changed reservation field") {
    stored.reservations[0].expires_at += absl::Seconds(1);
    CHECK(difference() == RowDifference{.table = LedgerTable::kReservations,
                                        .row = "reservation 1",
                                        .last_written_seq = 7,
                                        .difference =
                                            "expires at: journal 2026-01-02T00:00:00+00:00, "
                                            "store 2026-01-02T00:00:01+00:00"});
  }
  SECTION("a changed position, execution, trade") {
    stored.positions[0].cost_basis = Cents{0};
    CHECK(difference().row == "position of account 1 in symbol 3");
    CHECK(difference().difference == "cost basis: journal 28600 cents, store 0 cents");
    stored.positions = replay.rows().positions;
    stored.executions[1].tick = TickId{1};
    CHECK(difference().row == "execution 102");
    CHECK(difference().difference == "tick: journal 1102, store 1");
    stored.executions = replay.rows().executions;
    stored.trades[1].realized_pnl = Cents{0};
    CHECK(difference() == RowDifference{.table = LedgerTable::kTrades,
                                        .row = "the seller's trade of execution 101",
                                        .last_written_seq = 5,
                                        .difference = "realized P&L: journal 19000 cents, "
                                                      "store 0 cents"});
  }
  SECTION("the first in table order: accounts before entries") {
    stored.entries.clear();
    stored.accounts[0].display_name = "Mallory";
    CHECK(difference().table == LedgerTable::kAccounts);
    CHECK(difference().difference == "display name: journal \"Alice\", store \"Mallory\"");
  }
  SECTION("the first in key order within a table") {
    stored.trades[3].qty = Qty{1};
    stored.trades[2].price = Price{1};
    CHECK(difference().row == "the buyer's trade of execution 102");
  }
  SECTION("the ledger-wide figures, after every table") {
    stored.reservation_id_high_water = 3;
    CHECK(difference() == RowDifference{.table = LedgerTable::kLedger,
                                        .row = "the reservation id high-water mark",
                                        .last_written_seq = 4,
                                        .difference = "journal 2, store 3"});
    stored.reservation_id_high_water = 2;
    stored.journal_head.seq = 9;
    CHECK(difference().row == "the journal head");
    CHECK(difference().difference == "seq: journal 8, store 9");
  }
}

}  // namespace
}  // namespace account::internal
