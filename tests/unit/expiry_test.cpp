// Expiry: due reservations expire on the injected clock, free what they held,
// and each expired order is reported to the NotificationSink after commit.
#include <vector>

#include <catch2/catch.hpp>

#include <mutex>
#include "account/account_service.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::LedgerFixture;

constexpr SymbolId kAllen{1};

struct RecordingSink final : NotificationSink {
  std::mutex mu;
  std::vector<std::pair<AccountId, OrderId>> expired;  // Guarded by mu.
  void on_order_expired(AccountId account, OrderId order, ReservationId) override {
    std::lock_guard lock(mu);
    expired.emplace_back(account, order);
  }
  size_t count() {
    std::lock_guard lock(mu);
    return expired.size();
  }
};

TEST_CASE("due reservations expire, free what they held and notify per order", "[expiry]") {
  LedgerFixture f;
  auto sink = std::make_shared<RecordingSink>();
  f.service = AccountService::open({.store = f.store, .clock = f.clock, .sink = sink}).value();
  const AccountId a = f.account(100'000);
  f.give_shares(a, kAllen, Qty{10'000});
  const OrderSpec week = f.order(a, kAllen, Qty{10'000}, Price{10'000});     // default 7 days
  OrderSpec day = f.order(a, kAllen, Qty{10'000}, Price{20'000});
  day.expires_at = f.clock->now() + absl::Hours(24);
  const OrderSpec sell = f.order(a, kAllen, Qty{10'000}, Price{30'000});      // default 7 days
  REQUIRE(f.svc().reserve_buy(week).ok());
  REQUIRE(f.svc().reserve_buy(day).ok());
  REQUIRE(f.svc().reserve_sell(sell).ok());
  CHECK(f.svc().available_cash(a).value() == Cents{70'000});

  CHECK(f.svc().expire_due_reservations().value() == 0);
  f.clock->advance(absl::Hours(24));  // Exactly at the expiry: due.
  CHECK(f.svc().expire_due_reservations().value() == 1);
  CHECK(f.svc().available_cash(a).value() == Cents{90'000});
  CHECK(f.svc().reservation_for_order(day.order).value().status == ReservationStatus::kExpired);
  REQUIRE(sink->count() == 1);

  f.clock->advance(absl::Hours(24 * 6) - absl::Seconds(1));
  CHECK(f.svc().expire_due_reservations().value() == 0);
  f.clock->advance(absl::Seconds(1));
  CHECK(f.svc().expire_due_reservations().value() == 2);
  CHECK(f.svc().available_cash(a).value() == Cents{100'000});
  CHECK(f.svc().position(a, kAllen).value()->available_qty() == Qty{10'000});
  CHECK(sink->count() == 3);
  {
    std::lock_guard lock(sink->mu);
    CHECK(sink->expired[0] == std::pair(a, day.order));
  }
  CHECK(denied_with(f.svc().cancel_order(week.order), Reason::kReservationNotActive));
  CHECK(f.svc().expire_due_reservations().value() == 0);
  CHECK(sink->count() == 3);
  CHECK(f.svc().audit().ok());
}

TEST_CASE("an extended reservation expires at its new time", "[expiry][extend]") {
  LedgerFixture f;
  const AccountId a = f.account(100'000);
  const OrderSpec spec = f.order(a, kAllen, Qty{10'000}, Price{10'000});
  const ReservationId r = f.svc().reserve_buy(spec).value();
  const absl::Time created = f.clock->now();
  REQUIRE(f.svc().extend_reservation(r, created + absl::Hours(24 * 30)).ok());
  f.clock->advance(absl::Hours(24 * 29));
  CHECK(f.svc().expire_due_reservations().value() == 0);
  f.clock->advance(absl::Hours(24));
  CHECK(f.svc().expire_due_reservations().value() == 1);
}

TEST_CASE("a partly filled order expires with only its unfilled part held", "[expiry][partial]") {
  LedgerFixture f;
  const AccountId buyer = f.account(10'000);
  const AccountId seller = f.account();
  f.give_shares(seller, kAllen, Qty{10'000});
  const OrderSpec buy = f.order(buyer, kAllen, Qty{10'000}, Price{10'000});
  const OrderSpec sell = f.order(seller, kAllen, Qty{4'000}, Price{5'000});
  REQUIRE(f.svc().reserve_buy(buy).ok());
  REQUIRE(f.svc().reserve_sell(sell).ok());
  REQUIRE(f.svc().settle(f.fill(buy, sell, Qty{4'000}, Price{5'000})).ok());
  f.clock->advance(absl::Hours(24 * 7));
  CHECK(f.svc().expire_due_reservations().value() == 1);
  CHECK(f.svc().cash(buyer).value() == Cents{8'000});
  CHECK(f.svc().available_cash(buyer).value() == Cents{8'000});
  CHECK(f.svc().position(buyer, kAllen).value()->qty == Qty{4'000});
  CHECK(f.svc().audit().ok());
}

}  // namespace
}  // namespace account
