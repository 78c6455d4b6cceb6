// A command staged in a group sees what the group's earlier commands staged:
// checked at the Txn and LedgerState level, where the order of staging is
// exact. Finishing a reservation changes its staged image when it has one
// (made or changed earlier in the group), else a copy of the base's row.
#include <catch2/catch.hpp>

#include <vector>

#include "account/memory_store.h"
#include "account/status.h"
#include "account/units.h"
#include "ledger_commands.h"
#include "ledger_state.h"

namespace account {
namespace {

constexpr AccountId kBuyer{1};
constexpr SymbolId kPlayer{7};
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

// One account with $1,000.00 and nothing else.
std::unique_ptr<internal::LedgerState> funded_ledger() {
  LedgerSnapshot snapshot;
  snapshot.accounts.push_back(
      Account{.id = kBuyer, .google_id = "g1", .created_at = kNow, .cash = Cents{100'000}});
  return internal::LedgerState::from_snapshot(LedgerLimits{}, snapshot).value();
}

// Applies what `txn` staged; returns the reservation rows it handed the store.
std::vector<Reservation> commit(internal::LedgerState& state, internal::Txn& txn) {
  ChangeSet changes;
  txn.change_set(&changes);
  state.apply(txn, changes, kNow);
  return changes.reservations;
}

OrderSpec buy(uint64_t order) {
  // Two shares at $30.00: 6,000 cents held.
  return OrderSpec{.account = kBuyer,
                   .order = OrderId{order},
                   .symbol = kPlayer,
                   .qty = Qty{20'000},
                   .limit = Price{3'000}};
}

TEST_CASE("a reservation made and released in one group frees what it held",
          "[ledger][txn]") {
  std::unique_ptr<internal::LedgerState> state = funded_ledger();
  MemoryStore store;
  const LedgerLimits limits;
  const internal::CommandContext ctx = internal::command_context(limits, kNow, store, false);
  internal::Txn txn(*state);
  const absl::StatusOr<ReservationId> id = internal::stage_reserve(txn, ctx, buy(1), Side::kBuy);
  REQUIRE(id.ok());
  REQUIRE(txn.account(kBuyer)->reserved_cash == Cents{6'000});
  REQUIRE(internal::stage_finish(txn, ctx, *id, ReservationStatus::kReleased).ok());
  // The staged image itself was finished: no second image of the id.
  CHECK(txn.reservation(*id)->status == ReservationStatus::kReleased);
  CHECK(txn.account(kBuyer)->reserved_cash == Cents{0});
  CHECK(txn.account(kBuyer)->open_notional == Cents{0});
  CHECK(reason_of(internal::stage_finish(txn, ctx, *id, ReservationStatus::kReleased)) ==
        Reason::kReservationNotActive);

  // One image of the id goes to the store: the final one.
  const std::vector<Reservation> stored = commit(*state, txn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].status == ReservationStatus::kReleased);
  const Reservation* r = state->reservation(*id);
  REQUIRE(r != nullptr);
  CHECK(r->status == ReservationStatus::kReleased);
  CHECK(r->reserved_cash == Cents{0});
  CHECK(state->account(kBuyer)->row.reserved_cash == Cents{0});
}

TEST_CASE("a reservation extended then released in one group keeps the new expiry",
          "[ledger][txn]") {
  std::unique_ptr<internal::LedgerState> state = funded_ledger();
  MemoryStore store;
  const LedgerLimits limits;
  const internal::CommandContext ctx = internal::command_context(limits, kNow, store, false);
  ReservationId id;
  {
    internal::Txn first(*state);
    const absl::StatusOr<ReservationId> made =
        internal::stage_reserve(first, ctx, buy(1), Side::kBuy);
    REQUIRE(made.ok());
    id = *made;
    commit(*state, first);
  }
  const absl::Time later = kNow + absl::Hours(48);
  internal::Txn txn(*state);
  REQUIRE(internal::stage_extend(txn, ctx, id, later).ok());
  REQUIRE(internal::stage_finish(txn, ctx, id, ReservationStatus::kCancelled).ok());
  // Finished from the extended image, not from the base's row.
  CHECK(txn.reservation(id)->expires_at == later);
  CHECK(txn.reservation(id)->status == ReservationStatus::kCancelled);
  // The base is untouched until the group is applied.
  CHECK(state->reservation(id)->active());
  CHECK(state->account(kBuyer)->row.reserved_cash == Cents{6'000});

  const std::vector<Reservation> stored = commit(*state, txn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].status == ReservationStatus::kCancelled);
  CHECK(stored[0].expires_at == later);
  CHECK(state->reservation(id)->status == ReservationStatus::kCancelled);
  CHECK(state->reservation(id)->expires_at == later);
  CHECK(state->account(kBuyer)->row.reserved_cash == Cents{0});
  CHECK(state->account(kBuyer)->row.open_notional == Cents{0});
}

TEST_CASE("a reservation released from the base's row leaves the base as it was until applied",
          "[ledger][txn]") {
  std::unique_ptr<internal::LedgerState> state = funded_ledger();
  MemoryStore store;
  const LedgerLimits limits;
  const internal::CommandContext ctx = internal::command_context(limits, kNow, store, false);
  ReservationId id;
  {
    internal::Txn first(*state);
    const absl::StatusOr<ReservationId> made =
        internal::stage_reserve(first, ctx, buy(1), Side::kBuy);
    REQUIRE(made.ok());
    id = *made;
    commit(*state, first);
  }
  internal::Txn txn(*state);
  REQUIRE(internal::stage_finish(txn, ctx, id, ReservationStatus::kReleased).ok());
  CHECK(txn.reservation(id)->status == ReservationStatus::kReleased);
  CHECK(state->reservation(id)->active());
  CHECK(state->reservation(id)->reserved_cash == Cents{6'000});
  commit(*state, txn);
  CHECK(state->reservation(id)->status == ReservationStatus::kReleased);
  CHECK(state->account(kBuyer)->row.reserved_cash == Cents{0});
}

}  // namespace
}  // namespace account
