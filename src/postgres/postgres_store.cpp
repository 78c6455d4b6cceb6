#include "account/postgres/postgres_store.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "base/strings.h"
#include "base/mutex.h"
#include "pg.h"
#include "rows.h"
#include "schema.h"
#include "statements.h"
#include "store/history_query.h"

namespace account {
namespace {

// The session-level advisory lock that makes one writer per database
// ("ACCOUNT1" in ASCII). pg_locks shows it as locktype advisory, classid
// 0x4143434F and objid 0x554E5431 (its high and low halves), objsubid 1.
constexpr int64_t kWriterLockKey = 0x4143434F554E5431;

// Rows a FETCH of load() brings: ~3 MB of libpq's memory for the widest
// rows (trades, 11 columns). Small enough that the next batch fits the
// socket's buffers while this one is converted (50,000 rows a FETCH loaded
// ten million fills in 32.5 s, 10,000 in 28.3 s).
constexpr int kLoadRowsPerFetch = 10'000;

// Sorts by an unsigned key: ids are stored as their bit pattern, so the
// database's order differs from the ledger's for ids of 2^63 and above.
// Rows that come sorted (the usual case) are left as they are: a stable
// sort takes a buffer of half the rows (440 MB for ten million fills) and
// moves every row.
template <typename Row, typename Key>
void sort_by(std::vector<Row>& rows, Key key) {
  const auto less = [&](const Row& a, const Row& b) { return key(a) < key(b); };
  if (std::is_sorted(rows.begin(), rows.end(), less)) return;
  std::stable_sort(rows.begin(), rows.end(), less);
}

}  // namespace

struct PostgresStore::Impl {
  std::string url;
  PostgresStoreOptions options;
  internal::Mutex mu;
  pg::Conn conn ABSL_GUARDED_BY(mu);
  int64_t version_found ABSL_GUARDED_BY(mu) = 0;
  int64_t version_now ABSL_GUARDED_BY(mu) = 0;

  // Connects, takes the writer lock, migrates and prepares: a usable session.
  absl::Status connect_session() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status take_writer_lock() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // A commit is acknowledged only once durable: turns synchronous_commit
  // back on for this session where the server, database, role or URL turned
  // it off (a stronger setting, such as remote_apply, is left as it is).
  absl::Status require_durable_commits() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Read-only sessions: READ ONLY transactions, and the schema this library
  // reads, unmigrated.
  absl::Status enter_read_only() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Reconnects when there is no connection, or the server has hung up on
  // the one we have (it restarted): found before anything is sent on it.
  absl::Status ready() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Drops the connection when `status` says it broke or it was left
  // mid-transaction, so the next call reconnects. Returns `status`.
  absl::Status settle(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // True when `status` is the failure of a call whose connection died under
  // it (settle() saw it broken): a read may then run once more, on a new
  // connection. Never for a commit, which may have reached the server.
  bool died_under(const absl::Status& status) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return status.code() == absl::StatusCode::kUnavailable && died;
  }

