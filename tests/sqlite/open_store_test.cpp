// open_store() on sqlite: URLs (account::stores): every URL form opens the
// one file; a read-only opener works beside the writer; and each bad input
// is its own clear error with nothing written: an unknown scheme, a
// malformed URL, a path that is a directory, a read-only file opened for
// writing, a missing file opened read-only, a second writer in this process
// and in another.
#include "account/stores/open_store.h"

#include <dirent.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "account/account_service.h"
#include "sqlite_fixture.h"

namespace account {
namespace {

using testing::TempDir;

std::string text(const absl::Status& s) { return std::string(s.message()); }

absl::Status open_error(const std::string& url, OpenStoreOptions options = {}) {
  return open_store(url, std::move(options)).status();
}

// The names in a directory, to show that a refused open created nothing.
std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.insert(name);
  }
  ::closedir(d);
  return out;
}

std::string whole_file(const std::string& path) {
  return testing::read_bytes(path, 0, static_cast<size_t>(testing::file_size(path)));
}

// A ledger file with one funded account, closed.
void make_ledger(const std::string& path) {
  absl::StatusOr<OpenedStore> opened = open_store("sqlite:" + path);
  REQUIRE(opened.ok());
  auto service = AccountService::open({.store = std::move(opened->store)}).value();
  const AccountId alice = service->create_account("google-alice", "Alice").value();
  REQUIRE(service->credit(alice, Cents{12'34}, EntryKind::kFantasyCredit, "c1").ok());
}

// Runs `open` in a child process (fork, no exec: the child leaves with
// _exit, never touching what it shares with this process), as user and
// group nobody when asked and this process is root (root may write any
// file), and returns the status it got as "CODE message".
template <typename Open>
std::string in_child(bool as_nobody, Open open) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    constexpr uid_t kNobody = 65534;
    if (as_nobody && ::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) {
      ::_exit(2);
    }
    const absl::Status s = open();
    const std::string line =
        std::string(absl::StatusCodeToString(s.code())) + " " + std::string(s.message());
    (void)!::write(pipe_fds[1], line.data(), line.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return out;
}

TEST_CASE("open_store: every sqlite: form names the one file, and the store keeps the ledger",
          "[sqlite][open-store]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_ledger(path);
  // A relative path is relative to the working directory.
  char cwd[4096];
  REQUIRE(::getcwd(cwd, sizeof cwd) != nullptr);
  REQUIRE(::chdir(dir.path().c_str()) == 0);
  const std::vector<std::string> urls = {"sqlite:" + path, "sqlite://" + path, "sqlite:ledger.db",
                                         "SQLITE:./ledger.db",
                                         "sqlite:" + dir.path() + "/ledg%65r.db"};
  for (const std::string& url : urls) {
    CAPTURE(url);
    absl::StatusOr<OpenedStore> opened = open_store(url);
    REQUIRE(opened.ok());
    CHECK(opened->kind == DatabaseKind::kSqlite);
    CHECK(opened->name == "SQLite file " + path);
    CHECK(opened->schema_version_found == SqliteStore::kSchemaVersion);
    CHECK(opened->schema_version_now == SqliteStore::kSchemaVersion);
    auto service = AccountService::open({.store = std::move(opened->store)}).value();
    CHECK(service->cash(AccountId{1}).value() == Cents{12'34});
  }
  REQUIRE(::chdir(cwd) == 0);

  // A new file is created and migrated.
  absl::StatusOr<OpenedStore> fresh = open_store("sqlite:" + dir.file("new.db"));
  REQUIRE(fresh.ok());
  CHECK(fresh->schema_version_found == 0);
  CHECK(fresh->schema_version_now == SqliteStore::kSchemaVersion);
}

TEST_CASE("open_store: a read-only opener reads beside the writer and writes nothing",
          "[sqlite][open-store]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_ledger(path);
  absl::StatusOr<OpenedStore> writer = open_store("sqlite:" + path);
  REQUIRE(writer.ok());
  auto service = AccountService::open({.store = std::move(writer->store)}).value();
  REQUIRE(service->credit(AccountId{1}, Cents{1'00}, EntryKind::kAdjustment, "c2").ok());

  for (OpenStoreOptions options :
       {OpenStoreOptions{.read_only = true}, OpenStoreOptions{.sqlite = {.read_only = true}}}) {
    absl::StatusOr<OpenedStore> reader = open_store("sqlite:" + path, options);
    REQUIRE(reader.ok());
    const LedgerSnapshot seen = reader->store->load({}).value();
    REQUIRE(seen.accounts.size() == 1);
    CHECK(seen.accounts[0].cash == Cents{13'34});
    const absl::Status commit = reader->store->commit(ChangeSet{});
    CHECK(commit.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(text(commit), Catch::Contains("read-only"));
  }
}

TEST_CASE("open_read_store: DATABASE_READ_URL when it is set, else DATABASE_URL, read-only "
          "either way",
          "[sqlite][open-store]") {
  TempDir dir;
  const std::string writer_path = dir.file("ledger.db");
  const std::string replica_path = dir.file("replica.db");
  make_ledger(writer_path);
  make_ledger(replica_path);
  {
    // The replica trails: the writer has a credit it has not.
    absl::StatusOr<OpenedStore> opened = open_store("sqlite:" + writer_path);
    REQUIRE(opened.ok());
    auto writer = AccountService::open({.store = std::move(opened->store)}).value();
    REQUIRE(writer->credit(AccountId{1}, Cents{1'00}, EntryKind::kAdjustment, "c2").ok());
  }
  const auto cash_seen = [](const absl::StatusOr<OpenedStore>& opened) {
    REQUIRE(opened.ok());
    const LedgerSnapshot seen = opened->store->load({}).value();
    REQUIRE(seen.accounts.size() == 1);
    // Opened read-only whatever the options said.
    CHECK(opened->store->commit(ChangeSet{}).code() == absl::StatusCode::kFailedPrecondition);
    return seen.accounts[0].cash;
  };
  Config config;
  config.database_url = Secret("sqlite:" + writer_path);
  CHECK(cash_seen(open_read_store(config, {.read_only = false})) == Cents{13'34});
  config.database_read_url = Secret("sqlite:" + replica_path);
  CHECK(cash_seen(open_read_store(config)) == Cents{12'34});

  const absl::Status neither = open_read_store(Config{}).status();
  CHECK(neither.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(text(neither), Catch::Contains("DATABASE_READ_URL"));
}

TEST_CASE("open_store: a URL it cannot use is InvalidArgument, naming the problem",
          "[sqlite][open-store]") {
  TempDir dir;
  char cwd[4096];
  REQUIRE(::getcwd(cwd, sizeof cwd) != nullptr);
  REQUIRE(::chdir(dir.path().c_str()) == 0);
  struct Row {
    std::string url;
    std::string expected;
  };
  const Row rows[] = {
      {"", "the database URL is empty"},
      {"mysql://root:Hunter7x@db/ledger", "unknown scheme \"mysql:\""},
      {"ledger.db", "neither a URL"},
      {"sqlite://ledger.db", "names a local file, not a host"},
      {"sqlite:ledger.db?mode=rwc", "takes no query"},
      {"sqlite:ledger%zz.db", "percent-escape"},
      {"sqlite::memory:", "sqlite::memory: is not a file"},
      {"postgresql://ledger:Hunter7x/waiver", "malformed: a port is not a number"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.url);
    const absl::Status s = open_error(row.url);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(text(s), Catch::StartsWith("database URL: ") && Catch::Contains(row.expected));
    CHECK_THAT(text(s), !Catch::Contains("Hunter7x"));
  }
  REQUIRE(::chdir(cwd) == 0);
  CHECK(entries(dir.path()).empty());
}

TEST_CASE("open_store: a path that is a directory is InvalidArgument, nothing created",
          "[sqlite][open-store]") {
  TempDir dir;
  REQUIRE(::mkdir(dir.file("ledger.db").c_str(), 0755) == 0);
  for (const std::string& url : {"sqlite:" + dir.file("ledger.db"), "sqlite:" + dir.path()}) {
    CAPTURE(url);
    const absl::Status s = open_error(url);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(text(s), Catch::Contains("is a directory"));
  }
  CHECK(entries(dir.path()) == std::set<std::string>{"ledger.db"});
  CHECK(entries(dir.file("ledger.db")).empty());
}

TEST_CASE("open_store: read-only, a file that does not exist is NotFound and is not created",
          "[sqlite][open-store]") {
  TempDir dir;
  const absl::Status s = open_error("sqlite:" + dir.file("ledger.db"), {.read_only = true});
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK_THAT(text(s), Catch::Contains(dir.file("ledger.db")) && Catch::Contains("does not exist"));
  const absl::Status no_dir = open_error("sqlite:" + dir.file("missing/ledger.db"));
  CHECK(no_dir.code() == absl::StatusCode::kNotFound);
  CHECK(entries(dir.path()).empty());
}

TEST_CASE("open_store: a read-only file opened for writing is PermissionDenied, nothing written",
          "[sqlite][open-store]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_ledger(path);
  // Nobody may write the file; anyone may write the directory, so that only the file's
  // permission stands in the way. The writer lock file of the first open goes too: a refused
  // writer must not create one.
  REQUIRE(::unlink((path + "-lock").c_str()) == 0);
  REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  const std::set<std::string> names_before = entries(dir.path());
  const std::string bytes_before = whole_file(path);

  const std::string line =
      in_child(/*as_nobody=*/true, [&] { return open_error("sqlite:" + path); });
  CHECK_THAT(line, Catch::StartsWith("PERMISSION_DENIED "));
  CHECK_THAT(line, Catch::Contains(path) && Catch::Contains("may not be written"));
  CHECK(entries(dir.path()) == names_before);
  CHECK(whole_file(path) == bytes_before);

  // Read-only, the same process reads it.
  const std::string reader = in_child(/*as_nobody=*/true, [&] {
    absl::StatusOr<OpenedStore> opened = open_store("sqlite:" + path, {.read_only = true});
    if (!opened.ok()) return opened.status();
    return opened->store->load({}).status();
  });
  CHECK(reader == "OK ");
  CHECK(whole_file(path) == bytes_before);
}

TEST_CASE("open_store: a second writer is FailedPrecondition naming the first, nothing written",
          "[sqlite][open-store]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_ledger(path);
  const std::string url = "sqlite:" + path;

  SECTION("in this process") {
    absl::StatusOr<OpenedStore> first = open_store(url);
    REQUIRE(first.ok());
    const std::string record = whole_file(path + "-lock");
    // Each refused opener names the holder, and leaves its record as it was.
    for (int attempt = 0; attempt < 2; ++attempt) {
      CAPTURE(attempt);
      const absl::Status second = open_error(url);
      CHECK(second.code() == absl::StatusCode::kFailedPrecondition);
      CHECK_THAT(text(second), Catch::Contains(path) && Catch::Contains("this process"));
      CHECK(whole_file(path + "-lock") == record);
    }
    // The first writer goes on.
    auto service = AccountService::open({.store = std::move(first->store)}).value();
    CHECK(service->credit(AccountId{1}, Cents{1}, EntryKind::kAdjustment, "after").ok());
  }
  SECTION("in another process") {
    absl::StatusOr<OpenedStore> first = open_store(url);
    REQUIRE(first.ok());
    const std::string bytes_before = whole_file(path);
    const std::string line = in_child(/*as_nobody=*/false, [&] { return open_error(url); });
    CHECK_THAT(line, Catch::StartsWith("FAILED_PRECONDITION "));
    CHECK_THAT(line,
               Catch::Contains(path) && Catch::Contains("process " + std::to_string(::getpid())));
    CHECK(whole_file(path) == bytes_before);
  }
}

}  // namespace
}  // namespace account
