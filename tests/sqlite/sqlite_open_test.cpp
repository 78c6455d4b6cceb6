// Opening a SqliteStore: each bad path its own clear error with nothing
// written, the migrations (fresh, current, newer refused), one writer per
// file whether the second opener is in this process or another, read-only
// openers beside the writer, and a lock held by a program that ignores the
// writer lock (SQLITE_BUSY, bounded by busy_timeout).
#include "account/sqlite/sqlite_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "account/testing/store_conformance.h"
#include "sqlite_fixture.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::open_sqlite;
using testing::RawDb;
using testing::TempDir;

std::string text(const absl::Status& s) { return std::string(s.message()); }

absl::Status open_error(const std::string& path, SqliteStoreOptions options = {}) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path, options);
  return store.status();
}

TEST_CASE("each bad path is its own clear error, and nothing is created",
          "[sqlite][open]") {
  TempDir dir;
  SECTION("an empty path, :memory: and a URI are not files") {
    for (const char* path : {"", ":memory:", "file:ledger.db?mode=memory"}) {
      CAPTURE(path);
      const absl::Status s = open_error(path);
      CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    }
  }
  SECTION("a directory") {
    const absl::Status s = open_error(dir.path());
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(text(s), Catch::Contains("is a directory"));
  }
  SECTION("a directory that does not exist") {
    const absl::Status s = open_error(dir.file("missing/ledger.db"));
    CHECK(s.code() == absl::StatusCode::kNotFound);
    CHECK_THAT(text(s), Catch::Contains(dir.file("missing")));
    CHECK(testing::file_size(dir.file("missing")) == -1);
  }
  SECTION("a file that is not a database") {
    const std::string path = dir.file("notes.txt");
    std::string lines;
    for (int i = 0; i < 300; ++i) lines += "this is a text file, not a ledger\n";
    testing::write_file(path, lines);
    const absl::Status s = open_error(path);
    CHECK(s.code() == absl::StatusCode::kDataLoss);
    CHECK_THAT(text(s), Catch::Contains(path));
    CHECK(testing::read_bytes(path, 0, lines.size()) == lines);  // Untouched.
  }
  SECTION("a database of another application") {
    const std::string path = dir.file("other.db");
    {
      sqlite3* db = nullptr;
      REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
      REQUIRE(sqlite3_exec(db, "CREATE TABLE recipes (name TEXT)", nullptr, nullptr, nullptr) ==
              SQLITE_OK);
      sqlite3_close(db);
    }
    const int64_t size = testing::file_size(path);
    const std::string before = testing::read_bytes(path, 0, static_cast<size_t>(size));
    const absl::Status s = open_error(path);
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(text(s), Catch::Contains("another application") && Catch::Contains("recipes"));
    // Not even put in WAL mode: the file is as it was.
    CHECK(testing::file_size(path) == size);
    CHECK(testing::read_bytes(path, 0, static_cast<size_t>(size)) == before);
    CHECK(testing::file_size(path + "-wal") == -1);
  }
  SECTION("read-only, a file that does not exist") {
    const absl::Status s = open_error(dir.file("ledger.db"), {.read_only = true});
    CHECK(s.code() == absl::StatusCode::kNotFound);
    CHECK(testing::file_size(dir.file("ledger.db")) == -1);
  }
}

// Permissions, checked as another user: root ignores them.
std::string open_as_nobody(const std::string& path, bool read_only = false) {
  std::vector<std::string> args = {"try-open", path, "--as-nobody"};
  if (read_only) args.push_back("--read-only");
  testing::Child child = testing::start_child(args);
  const std::string line = child.read_line();
  child.wait();
  return line;
}

TEST_CASE("a file or directory without permission is a clear PermissionDenied",
          "[sqlite][open]") {
  TempDir dir;
  // Others may enter the directory, and, for the second case, write it.
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  const std::string path = dir.file("ledger.db");
  {
    auto store = open_sqlite(path);
    REQUIRE(store->commit(testing::sample_changes(testing::test_epoch())).ok());
  }
  // The lock file is anyone's, so that what is tested is the database's own permissions.
  REQUIRE(::chmod((path + "-lock").c_str(), 0666) == 0);
  SECTION("the file may not be read") {
    REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    const std::string line = open_as_nobody(path);
    CHECK_THAT(line, Catch::StartsWith("error PERMISSION_DENIED"));
    CHECK_THAT(line, Catch::Contains(path));
  }
  SECTION("the file may be read, not written: a writer is refused, a reader admitted") {
    REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    const std::string line = open_as_nobody(path);
    CHECK_THAT(line, Catch::StartsWith("error PERMISSION_DENIED"));
    CHECK_THAT(line, Catch::Contains("read-only"));
    CHECK(open_as_nobody(path, /*read_only=*/true) == "ok");
  }
  SECTION("the directory may not be written: no lock file, no WAL") {
    REQUIRE(::chmod(path.c_str(), 0666) == 0);
    const std::string line = open_as_nobody(path);
    CHECK_THAT(line, Catch::StartsWith("error PERMISSION_DENIED"));
    CHECK_THAT(line, Catch::Contains("directory"));
  }
  // Nothing of the refused openers changed the file.
  auto store = open_sqlite(path);
  CHECK(store->load({}).value().accounts.size() == 2);
}