  absl::Status commit(const ChangeSet& changes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // The load's queries, inside its transaction.
  absl::Status read_tables(const SnapshotRequest& request, LedgerSnapshot& out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::optional<uint64_t>> journal_cursor(std::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status set_journal_cursor(std::string_view name, uint64_t seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<JournalPruneResult> prune_journal(const JournalPrune& prune)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<std::optional<JournalCheckpoint>> journal_checkpoint()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status ping() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<TradePage> trade_page(const TradeQuery& query) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<EntryPage> entry_page(const EntryQuery& query) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::StatusOr<ReservationPage> reservation_page(const ReservationQuery& query)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Set by settle() when it dropped a broken connection; cleared by ready().
  bool died ABSL_GUARDED_BY(mu) = false;
  Counter* connects = nullptr;          // Set by open(); counts under mu.
  Counter* connect_failures = nullptr;
  // Whether a session was ever established (by open()).
  bool connected_once ABSL_GUARDED_BY(mu) = false;
  // Set when a session replaces a lost one; cleared by a load() that succeeds. The writer
  // lock went with the lost session, so another writer may have changed the database in
  // between, and a commit from memory loaded before then would overwrite its rows: commit()
  // refuses while this is set (store.h, kAborted).
  bool session_replaced ABSL_GUARDED_BY(mu) = false;
  // The writer epoch this store took when it opened (schema version 8, docs/ha.md): every commit
  // checks it is still the database's. Kept across reconnects: losing the session is not losing
  // the database; another writer opening it is. 0 for a read-only store.
  int64_t writer_epoch ABSL_GUARDED_BY(mu) = 0;

  absl::Status take_writer_epoch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // writer_fenced_error() when the database's epoch is no longer writer_epoch (one statement,
  // account_writer_check()).
  absl::Status check_writer_epoch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Runs `steps` in one transaction (one pipeline) whose first statement checks the writer
  // epoch: a fenced writer's transaction is refused (writer_fencing.h) before any row is
  // written or locked. A read-only store runs no check; its READ ONLY transaction refuses any
  // write. The results are those of `steps`, in order.
  absl::StatusOr<std::vector<pg::Result>> run_as_writer(absl::Span<const pg::Step> steps)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

absl::Status PostgresStore::Impl::connect_session() {
  conn.reset();
  if (connects == nullptr) {  // The first attempt, from open().
    if (!options.metrics) options.metrics = std::make_shared<MetricsRegistry>();
    connects = options.metrics->counter("database_connects_total",
                                        "PostgreSQL sessions the store established.");
    connect_failures = options.metrics->counter(
        "database_connection_errors_total",
        "PostgreSQL connection attempts that failed (refused, unreachable, rejected).");
  }
  const std::string timeout =
      std::to_string(std::max<int64_t>(2, absl::ToInt64Seconds(options.connect_timeout)));
  // Defaults come before dbname, so that the URL's own settings win.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), options.application_name.c_str(), url.c_str(), nullptr};
  absl::StatusOr<pg::Conn> connected = pg::connect(keywords, values);
  if (!connected.ok()) {
    if (connect_failures != nullptr) connect_failures->add();
    return connected.status();
  }
  if (connects != nullptr) connects->add();
  conn = std::move(*connected);
  absl::StatusOr<int64_t> found = pg::schema_version(conn.get());
  absl::Status ok = found.status();
  if (ok.ok()) version_found = version_now = *found;
  if (ok.ok() && options.read_only) {
    ok = enter_read_only();
  } else if (ok.ok()) {
    // A writer that reconnects checks its epoch first: once another writer opened the
    // database (and may hold its lock now), this one is fenced, not merely kept out.
    if (connected_once && version_found >= 8) ok = check_writer_epoch();
    if (ok.ok()) ok = take_writer_lock();
    if (ok.ok()) ok = require_durable_commits();
    if (ok.ok()) ok = pg::migrate(conn.get(), kSchemaVersion);
    if (ok.ok()) version_now = kSchemaVersion;
    if (ok.ok() && !connected_once) ok = take_writer_epoch();
  }
  for (const pg::Statement& s : pg::kAllStatements) {
    if (ok.ok()) ok = pg::prepare(conn.get(), s.name, s.sql);
  }
  if (!ok.ok()) {
    conn.reset();
    return ok;
  }
  if (connected_once) session_replaced = true;
  connected_once = true;
  return ok;
}

absl::Status PostgresStore::Impl::take_writer_lock() {
  pg::Params key;
  key.add_int8(kWriterLockKey);
  absl::StatusOr<pg::Result> r =
      pg::exec_params(conn.get(), "SELECT pg_try_advisory_lock($1::bigint)::int::bigint", key,
                      "taking the writer lock");
  if (!r.ok()) return r.status();
  if (absl::Status ok = pg::expect_columns(r->get(), "i", "writer lock"); !ok.ok()) return ok;
  if (pg::get_int(r->get(), 0, 0) == 1) return absl::OkStatus();
  // Name the holder, to make the refusal actionable.
  absl::StatusOr<pg::Result> holder = pg::exec_params(
      conn.get(),
      "SELECT coalesce(min(pid), 0)::bigint FROM pg_locks WHERE locktype = 'advisory' "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "AND granted AND objsubid = 1 AND (classid::bigint << 32 | objid::bigint) = $1::bigint",
      key, "finding the writer lock's holder");
  int64_t pid = 0;
  if (holder.ok() && pg::expect_columns(holder->get(), "i", "holder").ok()) {
    pid = pg::get_int(holder->get(), 0, 0);
  }
  return absl::FailedPreconditionError(internal::cat(
      "database \"", PQdb(conn.get()), "\" already has a writer (server process ", pid,
      " holds its advisory lock ", kWriterLockKey, "); only one ledger may write to a database"));
}

absl::Status PostgresStore::Impl::take_writer_epoch() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  const std::string holder =
      internal::cat(options.application_name.empty() ? "account" : options.application_name,
                    " pid ", getpid(), " on ", host);
  pg::Params p;
  p.add_text(holder);
  absl::StatusOr<pg::Result> r =
      pg::exec_params(conn.get(), "SELECT account_writer_take($1::text)::bigint", p,
                      "taking the writer epoch");
  if (!r.ok()) return r.status();
  if (absl::Status ok = pg::expect_columns(r->get(), "i", "writer epoch"); !ok.ok()) return ok;
  writer_epoch = pg::get_int(r->get(), 0, 0);
  return absl::OkStatus();
}

absl::Status PostgresStore::Impl::check_writer_epoch() {
  pg::Params epoch;
  epoch.add_int8(writer_epoch);
  return pg::exec_params(conn.get(), pg::kWriterCheck.sql, epoch, "checking the writer epoch")
      .status();
}

absl::Status PostgresStore::Impl::require_durable_commits() {
  const pg::Params none;
  return pg::exec_params(conn.get(),
                         "SELECT count(set_config('synchronous_commit', 'on', false))::bigint "
                         "WHERE current_setting('synchronous_commit') = 'off'",
                         none, "requiring durable commits")
      .status();
}

absl::Status PostgresStore::Impl::enter_read_only() {
  if (version_found != kSchemaVersion) {
    return absl::FailedPreconditionError(internal::cat(
        "the database's schema is version ", version_found, "; this library reads version ",
        kSchemaVersion, (version_found < kSchemaVersion ? " (migrate it first)" : " (upgrade)")));
  }
  return pg::exec(conn.get(), "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
                  "entering read-only mode");
}

absl::Status PostgresStore::Impl::ready() {
  died = false;
  if (conn != nullptr && !pg::hung_up(conn.get())) return absl::OkStatus();
  return connect_session();
}

absl::Status PostgresStore::Impl::settle(absl::Status status) {
  if (conn != nullptr &&
      (pg::broken(conn.get()) || PQtransactionStatus(conn.get()) != PQTRANS_IDLE ||
       status.code() == absl::StatusCode::kUnavailable)) {
    died = pg::broken(conn.get());
    conn.reset();
  }
  return status;
}

// No retry here: once the first byte of the transaction is sent, a failure
// may follow a COMMIT the server carried out, so it stays an ambiguous error
// for the ledger to resolve by reloading. ready() finds a connection that
// died while idle before anything is sent, which is what a server restart
// leaves behind.
absl::Status PostgresStore::Impl::commit(const ChangeSet& changes) {
  if (changes.empty()) return absl::OkStatus();
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  if (session_replaced) {
    return absl::AbortedError(internal::cat(
        "nothing committed: the session to database \"", PQdb(conn.get()),
        "\" was lost and established again since the last load, and the writer lock with it; "
        "another writer may have changed the database meanwhile, so load() before committing"));
  }
  pg::CommitParams params;
  pg::build_commit_params(changes, params);
  return settle(run_as_writer(params.steps).status());
}

absl::StatusOr<std::vector<pg::Result>> PostgresStore::Impl::run_as_writer(
    absl::Span<const pg::Step> steps) {
  pg::Params epoch;
  epoch.add_int8(writer_epoch);
  const bool checked = !options.read_only;
  std::vector<pg::Step> all;
  all.reserve(steps.size() + 3);
  all.push_back({.sql = "BEGIN"});
  if (checked) all.push_back({.prepared = pg::kWriterCheck.name, .params = &epoch});
  all.insert(all.end(), steps.begin(), steps.end());
  all.push_back({.sql = "COMMIT"});
  absl::StatusOr<std::vector<pg::Result>> results = pg::run_pipeline(conn.get(), all);
  if (!results.ok()) return results;
  const size_t first = checked ? 2 : 1;
  std::vector<pg::Result> out;
  out.reserve(steps.size());
  for (size_t i = first; i < first + steps.size(); ++i) out.push_back(std::move((*results)[i]));
  return out;
}

absl::Status PostgresStore::Impl::read_tables(const SnapshotRequest& request,
                                              LedgerSnapshot& out) {
  const pg::Params none;
  absl::StatusOr<pg::Result> newest = pg::exec_params(conn.get(), pg::kLoadNewestFillTime.sql,
                                                      none, pg::kLoadNewestFillTime.name);
  if (!newest.ok()) return newest.status();
  if (absl::Status ok = pg::expect_columns(newest->get(), "i", "newest fill time"); !ok.ok()) {
    return ok;
  }
  const bool any_fill = PQgetisnull(newest->get(), 0, 0) == 0;
  pg::Params window;
  window.add_int8(any_fill ? pg::window_start_ns(pg::get_int(newest->get(), 0, 0),
                                                 request.execution_retention)
                           : 0);
  pg::Params since;
  since.add_int8(pg::time_to_ns(request.reservations_finished_since));
  pg::Params trades_max;
  trades_max.add_int8(static_cast<int64_t>(
      std::min<uint64_t>(request.trades_per_account_max, std::numeric_limits<int64_t>::max())));
  struct Source {
    const pg::Statement& statement;
    const pg::Params& params;
    pg::LoadTable table;
  };
  const Source sources[] = {
      {pg::kLoadAccounts, none, pg::LoadTable::kAccounts},
      {pg::kLoadPositions, none, pg::LoadTable::kPositions},
      {pg::kLoadReservations, since, pg::LoadTable::kReservations},
      {pg::kLoadExecutions, window, pg::LoadTable::kExecutions},
      {pg::kLoadTrades, trades_max, pg::LoadTable::kTrades},
      {pg::kLoadEntries, none, pg::LoadTable::kEntries},
  };
  for (const Source& source : sources) {
    if (source.table == pg::LoadTable::kExecutions && !any_fill) continue;
    // The ledger's open asks for none (an audit for some): skip the query, which would still
    // visit every account.
    if (source.table == pg::LoadTable::kTrades && request.trades_per_account_max == 0) continue;
    absl::Status ok = pg::stream_rows(
        conn.get(), source.statement.name, source.statement.sql, source.params,
        kLoadRowsPerFetch,
        [&](const PGresult* rows) { return pg::read_load_rows(source.table, rows, out); });
    if (!ok.ok()) return ok;
  }
  absl::StatusOr<pg::Result> high = pg::exec_params(
      conn.get(), pg::kLoadReservationHighWater.sql, none, pg::kLoadReservationHighWater.name);
  if (!high.ok()) return high.status();
  if (absl::Status ok = pg::expect_columns(high->get(), "i", "reservation high water"); !ok.ok()) {
    return ok;
  }
  out.reservation_id_high_water = pg::id_from_db(pg::get_int(high->get(), 0, 0));
  absl::StatusOr<pg::Result> head =
      pg::exec_params(conn.get(), pg::kLoadJournalHead.sql, none, pg::kLoadJournalHead.name);
  if (!head.ok()) return head.status();
  absl::StatusOr<JournalHead> journal_head = pg::read_journal_head(head->get());
  if (!journal_head.ok()) return journal_head.status();
  out.journal_head = *journal_head;
  return absl::OkStatus();
}

absl::StatusOr<LedgerSnapshot> PostgresStore::Impl::load(const SnapshotRequest& request) {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  LedgerSnapshot out;
  // One transaction, so every query sees the same commit. Each table is
  // streamed through a cursor, a batch at a time, straight into `out`: the
  // results held whole by libpq took 3.9 GB beside the snapshot at the peak
  // of an open of 25 million rows
  // (docs/perf/2026-12-07-restart-and-memory.md). Bitmap scans are off for
  // the trades' plan: trade counts per account are skewed (market makers
  // trade far more than anyone), the planner expects hundreds of trades an
  // account, and chose a bitmap scan and a sort per account over the
  // backward index scan that stops at the limit (27.6 s against 10.8 s for
  // 11 million trades). No other load query has a bitmap plan worth taking.
  // A cursor is planned for its first tenth unless told it is read whole.
  absl::Status ok = pg::exec(conn.get(),
                             "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                             "SET LOCAL enable_bitmapscan = off; "
                             "SET LOCAL cursor_tuple_fraction = 1",
                             "starting the load");
  if (ok.ok()) ok = read_tables(request, out);
  if (ok.ok()) ok = pg::exec(conn.get(), "COMMIT", "ending the load");
  if (!ok.ok()) return settle(ok);
  // What the caller holds now is what this session's lock guards.
  if (request.commits_follow) session_replaced = false;
  // Each account's trades came newest first (kLoadTrades); the ledger's order is oldest first.
  for (auto run = out.trades.begin(); run != out.trades.end();) {
    const auto end = std::find_if(run, out.trades.end(),
                                  [&](const Trade& t) { return t.account != run->account; });
    std::reverse(run, end);
    run = end;
  }
  sort_by(out.accounts, [](const Account& a) { return a.id; });
  sort_by(out.positions, [](const Position& p) { return std::pair(p.account, p.symbol); });
  sort_by(out.reservations, [](const Reservation& r) { return r.id; });
  sort_by(out.executions, [](const Fill& f) { return f.execution; });
  sort_by(out.trades, [](const Trade& t) { return t.account; });
  sort_by(out.entries, [](const ExternalEntry& e) { return e.key; });
  return out;
}

// --- PostgresStore ------------------------------------------------------------

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresStore::~PostgresStore() {
  // Closing the connection releases the writer lock only once the server
  // process behind it has finished exiting, which a new writer opening right
  // after us (a restart) can beat. Releasing it here first makes the hand-over
  // certain; on a broken connection there is nothing to release.
  internal::MutexLock lock(&impl_->mu);
  if (!impl_->options.read_only && impl_->conn != nullptr && !pg::broken(impl_->conn.get())) {
    pg::exec(impl_->conn.get(), "SELECT pg_advisory_unlock_all()", "releasing the writer lock")
        .IgnoreError();
  }
}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::open(std::string_view database_url,
                                                                   PostgresStoreOptions options) {
  absl::StatusOr<std::unique_ptr<Impl>> impl =
      pg::open_session<Impl>(database_url, std::move(options));
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<PostgresStore>(new PostgresStore(*std::move(impl)));
}

absl::Status PostgresStore::commit(const ChangeSet& changes) {
  if (impl_->options.read_only) {
    return absl::FailedPreconditionError("the store was opened read-only; nothing is written");
  }
  internal::MutexLock lock(&impl_->mu);
  return impl_->commit(changes);
}

int64_t PostgresStore::schema_version_found() const {
  internal::MutexLock lock(&impl_->mu);
  return impl_->version_found;
}

int64_t PostgresStore::schema_version_now() const {
  internal::MutexLock lock(&impl_->mu);
  return impl_->version_now;
}

// Reads are safe to repeat: when the connection dies under one (the server
// restarted after ready() looked), it runs once more on a new connection.

absl::StatusOr<LedgerSnapshot> PostgresStore::load(const SnapshotRequest& request) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<LedgerSnapshot> out = impl_->load(request);
  if (impl_->died_under(out.status())) out = impl_->load(request);
  return out;
}

absl::StatusOr<std::optional<Fill>> PostgresStore::find_execution(ExecutionId execution) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<std::optional<Fill>> out = impl_->find_execution(execution);
  if (impl_->died_under(out.status())) out = impl_->find_execution(execution);
  return out;
}

absl::Status PostgresStore::ping() {
  internal::MutexLock lock(&impl_->mu);
  absl::Status out = impl_->ping();
  if (impl_->died_under(out)) out = impl_->ping();
  return out;
}

absl::StatusOr<std::vector<Trade>> PostgresStore::trades(AccountId account, size_t limit) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<std::vector<Trade>> out = impl_->trades(account, limit);
  if (impl_->died_under(out.status())) out = impl_->trades(account, limit);
  return out;
}

// On this store's one connection: a page waits for a commit in flight. A
// reader that must not opens a read-only PostgresStore of its own (history.h).
absl::StatusOr<std::vector<JournalRecord>> PostgresStore::journal(uint64_t after_seq,
                                                                  size_t limit) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<std::vector<JournalRecord>> out = impl_->journal(after_seq, limit);
  if (impl_->died_under(out.status())) out = impl_->journal(after_seq, limit);
  return out;
}

absl::StatusOr<TradePage> PostgresStore::trade_page(const TradeQuery& query) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<TradePage> out = impl_->trade_page(query);
  if (impl_->died_under(out.status())) out = impl_->trade_page(query);
  return out;
}

