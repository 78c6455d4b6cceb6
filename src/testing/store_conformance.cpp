// The Store conformance suite (testing/store_conformance.h). Each case is a function run on a
// store of its own; the checks are case_check.h's, reported through the caller's callback.
#include "account/testing/store_conformance.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/notional.h"
#include "account/status.h"
#include "ledger/fill_trade.h"
#include "testing/case_check.h"
#include "testing/conformance_suite.h"

namespace account::testing {
namespace {

// 2026-09-10T00:00:00Z, a Thursday of week 1 of the 2026 NFL season.
absl::Time suite_time() { return absl::FromUnixSeconds(1'789'000'000); }

void empty_store_loads_empty(const std::shared_ptr<Store>& store, CaseCheck& check) {
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_CHECK(check, s.accounts.empty());
  CONFORM_CHECK(check, s.reservations.empty());
  CONFORM_CHECK_EQ(check, s.reservation_id_high_water, uint64_t{0});
  std::optional<Fill> found;
  CONFORM_ASSIGN_OR_RETURN(check, found, store->find_execution(ExecutionId{1}));
  CONFORM_CHECK(check, !found.has_value());
  std::vector<Trade> trades;
  CONFORM_ASSIGN_OR_RETURN(check, trades, store->trades(AccountId{1}, 10));
  CONFORM_CHECK(check, trades.empty());
}

void round_trips_every_row_type(const std::shared_ptr<Store>& store, CaseCheck& check) {
  const absl::Time t = suite_time();
  const ChangeSet c = sample_changes(t);
  CONFORM_REQUIRE_OK(check, store->commit(c));
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_REQUIRE_EQ(check, s.accounts.size(), size_t{2});
  CONFORM_CHECK_EQ(check, s.accounts[0].display_name, c.new_accounts[0].display_name);
  CONFORM_CHECK_EQ(check, s.accounts[1].display_name, c.new_accounts[1].display_name);
  CONFORM_CHECK_EQ(check, s.accounts[0].google_id, c.new_accounts[0].google_id);
  CONFORM_CHECK_EQ(check, s.accounts[0].cash, Cents{4'999});
  CONFORM_CHECK_EQ(check, s.accounts[1].created_at, t);
  CONFORM_CHECK(check, s.positions == c.positions);
  CONFORM_CHECK(check, s.reservations == c.reservations);
  CONFORM_CHECK(check, s.executions == c.executions);
  CONFORM_CHECK_EQ(check, s.trades.size(), size_t{2});
  CONFORM_CHECK_EQ(check, s.entries.size(), size_t{3});
  CONFORM_CHECK_EQ(check, s.reservation_id_high_water, uint64_t{2});
  std::optional<Fill> found;
  CONFORM_ASSIGN_OR_RETURN(check, found, store->find_execution(c.executions[0].execution));
  CONFORM_CHECK(check, found == c.executions[0]);
}

void updates_rows_in_place(const std::shared_ptr<Store>& store, CaseCheck& check) {
  const absl::Time t = suite_time();
  CONFORM_REQUIRE_OK(check, store->commit(sample_changes(t)));
  ChangeSet next;
  next.balances.push_back(CashBalance{AccountId{1}, Cents{1}});
  Position position = sample_changes(t).positions[0];
  position.qty = Qty{1};
  position.cost_basis = Cents{3};
  next.positions.push_back(position);
  Reservation r = sample_changes(t).reservations[1];
  r.status = ReservationStatus::kCancelled;
  r.updated_at = t + absl::Hours(1);
  next.reservations.push_back(r);
  CONFORM_REQUIRE_OK(check, store->commit(next));
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_REQUIRE_EQ(check, s.accounts.size(), size_t{2});
  CONFORM_CHECK_EQ(check, s.accounts[0].cash, Cents{1});
  CONFORM_CHECK_EQ(check, s.accounts[1].cash, Cents{5'001});
  CONFORM_REQUIRE_EQ(check, s.positions.size(), size_t{2});
  CONFORM_CHECK(check, s.positions[0] == position);
  CONFORM_REQUIRE_EQ(check, s.reservations.size(), size_t{2});
  CONFORM_CHECK(check, s.reservations[1] == r);
  CONFORM_CHECK(check, s.reservations[1].status == ReservationStatus::kCancelled);
}

void sleeper_link_round_trips(const std::shared_ptr<Store>& store, CaseCheck& check) {
  ChangeSet c = sample_changes(suite_time());
  const SleeperLink link{.user_id = "7310",
                         .username = "Al'ice \\ \xff",
                         .league_id = std::string(255, '9'),
                         .season = "2026",
                         .roster_id = 4};
  c.links.push_back(AccountLink{AccountId{2}, link});
  CONFORM_REQUIRE_OK(check, store->commit(c));
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_REQUIRE_EQ(check, s.accounts.size(), size_t{2});
  CONFORM_CHECK(check, !s.accounts[0].sleeper.has_value());
  CONFORM_CHECK(check, s.accounts[1].sleeper == link);
  CONFORM_CHECK_EQ(check, s.accounts[1].cash, Cents{5'001});
  ChangeSet next;
  const SleeperLink other{
      .user_id = "42", .username = "al", .league_id = "1", .season = "2027", .roster_id = 1};
  next.links.push_back(AccountLink{AccountId{1}, other});
  next.links.push_back(AccountLink{AccountId{2}, other});
  next.balances.push_back(CashBalance{AccountId{1}, Cents{3}});
  CONFORM_REQUIRE_OK(check, store->commit(next));
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_REQUIRE_EQ(check, s.accounts.size(), size_t{2});
  CONFORM_CHECK(check, s.accounts[0].sleeper == other);
  CONFORM_CHECK_EQ(check, s.accounts[0].cash, Cents{3});
  CONFORM_CHECK(check, s.accounts[1].sleeper == other);
  CONFORM_CHECK_EQ(check, s.accounts[1].display_name, c.new_accounts[1].display_name);
}

void unknown_account_fails_commit_whole(const std::shared_ptr<Store>& store, CaseCheck& check) {
  CONFORM_REQUIRE_OK(check, store->commit(sample_changes(suite_time())));
  for (const bool link : {true, false}) {
    check.set_context(link ? "a link of account 99" : "a balance of account 99");
    ChangeSet bad;
    bad.balances.push_back(CashBalance{AccountId{1}, Cents{777}});
    if (link) {
      bad.links.push_back(AccountLink{AccountId{99}, SleeperLink{.user_id = "1",
                                                                 .username = "u",
                                                                 .league_id = "2",
                                                                 .season = "2026",
                                                                 .roster_id = 3}});
    } else {
      bad.balances.push_back(CashBalance{AccountId{99}, Cents{1}});
    }
    CONFORM_CHECK_EQ(check, store->commit(bad).code(), absl::StatusCode::kNotFound);
    LedgerSnapshot s;
    CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
    CONFORM_REQUIRE_EQ(check, s.accounts.size(), size_t{2});
    CONFORM_CHECK_EQ(check, s.accounts[0].cash, Cents{4'999});
  }
}

void unique_key_breach_applies_nothing(const std::shared_ptr<Store>& store, CaseCheck& check) {
  const absl::Time t = suite_time();
  CONFORM_REQUIRE_OK(check, store->commit(sample_changes(t)));
  ChangeSet again;
  again.balances.push_back(CashBalance{AccountId{1}, Cents{777}});
  again.executions.push_back(sample_changes(t).executions[0]);
  CONFORM_CHECK(check, !store->commit(again).ok());
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_REQUIRE_EQ(check, s.accounts.size(), size_t{2});
  CONFORM_CHECK_EQ(check, s.accounts[0].cash, Cents{4'999});
}

void trades_newest_first_limited(const std::shared_ptr<Store>& store, CaseCheck& check) {
  const absl::Time t = suite_time();
  CONFORM_REQUIRE_OK(check, store->commit(sample_changes(t)));
  ChangeSet more;
  for (int i = 0; i < 5; ++i) {
    Trade trade = sample_changes(t).trades[0];
    trade.execution = ExecutionId{static_cast<uint64_t>(100 + i)};
    trade.time = t + absl::Minutes(i + 1);
    more.trades.push_back(trade);
  }
  CONFORM_REQUIRE_OK(check, store->commit(more));
  std::vector<Trade> trades;
  CONFORM_ASSIGN_OR_RETURN(check, trades, store->trades(AccountId{1}, 3));
  CONFORM_REQUIRE_EQ(check, trades.size(), size_t{3});
  CONFORM_CHECK_EQ(check, trades[0].execution, ExecutionId{104});
  CONFORM_CHECK_EQ(check, trades[2].execution, ExecutionId{102});
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({.trades_per_account_max = 2}));
  CONFORM_CHECK_EQ(check, s.trades.size(), size_t{3});  // 2 of account 1, 1 of account 2.
}

void load_honours_windows(const std::shared_ptr<Store>& store, CaseCheck& check) {
  const absl::Time t = suite_time();
  CONFORM_REQUIRE_OK(check, store->commit(sample_changes(t)));
  ChangeSet later;
  Fill fill = sample_changes(t).executions[0];
  fill.execution = ExecutionId{999};
  fill.time = t + absl::Hours(3);
  later.executions.push_back(fill);
  CONFORM_REQUIRE_OK(check, store->commit(later));
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s,
                           store->load({.execution_retention = absl::Hours(1),
                                        .reservations_finished_since = t + absl::Seconds(1)}));
  CONFORM_REQUIRE_EQ(check, s.executions.size(), size_t{1});
  CONFORM_CHECK_EQ(check, s.executions[0].execution, ExecutionId{999});
  // The settled reservation finished before the cutoff; the active one stays.
  CONFORM_REQUIRE_EQ(check, s.reservations.size(), size_t{1});
  CONFORM_CHECK_EQ(check, s.reservations[0].id, ReservationId{2});
  CONFORM_CHECK_EQ(check, s.reservation_id_high_water, uint64_t{2});
  // Executions outside the window are still found.
  std::optional<Fill> found;
  CONFORM_ASSIGN_OR_RETURN(check, found,
                           store->find_execution(ExecutionId{(uint64_t{1} << 40) | 3}));
  CONFORM_CHECK(check, found.has_value());
}

void ledger_restores_after_restart(const std::shared_ptr<Store>& store, CaseCheck& check) {
  const absl::Time t = suite_time();
  auto clock = std::make_shared<ManualClock>(t);
  std::unique_ptr<AccountService> service;
  CONFORM_ASSIGN_OR_RETURN(check, service, AccountService::open({.store = store, .clock = clock}));
  AccountId a;
  AccountId b;
  CONFORM_ASSIGN_OR_RETURN(check, a, service->create_account("sub-a", "A"));
  CONFORM_ASSIGN_OR_RETURN(check, b, service->create_account("sub-b", "B"));
  CONFORM_REQUIRE_OK(check, service->credit(a, Cents{100'000}, EntryKind::kFantasyCredit, "c1"));
  CONFORM_REQUIRE_OK(check, service->issue_shares(b, SymbolId{3}, Qty{50'000}, "i1"));
  const OrderSpec buy{.account = a,
                      .order = OrderId{1},
                      .symbol = SymbolId{3},
                      .qty = Qty{20'000},
                      .limit = Price{9'999}};
  const OrderSpec sell{.account = b,
                       .order = OrderId{2},
                       .symbol = SymbolId{3},
                       .qty = Qty{30'000},
                       .limit = Price{5'000}};
  CONFORM_REQUIRE_OK(check, service->reserve_buy(buy));
  CONFORM_REQUIRE_OK(check, service->reserve_sell(sell));
  const Fill fill{.execution = ExecutionId{77},
                  .symbol = SymbolId{3},
                  .qty = Qty{7'777},
                  .price = Price{6'543},
                  .buyer = {a, buy.order},
                  .seller = {b, sell.order},
                  .tick = TickId{5},
                  .time = t};
  CONFORM_REQUIRE_OK(check, service->settle(fill));
  const LedgerSnapshot before = service->snapshot();
  service.reset();
  std::unique_ptr<AccountService> reopened;
  CONFORM_ASSIGN_OR_RETURN(check, reopened, AccountService::open({.store = store, .clock = clock}));
  CONFORM_CHECK(check, reopened->snapshot() == before);
  CONFORM_CHECK(check, reason_of(reopened->settle(fill)) == Reason::kDuplicateExecution);
  // 100000 - floor(7777 * 6543 / 1e4) paid - ceil(12223 * 9999 / 1e4) still held.
  Cents available;
  CONFORM_ASSIGN_OR_RETURN(check, available, reopened->available_cash(a));
  CONFORM_CHECK_EQ(check, available, Cents{100'000 - 5'088 - 12'222});
  CONFORM_CHECK(check, reopened->audit().ok());
}

// A journal entry as the ledger would hand one over; the store keeps the bytes as they are, so
// they hold a NUL and high bytes to show it.
JournalRecord record(uint64_t seq) {
  JournalRecord r{.seq = seq, .committed_at = suite_time() + absl::Nanoseconds(seq)};
  r.bytes = std::string("\x01\x00\xff entry ", 9) + std::to_string(seq);
  for (size_t i = 0; i < r.hash.size(); ++i) r.hash[i] = static_cast<uint8_t>(seq * 31 + i);
  return r;
}

void journal_round_trips_with_its_head(const std::shared_ptr<Store>& store, CaseCheck& check) {
  LedgerSnapshot empty;
  CONFORM_ASSIGN_OR_RETURN(check, empty, store->load({}));
  CONFORM_CHECK(check, empty.journal_head == JournalHead{});
  ChangeSet first = sample_changes(suite_time());
  first.journal = record(1);
  CONFORM_REQUIRE_OK(check, store->commit(first));
  for (uint64_t seq = 2; seq <= 5; ++seq) {
    ChangeSet c;
    c.journal = record(seq);
    CONFORM_REQUIRE_OK(check, store->commit(c));
  }
  std::vector<JournalRecord> all;
  CONFORM_ASSIGN_OR_RETURN(check, all, store->journal(0, 100));
  CONFORM_REQUIRE_EQ(check, all.size(), size_t{5});
  for (uint64_t seq = 1; seq <= 5; ++seq) {
    check.set_context("entry " + std::to_string(seq));
    CONFORM_CHECK(check, all[seq - 1] == record(seq));
  }
  check.set_context("");
  std::vector<JournalRecord> page;
  CONFORM_ASSIGN_OR_RETURN(check, page, store->journal(2, 2));
  CONFORM_REQUIRE_EQ(check, page.size(), size_t{2});
  CONFORM_CHECK_EQ(check, page[0].seq, uint64_t{3});
  CONFORM_CHECK_EQ(check, page[1].seq, uint64_t{4});
  CONFORM_ASSIGN_OR_RETURN(check, page, store->journal(5, 10));
  CONFORM_CHECK(check, page.empty());
  LedgerSnapshot loaded;
  CONFORM_ASSIGN_OR_RETURN(check, loaded, store->load({}));
  CONFORM_CHECK(check, (loaded.journal_head == JournalHead{5, record(5).hash}));
}

void journal_entry_must_follow_the_head(const std::shared_ptr<Store>& store, CaseCheck& check) {
  // Seq 2 on an empty store: refused whole, its rows with it.
  ChangeSet skipping = sample_changes(suite_time());
  skipping.journal = record(2);
  CONFORM_CHECK_EQ(check, store->commit(skipping).code(), absl::StatusCode::kAborted);
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_CHECK(check, s.accounts.empty() && s.executions.empty());
  CONFORM_CHECK(check, s.journal_head == JournalHead{});
  // Seq 1 is taken; then seq 1 again, or 3, are refused and change nothing.
  ChangeSet first = sample_changes(suite_time());
  first.journal = record(1);
  CONFORM_REQUIRE_OK(check, store->commit(first));
  for (uint64_t wrong : {uint64_t{1}, uint64_t{3}}) {
    check.set_context("seq " + std::to_string(wrong) + " after 1");
    ChangeSet c;
    c.journal = record(wrong);
    CONFORM_CHECK_EQ(check, store->commit(c).code(), absl::StatusCode::kAborted);
  }
  check.set_context("");
  // A change set without an entry (seq 0) is written, and the head stays.
  ChangeSet plain;
  plain.balances.push_back({AccountId{1}, Cents{42}});
  CONFORM_REQUIRE_OK(check, store->commit(plain));
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_CHECK(check, (s.journal_head == JournalHead{1, record(1).hash}));
  CONFORM_CHECK(check, !s.accounts.empty() && s.accounts[0].cash == Cents{42});
  std::vector<JournalRecord> all;
  CONFORM_ASSIGN_OR_RETURN(check, all, store->journal(0, 100));
  CONFORM_CHECK_EQ(check, all.size(), size_t{1});
  // And seq 2 follows.
  ChangeSet second;
  second.journal = record(2);
  CONFORM_CHECK_OK(check, store->commit(second));
}

// Cursors by name, for a store that keeps them: none at first, each replaced in place.
void journal_cursors_replace_in_place(const std::shared_ptr<Store>& store,
                                      const absl::StatusOr<std::optional<uint64_t>>& none,
                                      CaseCheck& check) {
  CONFORM_REQUIRE_OK(check, none.status());
  CONFORM_CHECK(check, !none->has_value());
  CONFORM_REQUIRE_OK(check, store->set_journal_cursor("notifier", 7));
  CONFORM_REQUIRE_OK(check, store->set_journal_cursor("reports 'q4'", 0));
  CONFORM_REQUIRE_OK(check, store->set_journal_cursor("notifier", 9));
  std::optional<uint64_t> seq;
  CONFORM_ASSIGN_OR_RETURN(check, seq, store->journal_cursor("notifier"));
  CONFORM_CHECK(check, seq == std::optional<uint64_t>(9));
  CONFORM_ASSIGN_OR_RETURN(check, seq, store->journal_cursor("reports 'q4'"));
  CONFORM_CHECK(check, seq == std::optional<uint64_t>(0));
  CONFORM_ASSIGN_OR_RETURN(check, seq, store->journal_cursor("Notifier"));
  CONFORM_CHECK(check, !seq.has_value());
}

// Cursors by name: none at first, each replaced in place, names apart. A store that keeps none
// answers kUnimplemented to both calls, and the ledger's notices then start at the head.
void journal_cursors_by_name(const std::shared_ptr<Store>& store, CaseCheck& check) {
  absl::StatusOr<std::optional<uint64_t>> none = store->journal_cursor("notifier");
  const bool keeps_cursors = none.status().code() != absl::StatusCode::kUnimplemented;
  if (!keeps_cursors) {
    CONFORM_CHECK_EQ(check, store->set_journal_cursor("notifier", 1).code(),
                     absl::StatusCode::kUnimplemented);
  } else {
    journal_cursors_replace_in_place(store, none, check);
  }
  // A cursor is not a ledger commit: the journal and the rows stay as they were.
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_CHECK(check, s.journal_head == JournalHead{} && s.accounts.empty());
}

// --- History pages -------------------------------------------------------------------------------

// A fill of `qty` at $100 a share with its two trades, the seller's realising `pnl`.
void add_fill(ChangeSet& c, uint64_t execution, uint64_t symbol, uint64_t buyer, uint64_t seller,
              absl::Time time, Cents pnl = Cents{0}) {
  const Fill fill{.execution = ExecutionId{execution},
                  .symbol = SymbolId{symbol},
                  .qty = Qty{10'000},
                  .price = Price{10'000},
                  .buyer = {AccountId{buyer}, OrderId{execution * 2}},
                  .seller = {AccountId{seller}, OrderId{execution * 2 + 1}},
                  .tick = TickId{execution},
                  .time = time};
  const Cents notional = *fill_notional(fill.qty, fill.price);
  c.executions.push_back(fill);
  c.trades.push_back(internal::fill_trade(fill, Side::kBuy, notional, Cents{0}));
  c.trades.push_back(internal::fill_trade(fill, Side::kSell, notional, pnl));
}

Reservation history_reservation(uint64_t id, uint64_t account, ReservationStatus status) {
  const absl::Time t = suite_time();
  return Reservation{.id = ReservationId{id},
                     .account = AccountId{account},
                     .order = OrderId{100 + id},
                     .symbol = SymbolId{7},
                     .side = Side::kSell,
                     .limit = Price{10'000},
                     .order_qty = Qty{10'000},
                     .remaining_qty = Qty{status == ReservationStatus::kActive ? 10'000 : 0},
                     .created_at = t,
                     .expires_at = t + absl::Hours(168),
                     .updated_at = t,
                     .status = status};
}

ExternalEntry history_entry(std::string key, EntryKind kind, uint64_t account, int minute) {
  return ExternalEntry{.key = std::move(key),
                       .kind = kind,
                       .account = AccountId{account},
                       .cash = Cents{100},
                       .time = suite_time() + absl::Minutes(minute)};
}

// Two commits: accounts 1 to 3; five fills (account 1 in each, on symbols 7 and 8, execution ids
// falling, so that commit order is not theirs); entries of two kinds committed out of their
// (time, key) order; reservations of several statuses, one cancelled by the second commit.
std::array<ChangeSet, 2> history_changes() {
  const absl::Time t = suite_time();
  const auto minute = [t](int m) { return t + absl::Minutes(m); };
  std::array<ChangeSet, 2> c;
  for (uint64_t id = 1; id <= 3; ++id) {
    c[0].new_accounts.push_back(Account{.id = AccountId{id},
                                        .google_id = "history-" + std::to_string(id),
                                        .display_name = "History " + std::to_string(id),
                                        .created_at = t});
  }
  add_fill(c[0], 500, 7, 1, 2, minute(1));
  add_fill(c[0], 400, 8, 3, 1, minute(2), Cents{-25});
  add_fill(c[1], 300, 7, 1, 3, minute(3));
  add_fill(c[1], 200, 7, 2, 1, minute(4), Cents{17});
  add_fill(c[1], 100, 8, 1, 2, minute(5));
  c[0].entries = {history_entry("credit:2", EntryKind::kFantasyCredit, 1, 3),
                  history_entry("adj:9", EntryKind::kAdjustment, 1, 1),
                  history_entry("credit:x", EntryKind::kFantasyCredit, 2, 1)};
  c[1].entries = {history_entry("credit:1", EntryKind::kFantasyCredit, 1, 1),
                  history_entry("adj:1", EntryKind::kAdjustment, 1, 2),
                  history_entry("credit:3", EntryKind::kFantasyCredit, 1, 4)};
  using S = ReservationStatus;
  c[0].reservations = {history_reservation(1, 1, S::kSettled),
                       history_reservation(2, 1, S::kActive),
                       history_reservation(3, 2, S::kActive),
                       history_reservation(4, 1, S::kActive),
                       history_reservation(5, 1, S::kActive)};
  Reservation cancelled = history_reservation(4, 1, S::kCancelled);
  cancelled.updated_at = t + absl::Minutes(9);
  c[1].reservations = {cancelled, history_reservation(6, 1, S::kReleased),
                       history_reservation(7, 1, S::kActive)};
  return c;
}

// What paging through a query two rows a page gave: every row in order, and each page's size.
template <typename Row>
struct Paged {
  std::vector<Row> rows;
  std::vector<size_t> page_sizes;

  // Adds a page; true when it is the last.
  bool add(const std::vector<Row>& page, bool more) {
    rows.insert(rows.end(), page.begin(), page.end());
    page_sizes.push_back(page.size());
    return !more || page.empty();
  }
};

// Pages a store that keeps saying `more` is cut off after: more than the case's rows can fill.
constexpr int kHistoryPagesMax = 20;

// Page sizes of `rows` rows two a page: full pages, then what is left (one empty page for none).
std::vector<size_t> pages_of_two(size_t rows) {
  std::vector<size_t> sizes(rows / 2, 2);
  if (rows % 2 != 0 || rows == 0) sizes.push_back(rows % 2);
  return sizes;
}

absl::StatusOr<Paged<Trade>> trade_pages(Store& store, TradeQuery query) {
  Paged<Trade> out;
  query.limit = 2;
  for (int i = 0; i < kHistoryPagesMax; ++i) {
    absl::StatusOr<TradePage> page = store.trade_page(query);
    if (!page.ok()) return page.status();
    if (out.add(page->trades, page->more)) break;
    query.after_row = page->last_row;
  }
  return out;
}

absl::StatusOr<Paged<ExternalEntry>> entry_pages(Store& store, EntryQuery query) {
  Paged<ExternalEntry> out;
  query.limit = 2;
  for (int i = 0; i < kHistoryPagesMax; ++i) {
    absl::StatusOr<EntryPage> page = store.entry_page(query);
    if (!page.ok()) return page.status();
    if (out.add(page->entries, page->more)) break;
    query.after = EntryQuery::After{page->entries.back().time, page->entries.back().key};
  }
  return out;
}

absl::StatusOr<Paged<Reservation>> reservation_pages(Store& store, ReservationQuery query) {
  Paged<Reservation> out;
  query.limit = 2;
  for (int i = 0; i < kHistoryPagesMax; ++i) {
    absl::StatusOr<ReservationPage> page = store.reservation_page(query);
    if (!page.ok()) return page.status();
    if (out.add(page->reservations, page->more)) break;
    query.after_id = page->reservations.back().id;
  }
  return out;
}

// Checks that `paged` holds exactly `want`, in order, two a page, each page but the last saying
// more.
template <typename Row>
void check_paged(CaseCheck& check, std::string context, const absl::StatusOr<Paged<Row>>& paged,
                 const std::vector<Row>& want) {
  check.set_context(std::move(context));
  if (CONFORM_CHECK_OK(check, paged)) {
    CONFORM_CHECK_EQ(check, paged->rows.size(), want.size());
    CONFORM_CHECK(check, paged->rows == want);
    CONFORM_CHECK(check, paged->page_sizes == pages_of_two(want.size()));
  }
  check.set_context("");
}

void check_trade_pages(Store& store, const std::array<ChangeSet, 2>& c, CaseCheck& check) {
  // Account 1's trades in commit order: the buy of fill 500, the sell of 400, the buy of 300,
  // the sell of 200, the buy of 100.
  const std::vector<Trade> all = {c[0].trades[0], c[0].trades[3], c[1].trades[0],
                                  c[1].trades[3], c[1].trades[4]};
  const AccountId one{1};
  const absl::Time t = suite_time();
  check_paged(check, "account 1's trades", trade_pages(store, {.account = one}), all);
  check_paged(check, "account 1's trades of symbol 7",
              trade_pages(store, {.account = one, .symbol = SymbolId{7}}),
              {all[0], all[2], all[3]});
  check_paged(check, "account 1's trades in [t+2m, t+5m)",
              trade_pages(store, {.account = one,
                                  .from = t + absl::Minutes(2),
                                  .to = t + absl::Minutes(5)}),
              {all[1], all[2], all[3]});
  check_paged(check, "account 1's trades of symbol 8 before t+2m",
              trade_pages(store, {.account = one,
                                  .symbol = SymbolId{8},
                                  .to = t + absl::Minutes(2)}),
              std::vector<Trade>{});
  check_paged(check, "account 9's trades", trade_pages(store, {.account = AccountId{9}}),
              std::vector<Trade>{});
  // After the last row: nothing, and the cursor stays where it was.
  absl::StatusOr<TradePage> last = store.trade_page({.account = one, .limit = 5});
  if (!CONFORM_CHECK_OK(check, last)) return;
  CONFORM_CHECK(check, last->trades == all && !last->more);
  absl::StatusOr<TradePage> after = store.trade_page({.account = one, .after_row = last->last_row});
  if (!CONFORM_CHECK_OK(check, after)) return;
  CONFORM_CHECK(check, after->trades.empty() && !after->more);
  CONFORM_CHECK_EQ(check, after->last_row, last->last_row);
}

void check_entry_pages(Store& store, const std::array<ChangeSet, 2>& c, CaseCheck& check) {
  // Account 1's entries by (time, key): adj:9 and credit:1 at t+1m, adj:1, credit:2, credit:3.
  const std::vector<ExternalEntry> all = {c[0].entries[1], c[1].entries[0], c[1].entries[1],
                                          c[0].entries[0], c[1].entries[2]};
  const AccountId one{1};
  const absl::Time t = suite_time();
  check_paged(check, "account 1's entries", entry_pages(store, {.account = one}), all);
  check_paged(check, "account 1's fantasy credits",
              entry_pages(store, {.account = one, .kind = EntryKind::kFantasyCredit}),
              {all[1], all[3], all[4]});
  check_paged(check, "account 1's entries in [t+1m, t+3m)",
              entry_pages(store, {.account = one,
                                  .from = t + absl::Minutes(1),
                                  .to = t + absl::Minutes(3)}),
              {all[0], all[1], all[2]});
  check_paged(check, "account 2's adjustments",
              entry_pages(store, {.account = AccountId{2}, .kind = EntryKind::kAdjustment}),
              std::vector<ExternalEntry>{});
}

void check_reservation_pages(Store& store, const std::array<ChangeSet, 2>& c, CaseCheck& check) {
  // Account 1's reservations by id, reservation 4 as the second commit left it.
  const std::vector<Reservation> all = {c[0].reservations[0], c[0].reservations[1],
                                        c[1].reservations[0], c[0].reservations[4],
                                        c[1].reservations[1], c[1].reservations[2]};
  const AccountId one{1};
  check_paged(check, "account 1's reservations", reservation_pages(store, {.account = one}), all);
  check_paged(check, "account 1's active reservations",
              reservation_pages(store, {.account = one, .status = ReservationStatus::kActive}),
              {all[1], all[3], all[5]});
  check_paged(check, "account 1's cancelled reservations",
              reservation_pages(store, {.account = one, .status = ReservationStatus::kCancelled}),
              {all[2]});
  check_paged(check, "account 1's reservations after id 5",
              reservation_pages(store, {.account = one, .after_id = ReservationId{5}}),
              {all[4], all[5]});
}

// A limit of 0 or past kHistoryPageRowsMax, an empty time range, account 0: InvalidArgument.
void check_history_refusals(Store& store, CaseCheck& check) {
  const AccountId one{1};
  const absl::Time t = suite_time();
  constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  for (const size_t limit : {size_t{0}, kHistoryPageRowsMax + 1}) {
    check.set_context("limit " + std::to_string(limit));
    CONFORM_CHECK_EQ(check, store.trade_page({.account = one, .limit = limit}).status().code(),
                     kInvalid);
    CONFORM_CHECK_EQ(check, store.entry_page({.account = one, .limit = limit}).status().code(),
                     kInvalid);
    CONFORM_CHECK_EQ(check,
                     store.reservation_page({.account = one, .limit = limit}).status().code(),
                     kInvalid);
  }
  check.set_context("from == to");
  CONFORM_CHECK_EQ(check, store.trade_page({.account = one, .from = t, .to = t}).status().code(),
                   kInvalid);
  CONFORM_CHECK_EQ(check, store.entry_page({.account = one, .from = t, .to = t}).status().code(),
                   kInvalid);
  check.set_context("from after to");
  CONFORM_CHECK_EQ(
      check,
      store.trade_page({.account = one, .from = t, .to = t - absl::Seconds(1)}).status().code(),
      kInvalid);
  check.set_context("account 0");
  CONFORM_CHECK_EQ(check, store.trade_page({}).status().code(), kInvalid);
  CONFORM_CHECK_EQ(check, store.entry_page({}).status().code(), kInvalid);
  CONFORM_CHECK_EQ(check, store.reservation_page({}).status().code(), kInvalid);
  check.set_context("");
}

// History pages (history.h), two rows a page, through every filter; or a store that answers
// none, consistently: kUnimplemented to all three.
void history_pages(const std::shared_ptr<Store>& store, CaseCheck& check) {
  const std::array<ChangeSet, 2> changes = history_changes();
  for (const ChangeSet& c : changes) CONFORM_REQUIRE_OK(check, store->commit(c));
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_REQUIRE_EQ(check, s.accounts.size(), size_t{3});
  const absl::StatusCode answer = store->trade_page({.account = AccountId{1}}).status().code();
  if (answer == absl::StatusCode::kUnimplemented) {
    CONFORM_CHECK_EQ(check, store->entry_page({.account = AccountId{1}}).status().code(), answer);
    CONFORM_CHECK_EQ(check, store->reservation_page({.account = AccountId{1}}).status().code(),
                     answer);
    return;
  }
  check_trade_pages(*store, changes, check);
  check_entry_pages(*store, changes, check);
  check_reservation_pages(*store, changes, check);
  check_history_refusals(*store, check);
}

// --- Journal retention ---------------------------------------------------------------------------

// A checkpoint of record(seq): the store keeps its state's bytes as they are, undecoded.
JournalCheckpoint checkpoint_at(uint64_t seq, std::string state) {
  const JournalRecord r = record(seq);
  JournalCheckpoint c{.seq = seq, .committed_at = r.committed_at, .hash = r.hash,
                      .state = std::move(state)};
  for (size_t i = 0; i < c.digest.size(); ++i) c.digest[i] = static_cast<uint8_t>(c.state.size() + i);
  return c;
}

// Three entries with a fill each (executions 500, 400, 300 of history_changes' accounts), then
// prunes: the refusals change nothing; the prune of 1..2 removes their entries and the first
// two fills' trades, keeps the executions, and stores the checkpoint; retries change nothing.
void journal_prune(const std::shared_ptr<Store>& store, CaseCheck& check) {
  LedgerSnapshot empty;
  CONFORM_ASSIGN_OR_RETURN(check, empty, store->load({}));
  CONFORM_CHECK(check, empty.journal_head == JournalHead{});
  const absl::Time t = suite_time();
  std::array<ChangeSet, 3> c;
  for (uint64_t id = 1; id <= 3; ++id) {
    c[0].new_accounts.push_back(Account{.id = AccountId{id},
                                        .google_id = "prune-" + std::to_string(id),
                                        .display_name = "Prune " + std::to_string(id),
                                        .created_at = t});
  }
  add_fill(c[0], 500, 7, 1, 2, t + absl::Minutes(1));
  add_fill(c[1], 400, 8, 3, 1, t + absl::Minutes(2), Cents{-25});
  add_fill(c[2], 300, 7, 1, 3, t + absl::Minutes(3));
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    c[seq - 1].journal = record(seq);
    CONFORM_REQUIRE_OK(check, store->commit(c[seq - 1]));
  }
  std::optional<JournalCheckpoint> none;
  CONFORM_ASSIGN_OR_RETURN(check, none, store->journal_checkpoint());
  CONFORM_CHECK(check, !none.has_value());
  JournalPrune prune{.checkpoint = checkpoint_at(2, std::string("state\0at 2", 10)),
                     .last_removed_execution = ExecutionId{400}};
  absl::StatusOr<JournalPruneResult> first = store->prune_journal(prune);
  if (first.status().code() == absl::StatusCode::kUnimplemented) return;  // Prunes nothing.
  CONFORM_REQUIRE_OK(check, first.status());
  CONFORM_CHECK(check, (*first == JournalPruneResult{.checkpoint_seq = 2, .entries_removed = 2,
                                                      .trades_removed = 4}));
  std::vector<JournalRecord> kept;
  CONFORM_ASSIGN_OR_RETURN(check, kept, store->journal(0, 100));
  CONFORM_CHECK(check, kept.size() == 1 && kept[0] == record(3));
  std::optional<JournalCheckpoint> stored;
  CONFORM_ASSIGN_OR_RETURN(check, stored, store->journal_checkpoint());
  CONFORM_CHECK(check, stored == std::optional<JournalCheckpoint>(prune.checkpoint));
  LedgerSnapshot s;
  CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
  CONFORM_CHECK(check, (s.journal_head == JournalHead{3, record(3).hash}));
  CONFORM_CHECK_EQ(check, s.executions.size(), size_t{3});
  CONFORM_CHECK(check, s.trades.size() == 2 && s.trades[0].execution == ExecutionId{300} &&
                           s.trades[1].execution == ExecutionId{300});
  std::vector<Trade> trades;
  CONFORM_ASSIGN_OR_RETURN(check, trades, store->trades(AccountId{1}, 10));
  CONFORM_CHECK(check, trades.size() == 1 && trades[0].execution == ExecutionId{300});
  std::optional<Fill> old_fill;
  CONFORM_ASSIGN_OR_RETURN(check, old_fill, store->find_execution(ExecutionId{500}));
  CONFORM_CHECK(check, old_fill.has_value());

  // Retries: the same prune, and one older than the checkpoint, change nothing.
  JournalPruneResult again;
  CONFORM_ASSIGN_OR_RETURN(check, again, store->prune_journal(prune));
  CONFORM_CHECK(check, (again == JournalPruneResult{.checkpoint_seq = 2}));
  JournalPrune older{.checkpoint = checkpoint_at(1, "state at 1"),
                     .last_removed_execution = ExecutionId{500}};
  CONFORM_ASSIGN_OR_RETURN(check, again, store->prune_journal(older));
  CONFORM_CHECK(check, (again == JournalPruneResult{.checkpoint_seq = 2}));
  // The next commit chains on as before.
  ChangeSet fourth;
  fourth.journal = record(4);
  CONFORM_CHECK_OK(check, store->commit(fourth));
}

// Each refusal of prune_journal() leaves the journal, the trades and the checkpoint as they
// were.
void journal_prune_refusals(const std::shared_ptr<Store>& store, CaseCheck& check) {
  LedgerSnapshot empty;
  CONFORM_ASSIGN_OR_RETURN(check, empty, store->load({}));
  CONFORM_CHECK(check, empty.journal_head == JournalHead{});
  const absl::Time t = suite_time();
  std::array<ChangeSet, 3> c;
  c[0].new_accounts.push_back(Account{.id = AccountId{1}, .google_id = "r-1",
                                      .display_name = "R 1", .created_at = t});
  c[0].new_accounts.push_back(Account{.id = AccountId{2}, .google_id = "r-2",
                                      .display_name = "R 2", .created_at = t});
  add_fill(c[0], 500, 7, 1, 2, t + absl::Minutes(1));
  add_fill(c[1], 400, 7, 2, 1, t + absl::Minutes(2));
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    c[seq - 1].journal = record(seq);
    CONFORM_REQUIRE_OK(check, store->commit(c[seq - 1]));
  }
  const JournalPrune good{.checkpoint = checkpoint_at(2, "state at 2"),
                          .last_removed_execution = ExecutionId{400}};
  if (store->prune_journal(JournalPrune{.checkpoint = checkpoint_at(3, "x")}).status().code() ==
      absl::StatusCode::kUnimplemented) {
    return;
  }
  struct Refused {
    const char* what;
    JournalPrune prune;
    absl::StatusCode code;
  };
  JournalPrune at_head = good;
  at_head.checkpoint = checkpoint_at(3, "state at 3");
  JournalPrune zero = good;
  zero.checkpoint = checkpoint_at(0, "state at 0");
  JournalPrune past_head = good;
  past_head.checkpoint = checkpoint_at(9, "state at 9");
  JournalPrune other_hash = good;
  other_hash.checkpoint.hash[0] ^= 1;
  JournalPrune other_time = good;
  other_time.checkpoint.committed_at += absl::Seconds(1);
  JournalPrune no_trades = good;
  no_trades.last_removed_execution = ExecutionId{999};
  const Refused refusals[] = {
      {"the head", at_head, absl::StatusCode::kInvalidArgument},
      {"seq 0", zero, absl::StatusCode::kInvalidArgument},
      {"past the head", past_head, absl::StatusCode::kInvalidArgument},
      {"another hash", other_hash, absl::StatusCode::kInvalidArgument},
      {"another commit time", other_time, absl::StatusCode::kInvalidArgument},
      {"an execution with no trades", no_trades, absl::StatusCode::kDataLoss},
  };
  const auto unchanged = [&](const char* what) {
    check.set_context(what);
    std::vector<JournalRecord> all;
    CONFORM_ASSIGN_OR_RETURN(check, all, store->journal(0, 100));
    CONFORM_CHECK_EQ(check, all.size(), size_t{3});
    LedgerSnapshot s;
    CONFORM_ASSIGN_OR_RETURN(check, s, store->load({}));
    CONFORM_CHECK_EQ(check, s.trades.size(), size_t{4});
    std::optional<JournalCheckpoint> none;
    CONFORM_ASSIGN_OR_RETURN(check, none, store->journal_checkpoint());
    CONFORM_CHECK(check, !none.has_value());
  };
  for (const Refused& r : refusals) {
    check.set_context(r.what);
    CONFORM_CHECK_EQ(check, store->prune_journal(r.prune).status().code(), r.code);
    unchanged(r.what);
  }
  // A cursor below the checkpoint refuses it, naming the cursor, unless told to pass it.
  absl::StatusOr<std::optional<uint64_t>> cursors = store->journal_cursor("reports");
  if (cursors.status().code() != absl::StatusCode::kUnimplemented) {
    CONFORM_REQUIRE_OK(check, store->set_journal_cursor("reports", 1));
    absl::StatusOr<JournalPruneResult> behind = store->prune_journal(good);
    check.set_context("a cursor behind");
    CONFORM_CHECK_EQ(check, behind.status().code(), absl::StatusCode::kFailedPrecondition);
    CONFORM_CHECK(check, behind.status().message().find("reports") != std::string_view::npos);
    unchanged("a cursor behind");
    JournalPrune passing = good;
    passing.past_cursors = true;
    check.set_context("past the cursor");
    CONFORM_CHECK_OK(check, store->prune_journal(passing).status());
  } else {
    CONFORM_CHECK_OK(check, store->prune_journal(good).status());
  }
  check.set_context("");
  // A conflicting retry: the checkpoint's seq with other bytes.
  JournalPrune conflicting = good;
  conflicting.checkpoint = checkpoint_at(2, "other state at 2");
  CONFORM_CHECK_EQ(check, store->prune_journal(conflicting).status().code(),
                   absl::StatusCode::kInvalidArgument);
  std::optional<JournalCheckpoint> stored;
  CONFORM_ASSIGN_OR_RETURN(check, stored, store->journal_checkpoint());
  CONFORM_CHECK(check, stored.has_value() && stored->state == "state at 2");
}

constexpr std::array<SuiteCase<std::shared_ptr<Store>>, 15> kStoreCases{{
    {{"empty_store_loads_empty", "an empty store loads empty"}, empty_store_loads_empty},
    {{"round_trips_every_row_type", "a commit round-trips every row type exactly"},
     round_trips_every_row_type},
    {{"updates_rows_in_place",
      "later commits update balances, positions and reservations in place"},
     updates_rows_in_place},
    {{"sleeper_link_round_trips",
      "a Sleeper link round-trips, is replaced whole, and leaves the row alone"},
     sleeper_link_round_trips},
    {{"unknown_account_fails_commit_whole",
      "a link or a balance for an account the store lacks fails the commit whole (NotFound)"},
     unknown_account_fails_commit_whole},
    {{"unique_key_breach_applies_nothing", "a commit that breaks a unique key applies nothing"},
     unique_key_breach_applies_nothing},
    {{"trades_newest_first_limited", "trades come newest first, limited"},
     trades_newest_first_limited},
    {{"load_honours_windows", "load honours the execution and finished-reservation windows"},
     load_honours_windows},
    {{"ledger_restores_after_restart", "a ledger restores exactly from the store after a restart"},
     ledger_restores_after_restart},
    {{"journal_round_trips_with_its_head",
      "journal entries round-trip byte for byte, page by seq, and load() returns the head"},
     journal_round_trips_with_its_head},
    {{"journal_entry_must_follow_the_head",
      "an entry that is not the head's successor is refused (Aborted) with its rows; seq 0 "
      "writes none"},
     journal_entry_must_follow_the_head},
    {{"journal_cursors_by_name",
      "a journal consumer's cursor is stored by name and replaced in place, or the store keeps "
      "none (Unimplemented)"},
     journal_cursors_by_name},
    {{"history_pages",
      "history pages hold every trade, entry and reservation of an account once, in order, "
      "filtered, with `more` right, or the store answers none (Unimplemented)"},
     history_pages},
    {{"journal_prune",
      "a prune removes the entries up to its checkpoint and their fills' trades, keeps the "
      "executions and the head, stores the checkpoint; its retries change nothing"},
     journal_prune},
    {{"journal_prune_refusals",
      "a prune at or past the head, of another journal, behind a stored cursor or of trades not "
      "stored is refused and changes nothing"},
     journal_prune_refusals},
}};

struct StoreSuite {
  using Handle = std::shared_ptr<Store>;
  static constexpr std::string_view kName = "Store";

  static bool usable(const Handle& store, CaseCheck& check) {
    return CONFORM_CHECK(check, store != nullptr);
  }

  static constexpr const auto& kCases = kStoreCases;
};

using Runner = ConformanceRunner<StoreSuite>;

}  // namespace

absl::Span<const ConformanceCase> store_conformance_cases() { return Runner::cases(); }

ConformanceResult run_store_conformance(const StoreFactory& make_store,
                                        const ConformanceReporter& report) {
  return Runner::run_all(make_store, report);
}

ConformanceResult run_store_conformance_case(std::string_view case_id,
                                             const StoreFactory& make_store,
                                             const ConformanceReporter& report) {
  return Runner::run_one(case_id, make_store, report);
}

ChangeSet sample_changes(absl::Time t) {
  ChangeSet c;
  c.new_accounts.push_back(Account{.id = AccountId{1},
                                   .google_id = "sub-1",
                                   .display_name = "Quote ' \" \\ ; --",
                                   .created_at = t});
  c.new_accounts.push_back(Account{.id = AccountId{2},
                                   .google_id = "sub-2",
                                   .display_name = std::string(255, 'x'),
                                   .created_at = t});
  c.balances.push_back(CashBalance{AccountId{1}, Cents{4'999}});
  c.balances.push_back(CashBalance{AccountId{2}, Cents{5'001}});
  c.positions.push_back(Position{.account = AccountId{1},
                                 .symbol = SymbolId{7},
                                 .qty = Qty{1'429},
                                 .cost_basis = Cents{5'001}});
  c.positions.push_back(Position{.account = AccountId{2},
                                 .symbol = SymbolId{7},
                                 .qty = Qty{8'571},
                                 .realized_pnl = Cents{5'001}});
  c.reservations.push_back(Reservation{.id = ReservationId{1},
                                       .account = AccountId{1},
                                       .order = OrderId{11},
                                       .symbol = SymbolId{7},
                                       .side = Side::kBuy,
                                       .limit = Price{35'000},
                                       .order_qty = Qty{1'429},
                                       .remaining_qty = Qty{0},
                                       .created_at = t,
                                       .expires_at = t + absl::Hours(168),
                                       .updated_at = t,
                                       .status = ReservationStatus::kSettled});
  c.reservations.push_back(Reservation{.id = ReservationId{2},
                                       .account = AccountId{2},
                                       .order = OrderId{12},
                                       .symbol = SymbolId{7},
                                       .side = Side::kSell,
                                       .limit = Price{30'000},
                                       .order_qty = Qty{5'000},
                                       .remaining_qty = Qty{3'571},
                                       .created_at = t,
                                       .expires_at = t + absl::Hours(168),
                                       .updated_at = t,
                                       .status = ReservationStatus::kActive});
  const Fill fill{.execution = ExecutionId{(uint64_t{1} << 40) | 3},
                  .symbol = SymbolId{7},
                  .qty = Qty{1'429},
                  .price = Price{35'000},
                  .buyer = {AccountId{1}, OrderId{11}},
                  .seller = {AccountId{2}, OrderId{12}},
                  .tick = TickId{1'000},
                  .time = t};
  c.executions.push_back(fill);
  c.trades.push_back(Trade{.execution = fill.execution,
                           .account = AccountId{1},
                           .order = OrderId{11},
                           .symbol = SymbolId{7},
                           .side = Side::kBuy,
                           .qty = fill.qty,
                           .price = fill.price,
                           .notional = Cents{5'001},
                           .tick = fill.tick,
                           .time = t});
  c.trades.push_back(Trade{.execution = fill.execution,
                           .account = AccountId{2},
                           .order = OrderId{12},
                           .symbol = SymbolId{7},
                           .side = Side::kSell,
                           .qty = fill.qty,
                           .price = fill.price,
                           .notional = Cents{5'001},
                           .realized_pnl = Cents{5'001},
                           .tick = fill.tick,
                           .time = t});
  c.entries.push_back(ExternalEntry{.key = "fantasy:1:2026:w1",
                                    .kind = EntryKind::kFantasyCredit,
                                    .account = AccountId{1},
                                    .cash = Cents{10'000},
                                    .time = t});
  c.entries.push_back(ExternalEntry{.key = "adj:1",
                                    .kind = EntryKind::kAdjustment,
                                    .account = AccountId{1},
                                    .cash = Cents{-10'000 + 4'999},
                                    .time = t});
  c.entries.push_back(ExternalEntry{.key = "issue:2:7",
                                    .kind = EntryKind::kShareIssue,
                                    .account = AccountId{2},
                                    .symbol = SymbolId{7},
                                    .qty = Qty{10'000},
                                    .time = t});
  return c;
}

}  // namespace account::testing
