#include "account/stores/open_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "base/strings.h"

namespace account {
namespace {

#if ACCOUNT_STORES_WITH_POSTGRES
absl::StatusOr<OpenedStore> open_postgres(std::string_view url, OpenStoreOptions options) {
  options.postgres.read_only = options.postgres.read_only || options.read_only;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::open(url, std::move(options.postgres));
  if (!store.ok()) return store.status();
  OpenedStore opened;
  opened.kind = DatabaseKind::kPostgres;
  opened.name = internal::cat("PostgreSQL database ", redact_database_url(url));
  opened.schema_version_found = (*store)->schema_version_found();
  opened.schema_version_now = (*store)->schema_version_now();
  opened.store = *std::move(store);
  return opened;
}
#endif

#if ACCOUNT_STORES_WITH_SQLITE
// A writer's open of a file it may not write would fail only after
// SqliteStore took its writer lock, creating "<file>-lock" beside it; so the
// file's permission is checked first, and a refused open writes nothing.
absl::Status check_writable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return absl::OkStatus();
  if (::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0) return absl::OkStatus();
  const int error = errno;
  return absl::PermissionDeniedError(internal::cat(
      "SQLite database ", path, " may not be written by this process (", std::strerror(error),
      "); a writer needs to write it: open it read-only to read it, or give the process write "
      "permission"));
}

absl::StatusOr<OpenedStore> open_sqlite(const std::string& path, OpenStoreOptions options) {
  options.sqlite.read_only = options.sqlite.read_only || options.read_only;
  if (!options.sqlite.read_only) {
    if (absl::Status ok = check_writable(path); !ok.ok()) return ok;
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path, options.sqlite);
  if (!store.ok()) return store.status();
  OpenedStore opened;
  opened.kind = DatabaseKind::kSqlite;
  opened.name = internal::cat("SQLite file ", (*store)->path());
  opened.schema_version_found = (*store)->schema_version_found();
  opened.schema_version_now = (*store)->schema_version_now();
  opened.store = *std::move(store);
  return opened;
}
#endif

absl::Status not_built(DatabaseKind kind) {
  const bool postgres = kind == DatabaseKind::kPostgres;
  return absl::UnimplementedError(
      internal::cat("the database URL names a ", database_kind_name(kind),
                    " store, and this program was built without it (",
                    postgres ? "ACCOUNT_WITH_POSTGRES" : "ACCOUNT_WITH_SQLITE", "=ON builds it)"));
}

}  // namespace

absl::StatusOr<OpenedStore> open_store(std::string_view database_url, OpenStoreOptions options) {
  absl::StatusOr<DatabaseUrl> where = read_database_url(database_url);
  if (!where.ok()) {
    return absl::InvalidArgumentError(internal::cat("database URL: ", where.status().message()));
  }
  switch (where->kind) {
    case DatabaseKind::kPostgres:
#if ACCOUNT_STORES_WITH_POSTGRES
      return open_postgres(database_url, std::move(options));
#else
      return not_built(where->kind);
#endif
    case DatabaseKind::kSqlite:
#if ACCOUNT_STORES_WITH_SQLITE
      return open_sqlite(where->sqlite_path, std::move(options));
#else
      return not_built(where->kind);
#endif
  }
  return not_built(where->kind);
}

absl::StatusOr<OpenedStore> open_read_store(const Config& config, OpenStoreOptions options) {
  options.read_only = true;
  const Secret& url =
      config.database_read_url.empty() ? config.database_url : config.database_read_url;
  if (url.empty()) {
    return absl::InvalidArgumentError(
        "neither DATABASE_READ_URL nor DATABASE_URL is set: no store to read");
  }
  return open_store(url.reveal(), std::move(options));
}

}  // namespace account
