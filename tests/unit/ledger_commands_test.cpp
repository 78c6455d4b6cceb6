// One test per command, and one row per reason code in each command's
// precedence order: every denial names its reason and changes nothing.
#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/notional.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::LedgerFixture;

constexpr SymbolId kAllen{1};
constexpr SymbolId kHenry{2};

TEST_CASE("create_account assigns dense ids and refuses a second account per google id",
          "[ledger][accounts]") {
  LedgerFixture f;
  const AccountId a = f.svc().create_account("sub-a", "Alice").value();
  const AccountId b = f.svc().create_account("sub-b", "").value();
  CHECK(a == AccountId{1});
  CHECK(b == AccountId{2});
  CHECK(f.svc().get_account_id_by_user_id("sub-a").value() == a);
  const Account alice = f.svc().get_account(a).value();
  CHECK(alice.display_name == "Alice");
  CHECK(alice.cash == Cents{0});
  CHECK(alice.created_at == testing::test_epoch());

  // Find-or-create: the google id's account, whatever name comes with it.
  CHECK(f.svc().create_account("sub-a", "Mallory").value() == a);
  CHECK(f.svc().get_account(a).value().display_name == "Alice");
  CHECK(denied_with(f.svc().create_account("", "x"), Reason::kInvalidArgument));
  CHECK(denied_with(f.svc().create_account(std::string(256, 'g'), "x"),
                    Reason::kInvalidArgument));
  CHECK(denied_with(f.svc().create_account(std::string("a\0b", 3), "x"),
                    Reason::kInvalidArgument));
  CHECK(denied_with(f.svc().create_account("sub-c", std::string(256, 'n')),
                    Reason::kInvalidArgument));
  CHECK(f.svc().account_count() == 2);
  CHECK(denied_with(f.svc().get_account_id_by_user_id("sub-z"), Reason::kAccountNotFound));
  CHECK(denied_with(f.svc().get_account(AccountId{3}), Reason::kAccountNotFound));
}

TEST_CASE("display names with quotes and control text are stored verbatim", "[ledger][accounts]") {
  LedgerFixture f;
  const std::string name = "O'Brien \"; DROP TABLE accounts; --";
  const AccountId a = f.svc().create_account("sub-q", name).value();
  CHECK(f.svc().get_account(a).value().display_name == name);
  f.reopen();
  CHECK(f.svc().get_account(a).value().display_name == name);
}

