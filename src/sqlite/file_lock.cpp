#include "file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/strings.h"

namespace account::sqlite {
namespace {

// A record is one line; more than this is not ours.
constexpr size_t kRecordBytesMax = 512;

std::string errno_text(int error) { return std::strerror(error); }

std::string host_name() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) return "unknown";
  return host;
}

std::string program_name() {
  char name[64] = {};
  const int fd = ::open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "unknown";
  const ssize_t n = ::read(fd, name, sizeof(name) - 1);
  ::close(fd);
  if (n <= 0) return "unknown";
  std::string out(name, static_cast<size_t>(n));
  absl::StripAsciiWhitespace(&out);
  return out;
}

// "pid <n> host <h> program <p> since <t>": parsed back by lock_holder().
std::string my_record() {
  return internal::cat("pid ", getpid(), " host ", host_name(), " program ", program_name(),
                       " since ",
                       absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone()),
                       "\n");
}

// The word after `key` in `record`, or "".
std::string field(std::string_view record, std::string_view key) {
  const std::string needle = internal::cat(key, " ");
  size_t at = record.find(needle);
  if (at != 0) {
    at = record.find(internal::cat(" ", needle));
    if (at == std::string_view::npos) return "";
    ++at;
  }
  const size_t start = at + needle.size();
  const size_t end = record.find_first_of(" \n", start);
  return std::string(record.substr(start, end == std::string_view::npos ? end : end - start));
}

absl::Status open_failure(int error, const std::string& lock_path) {
  const std::string text = internal::cat("cannot create or open the writer lock file ", lock_path,
                                         ": ", errno_text(error));
  if (error == EACCES || error == EPERM || error == EROFS) {
    return absl::PermissionDeniedError(
        internal::cat(text, " (a writer needs to create files in the database's directory)"));
  }
  if (error == ENOENT || error == ENOTDIR) return absl::NotFoundError(text);
  return absl::UnavailableError(text);
}

}  // namespace

std::string lock_holder(const std::string& lock_path) {
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  std::string record;
  if (fd >= 0) {
    char buffer[kRecordBytesMax] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof(buffer), 0);
    ::close(fd);
    if (n > 0) record.assign(buffer, static_cast<size_t>(n));
  }
  const std::string pid = field(record, "pid");
  if (pid.empty()) {
    return "a process that has not recorded itself in the lock file yet (it is starting)";
  }
  const std::string host = field(record, "host");
  const bool here = pid == std::to_string(getpid()) && host == host_name();
  return internal::cat(here ? "this process (another store on the same file): " : "",
                       "process ", pid, " on host ", host, " (", field(record, "program"),
                       ") since ", field(record, "since"));
}

absl::StatusOr<FileLock> FileLock::take(const std::string& lock_path,
                                        const std::string& database_path) {
  FileLock lock;
  lock.path_ = lock_path;
  lock.fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (lock.fd_ < 0) return open_failure(errno, lock_path);
  if (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    // Not ours: closed without release(), which would empty the holder's record.
    ::close(std::exchange(lock.fd_, -1));
    if (error == EWOULDBLOCK) {
      return absl::FailedPreconditionError(internal::cat(
          "database ", database_path, " already has a writer: ", lock_holder(lock_path),
          " holds its lock file ", lock_path, "; only one ledger may write to a database"));
    }
    return absl::UnavailableError(
        internal::cat("cannot lock ", lock_path, ": ", errno_text(error)));
  }
  struct stat st {};
  if (::fstat(lock.fd_, &st) != 0) return open_failure(errno, lock_path);
  lock.device_ = st.st_dev;
  lock.inode_ = st.st_ino;
  // The record is for people; a failure to write it only leaves them
  // without a name, so it is not an error.
  const std::string record = my_record();
  if (::ftruncate(lock.fd_, 0) == 0) {
    (void)!::pwrite(lock.fd_, record.data(), record.size(), 0);
  }
  return lock;
}

FileLock::~FileLock() { release(); }

FileLock::FileLock(FileLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      device_(other.device_),
      inode_(other.inode_),
      path_(std::move(other.path_)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    device_ = other.device_;
    inode_ = other.inode_;
    path_ = std::move(other.path_);
  }
  return *this;
}

void FileLock::release() {
  if (fd_ < 0) return;
  // Clear the record first, so that it never names a writer that has gone;
  // closing the descriptor releases the lock.
  (void)!::ftruncate(fd_, 0);
  ::close(fd_);
  fd_ = -1;
}

absl::Status FileLock::still_held() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(internal::cat(
        "the writer lock file ", path_, " was removed while the store held it (",
        errno_text(errno), "); another writer could now lock a new one, so nothing more is "
        "written: reopen the store"));
  }
  if (st.st_dev != device_ || st.st_ino != inode_) {
    return absl::FailedPreconditionError(internal::cat(
        "the writer lock file ", path_, " was replaced while the store held it; another writer "
        "could now lock the new one, so nothing more is written: reopen the store"));
  }
  return absl::OkStatus();
}

}  // namespace account::sqlite
