// SqliteStore's journal table, what the durable-store suite cannot reach through the Store
// interface: a file of schema version 1 migrated to this version with an empty journal; the head
// read from the file inside the commit's transaction (a row another program wrote is seen);
// the schema's own check of the hash; a read-only store reading entries beside the writer; and
// journal() refusing as load() does when the file is damaged or moved away. Round trips, the
// seq check and paging are the conformance suite's (sqlite_store_test.cpp) and, across a reopen,
// the durable-store suite's (sqlite_durable_test.cpp).
#include <sqlite3.h>
#include <stdio.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "account/sqlite/sqlite_store.h"
#include "account/testing/store_conformance.h"
#include "sqlite/checksum_vfs.h"
#include "sqlite/schema.h"
#include "sqlite_fixture.h"
#include "support/durable_store_suite.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::open_sqlite;
using testing::RawDb;
using testing::TempDir;
using testing::test_epoch;
using testing::durable::journal_record;
using testing::durable::journaled_balance;

constexpr int64_t kPageBytes = 4096;

std::string text(const absl::Status& s) { return std::string(s.message()); }

std::vector<JournalRecord> read_journal(SqliteStore& store, uint64_t after_seq = 0) {
  absl::StatusOr<std::vector<JournalRecord>> page = store.journal(after_seq, SIZE_MAX);
  INFO(page.status().ToString());
  REQUIRE(page.ok());
  return *std::move(page);
}

JournalHead head_of(SqliteStore& store) { return store.load({}).value().journal_head; }

// A file as this library at schema version `version` wrote it: the checksum VFS and its reserved
// bytes, the migrations up to that version alone, and `rows_sql` run on it.
void make_file_at_version(const std::string& path, int version, const char* rows_sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                          sqlite::checksum_vfs()) == SQLITE_OK);
  // As open() does for a new file: the checksum's bytes are reserved before the first page.
  REQUIRE(sqlite3_exec(db, "PRAGMA page_count", nullptr, nullptr, nullptr) == SQLITE_OK);
  int reserve = sqlite::kChecksumBytes;
  REQUIRE(sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve) == SQLITE_OK);
  const absl::Status migrated = sqlite::migrate(db, version);
  INFO(migrated.ToString());
  REQUIRE(migrated.ok());
  REQUIRE(sqlite3_exec(db, rows_sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_close_v2(db) == SQLITE_OK);
}

// Version 1 with one account with cash.
void make_version_1_file(const std::string& path) {
  make_file_at_version(path, 1,
                       "INSERT INTO accounts (id, google_id, display_name, cash_cents, "
                       "created_at_ns) VALUES (1, CAST('sub-1' AS BLOB), X'', 500, 0)");
}

