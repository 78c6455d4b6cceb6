// File: sqlite/sqlite_store.h
//
// The durable embedded Store: one SQLite database file, for a process that
// runs without a database server. Part of the separate library target
// account::sqlite, so the core library builds without libsqlite3. Schema,
// durability, the writer lock and the failure table: docs/sqlite-store.md.
//
//   auto store = account::SqliteStore::open("/var/lib/exchange/ledger.db", {});
//   if (!store.ok()) { /* store.status(): a clear reason, see open() */ }
//   auto service = account::AccountService::open({.store = std::move(*store)});
//
// What the store promises, as PostgresStore does for the same faults:
// - commit() OK means durable: the database is in WAL mode with
//   synchronous=FULL, so the WAL is fsynced before COMMIT returns. A commit
//   is one transaction (BEGIN IMMEDIATE ... COMMIT): all of a ChangeSet or
//   none of it, whatever happens to the process.
// - One writer per file: open() takes an exclusive, non-blocking flock() on
//   "<database>-lock" beside the file and records its pid, host and program
//   there; a second opener, in this process or another, fails at once with
//   FailedPrecondition naming the holder. The lock goes with the store, or
//   with its process however it ends.
// - Every page carries a checksum (the 8 reserved bytes at its end, in the
//   format of SQLite's cksumvfs), verified whenever the page is read from
//   the file; open() reads every page (PRAGMA quick_check) unless told not
//   to. A damaged file is refused with DataLoss, never loaded.
// - Units: times are INTEGER nanoseconds since the Unix epoch (exact, as
//   the ledger's); money INTEGER cents; quantities INTEGER basis points;
//   ids the ledger's unsigned 64-bit ids stored as their bit pattern.
//
// Errors, and what a caller does about each (AccountService maps Unavailable
// and Aborted to kStoreUnavailable, "retry later", and any other code to
// kStoreFailure, "retrying will not fix it"; fills are queued either way):
//   Unavailable         transient: another connection holds a lock on the
//                       file past `busy_timeout` (SQLITE_BUSY), the disk or
//                       the store's size limit is full (SQLITE_FULL), an
//                       I/O error. Nothing of the commit applied, or, after
//                       an I/O error in COMMIT's fsync, its outcome is
//                       unknown; retry after load().
//   Aborted             the ChangeSet's journal entry is not the one after
//                       the stored head (another writer committed since this
//                       one loaded). Nothing applied; reload and stage again.
//   AlreadyExists       a unique key (account id, Google id, execution id,
//                       entry key) is already stored. Nothing applied.
//   NotFound            a balance or Sleeper link for an account the file
//                       lacks. Nothing applied.
//   InvalidArgument     a reservation id 0. Nothing applied.
//   FailedPrecondition  the database file, its WAL or the lock file was
//                       deleted or replaced under the store (the writes
//                       would go to a file no restart sees); or commit() on
//                       a read-only store. Reopen the store.
//   DataLoss            a page fails its checksum or SQLite finds the file
//                       corrupt. Restore the file from a copy.
//   Internal            anything else: a CHECK constraint (named in the
//                       message), a statement SQLite refuses.
// The ledger treats every error of commit() as "unknown" and calls load()
// before its next commit, so a commit is never retried blind.
//
// Thread-safety: every method is thread-safe. The store has one connection
// and one internal mutex, so calls run one at a time: a trades() query waits
// for a commit in flight. A store must not be used in a child made by fork()
// (the child would share the writer lock; an exec'd child does not: the
// store's descriptors are close-on-exec).
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
#include "account/store.h"

namespace account {

// What open() reads to look for damage before it takes the file.
enum class SqliteIntegrityCheck : uint8_t {
  // PRAGMA quick_check: reads every page, so every page checksum is verified,
  // and checks the B-tree structure, records, NOT NULL and CHECK constraints.
  // Linear in the file's size (docs/sqlite-store.md gives the rate).
  kQuick = 1,
  // PRAGMA integrity_check: kQuick, plus every index against its table and
  // the UNIQUE constraints. Slower by the indexes' lookups.
  kFull = 2,
  // None at open. A damaged page is still refused (DataLoss) whenever a call
  // reads it, so load() never returns damaged rows; but pages load() does not
  // read (old trades and executions) are checked only when something does.
  // For files so large that reading them at every start is too slow.
  kNone = 3,
};

struct SqliteStoreOptions {
  // How long a statement waits for a lock that another connection holds on
  // the file (a reader's checkpoint, a tool's write transaction) before it
  // gives up with Unavailable. The writer lock makes this rare: only
  // programs that ignore it (the sqlite3 shell) can hold one.
  absl::Duration busy_timeout = absl::Seconds(2);
  SqliteIntegrityCheck integrity_check = SqliteIntegrityCheck::kQuick;
  // The largest the database may grow, in bytes, rounded down to whole
  // pages (PRAGMA max_page_count); 0: as large as the disk allows. A commit
  // that would pass it fails with Unavailable (SQLITE_FULL), as on a full
  // disk, and applies nothing. A quota for a file on a shared disk.
  int64_t database_bytes_max = 0;
  // For operators' tools that inspect a file a running ledger writes (show,
  // audit): no writer lock, no migration, commit() refused with
  // FailedPrecondition, and the file's schema must be exactly
  // kSchemaVersion. Reads see the last commit before each call began (WAL).
  bool read_only = false;
};

class SqliteStore final : public Store {
 public:
  // The schema version this library writes; open() migrates older files up
  // to it and refuses newer ones.
  static constexpr int kSchemaVersion = 4;

