#include "schema.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "base/strings.h"
#include "db.h"
#include "store/migrations.h"

namespace account::sqlite {
namespace {

// Version 1: PostgresStore's schema at its version 4, less the refresh
// tokens (account::auth keeps them in a store of its own), in SQLite's terms.
// Conventions (docs/sqlite-store.md):
// - STRICT tables: a value of the wrong type is refused, not converted;
// - money is INTEGER cents (*_cents), quantities INTEGER basis points (*_bp);
// - times are INTEGER nanoseconds since the Unix epoch (*_ns): exact;
// - ids are the ledger's unsigned 64-bit ids, stored as their INTEGER bit
//   pattern (an id of 2^63 or more reads as negative in SQL);
// - text the ledger takes from users (Google id, names, keys, the Sleeper
//   link) is BLOB: any bytes round-trip exactly, whatever the encoding;
// - enums are INTEGER with the C++ enums' explicit, never-renumbered values:
//   side 1 buy, 2 sell; status 1 active, 2 settled, 3 expired, 4 cancelled,
//   5 released; kind 1 fantasy_credit, 2 win_bonus, 3 adjustment, 4 share_issue.
// Indexes are only those the store's own reads use: each one costs a B-tree
// write for every row a commit inserts. trades and executions carry no
// foreign keys, as in PostgreSQL: they are the tables a tick writes
// thousands of rows into, and the ledger keeps their references right.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  google_id BLOB NOT NULL,
  display_name BLOB NOT NULL,
  cash_cents INTEGER NOT NULL,
  created_at_ns INTEGER NOT NULL,
  -- The Sleeper link: all NULL until the account links; written whole.
  sleeper_user_id BLOB,
  sleeper_username BLOB,
  sleeper_league_id BLOB,
  sleeper_season BLOB,
  sleeper_roster_id INTEGER,
  CONSTRAINT accounts_google_id_unique UNIQUE (google_id),
  CONSTRAINT accounts_google_id_bytes CHECK (length(google_id) BETWEEN 1 AND 255),
  CONSTRAINT accounts_display_name_bytes CHECK (length(display_name) <= 255),
  CONSTRAINT accounts_cash_nonnegative CHECK (cash_cents >= 0)
) STRICT;

CREATE TABLE positions (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  symbol_id INTEGER NOT NULL,
  qty_bp INTEGER NOT NULL,
  cost_basis_cents INTEGER NOT NULL,
  realized_pnl_cents INTEGER NOT NULL,
  avg_cost_cents INTEGER NOT NULL,  -- Cents per share, rounded half up; for readers.
  PRIMARY KEY (account_id, symbol_id),
  CONSTRAINT positions_qty_nonnegative CHECK (qty_bp >= 0)
) STRICT, WITHOUT ROWID;

CREATE TABLE reservations (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  order_id INTEGER NOT NULL,
  symbol_id INTEGER NOT NULL,
  side INTEGER NOT NULL,
  limit_cents INTEGER NOT NULL,
  order_qty_bp INTEGER NOT NULL,
  remaining_qty_bp INTEGER NOT NULL,
  reserved_cash_cents INTEGER NOT NULL,
  status INTEGER NOT NULL,
  created_at_ns INTEGER NOT NULL,
  expires_at_ns INTEGER NOT NULL,
  updated_at_ns INTEGER NOT NULL,
  CONSTRAINT reservations_id_nonzero CHECK (id <> 0),
  CONSTRAINT reservations_side CHECK (side IN (1, 2)),
  CONSTRAINT reservations_remaining_nonnegative CHECK (remaining_qty_bp >= 0),
  CONSTRAINT reservations_status CHECK (status BETWEEN 1 AND 5)
) STRICT;

CREATE TABLE executions (
  execution_id INTEGER PRIMARY KEY,
  symbol_id INTEGER NOT NULL,
  qty_bp INTEGER NOT NULL,
  price_cents INTEGER NOT NULL,
  buyer_account_id INTEGER NOT NULL,
  buyer_order_id INTEGER NOT NULL,
  seller_account_id INTEGER NOT NULL,
  seller_order_id INTEGER NOT NULL,
  tick INTEGER NOT NULL,
  time_ns INTEGER NOT NULL
) STRICT;
-- The retention window's load: executions since a time.
CREATE INDEX executions_time ON executions (time_ns);

-- id is the rowid: insertion order, which "newest trades first" sorts by.
CREATE TABLE trades (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  execution_id INTEGER NOT NULL,
  order_id INTEGER NOT NULL,
  symbol_id INTEGER NOT NULL,
  side INTEGER NOT NULL,
  qty_bp INTEGER NOT NULL,
  price_cents INTEGER NOT NULL,
  notional_cents INTEGER NOT NULL,
  realized_pnl_cents INTEGER NOT NULL,
  tick INTEGER NOT NULL,
  time_ns INTEGER NOT NULL,
  CONSTRAINT trades_side CHECK (side IN (1, 2))
) STRICT;
-- An account's newest trades: trades(account, limit) and the load.
CREATE INDEX trades_account_id ON trades (account_id, id);

CREATE TABLE external_entries (
  key BLOB PRIMARY KEY,
  kind INTEGER NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  cash_cents INTEGER NOT NULL,
  symbol_id INTEGER NOT NULL,
  qty_bp INTEGER NOT NULL,
  time_ns INTEGER NOT NULL,
  CONSTRAINT external_entries_key_bytes CHECK (length(key) BETWEEN 1 AND 128),
  CONSTRAINT external_entries_kind CHECK (kind BETWEEN 1 AND 4)
) STRICT, WITHOUT ROWID;
)sql";