absl::StatusOr<EntryPage> PostgresStore::entry_page(const EntryQuery& query) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<EntryPage> out = impl_->entry_page(query);
  if (impl_->died_under(out.status())) out = impl_->entry_page(query);
  return out;
}

absl::StatusOr<ReservationPage> PostgresStore::reservation_page(const ReservationQuery& query) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<ReservationPage> out = impl_->reservation_page(query);
  if (impl_->died_under(out.status())) out = impl_->reservation_page(query);
  return out;
}

absl::StatusOr<std::optional<uint64_t>> PostgresStore::journal_cursor(std::string_view name) {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<std::optional<uint64_t>> out = impl_->journal_cursor(name);
  if (impl_->died_under(out.status())) out = impl_->journal_cursor(name);
  return out;
}

absl::Status PostgresStore::set_journal_cursor(std::string_view name, uint64_t seq) {
  internal::MutexLock lock(&impl_->mu);
  absl::Status out = impl_->set_journal_cursor(name, seq);
  if (impl_->died_under(out)) out = impl_->set_journal_cursor(name, seq);
  return out;
}

absl::StatusOr<JournalPruneResult> PostgresStore::prune_journal(const JournalPrune& prune) {
  if (impl_->options.read_only) {
    return absl::FailedPreconditionError("the store was opened read-only; nothing is pruned");
  }
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<JournalPruneResult> out = impl_->prune_journal(prune);
  // A write, but safe to repeat: the same prune again finds its checkpoint stored and changes
  // nothing.
  if (impl_->died_under(out.status())) out = impl_->prune_journal(prune);
  return out;
}

