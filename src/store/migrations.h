// Private to the durable stores: the part of a schema migration that is the same on every
// database. Each store opens its own transaction and takes its own locks (SQLite's write lock,
// PostgreSQL's advisory and table locks), reads the recorded version, and then hands its
// migrations to apply_pending_migrations() with how to run one and how to record it.
//
//   ACCOUNT_RETURN_IF_ERROR(internal::apply_pending_migrations(
//       kMigrations, current, known_version, [db](const Migration& m) { return run(db, m); },
//       [db](const Migration& m) { return record(db, m); }));
//
// Thread-safety: none of its own; the caller's transaction keeps other migrators out.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "base/strings.h"

namespace account::internal {

// The refusal of a database written by a newer library than this one.
inline absl::Status schema_newer_than_known(int64_t found, int known_version) {
  return absl::FailedPreconditionError(
      cat("the database's schema is version ", found, ", newer than version ", known_version,
          " that this library knows; refusing to use it (upgrade the library)"));
}

// Inside the caller's transaction: refuses a `current` version newer than `known_version`
// (FailedPrecondition), then, oldest first, each migration of `migrations` above `current` and
// not above `known_version`: run(m) applies its SQL, record(m) adds its row to
// schema_migrations. A failed migration is Internal, naming it, and stops there; the caller
// rolls the transaction back, so nothing of it is applied.
template <typename Migrations, typename Run, typename Record>
absl::Status apply_pending_migrations(const Migrations& migrations, int64_t current,
                                      int known_version, Run run, Record record) {
  if (current > known_version) return schema_newer_than_known(current, known_version);
  for (const auto& m : migrations) {
    if (m.version <= current || m.version > known_version) continue;
    if (absl::Status ok = run(m); !ok.ok()) {
      return absl::InternalError(cat("schema migration ", m.version, " (", m.description,
                                     ") failed, nothing applied: ", ok.message()));
    }
    if (absl::Status ok = record(m); !ok.ok()) return ok;
  }
  return absl::OkStatus();
}

}  // namespace account::internal
