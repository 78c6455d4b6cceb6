#include "schema.h"

#include <string>

#include "base/strings.h"
#include "pg.h"
#include "store/migrations.h"

namespace account::pg {
namespace {

// Version 1: the design document's accounts, positions, trades and
// reservations, adapted to the ledger's types, plus what the contracts
// need. Conventions (docs/postgres-store.md):
// - money is BIGINT cents (*_cents), quantities BIGINT basis points (*_bp);
// - times are BIGINT nanoseconds since the Unix epoch (*_ns): exact for the
//   ledger's clock, which TIMESTAMPTZ (microseconds) is not;
// - ids are the ledger's unsigned 64-bit ids, stored as their BIGINT bit pattern;
// - text the ledger takes from users (google id, display name, keys) is
//   BYTEA: any bytes but NUL round-trip exactly, whatever the encoding;
// - enums are SMALLINT with the C++ enums' explicit, never-renumbered values:
//   side 1 buy, 2 sell; status 1 active, 2 settled, 3 expired, 4 cancelled,
//   5 released; kind 1 fantasy_credit, 2 win_bonus, 3 adjustment, 4 share_issue.
// trades and executions carry no foreign keys: a foreign key costs a trigger
// and a lookup per inserted row, and those are the tables a tick writes
// thousands of rows into. The ledger keeps their references right.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE accounts (
  id BIGINT PRIMARY KEY,
  google_id BYTEA NOT NULL,
  display_name BYTEA NOT NULL DEFAULT ''::bytea,
  cash_cents BIGINT NOT NULL DEFAULT 0,
  created_at_ns BIGINT NOT NULL,
  sleeper_user_id TEXT,
  sleeper_roster_id TEXT,
  sleeper_league_id TEXT,
  CONSTRAINT accounts_google_id_unique UNIQUE (google_id),
  CONSTRAINT accounts_google_id_bytes CHECK (octet_length(google_id) BETWEEN 1 AND 255),
  CONSTRAINT accounts_display_name_bytes CHECK (octet_length(display_name) <= 255),
  CONSTRAINT accounts_cash_nonnegative CHECK (cash_cents >= 0)
);
CREATE INDEX accounts_sleeper_user_id ON accounts (sleeper_user_id);
CREATE INDEX accounts_sleeper_league_id ON accounts (sleeper_league_id);

CREATE TABLE positions (
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  symbol_id BIGINT NOT NULL,
  qty_bp BIGINT NOT NULL,
  cost_basis_cents BIGINT NOT NULL,
  realized_pnl_cents BIGINT NOT NULL,
  avg_cost_cents BIGINT NOT NULL,  -- Cents per share, rounded half up; for readers.
  PRIMARY KEY (account_id, symbol_id),
  CONSTRAINT positions_qty_nonnegative CHECK (qty_bp >= 0)
);

CREATE TABLE reservations (
  id BIGINT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  order_id BIGINT NOT NULL,
  symbol_id BIGINT NOT NULL,
  side SMALLINT NOT NULL CHECK (side IN (1, 2)),
  limit_cents BIGINT NOT NULL,
  order_qty_bp BIGINT NOT NULL,
  remaining_qty_bp BIGINT NOT NULL CHECK (remaining_qty_bp >= 0),
  reserved_cash_cents BIGINT NOT NULL,
  status SMALLINT NOT NULL CHECK (status BETWEEN 1 AND 5),
  created_at_ns BIGINT NOT NULL,
  expires_at_ns BIGINT NOT NULL,
  updated_at_ns BIGINT NOT NULL
);
CREATE INDEX reservations_account_id ON reservations (account_id);
CREATE INDEX reservations_expires_at ON reservations (expires_at_ns);
CREATE INDEX reservations_active ON reservations (id) WHERE status = 1;

CREATE TABLE executions (
  execution_id BIGINT PRIMARY KEY,
  symbol_id BIGINT NOT NULL,
  qty_bp BIGINT NOT NULL,
  price_cents BIGINT NOT NULL,
  buyer_account_id BIGINT NOT NULL,
  buyer_order_id BIGINT NOT NULL,
  seller_account_id BIGINT NOT NULL,
  seller_order_id BIGINT NOT NULL,
  tick BIGINT NOT NULL,
  time_ns BIGINT NOT NULL
);
CREATE INDEX executions_time ON executions (time_ns);

CREATE TABLE trades (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  account_id BIGINT NOT NULL,
  execution_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  symbol_id BIGINT NOT NULL,
  side SMALLINT NOT NULL CHECK (side IN (1, 2)),
  qty_bp BIGINT NOT NULL,
  price_cents BIGINT NOT NULL,
  notional_cents BIGINT NOT NULL,
  realized_pnl_cents BIGINT NOT NULL,
  tick BIGINT NOT NULL,
  time_ns BIGINT NOT NULL,
  PRIMARY KEY (account_id, id)
);

CREATE TABLE external_entries (
  key BYTEA PRIMARY KEY CHECK (octet_length(key) BETWEEN 1 AND 128),
  kind SMALLINT NOT NULL CHECK (kind BETWEEN 1 AND 4),
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  cash_cents BIGINT NOT NULL,
  symbol_id BIGINT NOT NULL,
  qty_bp BIGINT NOT NULL,
  time_ns BIGINT NOT NULL
);
CREATE INDEX external_entries_account_id ON external_entries (account_id);

-- For the auth issue: refresh tokens are stored hashed, rotated on use, and
-- revoked by family when a rotated one is reused.
CREATE TABLE refresh_tokens (
  token_hash BYTEA PRIMARY KEY,
  family_id BYTEA NOT NULL,
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  issued_at_ns BIGINT NOT NULL,
  expires_at_ns BIGINT NOT NULL,
  rotated BOOLEAN NOT NULL DEFAULT false,
  revoked BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX refresh_tokens_family_id ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account_id ON refresh_tokens (account_id);

-- Raised by the balance update when a cash balance names an account the
-- database does not hold: the commit fails (SQLSTATE P0002) rather than
-- silently updating nothing.
CREATE FUNCTION account_unknown_account(account BIGINT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'cash balance for unknown account %', account USING ERRCODE = 'P0002';
END
$$;
)sql";

// Version 2: the Sleeper link of an account. Its text fields become BYTEA
// like the other text the ledger takes from users, the roster id a BIGINT,
// and the username and season it was linked with are added. All NULL until
// an account links; a link is written whole.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE accounts
  ALTER COLUMN sleeper_user_id TYPE BYTEA USING convert_to(sleeper_user_id, 'UTF8'),
  ALTER COLUMN sleeper_league_id TYPE BYTEA USING convert_to(sleeper_league_id, 'UTF8'),
  ALTER COLUMN sleeper_roster_id TYPE BIGINT USING sleeper_roster_id::bigint,
  ADD COLUMN sleeper_username BYTEA,
  ADD COLUMN sleeper_season BYTEA;
)sql";

// Version 3: refresh tokens as account::auth stores them (include/account/auth/token_store.h).
// - No foreign key to accounts: the token store has a connection of its own and may serve a
//   ledger on another store; an account id it holds was issued by the ledger that signed the
//   user in.
// - One state instead of two booleans, so "rotated and revoked" cannot be written: 1 active,
//   2 rotated, 3 revoked (RefreshTokenState's values). Rotation is the conditional update
//   "SET state = 2 WHERE token_hash = $1 AND state = 1": of two racing it, one updates the row
//   and the other, after waiting on the row lock, finds state 2 and updates nothing.
// - Hashes and family ids have their exact lengths checked; the expiry index serves the purge.
// The table was never written by an earlier version, but its rows are carried over anyway.
constexpr const char* kVersion3 = R"sql(
ALTER TABLE refresh_tokens
  DROP CONSTRAINT refresh_tokens_account_id_fkey,
  ADD COLUMN state SMALLINT NOT NULL DEFAULT 1;
UPDATE refresh_tokens SET state = CASE WHEN revoked THEN 3 WHEN rotated THEN 2 ELSE 1 END;
ALTER TABLE refresh_tokens
  ALTER COLUMN state DROP DEFAULT,
  DROP COLUMN rotated,
  DROP COLUMN revoked,
  ADD CONSTRAINT refresh_tokens_state CHECK (state BETWEEN 1 AND 3),
  ADD CONSTRAINT refresh_tokens_token_hash_bytes CHECK (octet_length(token_hash) = 32),
  ADD CONSTRAINT refresh_tokens_family_id_bytes CHECK (octet_length(family_id) BETWEEN 1 AND 64);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at_ns);
)sql";

