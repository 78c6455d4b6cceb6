// Commit faults: nothing is applied or acknowledged before the store
// commits, and an ambiguous commit is resolved by reloading from the store,
// so a retry finds the fill applied instead of applying it twice.
#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "support/faulty_store.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::FaultyStore;

constexpr SymbolId kAllen{1};

struct FaultFixture : testing::LedgerFixture {
  std::shared_ptr<FaultyStore> faulty = std::make_shared<FaultyStore>(store);
  AccountId buyer, seller;
  OrderSpec buy, sell;
  FaultFixture() {
    service = AccountService::open({.store = faulty, .clock = clock}).value();
    buyer = account(100'000);
    seller = account();
    give_shares(seller, kAllen, Qty{10'000});
    buy = order(buyer, kAllen, Qty{10'000}, Price{10'000});
    sell = order(seller, kAllen, Qty{10'000}, Price{5'000});
    REQUIRE(svc().reserve_buy(buy).ok());
    REQUIRE(svc().reserve_sell(sell).ok());
  }
};

TEST_CASE("a commit that fails before it is durable changes nothing", "[store][faults]") {
  FaultFixture f;
  const LedgerSnapshot before = f.svc().snapshot();
  const Fill fill = f.fill(f.buy, f.sell, Qty{5'000}, Price{8'000});
  f.faulty->inject(FaultyStore::Fault::kFailBeforeCommit);
  const auto result = f.svc().settle(fill);
  REQUIRE(denied_with(result, Reason::kStoreUnavailable));
  CHECK(result.status().code() == absl::StatusCode::kUnavailable);
  CHECK(transient(Reason::kStoreUnavailable));
  CHECK(f.svc().snapshot() == before);
  // The retry applies it, once.
  REQUIRE(f.svc().settle(fill).ok());
  CHECK(denied_with(f.svc().settle(fill), Reason::kDuplicateExecution));
  CHECK(f.svc().cash(f.seller).value() == Cents{4'000});
  CHECK(f.svc().audit().ok());
}

TEST_CASE("an ambiguous commit is resolved from the store: the retry is a duplicate",
          "[store][faults]") {
  FaultFixture f;
  const Fill fill = f.fill(f.buy, f.sell, Qty{5'000}, Price{8'000});
  f.faulty->inject(FaultyStore::Fault::kFailAfterCommit);
  REQUIRE(denied_with(f.svc().settle(fill), Reason::kStoreUnavailable));
  // Memory has not applied it yet, but the store has; the next command
  // reloads first and finds it.
  CHECK(denied_with(f.svc().settle(fill), Reason::kDuplicateExecution));
  CHECK(f.svc().cash(f.seller).value() == Cents{4'000});
  CHECK(f.svc().position(f.buyer, kAllen).value()->qty == Qty{5'000});
  CHECK(f.svc().audit().ok());
}

TEST_CASE("while the store is down commands are refused and queries answer from memory",
          "[store][faults]") {
  FaultFixture f;
  f.faulty->inject(FaultyStore::Fault::kDown);
  CHECK(denied_with(f.svc().reserve_buy(f.order(f.buyer, kAllen, Qty{1}, Price{100})),
                    Reason::kStoreUnavailable));
  // The failed commit makes a reload due; it fails too while the store is down.
  CHECK(denied_with(f.svc().credit(f.buyer, Cents{1}, EntryKind::kAdjustment, "adj"),
                    Reason::kStoreUnavailable));
  CHECK(f.svc().cash(f.buyer).value() == Cents{100'000});
  CHECK(f.svc().available_cash(f.buyer).value() == Cents{90'000});
  f.faulty->inject(FaultyStore::Fault::kNone);
  CHECK(f.svc().credit(f.buyer, Cents{1}, EntryKind::kAdjustment, "adj").ok());
  CHECK(f.svc().audit().ok());
}

TEST_CASE("a refused command in a failed group keeps its own reason", "[store][faults]") {
  FaultFixture f;
  f.faulty->inject(FaultyStore::Fault::kFailBeforeCommit);
  const Fill good = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  Fill bad = f.fill(f.buy, f.sell, Qty{1'000}, Price{8'000});
  bad.qty = Qty{0};
  const auto results = f.svc().settle_batch({good, bad});
  CHECK(denied_with(results[0], Reason::kStoreUnavailable));
  CHECK(denied_with(results[1], Reason::kInvalidQuantity));
}

}  // namespace
}  // namespace account
