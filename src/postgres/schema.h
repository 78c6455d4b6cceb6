// Private to account::postgres: the versioned schema migrations and the
// function that applies them.
#pragma once

#include <libpq-fe.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace account::pg {

struct Migration {
  int version;              // 1, 2, ...: applied in order, each once.
  const char* description;  // Recorded in schema_migrations.
  const char* sql;          // Statements without parameters.
};

// Every migration this library knows, oldest first. The last one's version
// is PostgresStore::kSchemaVersion.
absl::Span<const Migration> migrations();

// In one transaction: creates schema_migrations if missing, refuses a
// database whose recorded version is newer than `known_version`
// (FailedPrecondition), applies the migrations it lacks and records each.
// Running it again is a no-op. A failed migration applies nothing (Internal).
absl::Status migrate(PGconn* conn, int known_version);

// The newest migration recorded in the database; 0 for a database no
// migration has touched.
absl::StatusOr<int64_t> schema_version(PGconn* conn);

}  // namespace account::pg
