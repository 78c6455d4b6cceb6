// SQLite's own failures, each with the answer docs/sqlite-store.md gives it:
// a damaged file refused at open (every page, any byte), or by load() when
// the open check is off; a file deleted, moved or replaced under the store;
// a full disk, by the store's size limit and by a file-size limit on the
// process, refused cleanly with nothing acknowledged lost.
#include "account/sqlite/sqlite_store.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "account/account_service.h"
#include "account/testing/builders.h"
#include "account/testing/counterparties.h"
#include "account/testing/recording_notification_sink.h"
#include "account/testing/store_conformance.h"
#include "crash_harness.h"
#include "sqlite_fixture.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::denied_with;
using testing::open_sqlite;
using testing::TempDir;
using testing::test_epoch;

constexpr int64_t kPageBytes = 4096;

std::string text(const absl::Status& s) { return std::string(s.message()); }

// A closed database of a few dozen pages: accounts, orders, fills, trades.
void make_ledger_file(const std::string& path) {
  auto store = open_sqlite(path);
  auto clock = std::make_shared<ManualClock>(test_epoch());
  auto service = AccountService::open({.store = store, .clock = clock}).value();
  const AccountId buyer = service->create_account("sub-buyer", "Buyer").value();
  const AccountId seller = service->create_account("sub-seller", "Seller").value();
  REQUIRE(service->credit(buyer, Cents{100'000'000}, EntryKind::kAdjustment, "fund").ok());
  REQUIRE(service->issue_shares(seller, SymbolId{9}, Qty{1'000'000}, "inventory").ok());
  const OrderSpec buy{.account = buyer, .order = OrderId{1}, .symbol = SymbolId{9},
                      .qty = Qty{1'000'000}, .limit = Price{5'000}};
  const OrderSpec sell{.account = seller, .order = OrderId{2}, .symbol = SymbolId{9},
                       .qty = Qty{1'000'000}, .limit = Price{4'000}};
  REQUIRE(service->reserve_buy(buy).ok());
  REQUIRE(service->reserve_sell(sell).ok());
  std::vector<Fill> fills;
  for (uint64_t i = 1; i <= 400; ++i) {
    fills.push_back(Fill{.execution = ExecutionId{i}, .symbol = SymbolId{9}, .qty = Qty{100},
                         .price = Price{4'500}, .buyer = {buyer, buy.order},
                         .seller = {seller, sell.order}, .tick = TickId{1},
                         .time = clock->now()});
  }
  for (const auto& r : service->settle_batch(fills)) REQUIRE(r.ok());
}

TEST_CASE("a byte flipped anywhere in the file is refused at open, naming the damage",
          "[sqlite][faults][damage]") {
  TempDir dir;
  const std::string pristine = dir.file("pristine.db");
  make_ledger_file(pristine);
  const int64_t size = testing::file_size(pristine);
  REQUIRE(size % kPageBytes == 0);
  const int64_t pages = size / kPageBytes;
  REQUIRE(pages >= 10);
  std::mt19937_64 rng(20);
  const std::string path = dir.file("damaged.db");
  // Every page, at a random byte; the header's own fields; a checksum's bytes.
  std::vector<int64_t> offsets = {0, 16, 18, 20, 24, 28, 40, 56, 60, 68, 96,
                                  kPageBytes - 1, kPageBytes - 8};
  for (int64_t p = 0; p < pages; ++p) {
    offsets.push_back(p * kPageBytes +
                      std::uniform_int_distribution<int64_t>(0, kPageBytes - 1)(rng));
  }
  for (int64_t offset : offsets) {
    CAPTURE(offset, offset / kPageBytes + 1);
    std::filesystem::copy_file(pristine, path, std::filesystem::copy_options::overwrite_existing);
    testing::flip_byte(path, offset);
    const absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path, {});
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().code() == absl::StatusCode::kDataLoss);
    CHECK_THAT(text(store.status()), Catch::Contains(path));
  }
  // A page checksum fault names the page; the pristine copy opens.
  std::filesystem::copy_file(pristine, path, std::filesystem::copy_options::overwrite_existing);
  testing::flip_byte(path, 5 * kPageBytes + 1000);
  CHECK_THAT(text(SqliteStore::open(path, {}).status()), Catch::Contains("page 6"));
  CHECK(SqliteStore::open(pristine, {}).ok());
}

TEST_CASE("with the open check off, a damaged page still never loads: load() refuses it",
          "[sqlite][faults][damage]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_ledger_file(path);
  // The accounts table's only page: a flipped bit in a cash figure would be
  // a valid row to SQLite; the checksum makes it an error.
  int64_t accounts_page = 0;
  {
    testing::RawDb raw(path);
    accounts_page = raw.query_int(
        "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'accounts'");
  }
  REQUIRE(accounts_page > 1);
  testing::flip_byte(path, (accounts_page - 1) * kPageBytes + kPageBytes - 200);
  absl::StatusOr<std::unique_ptr<SqliteStore>> opened =
      SqliteStore::open(path, {.integrity_check = SqliteIntegrityCheck::kNone});
  REQUIRE(opened.ok());
  std::shared_ptr<SqliteStore> store = std::move(*opened);
  const absl::Status loaded = store->load({}).status();
  CHECK(loaded.code() == absl::StatusCode::kDataLoss);
  CHECK_THAT(text(loaded), Catch::Contains("checksum") &&
                               Catch::Contains("page " + std::to_string(accounts_page)));
  // The ledger does not open on it: a store failure, not retried.
  const auto service = AccountService::open({.store = store});
  CHECK(denied_with(service, Reason::kStoreFailure));
}

TEST_CASE("the full integrity check finds what the quick one finds", "[sqlite][faults][damage]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_ledger_file(path);
  CHECK(SqliteStore::open(path, {.integrity_check = SqliteIntegrityCheck::kFull}).ok());
  testing::flip_byte(path, 3 * kPageBytes + 77);
  CHECK(SqliteStore::open(path, {.integrity_check = SqliteIntegrityCheck::kFull}).status().code() ==
        absl::StatusCode::kDataLoss);
}

// What a writer killed between checkpoints leaves: the file and its WAL, the
// commits since the last checkpoint in the WAL only.
void crash_image(const std::string& path, const std::string& image) {
  std::filesystem::copy_file(path, image);
  std::filesystem::copy_file(path + "-wal", image + "-wal");
}

TEST_CASE("a WAL left by a crash, damaged before recovery, is refused when recovery would "
          "drop commits behind the damage", "[sqlite][faults][damage]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  const std::string image = dir.file("image.db");
  auto store = open_sqlite(path);
  REQUIRE(store->commit(testing::sample_changes(test_epoch())).ok());
  for (int i = 1; i <= 6; ++i) {
    ChangeSet c;
    c.balances.push_back(CashBalance{AccountId{1}, Cents{i}});
    REQUIRE(store->commit(c).ok());
  }
  crash_image(path, image);
  store.reset();
  const int64_t frame_bytes = 24 + kPageBytes;
  const int64_t frames = (testing::file_size(image + "-wal") - 32) / frame_bytes;
  REQUIRE(frames > 8);
  const auto cash = [&] { return open_sqlite(image)->load({}).value().accounts[0].cash; };
  SECTION("undamaged, recovery restores every commit") { CHECK(cash() == Cents{6}); }
  SECTION("a frame of the first commit damaged: refused, naming the frame") {
    testing::flip_byte(image + "-wal", 32 + frame_bytes + 24 + 1'000);
    const absl::Status s = SqliteStore::open(image, {}).status();
    CHECK(s.code() == absl::StatusCode::kDataLoss);
    CHECK_THAT(text(s), Catch::Contains("frame 2") && Catch::Contains("WAL"));
  }
  SECTION("the last commit damaged: as a torn write, recovery drops it alone") {
    // Its one frame may have been torn by a power cut before its fsync, so
    // it was never acknowledged as far as the file can tell.
    testing::flip_byte(image + "-wal", 32 + (frames - 1) * frame_bytes + 24 + 1'000);
    CHECK(cash() == Cents{5});
  }
}

TEST_CASE("a database file deleted, moved or replaced under the store refuses every call",
          "[sqlite][faults][deleted]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto store = open_sqlite(path);
  REQUIRE(store->commit(testing::sample_changes(test_epoch())).ok());
  ChangeSet next;
  next.balances.push_back(CashBalance{AccountId{1}, Cents{7}});
  SECTION("deleted") {
    REQUIRE(::unlink(path.c_str()) == 0);
    const absl::Status s = store->commit(next);
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(text(s), Catch::Contains(path) && Catch::Contains("was deleted"));
    CHECK(store->load({}).status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(store->find_execution(ExecutionId{1}).status().code() ==
          absl::StatusCode::kFailedPrecondition);
    CHECK(store->trades(AccountId{1}, 1).status().code() ==
          absl::StatusCode::kFailedPrecondition);
    CHECK(store->ping().code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("its WAL deleted") {
    REQUIRE(::unlink((path + "-wal").c_str()) == 0);
    const absl::Status s = store->commit(next);
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(text(s), Catch::Contains("WAL"));
  }
  SECTION("its lock file deleted: a second writer could lock a new one") {
    REQUIRE(::unlink((path + "-lock").c_str()) == 0);
    const absl::Status s = store->commit(next);
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(text(s), Catch::Contains("lock file"));
  }
  SECTION("replaced by another file") {
    testing::write_file(dir.file("other.db"), "");
    REQUIRE(::rename(dir.file("other.db").c_str(), path.c_str()) == 0);
    const absl::Status s = store->commit(next);
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(text(s), Catch::Contains("replaced"));
  }
  SECTION("moved away and back: the store carries on") {
    REQUIRE(::rename(path.c_str(), dir.file("aside.db").c_str()) == 0);
    CHECK(store->commit(next).code() == absl::StatusCode::kFailedPrecondition);
    REQUIRE(::rename(dir.file("aside.db").c_str(), path.c_str()) == 0);
    REQUIRE(store->commit(next).ok());
    CHECK(store->load({}).value().accounts[0].cash == Cents{7});
  }
}

TEST_CASE("through the ledger: a file moved away refuses orders, queues fills, and when it "
          "is back every queued fill applies", "[sqlite][faults][deleted]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto clock = std::make_shared<ManualClock>(test_epoch());
  auto sink = std::make_shared<testing::RecordingNotificationSink>();
  const SettlementRetryPolicy retry{.backoff_initial = absl::Milliseconds(1),
                                    .backoff_max = absl::Milliseconds(5)};
  auto service = AccountService::open({.store = open_sqlite(path), .clock = clock, .sink = sink,
                                       .settlement_retry = retry})
                     .value();
  testing::Counterparties pair =
      testing::Counterparties::open(*service, {.symbol = SymbolId{3},
                                               .qty = Qty{50'000},
                                               .buy_limit = Price{1'000},
                                               .sell_limit = Price{1'000},
                                               .buyer_cash = Cents{1'000'000}})
          .value();
  const AccountId buyer = pair.buyer();
  testing::OrderBuilder orders(OrderId{3});  // After the pair's orders.

  REQUIRE(::rename(path.c_str(), dir.file("aside.db").c_str()) == 0);
  const auto refused =
      service->reserve_buy(orders.order(buyer, SymbolId{3}, Qty{1}, Price{1'000}));
  CHECK(denied_with(refused, Reason::kStoreFailure));
  CHECK_THAT(testing::status_text(refused), Catch::Contains("was deleted"));
  const Fill fill = pair.fill(Qty{10'000}, Price{1'000});
  const auto queued = service->settle(fill);
  REQUIRE(queued.ok());
  CHECK(queued->outcome == SettlementOutcome::kQueued);
  CHECK(service->queued_fills() == 1);

  REQUIRE(::rename(dir.file("aside.db").c_str(), path.c_str()) == 0);
  REQUIRE(sink->wait_for_queued_fills_done(1, absl::Seconds(10)));
  CHECK(service->queued_fills() == 0);
  REQUIRE(sink->queued_fills_done().size() == 1);
  CHECK(sink->queued_fills_done()[0].result.ok());
  CHECK(service->position(buyer, SymbolId{3}).value()->qty == Qty{10'000});
  CHECK(service->audit().ok());
  const LedgerSnapshot before = service->snapshot();
  service.reset();
  auto reopened = AccountService::open({.store = open_sqlite(path), .clock = clock}).value();
  CHECK(reopened->snapshot() == before);
  CHECK(denied_with(reopened->settle(fill), Reason::kDuplicateExecution));
}

TEST_CASE("a full store (database_bytes_max) refuses a commit whole, as Unavailable",
          "[sqlite][faults][full]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto store = open_sqlite(path, {.database_bytes_max = 40 * kPageBytes});
  const ChangeSet base = testing::sample_changes(test_epoch());
  REQUIRE(store->commit(base).ok());
  absl::Status refused;
  uint64_t next_id = 1'000;
  int commits = 0;
  for (; commits < 200 && refused.ok(); ++commits) {
    ChangeSet more;
    more.balances.push_back(CashBalance{AccountId{1}, Cents{commits}});
    for (int i = 0; i < 50; ++i) {
      Fill fill = base.executions[0];
      fill.execution = ExecutionId{next_id++};
      more.executions.push_back(fill);
    }
    const LedgerSnapshot before = store->load({}).value();
    refused = store->commit(more);
    if (!refused.ok()) CHECK(store->load({}).value() == before);  // Nothing of it applied.
  }
  REQUIRE_FALSE(refused.ok());
  CHECK(commits > 3);
  CHECK(refused.code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(text(refused), Catch::Contains("SQLITE_FULL") && Catch::Contains("full"));
  // A commit that needs no new page still goes through.
  ChangeSet small;
  small.balances.push_back(CashBalance{AccountId{2}, Cents{3}});
  CHECK(store->commit(small).ok());
  store.reset();
  // Reopened without the limit, the file holds what was committed.
  auto roomy = open_sqlite(path);
  CHECK(roomy->load({}).value().accounts[1].cash == Cents{3});
}

TEST_CASE("through the ledger, a full store refuses orders and queues fills, and loses "
          "nothing acknowledged", "[sqlite][faults][full]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto clock = std::make_shared<ManualClock>(test_epoch());
  auto sink = std::make_shared<testing::RecordingNotificationSink>();
  auto service =
      AccountService::open({.store = open_sqlite(path, {.database_bytes_max = 48 * kPageBytes}),
                            .clock = clock, .sink = sink})
          .value();
  testing::OrderBuilder orders;
  testing::FillBuilder fills(clock);
  const AccountId buyer = service->create_account("sub-b", "B").value();
  const AccountId seller = service->create_account("sub-s", "S").value();
  REQUIRE(service->credit(buyer, Cents{1'000'000'000}, EntryKind::kAdjustment, "fund").ok());
  REQUIRE(service->issue_shares(seller, SymbolId{3}, Qty{100'000'000}, "issue").ok());
  // Pairs of orders for 100 fills each, filled as they come, until the store
  // refuses an order; then the last pair's remaining fills. (A pair of many
  // fills: the store fills up during a pair's fills, not at a pair's orders,
  // whatever the schema's page layout.)
  std::vector<Fill> applied;
  std::vector<Fill> queued;
  absl::Status order_refused;
  OrderSpec buy, sell;
  int fills_left = 0;
  for (int round = 0; round < 5'000 && (order_refused.ok() || fills_left > 0); ++round) {
    if (fills_left == 0) {
      buy = orders.order(buyer, SymbolId{3}, Qty{1'000'000}, Price{1'000});
      sell = orders.order(seller, SymbolId{3}, Qty{1'000'000}, Price{1'000});
      const auto b = service->reserve_buy(buy);
      const auto s = b.ok() ? service->reserve_sell(sell) : b;
      if (!s.ok()) {
        order_refused = s.status();
        // A buy held without its sell is released by the engine later; not filled here.
        continue;
      }
      fills_left = 100;
    }
    const Fill fill = fills.fill(buy, sell, Qty{10'000}, Price{1'000});
    --fills_left;
    const auto r = service->settle(fill);
    INFO(testing::status_text(r));
    REQUIRE(r.ok());  // Applied, or queued: a fill is never refused for the store.
    (r->outcome == SettlementOutcome::kApplied ? applied : queued).push_back(fill);
  }
  CHECK(denied_with(order_refused, Reason::kStoreUnavailable));
  CHECK_THAT(std::string(order_refused.message()), Catch::Contains("full"));
  CHECK(applied.size() > 10);
  CHECK_FALSE(queued.empty());
  const size_t fills_total = applied.size() + queued.size();
  service.reset();  // Queued fills are reported not applied: the engine delivers them again.
  // Each queued fill is reported once: applied by a retry that found room,
  // or not applied when the ledger shut down.
  const std::vector<testing::QueuedFillNotice> done = sink->queued_fills_done();
  REQUIRE(done.size() == queued.size());
  std::vector<Fill> retry_applied;
  std::vector<Fill> not_applied;
  for (size_t i = 0; i < queued.size(); ++i) {
    const absl::Status& result = done[i].result;
    CHECK(done[i].fill == queued[i]);
    if (result.ok()) {
      retry_applied.push_back(queued[i]);
    } else {
      CHECK(denied_with(result, Reason::kStoreUnavailable));
      not_applied.push_back(queued[i]);
    }
  }
  applied.insert(applied.end(), retry_applied.begin(), retry_applied.end());
  queued = not_applied;

  // With room again: every acknowledged fill is there, once, and the ones
  // delivered again apply now.
  auto reopened = AccountService::open({.store = open_sqlite(path), .clock = clock}).value();
  CHECK(reopened->audit().ok());
  for (const Fill& fill : applied) {
    CHECK(denied_with(reopened->settle(fill), Reason::kDuplicateExecution));
  }
  for (const Fill& fill : queued) {
    const auto r = reopened->settle(fill);
    REQUIRE(r.ok());
    CHECK(r->outcome == SettlementOutcome::kApplied);
  }
  CHECK(reopened->position(buyer, SymbolId{3}).value()->qty ==
        Qty{static_cast<int64_t>(fills_total) * 10'000});
  CHECK(reopened->audit().ok());
}

TEST_CASE("a disk that fills under the process (a file-size limit) refuses cleanly and "
          "loses nothing acknowledged", "[sqlite][faults][full]") {
  TempDir dir;
  crash::CrashOptions options;
  options.child = testing::sqlite_child_path();
  options.database = dir.file("ledger.db");
  options.seed = 5;
  const absl::StatusOr<crash::FullDiskReport> report =
      crash::run_full_disk(options, 2 << 20);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  WARN(report->acked.steps_done << " steps, " << report->acked.fills_acked
       << " fills acknowledged, " << report->refusals << " refusals, " << report->fills_queued
       << " fills queued; first: " << report->first_refusal);
  CHECK(report->refusals >= 1);
  CHECK_THAT(report->first_refusal, Catch::Contains("StoreUnavailable"));
  CHECK(report->acked.steps_done > 5);
  CHECK(report->acked.fills_acked > 5);
}

}  // namespace
}  // namespace account
