// Private to account::sqlite: small RAII wrappers over the SQLite C API, the
// value conventions of the schema, and the mapping of SQLite's result codes
// onto absl::Status codes (the failure table of docs/sqlite-store.md).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace account::sqlite {

struct DbDeleter {
  // sqlite3_close_v2: the connection goes once its last statement is
  // finalized, whatever the order the owners are destroyed in.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbDeleter>;

// Times are INTEGER nanoseconds since the Unix epoch. The infinities map to
// the ends of the int64 range and back; finite times beyond them saturate.
int64_t time_to_ns(absl::Time t);
absl::Time time_from_ns(int64_t ns);

// Ids are unsigned 64-bit; the file stores their bit pattern as INTEGER.
inline int64_t id_to_db(uint64_t id) { return static_cast<int64_t>(id); }
inline uint64_t id_from_db(int64_t v) { return static_cast<uint64_t>(v); }

// The status for result code `rc` of a call on `db` about `what`:
//   SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR (but _DATA),
//   SQLITE_NOMEM, SQLITE_PROTOCOL           -> Unavailable
//   SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_IOERR_DATA (a page checksum)
//                                           -> DataLoss
//   SQLITE_CONSTRAINT_PRIMARYKEY / _UNIQUE  -> AlreadyExists
//   SQLITE_READONLY_DBMOVED                 -> FailedPrecondition
//   SQLITE_PERM, SQLITE_AUTH, SQLITE_READONLY -> PermissionDenied
//   SQLITE_CANTOPEN                         -> by errno: NotFound, PermissionDenied,
//                                              InvalidArgument (a directory), else Unavailable
//   anything else (other constraints too)   -> Internal
// The message holds SQLite's own text, the extended code and, for I/O, the
// system's errno text.
absl::Status status_of(sqlite3* db, int rc, std::string_view what);

// The name of an extended result code ("SQLITE_IOERR_FSYNC"), or its number.
std::string code_name(int rc);

// Runs `sql` (no parameters; several statements allowed).
absl::Status exec(sqlite3* db, const char* sql, std::string_view what);

// A prepared statement, reset (and its bindings cleared) by each user when
// done: prepared once at open and reused for every commit.
class Stmt {
 public:
  Stmt() = default;
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_), name_(other.name_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Prepares `sql` (SQLITE_PREPARE_PERSISTENT: it lives as long as the store).
  absl::Status prepare(sqlite3* db, const char* name, const char* sql);
  sqlite3_stmt* get() const { return stmt_; }
  const char* name() const { return name_; }

  void bind_int(int column, int64_t value) { sqlite3_bind_int64(stmt_, column, value); }
  // Any bytes, NUL included; an empty value is an empty BLOB, not NULL. Not
  // copied: the bytes must stay as they are until the statement is reset.
  void bind_blob(int column, std::string_view value);
  // UTF-8 text (for TEXT columns: the store's own descriptions).
  void bind_text(int column, std::string_view value) {
    sqlite3_bind_text64(stmt_, column, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  void bind_null(int column) { sqlite3_bind_null(stmt_, column); }

  // One step: SQLITE_ROW or SQLITE_DONE, else the error as status_of().
  absl::Status step(bool& row);
  // Steps a statement that returns no rows.
  absl::Status run();
  // Resets the statement and clears its bindings, ready for the next use.
  void reset();

  int64_t column_int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string column_blob(int column) const;
  bool column_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  const char* name_ = "";
};

// Resets `stmt` when it goes out of scope, so that an early return never
// leaves a statement holding its read transaction open.
class Reset {
 public:
  explicit Reset(Stmt& stmt) : stmt_(stmt) {}
  ~Reset() { stmt_.reset(); }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  Stmt& stmt_;
};

}  // namespace account::sqlite