TEST_CASE("migrations: a new file is migrated, a current one left alone, a newer one refused",
          "[sqlite][open][migrations]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    auto store = open_sqlite(path);
    CHECK(store->schema_version_found() == 0);
    CHECK(store->schema_version_now() == SqliteStore::kSchemaVersion);
    REQUIRE(store->commit(testing::sample_changes(testing::test_epoch())).ok());
  }
  {
    RawDb raw(path);
    CHECK(raw.query_int("SELECT count(*) FROM schema_migrations") == SqliteStore::kSchemaVersion);
  }
  {
    auto store = open_sqlite(path);
    CHECK(store->schema_version_found() == SqliteStore::kSchemaVersion);
    CHECK(store->schema_version_now() == SqliteStore::kSchemaVersion);
    CHECK(store->load({}).value().accounts.size() == 2);
  }
  {
    RawDb raw(path);
    CHECK(raw.query_int("SELECT count(*) FROM schema_migrations") == SqliteStore::kSchemaVersion);
    raw.must("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)");
  }
  for (bool read_only : {false, true}) {
    CAPTURE(read_only);
    const absl::Status s = open_error(path, {.read_only = read_only});
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(text(s), Catch::Contains("version 99"));
  }
  RawDb raw(path);
  CHECK(raw.query_int("SELECT count(*) FROM accounts") == 2);  // Untouched.
}

TEST_CASE("one writer per file: a second store in this process is refused at once",
          "[sqlite][open][writer]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto first = open_sqlite(path);
  const auto started = std::chrono::steady_clock::now();
  const absl::Status s = open_error(path);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(500));
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(text(s), Catch::Contains("already has a writer") &&
                          Catch::Contains("this process") &&
                          Catch::Contains("process " + std::to_string(::getpid())));
  // A second path to the same file (a symbolic link) is the same file.
  REQUIRE(::symlink(path.c_str(), dir.file("link.db").c_str()) == 0);
  CHECK(open_error(dir.file("link.db")).code() == absl::StatusCode::kFailedPrecondition);
  // A reader is welcome beside the writer, and sees its commits.
  REQUIRE(first->commit(testing::sample_changes(testing::test_epoch())).ok());
  auto reader = open_sqlite(path, {.read_only = true});
  CHECK(reader->load({}).value().accounts.size() == 2);
  CHECK(reader->commit(ChangeSet{}).code() == absl::StatusCode::kFailedPrecondition);
  // Once the first goes, the next writer is admitted.
  first.reset();
  auto second = open_sqlite(path);
  CHECK(second->load({}).value().accounts.size() == 2);
}

TEST_CASE("one writer per file: a writer in another process is named, and then admits the next",
          "[sqlite][open][writer]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  testing::Child holder = testing::start_child({"hold", path});
  const std::string ready = holder.read_line();
  REQUIRE_THAT(ready, Catch::StartsWith("ready "));
  const std::string pid = ready.substr(6);
  const absl::Status s = open_error(path);
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(text(s), Catch::Contains("process " + pid) &&
                          Catch::Contains("account_sqlite_") &&
                          Catch::Contains(path + "-lock"));
  // The reverse: this process holds it, the child is refused.
  ::close(holder.in);
  holder.in = -1;
  CHECK(holder.wait() == 0);
  auto store = open_sqlite(path);
  testing::Child second = testing::start_child({"try-open", path});
  const std::string line = second.read_line();
  CHECK_THAT(line, Catch::StartsWith("error FAILED_PRECONDITION") &&
                       Catch::Contains("process " + std::to_string(::getpid())));
  second.wait();
}

TEST_CASE("a lock held by a program that ignores the writer lock is Unavailable after "
          "busy_timeout, and the commit then goes through", "[sqlite][open][busy]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  auto store = open_sqlite(path, {.busy_timeout = absl::Milliseconds(100)});
  REQUIRE(store->commit(testing::sample_changes(testing::test_epoch())).ok());
  ChangeSet next;
  next.balances.push_back(CashBalance{AccountId{1}, Cents{42}});
  {
    RawDb tool(path);  // The sqlite3 shell, say, in the middle of a write.
    tool.must("BEGIN IMMEDIATE");
    const auto started = std::chrono::steady_clock::now();
    const absl::Status s = store->commit(next);
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK(s.code() == absl::StatusCode::kUnavailable);
    CHECK_THAT(text(s), Catch::Contains("SQLITE_BUSY"));
    CHECK(waited >= std::chrono::milliseconds(90));
    CHECK(waited < std::chrono::seconds(2));
    // Reads go on: WAL readers do not wait for the writer.
    CHECK(store->load({}).value().accounts[0].cash == Cents{4'999});
    tool.must("ROLLBACK");
  }
  CHECK(store->commit(next).ok());
  CHECK(store->load({}).value().accounts[0].cash == Cents{42});
}

}  // namespace
}  // namespace account
