// File: postgres_store.h
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
// When the connection is lost, the call that finds out returns
// Unavailable; the next call reconnects (re-taking the writer lock and
// re-preparing the statements) before it does its work.
//
// Thread-safety: every method is thread-safe. The store has one connection
// and one internal mutex, so calls run one at a time: a trades() query waits
// for a commit in flight.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/store.h"

namespace account {

struct PostgresStoreOptions {
  // How long to wait for the server when connecting (libpq's
  // connect_timeout, whole seconds, at least 2). A connect_timeout in the
  // URL wins.
  absl::Duration connect_timeout = absl::Seconds(10);
  // Shown in pg_stat_activity. An application_name in the URL wins.
  std::string application_name = "account";
};

class PostgresStore final : public Store {
 public:
  // The schema version this library writes; open() migrates older
  // databases up to it and refuses newer ones.
  static constexpr int kSchemaVersion = 3;

  // Connects to `database_url` (a libpq connection string,
  // "host=... dbname=...", or URI, "postgresql://user:pw@host:port/db"),
  // takes the writer lock and migrates the schema. Failures, each distinct:
  //   InvalidArgument     the URL does not parse.
  //   Unauthenticated     the server refused the user or password.
  //   NotFound            the database does not exist.
  //   Unavailable         the server cannot be reached (or is starting up).
  //   FailedPrecondition  another writer holds the database's writer lock,
  //                       or the database's schema is newer than kSchemaVersion.
  //   Internal            a migration failed (nothing of it is applied).
  // Never throws; the URL (and its password) never appears in a message.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> open(std::string_view database_url,
                                                             PostgresStoreOptions options);

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // Writes `changes` in one transaction (Store contract). Errors:
  // Unavailable (connection trouble: the outcome is unknown; the next call
  // reconnects), AlreadyExists (a unique key is taken: SQLSTATE 23505),
  // NotFound (a cash balance for an account the database does not hold),
  // FailedPrecondition (reconnecting found another writer), Internal
  // (anything else, with the server's message). A failed commit applies
  // nothing.
  absl::Status commit(const ChangeSet& changes) override;

  // The committed state per `request`, read in one repeatable-read
  // transaction, ordered as MemoryStore orders it. Errors as commit().
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override;

  // The applied fill with this id, from the executions table's primary key.
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override;

  // Up to `limit` most recent trades of `account`, newest first.
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override;

 private:
  struct Impl;
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
