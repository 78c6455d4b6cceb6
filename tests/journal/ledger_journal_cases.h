// The ledger's journal on a store: what every store must give the ledger's journal
// (docs/journal.md), run on MemoryStore here and on SqliteStore and PostgresStore by
// tests/journal/sqlite_journal_ledger_test.cpp and postgres_journal_ledger_test.cpp:
//
//   ACCOUNT_LEDGER_JOURNAL_TESTS("SqliteStore", "sqlite", sqlite_journal_store)
//
// - Gap-free under 8 concurrent writers with group commit: seqs 1..head, every event of every
//   command once, the chain recomputed from zero, and events_since() equal to what is stored.
// - A consumer's cursor across restarts: reading in small pages, the ledger closed and opened
//   again in between, the consumer sees every entry once, in order, and exactly what is stored.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/journal_entry.h"
#include "account/ledger_event.h"
#include "account/status.h"
#include "account/store.h"
#include "account/testing/builders.h"
#include "account/testing/recording_notification_sink.h"
#include "journal/checkpoint_codec.h"
#include "journal/entry_codec.h"
#include "journal/journal_replay.h"
#include "journal/state_compare.h"
#include "journal/state_hash.h"
#include "support/ledger_fixture.h"

namespace account::testing::journal {

// One kind of store, as the cases reach it.
struct JournalStore {
  // Makes a new, empty store and returns where it lives (a file's path, a database's URL).
  std::function<std::string()> create;
  // Opens the store at `where`, again after every handle on it is dropped.
  std::function<std::shared_ptr<Store>(const std::string& where)> open;
};

// Every stored entry, read in pages of `page` entries.
inline std::vector<JournalRecord> stored_journal(Store& store, size_t page = 97) {
  std::vector<JournalRecord> all;
  while (true) {
    const uint64_t after = all.empty() ? 0 : all.back().seq;
    std::vector<JournalRecord> next = store.journal(after, page).value();
    if (next.empty()) return all;
    all.insert(all.end(), next.begin(), next.end());
  }
}

// Checks that `records` are seqs 1..n without a gap, each decodes to its seq, and each hash is
// the chain hash over the one before (from 32 zero bytes); returns the decoded entries.
inline std::vector<JournalEntry> check_chain_from_zero(const std::vector<JournalRecord>& records) {
  std::vector<JournalEntry> entries;
  ChainHash previous{};
  absl::Time previous_time = absl::InfinitePast();
  for (size_t i = 0; i < records.size(); ++i) {
    const JournalRecord& r = records[i];
    CAPTURE(i, r.seq);
    REQUIRE(r.seq == i + 1);
    absl::StatusOr<JournalEntry> entry = internal::decode_entry(r.bytes);
    REQUIRE(entry.ok());
    REQUIRE(entry->seq == r.seq);
    REQUIRE(entry->committed_at == r.committed_at);
    REQUIRE(entry->committed_at >= previous_time);
    REQUIRE(r.hash == internal::chain_hash(previous, r.bytes));
    REQUIRE(!entry->events.empty());
    previous = r.hash;
    previous_time = entry->committed_at;
    entry->hash = r.hash;
    entries.push_back(*std::move(entry));
  }
  return entries;
}

// Every entry after `after_seq` from events_since(), in pages of at most `max_events` events.
inline std::vector<JournalEntry> read_all_since(const AccountService& svc, uint64_t after_seq,
                                                size_t max_events) {
  std::vector<JournalEntry> out;
  while (true) {
    std::vector<JournalEntry> page = svc.events_since(after_seq, max_events).value();
    if (page.empty()) return out;
    for (JournalEntry& e : page) {
      REQUIRE(e.seq == after_seq + 1);
      after_seq = e.seq;
      out.push_back(std::move(e));
    }
  }
}

template <typename Event>
size_t count_events(const std::vector<JournalEntry>& entries) {
  size_t n = 0;
  for (const JournalEntry& e : entries) {
    for (const LedgerEvent& event : e.events) n += std::holds_alternative<Event>(event) ? 1 : 0;
  }
  return n;
}

// 8 writers, each with two accounts of its own and one shared counterparty: each creates its
// accounts, credits them, issues shares, places a buy and a sell per round against the
// counterparty's standing orders, and cancels every other buy. Every command's events are
// known, so the journal must hold exactly them.
inline void gap_free_under_concurrent_writers(const JournalStore& kind) {
  const std::string where = kind.create();
  std::shared_ptr<Store> store = kind.open(where);
  auto clock = std::make_shared<ManualClock>(test_epoch());
  LedgerLimits limits;
  limits.journal_in_memory_bytes_max = 4'096;  // Most of events_since() from the store.
  auto svc = AccountService::open({.store = store, .clock = clock, .limits = limits}).value();
  constexpr int kWriters = 8;
  constexpr int kRounds = 25;
  std::vector<std::thread> writers;
  std::vector<int> credits(kWriters), issues(kWriters), reserves(kWriters), cancels(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      const AccountId buyer =
          svc->create_account("writer-buyer-" + std::to_string(w), "Buyer").value();
      const AccountId seller =
          svc->create_account("writer-seller-" + std::to_string(w), "Seller").value();
      const auto ok = [](const absl::Status& s) { return s.ok(); };
      credits[w] += ok(svc->credit(buyer, Cents{10'000'000}, EntryKind::kAdjustment,
                                   "fund-" + std::to_string(w)));
      issues[w] += ok(svc->issue_shares(seller, SymbolId{1}, Qty{1'000'000},
                                        "issue-" + std::to_string(w)));
      for (int round = 0; round < kRounds; ++round) {
        const uint64_t base = 1'000'000 * static_cast<uint64_t>(w + 1) + 10 * round;
        const OrderSpec buy{.account = buyer, .order = OrderId{base}, .symbol = SymbolId{1},
                            .qty = Qty{10'000}, .limit = Price{500}};
        const OrderSpec sell{.account = seller, .order = OrderId{base + 1},
                             .symbol = SymbolId{1}, .qty = Qty{10'000}, .limit = Price{500}};
        reserves[w] += svc->reserve_buy(buy).ok();
        reserves[w] += svc->reserve_sell(sell).ok();
        if (round % 2 == 0) {
          cancels[w] += ok(svc->cancel_order(buy.order));
          cancels[w] += ok(svc->cancel_order(sell.order));
        } else {
          REQUIRE(svc->settle(Fill{.execution = ExecutionId{base},
                                   .symbol = SymbolId{1},
                                   .qty = Qty{10'000},
                                   .price = Price{500},
                                   .buyer = {buyer, buy.order},
                                   .seller = {seller, sell.order},
                                   .tick = TickId{1},
                                   .time = clock->now()})
                      .ok());
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();

  const std::vector<JournalEntry> entries = check_chain_from_zero(stored_journal(*store));
  int all_credits = 0, all_issues = 0, all_reserves = 0, all_cancels = 0;
  for (int w = 0; w < kWriters; ++w) {
    all_credits += credits[w];
    all_issues += issues[w];
    all_reserves += reserves[w];
    all_cancels += cancels[w];
  }
  REQUIRE(all_reserves == kWriters * kRounds * 2);
  CHECK(count_events<AccountCreated>(entries) == 2 * kWriters);
  CHECK(count_events<EntryApplied>(entries) == static_cast<size_t>(all_credits + all_issues));
  CHECK(count_events<ReservationCreated>(entries) == static_cast<size_t>(all_reserves));
  CHECK(count_events<FillApplied>(entries) == kWriters * (kRounds / 2));
  // Each fill settles both its orders; each cancel ends one.
  CHECK(count_events<ReservationChanged>(entries) ==
        static_cast<size_t>(all_cancels) + 2 * kWriters * (kRounds / 2));
  CHECK(svc->journal_head() == entries.size());
  // What a consumer reads is what the store holds, entry for entry.
  CHECK(read_all_since(*svc, 0, 50) == entries);
  CHECK(svc->audit().ok());
  // One ledger three ways: memory's state hash, the store's tables', and the journal replayed.
  const StateHash memory = svc->state_hash();
  CHECK(memory.seq == entries.size());
  CHECK(memory.hash == internal::state_hash(store->load({}).value()));
  internal::JournalReplay replay;
  for (const JournalEntry& entry : entries) REQUIRE(replay.apply(entry).ok());
  CHECK(internal::state_hash(replay.rows()) == memory.hash);
  CHECK(!internal::first_difference(replay, store->load({}).value()).has_value());
}

// A consumer reading 7 events at a time, storing its cursor; the ledger closed and opened again
// twice while it reads.
inline void cursor_survives_restarts(const JournalStore& kind) {
  const std::string where = kind.create();
  auto clock = std::make_shared<ManualClock>(test_epoch());
  uint64_t cursor = 0;
  std::vector<JournalEntry> seen;
  const auto consume = [&](const AccountService& svc, int pages) {
    for (int i = 0; i < pages; ++i) {
      const std::vector<JournalEntry> page = svc.events_since(cursor, 7).value();
      for (const JournalEntry& e : page) {
        REQUIRE(e.seq == cursor + 1);
        cursor = e.seq;
        seen.push_back(e);
      }
    }
  };
  uint64_t key = 0;
  const auto work = [&](AccountService& svc, int accounts) {
    for (int i = 0; i < accounts; ++i) {
      const AccountId id =
          svc.create_account("cursor-" + std::to_string(key++), "Reader").value();
      REQUIRE(svc.credit(id, Cents{1'000 + i}, EntryKind::kAdjustment,
                         "cursor-credit-" + std::to_string(key++))
                  .ok());
      clock->advance(absl::Seconds(1));
    }
  };
  for (int life = 0; life < 3; ++life) {
    std::shared_ptr<Store> store = kind.open(where);
    auto svc = AccountService::open({.store = store, .clock = clock}).value();
    // Before any new commit: a restarted ledger serves what an earlier life committed.
    consume(*svc, 2);
    work(*svc, 20);
    consume(*svc, 3);
  }
  std::shared_ptr<Store> store = kind.open(where);
  auto svc = AccountService::open({.store = store, .clock = clock}).value();
  consume(*svc, 1'000);
  CHECK(svc->events_since(cursor, 7).value().empty());
  const std::vector<JournalEntry> stored = check_chain_from_zero(stored_journal(*store));
  CHECK(stored.size() == 3 * 40);
  CHECK(seen == stored);
}

// The notifier on a store: every expiry notified once with its entry's seq, the cursor stored
// at the head when the ledger closes, and a ledger opened again repeats nothing.
inline void notices_resume_from_the_stored_cursor(const JournalStore& kind) {
  const std::string where = kind.create();
  auto clock = std::make_shared<ManualClock>(test_epoch());
  uint64_t head = 0;
  {
    auto sink = std::make_shared<RecordingNotificationSink>();
    std::shared_ptr<Store> store = kind.open(where);
    auto svc = AccountService::open({.store = store, .clock = clock, .sink = sink}).value();
    const AccountId a = svc->create_account("notices-a", "A").value();
    REQUIRE(svc->credit(a, Cents{1'000'000}, EntryKind::kAdjustment, "fund").ok());
    for (uint64_t o = 1; o <= 3; ++o) {
      REQUIRE(svc->reserve_buy({.account = a, .order = OrderId{o}, .symbol = SymbolId{1},
                                .qty = Qty{10'000}, .limit = Price{100},
                                .expires_at = clock->now() + absl::Hours(1)})
                  .ok());
    }
    clock->advance(absl::Hours(2));
    REQUIRE(svc->expire_due_reservations().value() == 3);
    head = svc->journal_head();
    REQUIRE(svc->await_notices(absl::Seconds(10)));
    const std::vector<ExpiredOrderNotice> notices = sink->expired_orders();
    REQUIRE(notices.size() == 3);
    for (const ExpiredOrderNotice& n : notices) CHECK(n.seq == head);
  }
  std::shared_ptr<Store> store = kind.open(where);
  CHECK(store->journal_cursor("notifier").value() == std::optional<uint64_t>(head));
  auto sink = std::make_shared<RecordingNotificationSink>();
  auto svc = AccountService::open({.store = store, .clock = clock, .sink = sink}).value();
  REQUIRE(svc->await_notices(absl::Seconds(10)));
  CHECK(sink->expired_order_count() == 0);
}

// A prune on a running ledger and after a restart (docs/journal.md, "Retention"): the entries
// below the bound and their fills' trades go; the checkpoint plus the kept entries rebuild the
// store's rows and memory's state hash; balance_at answers from the checkpoint on and refuses
// before it; a pruned fill is still refused as a duplicate; a stored cursor behind the bound
// refuses the prune until told to pass it; a retry removes nothing more.
inline void prune_keeps_the_ledger_whole(const JournalStore& kind) {
  const std::string where = kind.create();
  auto clock = std::make_shared<ManualClock>(test_epoch());
  std::shared_ptr<Store> store = kind.open(where);
  auto svc = AccountService::open({.store = store, .clock = clock}).value();
  for (int i = 0; i < 5; ++i) {
    const AccountId id = svc->create_account("prune-" + std::to_string(i), "P").value();
    REQUIRE(svc->credit(id, Cents{10'000'000}, EntryKind::kAdjustment,
                        "prune-fund-" + std::to_string(i))
                .ok());
    REQUIRE(svc->issue_shares(id, SymbolId{1}, Qty{1'000'000}, "prune-shares-" + std::to_string(i))
                .ok());
  }
  // Figures per account at each time; a fill every few steps.
  struct Seen {
    absl::Time at;
    std::vector<std::pair<Cents, Cents>> cash;  // (cash, available) of accounts 1..5.
  };
  std::vector<Seen> seen;
  std::vector<Fill> fills;
  for (uint64_t step = 1; step <= 120; ++step) {
    const AccountId buyer{1 + step % 5};
    const AccountId seller{1 + (step + 2) % 5};
    const OrderId buy{2 * step};
    const OrderId sell{2 * step + 1};
    REQUIRE(svc->reserve_buy({.account = buyer, .order = buy, .symbol = SymbolId{1},
                              .qty = Qty{20'000}, .limit = Price{5'000}})
                .ok());
    REQUIRE(svc->reserve_sell({.account = seller, .order = sell, .symbol = SymbolId{1},
                               .qty = Qty{20'000}, .limit = Price{4'000}})
                .ok());
    if (step % 3 != 0) {
      const Fill fill{.execution = ExecutionId{1'000 + step}, .symbol = SymbolId{1},
                      .qty = Qty{10'000}, .price = Price{4'500}, .buyer = {buyer, buy},
                      .seller = {seller, sell}, .tick = TickId{step}, .time = clock->now()};
      REQUIRE(svc->settle(fill).ok());
      fills.push_back(fill);
    }
    REQUIRE(svc->cancel_order(buy).ok());
    REQUIRE(svc->cancel_order(sell).ok());
    Seen now{.at = clock->now()};
    for (uint64_t a = 1; a <= 5; ++a) {
      now.cash.emplace_back(svc->cash(AccountId{a}).value(),
                            svc->available_cash(AccountId{a}).value());
    }
    seen.push_back(now);
    clock->advance(absl::Seconds(10));
  }
  const uint64_t head = svc->journal_head();
  const uint64_t before = head / 2;
  const std::vector<JournalEntry> all = read_all_since(*svc, 0, 1'000);
  uint64_t fills_removed = 0;
  for (const JournalEntry& e : all) {
    if (e.seq >= before) break;
    for (const LedgerEvent& event : e.events) fills_removed += std::holds_alternative<FillApplied>(event);
  }
  REQUIRE(fills_removed > 10);

  // A consumer's cursor behind the bound refuses the prune and changes nothing.
  const bool keeps_cursors = store->set_journal_cursor("reports", 3).ok();
  if (keeps_cursors) {
    CHECK(denied_with(svc->prune_journal({.before_seq = before}), Reason::kJournalCursorBehind));
    CHECK(stored_journal(*store).size() == head);
    CHECK(!store->journal_checkpoint().value().has_value());
  }
  CHECK(denied_with(svc->prune_journal({}), Reason::kInvalidArgument));
  const JournalPruneResult pruned =
      svc->prune_journal({.before_seq = before, .past_cursors = true}).value();
  CHECK(pruned == JournalPruneResult{.checkpoint_seq = before - 1, .entries_removed = before - 1,
                                     .trades_removed = 2 * fills_removed});
  // A retry removes nothing more.
  CHECK(svc->prune_journal({.before_seq = before, .past_cursors = true}).value() ==
        JournalPruneResult{.checkpoint_seq = before - 1});

  // The store: entries from the checkpoint on, which with its rows rebuild the tables.
  const std::vector<JournalRecord> kept = stored_journal(*store);
  REQUIRE(kept.size() == head - before + 1);
  CHECK(kept.front().seq == before);
  const JournalCheckpoint checkpoint = store->journal_checkpoint().value().value();
  CHECK(checkpoint.seq == before - 1);
  CHECK(checkpoint.hash == all[before - 2].hash);
  const LedgerSnapshot rows = internal::open_checkpoint(checkpoint).value();
  internal::JournalReplay replay = internal::JournalReplay::from_checkpoint(rows).value();
  for (const JournalRecord& r : kept) REQUIRE(replay.apply(r).ok());
  const LedgerSnapshot stored = store->load({}).value();
  CHECK(!internal::first_difference(replay, stored).has_value());
  CHECK(internal::state_hash(replay.rows()) == svc->state_hash().hash);
  CHECK(stored.executions.size() == fills.size());  // The exactly-once keys stay.
  CHECK(stored.trades.size() == 2 * (fills.size() - fills_removed));

  // After a restart: events before the checkpoint are gone, balance_at starts from it, a pruned
  // fill is still a duplicate, and commits go on.
  svc.reset();
  store.reset();
  store = kind.open(where);
  svc = AccountService::open({.store = store, .clock = clock}).value();
  CHECK(denied_with(svc->events_since(0, 10), Reason::kJournalPruned));
  CHECK(svc->events_since(before - 1, 1).value().front().seq == before);
  for (const Seen& s : seen) {
    if (s.at < checkpoint.committed_at) {
      CHECK(denied_with(svc->balance_at(AccountId{1}, s.at), Reason::kJournalPruned));
      continue;
    }
    for (uint64_t a = 1; a <= 5; ++a) {
      CAPTURE(a, absl::FormatTime(s.at));
      const AccountBalance b = svc->balance_at(AccountId{a}, s.at).value();
      CHECK(std::pair(b.cash, b.available_cash) == s.cash[a - 1]);
    }
  }
  CHECK(denied_with(svc->settle(fills.front()), Reason::kDuplicateExecution));
  REQUIRE(svc->credit(AccountId{1}, Cents{1}, EntryKind::kAdjustment, "after-prune").ok());
  CHECK(svc->journal_head() == head + 1);
  // A second prune goes on from the first checkpoint.
  const JournalPruneResult second =
      svc->prune_journal({.before_seq = head, .past_cursors = true}).value();
  CHECK(second.checkpoint_seq == head - 1);
  CHECK(second.entries_removed == head - before);
  internal::JournalReplay again =
      internal::JournalReplay::from_checkpoint(
          internal::open_checkpoint(store->journal_checkpoint().value().value()).value())
          .value();
  for (const JournalRecord& r : stored_journal(*store)) REQUIRE(again.apply(r).ok());
  CHECK(!internal::first_difference(again, store->load({}).value()).has_value());
  CHECK(internal::state_hash(again.rows()) == svc->state_hash().hash);
}

// Retention by age: the entries committed more than `older_than` before the ledger's clock go,
// and a bound that takes none removes nothing.
inline void prune_by_age(const JournalStore& kind) {
  const std::string where = kind.create();
  auto clock = std::make_shared<ManualClock>(test_epoch());
  std::shared_ptr<Store> store = kind.open(where);
  auto svc = AccountService::open({.store = store, .clock = clock}).value();
  const AccountId a = svc->create_account("age", "Age").value();
  for (int day = 0; day < 10; ++day) {
    REQUIRE(svc->credit(a, Cents{100}, EntryKind::kAdjustment, "day-" + std::to_string(day))
                .ok());
    clock->advance(absl::Hours(24));
  }
  // Entries: the account (day 0), then a credit a day. Now is day 10.
  CHECK(svc->prune_journal({.older_than = absl::Hours(24 * 30)}).value() == JournalPruneResult{});
  const JournalPruneResult pruned = svc->prune_journal({.older_than = absl::Hours(24 * 5)}).value();
  // Committed before day 5: the account and the credits of days 0..4 (seqs 1..6).
  CHECK(pruned == JournalPruneResult{.checkpoint_seq = 6, .entries_removed = 6});
  CHECK(denied_with(svc->prune_journal({.older_than = absl::ZeroDuration()}),
                    Reason::kInvalidArgument));
  svc.reset();
  store.reset();
  store = kind.open(where);
  svc = AccountService::open({.store = store, .clock = clock}).value();
  CHECK(svc->balance_at(a, test_epoch() + absl::Hours(24 * 7)).value().cash == Cents{800});
  CHECK(denied_with(svc->balance_at(a, test_epoch() + absl::Hours(24 * 3)),
                    Reason::kJournalPruned));
}

}  // namespace account::testing::journal

// The cases for one store. `type`: the store's name in the test names; `tag`: its Catch2 tag;
// `make_store`: a function returning a JournalStore.
#define ACCOUNT_LEDGER_JOURNAL_TESTS(type, tag, make_store)                                      \
  TEST_CASE(type ": 8 concurrent writers leave a gap-free journal holding every event once",   \
            "[" tag "][journal][ledger]") {                                                     \
    ::account::testing::journal::gap_free_under_concurrent_writers(make_store());               \
  }                                                                                             \
  TEST_CASE(type ": a consumer's cursor sees every entry once across ledger restarts",          \
            "[" tag "][journal][ledger]") {                                                     \
    ::account::testing::journal::cursor_survives_restarts(make_store());                        \
  }                                                                                             \
  TEST_CASE(type ": notices resume after the notifier's stored cursor, repeating nothing",      \
            "[" tag "][journal][notices]") {                                                    \
    ::account::testing::journal::notices_resume_from_the_stored_cursor(make_store());           \
  }                                                                                             \
  TEST_CASE(type ": a prune keeps the ledger whole: checkpoint, replay, balances, duplicates",  \
            "[" tag "][journal][retention]") {                                                  \
    ::account::testing::journal::prune_keeps_the_ledger_whole(make_store());                    \
  }                                                                                             \
  TEST_CASE(type ": a prune by age removes the entries older than the bound",                   \
            "[" tag "][journal][retention]") {                                                  \
    ::account::testing::journal::prune_by_age(make_store());                                    \
  }