TEST_CASE("a file of schema version 1 migrates with an empty journal, which starts at "
          "seq 1",
          "[sqlite][journal][migrations]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_version_1_file(path);
  {
    RawDb raw(path);
    REQUIRE(raw.query_int("PRAGMA user_version") == 1);
    REQUIRE(raw.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'journal'") == 0);
  }
  // A reader does not migrate: it asks for a writer first, and writes nothing.
  const absl::Status read_only =
      SqliteStore::open(path, {.read_only = true}).status();
  CHECK(read_only.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(text(read_only), Catch::Contains("version 1") && Catch::Contains("migrate"));

  const JournalRecord first = journal_record(1);
  {
    auto store = open_sqlite(path);
    CHECK(store->schema_version_found() == 1);
    CHECK(store->schema_version_now() == SqliteStore::kSchemaVersion);
    const LedgerSnapshot loaded = store->load({}).value();
    REQUIRE(loaded.accounts.size() == 1);
    CHECK(loaded.accounts[0].cash == Cents{500});  // The migration kept the rows.
    CHECK(loaded.journal_head == JournalHead{});
    CHECK(read_journal(*store).empty());
    // The ledger's first entry on it is seq 1, not the number of change sets it had.
    CHECK(store->commit(journaled_balance(2, 1)).code() == absl::StatusCode::kAborted);
    REQUIRE(store->commit(journaled_balance(1, 600)).ok());
    CHECK(read_journal(*store) == std::vector<JournalRecord>{first});
  }
  {
    RawDb raw(path);
    CHECK(raw.query_int("PRAGMA user_version") == SqliteStore::kSchemaVersion);
    CHECK(raw.query_int("SELECT count(*) FROM schema_migrations WHERE version = 2 AND "
                        "description = 'journal'") == 1);
  }
  auto reopened = open_sqlite(path);
  CHECK(reopened->schema_version_found() == SqliteStore::kSchemaVersion);
  CHECK(head_of(*reopened) == JournalHead{.seq = 1, .hash = first.hash});
  CHECK(reopened->load({}).value().accounts[0].cash == Cents{600});
}

TEST_CASE("schema version 4 keeps every trade with its row, and never issues a removed row "
          "again",
          "[sqlite][journal][migrations][retention]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  // A file as this library at schema version 3 wrote it, with two trades at rows 7 and 9.
  make_file_at_version(path, 3,
                       "INSERT INTO trades (id, account_id, execution_id, order_id, symbol_id, "
                       "side, qty_bp, price_cents, notional_cents, realized_pnl_cents, tick, "
                       "time_ns) VALUES (7, 1, 100, 1, 7, 1, 10000, 100, 100, 0, 1, 0), "
                       "(9, 1, 101, 1, 7, 2, 10000, 100, 100, 5, 2, 0)");
  {
    auto store = open_sqlite(path);
    CHECK(store->schema_version_found() == 3);
    const TradePage page = store->trade_page({.account = AccountId{1}}).value();
    REQUIRE(page.trades.size() == 2);
    CHECK(page.trades[0].execution == ExecutionId{100});
    CHECK(page.trades[1].realized_pnl == Cents{5});
    CHECK(page.last_row == 9);
  }
  // Every trade removed (as a prune of all the fills does): the next trade is row 10, after the
  // cursor a reader holds, not row 1.
  RawDb(path).exec("DELETE FROM trades");
  auto store = open_sqlite(path);
  REQUIRE(store->commit(testing::sample_changes(test_epoch())).ok());
  const TradePage after = store->trade_page({.account = AccountId{1}, .after_row = 9}).value();
  REQUIRE(after.trades.size() == 1);
  CHECK(after.last_row == 10);
}

TEST_CASE("the head is read from the file in the commit's transaction: an entry another "
          "program wrote refuses the store's",
          "[sqlite][journal]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto store = open_sqlite(path);
  ChangeSet first = testing::sample_changes(test_epoch());
  first.journal = journal_record(1);
  REQUIRE(store->commit(first).ok());
  {
    // A program that ignores the writer lock (the sqlite3 shell) commits entry 2.
    RawDb raw(path);
    raw.must("INSERT INTO journal (seq, committed_at_ns, hash, bytes) VALUES "
             "(2, 5, zeroblob(32), X'01')");
  }
  const absl::Status s = store->commit(journaled_balance(2, 9));
  CHECK(s.code() == absl::StatusCode::kAborted);
  CHECK_THAT(text(s), Catch::Contains(
                          "journal entry 2 does not follow the stored head 2: another writer "
                          "committed") &&
                          Catch::Contains(path));
  CHECK(store->load({}).value().accounts[0].cash == Cents{4'999});  // Nothing written.
  CHECK(head_of(*store) == JournalHead{.seq = 2, .hash = ChainHash{}});
  REQUIRE(store->commit(journaled_balance(3, 9)).ok());
  CHECK(head_of(*store) == JournalHead{.seq = 3, .hash = journal_record(3).hash});
}

TEST_CASE("the journal table refuses a hash not of 32 bytes, seq 0, and a missing or "
          "mistyped value",
          "[sqlite][journal][input]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  { auto store = open_sqlite(path); }
  RawDb raw(path);
  CHECK(raw.exec("INSERT INTO journal VALUES (1, 0, zeroblob(31), X'01')") == SQLITE_CONSTRAINT);
  CHECK(raw.exec("INSERT INTO journal VALUES (1, 0, zeroblob(33), X'01')") == SQLITE_CONSTRAINT);
  CHECK(raw.exec("INSERT INTO journal VALUES (0, 0, zeroblob(32), X'01')") == SQLITE_CONSTRAINT);
  CHECK(raw.exec("INSERT INTO journal VALUES (1, 0, zeroblob(32), NULL)") == SQLITE_CONSTRAINT);
  CHECK(raw.exec("INSERT INTO journal VALUES (1, 'noon', zeroblob(32), X'01')") ==
        SQLITE_CONSTRAINT);  // STRICT: text is not a time.
  CHECK(raw.query_int("SELECT count(*) FROM journal") == 0);
  CHECK(raw.exec("INSERT INTO journal VALUES (1, 0, zeroblob(32), X'01')") == SQLITE_OK);
}

TEST_CASE("a read-only store reads the journal beside the writer, each call at the last "
          "commit",
          "[sqlite][journal][read-only]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto writer = open_sqlite(path);
  ChangeSet first = testing::sample_changes(test_epoch());
  first.journal = journal_record(1);
  REQUIRE(writer->commit(first).ok());
  REQUIRE(writer->commit(journaled_balance(2, 2)).ok());
  auto reader = open_sqlite(path, {.read_only = true});
  CHECK(read_journal(*reader) == std::vector<JournalRecord>{journal_record(1), journal_record(2)});
  CHECK(head_of(*reader) == JournalHead{.seq = 2, .hash = journal_record(2).hash});
  REQUIRE(writer->commit(journaled_balance(3, 3)).ok());
  CHECK(read_journal(*reader, 2) == std::vector<JournalRecord>{journal_record(3)});
  CHECK(head_of(*reader) == JournalHead{.seq = 3, .hash = journal_record(3).hash});
  CHECK(reader->commit(journaled_balance(4, 4)).code() == absl::StatusCode::kFailedPrecondition);
  CHECK(read_journal(*writer) == read_journal(*reader));
}

TEST_CASE("journal() refuses as load() does: a file moved away, a damaged journal page",
          "[sqlite][journal][faults]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  SECTION("moved away and back") {
    auto store = open_sqlite(path);
    ChangeSet first = testing::sample_changes(test_epoch());
    first.journal = journal_record(1);
    REQUIRE(store->commit(first).ok());
    auto reader = open_sqlite(path, {.read_only = true});
    REQUIRE(::rename(path.c_str(), dir.file("aside.db").c_str()) == 0);
    for (SqliteStore* s : {store.get(), reader.get()}) {
      const absl::Status read = s->journal(0, 10).status();
      CHECK(read.code() == absl::StatusCode::kFailedPrecondition);
      CHECK(read.code() == s->load({}).status().code());
      CHECK_THAT(text(read), Catch::Contains(path));
    }
    REQUIRE(::rename(dir.file("aside.db").c_str(), path.c_str()) == 0);
    CHECK(read_journal(*store) == std::vector<JournalRecord>{journal_record(1)});
    CHECK(read_journal(*reader) == std::vector<JournalRecord>{journal_record(1)});
  }
  SECTION("a byte flipped in the journal's page, the open check off") {
    {
      auto store = open_sqlite(path);
      ChangeSet first = testing::sample_changes(test_epoch());
      first.journal = journal_record(1);
      REQUIRE(store->commit(first).ok());
      for (uint64_t seq = 2; seq <= 5; ++seq) {
        REQUIRE(store->commit(journaled_balance(seq, 1)).ok());
      }
    }  // Closing checkpoints every page into the file.
    int64_t journal_page = 0;
    {
      RawDb raw(path);
      journal_page =
          raw.query_int("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND "
                        "name = 'journal'");
      // The entries fit on the table's root page, so it is the page they are read from.
      REQUIRE(raw.query_int("SELECT sum(length(bytes) + length(hash)) FROM journal") < 2'000);
    }
    REQUIRE(journal_page > 1);
    testing::flip_byte(path, (journal_page - 1) * kPageBytes + kPageBytes - 200);
    absl::StatusOr<std::unique_ptr<SqliteStore>> opened =
        SqliteStore::open(path, {.integrity_check = SqliteIntegrityCheck::kNone});
    REQUIRE(opened.ok());
    const absl::Status read = (*opened)->journal(0, 10).status();
    CHECK(read.code() == absl::StatusCode::kDataLoss);
    CHECK_THAT(text(read), Catch::Contains("checksum") &&
                               Catch::Contains("page " + std::to_string(journal_page)));
    CHECK((*opened)->load({}).status().code() == absl::StatusCode::kDataLoss);
    // A commit's head check reads the page too: refused, not written past.
    CHECK((*opened)->commit(journaled_balance(6, 1)).code() == absl::StatusCode::kDataLoss);
  }
}

}  // namespace
}  // namespace account
