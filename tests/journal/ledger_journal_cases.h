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
  }
