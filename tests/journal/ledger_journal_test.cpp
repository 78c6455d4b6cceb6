// The ledger writes its journal (docs/journal.md): every committed group gets the next seq and
// its commands' events with the figures after them, chained; a refused command writes no event;
// an ambiguous commit, a commit refused for another writer's and a clock stepping back leave no
// gap and no repeat; events_since() answers from memory or the store and says why it will not.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/status.h"
#include "account/testing/fault_injecting_store.h"
#include "journal/entry_codec.h"
#include "ledger_journal_cases.h"
#include "support/durable_store_suite.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::CommitFault;
using testing::denied_with;
using testing::FaultInjectingStore;
using testing::LedgerFixture;
using testing::journal::check_chain_from_zero;
using testing::journal::read_all_since;
using testing::journal::stored_journal;

// MemoryStores by name, kept while the test runs: "opening again" finds the same one.
testing::journal::JournalStore memory_journal_store() {
  auto stores = std::make_shared<std::map<std::string, std::shared_ptr<MemoryStore>>>();
  return {
      .create =
          [stores] {
            const std::string name = "memory-" + std::to_string(stores->size());
            (*stores)[name] = std::make_shared<MemoryStore>();
            return name;
          },
      .open = [stores](const std::string& name) -> std::shared_ptr<Store> {
        return stores->at(name);
      },
  };
}

ACCOUNT_LEDGER_JOURNAL_TESTS("MemoryStore", "memory", memory_journal_store)

