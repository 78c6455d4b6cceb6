// A small hand-built ledger history as journal entries, shared by the replay and comparison
// tests: two accounts, a credit, a share issue, a buy and a sell reservation, a partial fill and
// a full fill, an expiry and a Sleeper link, with every figure worked out by hand below.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "account/journal_entry.h"
#include "account/ledger_event.h"
#include "journal/entry_codec.h"

namespace account::internal::replay_history {

inline const absl::Time kT0 = absl::FromUnixSeconds(1'767'225'600);  // 2026-01-01 00:00 UTC.

inline constexpr AccountId kAlice{1};  // Buys.
inline constexpr AccountId kMaker{2};  // Issued shares; sells.
inline constexpr SymbolId kSymbol{3};

inline Account account_row(AccountId id, std::string google_id, std::string name) {
  return Account{.id = id,
                 .google_id = std::move(google_id),
                 .display_name = std::move(name),
                 .created_at = kT0};
}

inline SleeperLink alice_link() {
  return SleeperLink{
      .user_id = "u-17", .username = "alice", .league_id = "L-4", .season = "2026", .roster_id = 6};
}

// Alice buys 5 shares at a limit of $100.00: 50'000 bp, reserve_notional = 50'000 cents.
inline Reservation alice_buy() {
  return Reservation{.id = ReservationId{1},
                     .account = kAlice,
                     .order = OrderId{11},
                     .symbol = kSymbol,
                     .side = Side::kBuy,
                     .limit = Price{100'00},
                     .order_qty = Qty{50'000},
                     .remaining_qty = Qty{50'000},
                     .reserved_cash = Cents{500'00},
                     .created_at = kT0 + absl::Seconds(4),
                     .expires_at = kT0 + absl::Hours(24),
                     .updated_at = kT0 + absl::Seconds(4)};
}

// The maker sells 3 shares at a limit of $90.00.
inline Reservation maker_sell() {
  return Reservation{.id = ReservationId{2},
                     .account = kMaker,
                     .order = OrderId{21},
                     .symbol = kSymbol,
                     .side = Side::kSell,
                     .limit = Price{90'00},
                     .order_qty = Qty{30'000},
                     .remaining_qty = Qty{30'000},
                     .created_at = kT0 + absl::Seconds(4),
                     .expires_at = kT0 + absl::Hours(24),
                     .updated_at = kT0 + absl::Seconds(4)};
}

inline Reservation after(Reservation r, absl::Time at, Qty remaining, Cents reserved,
                         ReservationStatus status) {
  r.remaining_qty = remaining;
  r.reserved_cash = reserved;
  r.updated_at = at;
  r.status = status;
  return r;
}

inline Fill fill(uint64_t execution, Qty qty, Price price, absl::Time at) {
  return Fill{.execution = ExecutionId{execution},
              .symbol = kSymbol,
              .qty = qty,
              .price = price,
              .buyer = {kAlice, OrderId{11}},
              .seller = {kMaker, OrderId{21}},
              .tick = TickId{execution + 1000},
              .time = at};
}

inline Position position(AccountId account, int64_t qty_bp, int64_t cost_cents,
                         int64_t realized_cents) {
  return Position{.account = account,
                  .symbol = kSymbol,
                  .qty = Qty{qty_bp},
                  .cost_basis = Cents{cost_cents},
                  .realized_pnl = Cents{realized_cents}};
}

inline ExternalEntry credit() {
  return ExternalEntry{.key = "fantasy:1:2026:w1",
                       .kind = EntryKind::kFantasyCredit,
                       .account = kAlice,
                       .cash = Cents{1'000'00},
                       .time = kT0 + absl::Seconds(2)};
}

inline ExternalEntry issue() {
  return ExternalEntry{.key = "issue:maker:3",
                       .kind = EntryKind::kShareIssue,
                       .account = kMaker,
                       .symbol = kSymbol,
                       .qty = Qty{1'000'000},
                       .time = kT0 + absl::Seconds(3)};
}

// seq 1..8: the events of each entry.
//   1  both accounts created
//   2  $1,000.00 credited to Alice                          Alice cash 100'000
//   3  100 shares issued to the maker                       maker (1'000'000 bp, cost 0)
//   4  Alice's buy (reservation 1), the maker's sell (2)
//   5  execution 101: 2 shares at $95.00, notional 19'000   Alice cash 81'000, (20'000, 19'000)
//      both reservations partly settled                     maker cash 19'000, realized 19'000
//   6  execution 102: 1 share at $96.00, notional 9'600     Alice cash 71'400, (30'000, 28'600)
//      the sell settled, the buy partly settled             maker cash 28'600, realized 28'600
//   7  Alice's buy expires (2 shares unfilled)
//   8  Alice links her Sleeper league
inline std::vector<std::vector<LedgerEvent>> history() {
  const absl::Time t5 = kT0 + absl::Seconds(5);
  const absl::Time t6 = kT0 + absl::Seconds(6);
  const absl::Time t7 = kT0 + absl::Hours(24);
  return {
      {AccountCreated{account_row(kAlice, "google-alice", "Alice")},
       AccountCreated{account_row(kMaker, "google-maker", "Maker")}},
      {EntryApplied{.entry = credit(), .cash_after = Cents{1'000'00}}},
      {EntryApplied{.entry = issue(),
                    .cash_after = Cents{0},
                    .position_after = position(kMaker, 1'000'000, 0, 0)}},
      {ReservationCreated{alice_buy()}, ReservationCreated{maker_sell()}},
      {FillApplied{.fill = fill(101, Qty{20'000}, Price{95'00}, t5),
                   .buyer = {.cash_after = Cents{810'00},
                             .position_after = position(kAlice, 20'000, 190'00, 0)},
                   .seller = {.cash_after = Cents{190'00},
                              .position_after = position(kMaker, 980'000, 0, 190'00),
                              .realized_pnl = Cents{190'00}}},
       ReservationChanged{.change = ReservationChange::kPartlySettled,
                          .reservation = after(alice_buy(), t5, Qty{30'000}, Cents{300'00},
                                               ReservationStatus::kActive),
                          .cash_freed = Cents{200'00},
                          .qty_freed = Qty{20'000}},
       ReservationChanged{.change = ReservationChange::kPartlySettled,
                          .reservation = after(maker_sell(), t5, Qty{10'000}, Cents{0},
                                               ReservationStatus::kActive),
                          .qty_freed = Qty{20'000}}},
      {FillApplied{.fill = fill(102, Qty{10'000}, Price{96'00}, t6),
                   .buyer = {.cash_after = Cents{714'00},
                             .position_after = position(kAlice, 30'000, 286'00, 0)},
                   .seller = {.cash_after = Cents{286'00},
                              .position_after = position(kMaker, 970'000, 0, 286'00),
                              .realized_pnl = Cents{96'00}}},
       ReservationChanged{
           .change = ReservationChange::kSettled,
           .reservation = after(maker_sell(), t6, Qty{0}, Cents{0}, ReservationStatus::kSettled),
           .qty_freed = Qty{10'000}},
       ReservationChanged{.change = ReservationChange::kPartlySettled,
                          .reservation = after(alice_buy(), t6, Qty{20'000}, Cents{200'00},
                                               ReservationStatus::kActive),
                          .cash_freed = Cents{100'00},
                          .qty_freed = Qty{10'000}}},
      {ReservationChanged{.change = ReservationChange::kExpired,
                          .reservation = after(alice_buy(), t7, Qty{20'000}, Cents{200'00},
                                               ReservationStatus::kExpired),
                          .cash_freed = Cents{200'00},
                          .qty_freed = Qty{20'000}}},
      {SleeperLinkChanged{.account = kAlice, .link = alice_link()}},
  };
}

// The entries as a store keeps them: seq first_seq, first_seq + 1, ..., one second apart,
// encoded, and chained from `anchor`.
inline std::vector<JournalRecord> records(const std::vector<std::vector<LedgerEvent>>& entries,
                                          uint64_t first_seq = 1, ChainHash anchor = {}) {
  std::vector<JournalRecord> out;
  ChainHash previous = anchor;
  for (size_t i = 0; i < entries.size(); ++i) {
    JournalRecord r{.seq = first_seq + i, .committed_at = kT0 + absl::Seconds(int64_t(i))};
    r.bytes = encode_entry(r.seq, r.committed_at, entries[i]);
    r.hash = chain_hash(previous, r.bytes);
    previous = r.hash;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace account::internal::replay_history
