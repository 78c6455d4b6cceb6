// The state hash: its bytes are pinned (another implementation must be able to reproduce them
// from the format's description); it is equal for a ledger's memory and a store's load of the
// same ledger, which differ in finished reservations, executions, trades, derived figures and
// row order; and it changes with every durable field of every table it covers.
#include "journal/state_hash.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "account/limits.h"
#include "base/sha256.h"
#include "journal/journal_replay.h"
#include "ledger/ledger_state.h"
#include "replay_history.h"

namespace account::internal {
namespace {

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string hex(const ChainHash& h) {
  return hex(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

// One row of each table, with small values, negative ones among them.
LedgerSnapshot one_of_each() {
  LedgerSnapshot s;
  s.accounts.push_back(Account{.id = AccountId{1},
                               .google_id = "g",
                               .display_name = "D",
                               .created_at = absl::FromUnixNanos(5),
                               .cash = Cents{300}});
  s.positions.push_back(Position{
      .account = AccountId{1}, .symbol = SymbolId{2}, .qty = Qty{10'000}, .cost_basis = Cents{-1}});
  s.reservations.push_back(Reservation{.id = ReservationId{3},
                                       .account = AccountId{1},
                                       .order = OrderId{4},
                                       .symbol = SymbolId{2},
                                       .side = Side::kSell,
                                       .limit = Price{150},
                                       .order_qty = Qty{10'000},
                                       .remaining_qty = Qty{5'000},
                                       .created_at = absl::FromUnixNanos(5),
                                       .expires_at = absl::FromUnixNanos(6),
                                       .updated_at = absl::FromUnixNanos(7)});
  s.entries.push_back(ExternalEntry{.key = "k",
                                    .kind = EntryKind::kAdjustment,
                                    .account = AccountId{1},
                                    .cash = Cents{-300},
                                    .time = absl::FromUnixNanos(8)});
  return s;
}

TEST_CASE("state hash: the canonical bytes of a fixed state do not change unnoticed",
          "[journal][state_hash]") {
  const LedgerSnapshot state = one_of_each();
  // Worked out from state_hash.h's description, not from this encoder: version 01; accounts:
  // count 01, id 01, "g" 0167, "D" 0144, created 5 ns zigzag 0a, cash 300 zigzag d804, no link
  // 00; positions: 01, 01 02, qty 10000 a09c01, cost -1 01, realized 00; reservations: 01, id 03,
  // account 01, order 04, symbol 02, sell 02, limit 150 ac02, order qty a09c01, remaining 904e,
  // reserved 00, times 0a 0c 0e, active 01; entries: 01, "k" 016b, adjustment 03, account 01,
  // cash -300 d704, symbol 00, qty 00, time 8 ns 10.
  CHECK(hex(canonical_state_bytes(state)) ==
        "010101016701440ad80400010102a09c010100010301040202ac02a09c01904e000a0c0e0101016b03"
        "01d704000010");
  CHECK(hex(state_hash(state)) ==
        "a95e9e14caf67f9d2748284bca88cbeceed4da4fa17edf2a9dd35199cd6a2c73");
}

TEST_CASE("state hash: SHA-256 of the canonical bytes, also past one buffer of them",
          "[journal][state_hash]") {
  LedgerSnapshot big;
  for (uint64_t id = 1; id <= 5'000; ++id) {
    big.accounts.push_back(Account{.id = AccountId{id},
                                   .google_id = "google-" + std::to_string(id * 7919),
                                   .display_name = "display name of account " + std::to_string(id),
                                   .cash = Cents{static_cast<int64_t>(id) * 100}});
  }
  const std::string bytes = canonical_state_bytes(big);
  REQUIRE(bytes.size() > 3 * 64 * 1024);  // Hashed in several pieces.
  CHECK(state_hash(big) == sha256(bytes));
  CHECK(state_hash(one_of_each()) == sha256(canonical_state_bytes(one_of_each())));
}

TEST_CASE("state hash: equal for a ledger's memory and a store's load of the same ledger",
          "[journal][state_hash]") {
  JournalReplay replay;
  for (const JournalRecord& r : replay_history::records(replay_history::history())) {
    REQUIRE(replay.apply(r).ok());
  }
  LedgerSnapshot stored = replay.rows();
  // An active reservation too, so that the table is not empty on either side.
  Reservation open = replay_history::maker_sell();
  open.id = ReservationId{3};
  open.order = OrderId{22};
  stored.reservations.push_back(open);
  stored.reservation_id_high_water = 3;

  SECTION("memory restored from the store, keeping fewer executions and trades") {
    LedgerLimits limits;
    limits.execution_retention = absl::Milliseconds(500);  // The fills are 1 s apart.
    limits.trades_in_memory_per_account_max = 1;
    auto memory = LedgerState::from_snapshot(limits, stored);
    REQUIRE(memory.ok());
    const LedgerSnapshot in_memory = (*memory)->to_snapshot();
    REQUIRE(in_memory.executions.size() < stored.executions.size());
    REQUIRE(in_memory.trades.size() < stored.trades.size());
    CHECK(state_hash(in_memory) == state_hash(stored));
  }
  SECTION("without finished reservations, executions or trades") {
    LedgerSnapshot trimmed = stored;
    std::erase_if(trimmed.reservations, [](const Reservation& r) { return !r.active(); });
    trimmed.executions.clear();
    trimmed.trades.clear();
    trimmed.reservation_id_high_water = 0;
    trimmed.journal_head = JournalHead{};
    CHECK(state_hash(trimmed) == state_hash(stored));
  }
  SECTION("with derived figures, in another row order, with all-zero positions") {
    LedgerSnapshot shuffled = stored;
    for (Account& a : shuffled.accounts) {
      a.reserved_cash = Cents{7};
      a.open_notional = Cents{8};
    }
    for (Position& p : shuffled.positions) {
      p.sell_reserved_qty = Qty{9};
      p.buy_pending_qty = Qty{10};
    }
    shuffled.positions.push_back(Position{.account = AccountId{1}, .symbol = SymbolId{77}});
    std::reverse(shuffled.accounts.begin(), shuffled.accounts.end());
    std::reverse(shuffled.positions.begin(), shuffled.positions.end());
    std::reverse(shuffled.reservations.begin(), shuffled.reservations.end());
    std::reverse(shuffled.entries.begin(), shuffled.entries.end());
    CHECK(state_hash(shuffled) == state_hash(stored));
  }
}

// Each change must move the hash; `name` says which field.
void check_each_changes(
    const std::vector<std::pair<const char*, std::function<void(LedgerSnapshot&)>>>& changes) {
  const ChainHash before = state_hash(one_of_each());
  for (const auto& [name, change] : changes) {
    LedgerSnapshot changed = one_of_each();
    change(changed);
    INFO(name);
    CHECK(state_hash(changed) != before);
  }
}

TEST_CASE("state hash: changes with every durable field of an account", "[journal][state_hash]") {
  check_each_changes({
      {"id", [](LedgerSnapshot& s) { s.accounts[0].id = AccountId{2}; }},
      {"google id", [](LedgerSnapshot& s) { s.accounts[0].google_id = "h"; }},
      {"display name", [](LedgerSnapshot& s) { s.accounts[0].display_name = "E"; }},
      {"created at", [](LedgerSnapshot& s) { s.accounts[0].created_at += absl::Nanoseconds(1); }},
      {"cash", [](LedgerSnapshot& s) { s.accounts[0].cash = Cents{301}; }},
      {"a link", [](LedgerSnapshot& s) { s.accounts[0].sleeper = SleeperLink{}; }},
      {"another account", [](LedgerSnapshot& s) { s.accounts.push_back(s.accounts[0]); }},
  });
  LedgerSnapshot linked = one_of_each();
  linked.accounts[0].sleeper = SleeperLink{.league_id = "L"};
  LedgerSnapshot relinked = linked;
  relinked.accounts[0].sleeper->roster_id = 2;
  CHECK(state_hash(linked) != state_hash(relinked));
}

TEST_CASE("state hash: changes with every stored figure of a position", "[journal][state_hash]") {
  check_each_changes({
      {"account", [](LedgerSnapshot& s) { s.positions[0].account = AccountId{2}; }},
      {"symbol", [](LedgerSnapshot& s) { s.positions[0].symbol = SymbolId{3}; }},
      {"qty", [](LedgerSnapshot& s) { s.positions[0].qty = Qty{10'001}; }},
      {"cost basis", [](LedgerSnapshot& s) { s.positions[0].cost_basis = Cents{0}; }},
      {"realized P&L", [](LedgerSnapshot& s) { s.positions[0].realized_pnl = Cents{1}; }},
      {"gone", [](LedgerSnapshot& s) { s.positions.clear(); }},
  });
}

TEST_CASE("state hash: changes with every field of an active reservation",
          "[journal][state_hash]") {
  check_each_changes({
      {"id", [](LedgerSnapshot& s) { s.reservations[0].id = ReservationId{4}; }},
      {"account", [](LedgerSnapshot& s) { s.reservations[0].account = AccountId{2}; }},
      {"order", [](LedgerSnapshot& s) { s.reservations[0].order = OrderId{5}; }},
      {"symbol", [](LedgerSnapshot& s) { s.reservations[0].symbol = SymbolId{3}; }},
      {"side", [](LedgerSnapshot& s) { s.reservations[0].side = Side::kBuy; }},
      {"limit", [](LedgerSnapshot& s) { s.reservations[0].limit = Price{151}; }},
      {"order qty", [](LedgerSnapshot& s) { s.reservations[0].order_qty = Qty{1}; }},
      {"remaining qty", [](LedgerSnapshot& s) { s.reservations[0].remaining_qty = Qty{1}; }},
      {"reserved cash", [](LedgerSnapshot& s) { s.reservations[0].reserved_cash = Cents{1}; }},
      {"created at",
       [](LedgerSnapshot& s) { s.reservations[0].created_at += absl::Nanoseconds(1); }},
      {"expires at",
       [](LedgerSnapshot& s) { s.reservations[0].expires_at += absl::Nanoseconds(1); }},
      {"updated at",
       [](LedgerSnapshot& s) { s.reservations[0].updated_at += absl::Nanoseconds(1); }},
      {"finished",
       [](LedgerSnapshot& s) { s.reservations[0].status = ReservationStatus::kCancelled; }},
  });
}

TEST_CASE("state hash: changes with every field of an entry", "[journal][state_hash]") {
  check_each_changes({
      {"key", [](LedgerSnapshot& s) { s.entries[0].key = "l"; }},
      {"kind", [](LedgerSnapshot& s) { s.entries[0].kind = EntryKind::kWinBonus; }},
      {"account", [](LedgerSnapshot& s) { s.entries[0].account = AccountId{2}; }},
      {"cash", [](LedgerSnapshot& s) { s.entries[0].cash = Cents{300}; }},
      {"symbol", [](LedgerSnapshot& s) { s.entries[0].symbol = SymbolId{1}; }},
      {"qty", [](LedgerSnapshot& s) { s.entries[0].qty = Qty{1}; }},
      {"time", [](LedgerSnapshot& s) { s.entries[0].time += absl::Nanoseconds(1); }},
      {"another entry", [](LedgerSnapshot& s) { s.entries.push_back(s.entries[0]); }},
  });
}

TEST_CASE("state hash: an empty ledger is the version and four zero counts",
          "[journal][state_hash]") {
  CHECK(hex(canonical_state_bytes(LedgerSnapshot{})) == "0100000000");
}

}  // namespace
}  // namespace account::internal