absl::StatusOr<std::optional<JournalCheckpoint>> PostgresStore::journal_checkpoint() {
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<std::optional<JournalCheckpoint>> out = impl_->journal_checkpoint();
  if (impl_->died_under(out.status())) out = impl_->journal_checkpoint();
  return out;
}

absl::StatusOr<std::optional<Fill>> PostgresStore::Impl::find_execution(ExecutionId execution) {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params id;
  id.add_int8(pg::id_to_db(execution.value()));
  absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), pg::kFindExecution.name, id);
  if (!r.ok()) return settle(r.status());
  std::vector<Fill> fills;
  if (absl::Status ok = pg::read_fills(r->get(), fills); !ok.ok()) return ok;
  if (fills.empty()) return std::optional<Fill>();
  return std::optional<Fill>(fills.front());
}

absl::Status PostgresStore::Impl::ping() {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  return settle(pg::exec(conn.get(), "SELECT 1", "ping"));
}

absl::StatusOr<std::vector<Trade>> PostgresStore::Impl::trades(AccountId account, size_t limit) {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params p;
  p.add_int8(pg::id_to_db(account.value()));
  p.add_int8(static_cast<int64_t>(std::min<uint64_t>(limit, std::numeric_limits<int64_t>::max())));
  absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), pg::kTrades.name, p);
  if (!r.ok()) return settle(r.status());
  std::vector<Trade> out;
  if (absl::Status ok = pg::read_trades(r->get(), out); !ok.ok()) return ok;
  return out;
}