// Version 4: a Sleeper link for an account the table does not hold fails the
// commit (SQLSTATE P0002, as a cash balance for one does) instead of updating
// no row and committing without it.
constexpr const char* kVersion4 = R"sql(
CREATE FUNCTION account_link_unknown_account(account BIGINT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'sleeper link for unknown account %', account USING ERRCODE = 'P0002';
END $$;
)sql";

// Version 5: the journal (docs/journal.md), one row per committed change set, written in the
// same transaction as its rows. bytes are the ledger's canonical encoding of the entry, kept as
// they were committed (never re-encoded); hash is the chain hash over them, a SHA-256. A
// database migrated from version 4 starts its journal with the ledger's next commit: its earlier
// change sets have no entries, and the head is 0.
//
// account_journal_append() is how a commit writes its entry: it refuses (SQLSTATE JA001, a class
// of our own: the standard leaves classes I-Z to implementations, and PostgreSQL uses none
// starting with J) an entry whose seq is not the stored head's + 1, which aborts the commit's
// transaction inside its pipeline, before any row is written (the entry is the pipeline's first
// statement). A transaction-level advisory lock ("ACCTJRNL") queues two transactions appending
// at once, so the second reads the head after the first has committed or rolled back, and is
// refused with JA001 rather than with the primary key's unique violation, which would tell the
// ledger to validate its batch again rather than reload. Not a table lock: any mode that
// excludes another appender also conflicts with (auto)vacuum's, and an insert-only table is
// vacuumed as it grows, so commits would wait for it (up to deadlock_timeout, and for the whole
// of an anti-wraparound vacuum). Each statement of the function takes a fresh snapshot (READ
// COMMITTED, VOLATILE), so the head it reads after the lock is the committed one. max(seq) is a
// backward scan of the primary key.
constexpr const char* kVersion5 = R"sql(
CREATE TABLE journal (
  seq BIGINT PRIMARY KEY,
  committed_at_ns BIGINT NOT NULL,
  hash BYTEA NOT NULL,
  bytes BYTEA NOT NULL,
  CONSTRAINT journal_seq_positive CHECK (seq > 0),
  CONSTRAINT journal_hash_bytes CHECK (octet_length(hash) = 32)
);

