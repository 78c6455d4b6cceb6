// A directory of its own for a test or a benchmark, made under $TMPDIR (default /tmp) and
// removed with everything in it when the TempDir goes out of scope.
//
//   TempDir dir;                                        // Throws when it cannot be made.
//   auto store = SqliteStore::open(dir.file("ledger.db"), {});
//
//   TempDir scratch("account-bench", std::nothrow);     // path() empty when it cannot be made.
//
// Thread-safety: none; each owner keeps its own.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace account::testing {

class TempDir {
 public:
  // Throws std::runtime_error when the directory cannot be made, so that a test stops there,
  // saying why, rather than later on a path that does not exist.
  explicit TempDir(std::string_view prefix = "account") : TempDir(prefix, std::nothrow) {
    if (path_.empty()) throw std::runtime_error(error_);
  }
  // Leaves path() empty when the directory cannot be made, for a caller that reports it itself.
  TempDir(std::string_view prefix, std::nothrow_t) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    pattern.append("/").append(prefix).append("-XXXXXX");
    if (::mkdtemp(pattern.data()) != nullptr) {
      path_ = std::move(pattern);
    } else {
      error_ = "mkdtemp " + pattern + ": " + std::strerror(errno);
    }
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
  std::string error_;  // Why mkdtemp failed; empty once the directory exists.
};

}  // namespace account::testing