absl::StatusOr<std::vector<JournalRecord>> PostgresStore::Impl::journal(uint64_t after_seq,
                                                                        size_t limit) {
  // Seqs are stored as BIGINT and start at 1: nothing follows a seq past the
  // largest one, which as a bit pattern would read as negative and match all.
  constexpr uint64_t kSeqMax = std::numeric_limits<int64_t>::max();
  if (after_seq >= kSeqMax || limit == 0) return std::vector<JournalRecord>();
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params p;
  p.add_int8(static_cast<int64_t>(after_seq));
  p.add_int8(static_cast<int64_t>(std::min<uint64_t>(limit, kSeqMax)));
  absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), pg::kJournal.name, p);
  if (!r.ok()) return settle(r.status());
  std::vector<JournalRecord> out;
  if (absl::Status ok = pg::read_journal(r->get(), out); !ok.ok()) return ok;
  return out;
}

absl::StatusOr<std::optional<uint64_t>> PostgresStore::Impl::journal_cursor(
    std::string_view name) {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params p;
  p.add_text(name);
  absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), pg::kJournalCursor.name, p);
  if (!r.ok()) return settle(r.status());
  if (PQntuples(r->get()) == 0) return std::optional<uint64_t>();
  return std::optional<uint64_t>(pg::id_from_db(pg::get_int(r->get(), 0, 0)));
}