// Version 2: the journal (docs/journal.md), one row per committed change set, written in the
// same transaction as its rows. seq is the rowid, so the head (max(seq)) is the B-tree's right
// edge and a page of entries after a seq is a range scan. bytes are the ledger's canonical
// encoding of the entry, kept as they were committed (never re-encoded); hash is the chain hash
// over them, a SHA-256. A ledger migrated from version 1 starts its journal with its next
// commit: its earlier change sets have no entries, and the head is 0.
constexpr const char* kVersion2 = R"sql(
CREATE TABLE journal (
  seq INTEGER PRIMARY KEY,
  committed_at_ns INTEGER NOT NULL,
  hash BLOB NOT NULL,
  bytes BLOB NOT NULL,
  CONSTRAINT journal_seq_positive CHECK (seq > 0),
  CONSTRAINT journal_hash_bytes CHECK (length(hash) = 32)
) STRICT;
)sql";

// Version 3: how far each consumer of the journal got (the ledger's notifier: "notifier"),
// written by the consumer in a transaction of its own (docs/journal.md).
constexpr const char* kVersion3 = R"sql(
CREATE TABLE journal_cursors (
  name TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  CONSTRAINT journal_cursors_seq CHECK (seq >= 0)
) STRICT, WITHOUT ROWID;
)sql";

// Version 4: retention (docs/journal.md, "Retention"). The checkpoint a prune stores in place of
// the entries it removes (one row: the newest). trades is rebuilt with AUTOINCREMENT: a prune
// removes the oldest trades, and when it removes every one SQLite would otherwise issue the next
// trade the row 1 again, behind the cursor (the row) a history reader holds; AUTOINCREMENT
// never issues a row twice. The copy takes a pass over the trades, once.
constexpr const char* kVersion4 = R"sql(
CREATE TABLE journal_checkpoints (
  seq INTEGER PRIMARY KEY,
  committed_at_ns INTEGER NOT NULL,
  hash BLOB NOT NULL,
  state BLOB NOT NULL,
  digest BLOB NOT NULL,
  CONSTRAINT journal_checkpoints_seq_positive CHECK (seq > 0),
  CONSTRAINT journal_checkpoints_hash_bytes CHECK (length(hash) = 32),
  CONSTRAINT journal_checkpoints_digest_bytes CHECK (length(digest) = 32)
) STRICT;

CREATE TABLE trades_v4 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  execution_id INTEGER NOT NULL,
  order_id INTEGER NOT NULL,
  symbol_id INTEGER NOT NULL,
  side INTEGER NOT NULL,
  qty_bp INTEGER NOT NULL,
  price_cents INTEGER NOT NULL,
  notional_cents INTEGER NOT NULL,
  realized_pnl_cents INTEGER NOT NULL,
  tick INTEGER NOT NULL,
  time_ns INTEGER NOT NULL,
  CONSTRAINT trades_side CHECK (side IN (1, 2))
) STRICT;
INSERT INTO trades_v4 SELECT id, account_id, execution_id, order_id, symbol_id, side, qty_bp,
  price_cents, notional_cents, realized_pnl_cents, tick, time_ns FROM trades ORDER BY id;
DROP TABLE trades;
ALTER TABLE trades_v4 RENAME TO trades;
CREATE INDEX trades_account_id ON trades (account_id, id);
)sql";

constexpr Migration kMigrations[] = {
    {1, "accounts, positions, reservations, executions, trades, external entries", kVersion1},
    {2, "journal", kVersion2},
    {3, "journal cursors", kVersion3},
    {4, "journal checkpoints; trades rows never reused", kVersion4},
};