CREATE FUNCTION account_journal_append(new_seq BIGINT, new_committed_at_ns BIGINT,
                                       new_hash BYTEA, new_bytes BYTEA) RETURNS BIGINT
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  head BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock(4702676465208151628);
  SELECT coalesce(max(seq), 0) INTO head FROM journal;
  IF new_seq IS DISTINCT FROM head + 1 THEN
    RAISE EXCEPTION 'journal entry % does not follow the stored head %', new_seq, head
      USING ERRCODE = 'JA001',
            DETAIL = 'another writer committed since this one loaded';
  END IF;
  INSERT INTO journal (seq, committed_at_ns, hash, bytes)
    VALUES (new_seq, new_committed_at_ns, new_hash, new_bytes);
  RETURN new_seq;
END $$;
)sql";

// Version 6: how far each consumer of the journal got (the ledger's notifier: "notifier"),
// written by the consumer in a transaction of its own (docs/journal.md).
constexpr const char* kVersion6 = R"sql(
CREATE TABLE journal_cursors (
  name TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  CONSTRAINT journal_cursors_seq CHECK (seq >= 0)
);
)sql";

// Version 7: retention of the journal (docs/journal.md, "Retention"). journal_checkpoints holds
// the checkpoint the last prune stored in place of the entries it removed, one row: seq and
// committed_at_ns are those of the last entry removed, hash its chain hash (the first kept entry
// chains on it), state the ledger's rows after it in the checkpoint's canonical bytes, digest the
// SHA-256 over hash and state. The store keeps them as given, undecoded.
//
// account_journal_prune() is the prune: one statement, so one transaction, all or nothing. It
// takes the appenders' advisory lock (version 5) first, so that a commit in flight on another
// session has committed or rolled back before it reads the head, the entries, the cursors and the
// trades, and two prunes do not interleave. Its refusals change nothing, each with a SQLSTATE of
// class J as JA001's: JA002 a checkpoint that does not fit the stored journal (seq 0, not below
// the head, the stored entry at its seq with another hash or commit time, or the stored
// checkpoint's seq with other bytes), JA003 a journal cursor below its seq (unless past_cursors),
// JA004 an execution whose trades are not stored. The stored checkpoint again (a retry after an
// ambiguous answer), or an older one, changes nothing and returns the stored seq and zero counts.
// Trades are removed up to the last of the execution's, found through the execution's row among
// its buyer's and seller's trades, by the trades key: trades have no index on execution_id (a
// tick inserts thousands of them). No index serves `id <=` alone either: the removal scans the
// table.
constexpr const char* kVersion7 = R"sql(
CREATE TABLE journal_checkpoints (
  seq BIGINT PRIMARY KEY,
  committed_at_ns BIGINT NOT NULL,
  hash BYTEA NOT NULL,
  state BYTEA NOT NULL,
  digest BYTEA NOT NULL,
  CONSTRAINT journal_checkpoints_seq_positive CHECK (seq > 0),
  CONSTRAINT journal_checkpoints_hash_bytes CHECK (octet_length(hash) = 32),
  CONSTRAINT journal_checkpoints_digest_bytes CHECK (octet_length(digest) = 32)
);

