// History pages on a store (account/history.h, docs/journal.md "History"): what every store must
// answer, run on MemoryStore by memory_history_test.cpp and on SqliteStore and PostgresStore by
// sqlite_history_test.cpp and postgres_history_test.cpp:
//
//   ACCOUNT_HISTORY_PAGES_TESTS("SqliteStore", "sqlite", sqlite_history_stores)
//
// - Paging over 100k trades (50,000 fills, written straight through Store::commit) with no row
//   missed or repeated: one account's trades 1,000 a page, all of them, of one symbol, in a time
//   range; in commit order, `more` false only on the last page.
// - Paging while the writer commits: pages read on a store of their own (read-only, on the
//   writer's file or database) while another thread commits more fills: the rows seen are the
//   account's trades in commit order, those committed meanwhile only at the end.
// - Entries and reservations paged through every filter, reservation ids of 2^63 and above last.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "account/change_set.h"
#include "account/history.h"
#include "account/notional.h"
#include "account/store.h"
#include "ledger/fill_trade.h"

namespace account::testing::history {

// A store as the cases reach it.
struct HistoryStores {
  std::shared_ptr<void> keep;  // What the stores live in (a directory), released after them.
  std::shared_ptr<Store> writer;
  // Where pages are read: a store opened read-only on the writer's file or database; the writer
  // itself for a store that has no second handle (MemoryStore).
  std::shared_ptr<Store> reader;
};

// Makes a new, empty store, with its reader.
using MakeHistoryStores = std::function<HistoryStores()>;

constexpr uint64_t kFillsPerCommit = 1'000;
constexpr uint64_t kTradingAccounts = 4;
constexpr uint64_t kSymbols = 3;
constexpr size_t kTradesPerPage = 1'000;

inline absl::Time start_time() { return absl::FromUnixSeconds(1'789'000'000); }

// Fill k (from 0): its buyer one of accounts 1..4 in turn, its seller another of them, its symbol
// 1..3, one millisecond after fill k - 1.
inline Fill nth_fill(uint64_t k) {
  const uint64_t buyer = 1 + k % kTradingAccounts;
  // An offset of 1 to 3 from the buyer, varying, so that sellers differ from buyers.
  const uint64_t seller =
      1 + (k + 1 + (k / kTradingAccounts) % (kTradingAccounts - 1)) % kTradingAccounts;
  return Fill{.execution = ExecutionId{k + 1},
              .symbol = SymbolId{1 + (k / 7) % kSymbols},
              .qty = Qty{100 + static_cast<int64_t>(k % 900)},
              .price = Price{5'000 + static_cast<int64_t>(k % 1'000)},
              .buyer = {AccountId{buyer}, OrderId{2 * k + 1}},
              .seller = {AccountId{seller}, OrderId{2 * k + 2}},
              .tick = TickId{k + 1},
              .time = start_time() + absl::Milliseconds(static_cast<int64_t>(k))};
}

// Fill k's two trades: the buyer's, then the seller's (as the ledger writes them).
inline std::array<Trade, 2> trades_of(const Fill& fill) {
  const Cents notional = *fill_notional(fill.qty, fill.price);
  return {internal::fill_trade(fill, Side::kBuy, notional, Cents{0}),
          internal::fill_trade(fill, Side::kSell, notional,
                               Cents{static_cast<int64_t>(fill.execution.value() % 97) - 48})};
}

// Fills [first, first + count) with their trades, committed kFillsPerCommit a change set.
inline absl::Status commit_fills(Store& store, uint64_t first, uint64_t count) {
  for (uint64_t start = first; start < first + count; start += kFillsPerCommit) {
    ChangeSet c;
    for (uint64_t k = start; k < std::min(first + count, start + kFillsPerCommit); ++k) {
      c.executions.push_back(nth_fill(k));
      for (const Trade& t : trades_of(c.executions.back())) c.trades.push_back(t);
    }
    if (absl::Status ok = store.commit(c); !ok.ok()) return ok;
  }
  return absl::OkStatus();
}

// The trades of fills [0, fills) that `query` selects (its account, symbol and time range), in
// commit order.
inline std::vector<Trade> expected_trades(uint64_t fills, const TradeQuery& query) {
  std::vector<Trade> out;
  for (uint64_t k = 0; k < fills; ++k) {
    for (const Trade& t : trades_of(nth_fill(k))) {
      if (t.account == query.account && (!query.symbol || t.symbol == *query.symbol) &&
          t.time >= query.from && t.time < query.to) {
        out.push_back(t);
      }
    }
  }
  return out;
}

// Checks `got` against `want` row by row, naming the first row that differs.
template <typename Row>
void check_same_rows(const std::vector<Row>& got, const std::vector<Row>& want) {
  CHECK(got.size() == want.size());
  const size_t n = std::min(got.size(), want.size());
  const auto differs =
      std::mismatch(got.begin(), got.begin() + static_cast<ptrdiff_t>(n), want.begin());
  if (differs.first != got.begin() + static_cast<ptrdiff_t>(n)) {
    FAIL_CHECK("first row that differs: " << (differs.first - got.begin()) << " of " << n);
  }
}

// What paging gave: every trade in order, the cursor of the last, and how many pages it took.
struct PagedTrades {
  std::vector<Trade> trades;
  uint64_t last_row = 0;
  size_t pages = 0;
};

// Every page of `query` from its cursor on, until one says no more; checks each page on the way:
// full while it says more, row numbers rising.
inline PagedTrades page_trades(Store& reader, TradeQuery query) {
  PagedTrades out{.last_row = query.after_row};
  while (true) {
    absl::StatusOr<TradePage> page = reader.trade_page(query);
    INFO(page.status().ToString());
    REQUIRE(page.ok());
    ++out.pages;
    CAPTURE(out.pages, query.after_row, page->last_row, page->trades.size());
    REQUIRE(page->trades.size() <= query.limit);
    if (page->more) REQUIRE(page->trades.size() == query.limit);
    if (page->trades.empty()) {
      REQUIRE(page->last_row == query.after_row);
    } else {
      REQUIRE(page->last_row > query.after_row);
    }
    out.trades.insert(out.trades.end(), page->trades.begin(), page->trades.end());
    out.last_row = page->last_row;
    if (!page->more) return out;
    query.after_row = page->last_row;
  }
}

// Pages a query's `rows` rows take at `limit` a page (one, empty, for none).
inline size_t pages_for(size_t rows, size_t limit) {
  return rows == 0 ? 1 : (rows + limit - 1) / limit;
}

inline void pages_over_100k_trades(const MakeHistoryStores& make) {
  HistoryStores s = make();
  constexpr uint64_t kFills = 50'000;  // 100,000 trades.
  REQUIRE(commit_fills(*s.writer, 0, kFills).ok());
  const absl::Time t = start_time();
  const TradeQuery queries[] = {
      {.account = AccountId{1}, .limit = kTradesPerPage},
      {.account = AccountId{1}, .symbol = SymbolId{2}, .limit = kTradesPerPage},
      {.account = AccountId{1},
       .from = t + absl::Seconds(10),
       .to = t + absl::Seconds(40),
       .limit = kTradesPerPage},
      {.account = AccountId{3},
       .symbol = SymbolId{3},
       .from = t + absl::Milliseconds(12'345),
       .to = t + absl::Milliseconds(45'678),
       .limit = kTradesPerPage},
  };
  for (const TradeQuery& query : queries) {
    CAPTURE(query.account, query.symbol.value_or(SymbolId{}), query.from, query.to);
    const std::vector<Trade> want = expected_trades(kFills, query);
    REQUIRE(want.size() > 3 * kTradesPerPage);  // Several pages each.
    const PagedTrades got = page_trades(*s.reader, query);
    check_same_rows(got.trades, want);
    CHECK(got.pages == pages_for(want.size(), kTradesPerPage));
  }
  // Every trade of every account, once: the four accounts' pages make up the 100,000.
  size_t total = 0;
  for (uint64_t a = 1; a <= kTradingAccounts; ++a) {
    total +=
        page_trades(*s.reader, {.account = AccountId{a}, .limit = kTradesPerPage}).trades.size();
  }
  CHECK(total == 2 * kFills);
}

inline void pages_in_order_while_the_writer_commits(const MakeHistoryStores& make) {
  HistoryStores s = make();
  constexpr uint64_t kFillsBefore = 20'000;
  constexpr uint64_t kFillsDuring = 20'000;
  REQUIRE(commit_fills(*s.writer, 0, kFillsBefore).ok());
  const TradeQuery query{.account = AccountId{1}, .limit = kTradesPerPage};
  const std::vector<Trade> all = expected_trades(kFillsBefore + kFillsDuring, query);
  // Paging starts once the writer's first change set is in.
  const size_t committed_at_start = expected_trades(kFillsBefore + kFillsPerCommit, query).size();

  std::atomic<uint64_t> fills_committed{kFillsBefore};
  absl::Status writer_status;
  std::jthread writer([&] {
    for (uint64_t k = kFillsBefore; k < kFillsBefore + kFillsDuring; k += kFillsPerCommit) {
      writer_status = commit_fills(*s.writer, k, kFillsPerCommit);
      if (!writer_status.ok()) return;
      fills_committed = k + kFillsPerCommit;
    }
  });
  while (fills_committed.load() == kFillsBefore) std::this_thread::yield();
  const PagedTrades seen = page_trades(*s.reader, query);
  const uint64_t fills_when_done = fills_committed.load();
  writer.join();
  REQUIRE(writer_status.ok());
  INFO("paged " << seen.trades.size() << " trades in " << seen.pages << " pages; the writer had "
                << "committed " << fills_when_done << " of " << kFillsBefore + kFillsDuring
                << " fills by then");
  // What was seen is the account's trades from the first on, in commit order, nothing missed or
  // repeated: trades committed during the paging only ever came after the others.
  REQUIRE(seen.trades.size() >= committed_at_start);
  REQUIRE(seen.trades.size() <= all.size());
  check_same_rows(
      seen.trades,
      std::vector<Trade>(all.begin(), all.begin() + static_cast<ptrdiff_t>(seen.trades.size())));
  // Trades committed after the last page come on the pages after its cursor.
  TradeQuery rest = query;
  rest.after_row = seen.last_row;
  std::vector<Trade> both = seen.trades;
  const PagedTrades tail = page_trades(*s.reader, rest);
  both.insert(both.end(), tail.trades.begin(), tail.trades.end());
  check_same_rows(both, all);
}

// --- Entries and reservations ---------------------------------------------------------------

constexpr uint64_t kRowAccounts = 3;

// Entry i: accounts 1..3 and the four kinds in turn, its time one of 50 seconds (many share one,
// so that the key orders them), its key "e<i>" (whose byte order is not i's).
inline ExternalEntry nth_entry(uint64_t i) {
  const auto kind = static_cast<EntryKind>(1 + (i / kRowAccounts) % 4);
  const bool shares = kind == EntryKind::kShareIssue;
  return ExternalEntry{.key = "e" + std::to_string(i),
                       .kind = kind,
                       .account = AccountId{1 + i % kRowAccounts},
                       .cash = Cents{shares ? 0 : 100 + static_cast<int64_t>(i)},
                       .symbol = SymbolId{shares ? 1 + i % kSymbols : 0},
                       .qty = Qty{shares ? 10'000 : 0},
                       .time = start_time() + absl::Seconds(static_cast<int64_t>((i * 7) % 50))};
}

// A reservation of `account` as first made: its status from the id, five in turn.
inline Reservation nth_reservation(uint64_t id, uint64_t account) {
  const auto status = static_cast<ReservationStatus>(1 + id % 5);
  const absl::Time t = start_time() + absl::Seconds(static_cast<int64_t>(id % 1'000));
  return Reservation{.id = ReservationId{id},
                     .account = AccountId{account},
                     .order = OrderId{id},
                     .symbol = SymbolId{1 + id % kSymbols},
                     .side = Side::kBuy,
                     .limit = Price{10'000},
                     .order_qty = Qty{10'000},
                     .remaining_qty = Qty{status == ReservationStatus::kActive ? 10'000 : 0},
                     .reserved_cash = Cents{status == ReservationStatus::kActive ? 10'000 : 0},
                     .created_at = t,
                     .expires_at = t + absl::Hours(168),
                     .updated_at = t,
                     .status = status};
}

// Ids of 2^63 and above, stored as negative numbers by the SQL stores, and the largest below.
inline std::vector<uint64_t> edge_reservation_ids() {
  constexpr uint64_t kHighBit = uint64_t{1} << 63;
  return {kHighBit - 1, kHighBit, kHighBit + 5, ~uint64_t{0} - 1};
}

// What the cases commit: accounts 1..3; 300 entries in three change sets; reservations 1..600 of
// the three accounts and account 1's edge ids; then every seventh reservation settled, as its
// last image. Returns the reservations as stored last, by id.
inline std::map<uint64_t, Reservation> commit_entries_and_reservations(Store& store) {
  ChangeSet accounts;
  for (uint64_t a = 1; a <= kRowAccounts; ++a) {
    accounts.new_accounts.push_back(Account{.id = AccountId{a},
                                            .google_id = "history-" + std::to_string(a),
                                            .display_name = "History",
                                            .created_at = start_time()});
  }
  REQUIRE(store.commit(accounts).ok());
  for (uint64_t first = 0; first < 300; first += 100) {
    ChangeSet c;
    for (uint64_t i = first; i < first + 100; ++i) c.entries.push_back(nth_entry(i));
    REQUIRE(store.commit(c).ok());
  }
  std::map<uint64_t, Reservation> stored;
  ChangeSet made;
  for (uint64_t id = 1; id <= 600; ++id) {
    made.reservations.push_back(nth_reservation(id, 1 + (id * 5) % kRowAccounts));
  }
  for (uint64_t id : edge_reservation_ids()) made.reservations.push_back(nth_reservation(id, 1));
  REQUIRE(store.commit(made).ok());
  ChangeSet settled;
  for (Reservation r : made.reservations) {
    if (r.id.value() % 7 == 0) {
      r.status = ReservationStatus::kSettled;
      r.remaining_qty = Qty{0};
      r.reserved_cash = Cents{0};
      r.updated_at += absl::Minutes(1);
      settled.reservations.push_back(r);
    }
    stored[r.id.value()] = r;
  }
  REQUIRE(store.commit(settled).ok());
  return stored;
}

// Every page of `query`, as page_trades() does for trades: the rows in order, and the pages.
inline std::vector<ExternalEntry> page_entries(Store& reader, EntryQuery query, size_t& pages) {
  std::vector<ExternalEntry> out;
  for (pages = 1;; ++pages) {
    absl::StatusOr<EntryPage> page = reader.entry_page(query);
    INFO(page.status().ToString());
    REQUIRE(page.ok());
    CAPTURE(pages, page->entries.size());
    REQUIRE(page->entries.size() <= query.limit);
    if (page->more) REQUIRE(page->entries.size() == query.limit);
    out.insert(out.end(), page->entries.begin(), page->entries.end());
    if (!page->more) return out;
    query.after = EntryQuery::After{page->entries.back().time, page->entries.back().key};
  }
}

inline std::vector<Reservation> page_reservations(Store& reader, ReservationQuery query,
                                                  size_t& pages) {
  std::vector<Reservation> out;
  for (pages = 1;; ++pages) {
    absl::StatusOr<ReservationPage> page = reader.reservation_page(query);
    INFO(page.status().ToString());
    REQUIRE(page.ok());
    CAPTURE(pages, page->reservations.size());
    REQUIRE(page->reservations.size() <= query.limit);
    if (page->more) REQUIRE(page->reservations.size() == query.limit);
    out.insert(out.end(), page->reservations.begin(), page->reservations.end());
    if (!page->more) return out;
    query.after_id = page->reservations.back().id;
  }
}

// The entries of 0..299 that `query` selects, by (time, key).
inline std::vector<ExternalEntry> expected_entries(const EntryQuery& query) {
  std::vector<ExternalEntry> out;
  for (uint64_t i = 0; i < 300; ++i) {
    ExternalEntry e = nth_entry(i);
    if (e.account == query.account && (!query.kind || e.kind == *query.kind) &&
        e.time >= query.from && e.time < query.to) {
      out.push_back(std::move(e));
    }
  }
  std::sort(out.begin(), out.end(), [](const ExternalEntry& a, const ExternalEntry& b) {
    return std::tie(a.time, a.key) < std::tie(b.time, b.key);
  });
  return out;
}

inline void entries_and_reservations_page_with_filters(const MakeHistoryStores& make) {
  HistoryStores s = make();
  const std::map<uint64_t, Reservation> stored = commit_entries_and_reservations(*s.writer);
  const absl::Time t = start_time();
  const EntryQuery entry_queries[] = {
      {.account = AccountId{1}, .limit = 7},
      {.account = AccountId{2}, .kind = EntryKind::kFantasyCredit, .limit = 7},
      {.account = AccountId{1},
       .from = t + absl::Seconds(10),
       .to = t + absl::Seconds(30),
       .limit = 7},
      {.account = AccountId{3},
       .kind = EntryKind::kShareIssue,
       .from = t + absl::Seconds(5),
       .to = t + absl::Seconds(45),
       .limit = 3},
  };
  for (const EntryQuery& query : entry_queries) {
    CAPTURE(query.account, query.limit, query.from, query.to);
    const std::vector<ExternalEntry> want = expected_entries(query);
    REQUIRE(want.size() > 2 * query.limit);
    size_t pages = 0;
    check_same_rows(page_entries(*s.reader, query, pages), want);
    CHECK(pages == pages_for(want.size(), query.limit));
  }
  constexpr uint64_t kHighBit = uint64_t{1} << 63;
  const ReservationQuery reservation_queries[] = {
      {.account = AccountId{1}, .limit = 7},
      {.account = AccountId{1}, .status = ReservationStatus::kActive, .limit = 7},
      {.account = AccountId{2}, .status = ReservationStatus::kSettled, .limit = 7},
      // Across the stored ids' change of sign: 2^63 - 1, then 2^63 and above.
      {.account = AccountId{1}, .after_id = ReservationId{kHighBit - 2}, .limit = 2},
      {.account = AccountId{1}, .after_id = ReservationId{kHighBit}, .limit = 1},
  };
  for (const ReservationQuery& query : reservation_queries) {
    CAPTURE(query.account, query.after_id, query.limit);
    std::vector<Reservation> want;
    for (const auto& [id, r] : stored) {
      if (r.account == query.account && id > query.after_id.value() &&
          (!query.status || r.status == *query.status)) {
        want.push_back(r);
      }
    }
    REQUIRE(want.size() >= 2);
    size_t pages = 0;
    check_same_rows(page_reservations(*s.reader, query, pages), want);
    CHECK(pages == pages_for(want.size(), query.limit));
  }
}

}  // namespace account::testing::history

#define ACCOUNT_HISTORY_PAGES_TESTS(type, tag, make_stores)                               \
  TEST_CASE(type ": paging over 100k trades misses no row and repeats none",              \
            "[" tag "][journal][history]") {                                              \
    ::account::testing::history::pages_over_100k_trades(make_stores);                     \
  }                                                                                       \
  TEST_CASE(type ": pages stay in commit order while the writer commits beside them",     \
            "[" tag "][journal][history]") {                                              \
    ::account::testing::history::pages_in_order_while_the_writer_commits(make_stores);    \
  }                                                                                       \
  TEST_CASE(type ": entries and reservations page through every filter",                  \
            "[" tag "][journal][history]") {                                              \
    ::account::testing::history::entries_and_reservations_page_with_filters(make_stores); \
  }
