// File: database_url.h
//
// What a DATABASE_URL names: a PostgreSQL database or a SQLite file. Read
// here, in the core (no libpq, no libsqlite3), so that the configuration
// refuses a bad URL at start-up; the store it names is opened by
// open_store() (account::stores, stores/open_store.h).
//
//   absl::StatusOr<DatabaseUrl> where = read_database_url("sqlite:/var/lib/exchange/ledger.db");
//   if (where.ok() && where->kind == DatabaseKind::kSqlite) use(where->sqlite_path);
//   log(redact_database_url(url));   // safe to print: postgresql://ledger:***@db/waiver
//
// The forms:
//
//   postgresql://user:pw@host:5432/db?k=v   PostgreSQL, libpq's URI (also postgres://)
//   host=db dbname=waiver user=ledger       PostgreSQL, libpq's key=value form
//   sqlite:/var/lib/exchange/ledger.db      SQLite, an absolute path
//   sqlite:///var/lib/exchange/ledger.db    the same (an empty authority)
//   sqlite:ledger.db                        SQLite, relative to the working directory
//
// A sqlite: URL is a file path, with RFC 3986 percent-escapes decoded (%20
// a space, %3F a '?', %23 a '#', %25 a '%'; '+' stays a plus sign); the
// scheme may be written in any case. Refused, each with a message naming
// the problem: a host (sqlite://HOST/...; note that sqlite://ledger.db
// reads "ledger.db" as a host: write sqlite:ledger.db), a query or a
// fragment (the store's settings are the program's options, never the
// URL's, and SQLite's own URI settings such as ?mode=ro are not taken), a
// '%' without two hex digits after it, %00, a raw control character, a
// space at either end, no path, a path ending in '/', sqlite::memory: (the
// in-memory store needs no URL), sqlite:file:... (SQLite's URI form), and
// a leading '~' (not expanded). A relative path is resolved against the
// working directory when the store opens it; SqliteStore::path() is then
// the absolute one.
//
// A PostgreSQL URL is refused when libpq would refuse its syntax or read it
// otherwise than its writer meant (a '/' or '@' in the password, a port
// that is not a number from 1 to 65535, as when the '@' after the password
// is missing), with a message that quotes none of it. Any other scheme
// (mysql://, a bare host:port) is refused naming the scheme; text with
// neither a scheme nor an '=' is refused too.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace account {

enum class DatabaseKind : uint8_t {
  kPostgres = 1,  // postgresql://, postgres://, or libpq's key=value form.
  kSqlite = 2,    // sqlite:PATH
};

// "PostgreSQL" or "SQLite".
std::string_view database_kind_name(DatabaseKind kind);

struct DatabaseUrl {
  DatabaseKind kind = DatabaseKind::kPostgres;
  // kSqlite: the database file's path, percent-escapes decoded, as written
  // (relative to the working directory unless it starts with '/'). Empty for
  // kPostgres: PostgresStore takes the URL itself.
  std::string sqlite_path;
};

// Which store `url` names. InvalidArgument, naming the problem, for an
// empty URL, an unknown scheme ("unknown scheme \"mysql:\" ..."), text that
// is neither a URL nor libpq's key=value form, and a malformed URL of
// either store ("malformed: ..."). The message quotes no part of a
// PostgreSQL URL; of the others it may quote the scheme.
absl::StatusOr<DatabaseUrl> read_database_url(std::string_view url);

// `url` as safe to print, malformed or not: everything that may be a
// password replaced by "***", erring on the side of hiding too much. That
// is the password of the user info (all of the user info when it holds a
// '/' or '@' but no ':'); a port that is not a number from 1 to 65535 (in
// postgresql://ledger:secret/db, with the '@' missing, the password reads
// as the port); everything after an IPv6 host with no closing ']'; the
// value of a query or key=value setting whose key holds "pass" (password,
// sslpassword), or that is itself a postgresql:// URI; and any query
// parameter without '='. A key=value string libpq cannot parse, and text of
// an unknown scheme, are not shown at all. User, hosts, port numbers and
// database stay visible. A sqlite: URL holds no password and is shown as
// written (but for the host of a sqlite://HOST/..., which is refused).
std::string redact_database_url(std::string_view url);

}  // namespace account