CREATE FUNCTION account_journal_prune(new_seq BIGINT, new_committed_at_ns BIGINT,
                                      new_hash BYTEA, new_state BYTEA, new_digest BYTEA,
                                      last_execution BIGINT, past_cursors BOOLEAN,
                                      OUT checkpoint_seq BIGINT, OUT entries_removed BIGINT,
                                      OUT trades_removed BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  stored journal_checkpoints%ROWTYPE;
  head BIGINT;
  entry journal%ROWTYPE;
  cursor_name TEXT;
  cursor_seq BIGINT;
  last_trade BIGINT;
BEGIN
  IF new_seq IS NULL OR new_seq <= 0 THEN
    RAISE EXCEPTION 'journal checkpoint seq % is not an entry''s: seqs start at 1', new_seq
      USING ERRCODE = 'JA002';
  END IF;
  PERFORM pg_advisory_xact_lock(4702676465208151628);
  SELECT * INTO stored FROM journal_checkpoints ORDER BY seq DESC LIMIT 1;
  IF stored.seq IS NOT NULL AND new_seq <= stored.seq THEN
    IF new_seq = stored.seq AND
       (new_committed_at_ns, new_hash, new_state, new_digest) IS DISTINCT FROM
       (stored.committed_at_ns, stored.hash, stored.state, stored.digest) THEN
      RAISE EXCEPTION 'journal checkpoint % differs from the stored checkpoint of that seq',
                      new_seq
        USING ERRCODE = 'JA002';
    END IF;
    checkpoint_seq := stored.seq;
    entries_removed := 0;
    trades_removed := 0;
    RETURN;
  END IF;
  SELECT coalesce(max(seq), 0) INTO head FROM journal;
  IF new_seq >= head THEN
    RAISE EXCEPTION 'journal checkpoint seq % is not below the stored head %', new_seq, head
      USING ERRCODE = 'JA002',
            DETAIL = 'the head entry stays: the next commit chains on it';
  END IF;
  SELECT * INTO entry FROM journal WHERE seq = new_seq;
  IF NOT FOUND OR entry.hash <> new_hash OR entry.committed_at_ns <> new_committed_at_ns THEN
    RAISE EXCEPTION 'journal checkpoint % does not match the stored entry of that seq', new_seq
      USING ERRCODE = 'JA002',
            DETAIL = 'its hash or commit time differs: a checkpoint of another journal';
  END IF;
  IF NOT past_cursors THEN
    SELECT c.name, c.seq INTO cursor_name, cursor_seq FROM journal_cursors AS c
      WHERE c.seq < new_seq ORDER BY c.seq, c.name LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'journal cursor "%" is at seq %, below the checkpoint''s seq %',
                      cursor_name, cursor_seq, new_seq
        USING ERRCODE = 'JA003',
              DETAIL = 'its consumer would miss the entries removed';
    END IF;
  END IF;
  IF last_execution <> 0 THEN
    SELECT max(t.id) INTO last_trade FROM executions AS e JOIN trades AS t
      ON t.account_id IN (e.buyer_account_id, e.seller_account_id)
         AND t.execution_id = e.execution_id
      WHERE e.execution_id = last_execution;
    IF last_trade IS NULL THEN
      RAISE EXCEPTION 'execution % has no stored trades', last_execution
        USING ERRCODE = 'JA004';
    END IF;
  END IF;
  DELETE FROM journal WHERE seq <= new_seq;
  GET DIAGNOSTICS entries_removed = ROW_COUNT;
  trades_removed := 0;
  IF last_trade IS NOT NULL THEN
    DELETE FROM trades WHERE id <= last_trade;
    GET DIAGNOSTICS trades_removed = ROW_COUNT;
  END IF;
  DELETE FROM journal_checkpoints;
  INSERT INTO journal_checkpoints (seq, committed_at_ns, hash, state, digest)
    VALUES (new_seq, new_committed_at_ns, new_hash, new_state, new_digest);
  checkpoint_seq := new_seq;
END $$;
)sql";

