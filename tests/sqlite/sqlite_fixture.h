// Test helpers for SqliteStore: a private temporary directory per test,
// opened stores, raw access to a database file (through the store's checksum
// VFS, so that a test's own writes keep the page checksums right), damage to a
// file's bytes, and the helper process (account_sqlite_child) that tests start
// as a second writer, a writer to kill, or an opener with another user's rights.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "account/sqlite/sqlite_store.h"
#include "sqlite/checksum_vfs.h"
#include "support/temp_dir.h"

extern char** environ;

namespace account::testing {

// The helper executable, built with the tests (tests/CMakeLists.txt).
inline const char* sqlite_child_path() { return ACCOUNT_SQLITE_CHILD; }

inline std::shared_ptr<SqliteStore> open_sqlite(const std::string& path,
                                                SqliteStoreOptions options = {}) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path, options);
  if (!store.ok()) FAIL(store.status().ToString());
  return std::move(*store);
}

// Raw SQL on a database file, as a tool would run it, through the store's
// checksum VFS (a write without it would leave stale page checksums).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE,
                                   sqlite::checksum_vfs());
    if (rc != SQLITE_OK) FAIL("raw open of " << path << ": " << sqlite3_errstr(rc));
    sqlite3_busy_timeout(db_, 5'000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  int exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  void must(const std::string& sql) {
    const int rc = exec(sql);
    if (rc != SQLITE_OK) FAIL(sql << ": " << sqlite3_errmsg(db_));
  }
  int64_t query_int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      FAIL(sql << ": " << sqlite3_errmsg(db_));
    }
    int64_t out = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) out = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// Bytes of a file, read and written in place.
inline std::string read_bytes(const std::string& path, int64_t offset, size_t n) {
  std::string out(n, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pread(fd, out.data(), n, offset) == static_cast<ssize_t>(n));
  ::close(fd);
  return out;
}
inline void write_bytes(const std::string& path, int64_t offset, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), offset) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}
// Creates (or replaces) a file holding `bytes`.
inline void write_file(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}
// Inverts the bits of one byte: the damage a failing disk or a stray write does.
inline void flip_byte(const std::string& path, int64_t offset) {
  std::string b = read_bytes(path, offset, 1);
  b[0] = static_cast<char>(~b[0]);
  write_bytes(path, offset, b);
}
inline int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// The helper process: its pid, its stdin to write to and its stdout to read.
struct Child {
  pid_t pid = -1;
  int in = -1;   // Our end of its stdin.
  int out = -1;  // Our end of its stdout.

  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  Child(Child&& other) noexcept : pid(other.pid), in(other.in), out(other.out) {
    other.pid = -1;
    other.in = other.out = -1;
  }
  ~Child() {
    if (in >= 0) ::close(in);
    if (out >= 0) ::close(out);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }

  // The next line the child printed (without its newline); "" at its end.
  std::string read_line() {
    std::string line;
    char c = 0;
    while (::read(out, &c, 1) == 1) {
      if (c == '\n') return line;
      line.push_back(c);
    }
    return line;
  }
  // Waits for the child to end; its exit status as waitpid() reports it.
  int wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return status;
  }
};

// Starts the helper with `args`, its stdin and stdout on pipes.
inline Child start_child(const std::vector<std::string>& args) {
  int to_child[2];
  int from_child[2];
  REQUIRE(::pipe2(to_child, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(from_child, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  std::vector<std::string> all = {sqlite_child_path()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child child;
  const int rc = posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  child.in = to_child[1];
  child.out = from_child[0];
  if (rc != 0) FAIL("posix_spawn " << argv[0] << " failed: " << rc);
  return child;
}

}  // namespace account::testing
