// The durable-store suite: what every Store that keeps the ledger across a restart must do, run
// by the tests of each (tests/sqlite, tests/postgres) with one line:
//
//   ACCOUNT_DURABLE_STORE_TESTS("SqliteStore", "SQLite", "sqlite", sqlite_durable_store)
//
// where `sqlite_durable_store()` returns a DurableStore: how to make a new, empty store, how to
// open it again once every handle on it is dropped, and how to count its accounts with the
// backend's own tool. Each case runs the same commits, or the same random workload, on the store
// and on a MemoryStore, compares every load() and the ledgers, closes the store, opens it again,
// compares again, delivers every applied fill again (each a duplicate) and audits.
//
// It is Catch2 code, the project's own, not account::testing's: the crash, disk-full, damaged-
// file and server-stopped tests that make durability mean something stay with each store, and
// what a consumer's Store must do is the conformance suite (docs/testing.md says why).
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/store.h"
#include "account/testing/store_conformance.h"
#include "support/ledger_fixture.h"

namespace account::testing::durable {

// One kind of durable store, as the suite reaches it.
struct DurableStore {
  // Makes a new, empty store and returns where it lives (a file's path, a database's URL).
  std::function<std::string()> create;
  // Opens the store at `where`: first after create(), and again after every handle the suite
  // took is dropped (a store's writer lock goes with its last handle).
  std::function<std::shared_ptr<Store>(const std::string& where)> open;
  // The number of accounts the store at `where` holds, counted with the backend's own tool,
  // not through the Store; the suite has dropped its handles first.
  std::function<int64_t(const std::string& where)> count_accounts;
};

// Random commands over 5 accounts and 3 symbols: credits, debits, orders
// one by one and in batches, fills one by one and in batches, cancels,
// releases, Sleeper links, and the clock moving by hours (so that orders
// expire and early fills leave the dedupe window). The same seed gives the
// same commands, so ledgers on different stores must end equal.
class Workload {
 public:
  explicit Workload(uint64_t seed) : rng_(seed) {}

  void run(AccountService& svc, ManualClock& clock, int steps) {
    for (int i = 0; i < steps; ++i) step(svc, clock);
  }
  const std::vector<Fill>& applied() const { return applied_; }

 private:
  uint64_t pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(1, n)(rng_); }
  int64_t pick_i(uint64_t n) { return static_cast<int64_t>(pick(n)); }

