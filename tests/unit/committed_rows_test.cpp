// What commands write to the store: final images of stored figures only.
// Reserved cash, open notional, and the reserved and pending quantities of a
// position are derived from the active reservations (recomputed on restore),
// so an order's admission and its end write its reservation, and no account
// or position row.
#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "account/account_service.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/store.h"
#include "support/ledger_fixture.h"

namespace account::testing {
namespace {

// A MemoryStore that keeps a copy of every change set it commits.
class RecordingStore final : public Store {
 public:
  absl::Status commit(const ChangeSet& changes) override {
    absl::Status s = inner_.commit(changes);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      commits_.push_back(changes);
    }
    return s;
  }
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override {
    return inner_.load(request);
  }
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override {
    return inner_.find_execution(execution);
  }
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override {
    return inner_.trades(account, limit);
  }
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override {
    return inner_.journal(after_seq, limit);
  }

  // The change sets committed since the last call.
  std::vector<ChangeSet> take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(commits_, {});
  }

 private:
  MemoryStore inner_;
  std::mutex mu_;
  std::vector<ChangeSet> commits_;
};

constexpr SymbolId kPlayer{7};

struct Recorded {
  std::shared_ptr<RecordingStore> store = std::make_shared<RecordingStore>();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(test_epoch());
  std::unique_ptr<AccountService> service;

  Recorded() {
    reopen();
    add_parties();
  }
  void reopen() {
    service.reset();
    service = AccountService::open({.store = store, .clock = clock}).value();
  }
  // A buyer with $100,000 and a seller holding 10 shares of kPlayer.
  void add_parties();
  // An order of the buyer (kBuy) or the seller (kSell) in kPlayer.
  ReservationId place(Side side, uint64_t order, int64_t shares, Price limit) {
    const OrderSpec spec{.account = side == Side::kBuy ? buyer : seller,
                         .order = OrderId{order},
                         .symbol = kPlayer,
                         .qty = Qty{shares * kBpPerShare},
                         .limit = limit};
    return (side == Side::kBuy ? service->reserve_buy(spec) : service->reserve_sell(spec)).value();
  }
  ReservationId buy(uint64_t order, int64_t shares, Price limit) {
    return place(Side::kBuy, order, shares, limit);
  }
  ReservationId sell(uint64_t order, int64_t shares, Price limit) {
    return place(Side::kSell, order, shares, limit);
  }
  AccountId buyer, seller;

  AccountId funded(const std::string& google, Cents cash) {
    const AccountId id = service->create_account(google, google).value();
    if (cash > Cents{0}) {
      REQUIRE(service->credit(id, cash, EntryKind::kAdjustment, "fund:" + google).ok());
    }
    return id;
  }
};

void Recorded::add_parties() {
  buyer = funded("buyer", Cents{100'000'00});
  seller = funded("seller", Cents{0});
  REQUIRE(service->issue_shares(seller, kPlayer, Qty{10 * kBpPerShare}, "issue:1").ok());
}

TEST_CASE("Admitting and ending orders writes their reservations and no position or balance",
          "[committed_rows]") {
  Recorded r;
  (void)r.store->take();

  const ReservationId buy = r.buy(1, 4, Price{50'00});
  const ReservationId sell = r.sell(2, 3, Price{60'00});
  REQUIRE(r.service->release_reservation(buy).ok());
  REQUIRE(r.service->cancel_order(OrderId{2}).ok());

  const std::vector<ChangeSet> commits = r.store->take();
  REQUIRE(commits.size() == 4);
  for (const ChangeSet& c : commits) {
    CHECK(c.positions.empty());
    CHECK(c.balances.empty());
    REQUIRE(c.reservations.size() == 1);
  }
  CHECK(commits[0].reservations[0].id == buy);
  CHECK(commits[1].reservations[0].id == sell);
  CHECK(commits[2].reservations[0].status == ReservationStatus::kReleased);
  CHECK(commits[3].reservations[0].status == ReservationStatus::kCancelled);

  // In memory the derived quantities moved and came back.
  const Position held = r.service->position(r.seller, kPlayer).value().value();
  CHECK(held.qty == Qty{10 * kBpPerShare});
  CHECK(held.sell_reserved_qty == Qty{0});
}

TEST_CASE("A fill writes the positions and balances it moved", "[committed_rows]") {
  Recorded r;
  r.buy(1, 4, Price{50'00});
  r.sell(2, 4, Price{50'00});
  (void)r.store->take();
  REQUIRE(r.service
              ->settle({.execution = ExecutionId{1},
                        .symbol = kPlayer,
                        .qty = Qty{1 * kBpPerShare},
                        .price = Price{50'00},
                        .buyer = {r.buyer, OrderId{1}},
                        .seller = {r.seller, OrderId{2}},
                        .tick = TickId{1},
                        .time = r.clock->now()})
              .ok());
  const std::vector<ChangeSet> commits = r.store->take();
  REQUIRE(commits.size() == 1);
  CHECK(commits[0].positions.size() == 2);
  CHECK(commits[0].balances.size() == 2);
  CHECK(commits[0].reservations.size() == 2);
}

TEST_CASE("A reopened ledger rebuilds the quantities its open orders hold, positions they made too",
          "[committed_rows]") {
  Recorded r;
  // The buyer's position in kPlayer exists only through this open order: no
  // row of it was ever written.
  r.buy(1, 4, Price{50'00});
  r.sell(2, 3, Price{60'00});
  const Position buyer_before = r.service->position(r.buyer, kPlayer).value().value();
  const Position seller_before = r.service->position(r.seller, kPlayer).value().value();
  const Cents available_before = r.service->available_cash(r.buyer).value();

  r.reopen();
  CHECK(r.service->position(r.buyer, kPlayer).value() == buyer_before);
  CHECK(r.service->position(r.seller, kPlayer).value() == seller_before);
  CHECK(buyer_before.buy_pending_qty == Qty{4 * kBpPerShare});
  CHECK(seller_before.sell_reserved_qty == Qty{3 * kBpPerShare});
  CHECK(r.service->available_cash(r.buyer).value() == available_before);
  const AuditReport audit = r.service->audit();
  CHECK(audit.violations == std::vector<std::string>{});
}

}  // namespace
}  // namespace account::testing
