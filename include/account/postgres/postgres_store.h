// File: postgres/postgres_store.h
//
// The production Store: PostgreSQL through libpq. Part of the separate
// library target account::postgres, so the core library builds without
// libpq. Schema, commit path and error mapping: docs/postgres-store.md.
//
//   auto store = account::PostgresStore::open(std::getenv("DATABASE_URL"), {});
//   if (!store.ok()) { /* store.status(): a clear reason, see open() */ }
//   auto service = account::AccountService::open({.store = std::move(*store)});
//
// open() connects, takes the database's writer lock (one writer per
// database), applies the schema migrations the database lacks, and prepares
// the statements. commit() writes a ChangeSet in one transaction, one
// statement per table over arrays, sent in libpq pipeline mode: one round
// trip per commit. Times are stored as BIGINT nanoseconds since the Unix
// epoch, so they round-trip exactly at nanosecond resolution.
//
// Each call first checks, without waiting, whether the server has hung up
// on the idle connection (it restarted), and reconnects (re-taking the
// writer lock and re-preparing the statements) before it sends anything.
// A read whose connection dies while it runs is run once more on a new
// connection; a commit is not: it returns Unavailable, its outcome unknown.
//
// Thread-safety: every method is thread-safe. The store has one connection
// and one internal mutex, so calls run one at a time: a trades() query waits
// for a commit in flight.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/metrics.h"
#include "account/store.h"

namespace account {

struct PostgresStoreOptions {
  // How long to wait for the server when connecting (libpq's
  // connect_timeout, whole seconds, at least 2). A connect_timeout in the
  // URL wins.
  absl::Duration connect_timeout = absl::Seconds(10);
  // Shown in pg_stat_activity. An application_name in the URL wins.
  std::string application_name = "account";
  // For operators' tools that inspect a database a running ledger writes
  // (show, audit): no writer lock, no migration, every transaction READ
  // ONLY on the server, and commit() refused with FailedPrecondition. The
  // database's schema must be exactly kSchemaVersion.
  bool read_only = false;
  // Where the store counts its sessions: database_connects_total (sessions
  // established) and database_connection_errors_total (every connection
  // attempt that failed, refused or unreachable). Pass the ledger's registry
  // (AccountServiceOptions::metrics) to see them beside its own. Default: a
  // registry of the store's own.
  std::shared_ptr<MetricsRegistry> metrics;
};

class PostgresStore final : public Store {
 public:
  // The schema version this library writes; open() migrates older
  // databases up to it and refuses newer ones.
  static constexpr int kSchemaVersion = 8;

  // Connects to `database_url` (a libpq connection string,
  // "host=... dbname=...", or URI, "postgresql://user:pw@host:port/db"),
  // takes the writer lock and migrates the schema. Failures, each distinct:
  //   InvalidArgument     the URL does not parse, or libpq would misread it
  //                       (a '/' or '@' in the password, a port that is not
  //                       a number from 1 to 65535, as when the '@' after the
  //                       password is missing), or it holds a setting libpq
  //                       or the server refuses (an unknown sslmode).
  //   Unauthenticated     the server refused the user or password.
  //   NotFound            the database does not exist.
  //   Unavailable         the server cannot be reached (or is starting up).
  //   FailedPrecondition  another writer holds the database's writer lock,
  //                       or the database's schema is newer than kSchemaVersion
  //                       (read-only: is not exactly kSchemaVersion).
  //   Internal            a migration failed (nothing of it is applied).
  // Never throws; the URL never appears in a message, and no text of it that
  // may be a password does, even where libpq quotes it (database_url.h).
  static absl::StatusOr<std::unique_ptr<PostgresStore>> open(std::string_view database_url,
                                                             PostgresStoreOptions options);

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // Writes `changes` in one transaction (Store contract), its journal entry
  // (when its seq is not 0) first. Errors: Unavailable (connection trouble
  // after the transaction was sent: the outcome is unknown; the next call
  // reconnects), AlreadyExists (a unique key is taken: SQLSTATE 23505),
  // NotFound (a cash balance for an account the database does not hold),
  // Aborted (the entry's seq is not the stored head's + 1: SQLSTATE JA001;
  // or the session was replaced since the last load; or, with the
  // writer_fencing.h payload, another writer opened the database since this
  // store did, which nothing lifts: SQLSTATE JA005, from the commit or from
  // the epoch check a reconnect makes first), FailedPrecondition
  // (reconnecting found another writer holding the lock), Internal (anything
  // else, with the server's message). A failed commit applies nothing.
  absl::Status commit(const ChangeSet& changes) override;

  // The committed state per `request`, read in one repeatable-read
  // transaction, ordered as MemoryStore orders it. Errors as commit(), but
  // Unavailable only when a second connection failed too (reads are run
  // once more when the connection dies under them).
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override;

  // The applied fill with this id, from the executions table's primary key.
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override;

  // Up to `limit` most recent trades of `account`, newest first.
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override;

  // Up to `limit` journal entries after `after_seq`, oldest first, through the
  // journal's primary key. Errors as load().
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override;
  absl::StatusOr<std::optional<uint64_t>> journal_cursor(std::string_view name) override;
  // A transaction of its own, checked against the writer epoch as commit() is: a fenced
  // writer's consumers move no cursor. Errors as commit().
  absl::Status set_journal_cursor(std::string_view name, uint64_t seq) override;

  // Retention (Store contract): one transaction that checks the writer epoch, as commit() does,
  // then checks and prunes on the server (schema version 7), queued with the commits of any
  // session on the journal's lock.
  // Removing the trades scans the trades table. A prune whose connection dies under it is run
  // once more on a new connection: one that landed changes nothing the second time and answers
  // zero counts. Errors as commit(), and the contract's refusals (InvalidArgument,
  // FailedPrecondition, DataLoss), which keep the session; FailedPrecondition on a read-only
  // store.
  absl::StatusOr<JournalPruneResult> prune_journal(const JournalPrune& prune) override;
  // The stored checkpoint, through journal_checkpoints. Errors as load().
  absl::StatusOr<std::optional<JournalCheckpoint>> journal_checkpoint() override;

  // History pages (history.h), each one prepared statement (one snapshot). A trade's row is the
  // trades table's identity id: commit order, as one writer commits at a time, read through the
  // (account_id, id) key; entries and reservations through their account indexes. On this
  // store's one connection a page waits for a commit in flight: open a second store with
  // read_only for them, on the same URL or a replica's, and it reads on a connection of its
  // own. Errors as load(); InvalidArgument for a query history.h refuses.
  absl::StatusOr<TradePage> trade_page(const TradeQuery& query) override;
  absl::StatusOr<EntryPage> entry_page(const EntryQuery& query) override;
  absl::StatusOr<ReservationPage> reservation_page(const ReservationQuery& query) override;

  // The schema version the database had when this store last connected,
  // before any migration it applied, and after. Equal when nothing was
  // migrated (always, read-only).
  int64_t schema_version_found() const;
  int64_t schema_version_now() const;

  // One round trip (SELECT 1), reconnecting first when the connection broke.
  // Unavailable when the server cannot be reached; FailedPrecondition when
  // reconnecting found another writer holding the lock; Aborted
  // (writer_fencing.h) when it found another writer's epoch.
  absl::Status ping() override;

 private:
  struct Impl;
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
