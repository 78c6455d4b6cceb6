#include "account/memory_store.h"

#include <malloc.h>

#include <catch2/catch.hpp>

#include <cstddef>
#include <utility>
#include <vector>

#include "account/testing/catch2.h"
#include "account/testing/store_conformance.h"

namespace account {
namespace {

TEST_CASE("MemoryStore conforms to the Store contract", "[store][memory]") {
  testing::catch2::check_store_conformance([] { return std::make_shared<MemoryStore>(); });
}

TEST_CASE("MemoryStore with preallocated log memory conforms to the Store contract",
          "[store][memory]") {
  testing::catch2::check_store_conformance([] {
    return std::make_shared<MemoryStore>(MemoryStoreOptions{.fills_preallocated = 5'000});
  });
}

// The execution ids a refused commit claimed are released (newest first, the
// way the index undoes them cheaply), so the same ids commit afterwards; ids
// that arrive out of order are claimed and refused like ascending ones.
TEST_CASE("MemoryStore releases a refused commit's execution ids in and out of order",
          "[store][memory]") {
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  MemoryStore store;
  REQUIRE(store.commit(testing::sample_changes(t)).ok());
  const Fill model = testing::sample_changes(t).executions[0];
  auto fills = [&](uint64_t first, uint64_t last) {
    ChangeSet c;
    for (uint64_t seq = first; seq <= last; ++seq) {
      Fill f = model;
      f.execution = ExecutionId{(uint64_t{2} << 40) | seq};
      c.executions.push_back(f);
    }
    return c;
  };
  auto found = [&](uint64_t seq) {
    return store.find_execution(ExecutionId{(uint64_t{2} << 40) | seq}).value().has_value();
  };

  ChangeSet refused = fills(1, 3'000);
  refused.executions.push_back(model);  // Already committed: the whole commit is refused.
  CHECK_FALSE(store.commit(refused).ok());
  CHECK_FALSE(found(1));
  CHECK_FALSE(found(3'000));
  REQUIRE(store.commit(fills(1, 3'000)).ok());
  CHECK(found(1));
  CHECK(found(2'999));

  // Out of order: below the newest id, in a gap of the committed ones.
  REQUIRE(store.commit(fills(5'000, 5'000)).ok());
  REQUIRE(store.commit(fills(4'000, 4'001)).ok());
  CHECK(found(4'000));
  CHECK(found(4'001));
  CHECK_FALSE(found(4'002));
  CHECK_FALSE(store.commit(fills(4'001, 4'001)).ok());
  ChangeSet mixed = fills(4'500, 4'510);
  mixed.executions.push_back(fills(5'000, 5'000).executions[0]);
  CHECK_FALSE(store.commit(mixed).ok());
  CHECK_FALSE(found(4'505));
  CHECK(found(5'000));
  REQUIRE(store.commit(fills(4'500, 4'510)).ok());
  CHECK(found(4'505));
  CHECK(store.load({}).value().executions.size() == 1 + 3'000 + 1 + 2 + 11);
}

// Reservations are kept as their last image, in a table dense by id; an id
// far above the rest goes to a side map. Both load back, by id, with the
// latest image, and a reservation id 0 is refused with nothing committed.
TEST_CASE("MemoryStore keeps each reservation's last image, dense ids and far ones alike",
          "[store][memory]") {
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  MemoryStore store;
  REQUIRE(store.commit(testing::sample_changes(t)).ok());
  const Reservation model = testing::sample_changes(t).reservations[1];  // Active.
  auto with = [&](uint64_t id, Qty remaining) {
    Reservation r = model;
    r.id = ReservationId{id};
    r.order = OrderId{1'000'000 + id};
    r.remaining_qty = remaining;
    return r;
  };
  const uint64_t far = uint64_t{1} << 50;
  ChangeSet first;
  first.reservations = {with(3, Qty{300}), with(far, Qty{500}), with(4, Qty{400})};
  REQUIRE(store.commit(first).ok());
  ChangeSet second;
  second.reservations = {with(3, Qty{30}), with(far, Qty{50})};  // Partly filled.
  REQUIRE(store.commit(second).ok());

  ChangeSet zero;
  zero.reservations = {with(5, Qty{1}), with(0, Qty{1})};
  const absl::Status refused = store.commit(zero);
  CHECK(refused.code() == absl::StatusCode::kInvalidArgument);

  const LedgerSnapshot s = store.load({}).value();
  std::vector<std::pair<uint64_t, int64_t>> got;
  for (const Reservation& r : s.reservations) {
    if (r.id.value() >= 3) got.emplace_back(r.id.value(), r.remaining_qty.value());
  }
  const std::vector<std::pair<uint64_t, int64_t>> want = {{3, 30}, {4, 400}, {far, 50}};
  CHECK(got == want);  // By id, each with its last image; nothing of the refused commit.
  CHECK(store.commits() == 3);
}


// Trades that repeat their execution's fields (the ledger's, buyer's then
// seller's after each fill) are kept as a reference to the execution; any
// other trade row is kept whole. Both read back field for field, in commit
// order, through trades() and load().
TEST_CASE("MemoryStore reads back trades that repeat their execution and trades that do not",
          "[store][memory]") {
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  const ChangeSet sample = testing::sample_changes(t);
  ChangeSet c;
  c.new_accounts = sample.new_accounts;
  c.executions = sample.executions;                          // One fill: accounts 1 and 2.
  const Trade buy = sample.trades[0];
  const Trade sell = sample.trades[1];
  Trade odd_notional = buy;                                  // Not what the fill gives.
  odd_notional.notional = buy.notional + Cents{1};
  Trade odd_account = sell;                                  // Not the fill's seller.
  odd_account.account = AccountId{1};
  Trade no_execution = buy;                                  // No execution at all.
  no_execution.execution = ExecutionId{999};
  Trade sell_with_pnl = sell;
  sell_with_pnl.realized_pnl = Cents{-123};
  // Rows 0, 1 are the fill's pair with other P&L; rows 2.. are laid out otherwise.
  c.trades = {buy, sell_with_pnl, odd_notional, odd_account, no_execution, sell};

  MemoryStore store;
  REQUIRE(store.commit(c).ok());
  CHECK(store.trades(AccountId{1}, 10).value() == std::vector<Trade>{
                                                      no_execution, odd_account, odd_notional,
                                                      buy});
  CHECK(store.trades(AccountId{2}, 10).value() == std::vector<Trade>{sell, sell_with_pnl});
  const LedgerSnapshot s = store.load({}).value();
  // Per account (by id), oldest first.
  CHECK(s.trades == std::vector<Trade>{buy, odd_notional, odd_account, no_execution,
                                       sell_with_pnl, sell});
}

// Bytes the allocator has handed out and not had back (glibc).
size_t heap_bytes_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// The store keeps the latest row of an account (its cash and link), a
// position and a reservation, as a database does, not one row per commit
// that wrote it.
TEST_CASE("MemoryStore's memory does not grow when the same rows are written again",
          "[store][memory]") {
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  MemoryStore store;
  ChangeSet c = testing::sample_changes(t);
  c.executions.clear();
  c.trades.clear();
  REQUIRE(store.commit(c).ok());
  ChangeSet again;
  again.balances = c.balances;
  again.positions = c.positions;
  again.reservations = c.reservations;
  again.links.push_back(AccountLink{AccountId{1}, SleeperLink{.user_id = "7", .username = "u",
                                                              .league_id = "1", .season = "2026",
                                                              .roster_id = 2}});
  REQUIRE(store.commit(again).ok());
  const size_t before = heap_bytes_in_use();
  bool committed = true;
  for (int64_t i = 1; i <= 100'000; ++i) {
    again.balances[0].cash = Cents{i};
    again.positions[1].qty = Qty{i};
    again.reservations[1].remaining_qty = Qty{i};
    committed = committed && store.commit(again).ok();
  }
  const size_t after = heap_bytes_in_use();
  REQUIRE(committed);
  // A log of every image grew by 216 bytes a commit here (a balance, a
  // position, a link): ~21 MB.
  CHECK(after < before + 64 * 1024);
  const LedgerSnapshot s = store.load({}).value();
  CHECK(s.accounts[0].cash == Cents{100'000});
  CHECK(s.accounts[0].sleeper.has_value());
  CHECK(s.positions[1].qty == Qty{100'000});
  CHECK(s.reservations[1].remaining_qty == Qty{100'000});
  CHECK(store.commits() == 100'002);
}

}  // namespace
}  // namespace account
