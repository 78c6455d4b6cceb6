#include "db.h"

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "base/strings.h"
#include "checksum_vfs.h"

namespace account::sqlite {
namespace {

struct CodeName {
  int code;
  const char* name;
};

// The codes a store meets, by extended code; others print as their primary
// code's name and the number.
constexpr CodeName kCodeNames[] = {
    {SQLITE_ERROR, "SQLITE_ERROR"},
    {SQLITE_INTERNAL, "SQLITE_INTERNAL"},
    {SQLITE_PERM, "SQLITE_PERM"},
    {SQLITE_ABORT, "SQLITE_ABORT"},
    {SQLITE_BUSY, "SQLITE_BUSY"},
    {SQLITE_BUSY_RECOVERY, "SQLITE_BUSY_RECOVERY"},
    {SQLITE_BUSY_SNAPSHOT, "SQLITE_BUSY_SNAPSHOT"},
    {SQLITE_LOCKED, "SQLITE_LOCKED"},
    {SQLITE_NOMEM, "SQLITE_NOMEM"},
    {SQLITE_READONLY, "SQLITE_READONLY"},
    {SQLITE_READONLY_RECOVERY, "SQLITE_READONLY_RECOVERY"},
    {SQLITE_READONLY_CANTLOCK, "SQLITE_READONLY_CANTLOCK"},
    {SQLITE_READONLY_ROLLBACK, "SQLITE_READONLY_ROLLBACK"},
    {SQLITE_READONLY_DBMOVED, "SQLITE_READONLY_DBMOVED"},
    {SQLITE_READONLY_CANTINIT, "SQLITE_READONLY_CANTINIT"},
    {SQLITE_READONLY_DIRECTORY, "SQLITE_READONLY_DIRECTORY"},
    {SQLITE_INTERRUPT, "SQLITE_INTERRUPT"},
    {SQLITE_IOERR, "SQLITE_IOERR"},
    {SQLITE_IOERR_READ, "SQLITE_IOERR_READ"},
    {SQLITE_IOERR_SHORT_READ, "SQLITE_IOERR_SHORT_READ"},
    {SQLITE_IOERR_WRITE, "SQLITE_IOERR_WRITE"},
    {SQLITE_IOERR_FSYNC, "SQLITE_IOERR_FSYNC"},
    {SQLITE_IOERR_DIR_FSYNC, "SQLITE_IOERR_DIR_FSYNC"},
    {SQLITE_IOERR_TRUNCATE, "SQLITE_IOERR_TRUNCATE"},
    {SQLITE_IOERR_FSTAT, "SQLITE_IOERR_FSTAT"},
    {SQLITE_IOERR_LOCK, "SQLITE_IOERR_LOCK"},
    {SQLITE_IOERR_SHMOPEN, "SQLITE_IOERR_SHMOPEN"},
    {SQLITE_IOERR_SHMSIZE, "SQLITE_IOERR_SHMSIZE"},
    {SQLITE_IOERR_SHMMAP, "SQLITE_IOERR_SHMMAP"},
    {SQLITE_IOERR_DATA, "SQLITE_IOERR_DATA"},
    {SQLITE_CORRUPT, "SQLITE_CORRUPT"},
    {SQLITE_CORRUPT_INDEX, "SQLITE_CORRUPT_INDEX"},
    {SQLITE_NOTFOUND, "SQLITE_NOTFOUND"},
    {SQLITE_FULL, "SQLITE_FULL"},
    {SQLITE_CANTOPEN, "SQLITE_CANTOPEN"},
    {SQLITE_CANTOPEN_ISDIR, "SQLITE_CANTOPEN_ISDIR"},
    {SQLITE_PROTOCOL, "SQLITE_PROTOCOL"},
    {SQLITE_SCHEMA, "SQLITE_SCHEMA"},
    {SQLITE_TOOBIG, "SQLITE_TOOBIG"},
    {SQLITE_CONSTRAINT, "SQLITE_CONSTRAINT"},
    {SQLITE_CONSTRAINT_CHECK, "SQLITE_CONSTRAINT_CHECK"},
    {SQLITE_CONSTRAINT_FOREIGNKEY, "SQLITE_CONSTRAINT_FOREIGNKEY"},
    {SQLITE_CONSTRAINT_NOTNULL, "SQLITE_CONSTRAINT_NOTNULL"},
    {SQLITE_CONSTRAINT_PRIMARYKEY, "SQLITE_CONSTRAINT_PRIMARYKEY"},
    {SQLITE_CONSTRAINT_UNIQUE, "SQLITE_CONSTRAINT_UNIQUE"},
    {SQLITE_CONSTRAINT_DATATYPE, "SQLITE_CONSTRAINT_DATATYPE"},
    {SQLITE_MISMATCH, "SQLITE_MISMATCH"},
    {SQLITE_MISUSE, "SQLITE_MISUSE"},
    {SQLITE_AUTH, "SQLITE_AUTH"},
    {SQLITE_RANGE, "SQLITE_RANGE"},
    {SQLITE_NOTADB, "SQLITE_NOTADB"},
};

// What the error means for the caller, by extended code first.
absl::StatusCode code_for(int rc, int system_errno) {
  switch (rc) {
    case SQLITE_IOERR_DATA:
      return absl::StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return absl::StatusCode::kAlreadyExists;
    case SQLITE_READONLY_DBMOVED:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_CANTOPEN_ISDIR:
      return absl::StatusCode::kInvalidArgument;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_READONLY:
      return absl::StatusCode::kPermissionDenied;
    case SQLITE_CANTOPEN:
      if (system_errno == ENOENT || system_errno == ENOTDIR) return absl::StatusCode::kNotFound;
      if (system_errno == EACCES || system_errno == EPERM || system_errno == EROFS) {
        return absl::StatusCode::kPermissionDenied;
      }
      if (system_errno == EISDIR) return absl::StatusCode::kInvalidArgument;
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kInternal;
  }
}

// Whether the system's errno says something about `rc`: only for failures
// that come from a system call.
bool has_errno(int rc) {
  if (rc == SQLITE_IOERR_DATA) return false;  // The shim's finding, not a system call's.
  const int primary = rc & 0xff;
  return primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_FULL ||
         primary == SQLITE_READONLY;
}

}  // namespace

int64_t time_to_ns(absl::Time t) {
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
  if (t == absl::InfinitePast()) return std::numeric_limits<int64_t>::min();
  return absl::ToUnixNanos(t);
}

absl::Time time_from_ns(int64_t ns) {
  if (ns == std::numeric_limits<int64_t>::max()) return absl::InfiniteFuture();
  if (ns == std::numeric_limits<int64_t>::min()) return absl::InfinitePast();
  return absl::FromUnixNanos(ns);
}

std::string code_name(int rc) {
  for (const CodeName& c : kCodeNames) {
    if (c.code == rc) return c.name;
  }
  for (const CodeName& c : kCodeNames) {
    if (c.code == (rc & 0xff)) return internal::cat(c.name, " (extended code ", rc, ")");
  }
  return internal::cat("SQLite result code ", rc);
}

absl::Status status_of(sqlite3* db, int rc, std::string_view what) {
  // The connection's message describes its last failure, which is this one
  // only when the codes agree (a failed open has no connection message of
  // its own beyond "unable to open database file").
  const bool same = db != nullptr && sqlite3_extended_errcode(db) == rc;
  const char* message = same ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int system_errno = same ? sqlite3_system_errno(db) : 0;
  std::string text = internal::cat(what, ": ", message, " [", code_name(rc), "]");
  if (system_errno != 0 && has_errno(rc)) {
    text = internal::cat(text, " (", std::strerror(system_errno), ")");
  }
  if (rc == SQLITE_IOERR_DATA) {
    const std::string fault = take_checksum_fault();
    text = internal::cat(text, ": ", fault.empty() ? std::string("a page") : fault,
                         " failed its checksum; the file is damaged: restore it from a copy");
  } else if ((rc & 0xff) == SQLITE_FULL) {
    text = internal::cat(text, ": the disk, or the store's database_bytes_max, is full; "
                               "nothing of the transaction was written");
  } else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
    text = internal::cat(text, ": the file is damaged or not a database; refusing to use it");
  }
  return absl::Status(code_for(rc, system_errno), text);
}