// Version 8: fencing by epoch (docs/ha.md). ledger_writer holds the epoch of the writer that
// opened the database last: a writer store takes the next one when it opens
// (account_writer_take(), not when it reconnects), and every commit checks, first in its
// transaction, that the epoch is still its own (account_writer_check(), SQLSTATE JA005
// otherwise). Both take the appenders' lock (version 5), so a takeover and a commit are ordered:
// a commit either finished before the takeover or sees the new epoch and is refused whole. The
// session advisory lock keeps two writers off one server at once; the epoch keeps a writer that
// lost the database (its session ended, another writer opened, on this server or on a promoted
// standby) from writing to it again.
constexpr const char* kVersion8 = R"sql(
CREATE TABLE ledger_writer (
  id SMALLINT PRIMARY KEY,
  epoch BIGINT NOT NULL,
  holder TEXT NOT NULL,
  since TIMESTAMPTZ NOT NULL,
  CONSTRAINT ledger_writer_one_row CHECK (id = 1),
  CONSTRAINT ledger_writer_epoch CHECK (epoch >= 0)
);
INSERT INTO ledger_writer (id, epoch, holder, since) VALUES (1, 0, '', now());

CREATE FUNCTION account_writer_take(new_holder TEXT) RETURNS BIGINT
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  taken BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock(4702676465208151628);
  UPDATE ledger_writer SET epoch = epoch + 1, holder = new_holder, since = now() WHERE id = 1
    RETURNING epoch INTO taken;
  RETURN taken;
END $$;

CREATE FUNCTION account_writer_check(expected BIGINT) RETURNS VOID
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  current_writer ledger_writer%ROWTYPE;
BEGIN
  PERFORM pg_advisory_xact_lock(4702676465208151628);
  SELECT * INTO current_writer FROM ledger_writer WHERE id = 1;
  IF current_writer.epoch <> expected THEN
    RAISE EXCEPTION 'this writer was fenced: its epoch % is no longer the database''s, which is % (taken by %, at %)',
                    expected, current_writer.epoch, current_writer.holder, current_writer.since
      USING ERRCODE = 'JA005',
            DETAIL = 'another writer opened the database since; this one must stop writing';
  END IF;
