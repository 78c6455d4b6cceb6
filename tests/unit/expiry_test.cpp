// Expiry: due reservations expire on the injected clock, free what they held,
// and each expired order is reported to the NotificationSink after commit.
#include <vector>

#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/recording_notification_sink.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::CommitFault;
using testing::FaultInjectingStore;
using testing::LedgerFixture;
using testing::RecordingNotificationSink;

constexpr SymbolId kAllen{1};

TEST_CASE("due reservations expire, free what they held and notify per order", "[expiry]") {
  LedgerFixture f;
  auto sink = std::make_shared<RecordingNotificationSink>();
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
  REQUIRE(f.svc().await_notices(absl::Seconds(10)));
  REQUIRE(sink->expired_order_count() == 1);

  f.clock->advance(absl::Hours(24 * 6) - absl::Seconds(1));
  CHECK(f.svc().expire_due_reservations().value() == 0);
  f.clock->advance(absl::Seconds(1));
  CHECK(f.svc().expire_due_reservations().value() == 2);
  CHECK(f.svc().available_cash(a).value() == Cents{100'000});
  CHECK(f.svc().position(a, kAllen).value()->available_qty() == Qty{10'000});
  REQUIRE(f.svc().await_notices(absl::Seconds(10)));
  CHECK(sink->expired_order_count() == 3);
  // Each notice names the journal entry that expired its order.
  CHECK(sink->expired_orders()[1].seq == f.svc().journal_head());
  CHECK(sink->expired_orders()[0].seq < f.svc().journal_head());
  CHECK(sink->expired_orders()[0].account == a);
  CHECK(sink->expired_orders()[0].order == day.order);
  CHECK(denied_with(f.svc().cancel_order(week.order), Reason::kReservationNotActive));
  CHECK(f.svc().expire_due_reservations().value() == 0);
  REQUIRE(f.svc().await_notices(absl::Seconds(10)));
  CHECK(sink->expired_order_count() == 3);
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

// A ledger on a FaultInjectingStore with a recording sink, and two buy orders of one
// account that expire in a day.
struct FaultyExpiryFixture {
  LedgerFixture f;
  std::shared_ptr<FaultInjectingStore> faulty = std::make_shared<FaultInjectingStore>(f.store);
  std::shared_ptr<RecordingNotificationSink> sink = std::make_shared<RecordingNotificationSink>();
  AccountId a;
  std::vector<OrderSpec> orders;

  FaultyExpiryFixture() {
    reopen();
    a = f.account(100'000);
    for (int i = 0; i < 2; ++i) {
      OrderSpec o = f.order(a, kAllen, Qty{10'000}, Price{10'000});
      o.expires_at = f.clock->now() + absl::Hours(24);
      REQUIRE(f.svc().reserve_buy(o).ok());
      orders.push_back(o);
    }
    f.clock->advance(absl::Hours(24));
  }
  void reopen() {
    f.service.reset();
    f.service =
        AccountService::open({.store = faulty, .clock = f.clock, .sink = sink}).value();
  }
  // The notices delivered once the notifier has caught up with the ledger's head.
  std::vector<std::pair<AccountId, OrderId>> notices() {
    REQUIRE(f.svc().await_notices(absl::Seconds(10)));
    std::vector<std::pair<AccountId, OrderId>> out;
    for (const testing::ExpiredOrderNotice& n : sink->expired_orders()) {
      out.emplace_back(n.account, n.order);
    }
    return out;
  }
  std::vector<std::pair<AccountId, OrderId>> both() const {
    return {{a, orders[0].order}, {a, orders[1].order}};
  }
};

TEST_CASE("lost expiry notices: an ambiguous sweep commit notifies each order once",
          "[expiry][faults][regression]") {
  FaultyExpiryFixture x;
  x.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(x.f.svc().expire_due_reservations(), Reason::kStoreUnavailable));
  CHECK(x.notices().empty());  // Not yet known to be durable.
  // The retry reloads first: the expiries landed, so they are notified now,
  // and the sweep itself finds nothing due.
  CHECK(x.f.svc().expire_due_reservations().value() == 0);
  CHECK(x.notices() == x.both());
  CHECK(x.f.svc().expire_due_reservations().value() == 0);
  CHECK(x.f.svc().available_cash(x.a).value() == Cents{100'000});
  CHECK(x.notices().size() == 2);
  CHECK(x.f.svc().audit().ok());
}

TEST_CASE("lost expiry notices: any command's reload sends them, after an outage too",
          "[expiry][faults][regression]") {
  FaultyExpiryFixture x;
  x.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(x.f.svc().expire_due_reservations(), Reason::kStoreUnavailable));
  x.faulty->go_down();
  CHECK(denied_with(x.f.svc().credit(x.a, Cents{1}, EntryKind::kAdjustment, "k1"),
                    Reason::kStoreUnavailable));
  CHECK(x.notices().empty());
  CHECK_FALSE(x.f.svc().store_up());
  x.faulty->come_back();
  // The background reconnect's reload finds the expiries durable and sends them.
  REQUIRE(testing::eventually([&] { return x.f.svc().store_up(); }));
  CHECK(x.f.svc().credit(x.a, Cents{1}, EntryKind::kAdjustment, "k1").ok());
  CHECK(testing::eventually([&] { return x.notices().size() >= 2; }));
  CHECK(x.notices() == x.both());
  CHECK(x.f.svc().expire_due_reservations().value() == 0);
  CHECK(x.notices().size() == 2);
}

TEST_CASE("lost expiry notices: a sweep that failed before it was durable notifies on retry",
          "[expiry][faults][regression]") {
  FaultyExpiryFixture x;
  x.faulty->fail_next_commits(1, CommitFault::kUnavailable);
  CHECK(denied_with(x.f.svc().expire_due_reservations(), Reason::kStoreUnavailable));
  CHECK(x.notices().empty());
  CHECK(x.f.svc().expire_due_reservations().value() == 2);
  CHECK(x.notices() == x.both());
  CHECK(x.f.svc().expire_due_reservations().value() == 0);
  CHECK(x.notices().size() == 2);
}

TEST_CASE("lost expiry notices: an expiry reloaded past the retention window is notified",
          "[expiry][faults][regression]") {
  FaultyExpiryFixture x;
  x.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(x.f.svc().expire_due_reservations(), Reason::kStoreUnavailable));
  // The store stays away longer than finished reservations are kept, so the
  // reload no longer holds them.
  x.f.clock->advance(x.f.limits.finished_reservation_retention + absl::Hours(1));
  CHECK(x.f.svc().expire_due_reservations().value() == 0);
  CHECK(denied_with(x.f.svc().reservation_for_order(x.orders[0].order),
                    Reason::kReservationNotFound));
  CHECK(x.notices() == x.both());
}

TEST_CASE("a restart after an ambiguous sweep delivers its notices from the journal",
          "[expiry][faults][reconcile]") {
  FaultyExpiryFixture x;
  const absl::Time swept_at = x.f.clock->now();
  x.faulty->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(x.f.svc().expire_due_reservations(), Reason::kStoreUnavailable));
  x.reopen();  // The process ended before any reload.
  // The notifier's stored cursor is before the sweep's entry, which the store holds: the
  // reopened ledger delivers it.
  CHECK(x.notices() == x.both());
  CHECK(x.f.svc().expire_due_reservations().value() == 0);
  CHECK(x.notices() == x.both());
  // An engine may still ask what expired since a time, to check.
  const std::vector<Reservation> expired =
      x.f.svc().expired_reservations_since(swept_at - absl::Hours(1)).value();
  REQUIRE(expired.size() == 2);
  CHECK(expired[0].order == x.orders[0].order);
  CHECK(expired[1].order == x.orders[1].order);
  CHECK(expired[0].updated_at == swept_at);
  CHECK(x.f.svc().expired_reservations_since(swept_at + absl::Seconds(1)).value().empty());
  // Only as far back as finished reservations are kept.
  const absl::Time window_start = x.f.clock->now() - x.f.limits.finished_reservation_retention;
  CHECK(x.f.svc().expired_reservations_since(window_start).ok());
  CHECK(denied_with(x.f.svc().expired_reservations_since(window_start - absl::Seconds(1)),
                    Reason::kInvalidArgument));
}

TEST_CASE("expired_reservations_since lists only expiries, oldest first", "[expiry][reconcile]") {
  LedgerFixture f;
  const AccountId a = f.account(100'000);
  OrderSpec first = f.order(a, kAllen, Qty{10'000}, Price{10'000});
  first.expires_at = f.clock->now() + absl::Hours(48);
  OrderSpec second = f.order(a, kAllen, Qty{10'000}, Price{10'000});
  second.expires_at = f.clock->now() + absl::Hours(24);
  const OrderSpec cancelled = f.order(a, kAllen, Qty{10'000}, Price{10'000});
  const absl::Time start = f.clock->now();
  REQUIRE(f.svc().reserve_buy(first).ok());
  REQUIRE(f.svc().reserve_buy(second).ok());
  REQUIRE(f.svc().reserve_buy(cancelled).ok());
  REQUIRE(f.svc().cancel_order(cancelled.order).ok());
  f.clock->advance(absl::Hours(24));
  REQUIRE(f.svc().expire_due_reservations().value() == 1);
  f.clock->advance(absl::Hours(24));
  REQUIRE(f.svc().expire_due_reservations().value() == 1);
  const std::vector<Reservation> expired = f.svc().expired_reservations_since(start).value();
  REQUIRE(expired.size() == 2);
  CHECK(expired[0].order == second.order);
  CHECK(expired[1].order == first.order);
  f.reopen();  // Kept in memory across a restart, from the store.
  CHECK(f.svc().expired_reservations_since(start).value() == expired);
}

}  // namespace
}  // namespace account
