#include "account/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_join.h"
#include "base/mutex.h"
#include "base/strings.h"
#include "checksum_vfs.h"
#include "db.h"
#include "file_lock.h"
#include "rows.h"
#include "schema.h"
#include "statements.h"
#include "store/history_query.h"
#include "wal_check.h"

namespace account {
namespace {

using sqlite::Reset;
using sqlite::Stmt;

// A large transaction grows the WAL; once a checkpoint has copied it into the
// database file, SQLite truncates it back to this size rather than keeping it.
constexpr int64_t kWalBytesKept = int64_t{64} << 20;
// The page cache of the connection, in KiB (negative: SQLite's unit for
// KiB). A commit touches the B-trees' right edges and the accounts it
// changes; 16 MiB keeps them and the indexes' upper levels in memory.
constexpr int kPageCacheKib = 16 * 1024;

std::string errno_text(int error) { return std::strerror(error); }

// A file's identity: what the path named when the store opened it.
struct FileId {
  dev_t device = 0;
  ino_t inode = 0;
  friend bool operator==(const FileId&, const FileId&) = default;
};

// The path as an absolute one with symbolic links resolved, so that two
// openers naming one file by two paths lock the same lock file. The file
// itself need not exist yet; its directory must.
absl::StatusOr<std::string> canonical_path(std::string_view path) {
  if (path.empty()) return absl::InvalidArgumentError("the SQLite database path is empty");
  if (path == ":memory:" || path.substr(0, 5) == "file:") {
    return absl::InvalidArgumentError(internal::cat(
        "the SQLite database path \"", path,
        "\" is not a file system path; SqliteStore needs a file (MemoryStore is the "
        "in-memory store)"));
  }
  std::string text(path);
  struct stat st {};
  if (::stat(text.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        internal::cat("the SQLite database path ", text, " is a directory, not a file"));
  }
  const size_t slash = text.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : text.substr(0, std::max<size_t>(slash, 1));
  const std::string name = slash == std::string::npos ? text : text.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") {
    return absl::InvalidArgumentError(
        internal::cat("the SQLite database path ", text, " does not name a file"));
  }
  char resolved[PATH_MAX] = {};
  if (::realpath(dir.c_str(), resolved) == nullptr) {
    const int error = errno;
    const std::string text_error = internal::cat("the directory ", dir, " of the database ", text,
                                                 " cannot be used: ", errno_text(error));
    if (error == EACCES) return absl::PermissionDeniedError(text_error);
    return absl::NotFoundError(text_error);
  }
  std::string out = internal::cat(resolved, std::string_view(resolved) == "/" ? "" : "/", name);
  // A symbolic link to the database file: lock and open what it names.
  if (::lstat(out.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    if (::realpath(out.c_str(), resolved) != nullptr) out = resolved;
  }
  return out;
}

absl::StatusOr<FileId> file_id(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return absl::NotFoundError(errno_text(errno));
  return FileId{st.st_dev, st.st_ino};
}

// The directory of a canonical (absolute) path.
std::string directory_of(const std::string& path) {
  return path.substr(0, std::max<size_t>(path.rfind('/'), 1));
}

// Makes the directory entry of a new file durable.
void sync_directory_of(const std::string& path) {
  const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// The smallest whole nanosecond at or after newest - retention: the first
// fill time within the execution window, as MemoryStore compares it
// (time >= newest - retention). nullopt when no time is.
std::optional<int64_t> window_start_ns(int64_t newest_ns, absl::Duration retention) {
  const absl::Time start = sqlite::time_from_ns(newest_ns) - retention;
  if (start == absl::InfinitePast() || start <= absl::FromUnixNanos(INT64_MIN)) return INT64_MIN;
  if (start == absl::InfiniteFuture()) return std::nullopt;
  if (start > absl::FromUnixNanos(INT64_MAX)) return INT64_MAX;  // Only the infinite future.
  int64_t ns = absl::ToUnixNanos(start);
  if (absl::FromUnixNanos(ns) < start) ++ns;
  return ns;
}

// Sorts by the ledger's (unsigned) order: ids are stored as their bit
// pattern, so SQL's order differs for ids of 2^63 and above. Rows come in
// key order from their tables and indexes (the usual case) and are left as
// they are: a stable sort takes a buffer of half the rows (440 MB for ten
// million fills) and moves every row.
template <typename Row, typename Key>
void sort_by(std::vector<Row>& rows, Key key) {
  const auto less = [&](const Row& a, const Row& b) { return key(a) < key(b); };
  if (std::is_sorted(rows.begin(), rows.end(), less)) return;
  std::stable_sort(rows.begin(), rows.end(), less);
}

}  // namespace

struct SqliteStore::Impl {
  std::string path;
  SqliteStoreOptions options;
  // Declared before the connection, so released after it closes: a new
  // writer never opens the file while this connection still has it.
  sqlite::FileLock lock;
  internal::Mutex mu;
  sqlite::Db db ABSL_GUARDED_BY(mu);
  // Every statement, prepared once at open and reused for every call.
  Stmt begin_write ABSL_GUARDED_BY(mu);
  Stmt begin_read ABSL_GUARDED_BY(mu);
  Stmt commit ABSL_GUARDED_BY(mu);
  Stmt rollback ABSL_GUARDED_BY(mu);
  sqlite::RowsStatement insert_accounts ABSL_GUARDED_BY(mu);
  Stmt update_balance ABSL_GUARDED_BY(mu);
  Stmt update_link ABSL_GUARDED_BY(mu);
  sqlite::RowsStatement upsert_positions ABSL_GUARDED_BY(mu);
  sqlite::RowsStatement upsert_reservations ABSL_GUARDED_BY(mu);
  sqlite::RowsStatement insert_executions ABSL_GUARDED_BY(mu);
  sqlite::RowsStatement insert_trades ABSL_GUARDED_BY(mu);
  sqlite::RowsStatement insert_entries ABSL_GUARDED_BY(mu);
  Stmt insert_journal ABSL_GUARDED_BY(mu);
  Stmt journal_head ABSL_GUARDED_BY(mu);
  Stmt journal_stmt ABSL_GUARDED_BY(mu);
  Stmt journal_cursor_stmt ABSL_GUARDED_BY(mu);
  Stmt set_journal_cursor_stmt ABSL_GUARDED_BY(mu);
  Stmt journal_checkpoint_stmt ABSL_GUARDED_BY(mu);
  Stmt journal_entry_at ABSL_GUARDED_BY(mu);
  Stmt journal_cursor_behind ABSL_GUARDED_BY(mu);
  Stmt last_trade_of ABSL_GUARDED_BY(mu);
  Stmt delete_trades_through ABSL_GUARDED_BY(mu);
  Stmt delete_journal_through ABSL_GUARDED_BY(mu);
  Stmt delete_checkpoints ABSL_GUARDED_BY(mu);
  Stmt insert_checkpoint ABSL_GUARDED_BY(mu);
  Stmt find_execution_stmt ABSL_GUARDED_BY(mu);
  Stmt trades_stmt ABSL_GUARDED_BY(mu);
  Stmt trade_page_stmt ABSL_GUARDED_BY(mu);
  Stmt entry_page_stmt ABSL_GUARDED_BY(mu);
  Stmt reservation_page_stmt ABSL_GUARDED_BY(mu);
  Stmt load_accounts ABSL_GUARDED_BY(mu);
  Stmt load_positions ABSL_GUARDED_BY(mu);
  Stmt load_reservations ABSL_GUARDED_BY(mu);
  Stmt newest_fill_time ABSL_GUARDED_BY(mu);
  Stmt load_executions ABSL_GUARDED_BY(mu);
  Stmt load_entries ABSL_GUARDED_BY(mu);
  Stmt reservation_high_water ABSL_GUARDED_BY(mu);
  Stmt ping_stmt ABSL_GUARDED_BY(mu);
  FileId db_file;
  FileId wal_file;
  int64_t version_found = 0;
  int64_t version_now = 0;