absl::Status exec(sqlite3* db, const char* sql, std::string_view what) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  sqlite3_free(error);  // The same text as sqlite3_errmsg(), which status_of() reads.
  if (rc == SQLITE_OK) return absl::OkStatus();
  return status_of(db, sqlite3_extended_errcode(db), what);
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    name_ = other.name_;
  }
  return *this;
}

absl::Status Stmt::prepare(sqlite3* db, const char* name, const char* sql) {
  sqlite3_finalize(stmt_);
  stmt_ = nullptr;
  name_ = name;
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc == SQLITE_OK) return absl::OkStatus();
  return status_of(db, rc, internal::cat("preparing ", name));
}

void Stmt::bind_blob(int column, std::string_view value) {
  if (value.empty()) {
    sqlite3_bind_zeroblob(stmt_, column, 0);  // A null pointer would bind NULL.
    return;
  }
  sqlite3_bind_blob64(stmt_, column, value.data(), value.size(), SQLITE_STATIC);
}

absl::Status Stmt::step(bool& row) {
  const int rc = sqlite3_step(stmt_);
  row = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) return absl::OkStatus();
  sqlite3* db = sqlite3_db_handle(stmt_);
  return status_of(db, sqlite3_extended_errcode(db), name_);
}

absl::Status Stmt::run() {
  bool row = false;
  absl::Status ok = step(row);
  reset();
  return ok;
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::column_blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int bytes = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || bytes <= 0) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<size_t>(bytes));
}

}  // namespace account::sqlite
