// A command staged in a group sees what the group's earlier commands staged:
// checked at the Txn and LedgerState level, where the order of staging is
// exact. Finishing a reservation changes its staged image when it has one
// (made or changed earlier in the group), else a copy of the base's row.
#include <catch2/catch.hpp>
#include <vector>

#include "account/memory_store.h"
#include "account/status.h"
#include "account/units.h"
#include "ledger/ledger_commands.h"
#include "ledger/ledger_state.h"
#include "ledger/txn.h"

namespace account {
namespace {

constexpr AccountId kBuyer{1};
constexpr SymbolId kPlayer{7};
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

// A ledger with one account holding $1,000.00, and a context to stage on it.
struct Staging {
  Staging() {
    LedgerSnapshot snapshot;
    snapshot.accounts.push_back(
        Account{.id = kBuyer, .google_id = "g1", .created_at = kNow, .cash = Cents{100'000}});
    state = internal::LedgerState::from_snapshot(limits, snapshot).value();
  }

  // Applies what `txn` staged; returns the reservation rows it handed the store.
  std::vector<Reservation> commit(internal::Txn& txn) {
    ChangeSet changes;
    txn.change_set(&changes);
    state->apply(txn, changes, kNow);
    return changes.reservations;
  }

  // A buy of two shares at $30.00 (6,000 cents held), staged in a group of its own and applied.
  ReservationId committed_buy(uint64_t order) {
    internal::Txn txn(*state);
    const absl::StatusOr<ReservationId> id =
        internal::stage_reserve(txn, ctx, buy(order), Side::kBuy);
    REQUIRE(id.ok());
    commit(txn);
    return *id;
  }

  static OrderSpec buy(uint64_t order) {
    return OrderSpec{.account = kBuyer,
                     .order = OrderId{order},
                     .symbol = kPlayer,
                     .qty = Qty{20'000},
                     .limit = Price{3'000}};
  }

  const LedgerLimits limits;
  MemoryStore store;
  const internal::CommandContext ctx = internal::command_context(limits, kNow, store, false);
  std::unique_ptr<internal::LedgerState> state;
};

TEST_CASE("a reservation made and released in one group frees what it held", "[ledger][txn]") {
  Staging f;
  internal::Txn txn(*f.state);
  const absl::StatusOr<ReservationId> id =
      internal::stage_reserve(txn, f.ctx, Staging::buy(1), Side::kBuy);
  REQUIRE(id.ok());
  REQUIRE(txn.account(kBuyer)->reserved_cash == Cents{6'000});
  REQUIRE(internal::stage_finish(txn, f.ctx, *id, ReservationStatus::kReleased).ok());
  // The staged image itself was finished: no second image of the id.
  CHECK(txn.reservation(*id)->status == ReservationStatus::kReleased);
  CHECK(txn.account(kBuyer)->reserved_cash == Cents{0});
  CHECK(txn.account(kBuyer)->open_notional == Cents{0});
  // Released again (a retry): OK, and nothing is freed twice; expired now: not active.
  CHECK(internal::stage_finish(txn, f.ctx, *id, ReservationStatus::kReleased).ok());
  CHECK(txn.account(kBuyer)->reserved_cash == Cents{0});
  CHECK(reason_of(internal::stage_finish(txn, f.ctx, *id, ReservationStatus::kExpired)) ==
        Reason::kReservationNotActive);

  // One image of the id goes to the store: the final one.
  const std::vector<Reservation> stored = f.commit(txn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].status == ReservationStatus::kReleased);
  const Reservation* r = f.state->reservation(*id);
  REQUIRE(r != nullptr);
  CHECK(r->status == ReservationStatus::kReleased);
  CHECK(r->reserved_cash == Cents{0});
  CHECK(f.state->account(kBuyer)->row.reserved_cash == Cents{0});
}

TEST_CASE("a reservation extended then released in one group keeps the new expiry",
          "[ledger][txn]") {
  Staging f;
  const ReservationId id = f.committed_buy(1);
  const absl::Time later = kNow + absl::Hours(48);
  internal::Txn txn(*f.state);
  REQUIRE(internal::stage_extend(txn, f.ctx, id, later).ok());
  REQUIRE(internal::stage_finish(txn, f.ctx, id, ReservationStatus::kCancelled).ok());
  // Finished from the extended image, not from the base's row.
  CHECK(txn.reservation(id)->expires_at == later);
  CHECK(txn.reservation(id)->status == ReservationStatus::kCancelled);
  // The base is untouched until the group is applied.
  CHECK(f.state->reservation(id)->active());
  CHECK(f.state->account(kBuyer)->row.reserved_cash == Cents{6'000});

  const std::vector<Reservation> stored = f.commit(txn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].status == ReservationStatus::kCancelled);
  CHECK(stored[0].expires_at == later);
  CHECK(f.state->reservation(id)->status == ReservationStatus::kCancelled);
  CHECK(f.state->reservation(id)->expires_at == later);
  CHECK(f.state->account(kBuyer)->row.reserved_cash == Cents{0});
  CHECK(f.state->account(kBuyer)->row.open_notional == Cents{0});
}

TEST_CASE("a reservation released from the base's row leaves the base as it was until applied",
          "[ledger][txn]") {
  Staging f;
  const ReservationId id = f.committed_buy(1);
  internal::Txn txn(*f.state);
  REQUIRE(internal::stage_finish(txn, f.ctx, id, ReservationStatus::kReleased).ok());
  CHECK(txn.reservation(id)->status == ReservationStatus::kReleased);
  CHECK(f.state->reservation(id)->active());
  CHECK(f.state->reservation(id)->reserved_cash == Cents{6'000});
  f.commit(txn);
  CHECK(f.state->reservation(id)->status == ReservationStatus::kReleased);
  CHECK(f.state->account(kBuyer)->row.reserved_cash == Cents{0});
}

}  // namespace
}  // namespace account
