// Private to account::sqlite: the versioned schema migrations and the
// checks that a file is this store's before anything is written to it.
#pragma once

#include <sqlite3.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace account::sqlite {

// PRAGMA application_id of every file this store writes: "ACCT". Lets the
// store, and file(1), tell its databases from other applications'.
inline constexpr int32_t kApplicationId = 0x41434354;

struct Migration {
  int version;              // 1, 2, ...: applied in order, each once.
  const char* description;  // Recorded in schema_migrations.
  const char* sql;          // Statements without parameters.
};

// Every migration this library knows, oldest first. The last one's version
// is SqliteStore::kSchemaVersion.
absl::Span<const Migration> migrations();

// The newest migration recorded in the file; 0 for a file no migration has
// touched. FailedPrecondition when the file is an SQLite database of another
// application: another application id, or tables but no schema_migrations.
absl::StatusOr<int64_t> schema_version(sqlite3* db);

// In one write transaction: refuses a file whose recorded version is newer
// than `known_version` (FailedPrecondition), applies the migrations it
// lacks, records each, and stamps the application id and user_version.
// A file already at `known_version` is not written. A failed migration
// applies nothing (Internal).
absl::Status migrate(sqlite3* db, int known_version);

}  // namespace account::sqlite