TEST_CASE("credit and debit are idempotent by key", "[ledger][entries]") {
  LedgerFixture f;
  const AccountId a = f.account();
  REQUIRE(f.svc().credit(a, Cents{10'000}, EntryKind::kFantasyCredit, "fantasy:1:w1").ok());
  CHECK(f.svc().cash(a).value() == Cents{10'000});

  SECTION("the same key and fields again is a duplicate and pays nothing") {
    CHECK(denied_with(f.svc().credit(a, Cents{10'000}, EntryKind::kFantasyCredit, "fantasy:1:w1"),
                      Reason::kDuplicateEntry));
    CHECK(f.svc().cash(a).value() == Cents{10'000});
  }
  SECTION("the same key with another amount is a conflict") {
    CHECK(denied_with(f.svc().credit(a, Cents{9'999}, EntryKind::kFantasyCredit, "fantasy:1:w1"),
                      Reason::kEntryConflict));
    CHECK(denied_with(f.svc().debit(a, Cents{10'000}, EntryKind::kFantasyCredit, "fantasy:1:w1"),
                      Reason::kEntryConflict));
    CHECK(f.svc().cash(a).value() == Cents{10'000});
  }
  SECTION("a debit takes available cash only") {
    REQUIRE(f.svc().reserve_buy(f.order(a, kAllen, Qty{10'000}, Price{6'000})).ok());
    CHECK(denied_with(f.svc().debit(a, Cents{4'001}, EntryKind::kAdjustment, "adj:1"),
                      Reason::kInsufficientFunds));
    REQUIRE(f.svc().debit(a, Cents{4'000}, EntryKind::kAdjustment, "adj:2").ok());
    CHECK(f.svc().cash(a).value() == Cents{6'000});
    CHECK(f.svc().available_cash(a).value() == Cents{0});
  }
}

TEST_CASE("credit and debit denials in precedence order", "[ledger][entries][reasons]") {
  LedgerFixture f;
  const AccountId a = f.account(100);
  // kInvalidAmount before everything else, even with a bad key and unknown account.
  CHECK(denied_with(f.svc().credit(AccountId{99}, Cents{0}, EntryKind::kAdjustment, ""),
                    Reason::kInvalidAmount));
  CHECK(denied_with(f.svc().debit(a, Cents{-5}, EntryKind::kAdjustment, "k"),
                    Reason::kInvalidAmount));
  CHECK(denied_with(f.svc().credit(a, Cents{5}, EntryKind::kShareIssue, "k"),
                    Reason::kInvalidAmount));
  CHECK(denied_with(f.svc().credit(a, f.limits.entry_cash_max + Cents{1},
                                   EntryKind::kAdjustment, "k"),
                    Reason::kInvalidAmount));
  CHECK(denied_with(f.svc().credit(AccountId{99}, Cents{5}, EntryKind::kAdjustment, ""),
                    Reason::kInvalidArgument));
  CHECK(denied_with(f.svc().credit(a, Cents{5}, EntryKind::kAdjustment, std::string(129, 'k')),
                    Reason::kInvalidArgument));
  CHECK(denied_with(f.svc().credit(AccountId{99}, Cents{5}, EntryKind::kAdjustment, "k"),
                    Reason::kAccountNotFound));
  CHECK(denied_with(f.svc().debit(a, Cents{101}, EntryKind::kAdjustment, "k"),
                    Reason::kInsufficientFunds));
  CHECK(f.svc().cash(a).value() == Cents{100});
}

TEST_CASE("the insufficient-funds denial names required and available cents", "[ledger][reasons]") {
  LedgerFixture f;
  const AccountId a = f.account(4'998);
  const auto denied = f.svc().reserve_buy(f.order(a, kAllen, Qty{1'429}, Price{35'000}));
  REQUIRE(denied_with(denied, Reason::kInsufficientFunds));
  CHECK(denied.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(denied.status().message()) ==
        "InsufficientFunds: required 5002 cents, available 4998 cents");
}

TEST_CASE("reserve_buy holds the worst case at the limit, rounded up", "[ledger][reserve]") {
  LedgerFixture f;
  const AccountId a = f.account(10'000);
  const OrderSpec spec = f.order(a, kAllen, Qty{1'429}, Price{35'000});
  const ReservationId id = f.svc().reserve_buy(spec).value();
  const Reservation r = f.svc().reservation(id).value();
  CHECK(r.reserved_cash == Cents{5'002});
  CHECK(r.remaining_qty == Qty{1'429});
  CHECK(r.expires_at == testing::test_epoch() + absl::Hours(24 * 7));
  CHECK(r.status == ReservationStatus::kActive);
  // Reserved, not deducted (the seed's balance-reservation scenario).
  CHECK(f.svc().cash(a).value() == Cents{10'000});
  CHECK(f.svc().available_cash(a).value() == Cents{4'998});
  CHECK(f.svc().reservation_for_order(spec.order).value().id == id);
  CHECK(f.svc().active_reservations(a).value().size() == 1);
}

TEST_CASE("reserve_buy denials in precedence order", "[ledger][reserve][reasons]") {
  LedgerLimits limits;
  limits.position_cap_qty = Qty{5 * kBpPerShare};
  limits.open_notional_cap = Cents{100'000};
  LedgerFixture f(limits);
  const AccountId a = f.account(200'000);
  auto spec = [&](Qty qty, Price limit) { return f.order(a, kAllen, qty, limit); };

  CHECK(denied_with(f.svc().reserve_buy(spec(Qty{0}, Price{0})), Reason::kInvalidQuantity));
  CHECK(denied_with(f.svc().reserve_buy(spec(f.limits.order_qty_max + Qty{1}, Price{100})),
                    Reason::kInvalidQuantity));
  CHECK(denied_with(f.svc().reserve_buy(spec(Qty{1}, Price{99})), Reason::kInvalidPrice));
  CHECK(denied_with(f.svc().reserve_buy(spec(Qty{1}, Price{100'001})), Reason::kInvalidPrice));
  OrderSpec past = spec(Qty{1}, Price{100});
  past.expires_at = f.clock->now();
  CHECK(denied_with(f.svc().reserve_buy(past), Reason::kExpiryInPast));
  OrderSpec too_long = spec(Qty{1}, Price{100});
  too_long.expires_at = f.clock->now() + absl::Hours(24 * 30) + absl::Seconds(1);
  CHECK(denied_with(f.svc().reserve_buy(too_long), Reason::kExpiryTooLong));
  OrderSpec stranger = spec(Qty{1}, Price{100});
  stranger.account = AccountId{42};
  CHECK(denied_with(f.svc().reserve_buy(stranger), Reason::kAccountNotFound));
  const OrderSpec first = spec(Qty{1}, Price{100});
  REQUIRE(f.svc().reserve_buy(first).ok());
  OrderSpec again = spec(Qty{2}, Price{100});
  again.order = first.order;
  CHECK(denied_with(f.svc().reserve_buy(again), Reason::kOrderConflict));
  CHECK(denied_with(f.svc().reserve_buy(spec(Qty{3 * kBpPerShare}, Price{100'000})),
                    Reason::kInsufficientFunds));
  CHECK(denied_with(f.svc().reserve_buy(spec(Qty{5 * kBpPerShare}, Price{100})),
                    Reason::kPositionLimitExceeded));
  CHECK(denied_with(f.svc().reserve_buy(spec(Qty{2 * kBpPerShare}, Price{50'001})),
                    Reason::kOpenNotionalLimitExceeded));
  // Exactly at each cap is allowed.
  CHECK(f.svc().reserve_buy(spec(Qty{2 * kBpPerShare}, Price{49'999})).ok());
  CHECK(f.svc().available_cash(a).value() == Cents{200'000 - 1 - 99'998});
}

TEST_CASE("reserve_sell holds shares and refuses short selling", "[ledger][reserve][reasons]") {
  LedgerFixture f;
  const AccountId a = f.account();
  CHECK(denied_with(f.svc().reserve_sell(f.order(a, kAllen, Qty{1}, Price{100})),
                    Reason::kInsufficientPosition));
  f.give_shares(a, kAllen, Qty{10'000});
  const ReservationId r1 = f.svc().reserve_sell(f.order(a, kAllen, Qty{6'000}, Price{100})).value();
  CHECK(f.svc().position(a, kAllen).value()->available_qty() == Qty{4'000});
  CHECK(f.svc().reservation(r1).value().reserved_cash == Cents{0});
  const auto over = f.svc().reserve_sell(f.order(a, kAllen, Qty{4'001}, Price{100}));
  REQUIRE(denied_with(over, Reason::kInsufficientPosition));
  CHECK(std::string(over.status().message()) ==
        "InsufficientPosition: required 4001 bp, available 4000 bp");
  CHECK(denied_with(f.svc().reserve_sell(f.order(a, kHenry, Qty{1}, Price{100})),
                    Reason::kInsufficientPosition));
  CHECK(f.svc().reserve_sell(f.order(a, kAllen, Qty{4'000}, Price{100})).ok());
  CHECK(f.svc().position(a, kAllen).value()->available_qty() == Qty{0});
  // Selling does not touch cash.
  CHECK(f.svc().available_cash(a).value() == Cents{0});
}

TEST_CASE("open refuses limits that make no sense, naming the field", "[ledger][limits]") {
  CHECK(validate_limits(LedgerLimits{}).ok());
  struct Row {
    std::string_view field;
    void (*spoil)(LedgerLimits&);
  };
  const Row rows[] = {
      {"price_min", [](LedgerLimits& l) { l.price_min = Price{0}; }},
      {"price_max", [](LedgerLimits& l) { l.price_max = Price{l.price_min.cents_per_share() - 1}; }},
      {"order_qty_max", [](LedgerLimits& l) { l.order_qty_max = Qty{0}; }},
      {"order_qty_max", [](LedgerLimits& l) { l.order_qty_max = Qty{int64_t{1} << 62}; }},
      {"position_cap_qty", [](LedgerLimits& l) { l.position_cap_qty = Qty{0}; }},
      {"open_notional_cap", [](LedgerLimits& l) { l.open_notional_cap = Cents{-1}; }},
      {"entry_cash_max", [](LedgerLimits& l) { l.entry_cash_max = Cents{0}; }},
      {"entry_qty_max", [](LedgerLimits& l) { l.entry_qty_max = Qty{0}; }},
      {"reservation_expiry_default",
       [](LedgerLimits& l) { l.reservation_expiry_default = absl::ZeroDuration(); }},
      {"reservation_expiry_max",
       [](LedgerLimits& l) { l.reservation_expiry_max = absl::Hours(24); }},
      {"execution_retention", [](LedgerLimits& l) { l.execution_retention = -absl::Hours(1); }},
      {"fill_time_ahead_max", [](LedgerLimits& l) { l.fill_time_ahead_max = -absl::Seconds(1); }},
      {"finished_reservation_retention",
       [](LedgerLimits& l) { l.finished_reservation_retention = -absl::Hours(1); }},
      {"trades_in_memory_per_account_max",
       [](LedgerLimits& l) { l.trades_in_memory_per_account_max = 0; }},
      // With no command per group, a command would never run.
      {"group_commit_commands_max", [](LedgerLimits& l) { l.group_commit_commands_max = 0; }},
  };
  for (const Row& row : rows) {
    CAPTURE(row.field);
    LedgerLimits limits;
    row.spoil(limits);
    const auto opened =
        AccountService::open({.store = std::make_shared<MemoryStore>(), .limits = limits});
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(opened.status().message()),
               Catch::Contains("LedgerLimits::" + std::string(row.field) + " "));
  }
}

// No ledger runs on a volatile store by omission: the store has no default.
TEST_CASE("open without a store is refused, naming what to give", "[ledger][open][reasons]") {
  const auto opened = AccountService::open({});
  REQUIRE_FALSE(opened.ok());
  CHECK(reason_of(opened.status()) == Reason::kInvalidArgument);
  CHECK_THAT(std::string(opened.status().message()), Catch::Contains("no store"));
  CHECK_THAT(std::string(opened.status().message()), Catch::Contains("MemoryStore"));
}

TEST_CASE("extend_reservation allows at most 30 days after creation", "[ledger][extend][reasons]") {
  LedgerFixture f;
  const AccountId a = f.account(100'000);
  const ReservationId r = f.svc().reserve_buy(f.order(a, kAllen, Qty{10'000}, Price{100})).value();
  const absl::Time created = f.clock->now();
  f.clock->advance(absl::Hours(24 * 5));
  REQUIRE(f.svc().extend_reservation(r, created + absl::Hours(24 * 30)).ok());
  CHECK(f.svc().reservation(r).value().expires_at == created + absl::Hours(24 * 30));
  CHECK(denied_with(f.svc().extend_reservation(r, created + absl::Hours(24 * 30) + absl::Seconds(1)),
                    Reason::kExpiryTooLong));
  // A nanosecond over: the message's two times must differ where they do.
  const absl::Status over =
      f.svc().extend_reservation(r, created + absl::Hours(24 * 30) + absl::Nanoseconds(1));
  CHECK(denied_with(over, Reason::kExpiryTooLong));
  const auto text = [](absl::Time t) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
  };
  CHECK_THAT(std::string(over.message()),
             Catch::Contains(text(created + absl::Hours(24 * 30) + absl::Nanoseconds(1))) &&
                 Catch::Contains(text(created + absl::Hours(24 * 30))));
  CHECK(denied_with(f.svc().extend_reservation(r, f.clock->now()), Reason::kExpiryInPast));
  CHECK(denied_with(f.svc().extend_reservation(ReservationId{77}, created + absl::Hours(48)),
                    Reason::kReservationNotFound));
  REQUIRE(f.svc().release_reservation(r).ok());
  CHECK(denied_with(f.svc().extend_reservation(r, created + absl::Hours(48 * 5)),
                    Reason::kReservationNotActive));
}

TEST_CASE("cancel_order and release_reservation free what the order held", "[ledger][cancel]") {
  LedgerFixture f;
  const AccountId a = f.account(100'000);
  f.give_shares(a, kHenry, Qty{20'000});
  const OrderSpec buy = f.order(a, kAllen, Qty{10'000}, Price{35'000});
  const OrderSpec sell = f.order(a, kHenry, Qty{20'000}, Price{1'000});
  REQUIRE(f.svc().reserve_buy(buy).ok());
  const ReservationId sell_id = f.svc().reserve_sell(sell).value();
  CHECK(f.svc().available_cash(a).value() == Cents{65'000});

  REQUIRE(f.svc().cancel_order(buy.order).ok());
  CHECK(f.svc().available_cash(a).value() == Cents{100'000});
  CHECK(f.svc().reservation_for_order(buy.order).value().status ==
        ReservationStatus::kCancelled);
  CHECK(f.svc().cancel_order(buy.order).ok());  // A retry: already so.
  CHECK(f.svc().available_cash(a).value() == Cents{100'000});
  CHECK(denied_with(f.svc().cancel_order(OrderId{999}), Reason::kReservationNotFound));

  REQUIRE(f.svc().release_reservation(sell_id).ok());
  CHECK(f.svc().reservation(sell_id).value().status == ReservationStatus::kReleased);
  CHECK(f.svc().position(a, kHenry).value()->available_qty() == Qty{20'000});
  CHECK(f.svc().release_reservation(sell_id).ok());  // A retry: already so.
  CHECK(f.svc().position(a, kHenry).value()->available_qty() == Qty{20'000});
  CHECK(denied_with(f.svc().release_reservation(ReservationId{999}),
                    Reason::kReservationNotFound));
  CHECK(f.svc().active_reservations(a).value().empty());
  CHECK(f.svc().audit().ok());
}

TEST_CASE("reserve_batch and release_batch: one transaction, a result per order, in order",
          "[ledger][reserve][batch]") {
  LedgerFixture f;
  const AccountId a = f.account(100'000);
  const AccountId b = f.account(10'000);
  const OrderSpec first = f.order(a, kAllen, Qty{10'000}, Price{60'000});   // 60000 cents
  const OrderSpec second = f.order(a, kAllen, Qty{10'000}, Price{50'000});  // 50000: too much
  const OrderSpec third = f.order(a, kHenry, Qty{10'000}, Price{40'000});   // 40000: fits
  const OrderSpec again = first;                                            // a retry
  const OrderSpec bad_qty = f.order(b, kAllen, Qty{0}, Price{10'000});
  const uint64_t commits_before = f.store->commits();
  const auto reserved =
      f.svc().reserve_batch({first, second, third, again, bad_qty}, Side::kBuy);
  REQUIRE(reserved.size() == 5);
  REQUIRE(reserved[0].ok());
  // The second is checked against what the first left: 40000 available.
  CHECK(denied_with(reserved[1], Reason::kInsufficientFunds));
  REQUIRE(reserved[2].ok());
  CHECK(reserved[3].value() == *reserved[0]);  // The first answer, nothing held twice.
  CHECK(denied_with(reserved[4], Reason::kInvalidQuantity));
  CHECK(f.store->commits() == commits_before + 1);
  CHECK(f.svc().available_cash(a).value() == Cents{0});
  CHECK(f.svc().reservation_for_order(third.order).value().id == *reserved[2]);

  const auto released =
      f.svc().release_batch({*reserved[2], *reserved[0], *reserved[2], ReservationId{999}});
  REQUIRE(released.size() == 4);
  CHECK(released[0].ok());
  CHECK(released[1].ok());
  CHECK(released[2].ok());  // Released earlier in the batch: already so.
  CHECK(denied_with(released[3], Reason::kReservationNotFound));
  CHECK(f.store->commits() == commits_before + 2);
  CHECK(f.svc().available_cash(a).value() == Cents{100'000});
  CHECK(f.svc().active_reservations(a).value().empty());
  CHECK(f.svc().audit().ok());

  // Restored from the store, the ledger is the same.
  const LedgerSnapshot before = f.svc().snapshot();
  f.reopen();
  CHECK(f.svc().snapshot() == before);
}

TEST_CASE("issue_shares is idempotent and counts toward conservation", "[ledger][entries]") {
  LedgerFixture f;
  const AccountId mm = f.account();
  REQUIRE(f.svc().issue_shares(mm, kAllen, Qty{50'000}, "ipo:allen").ok());
  CHECK(denied_with(f.svc().issue_shares(mm, kAllen, Qty{50'000}, "ipo:allen"),
                    Reason::kDuplicateEntry));
  CHECK(denied_with(f.svc().issue_shares(mm, kHenry, Qty{50'000}, "ipo:allen"),
                    Reason::kEntryConflict));
  CHECK(denied_with(f.svc().issue_shares(mm, kAllen, Qty{0}, "ipo:zero"),
                    Reason::kInvalidQuantity));
  CHECK(denied_with(f.svc().issue_shares(AccountId{9}, kAllen, Qty{1}, "ipo:x"),
                    Reason::kAccountNotFound));
  const Position p = *f.svc().position(mm, kAllen).value();
  CHECK(p.qty == Qty{50'000});
  CHECK(p.cost_basis == Cents{0});
  CHECK(f.svc().audit().ok());
}

}  // namespace
}  // namespace account