  // Opens (creating it when missing) the database file at `path`, a file
  // system path (not a URI; ":memory:" is refused). In order: takes the
  // writer lock, checks a WAL a crashed writer left, opens the file, checks
  // it (options.integrity_check), applies the migrations it lacks in one
  // transaction, and prepares the statements. Failures, each distinct and
  // naming the path:
  //   InvalidArgument     the path is empty, ":memory:", or a directory.
  //   NotFound            its directory does not exist (read-only: or the file).
  //   PermissionDenied    the file or its directory may not be read or
  //                       written by this process (a writer needs to write
  //                       both: SQLite keeps "-wal" and "-shm" beside the file).
  //   FailedPrecondition  another store holds the writer lock (named: pid,
  //                       host, program, since when); the file is an SQLite
  //                       database of another application; its schema is
  //                       newer than kSchemaVersion (read-only: is not
  //                       exactly kSchemaVersion); the file lacks this store's
  //                       page checksums.
  //   DataLoss            the file is not a database, or is damaged: a
  //                       header, page or checksum is wrong, or the WAL a
  //                       crashed writer left is damaged where SQLite's
  //                       recovery would drop committed transactions.
  //   Unavailable         the file is locked past busy_timeout by a program
  //                       that ignores the writer lock; an I/O error.
  //   Internal            a migration failed (nothing of it is applied).
  // Never throws. Nothing is written to a file it refuses.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> open(std::string_view path,
                                                           SqliteStoreOptions options);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Writes `changes` in one transaction (Store contract), one reused
  // prepared statement per table, final images in order (the last image of
  // a key wins, as in MemoryStore). Its journal entry (seq not 0) is checked
  // against the stored head within the transaction, before anything is
  // written: Aborted unless its seq is the head's + 1. Errors: as listed
  // above. A failed commit applies nothing.
  absl::Status commit(const ChangeSet& changes) override;

  // The committed state per `request`, read in one read transaction (one
  // WAL snapshot), ordered as MemoryStore orders it, with the journal's head
  // at that commit (seq 0 and the zero hash before the first entry; a file
  // migrated from schema version 1 starts its journal with its next commit).
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override;

  // The applied fill with this id, from the executions table's key.
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override;

  // Up to `limit` most recent trades of `account`, newest first.
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override;

  // Up to `limit` journal entries with seq > `after_seq`, oldest first, as
  // committed (bytes and hash as written, committed_at to the nanosecond),
  // read in one statement (one WAL snapshot). A read-only store reads them
  // beside a running writer. Errors: as load()'s.
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override;
  absl::StatusOr<std::optional<uint64_t>> journal_cursor(std::string_view name) override;
  absl::Status set_journal_cursor(std::string_view name, uint64_t seq) override;
  // Retention (store.h): the prune in one write transaction (schema version 4). Removing the
  // trades takes a pass over them (no index by execution); the file does not shrink until a
  // VACUUM (the pages are reused by later commits).
  absl::StatusOr<JournalPruneResult> prune_journal(const JournalPrune& prune) override;
  absl::StatusOr<std::optional<JournalCheckpoint>> journal_checkpoint() override;

  // History pages (history.h), each read in one read transaction (one WAL snapshot). A trade's
  // row is the trades table's rowid: insertion order, which is commit order, through the index
  // on (account, id). Entries are read by a scan of the entries table (few rows: credits and
  // issues), reservations by a range of their ids that stops at the page's end. Open a second
  // store with read_only for them beside a running writer: it has a connection of its own, so
  // a page never waits behind a commit, and sees only committed rows. Errors: as load()'s, and
  // InvalidArgument for a query history.h refuses.
  absl::StatusOr<TradePage> trade_page(const TradeQuery& query) override;
  absl::StatusOr<EntryPage> entry_page(const EntryQuery& query) override;
  absl::StatusOr<ReservationPage> reservation_page(const ReservationQuery& query) override;

  // OK when the files are still the ones opened and a read succeeds.
  absl::Status ping() override;

  // The schema version the file had when opened, before any migration, and
  // after. Equal when nothing was migrated (always, read-only).
  int64_t schema_version_found() const;
  int64_t schema_version_now() const;

  // The database file's absolute path, symbolic links resolved.
  const std::string& path() const;

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
