// Retries are part of the API: every command a caller repeats after an
// ambiguous failure answers, on an identical retry, what the first call
// answered, and on a retry with other fields, a conflict; neither changes
// anything (docs/ledger.md, "Retries"). One case per row of that table.
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/status.h"
#include "account/testing/fault_injecting_store.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::CommitFault;
using testing::denied_with;
using testing::FaultInjectingStore;
using testing::LedgerFixture;

constexpr SymbolId kAllen{17};
constexpr SymbolId kHenry{22};

// A ledger whose store can be told to fail, with one funded buyer and one
// seller holding shares of kAllen.
struct Retries {
  LedgerFixture f;
  std::shared_ptr<FaultInjectingStore> faulty = std::make_shared<FaultInjectingStore>(f.store);
  AccountId buyer;
  AccountId seller;

  Retries() {
    f.service.reset();
    f.service = AccountService::open({.store = faulty, .clock = f.clock}).value();
    buyer = f.account(100'000);
    seller = f.account(0);
    f.give_shares(seller, kAllen, Qty{50'000});
  }
  AccountService& svc() { return f.svc(); }
  // The whole state: a retry must leave it exactly as it was.
  LedgerSnapshot state() { return svc().snapshot(); }
};

TEST_CASE("reserve: an identical retry answers the first ReservationId, whatever its status now",
          "[retry-safety][reserve]") {
  Retries r;
  OrderSpec buy = r.f.order(r.buyer, kAllen, Qty{10'000}, Price{20'000});
  const ReservationId id = r.svc().reserve_buy(buy).value();
  const LedgerSnapshot held = r.state();

  CHECK(r.svc().reserve_buy(buy).value() == id);
  CHECK(r.state() == held);  // Nothing held twice.
  CHECK(r.svc().available_cash(r.buyer).value() == Cents{80'000});

  // An explicit expiry that is the reservation's own is the same request.
  buy.expires_at = r.svc().reservation(id).value().expires_at;
  CHECK(r.svc().reserve_buy(buy).value() == id);

  // Settled in full, then retried: still the first answer.
  const OrderSpec sell = r.f.order(r.seller, kAllen, Qty{10'000}, Price{20'000});
  REQUIRE(r.svc().reserve_sell(sell).ok());
  REQUIRE(r.svc().settle(r.f.fill(buy, sell, Qty{10'000}, Price{20'000})).ok());
  REQUIRE(r.svc().reservation(id).value().status == ReservationStatus::kSettled);
  const LedgerSnapshot settled = r.state();
  CHECK(r.svc().reserve_buy(buy).value() == id);
  CHECK(r.state() == settled);

  // Cancelled, then retried: the same.
  const OrderSpec other = r.f.order(r.buyer, kHenry, Qty{1'000}, Price{5'000});
  const ReservationId other_id = r.svc().reserve_buy(other).value();
  REQUIRE(r.svc().cancel_order(other.order).ok());
  CHECK(r.svc().reserve_buy(other).value() == other_id);
  CHECK(r.svc().reservation(other_id).value().status == ReservationStatus::kCancelled);
}

TEST_CASE("reserve: a retry with any other field is OrderConflict and changes nothing",
          "[retry-safety][reserve]") {
  Retries r;
  const OrderSpec buy = r.f.order(r.buyer, kAllen, Qty{10'000}, Price{20'000});
  const ReservationId id = r.svc().reserve_buy(buy).value();
  const LedgerSnapshot before = r.state();
  const AccountId stranger = r.f.account(100'000);
  const LedgerSnapshot with_stranger = r.state();

  struct Row {
    const char* field;
    OrderSpec spec;
    Side side;
  };
  OrderSpec account = buy, symbol = buy, qty = buy, limit = buy, expiry = buy;
  account.account = stranger;
  symbol.symbol = kHenry;
  qty.qty = Qty{10'001};
  limit.limit = Price{20'001};
  expiry.expires_at = r.f.clock->now() + absl::Hours(1);
  const Row rows[] = {{"account", account, Side::kBuy}, {"side", buy, Side::kSell},
                      {"symbol", symbol, Side::kBuy},   {"quantity", qty, Side::kBuy},
                      {"limit", limit, Side::kBuy},     {"expiry", expiry, Side::kBuy}};
  for (const Row& row : rows) {
    INFO(row.field);
    const absl::StatusOr<ReservationId> got =
        row.side == Side::kBuy ? r.svc().reserve_buy(row.spec) : r.svc().reserve_sell(row.spec);
    CHECK(denied_with(got, Reason::kOrderConflict));
    CHECK(got.status().message().find(row.field) != std::string_view::npos);
    CHECK(r.state() == with_stranger);
  }
  CHECK(r.svc().reservation_for_order(buy.order).value().id == id);
  CHECK(before.reservations.size() == with_stranger.reservations.size());
}

TEST_CASE("reserve: a commit that landed but was reported failed is learned by retrying",
          "[retry-safety][reserve]") {
  Retries r;
  const OrderSpec buy = r.f.order(r.buyer, kAllen, Qty{10'000}, Price{20'000});
  r.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(r.svc().reserve_buy(buy), Reason::kStoreUnavailable));
  // The gateway does not know whether the cash is held; the retry tells it.
  const ReservationId id = r.svc().reserve_buy(buy).value();
  CHECK(r.svc().reservation(id).value().order == buy.order);
  CHECK(r.svc().available_cash(r.buyer).value() == Cents{80'000});  // Held once.
  CHECK(r.svc().active_reservations(r.buyer).value().size() == 1);

  // The same for a batch: the retried batch answers every order's id.
  const OrderSpec b1 = r.f.order(r.buyer, kHenry, Qty{1'000}, Price{10'000});
  const OrderSpec b2 = r.f.order(r.buyer, kHenry, Qty{2'000}, Price{10'000});
  r.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  for (const auto& result : r.svc().reserve_batch({b1, b2}, Side::kBuy)) {
    CHECK(denied_with(result, Reason::kStoreUnavailable));
  }
  const auto retried = r.svc().reserve_batch({b1, b2}, Side::kBuy);
  REQUIRE(retried.size() == 2);
  CHECK(retried[0].value() == r.svc().reservation_for_order(b1.order).value().id);
  CHECK(retried[1].value() == r.svc().reservation_for_order(b2.order).value().id);
  CHECK(r.svc().active_reservations(r.buyer).value().size() == 3);
  CHECK(r.svc().audit().ok());
}

TEST_CASE("create_account is find-or-create, also after an ambiguous commit",
          "[retry-safety][accounts]") {
  Retries r;
  r.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(r.svc().create_account("google-new", "New"), Reason::kStoreUnavailable));
  const size_t accounts_before = r.svc().account_count();
  const AccountId id = r.svc().create_account("google-new", "New").value();
  CHECK(r.svc().create_account("google-new", "Renamed").value() == id);
  CHECK(r.svc().account_count() == accounts_before + 1);  // Created once.
  CHECK(r.svc().get_account(id).value().display_name == "New");
}

TEST_CASE("cancel and release: ended by the owner is OK, settled or expired names its status",
          "[retry-safety][reservations]") {
  Retries r;
  const OrderSpec a = r.f.order(r.buyer, kAllen, Qty{1'000}, Price{10'000});
  const ReservationId a_id = r.svc().reserve_buy(a).value();
  r.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(r.svc().cancel_order(a.order), Reason::kStoreUnavailable));
  CHECK(r.svc().cancel_order(a.order).ok());  // Reloads: it landed.
  const LedgerSnapshot cancelled = r.state();
  CHECK(r.svc().cancel_order(a.order).ok());
  CHECK(r.svc().release_reservation(a_id).ok());  // The engine's release crossing it.
  CHECK(r.svc().release_batch({&a_id, 1}).front().ok());
  CHECK(r.state() == cancelled);
  CHECK(r.svc().reservation(a_id).value().status == ReservationStatus::kCancelled);
  CHECK(r.svc().available_cash(r.buyer).value() == Cents{100'000});

  // Settled: the fill ended it, not its owner.
  const OrderSpec buy = r.f.order(r.buyer, kAllen, Qty{1'000}, Price{10'000});
  const OrderSpec sell = r.f.order(r.seller, kAllen, Qty{1'000}, Price{10'000});
  const ReservationId buy_id = r.svc().reserve_buy(buy).value();
  REQUIRE(r.svc().reserve_sell(sell).ok());
  REQUIRE(r.svc().settle(r.f.fill(buy, sell, Qty{1'000}, Price{10'000})).ok());
  const absl::Status settled = r.svc().cancel_order(buy.order);
  CHECK(denied_with(settled, Reason::kReservationNotActive));
  CHECK(settled.message().find("settled") != std::string_view::npos);
  CHECK(denied_with(r.svc().release_reservation(buy_id), Reason::kReservationNotActive));

  // Expired: the same.
  OrderSpec due = r.f.order(r.buyer, kHenry, Qty{1'000}, Price{10'000});
  due.expires_at = r.f.clock->now() + absl::Hours(1);
  const ReservationId due_id = r.svc().reserve_buy(due).value();
  r.f.clock->advance(absl::Hours(1));
  REQUIRE(r.svc().expire_due_reservations().value() == 1);
  const absl::Status expired = r.svc().release_reservation(due_id);
  CHECK(denied_with(expired, Reason::kReservationNotActive));
  CHECK(expired.message().find("expired") != std::string_view::npos);
}

TEST_CASE("extend to the expiry it already has is OK and writes nothing",
          "[retry-safety][reservations]") {
  Retries r;
  const OrderSpec a = r.f.order(r.buyer, kAllen, Qty{1'000}, Price{10'000});
  const ReservationId id = r.svc().reserve_buy(a).value();
  const absl::Time later = r.f.clock->now() + absl::Hours(24 * 10);
  r.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(r.svc().extend_reservation(id, later), Reason::kStoreUnavailable));
  const int64_t loads = r.faulty->counts().loads;
  CHECK(r.svc().extend_reservation(id, later).ok());  // Reloads, finds it done.
  CHECK(r.faulty->counts().loads == loads + 1);
  const size_t commits = r.f.store->commits();
  CHECK(r.svc().extend_reservation(id, later).ok());
  CHECK(r.f.store->commits() == commits);
  CHECK(r.svc().reservation(id).value().expires_at == later);
}

TEST_CASE("entries and fills keep their keys: a duplicate means already done",
          "[retry-safety][entries][settlement]") {
  Retries r;
  r.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(r.svc().credit(r.buyer, Cents{500}, EntryKind::kAdjustment, "adj-1"),
                    Reason::kStoreUnavailable));
  CHECK(denied_with(r.svc().credit(r.buyer, Cents{500}, EntryKind::kAdjustment, "adj-1"),
                    Reason::kDuplicateEntry));
  CHECK(denied_with(r.svc().credit(r.buyer, Cents{501}, EntryKind::kAdjustment, "adj-1"),
                    Reason::kEntryConflict));
  CHECK(r.svc().cash(r.buyer).value() == Cents{100'500});

  const OrderSpec buy = r.f.order(r.buyer, kAllen, Qty{1'000}, Price{10'000});
  const OrderSpec sell = r.f.order(r.seller, kAllen, Qty{1'000}, Price{10'000});
  REQUIRE(r.svc().reserve_buy(buy).ok());
  REQUIRE(r.svc().reserve_sell(sell).ok());
  const Fill fill = r.f.fill(buy, sell, Qty{1'000}, Price{10'000});
  REQUIRE(r.svc().settle(fill).ok());
  CHECK(denied_with(r.svc().settle(fill), Reason::kDuplicateExecution));
  Fill restamped = fill;
  restamped.price = Price{9'000};
  CHECK(denied_with(r.svc().settle(restamped), Reason::kExecutionConflict));
  CHECK(r.svc().cash(r.seller).value() == Cents{1'000});
  CHECK(r.svc().audit().ok());
}

}  // namespace
}  // namespace account