// A transaction of its own, beside (never inside) the ledger's commits, checked against the
// writer epoch as they are: a fenced ledger's notifier must not move the cursor of the ledger
// that took over.
absl::Status PostgresStore::Impl::set_journal_cursor(std::string_view name, uint64_t seq) {
  if (seq > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(internal::cat("journal cursor ", seq, " past BIGINT"));
  }
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params p;
  p.add_text(name);
  p.add_int8(static_cast<int64_t>(seq));
  const pg::Step step{.prepared = pg::kSetJournalCursor.name, .params = &p};
  return settle(run_as_writer({&step, 1}).status());
}

// One transaction, checked against the writer epoch, in which account_journal_prune()
// (schema.cpp, version 7) checks the prune against the stored journal and applies it. Not
// refused while session_replaced, as commit() is: nothing of it comes from memory a lost
// session may have outdated, and the function checks all it removes against what is stored.
absl::StatusOr<JournalPruneResult> PostgresStore::Impl::prune_journal(const JournalPrune& prune) {
  if (prune.checkpoint.seq > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(
        internal::cat("journal checkpoint seq ", prune.checkpoint.seq, " past BIGINT"));
  }
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params p;
  pg::build_prune_params(prune, p);
  const pg::Step step{.prepared = pg::kPruneJournal.name, .params = &p};
  absl::StatusOr<std::vector<pg::Result>> r = run_as_writer({&step, 1});
  if (!r.ok()) return settle(r.status());
  return pg::read_prune_result(r->front().get());
}