  absl::Status open_database(bool created) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status configure() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status check_integrity() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status check_checksums() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status prepare_statements() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status remember_files() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // OK while the database file, its WAL and the lock file are the ones the
  // store opened: writes to a file deleted or replaced under it would go
  // where no restart finds them. Three stat() calls, before every call.
  absl::Status ready() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status same_file(const std::string& file, const FileId& id, std::string_view what) const;

  absl::StatusOr<JournalHead> read_journal_head() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status write_journal(const JournalRecord& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status write_changes(const ChangeSet& changes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::optional<JournalCheckpoint>> read_checkpoint()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // prune_journal()'s checks and writes, inside its write transaction.
  absl::StatusOr<JournalPruneResult> prune_in_transaction(const JournalPrune& prune)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status commit_changes(const ChangeSet& changes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status read_snapshot(const SnapshotRequest& request, LedgerSnapshot& out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status read_trades(const SnapshotRequest& request, LedgerSnapshot& out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<TradePage> trade_page(const TradeQuery& query) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<EntryPage> entry_page(const EntryQuery& query) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<ReservationPage> reservation_page(const ReservationQuery& query)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // The reservations of one stored id range, appended to `out` until it holds `rows_max`.
  absl::Status read_reservation_range(const ReservationQuery& query, internal::StoredIdRange range,
                                      size_t rows_max, std::vector<Reservation>& out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // `status` with the database's path in front, so that a message read in a
  // log names the file.
  absl::Status in_file(const absl::Status& status) const {
    if (status.ok()) return status;
    return absl::Status(status.code(), internal::cat("SQLite database ", path, ": ",
                                                     status.message()));
  }
  // One integer from a PRAGMA.
  absl::StatusOr<int64_t> pragma_int(const char* sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status pragma(const std::string& sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return sqlite::exec(db.get(), sql.c_str(), sql);
  }
};

absl::StatusOr<int64_t> SqliteStore::Impl::pragma_int(const char* sql) {
  Stmt stmt;
  if (absl::Status ok = stmt.prepare(db.get(), sql, sql); !ok.ok()) return ok;
  bool row = false;
  if (absl::Status ok = stmt.step(row); !ok.ok()) return ok;
  return row ? stmt.column_int(0) : 0;
}

absl::Status SqliteStore::Impl::open_database(bool created) {
  const int flags = SQLITE_OPEN_NOMUTEX | (options.read_only
                                               ? SQLITE_OPEN_READONLY
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, sqlite::checksum_vfs());
  db.reset(raw);  // Even a failed open returns a handle to close.
  if (rc != SQLITE_OK) return sqlite::status_of(raw, rc, "opening the file");
  sqlite3_extended_result_codes(db.get(), 1);
  // SQLite opens a file it may not write read-only, without a word.
  if (!options.read_only && sqlite3_db_readonly(db.get(), "main") == 1) {
    return absl::PermissionDeniedError(
        "the file is read-only for this process (no write permission, or a read-only file "
        "system); a writer needs to write it");
  }
  sqlite3_busy_timeout(db.get(),
                       static_cast<int>(std::clamp<int64_t>(
                           absl::ToInt64Milliseconds(options.busy_timeout), 0, INT_MAX)));
  // The first read of the file: a file that is not a database, or whose
  // header is damaged, fails here.
  absl::StatusOr<int64_t> pages = pragma_int("PRAGMA page_count");
  if (!pages.ok()) return pages.status();
  if (*pages == 0 && !options.read_only) {
    // A new file: reserve the 8 bytes of each page's checksum before the
    // first page is written (the reserve can only be set on an empty file).
    int reserve = sqlite::kChecksumBytes;
    const int set = sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
    if (set != SQLITE_OK) return sqlite::status_of(db.get(), set, "reserving checksum bytes");
  }
  if (created) sync_directory_of(path);
  return absl::OkStatus();
}

absl::Status SqliteStore::Impl::configure() {
  if (!options.read_only) {
    // WAL: a commit appends to the log and fsyncs it (synchronous=FULL), so
    // OK means durable; readers in other processes see the last commit and
    // never block the writer. The mode is stored in the file.
    Stmt mode;
    absl::Status ok = mode.prepare(db.get(), "PRAGMA journal_mode", "PRAGMA journal_mode = WAL");
    bool row = false;
    if (ok.ok()) ok = mode.step(row);
    if (!ok.ok()) return ok;
    if (!row || mode.column_blob(0) != "wal") {
      return absl::InternalError("the file could not be put in WAL mode");
    }
  }
  absl::Status ok = pragma("PRAGMA synchronous = FULL");
  if (ok.ok()) ok = pragma("PRAGMA foreign_keys = ON");
  if (ok.ok()) ok = pragma("PRAGMA mmap_size = 0");
  if (ok.ok()) ok = pragma(internal::cat("PRAGMA cache_size = -", kPageCacheKib));
  if (ok.ok() && !options.read_only) {
    ok = pragma(internal::cat("PRAGMA journal_size_limit = ", kWalBytesKept));
  }
  if (ok.ok() && options.database_bytes_max > 0) {
    absl::StatusOr<int64_t> page_bytes = pragma_int("PRAGMA page_size");
    if (!page_bytes.ok()) return page_bytes.status();
    const int64_t pages = std::max<int64_t>(1, options.database_bytes_max / *page_bytes);
    ok = pragma(internal::cat("PRAGMA max_page_count = ", pages));
  }
  return ok;
}

absl::Status SqliteStore::Impl::check_integrity() {
  if (options.integrity_check == SqliteIntegrityCheck::kNone) return absl::OkStatus();
  const bool full = options.integrity_check == SqliteIntegrityCheck::kFull;
  const char* sql = full ? "PRAGMA integrity_check(20)" : "PRAGMA quick_check(20)";
  Stmt check;
  absl::Status ok = check.prepare(db.get(), sql, sql);
  std::vector<std::string> problems;
  bool row = true;
  while (ok.ok() && row) {
    ok = check.step(row);
    if (ok.ok() && row) problems.push_back(check.column_blob(0));
  }
  if (!ok.ok()) return ok;
  if (problems.size() == 1 && problems[0] == "ok") return absl::OkStatus();
  return absl::DataLossError(internal::cat(
      "the file is damaged (", sql, " found: ", absl::StrJoin(problems, "; "),
      "); refusing to use it: restore it from a copy"));
}

// A file of ours carries the page checksums; one without them was written
// by something else, and the store would check nothing it reads.
absl::Status SqliteStore::Impl::check_checksums() {
  int reserve = -1;  // Negative: query only.
  const int rc = sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
  if (rc != SQLITE_OK) return sqlite::status_of(db.get(), rc, "reading the reserved bytes");
  if (reserve == sqlite::kChecksumBytes) return absl::OkStatus();
  return absl::FailedPreconditionError(internal::cat(
      "the file reserves ", reserve, " bytes per page where this store keeps an ",
      sqlite::kChecksumBytes,
      "-byte page checksum: it was not created by SqliteStore; refusing to use it"));
}

absl::Status SqliteStore::Impl::prepare_statements() {
  struct Entry {
    Stmt* stmt;
    sqlite::Statement statement;
  };
  const Entry entries[] = {
      {&begin_write, {"begin", "BEGIN IMMEDIATE"}},
      {&begin_read, {"begin_read", "BEGIN DEFERRED"}},
      {&commit, {"commit", "COMMIT"}},
      {&rollback, {"rollback", "ROLLBACK"}},
      {&update_balance, sqlite::kUpdateBalance},
      {&update_link, sqlite::kUpdateLink},
      {&find_execution_stmt, sqlite::kFindExecution},
      {&trades_stmt, sqlite::kTrades},
      {&trade_page_stmt, sqlite::kTradePage},
      {&entry_page_stmt, sqlite::kEntryPage},
      {&reservation_page_stmt, sqlite::kReservationPage},
      {&load_accounts, sqlite::kLoadAccounts},
      {&load_positions, sqlite::kLoadPositions},
      {&load_reservations, sqlite::kLoadReservations},
      {&newest_fill_time, sqlite::kNewestFillTime},
      {&load_executions, sqlite::kLoadExecutions},
      {&load_entries, sqlite::kLoadEntries},
      {&reservation_high_water, sqlite::kReservationHighWater},
      {&ping_stmt, sqlite::kPing},
      {&insert_journal, sqlite::kInsertJournal},
      {&journal_entry_at, sqlite::kJournalEntryAt},
      {&journal_cursor_behind, sqlite::kJournalCursorBehind},
      {&last_trade_of, sqlite::kLastTradeOf},
      {&delete_trades_through, sqlite::kDeleteTradesThrough},
      {&delete_journal_through, sqlite::kDeleteJournalThrough},
      {&delete_checkpoints, sqlite::kDeleteCheckpoints},
      {&insert_checkpoint, sqlite::kInsertCheckpoint},
      {&journal_head, sqlite::kJournalHead},
      {&journal_stmt, sqlite::kJournal},
      {&journal_cursor_stmt, sqlite::kJournalCursor},
      {&set_journal_cursor_stmt, sqlite::kSetJournalCursor},
      {&journal_checkpoint_stmt, sqlite::kJournalCheckpoint},
  };
  for (const Entry& e : entries) {
    if (absl::Status ok = e.stmt->prepare(db.get(), e.statement.name, e.statement.sql); !ok.ok()) {
      return ok;
    }
  }
  const std::pair<sqlite::RowsStatement*, sqlite::InsertStatement> inserts[] = {
      {&insert_accounts, sqlite::kInsertAccounts},
      {&upsert_positions, sqlite::kUpsertPositions},
      {&upsert_reservations, sqlite::kUpsertReservations},
      {&insert_executions, sqlite::kInsertExecutions},
      {&insert_trades, sqlite::kInsertTrades},
      {&insert_entries, sqlite::kInsertEntries},
  };
  for (const auto& [stmt, statement] : inserts) {
    if (absl::Status ok = stmt->prepare(db.get(), statement); !ok.ok()) return ok;
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::Impl::remember_files() {
  absl::StatusOr<FileId> id = file_id(path);
  if (!id.ok()) return absl::InternalError(internal::cat("the file vanished at open: ",
                                                         id.status().message()));
  db_file = *id;
  if (options.read_only) return absl::OkStatus();
  // A WAL-mode connection keeps "-wal" for as long as it is open.
  id = file_id(path + "-wal");
  if (!id.ok()) {
    return absl::InternalError(internal::cat("the WAL file ", path, "-wal is missing at open: ",
                                             id.status().message()));
  }
  wal_file = *id;
  return absl::OkStatus();
}

absl::Status SqliteStore::Impl::same_file(const std::string& file, const FileId& id,
                                          std::string_view what) const {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(internal::cat(
        what, " ", file, " was deleted while the store had it open (", errno_text(errno),
        "); what it wrote there is gone at the next start, so nothing more is written or read: "
        "restore the file, or reopen the store"));
  }
  if (FileId{st.st_dev, st.st_ino} != id) {
    return absl::FailedPreconditionError(internal::cat(
        what, " ", file, " was replaced by another file while the store had it open; nothing "
        "more is written or read: reopen the store"));
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::Impl::ready() {
  if (absl::Status ok = same_file(path, db_file, "the database file"); !ok.ok()) return ok;
  if (options.read_only) return absl::OkStatus();
  if (absl::Status ok = same_file(path + "-wal", wal_file, "the WAL file"); !ok.ok()) return ok;
  return lock.still_held();
}

absl::StatusOr<JournalHead> SqliteStore::Impl::read_journal_head() {
  Reset reset(journal_head);
  bool row = false;
  if (absl::Status ok = journal_head.step(row); !ok.ok()) return ok;
  if (!row) return JournalHead{};  // No entries: seq 0, the zero hash.
  return JournalHead{.seq = sqlite::id_from_db(journal_head.column_int(0)),
                     .hash = sqlite::chain_hash_from(journal_head.column_blob(1))};
}

// Inside the commit's write transaction, before any row: the entry must be the one after the
// stored head. BEGIN IMMEDIATE holds the write lock, so the head cannot move between this
// check and COMMIT; a refusal rolls the transaction back with nothing written.
absl::Status SqliteStore::Impl::write_journal(const JournalRecord& entry) {
  absl::StatusOr<JournalHead> head = read_journal_head();
  if (!head.ok()) return head.status();
  if (entry.seq != head->seq + 1) {
    const std::string_view why =
        entry.seq <= head->seq
            ? "another writer committed"
            : "the store holds fewer entries than the writer expected (a file restored from an "
              "older copy?)";
    return absl::AbortedError(internal::cat("journal entry ", entry.seq,
                                            " does not follow the stored head ", head->seq, ": ",
                                            why, "; reload before committing again"));
  }
  sqlite::bind_row(insert_journal, 0, entry);
  return insert_journal.run();
}

absl::Status SqliteStore::Impl::write_changes(const ChangeSet& c) {
  // An UPDATE of an account the file lacks changes no row: a failure, as in
  // MemoryStore, rather than a commit without it.
  const auto update = [this](Stmt& stmt, const auto& rows, std::string_view what)
                          ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (const auto& row : rows) {
      sqlite::bind_row(stmt, 0, row);
      if (absl::Status ok = stmt.run(); !ok.ok()) return ok;
      if (sqlite3_changes(db.get()) != 1) {
        return absl::NotFoundError(
            internal::cat(what, " for unknown account ", row.account.value()));
      }
    }
    return absl::OkStatus();
  };
  // Accounts first: the other tables refer to them.
  absl::Status ok = insert_accounts.write(absl::MakeConstSpan(c.new_accounts));
  if (ok.ok()) ok = update(update_balance, c.balances, "cash balance");
  if (ok.ok()) ok = update(update_link, c.links, "Sleeper link");
  if (ok.ok()) ok = upsert_positions.write(absl::MakeConstSpan(c.positions));
  if (ok.ok()) ok = upsert_reservations.write(absl::MakeConstSpan(c.reservations));
  if (ok.ok()) ok = insert_executions.write(absl::MakeConstSpan(c.executions));
  if (ok.ok()) ok = insert_trades.write(absl::MakeConstSpan(c.trades));
  if (ok.ok()) ok = insert_entries.write(absl::MakeConstSpan(c.entries));
  return ok;
}

absl::Status SqliteStore::Impl::commit_changes(const ChangeSet& c) {
  if (c.empty()) return absl::OkStatus();
  for (const Reservation& r : c.reservations) {
    if (!r.id.valid()) return absl::InvalidArgumentError("reservation id 0");
  }
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  // IMMEDIATE: the write lock is taken (or waited for, busy_timeout) before
  // anything is written, so a busy file refuses the commit whole.
  absl::Status ok = begin_write.run();
  if (ok.ok() && c.journal.seq != 0) ok = write_journal(c.journal);
  if (ok.ok()) ok = write_changes(c);
  if (ok.ok()) ok = commit.run();
  // SQLite rolls some failures back by itself (a full disk, an I/O error);
  // the rest are rolled back here. Either way nothing of it stays.
  if (!ok.ok() && sqlite3_get_autocommit(db.get()) == 0) rollback.run().IgnoreError();
  return ok;
}

absl::Status SqliteStore::Impl::read_trades(const SnapshotRequest& request, LedgerSnapshot& out) {
  if (request.trades_per_account_max == 0) return absl::OkStatus();
  const int64_t limit =
      request.trades_per_account_max >= static_cast<size_t>(INT64_MAX)
          ? -1
          : static_cast<int64_t>(request.trades_per_account_max);
  std::vector<Trade> newest_first;
  for (const Account& a : out.accounts) {
    newest_first.clear();
    trades_stmt.bind_int(1, sqlite::id_to_db(a.id.value()));
    trades_stmt.bind_int(2, limit);
    if (absl::Status ok = sqlite::read_all(trades_stmt, sqlite::read_trade, newest_first);
        !ok.ok()) {
      return ok;
    }
    out.trades.insert(out.trades.end(), newest_first.rbegin(), newest_first.rend());
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::Impl::read_snapshot(const SnapshotRequest& request,
                                              LedgerSnapshot& out) {
  absl::Status ok = sqlite::read_all(load_accounts, sqlite::read_account, out.accounts);
  // In the ledger's order, which the trades follow.
  sort_by(out.accounts, [](const Account& a) { return a.id; });
  if (ok.ok()) ok = sqlite::read_all(load_positions, sqlite::read_position, out.positions);
  if (ok.ok()) {
    load_reservations.bind_int(1, sqlite::time_to_ns(request.reservations_finished_since));
    ok = sqlite::read_all(load_reservations, sqlite::read_reservation, out.reservations);
  }
  if (ok.ok()) {
    bool row = false;
    Reset reset(newest_fill_time);
    ok = newest_fill_time.step(row);
    if (ok.ok() && row && !newest_fill_time.column_null(0)) {
      const std::optional<int64_t> start =
          window_start_ns(newest_fill_time.column_int(0), request.execution_retention);
      newest_fill_time.reset();
      if (start.has_value()) {
        load_executions.bind_int(1, *start);
        ok = sqlite::read_all(load_executions, sqlite::read_fill, out.executions);
      }
    }
  }
  if (ok.ok()) ok = read_trades(request, out);
  if (ok.ok()) ok = sqlite::read_all(load_entries, sqlite::read_entry, out.entries);
  if (ok.ok()) {
    bool row = false;
    Reset reset(reservation_high_water);
    ok = reservation_high_water.step(row);
    if (ok.ok() && row) {
      out.reservation_id_high_water = sqlite::id_from_db(reservation_high_water.column_int(0));
    }
  }
  if (ok.ok()) {
    absl::StatusOr<JournalHead> head = read_journal_head();
    if (head.ok()) out.journal_head = *head;
    ok = head.status();
  }
  return ok;
}

absl::StatusOr<LedgerSnapshot> SqliteStore::Impl::load(const SnapshotRequest& request) {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  // One read transaction: every query sees the same commit.
  absl::Status ok = begin_read.run();
  LedgerSnapshot out;
  if (ok.ok()) ok = read_snapshot(request, out);
  if (ok.ok()) ok = commit.run();
  if (!ok.ok()) {
    if (sqlite3_get_autocommit(db.get()) == 0) rollback.run().IgnoreError();
    return ok;
  }
  sort_by(out.positions, [](const Position& p) { return std::pair(p.account, p.symbol); });
  sort_by(out.reservations, [](const Reservation& r) { return r.id; });
  sort_by(out.executions, [](const Fill& f) { return f.execution; });
  sort_by(out.entries, [](const ExternalEntry& e) { return e.key; });
  return out;
}

absl::StatusOr<std::optional<Fill>> SqliteStore::Impl::find_execution(ExecutionId execution) {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  find_execution_stmt.bind_int(1, sqlite::id_to_db(execution.value()));
  std::vector<Fill> fills;
  if (absl::Status ok = sqlite::read_all(find_execution_stmt, sqlite::read_fill, fills);
      !ok.ok()) {
    return ok;
  }
  if (fills.empty()) return std::optional<Fill>();
  return std::optional<Fill>(fills.front());
}

absl::StatusOr<std::vector<Trade>> SqliteStore::Impl::trades(AccountId account, size_t limit) {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  std::vector<Trade> out;
  if (limit == 0) return out;
  trades_stmt.bind_int(1, sqlite::id_to_db(account.value()));
  trades_stmt.bind_int(2, limit >= static_cast<size_t>(INT64_MAX) ? -1
                                                                   : static_cast<int64_t>(limit));
  if (absl::Status ok = sqlite::read_all(trades_stmt, sqlite::read_trade, out); !ok.ok()) {
    return ok;
  }
  return out;
}

absl::StatusOr<std::vector<JournalRecord>> SqliteStore::Impl::journal(uint64_t after_seq,
                                                                       size_t limit) {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  std::vector<JournalRecord> out;
  // Stored seqs are 1..INT64_MAX (journal_seq_positive), so nothing follows a larger one; bound
  // as a bit pattern it would read as negative and match every entry.
  if (limit == 0 || after_seq >= static_cast<uint64_t>(INT64_MAX)) return out;
  journal_stmt.bind_int(1, sqlite::id_to_db(after_seq));
  journal_stmt.bind_int(2, limit >= static_cast<size_t>(INT64_MAX) ? -1
                                                                   : static_cast<int64_t>(limit));
  if (absl::Status ok = sqlite::read_all(journal_stmt, sqlite::read_journal_record, out);
      !ok.ok()) {
    return ok;
  }
  return out;
}

// One statement, so one WAL snapshot: a page never mixes two commits.
absl::StatusOr<TradePage> SqliteStore::Impl::trade_page(const TradeQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  TradePage page{.last_row = query.after_row};
  // Rowids are 1..INT64_MAX, so nothing follows a larger row; bound as a bit pattern it would
  // read as negative and match every row.
  if (query.after_row >= static_cast<uint64_t>(INT64_MAX)) return page;
  Stmt& stmt = trade_page_stmt;
  Reset reset(stmt);
  stmt.bind_int(1, sqlite::id_to_db(query.account.value()));
  stmt.bind_int(2, static_cast<int64_t>(query.after_row));
  if (query.symbol) {
    stmt.bind_int(3, sqlite::id_to_db(query.symbol->value()));
  } else {
    stmt.bind_null(3);
  }
  stmt.bind_int(4, internal::stored_ns_at_or_after(query.from));
  stmt.bind_int(5, internal::stored_ns_at_or_after(query.to));
  stmt.bind_int(6, static_cast<int64_t>(query.limit) + 1);
  while (true) {
    bool row = false;
    if (absl::Status ok = stmt.step(row); !ok.ok()) return ok;
    if (!row) return page;
    if (page.trades.size() == query.limit) {
      page.more = true;
      return page;
    }
    page.trades.push_back(sqlite::read_trade(stmt));
    page.last_row = static_cast<uint64_t>(stmt.column_int(11));
  }
}

absl::StatusOr<EntryPage> SqliteStore::Impl::entry_page(const EntryQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  Stmt& stmt = entry_page_stmt;
  stmt.bind_int(1, sqlite::id_to_db(query.account.value()));
  if (query.kind) {
    stmt.bind_int(2, static_cast<int64_t>(*query.kind));
  } else {
    stmt.bind_null(2);
  }
  stmt.bind_int(3, internal::stored_ns_at_or_after(query.from));
  stmt.bind_int(4, internal::stored_ns_at_or_after(query.to));
  // The first page starts after (the infinite past, the empty key): before every row, since
  // keys are 1 to 128 bytes.
  stmt.bind_int(5, query.after ? sqlite::time_to_ns(query.after->time)
                               : std::numeric_limits<int64_t>::min());
  stmt.bind_blob(6, query.after ? std::string_view(query.after->key) : std::string_view());
  stmt.bind_int(7, static_cast<int64_t>(query.limit) + 1);
  EntryPage page;
  if (absl::Status ok = sqlite::read_all(stmt, sqlite::read_entry, page.entries); !ok.ok()) {
    return ok;
  }
  page.more = page.entries.size() > query.limit;
  if (page.more) page.entries.pop_back();
  return page;
}

absl::Status SqliteStore::Impl::read_reservation_range(const ReservationQuery& query,
                                                       internal::StoredIdRange range,
                                                       size_t rows_max,
                                                       std::vector<Reservation>& out) {
  if (range.first > range.last || out.size() >= rows_max) return absl::OkStatus();
  Stmt& stmt = reservation_page_stmt;
  stmt.bind_int(1, sqlite::id_to_db(query.account.value()));
  if (query.status) {
    stmt.bind_int(2, static_cast<int64_t>(*query.status));
  } else {
    stmt.bind_null(2);
  }
  stmt.bind_int(3, range.first);
  stmt.bind_int(4, range.last);
  stmt.bind_int(5, static_cast<int64_t>(rows_max - out.size()));
  return sqlite::read_all(stmt, sqlite::read_reservation, out);
}

absl::StatusOr<ReservationPage> SqliteStore::Impl::reservation_page(
    const ReservationQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  ReservationPage page;
  const size_t rows_max = query.limit + 1;
  // Two ranges, one read transaction: both see the same commit.
  absl::Status ok = begin_read.run();
  for (const internal::StoredIdRange& range : internal::stored_ids_after(query.after_id.value())) {
    if (ok.ok()) ok = read_reservation_range(query, range, rows_max, page.reservations);
  }
  if (ok.ok()) ok = commit.run();
  if (!ok.ok()) {
    if (sqlite3_get_autocommit(db.get()) == 0) rollback.run().IgnoreError();
    return ok;
  }
  page.more = page.reservations.size() > query.limit;
  if (page.more) page.reservations.pop_back();
  return page;
}

// --- SqliteStore -----------------------------------------------------------------

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::open(std::string_view path,
                                                               SqliteStoreOptions options) {
  absl::StatusOr<std::string> canonical = canonical_path(path);
  if (!canonical.ok()) return canonical.status();
  auto impl = std::make_unique<Impl>();
  impl->path = *std::move(canonical);
  impl->options = options;
  Impl& s = *impl;
  struct stat st {};
  const bool existed = ::stat(s.path.c_str(), &st) == 0;
  if (s.options.read_only && !existed) {
    return absl::NotFoundError(internal::cat("SQLite database ", s.path,
                                             " does not exist (opened read-only)"));
  }
  if (!s.options.read_only) {
    // SQLite would find out only at the first read, and say less.
    const std::string dir = directory_of(s.path);
    if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
      return absl::PermissionDeniedError(internal::cat(
          "the directory ", dir, " of SQLite database ", s.path, " is not writable by this "
          "process (", errno_text(errno), "); a writer creates its lock file, \"-wal\" and "
          "\"-shm\" files there"));
    }
    absl::StatusOr<sqlite::FileLock> lock = sqlite::FileLock::take(s.path + "-lock", s.path);
    if (!lock.ok()) return lock.status();
    s.lock = *std::move(lock);
  }
  internal::MutexLock hold(&s.mu);
  // Before SQLite's recovery reads a WAL a crashed writer left, and may
  // drop committed transactions behind a damaged frame without a word.
  absl::Status ok = sqlite::check_wal(s.path + "-wal");
  if (ok.ok()) ok = s.open_database(!existed);
  // Everything that may refuse the file reads only; configure() writes
  // (WAL mode is a change to the file's header).
  if (ok.ok()) ok = s.check_integrity();
  absl::StatusOr<int64_t> found = ok.ok() ? sqlite::schema_version(s.db.get()) : ok;
  if (!found.ok()) return s.in_file(found.status());
  s.version_found = s.version_now = *found;
  ok = s.check_checksums();
  if (ok.ok() && s.options.read_only && *found != kSchemaVersion) {
    ok = absl::FailedPreconditionError(internal::cat(
        "the file's schema is version ", *found, "; this library reads version ", kSchemaVersion,
        *found < kSchemaVersion ? " (open it once for writing to migrate it)" : " (upgrade)"));
  }
  if (ok.ok()) ok = s.configure();
  if (ok.ok() && !s.options.read_only) {
    ok = sqlite::migrate(s.db.get(), kSchemaVersion);
    if (ok.ok()) s.version_now = kSchemaVersion;
  }
  if (ok.ok()) ok = s.prepare_statements();
  if (ok.ok()) ok = s.remember_files();
  if (!ok.ok()) return s.in_file(ok);
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

absl::Status SqliteStore::commit(const ChangeSet& changes) {
  if (impl_->options.read_only) {
    return absl::FailedPreconditionError("the store was opened read-only; nothing is written");
  }
  internal::MutexLock lock(&impl_->mu);
  return impl_->in_file(impl_->commit_changes(changes));
}

absl::StatusOr<LedgerSnapshot> SqliteStore::load(const SnapshotRequest& request) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<LedgerSnapshot> out = impl_->load(request);
  if (!out.ok()) return impl_->in_file(out.status());
  return out;
}

absl::StatusOr<std::optional<Fill>> SqliteStore::find_execution(ExecutionId execution) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<std::optional<Fill>> out = impl_->find_execution(execution);
  if (!out.ok()) return impl_->in_file(out.status());
  return out;
}

absl::StatusOr<std::vector<Trade>> SqliteStore::trades(AccountId account, size_t limit) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<std::vector<Trade>> out = impl_->trades(account, limit);
  if (!out.ok()) return impl_->in_file(out.status());
  return out;
}

absl::StatusOr<std::vector<JournalRecord>> SqliteStore::journal(uint64_t after_seq,
                                                                 size_t limit) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<std::vector<JournalRecord>> out = impl_->journal(after_seq, limit);
  if (!out.ok()) return impl_->in_file(out.status());
  return out;
}

absl::StatusOr<TradePage> SqliteStore::trade_page(const TradeQuery& query) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<TradePage> out = impl_->trade_page(query);
  if (!out.ok()) return impl_->in_file(out.status());
  return out;
}

absl::StatusOr<EntryPage> SqliteStore::entry_page(const EntryQuery& query) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<EntryPage> out = impl_->entry_page(query);
  if (!out.ok()) return impl_->in_file(out.status());
  return out;
}

absl::StatusOr<ReservationPage> SqliteStore::reservation_page(const ReservationQuery& query) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<ReservationPage> out = impl_->reservation_page(query);
  if (!out.ok()) return impl_->in_file(out.status());
  return out;
}

absl::StatusOr<std::optional<uint64_t>> SqliteStore::journal_cursor(std::string_view name) {
  internal::MutexLock lock(&impl_->mu);
  if (absl::Status ok = impl_->ready(); !ok.ok()) return impl_->in_file(ok);
  Stmt& stmt = impl_->journal_cursor_stmt;
  Reset reset(stmt);
  stmt.bind_text(1, name);
  bool row = false;
  if (absl::Status ok = stmt.step(row); !ok.ok()) return impl_->in_file(ok);
  if (!row) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(stmt.column_int(0)));
}

absl::Status SqliteStore::set_journal_cursor(std::string_view name, uint64_t seq) {
  internal::MutexLock lock(&impl_->mu);
  if (absl::Status ok = impl_->ready(); !ok.ok()) return impl_->in_file(ok);
  if (seq > static_cast<uint64_t>(INT64_MAX)) {
    return absl::InvalidArgumentError(internal::cat("journal cursor ", seq, " past INT64_MAX"));
  }
  Stmt& stmt = impl_->set_journal_cursor_stmt;
  Reset reset(stmt);
  stmt.bind_text(1, name);
  stmt.bind_int(2, static_cast<int64_t>(seq));
  return impl_->in_file(stmt.run());
}

absl::StatusOr<std::optional<JournalCheckpoint>> SqliteStore::Impl::read_checkpoint() {
  Reset reset(journal_checkpoint_stmt);
  bool row = false;
  if (absl::Status ok = journal_checkpoint_stmt.step(row); !ok.ok()) return ok;
  if (!row) return std::optional<JournalCheckpoint>();
  return std::optional<JournalCheckpoint>(sqlite::read_journal_checkpoint(journal_checkpoint_stmt));
}

absl::StatusOr<JournalPruneResult> SqliteStore::Impl::prune_in_transaction(
    const JournalPrune& prune) {
  const JournalCheckpoint& c = prune.checkpoint;
  absl::StatusOr<std::optional<JournalCheckpoint>> stored = read_checkpoint();
  if (!stored.ok()) return stored.status();
  JournalPruneResult result{.checkpoint_seq = *stored ? (*stored)->seq : 0};
  if (*stored && c.seq < (*stored)->seq) return result;  // Older than the stored one.
  if (*stored && c.seq == (*stored)->seq) {
    if (c == **stored) return result;  // A retry of the prune that stored it.
    return absl::InvalidArgumentError(internal::cat(
        "a journal checkpoint at seq ", c.seq, " is stored already, with other bytes"));
  }
  absl::StatusOr<JournalHead> head = read_journal_head();
  if (!head.ok()) return head.status();
  if (c.seq == 0 || c.seq >= head->seq || c.seq > static_cast<uint64_t>(INT64_MAX)) {
    return absl::InvalidArgumentError(internal::cat("a journal checkpoint at seq ", c.seq,
                                                    ": it must be below the head, seq ",
                                                    head->seq, ", which a prune keeps"));
  }
  {
    Reset reset(journal_entry_at);
    journal_entry_at.bind_int(1, static_cast<int64_t>(c.seq));
    bool row = false;
    if (absl::Status ok = journal_entry_at.step(row); !ok.ok()) return ok;
    const bool same_hash = row && sqlite::chain_hash_from(journal_entry_at.column_blob(0)) == c.hash;
    if (!row || !same_hash || journal_entry_at.column_int(1) != sqlite::time_to_ns(c.committed_at)) {
      return absl::InvalidArgumentError(internal::cat(
          "the stored journal entry ", c.seq,
          !row ? " is not stored" : (!same_hash ? " has another hash" : " has another commit time"),
          ": the checkpoint is of another journal"));
    }
  }
  if (!prune.past_cursors) {
    Reset reset(journal_cursor_behind);
    journal_cursor_behind.bind_int(1, static_cast<int64_t>(c.seq));
    bool row = false;
    if (absl::Status ok = journal_cursor_behind.step(row); !ok.ok()) return ok;
    if (row) {
      return absl::FailedPreconditionError(internal::cat(
          "the journal cursor \"", journal_cursor_behind.column_blob(0), "\" is at seq ",
          journal_cursor_behind.column_int(1), "; its consumer has not read the entries to seq ",
          c.seq, " a prune would remove"));
    }
  }
  if (prune.last_removed_execution.valid()) {
    int64_t last_row = 0;
    {
      Reset reset(last_trade_of);
      last_trade_of.bind_int(1, sqlite::id_to_db(prune.last_removed_execution.value()));
      bool row = false;
      if (absl::Status ok = last_trade_of.step(row); !ok.ok()) return ok;
      if (!row) {
        return absl::DataLossError(internal::cat("no trade of execution ",
                                                 prune.last_removed_execution.value(),
                                                 ", the last fill pruned, is stored"));
      }
      last_row = last_trade_of.column_int(0);
    }
    Reset reset(delete_trades_through);
    delete_trades_through.bind_int(1, last_row);
    if (absl::Status ok = delete_trades_through.run(); !ok.ok()) return ok;
    result.trades_removed = static_cast<uint64_t>(sqlite3_changes64(db.get()));
  }
  {
    Reset reset(delete_journal_through);
    delete_journal_through.bind_int(1, static_cast<int64_t>(c.seq));
    if (absl::Status ok = delete_journal_through.run(); !ok.ok()) return ok;
    result.entries_removed = static_cast<uint64_t>(sqlite3_changes64(db.get()));
  }
  if (absl::Status ok = delete_checkpoints.run(); !ok.ok()) return ok;
  Reset reset(insert_checkpoint);
  sqlite::bind_row(insert_checkpoint, 0, c);
  if (absl::Status ok = insert_checkpoint.run(); !ok.ok()) return ok;
  result.checkpoint_seq = c.seq;
  return result;
}

absl::StatusOr<JournalPruneResult> SqliteStore::prune_journal(const JournalPrune& prune) {
  internal::MutexLock lock(&impl_->mu);
  if (impl_->options.read_only) {
    return absl::FailedPreconditionError("a read-only store prunes nothing");
  }
  if (absl::Status ok = impl_->ready(); !ok.ok()) return impl_->in_file(ok);
  absl::Status ok = impl_->begin_write.run();
  absl::StatusOr<JournalPruneResult> result =
      ok.ok() ? impl_->prune_in_transaction(prune) : absl::StatusOr<JournalPruneResult>(ok);
  if (result.ok()) ok = impl_->commit.run();
  if (!result.ok() || !ok.ok()) {
    if (sqlite3_get_autocommit(impl_->db.get()) == 0) impl_->rollback.run().IgnoreError();
    return impl_->in_file(result.ok() ? ok : result.status());
  }
  return result;
}

absl::StatusOr<std::optional<JournalCheckpoint>> SqliteStore::journal_checkpoint() {
  internal::MutexLock lock(&impl_->mu);
  if (absl::Status ok = impl_->ready(); !ok.ok()) return impl_->in_file(ok);
  absl::StatusOr<std::optional<JournalCheckpoint>> out = impl_->read_checkpoint();
  if (!out.ok()) return impl_->in_file(out.status());
  return out;
}

absl::Status SqliteStore::ping() {
  internal::MutexLock lock(&impl_->mu);
  absl::Status ok = impl_->ready();
  if (ok.ok()) ok = impl_->ping_stmt.run();
  return impl_->in_file(ok);
}

int64_t SqliteStore::schema_version_found() const {
  internal::MutexLock lock(&impl_->mu);
  return impl_->version_found;
}

int64_t SqliteStore::schema_version_now() const {
  internal::MutexLock lock(&impl_->mu);
  return impl_->version_now;
}

const std::string& SqliteStore::path() const { return impl_->path; }

}  // namespace account
