// Private to account::sqlite: the writer lock, one writer per database file.
//
// An exclusive flock() on "<database>-lock", taken without waiting. flock()
// locks belong to an open file description, so a second store in the same
// process is refused as one in another process is (POSIX record locks would
// let the same process in twice, and drop every lock of the file when any
// descriptor of it closes, which is why SQLite's own locks cannot serve).
// The lock goes when its descriptor closes: with the store, or with the
// process however it ends; a killed writer leaves no stale lock to clean up.
// The holder writes its pid, host, program and start into the file, so that a
// refused opener can say who holds it. The file itself is left in place when
// the lock goes: removing it would let two openers lock two different files.
#pragma once

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace account::sqlite {

class FileLock {
 public:
  // Takes the lock on `lock_path` (creating the file) for the database at
  // `database_path` (named in messages). Fails at once with
  // FailedPrecondition naming the holder when another holds it;
  // PermissionDenied or NotFound when the file cannot be created or opened.
  static absl::StatusOr<FileLock> take(const std::string& lock_path,
                                       const std::string& database_path);

  FileLock() = default;
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // OK while `lock_path` still names the file this lock holds; else
  // FailedPrecondition: someone removed or replaced the lock file, and a
  // second writer could now lock the new one.
  absl::Status still_held() const;
  const std::string& path() const { return path_; }

 private:
  void release();
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  std::string path_;
};

// Who holds the lock on `lock_path`, as its holder recorded it ("process 42
// on host h (accountctl) since 2026-12-07T12:00:00Z"), or a sentence saying
// the record is missing.
std::string lock_holder(const std::string& lock_path);

}  // namespace account::sqlite