// The events of the newest entry.
std::vector<LedgerEvent> last_events(AccountService& svc) {
  const uint64_t head = svc.journal_head();
  REQUIRE(head > 0);
  const std::vector<JournalEntry> newest = svc.events_since(head - 1, 1'000).value();
  REQUIRE(newest.size() == 1);
  return newest.front().events;
}

template <typename Event>
Event only(const std::vector<LedgerEvent>& events, size_t index = 0, size_t count = 1) {
  REQUIRE(events.size() == count);
  REQUIRE(std::holds_alternative<Event>(events[index]));
  return std::get<Event>(events[index]);
}

TEST_CASE("each command writes its events with the figures after it", "[journal][ledger]") {
  LedgerFixture f;
  const AccountId alice = f.svc().create_account("google-alice", "Alice").value();
  {
    const auto e = only<AccountCreated>(last_events(f.svc()));
    CHECK(e.account.id == alice);
    CHECK(e.account.google_id == "google-alice");
    CHECK(e.account.display_name == "Alice");
    CHECK(e.account.cash == Cents{0});
  }
  const AccountId bob = f.account();
  REQUIRE(f.svc().credit(alice, Cents{100'000}, EntryKind::kFantasyCredit, "fund-alice").ok());
  {
    const auto e = only<EntryApplied>(last_events(f.svc()));
    CHECK(e.entry.key == "fund-alice");
    CHECK(e.entry.cash == Cents{100'000});
    CHECK(e.entry.time == f.clock->now());
    CHECK(e.cash_after == Cents{100'000});
    CHECK(!e.position_after.has_value());
  }
  REQUIRE(f.svc().debit(alice, Cents{1'000}, EntryKind::kAdjustment, "fee").ok());
  CHECK(only<EntryApplied>(last_events(f.svc())).cash_after == Cents{99'000});
  f.give_shares(bob, SymbolId{3}, Qty{50'000});
  {
    const auto e = only<EntryApplied>(last_events(f.svc()));
    REQUIRE(e.position_after.has_value());
    CHECK(e.position_after->qty == Qty{50'000});
    CHECK(e.position_after->symbol == SymbolId{3});
  }
  const SleeperLink link{.user_id = "u1", .username = "alice", .league_id = "L1",
                         .season = "2026", .roster_id = 2};
  REQUIRE(f.svc().link_sleeper(alice, link).ok());
  CHECK(only<SleeperLinkChanged>(last_events(f.svc())).link == link);
  // Linking the link held writes nothing: no entry.
  const uint64_t head = f.svc().journal_head();
  REQUIRE(f.svc().link_sleeper(alice, link).ok());
  CHECK(f.svc().journal_head() == head);

  const OrderSpec buy = f.order(alice, SymbolId{3}, Qty{20'000}, Price{1'000});  // 2 @ $10
  const OrderSpec sell = f.order(bob, SymbolId{3}, Qty{20'000}, Price{900});
  const ReservationId buy_id = f.svc().reserve_buy(buy).value();
  {
    const auto e = only<ReservationCreated>(last_events(f.svc()));
    CHECK(e.reservation.id == buy_id);
    CHECK(e.reservation.reserved_cash == Cents{2'000});
    CHECK(e.reservation.status == ReservationStatus::kActive);
  }
  const ReservationId sell_id = f.svc().reserve_sell(sell).value();
  REQUIRE(f.svc().extend_reservation(sell_id, f.clock->now() + absl::Hours(2)).ok());
  {
    const auto e = only<ReservationChanged>(last_events(f.svc()));
    CHECK(e.change == ReservationChange::kExtended);
    CHECK(e.reservation.expires_at == f.clock->now() + absl::Hours(2));
  }
  // A partial fill at a better price than the buyer's limit: 1 share at $9.50.
  REQUIRE(f.svc().settle(f.fill(buy, sell, Qty{10'000}, Price{950})).ok());
  {
    const std::vector<LedgerEvent> events = last_events(f.svc());
    const auto fill = only<FillApplied>(events, 0, 3);
    CHECK(fill.buyer.cash_after == Cents{99'000 - 950});
    CHECK(fill.buyer.position_after.qty == Qty{10'000});
    CHECK(fill.buyer.position_after.cost_basis == Cents{950});
    CHECK(fill.seller.cash_after == Cents{950});
    CHECK(fill.seller.position_after.qty == Qty{40'000});
    CHECK(fill.seller.realized_pnl == Cents{950});
    const auto buy_change = only<ReservationChanged>(events, 1, 3);
    CHECK(buy_change.change == ReservationChange::kPartlySettled);
    CHECK(buy_change.reservation.remaining_qty == Qty{10'000});
    CHECK(buy_change.reservation.reserved_cash == Cents{1'000});
    CHECK(buy_change.cash_freed == Cents{1'000});  // $9.50 paid, $0.50 given back.
    CHECK(buy_change.qty_freed == Qty{10'000});
    const auto sell_change = only<ReservationChanged>(events, 2, 3);
    CHECK(sell_change.reservation.id == sell_id);
    CHECK(sell_change.change == ReservationChange::kPartlySettled);
    CHECK(sell_change.qty_freed == Qty{10'000});
  }
  REQUIRE(f.svc().cancel_order(buy.order).ok());
  {
    const auto e = only<ReservationChanged>(last_events(f.svc()));
    CHECK(e.change == ReservationChange::kCancelled);
    CHECK(e.cash_freed == Cents{1'000});
    CHECK(e.qty_freed == Qty{10'000});
    CHECK(e.reservation.status == ReservationStatus::kCancelled);
  }
  REQUIRE(f.svc().release_reservation(sell_id).ok());
  CHECK(only<ReservationChanged>(last_events(f.svc())).change == ReservationChange::kReleased);
  const ReservationId late = f.svc().reserve_buy(f.order(alice, SymbolId{3}, Qty{1}, Price{100})).value();
  f.clock->advance(f.limits.reservation_expiry_default + absl::Seconds(1));
  REQUIRE(f.svc().expire_due_reservations().value() == 1);
  {
    const auto e = only<ReservationChanged>(last_events(f.svc()));
    CHECK(e.change == ReservationChange::kExpired);
    CHECK(e.reservation.id == late);
  }
  // A refused command writes no entry; nor does a retry that changes nothing.
  const uint64_t before = f.svc().journal_head();
  CHECK(denied_with(f.svc().debit(alice, Cents{1'000'000}, EntryKind::kAdjustment, "big"),
                    Reason::kInsufficientFunds));
  CHECK(denied_with(f.svc().credit(alice, Cents{100'000}, EntryKind::kFantasyCredit, "fund-alice"),
                    Reason::kDuplicateEntry));
  CHECK(f.svc().create_account("google-alice", "Alice").value() == alice);
  CHECK(f.svc().journal_head() == before);
  // What memory served is what the store holds, and the chain holds from zero.
  CHECK(read_all_since(f.svc(), 0, 3) == check_chain_from_zero(stored_journal(*f.store)));
}

TEST_CASE("a batch is one entry, without events for its refused commands", "[journal][ledger]") {
  LedgerFixture f;
  const AccountId alice = f.account(1'000'000);
  const uint64_t head = f.svc().journal_head();
  std::vector<OrderSpec> orders;
  for (int i = 0; i < 5; ++i) orders.push_back(f.order(alice, SymbolId{1}, Qty{10'000}, Price{100}));
  orders.push_back(f.order(AccountId{99}, SymbolId{1}, Qty{10'000}, Price{100}));  // No account.
  const auto results = f.svc().reserve_batch(orders, Side::kBuy);
  CHECK(denied_with(results.back(), Reason::kAccountNotFound));
  CHECK(f.svc().journal_head() == head + 1);
  const std::vector<LedgerEvent> events = last_events(f.svc());
  CHECK(events.size() == 5);
  for (const LedgerEvent& e : events) CHECK(std::holds_alternative<ReservationCreated>(e));
}

TEST_CASE("an ambiguous commit that landed, and one that did not, leave no gap and no repeat",
          "[journal][ledger][retry]") {
  auto inner = std::make_shared<MemoryStore>();
  auto store = std::make_shared<FaultInjectingStore>(inner);
  auto clock = std::make_shared<ManualClock>(testing::test_epoch());
  auto svc = AccountService::open({.store = store, .clock = clock}).value();
  const AccountId alice = svc->create_account("google-alice", "Alice").value();
  store->fail_next_commits(1, CommitFault::kAmbiguous);
  CHECK(denied_with(svc->credit(alice, Cents{500}, EntryKind::kAdjustment, "a"),
                    Reason::kStoreUnavailable));
  // The retry learns it landed, from the store the reload read.
  CHECK(denied_with(svc->credit(alice, Cents{500}, EntryKind::kAdjustment, "a"),
                    Reason::kDuplicateEntry));
  CHECK(svc->journal_head() == 2);
  store->fail_next_commits(1, CommitFault::kUnavailable);
  CHECK(denied_with(svc->credit(alice, Cents{700}, EntryKind::kAdjustment, "b"),
                    Reason::kStoreUnavailable));
  REQUIRE(svc->credit(alice, Cents{700}, EntryKind::kAdjustment, "b").ok());
  const std::vector<JournalEntry> entries = check_chain_from_zero(stored_journal(*inner));
  REQUIRE(entries.size() == 3);
  CHECK(std::get<EntryApplied>(entries[1].events.at(0)).entry.key == "a");
  CHECK(std::get<EntryApplied>(entries[2].events.at(0)).entry.key == "b");
  CHECK(read_all_since(*svc, 0, 10) == entries);
  CHECK(svc->audit().ok());
}

TEST_CASE("a ledger behind another writer's commit is refused, reloads and commits after it",
          "[journal][ledger][retry]") {
  auto store = std::make_shared<MemoryStore>();
  auto clock = std::make_shared<ManualClock>(testing::test_epoch());
  auto first = AccountService::open({.store = store, .clock = clock}).value();
  auto second = AccountService::open({.store = store, .clock = clock}).value();
  REQUIRE(first->create_account("google-a", "A").ok());
  // `second` stages seq 1 too: the store refuses it (kAborted), it reloads and writes seq 2.
  const AccountId b = second->create_account("google-b", "B").value();
  CHECK(b == AccountId{2});
  const std::vector<JournalEntry> entries = check_chain_from_zero(stored_journal(*store));
  REQUIRE(entries.size() == 2);
  CHECK(second->journal_head() == 2);
  CHECK(read_all_since(*second, 0, 10) == entries);
}

TEST_CASE("the commit time never goes back along the seq, even when the clock does",
          "[journal][ledger]") {
  LedgerFixture f;
  const AccountId alice = f.account();
  f.clock->advance(-absl::Hours(1));
  REQUIRE(f.svc().credit(alice, Cents{1}, EntryKind::kAdjustment, "back").ok());
  const std::vector<JournalEntry> entries = read_all_since(f.svc(), 0, 10);
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].committed_at == entries[0].committed_at);
  // And after a restart, from the stored head's time.
  f.reopen();
  f.clock->advance(-absl::Hours(1));
  REQUIRE(f.svc().credit(alice, Cents{1}, EntryKind::kAdjustment, "back-again").ok());
  CHECK(read_all_since(f.svc(), 2, 10).at(0).committed_at == entries[0].committed_at);
}

TEST_CASE("events_since: pages of whole entries, and why it refuses", "[journal][ledger]") {
  LedgerFixture f;
  const AccountId alice = f.account(1'000'000);
  std::vector<OrderSpec> orders;
  for (int i = 0; i < 4; ++i) orders.push_back(f.order(alice, SymbolId{1}, Qty{10'000}, Price{100}));
  (void)f.svc().reserve_batch(orders, Side::kBuy);  // Seq 3: 4 events.
  REQUIRE(f.svc().journal_head() == 3);
  // Whole entries until the next would pass max_events; the first whatever its size.
  CHECK(f.svc().events_since(0, 2).value().size() == 2);
  CHECK(f.svc().events_since(2, 1).value().size() == 1);
  CHECK(f.svc().events_since(2, 1).value().at(0).events.size() == 4);
  CHECK(f.svc().events_since(3, 10).value().empty());
  CHECK(denied_with(f.svc().events_since(4, 10), Reason::kJournalCursorAhead));
  CHECK(denied_with(f.svc().events_since(0, 0), Reason::kInvalidArgument));
}

TEST_CASE("events_since reads older entries from the store, and says when the store is down",
          "[journal][ledger]") {
  auto inner = std::make_shared<MemoryStore>();
  auto store = std::make_shared<FaultInjectingStore>(inner);
  auto clock = std::make_shared<ManualClock>(testing::test_epoch());
  LedgerLimits limits;
  limits.journal_in_memory_bytes_max = 200;  // A few entries.
  auto svc = AccountService::open({.store = store, .clock = clock, .limits = limits}).value();
  for (int i = 0; i < 30; ++i) REQUIRE(svc->create_account("g" + std::to_string(i), "N").ok());
  const std::vector<JournalEntry> all = read_all_since(*svc, 0, 4);
  CHECK(all == check_chain_from_zero(stored_journal(*inner)));
  store->go_down();
  CHECK(denied_with(svc->events_since(0, 10), Reason::kStoreUnavailable));
  // The newest are in memory: a consumer near the head reads on while the store is down.
  CHECK(svc->events_since(29, 10).value() == std::vector<JournalEntry>{all.back()});
  store->come_back();
}

TEST_CASE("with the journal off, no entry is written, and a journaled store is refused",
          "[journal][ledger]") {
  auto store = std::make_shared<MemoryStore>();
  auto clock = std::make_shared<ManualClock>(testing::test_epoch());
  {
    auto svc = AccountService::open({.store = store, .clock = clock, .journal_written = false})
                   .value();
    REQUIRE(svc->create_account("google-a", "A").ok());
    CHECK(denied_with(svc->events_since(0, 10), Reason::kJournalNotWritten));
    CHECK(stored_journal(*store).empty());
  }
  {
    // A store migrated from before the journal starts it with its next commit.
    auto svc = AccountService::open({.store = store, .clock = clock}).value();
    REQUIRE(svc->create_account("google-b", "B").ok());
    CHECK(check_chain_from_zero(stored_journal(*store)).size() == 1);
  }
  CHECK(denied_with(AccountService::open({.store = store, .clock = clock, .journal_written = false}),
                    Reason::kJournalNotWritten));
}

TEST_CASE("a prune through store faults: refused ones change nothing, an ambiguous one is "
          "retried to the same end",
          "[journal][retention]") {
  auto inner = std::make_shared<MemoryStore>();
  auto store = std::make_shared<FaultInjectingStore>(inner);
  auto clock = std::make_shared<ManualClock>(testing::test_epoch());
  auto svc = AccountService::open({.store = store, .clock = clock}).value();
  const AccountId a = svc->create_account("faults", "F").value();
  for (int i = 0; i < 10; ++i) {
    REQUIRE(svc->credit(a, Cents{100}, EntryKind::kAdjustment, "f-" + std::to_string(i)).ok());
  }
  const auto unchanged = [&] {
    CHECK(stored_journal(*inner).size() == 11);
    CHECK(!inner->journal_checkpoint().value().has_value());
  };
  store->go_down();
  CHECK(denied_with(svc->prune_journal({.before_seq = 5}), Reason::kStoreUnavailable));
  store->come_back();
  unchanged();
  store->fail_next_prune(CommitFault::kUnavailable);
  CHECK(denied_with(svc->prune_journal({.before_seq = 5}), Reason::kStoreUnavailable));
  unchanged();
  store->fail_next_prune(CommitFault::kRefused);
  CHECK(denied_with(svc->prune_journal({.before_seq = 5}), Reason::kStoreFailure));
  unchanged();
  // Written, the answer lost: the retry finds it done.
  store->fail_next_prune(CommitFault::kAmbiguous);
  CHECK(denied_with(svc->prune_journal({.before_seq = 5}), Reason::kStoreUnavailable));
  CHECK(stored_journal(*inner).size() == 7);
  CHECK(svc->prune_journal({.before_seq = 5}).value() ==
        JournalPruneResult{.checkpoint_seq = 4});
  CHECK(svc->cash(a).value() == Cents{1'000});
  REQUIRE(svc->credit(a, Cents{1}, EntryKind::kAdjustment, "after").ok());
  CHECK(stored_journal(*inner).back().seq == 12);
}

// What the ledger answered for an account at one time.
struct Figures {
  Cents cash;
  Cents available_cash;
  std::vector<Position> positions;
  friend bool operator==(const Figures&, const Figures&) = default;
};

TEST_CASE("balance_at gives what the ledger answered at that time, from the journal",
          "[journal][ledger][history]") {
  const uint64_t seed = GENERATE(3, 4);
  CAPTURE(seed);
  LedgerFixture f;
  testing::durable::Workload work(seed);
  for (int i = 0; i < 5; ++i) f.account(0);
  std::vector<std::pair<absl::Time, std::map<uint64_t, Figures>>> seen;
  for (int step = 0; step < 300; ++step) {
    work.run(f.svc(), *f.clock, 1);
    std::map<uint64_t, Figures> now;
    for (uint64_t a = 1; a <= 5; ++a) {
      const AccountId id{a};
      now[a] = Figures{f.svc().cash(id).value(), f.svc().available_cash(id).value(),
                       f.svc().positions(id).value()};
    }
    seen.emplace_back(f.clock->now(), std::move(now));
    // Later commits carry a later time than the one recorded.
    f.clock->advance(absl::Seconds(1));
  }
  REQUIRE(f.svc().journal_head() > 100);  // The workload did commit.
  for (size_t i = 0; i < seen.size(); i += 7) {
    const auto& [when, figures] = seen[i];
    for (const auto& [a, expected] : figures) {
      CAPTURE(i, a);
      const AccountBalance got = f.svc().balance_at(AccountId{a}, when).value();
      CHECK(Figures{got.cash, got.available_cash, got.positions} == expected);
    }
  }
  // Before an account existed; after a restart (the journal from the store).
  CHECK(denied_with(f.svc().balance_at(AccountId{1}, testing::test_epoch() - absl::Seconds(1)),
                    Reason::kAccountNotFound));
  f.reopen();
  const auto& [when, figures] = seen[seen.size() / 2];
  const AccountBalance got = f.svc().balance_at(AccountId{2}, when).value();
  CHECK(Figures{got.cash, got.available_cash, got.positions} == figures.at(2));
}

}  // namespace
}  // namespace account