END $$;
)sql";

constexpr Migration kMigrations[] = {
    {1, "accounts, positions, reservations, executions, trades, entries, refresh tokens",
     kVersion1},
    {2, "an account's Sleeper link: bytea user and league ids, username, season", kVersion2},
    {3, "refresh tokens: one state column, no foreign key to accounts", kVersion3},
    {4, "a Sleeper link for an unknown account fails the commit", kVersion4},
    {5, "the journal: one entry per committed change set, appended only at head + 1",
     kVersion5},
    {6, "journal cursors: how far each consumer of the journal got", kVersion6},
    {7, "journal retention: the checkpoint of the last prune, and the prune", kVersion7},
    {8, "fencing: the writer's epoch, taken at open and checked by every commit", kVersion8},
};

absl::StatusOr<int64_t> recorded_version(PGconn* conn) {
  const Params none;
  absl::StatusOr<Result> r =
      exec_params(conn, "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations", none,
                  "reading the schema version");
  if (!r.ok()) return r.status();
  if (absl::Status ok = expect_columns(r->get(), "i", "schema version"); !ok.ok()) return ok;
  return get_int(r->get(), 0, 0);
}

absl::Status record_migration(PGconn* conn, const Migration& m) {
  Params p;
  p.add_int8(m.version);
  p.add_text(m.description);
  return exec_params(conn,
                     "INSERT INTO schema_migrations (version, description) "
                     "VALUES ($1::bigint, $2::text)",
                     p, "recording a migration")
      .status();
}

absl::Status migrate_in_transaction(PGconn* conn, int known_version) {
  // Every store of ours migrates, the ledger's writer and the refresh-token
  // store (which takes no writer lock) alike, and two may open a new
  // database at once: CREATE TABLE IF NOT EXISTS is not safe against a
  // concurrent one. A transaction-level advisory lock ("ACCTMIGR") queues
  // our migrators; the table lock keeps out anyone else who migrates.
  absl::Status ok = exec(conn, "SELECT pg_advisory_xact_lock(4702676465257891666)",
                         "waiting for other migrations");
  if (!ok.ok()) return ok;
  ok = exec(conn,
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY,"
            " description TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now());"
            "LOCK TABLE schema_migrations IN SHARE ROW EXCLUSIVE MODE",
            "creating schema_migrations");
  if (!ok.ok()) return ok;
  absl::StatusOr<int64_t> current = recorded_version(conn);
  if (!current.ok()) return current.status();
  return internal::apply_pending_migrations(
      kMigrations, *current, known_version,
      [conn](const Migration& m) {
        return exec(conn, m.sql, internal::cat("migration ", m.version));
      },
      [conn](const Migration& m) { return record_migration(conn, m); });
}

}  // namespace

absl::Span<const Migration> migrations() { return kMigrations; }

absl::Status migrate(PGconn* conn, int known_version) {
  if (absl::Status ok = exec(conn, "BEGIN", "starting the migration"); !ok.ok()) return ok;
  absl::Status ok = migrate_in_transaction(conn, known_version);
  if (ok.ok()) return exec(conn, "COMMIT", "committing the migration");
  if (!broken(conn)) PQclear(PQexec(conn, "ROLLBACK"));
  return ok;
}

absl::StatusOr<int64_t> schema_version(PGconn* conn) {
  const Params none;
  absl::StatusOr<Result> exists =
      exec_params(conn, "SELECT (to_regclass('schema_migrations') IS NOT NULL)::int::bigint", none,
                  "looking for schema_migrations");
  if (!exists.ok()) return exists.status();
  if (absl::Status ok = expect_columns(exists->get(), "i", "schema_migrations"); !ok.ok()) {
    return ok;
  }
  if (get_int(exists->get(), 0, 0) == 0) return 0;
  return recorded_version(conn);
}

}  // namespace account::pg
