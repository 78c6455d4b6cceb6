// File: stores/open_store.h
//
// One way to open a store: the PostgreSQL database or the SQLite file that a
// DATABASE_URL names (database_url.h gives the forms), for a host program
// and for accountctl alike. Library target account::stores.
//
//   absl::StatusOr<account::OpenedStore> opened =
//       account::open_store(config.database_url.reveal(), {});   // or "sqlite:ledger.db"
//   if (!opened.ok()) return fail(opened.status());   // names the problem, never a password
//   log("ledger on " + opened->name);                 // "SQLite file /srv/exchange/ledger.db"
//   auto service = account::AccountService::open({.store = std::move(opened->store)});
//
// Where it lives, and why. Not in the core (account::account), which must
// build and link without libpq and libsqlite3; not in each store's
// component either, because the function that reads the scheme must reach
// both stores, and split in two every host (and accountctl) would write that
// dispatch again. So account::stores is a component of its own, one source
// file, that links the store components the build has: built whenever
// ACCOUNT_WITH_POSTGRES or ACCOUNT_WITH_SQLITE is on. This header is the
// same in every build: it includes both stores' headers for their option
// structs (declarations only; neither library is needed to compile it), and
// a build without one of the stores answers a URL naming it with
// Unimplemented. A consumer asks for it as
// find_package(account COMPONENTS stores), which brings in the stores it
// was built with.
//
// Errors (absl codes; no ledger Reason: no command has run yet). Each names
// the problem, and the SQLite file's path; none quotes a PostgreSQL URL.
// Nothing is written to a store that is refused.
//   InvalidArgument     the URL is empty, of an unknown scheme, or malformed
//                       (read_database_url()'s message); a SQLite path that
//                       is a directory; a PostgreSQL setting that libpq or
//                       the server refuses.
//   Unimplemented       the URL names a store this build lacks (say which
//                       option builds it: ACCOUNT_WITH_POSTGRES,
//                       ACCOUNT_WITH_SQLITE).
//   NotFound            SQLite: the file's directory does not exist, or,
//                       read-only, the file (never created then);
//                       PostgreSQL: the database does not exist.
//   PermissionDenied    SQLite: the file or its directory may not be
//                       written by this process, as a read-only file opened
//                       for writing: found before anything is created
//                       beside it (a writer would create "-lock", "-wal"
//                       and "-shm" there). Open it read-only to read it.
//   Unauthenticated     PostgreSQL refused the user or password.
//   FailedPrecondition  another writer holds the store: SQLite names it
//                       ("process 4242 on host h (exchange) since ...", or
//                       "this process"); PostgreSQL holds a writer lock per
//                       database. Also: a schema newer than this library's
//                       (read-only: not exactly this library's); a SQLite
//                       file of another application or without this store's
//                       page checksums.
//   DataLoss            SQLite: not a database, or damaged (a page fails its
//                       checksum).
//   Unavailable         the server cannot be reached; SQLite: the file is
//                       locked past busy_timeout, or an I/O error. Retry.
//   Internal            a migration failed; nothing of it is applied.
// sqlite/sqlite_store.h and postgres/postgres_store.h say more of each.
//
// Thread-safety: open_store() may be called from any thread; the store it
// returns is thread-safe (both stores are).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "account/config.h"
#include "account/database_url.h"
#include "account/postgres/postgres_store.h"
#include "account/sqlite/sqlite_store.h"
#include "account/store.h"

namespace account {

struct OpenStoreOptions {
  // For operators' tools that inspect a store a running ledger writes
  // (accountctl's show, list, audit, health): opens it read-only, as
  // PostgresStoreOptions::read_only and SqliteStoreOptions::read_only do
  // (either set below does too): no writer lock, so it works beside the
  // ledger; no migration; commit() refused with FailedPrecondition; a
  // SQLite file that does not exist is NotFound, never created.
  bool read_only = false;
  // The options of the store the URL names; the other's are not used.
  PostgresStoreOptions postgres;
  SqliteStoreOptions sqlite;
};

struct OpenedStore {
  std::unique_ptr<Store> store;
  DatabaseKind kind = DatabaseKind::kPostgres;
  // Safe to print, for logs and listings: "SQLite file /srv/exchange/ledger.db"
  // (the absolute path, symbolic links resolved) or "PostgreSQL database
  // postgresql://ledger:***@db/waiver" (redact_database_url()).
  std::string name;
  // The store's schema version when it was opened, before any migration,
  // and after. Equal when nothing was migrated (always, read-only).
  int64_t schema_version_found = 0;
  int64_t schema_version_now = 0;
};

// Opens the store `database_url` names: PostgresStore::open() for a
// PostgreSQL URL, SqliteStore::open() on the decoded path for a sqlite: URL.
// Errors as in the file comment.
absl::StatusOr<OpenedStore> open_store(std::string_view database_url,
                                       OpenStoreOptions options = {});

// Opens, read-only, the store for reads that need no writer (history pages, journal consumers,
// an operator's listing and audit), on a connection of its own: DATABASE_READ_URL
// (config.database_read_url) when it is set, typically a standby, whose reads stop at its
// replayed position and may trail the writer by the replication delay (docs/ha.md, "Read
// replicas"); else DATABASE_URL. options.read_only is set whatever it held. Errors as
// open_store(), and InvalidArgument when neither URL is set.
absl::StatusOr<OpenedStore> open_read_store(const Config& config, OpenStoreOptions options = {});

}  // namespace account