absl::StatusOr<std::optional<JournalCheckpoint>> PostgresStore::Impl::journal_checkpoint() {
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  const pg::Params none;
  absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), pg::kJournalCheckpoint.name, none);
  if (!r.ok()) return settle(r.status());
  return pg::read_journal_checkpoint(r->get());
}

// Each page is one statement: one snapshot of the database, whatever commits meanwhile.
absl::StatusOr<TradePage> PostgresStore::Impl::trade_page(const TradeQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  TradePage page{.last_row = query.after_row};
  // Ids are positive BIGINTs, so nothing follows a larger row; bound as a bit pattern it would
  // read as negative and match every row.
  if (query.after_row >= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return page;
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params p;
  p.add_int8(pg::id_to_db(query.account.value()));
  p.add_int8(static_cast<int64_t>(query.after_row));
  p.add_int8(query.symbol ? 1 : 0);
  p.add_int8(query.symbol ? pg::id_to_db(query.symbol->value()) : 0);
  p.add_int8(internal::stored_ns_at_or_after(query.from));
  p.add_int8(internal::stored_ns_at_or_after(query.to));
  p.add_int8(static_cast<int64_t>(query.limit) + 1);
  absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), pg::kTradePage.name, p);
  if (!r.ok()) return settle(r.status());
  std::vector<uint64_t> ids;
  if (absl::Status ok = pg::read_trades_with_ids(r->get(), page.trades, ids); !ok.ok()) return ok;
  page.more = page.trades.size() > query.limit;
  if (page.more) {
    page.trades.pop_back();
    ids.pop_back();
  }
  if (!ids.empty()) page.last_row = ids.back();
  return page;
}