  OrderSpec order(uint64_t id) {
    return OrderSpec{.account = AccountId{pick(5)},
                     .order = OrderId{id},
                     .symbol = SymbolId{pick(3)},
                     .qty = Qty{pick_i(30'000)},
                     .limit = Price{100 + pick_i(9'000)}};
  }

  void step(AccountService& svc, ManualClock& clock) {
    const uint64_t id = next_id_++;
    switch (pick(10)) {
      case 1:
        (void)svc.credit(AccountId{pick(5)}, Cents{pick_i(80'000)}, EntryKind::kFantasyCredit,
                         "k" + std::to_string(id));
        break;
      case 2:
        (void)svc.debit(AccountId{pick(5)}, Cents{pick_i(5'000)}, EntryKind::kAdjustment,
                        "d" + std::to_string(id));
        break;
      case 3:
        (void)svc.reserve_buy(order(id));
        break;
      case 4:
        (void)svc.reserve_sell(order(id));
        break;
      case 5: {
        std::vector<OrderSpec> batch;
        for (uint64_t j = 0; j < pick(4); ++j) batch.push_back(order(id * 10 + j + 1'000'000));
        (void)svc.reserve_batch(batch, pick(2) == 1 ? Side::kBuy : Side::kSell);
        break;
      }
      case 6:
      case 7:
        match(svc, clock, id);
        break;
      case 8:
        if (pick(2) == 1) {
          (void)svc.cancel_order(OrderId{id - pick(std::min<uint64_t>(id - 999, 40))});
        } else {
          (void)svc.release_reservation(ReservationId{pick(std::max<uint64_t>(1, id - 1'000))});
        }
        break;
      case 9:
        (void)svc.link_sleeper(AccountId{pick(5)},
                               SleeperLink{.user_id = "u" + std::to_string(pick(9)),
                                           .username = "user's name",
                                           .league_id = "L" + std::to_string(pick(3)),
                                           .season = "2026",
                                           .roster_id = pick_i(12)});
        break;
      case 10:
        clock.advance(absl::Hours(pick_i(20)));
        (void)svc.expire_due_reservations();
        break;
    }
  }

  // Settles crossing pairs among the active orders: one fill alone, or a
  // batch of up to three in one settle_batch.
  void match(AccountService& svc, ManualClock& clock, uint64_t id) {
    std::vector<Fill> fills;
    const uint64_t wanted = pick(3);
    std::vector<uint64_t> used;
    for (uint64_t o = id - 1; o >= 1'000 && o + 80 > id && fills.size() < wanted; --o) {
      auto buy = svc.reservation_for_order(OrderId{o});
      if (!buy.ok() || !buy->active() || buy->side != Side::kBuy) continue;
      for (uint64_t p = id - 1; p >= 1'000 && p + 80 > id; --p) {
        auto sell = svc.reservation_for_order(OrderId{p});
        if (!sell.ok() || !sell->active() || sell->side != Side::kSell ||
            sell->symbol != buy->symbol || sell->account == buy->account ||
            sell->limit > buy->limit || std::find(used.begin(), used.end(), p) != used.end()) {
          continue;
        }
        const int64_t most = std::min(buy->remaining_qty.value(), sell->remaining_qty.value());
        fills.push_back(Fill{.execution = ExecutionId{id * 8 + fills.size()},
                             .symbol = buy->symbol,
                             .qty = Qty{pick_i(static_cast<uint64_t>(most))},
                             .price = sell->limit,
                             .buyer = {buy->account, buy->order},
                             .seller = {sell->account, sell->order},
                             .tick = TickId{id},
                             .time = clock.now()});
        used.push_back(p);
        break;
      }
    }
    if (fills.size() == 1) {
      if (svc.settle(fills[0]).ok()) applied_.push_back(fills[0]);
      return;
    }
    const auto results = svc.settle_batch(fills);
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].ok()) applied_.push_back(fills[i]);
    }
  }

  std::mt19937_64 rng_;
  uint64_t next_id_ = 1'000;
  std::vector<Fill> applied_;
};

inline void seed_accounts(AccountService& svc) {
  for (int i = 1; i <= 5; ++i) {
    const std::string n = std::to_string(i);
    const AccountId id = svc.create_account("google-sub-" + n, "User '" + n + "'").value();
    REQUIRE(svc.credit(id, Cents{300'000}, EntryKind::kFantasyCredit, "seed-" + n).ok());
    for (int s = 1; s <= 3; ++s) {
      REQUIRE(svc.issue_shares(id, SymbolId{static_cast<uint64_t>(s)}, Qty{60'000},
                               "issue-" + std::to_string(s) + "-" + n)
                  .ok());
    }
  }
}

// A ledger on `store` after the seeded accounts and 700 steps of the workload of `seed`.
struct Run {
  std::shared_ptr<Store> store;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(test_epoch());
  std::unique_ptr<AccountService> service;
  Workload work;

  Run(std::shared_ptr<Store> s, uint64_t seed) : store(std::move(s)), work(seed) {
    service = AccountService::open({.store = store, .clock = clock}).value();
    seed_accounts(*service);
    work.run(*service, *clock, 700);
  }
};

// Every load() request the ledger makes, and some it does not.
inline std::vector<SnapshotRequest> workload_requests(absl::Time now) {
  return {SnapshotRequest{},
          {.execution_retention = absl::Hours(24),
           .reservations_finished_since = now - absl::Hours(24 * 7),
           .trades_per_account_max = 1'000},
          {.execution_retention = absl::Hours(30),
           .reservations_finished_since = now - absl::Hours(40),
           .trades_per_account_max = 3},
          {.execution_retention = absl::ZeroDuration(),
           .reservations_finished_since = absl::InfiniteFuture(),
           .trades_per_account_max = 0}};
}

// Each table of `got` as `want` holds it.
inline void check_snapshot_equal(const LedgerSnapshot& got, const LedgerSnapshot& want) {
  CHECK(got.accounts == want.accounts);
  CHECK(got.positions == want.positions);
  CHECK(got.reservations == want.reservations);
  CHECK(got.executions == want.executions);
  CHECK(got.trades == want.trades);
  CHECK(got.entries == want.entries);
  CHECK(got.reservation_id_high_water == want.reservation_id_high_water);
}

// After one workload on both stores: every load() of workload_requests(), every applied fill's
// find_execution() and each account's newest trades agree.
inline void check_loads_equal(Store& reference, Store& other, const std::vector<Fill>& applied,
                              absl::Time now) {
  for (const SnapshotRequest& r : workload_requests(now)) {
    check_snapshot_equal(other.load(r).value(), reference.load(r).value());
  }
  for (const Fill& f : applied) {
    CHECK(other.find_execution(f.execution).value() ==
          reference.find_execution(f.execution).value());
  }
  for (uint64_t a = 1; a <= 5; ++a) {
    CHECK(other.trades(AccountId{a}, 7).value() == reference.trades(AccountId{a}, 7).value());
  }
}

// After the same commits to both: every load() of `requests`, and find_execution() and trades()
// for every fill and account the commits name, agree.
inline void check_same(Store& got_store, MemoryStore& memory, const std::vector<ChangeSet>& commits,
                       const std::vector<SnapshotRequest>& requests) {
  for (const SnapshotRequest& request : requests) {
    check_snapshot_equal(got_store.load(request).value(), memory.load(request).value());
  }
  for (const ChangeSet& c : commits) {
    for (const Fill& f : c.executions) {
      CHECK(got_store.find_execution(f.execution).value() ==
            memory.find_execution(f.execution).value());
    }
    for (const Account& a : c.new_accounts) {
      CHECK(got_store.trades(a.id, 3).value() == memory.trades(a.id, 3).value());
      CHECK(got_store.trades(a.id, SIZE_MAX).value() == memory.trades(a.id, SIZE_MAX).value());
    }
  }
}

// The same commits to the store and a MemoryStore; every load() must agree exactly, and again
// after the store is closed and opened anew.
inline void check_same_as_memory(const DurableStore& durable, const std::vector<ChangeSet>& commits,
                                 const std::vector<SnapshotRequest>& requests) {
  const std::string where = durable.create();
  MemoryStore memory;
  {
    std::shared_ptr<Store> store = durable.open(where);
    for (const ChangeSet& c : commits) {
      REQUIRE(memory.commit(c).ok());
      const absl::Status committed = store->commit(c);
      INFO(committed.ToString());
      REQUIRE(committed.ok());
    }
    check_same(*store, memory, commits, requests);
  }
  std::shared_ptr<Store> reopened = durable.open(where);
  check_same(*reopened, memory, commits, requests);
}

// Every byte value but none of them SQL: quotes, backslashes, a statement
// terminator and comment, invalid UTF-8, and a NUL.
inline std::string hostile_text(size_t bytes) {
  std::string s = "Robert'); DROP TABLE accounts; -- \\ \" $$ \xff\xfe ";
  s.push_back('\0');
  for (int b = 1; s.size() < bytes; b = b % 255 + 1) s.push_back(static_cast<char>(b));
  s.resize(bytes);
  return s;
}

// --- The cases ------------------------------------------------------------------------------

inline void loads_exactly_what_memory_loads(const DurableStore& durable) {
  const absl::Time t = test_epoch();
  ChangeSet first = sample_changes(t);
  ChangeSet second;
  second.balances.push_back(CashBalance{AccountId{2}, Cents{1}});
  // Two images of one balance and one reservation in a change set: the last wins.
  second.balances.push_back(CashBalance{AccountId{2}, Cents{2}});
  for (int i = 0; i < 6; ++i) {
    Trade trade = first.trades[i % 2];
    trade.execution = ExecutionId{static_cast<uint64_t>(500 + i)};
    trade.time = t + absl::Minutes(i);
    second.trades.push_back(trade);
    Fill fill = first.executions[0];
    fill.execution = trade.execution;
    fill.time = t + absl::Hours(i);
    second.executions.push_back(fill);
  }
  Reservation r = first.reservations[1];
  r.status = ReservationStatus::kCancelled;
  second.reservations.push_back(r);
  r.status = ReservationStatus::kExpired;
  r.updated_at = t + absl::Hours(2);
  second.reservations.push_back(r);
  // A commit of more rows than one statement writes (SQLite: 64), with repeated keys inside one
  // statement and across statements: the last image wins.
  ChangeSet third;
  for (int i = 0; i < 150; ++i) {
    Reservation res = first.reservations[1];
    res.id = ReservationId{static_cast<uint64_t>(10 + i % 70)};
    res.remaining_qty = Qty{i};
    third.reservations.push_back(res);
    Position pos = first.positions[i % 2];
    pos.symbol = SymbolId{static_cast<uint64_t>(100 + i % 90)};
    pos.qty = Qty{i};
    third.positions.push_back(pos);
    Fill fill = first.executions[0];
    fill.execution = ExecutionId{static_cast<uint64_t>(10'000 + i)};
    third.executions.push_back(fill);
    Trade trade = first.trades[i % 2];
    trade.execution = fill.execution;
    third.trades.push_back(trade);
  }
  check_same_as_memory(durable, {first, second, third},
                       {SnapshotRequest{},
                        {.execution_retention = absl::Hours(2),
                         .reservations_finished_since = t + absl::Hours(1),
                         .trades_per_account_max = 2},
                        {.execution_retention = absl::ZeroDuration(),
                         .reservations_finished_since = absl::InfiniteFuture(),
                         .trades_per_account_max = 0},
                        {.execution_retention = absl::Hours(-1)},
                        {.execution_retention = absl::Nanoseconds(1)}});
}

inline void times_and_ids_round_trip(const DurableStore& durable) {
  const absl::Time t = test_epoch() + absl::Nanoseconds(123'456'789);
  ChangeSet c = sample_changes(t);
  // A time before 1970, and one a nanosecond after the epoch.
  c.new_accounts[0].created_at = absl::FromUnixNanos(-1'234'567'890'123);
  c.new_accounts[1].created_at = absl::FromUnixNanos(1);
  // Ids with the top bit set (negative as a signed 64-bit column); the ledger orders them after
  // every smaller id.
  const uint64_t big = (uint64_t{1} << 63) + 5;
  c.new_accounts.push_back(Account{
      .id = AccountId{big}, .google_id = "sub-big", .created_at = t + absl::Nanoseconds(1)});
  c.reservations.push_back(Reservation{.id = ReservationId{big},
                                       .account = AccountId{big},
                                       .order = OrderId{big},
                                       .symbol = SymbolId{big},
                                       .side = Side::kBuy,
                                       .limit = Price{100},
                                       .order_qty = Qty{1},
                                       .remaining_qty = Qty{1},
                                       .reserved_cash = Cents{1},
                                       .created_at = t,
                                       .expires_at = absl::InfiniteFuture(),
                                       .updated_at = t});
  Fill fill = c.executions[0];
  fill.execution = ExecutionId{UINT64_MAX};
  fill.tick = TickId{UINT64_MAX};
  fill.time = t + absl::Nanoseconds(7);
  c.executions.push_back(fill);
  check_same_as_memory(durable, {c},
                       {SnapshotRequest{}, {.execution_retention = absl::Nanoseconds(7)}});

  auto store = durable.open(durable.create());
  REQUIRE(store->commit(c).ok());
  const LedgerSnapshot s = store->load({}).value();
  REQUIRE(s.accounts.size() == 3);
  CHECK(s.accounts[0].created_at == absl::FromUnixNanos(-1'234'567'890'123));
  CHECK(s.accounts[2].id == AccountId{big});
  CHECK(s.reservation_id_high_water == big);
  CHECK(s.reservations.back().expires_at == absl::InfiniteFuture());
  CHECK(s.executions.back().execution == ExecutionId{UINT64_MAX});
  CHECK(store->find_execution(ExecutionId{UINT64_MAX}).value()->time == fill.time);
}

inline void hostile_text_stored_exactly(const DurableStore& durable) {
  const absl::Time t = test_epoch();
  const std::string where = durable.create();
  auto store = durable.open(where);
  ChangeSet c;
  c.new_accounts.push_back(Account{.id = AccountId{1},
                                   .google_id = hostile_text(255),
                                   .display_name = hostile_text(255),
                                   .created_at = t});
  c.new_accounts.push_back(
      Account{.id = AccountId{2}, .google_id = "o'brien\\", .display_name = "", .created_at = t});
  c.entries.push_back(ExternalEntry{.key = hostile_text(128),
                                    .kind = EntryKind::kAdjustment,
                                    .account = AccountId{1},
                                    .cash = Cents{5},
                                    .time = t});
  c.balances.push_back(CashBalance{AccountId{1}, Cents{5}});
  c.links.push_back(AccountLink{AccountId{2}, SleeperLink{.user_id = hostile_text(40),
                                                          .username = "",
                                                          .league_id = hostile_text(255),
                                                          .season = "2026",
                                                          .roster_id = -1}});
  REQUIRE(store->commit(c).ok());
  const LedgerSnapshot s = store->load({}).value();
  REQUIRE(s.accounts.size() == 2);
  CHECK(s.accounts[0].google_id == hostile_text(255));
  CHECK(s.accounts[0].display_name == hostile_text(255));
  CHECK(s.accounts[1].google_id == "o'brien\\");
  CHECK(s.accounts[1].display_name.empty());
  CHECK(s.accounts[1].sleeper == c.links[0].link);
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].key == hostile_text(128));
  store.reset();
  CHECK(durable.count_accounts(where) == 2);
}

// A ledger on the store and one on a MemoryStore run the workload of `seed`; they must agree,
// and the store's ledger, opened again, must be the same, with every fill applied before the
// restart a duplicate: old ones (out of the 24-hour window, answered by the store) and recent
// ones alike.
inline void restarts_after_workload(const DurableStore& durable, uint64_t seed) {
  const std::string where = durable.create();
  Run memory(std::make_shared<MemoryStore>(), seed);
  Run run(durable.open(where), seed);
  REQUIRE(memory.work.applied().size() > 20);  // The workload did trade.
  REQUIRE(run.work.applied() == memory.work.applied());
  const absl::Time now = memory.clock->now();
  size_t outside_window = 0;
  for (const Fill& f : memory.work.applied()) outside_window += f.time < now - absl::Hours(24);
  CHECK(outside_window > 0);
  CHECK(run.service->snapshot() == memory.service->snapshot());
  CHECK(run.service->audit().ok());
  check_loads_equal(*memory.store, *run.store, memory.work.applied(), now);

  // Restart: drop the ledger and its store (the writer lock with it), open both again.
  run.service.reset();
  run.store.reset();
  auto reopened = AccountService::open({.store = durable.open(where), .clock = run.clock}).value();
  CHECK(reopened->snapshot() == memory.service->snapshot());
  const AuditReport audit = reopened->audit();
  INFO(audit.violations.size() << " audit violations");
  CHECK(audit.ok());
  for (uint64_t a = 1; a <= 5; ++a) {
    CHECK(reopened->trade_history(AccountId{a}, 50).value() ==
          memory.service->trade_history(AccountId{a}, 50).value());
  }
  for (const Fill& fill : memory.work.applied()) {
    CHECK(denied_with(reopened->settle(fill), Reason::kDuplicateExecution));
  }
  CHECK(denied_with(reopened->settle_batch(memory.work.applied()).front(),
                    Reason::kDuplicateExecution));
  CHECK(reopened->snapshot() == memory.service->snapshot());
}

// 500 fills of one tick in one settle_batch (one store transaction); all kept across a restart,
// all duplicates after it.
inline void tick_fills_survive_restart(const DurableStore& durable) {
  const std::string where = durable.create();
  auto clock = std::make_shared<ManualClock>(test_epoch());
  auto service = AccountService::open({.store = durable.open(where), .clock = clock}).value();
  const AccountId buyer = service->create_account("sub-buyer", "Buyer").value();
  const AccountId seller = service->create_account("sub-seller", "Seller").value();
  REQUIRE(service->credit(buyer, Cents{10'000'000}, EntryKind::kAdjustment, "fund").ok());
  REQUIRE(service->issue_shares(seller, SymbolId{9}, Qty{1'000'000}, "inventory").ok());
  const OrderSpec buy{.account = buyer,
                      .order = OrderId{1},
                      .symbol = SymbolId{9},
                      .qty = Qty{1'000'000},
                      .limit = Price{5'000}};
  const OrderSpec sell{.account = seller,
                       .order = OrderId{2},
                       .symbol = SymbolId{9},
                       .qty = Qty{1'000'000},
                       .limit = Price{4'000}};
  REQUIRE(service->reserve_buy(buy).ok());
  REQUIRE(service->reserve_sell(sell).ok());
  std::vector<Fill> fills;
  for (uint64_t i = 1; i <= 500; ++i) {
    fills.push_back(Fill{.execution = ExecutionId{(uint64_t{7} << 20) | i},
                         .symbol = SymbolId{9},
                         .qty = Qty{100},
                         .price = Price{4'500},
                         .buyer = {buyer, buy.order},
                         .seller = {seller, sell.order},
                         .tick = TickId{7},
                         .time = clock->now() + absl::Nanoseconds(static_cast<int64_t>(i))});
  }
  for (const auto& result : service->settle_batch(fills)) CHECK(result.ok());
  const LedgerSnapshot before = service->snapshot();
  service.reset();
  auto reopened = AccountService::open({.store = durable.open(where), .clock = clock}).value();
  CHECK(reopened->snapshot() == before);
  CHECK(reopened->position(buyer, SymbolId{9}).value()->qty == Qty{50'000});
  for (const auto& result : reopened->settle_batch(fills)) {
    CHECK(denied_with(result, Reason::kDuplicateExecution));
  }
  CHECK(reopened->audit().ok());
}

// --- The journal (docs/journal.md: "Store contract") ----------------------------------------

// Entry `seq` as a ledger would hand it to a store: a commit time with nanoseconds, canonical
// bytes of a length that varies with the seq and hold every byte value (NUL, 0xff, quotes), and a
// hash of its own, so that any two entries differ and any mixed-up column shows.
inline JournalRecord journal_record(uint64_t seq) {
  JournalRecord r{.seq = seq,
                  .committed_at = test_epoch() + absl::Milliseconds(static_cast<int64_t>(seq)) +
                                  absl::Nanoseconds(static_cast<int64_t>(seq % 997 + 1))};
  const size_t bytes = 1 + static_cast<size_t>(seq * 37 % 300);
  for (size_t i = 0; i < bytes; ++i) r.bytes.push_back(static_cast<char>((seq + i * 7) & 0xff));
  for (size_t i = 0; i < r.hash.size(); ++i) {
    r.hash[i] = static_cast<uint8_t>((seq * 31 + i * 11) & 0xff);
  }
  return r;
}

// Account 1's cash (sample_changes() creates the account) and entry `seq`, in one change set.
inline ChangeSet journaled_balance(uint64_t seq, int64_t cash_cents) {
  ChangeSet c;
  c.balances.push_back(CashBalance{AccountId{1}, Cents{cash_cents}});
  c.journal = journal_record(seq);
  return c;
}

inline void check_journal_head(Store& store, const JournalHead& want) {
  const absl::StatusOr<LedgerSnapshot> loaded = store.load({});
  REQUIRE(loaded.ok());
  CHECK(loaded->journal_head.seq == want.seq);
  CHECK(loaded->journal_head.hash == want.hash);
}

inline std::vector<JournalRecord> journal_page(Store& store, uint64_t after_seq, size_t limit) {
  absl::StatusOr<std::vector<JournalRecord>> page = store.journal(after_seq, limit);
  INFO(page.status().ToString());
  REQUIRE(page.ok());
  return *std::move(page);
}

// Entries come back exactly as committed (bytes and hash byte for byte, the time to the
// nanosecond), with the rows of their change sets, and again after a reopen. The head of a new
// store and the head after commits are the conformance suite's (journal_round_trips_with_its_head).
inline void journal_entries_round_trip(const DurableStore& durable) {
  const std::string where = durable.create();
  ChangeSet first = sample_changes(test_epoch());
  first.journal = journal_record(1);
  first.journal.committed_at = absl::FromUnixNanos(1'789'000'000'123'456'789);
  ChangeSet second = journaled_balance(2, 77);
  second.journal.bytes = hostile_text(5'000);
  const std::vector<JournalRecord> both = {first.journal, second.journal};
  {
    std::shared_ptr<Store> store = durable.open(where);
    CHECK(journal_page(*store, 0, 10).empty());
    REQUIRE(store->commit(first).ok());
    REQUIRE(store->commit(second).ok());
    CHECK(journal_page(*store, 0, 10) == both);
    const LedgerSnapshot loaded = store->load({}).value();
    REQUIRE(loaded.accounts.size() == 2);
    CHECK(loaded.accounts[0].cash == Cents{77});  // The entry's rows are there too.
  }
  std::shared_ptr<Store> reopened = durable.open(where);
  CHECK(journal_page(*reopened, 0, 10) == both);
  CHECK(journal_page(*reopened, 1, 10) == std::vector<JournalRecord>{second.journal});
  check_journal_head(*reopened, JournalHead{.seq = 2, .hash = second.journal.hash});
}

// An entry whose seq is not the stored head's + 1 (it repeats one, or skips ahead) is refused
// with Aborted, naming both seqs, and nothing of its change set is written. After a reopen the
// check holds against the stored head. That seq 0 writes rows without an entry and leaves the
// head is the conformance suite's (journal_entry_must_follow_the_head).
inline void journal_refuses_entry_not_after_head(const DurableStore& durable) {
  const std::string where = durable.create();
  const absl::Time t = test_epoch();
  {
    std::shared_ptr<Store> store = durable.open(where);
    ChangeSet first = sample_changes(t);
    first.journal = journal_record(1);
    REQUIRE(store->commit(first).ok());
    const LedgerSnapshot before = store->load({}).value();
    for (const uint64_t seq : {uint64_t{1}, uint64_t{3}, uint64_t{1'000}}) {
      CAPTURE(seq);
      ChangeSet refused = journaled_balance(seq, 1);
      refused.new_accounts.push_back(
          Account{.id = AccountId{9}, .google_id = "sub-9", .created_at = t});
      refused.entries.push_back(ExternalEntry{.key = "refused-" + std::to_string(seq),
                                              .kind = EntryKind::kAdjustment,
                                              .account = AccountId{1},
                                              .cash = Cents{1},
                                              .time = t});
      const absl::Status s = store->commit(refused);
      INFO(s.ToString());
      CHECK(s.code() == absl::StatusCode::kAborted);
      CHECK_THAT(std::string(s.message()),
                 Catch::Contains("journal entry " + std::to_string(seq)) &&
                     Catch::Contains("head 1"));
      const LedgerSnapshot after = store->load({}).value();
      check_snapshot_equal(after, before);
      CHECK(after.journal_head == before.journal_head);
      CHECK(journal_page(*store, 0, 10) == std::vector<JournalRecord>{first.journal});
    }
    REQUIRE(store->commit(journaled_balance(2, 6)).ok());
  }
  std::shared_ptr<Store> reopened = durable.open(where);
  check_journal_head(*reopened, JournalHead{.seq = 2, .hash = journal_record(2).hash});
  CHECK(reopened->commit(journaled_balance(2, 7)).code() == absl::StatusCode::kAborted);
  CHECK(reopened->load({}).value().accounts[0].cash == Cents{6});
  REQUIRE(reopened->commit(journaled_balance(3, 8)).ok());
  check_journal_head(*reopened, JournalHead{.seq = 3, .hash = journal_record(3).hash});
  CHECK(reopened->load({}).value().accounts[0].cash == Cents{8});
}

// 1,000 entries read back after a reopen in pages of several sizes, each page resuming after
// the last seq of the one before: every entry once, in order, none missing, and the reads at
// the edges (a page after the head is empty: each paging loop ends on one, and the conformance
// suite checks it too).
inline void journal_pages_without_gap_or_repeat(const DurableStore& durable) {
  constexpr uint64_t kEntries = 1'000;
  const std::string where = durable.create();
  std::vector<JournalRecord> all;
  {
    std::shared_ptr<Store> store = durable.open(where);
    REQUIRE(store->commit(sample_changes(test_epoch())).ok());  // Rows without an entry.
    for (uint64_t seq = 1; seq <= kEntries; ++seq) {
      const ChangeSet c = journaled_balance(seq, static_cast<int64_t>(seq));
      const absl::Status s = store->commit(c);
      INFO("seq " << seq << ": " << s.ToString());
      REQUIRE(s.ok());
      all.push_back(c.journal);
    }
  }
  std::shared_ptr<Store> store = durable.open(where);
  for (const size_t limit : {size_t{1}, size_t{7}, size_t{64}, size_t{999}, size_t{1'000},
                             size_t{5'000}, SIZE_MAX}) {
    CAPTURE(limit);
    std::vector<JournalRecord> read;
    uint64_t cursor = 0;
    size_t pages = 0;
    while (true) {
      const std::vector<JournalRecord> page = journal_page(*store, cursor, limit);
      if (page.empty()) break;
      ++pages;
      CHECK(page.size() == std::min<size_t>(limit, kEntries - cursor));
      read.insert(read.end(), page.begin(), page.end());
      cursor = page.back().seq;
      REQUIRE(pages <= kEntries);  // A cursor that does not move would loop for ever.
    }
    CHECK(cursor == kEntries);
    CHECK(pages == (kEntries + std::min<size_t>(limit, kEntries) - 1) /
                       std::min<size_t>(limit, kEntries));
    CHECK(read == all);
  }
  const std::vector<JournalRecord> middle = journal_page(*store, 500, 10);
  CHECK(middle == std::vector<JournalRecord>(all.begin() + 500, all.begin() + 510));
  CHECK(journal_page(*store, 0, 0).empty());
  CHECK(journal_page(*store, UINT64_MAX, 10).empty());
  CHECK(journal_page(*store, uint64_t{1} << 63, 10).empty());
  check_journal_head(*store, JournalHead{.seq = kEntries, .hash = all.back().hash});
}

}  // namespace account::testing::durable

// The suite's test cases for one store: `type` names its class ("SqliteStore"), `backend` its
// database ("SQLite"), `tag` its Catch2 tag ("sqlite"); `make_durable` is a callable returning
// a DurableStore, called once per case (per seed, for the workload). Every name carries the
// store's: ctest sets a test's labels by its name, so one name in two executables would give
// each the other's label.
#define ACCOUNT_DURABLE_STORE_TESTS(type, backend, tag, make_durable)                       \
  TEST_CASE(type " loads exactly what MemoryStore loads", "[" tag "][store][durable]") {    \
    ::account::testing::durable::loads_exactly_what_memory_loads(make_durable());           \
  }                                                                                         \
  TEST_CASE(type ": times round-trip to the nanosecond, ids over 2^63 keep the ledger's order", \
            "[" tag "][store][durable]") {                                                  \
    ::account::testing::durable::times_and_ids_round_trip(make_durable());                  \
  }                                                                                         \
  TEST_CASE(type ": hostile text is stored exactly, never executed",                        \
            "[" tag "][store][input][durable]") {                                           \
    ::account::testing::durable::hostile_text_stored_exactly(make_durable());               \
  }                                                                                         \
  TEST_CASE("a ledger on " backend " restarts into the state a MemoryStore ledger reaches", \
            "[" tag "][restart][durable]") {                                                \
    const uint64_t seed = GENERATE(21, 22, 23);                                             \
    CAPTURE(seed);                                                                          \
    ::account::testing::durable::restarts_after_workload(make_durable(), seed);             \
  }                                                                                         \
  TEST_CASE("a tick's fills settle in one " backend " transaction, and survive a restart",  \
            "[" tag "][restart][durable]") {                                                \
    ::account::testing::durable::tick_fills_survive_restart(make_durable());                \
  }

// The journal's cases (docs/journal.md, "Store contract") for one store, named and tagged as
// ACCOUNT_DURABLE_STORE_TESTS names them; a store runs them once it keeps journal entries.
#define ACCOUNT_DURABLE_STORE_JOURNAL_TESTS(type, backend, tag, make_durable)                   \
  TEST_CASE(type ": journal entries round-trip exactly, with their rows, across a reopen",      \
            "[" tag "][store][journal][durable]") {                                             \
    ::account::testing::durable::journal_entries_round_trip(make_durable());                    \
  }                                                                                             \
  TEST_CASE(type ": a journal entry that repeats or skips a seq is refused, writing nothing",   \
            "[" tag "][store][journal][durable]") {                                             \
    ::account::testing::durable::journal_refuses_entry_not_after_head(make_durable());          \
  }                                                                                             \
  TEST_CASE(type ": 1,000 journal entries page without a gap or a repeat",                      \
            "[" tag "][store][journal][durable]") {                                             \
    ::account::testing::durable::journal_pages_without_gap_or_repeat(make_durable());           \
  }