// One integer from `sql` (a PRAGMA or an aggregate), 0 when it returns no row.
absl::StatusOr<int64_t> query_int(sqlite3* db, const char* sql, const char* what) {
  Stmt stmt;
  if (absl::Status ok = stmt.prepare(db, what, sql); !ok.ok()) return ok;
  bool row = false;
  if (absl::Status ok = stmt.step(row); !ok.ok()) return ok;
  return row ? stmt.column_int(0) : 0;
}

absl::StatusOr<int64_t> recorded_version(sqlite3* db) {
  return query_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations",
                   "reading the schema version");
}

// The names of the file's own tables (not SQLite's), for messages.
absl::StatusOr<std::vector<std::string>> table_names(sqlite3* db) {
  Stmt stmt;
  absl::Status ok = stmt.prepare(db, "listing tables",
                                 "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                 "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
  std::vector<std::string> names;
  bool row = true;
  while (ok.ok() && row) {
    ok = stmt.step(row);
    if (ok.ok() && row) names.push_back(stmt.column_blob(0));
  }
  if (!ok.ok()) return ok;
  return names;
}

absl::Status record_migration(sqlite3* db, const Migration& m) {
  Stmt record;
  absl::Status ok = record.prepare(db, "recording a migration",
                                   "INSERT INTO schema_migrations (version, description, "
                                   "applied_at_ns) VALUES (?1, ?2, "
                                   "CAST((julianday('now') - 2440587.5) * 86400e9 AS INTEGER))");
  if (!ok.ok()) return ok;
  record.bind_int(1, m.version);
  record.bind_text(2, m.description);
  return record.run();
}

absl::Status migrate_in_transaction(sqlite3* db, int known_version) {
  absl::Status ok = exec(db,
                         "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         " version INTEGER PRIMARY KEY,"
                         " description TEXT NOT NULL,"
                         " applied_at_ns INTEGER NOT NULL) STRICT",
                         "creating schema_migrations");
  if (!ok.ok()) return ok;
  absl::StatusOr<int64_t> current = recorded_version(db);
  if (!current.ok()) return current.status();
  ok = internal::apply_pending_migrations(
      kMigrations, *current, known_version,
      [db](const Migration& m) { return exec(db, m.sql, internal::cat("migration ", m.version)); },
      [db](const Migration& m) { return record_migration(db, m); });
  if (!ok.ok()) return ok;
  // PRAGMA takes no parameters; both values are this library's integers.
  const std::string stamp = internal::cat("PRAGMA application_id = ", kApplicationId,
                                          "; PRAGMA user_version = ", known_version);
  return exec(db, stamp.c_str(), "stamping the schema version");
}

}  // namespace

absl::Span<const Migration> migrations() { return kMigrations; }

absl::StatusOr<int64_t> schema_version(sqlite3* db) {
  absl::StatusOr<int64_t> application =
      query_int(db, "PRAGMA application_id", "reading the application id");
  if (!application.ok()) return application.status();
  absl::StatusOr<std::vector<std::string>> tables = table_names(db);
  if (!tables.ok()) return tables.status();
  if (tables->empty() && *application == 0) return 0;  // A new, empty file.
  if (*application != kApplicationId) {
    return absl::FailedPreconditionError(internal::cat(
        "the file is an SQLite database of another application (application_id ",
        *application, ", tables: ", tables->empty() ? "none" : absl::StrJoin(*tables, ", "),
        "); refusing to write to it"));
  }
  bool has_migrations = false;
  for (const std::string& t : *tables) has_migrations |= t == "schema_migrations";
  if (!has_migrations) {
    return absl::FailedPreconditionError(
        "the file carries this store's application id but no schema_migrations table; "
        "refusing to guess its schema");
  }
  return recorded_version(db);
}

absl::Status migrate(sqlite3* db, int known_version) {
  absl::StatusOr<int64_t> found = schema_version(db);
  if (!found.ok()) return found.status();
  if (*found == known_version) return absl::OkStatus();
  if (*found > known_version) return internal::schema_newer_than_known(*found, known_version);
  if (absl::Status ok = exec(db, "BEGIN IMMEDIATE", "starting the migration"); !ok.ok()) {
    return ok;
  }
  absl::Status ok = migrate_in_transaction(db, known_version);
  if (ok.ok()) ok = exec(db, "COMMIT", "committing the migration");
  if (!ok.ok() && sqlite3_get_autocommit(db) == 0) {
    exec(db, "ROLLBACK", "rolling back the migration").IgnoreError();
  }
  return ok;
}

}  // namespace account::sqlite