absl::StatusOr<EntryPage> PostgresStore::Impl::entry_page(const EntryQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params p;
  p.add_int8(pg::id_to_db(query.account.value()));
  p.add_int8(query.kind ? static_cast<int64_t>(*query.kind) : 0);
  p.add_int8(internal::stored_ns_at_or_after(query.from));
  p.add_int8(internal::stored_ns_at_or_after(query.to));
  // The first page starts after (the infinite past, the empty key): before every row, since
  // keys are 1 to 128 bytes.
  p.add_int8(query.after ? pg::time_to_ns(query.after->time)
                         : std::numeric_limits<int64_t>::min());
  p.add_bytea(query.after ? std::string_view(query.after->key) : std::string_view());
  p.add_int8(static_cast<int64_t>(query.limit) + 1);
  absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), pg::kEntryPage.name, p);
  if (!r.ok()) return settle(r.status());
  EntryPage page;
  if (absl::Status ok = pg::read_entries(r->get(), page.entries); !ok.ok()) return ok;
  page.more = page.entries.size() > query.limit;
  if (page.more) page.entries.pop_back();
  return page;
}

absl::StatusOr<ReservationPage> PostgresStore::Impl::reservation_page(
    const ReservationQuery& query) {
  if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
  if (absl::Status ok = ready(); !ok.ok()) return ok;
  pg::Params p;
  p.add_int8(pg::id_to_db(query.account.value()));
  p.add_int8(query.status ? static_cast<int64_t>(*query.status) : 0);
  p.add_int8(pg::id_to_db(query.after_id.value()));
  p.add_int8(static_cast<int64_t>(query.limit) + 1);
  absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), pg::kReservationPage.name, p);
  if (!r.ok()) return settle(r.status());
  ReservationPage page;
  if (absl::Status ok = pg::read_reservations(r->get(), page.reservations); !ok.ok()) return ok;
  page.more = page.reservations.size() > query.limit;
  if (page.more) page.reservations.pop_back();
  return page;
}

}  // namespace account
