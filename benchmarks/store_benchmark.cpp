// Commit throughput on the three stores side by side, in one run, through
// AccountService: MemoryStore, SqliteStore (WAL, synchronous=FULL) and
// PostgresStore (PostgreSQL on loopback, fsync and synchronous_commit on);
// and the physical reference under SQLite: a raw sqlite3 insert loop with
// the store's settings (one fsync per commit).
//
//   BM_Settle<store>                 settle(), one fill and one transaction per call
//   BM_SettleBatch<store>/N          settle_batch() of N fills: one transaction
//   BM_SettleBatchNoJournal<store>/N the same with the journal off (AccountServiceOptions::
//                                    journal_written): what the journal costs a batch
//   BM_ReserveReleaseBatch<store>/N  reserve_batch() of N buy orders, then
//                                    release_batch() of them: two transactions;
//                                    items are orders (a reserve and a release each)
//   BM_RawInsert/N                   N rows of 10 integers (an execution's shape)
//                                    in one transaction, one reused prepared
//                                    statement stepped per row: what SqliteStore does
//   BM_RawInsertValues/N             the same rows as multi-row INSERT ... VALUES
//                                    statements of 100 rows
//   BM_RawInsertJson/N               the same rows as one INSERT ... SELECT over
//                                    json_each() of a JSON array built per batch:
//                                    the set-wise form, as PostgreSQL's unnest()
//   BM_OpenCheck/kind                SqliteStore::open() of a file of 200,000 settled
//                                    fills: none, quick_check, integrity_check;
//                                    bytes are the file's
//
// items_per_second is fills (or rows, or orders) per second of wall-clock
// time (PostgreSQL's work and fsync are in another process, so the client's
// CPU time would flatter it). The fixture is settlement_fixture.h's. SQLite
// files go to a new directory under $TMPDIR (default /tmp), on the disk whose
// fsync the figures measure; it is removed at the end. PostgreSQL is the
// tests' harness (a private server in /tmp, on the same disk), or, when
// DATABASE_URL is set, a server of the caller's where the benchmark creates
// (and afterwards drops) its databases, which needs CREATEDB. Each run gets a
// fresh file or database.
//
//   build/release/benchmarks/store_benchmark
//   build/release/benchmarks/store_benchmark --benchmark_filter='SettleBatch<.*>/1000'
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/postgres/postgres_store.h"
#include "account/sqlite/sqlite_store.h"
#include "account/status.h"
#include "support/postgres_server.h"
#include "support/settlement_fixture.h"
#include "support/temp_dir.h"

namespace {

using account::AccountService;
using account::Fill;
using account::OrderSpec;

constexpr int64_t kFillsBatched = 200'000;
constexpr int64_t kFillsOneByOne = 5'000;

// --- Files -------------------------------------------------------------------------------------

// A new file in the run's directory for each store or raw run; the directory goes at exit.
std::string scratch_file() {
  static const account::testing::TempDir dir("account-sqlite-bench", std::nothrow);
  static int next = 0;
  return dir.file("ledger-" + std::to_string(next++) + ".db");
}

enum class Kind { kMemory, kSqlite, kPostgres };

// --- Databases ------------------------------------------------------------------------------

using ConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

absl::Status run(PGconn* conn, const std::string& sql) {
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn, sql.c_str()), &PQclear);
  if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) return absl::OkStatus();
  return absl::InternalError(sql + ": " + PQresultErrorMessage(r.get()));
}

// `url`'s settings as a keyword/value string, with dbname replaced.
std::string with_dbname(const std::string& url, const std::string& dbname) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  std::string out;
  for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    const std::string keyword = o->keyword;
    if (keyword == "dbname" || o->val == nullptr) continue;
    std::string quoted;
    for (const char* c = o->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') quoted.push_back('\\');
      quoted.push_back(*c);
    }
    out += keyword + "='" + quoted + "' ";
  }
  if (options != nullptr) PQconninfoFree(options);
  return out + "dbname='" + dbname + "'";
}

// A fresh database, dropped when this goes out of scope (DATABASE_URL only).
class Database {
 public:
  absl::Status create() {
    static int next = 1;
    if (const char* env = std::getenv("DATABASE_URL"); env != nullptr && *env != '\0') {
      admin_url_ = env;
      name_ = "account_store_bench_" + std::to_string(getpid()) + "_" + std::to_string(next++);
      ConnPtr conn(PQconnectdb(admin_url_.c_str()), &PQfinish);
      if (PQstatus(conn.get()) != CONNECTION_OK) {
        return absl::UnavailableError(std::string("DATABASE_URL: ") + PQerrorMessage(conn.get()));
      }
      url_ = with_dbname(admin_url_, name_);
      return run(conn.get(), "CREATE DATABASE " + name_);
    }
    absl::StatusOr<account::testing::PostgresServer*> server =
        account::testing::PostgresServer::shared();
    if (!server.ok()) return server.status();
    absl::StatusOr<std::string> url = (*server)->create_database();
    if (!url.ok()) return url.status();
    url_ = *url;
    return absl::OkStatus();
  }
  ~Database() {
    if (admin_url_.empty()) return;
    ConnPtr conn(PQconnectdb(admin_url_.c_str()), &PQfinish);
    if (PQstatus(conn.get()) == CONNECTION_OK) (void)run(conn.get(), "DROP DATABASE " + name_);
  }
  const std::string& url() const { return url_; }

 private:
  std::string admin_url_, name_, url_;
};

// --- Ledger fixture ----------------------------------------------------------------------------

struct Ledger {
  std::string file;   // SQLite only.
  Database database;  // PostgreSQL only; dropped after the service has closed.
  std::unique_ptr<AccountService> service;
  account::bench::SettlementParties parties;
};

absl::StatusOr<std::shared_ptr<account::Store>> make_store(Kind kind, Ledger& ledger) {
  switch (kind) {
    case Kind::kMemory:
      return std::make_shared<account::MemoryStore>();
    case Kind::kSqlite: {
      absl::StatusOr<std::unique_ptr<account::SqliteStore>> store =
          account::SqliteStore::open(ledger.file = scratch_file(), {});
      if (!store.ok()) return store.status();
      return std::shared_ptr<account::Store>(std::move(*store));
    }
    case Kind::kPostgres: {
      ACCOUNT_RETURN_IF_ERROR(ledger.database.create());
      absl::StatusOr<std::unique_ptr<account::PostgresStore>> store =
          account::PostgresStore::open(ledger.database.url(), {});
      if (!store.ok()) return store.status();
      return std::shared_ptr<account::Store>(std::move(*store));
    }
  }
  return absl::InvalidArgumentError("unknown store kind");
}

// `journal`: whether the ledger writes its journal (AccountServiceOptions::journal_written).
absl::Status make_ledger(Kind kind, Ledger& ledger, bool journal = true) {
  absl::StatusOr<std::shared_ptr<account::Store>> store = make_store(kind, ledger);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::unique_ptr<AccountService>> service = AccountService::open(
      {.store = *store,
       .clock = std::make_shared<account::ManualClock>(account::bench::bench_start()),
       .journal_written = journal});
  if (!service.ok()) return service.status();
  ledger.service = std::move(*service);
  return account::bench::add_settlement_parties(*ledger.service, ledger.parties);
}

// --- Through the ledger ------------------------------------------------------------------------

void settle(benchmark::State& state, Kind kind) {
  Ledger ledger;
  if (absl::Status s = make_ledger(kind, ledger); !s.ok()) {
    return state.SkipWithError(s.ToString().c_str());
  }
  const std::vector<Fill> fills =
      account::bench::make_settlement_fills(ledger.parties, state.max_iterations);
  size_t next = 0;
  int64_t refused = 0;
  absl::Status first;
  for (auto _ : state) {
    absl::StatusOr<account::SettlementReceipt> r = ledger.service->settle(fills[next++]);
    if (!r.ok() && refused++ == 0) first = r.status();
  }
  account::bench::report(state, static_cast<int64_t>(next), refused, first);
}

void settle_batch(benchmark::State& state, Kind kind, bool journal) {
  const int64_t batch = state.range(0);
  Ledger ledger;
  if (absl::Status s = make_ledger(kind, ledger, journal); !s.ok()) {
    return state.SkipWithError(s.ToString().c_str());
  }
  const std::vector<Fill> fills =
      account::bench::make_settlement_fills(ledger.parties, state.max_iterations * batch);
  const absl::Span<const Fill> all(fills);
  size_t offset = 0;
  int64_t refused = 0;
  absl::Status first;
  for (auto _ : state) {
    const auto results =
        ledger.service->settle_batch(all.subspan(offset, static_cast<size_t>(batch)));
    offset += static_cast<size_t>(batch);
    for (const auto& r : results) {
      if (!r.ok() && refused++ == 0) first = r.status();
    }
  }
  account::bench::report(state, static_cast<int64_t>(offset), refused, first);
}

void reserve_release_batch(benchmark::State& state, Kind kind) {
  const size_t batch = static_cast<size_t>(state.range(0));
  Ledger ledger;
  if (absl::Status s = make_ledger(kind, ledger); !s.ok()) {
    return state.SkipWithError(s.ToString().c_str());
  }
  // Traders of their own (the fixture's buyers are at their open-notional
  // cap): 1 share at $10 a order, spread over 64 accounts.
  std::vector<account::AccountId> traders;
  for (int i = 0; i < 64; ++i) {
    absl::StatusOr<account::AccountId> id =
        account::bench::funded_account(*ledger.service, "trader-" + std::to_string(i));
    if (!id.ok()) return state.SkipWithError(id.status().ToString().c_str());
    traders.push_back(*id);
  }
  uint64_t next_order = 1'000'000;
  int64_t refused = 0;
  absl::Status first;
  std::vector<OrderSpec> orders(batch);
  std::vector<account::ReservationId> ids;
  for (auto _ : state) {
    for (size_t i = 0; i < batch; ++i) {
      orders[i] = OrderSpec{.account = traders[i % traders.size()],
                            .order = account::OrderId{next_order++},
                            .symbol = account::SymbolId{1},
                            .qty = account::Qty{account::kBpPerShare},
                            .limit = account::Price{10'00}};
    }
    ids.clear();
    for (const auto& r : ledger.service->reserve_batch(orders, account::Side::kBuy)) {
      if (r.ok()) {
        ids.push_back(*r);
      } else if (refused++ == 0) {
        first = r.status();
      }
    }
    for (const absl::Status& r : ledger.service->release_batch(ids)) {
      if (!r.ok() && refused++ == 0) first = r;
    }
  }
  account::bench::report(state, state.iterations() * static_cast<int64_t>(batch), refused, first);
}

// --- Raw sqlite3: the physical reference -------------------------------------------------------

struct RawFile {
  sqlite3* db = nullptr;
  ~RawFile() { sqlite3_close_v2(db); }
};

absl::Status raw_open(RawFile& f) {
  if (sqlite3_open(scratch_file().c_str(), &f.db) != SQLITE_OK) {
    return absl::InternalError("open failed");
  }
  const char* setup =
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
      "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b INTEGER NOT NULL, "
      "c INTEGER NOT NULL, d INTEGER NOT NULL, e INTEGER NOT NULL, f INTEGER NOT NULL, "
      "g INTEGER NOT NULL, h INTEGER NOT NULL, i INTEGER NOT NULL) STRICT;"
      "CREATE INDEX t_i ON t (i);";
  if (sqlite3_exec(f.db, setup, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return absl::InternalError(sqlite3_errmsg(f.db));
  }
  return absl::OkStatus();
}

// The loop the raw benchmarks share: per iteration, one transaction of state.range(0) rows,
// written by stepping `sql` once per `rows_per_statement` rows after bind(statement, first_id,
// rows) has bound them. Only the statement and its binding differ between the three.
template <typename Bind>
void raw_insert(benchmark::State& state, const std::string& sql, int64_t rows_per_statement,
                Bind bind) {
  const int64_t rows = state.range(0);
  RawFile f;
  if (absl::Status s = raw_open(f); !s.ok()) return state.SkipWithError(s.ToString().c_str());
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v3(f.db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &insert, nullptr);
  int64_t id = 1;
  for (auto _ : state) {
    sqlite3_exec(f.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int64_t done = 0; done < rows; done += rows_per_statement, id += rows_per_statement) {
      bind(insert, id, rows_per_statement);
      if (sqlite3_step(insert) != SQLITE_DONE) state.SkipWithError(sqlite3_errmsg(f.db));
      sqlite3_reset(insert);
    }
    if (sqlite3_exec(f.db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      state.SkipWithError(sqlite3_errmsg(f.db));
    }
  }
  sqlite3_finalize(insert);
  state.SetItemsProcessed(state.iterations() * rows);
}

// Rows first_id.. as ten integers each (column c holds id * c), bound in order from ?1.
void bind_rows(sqlite3_stmt* insert, int64_t first_id, int64_t rows) {
  int p = 1;
  for (int64_t id = first_id; id < first_id + rows; ++id) {
    for (int c = 1; c <= 10; ++c) sqlite3_bind_int64(insert, p++, id * c);
  }
}

// One statement stepped per row, as SqliteStore writes.
void BM_RawInsert(benchmark::State& state) {
  raw_insert(state, "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", 1, bind_rows);
}

// Multi-row VALUES, 100 rows (1,000 parameters) a statement.
void BM_RawInsertValues(benchmark::State& state) {
  constexpr int64_t kRowsPerStatement = 100;
  std::string sql = "INSERT INTO t VALUES ";
  for (int64_t r = 0; r < kRowsPerStatement; ++r) {
    sql += r == 0 ? "(?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?)";
  }
  raw_insert(state, sql, kRowsPerStatement, bind_rows);
}

// One set-wise statement over a JSON array built for the batch.
void BM_RawInsertJson(benchmark::State& state) {
  std::string json;
  raw_insert(state,
             "INSERT INTO t SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, "
             "value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, "
             "value ->> 9 FROM json_each(?1)",
             state.range(0), [&json](sqlite3_stmt* insert, int64_t first_id, int64_t rows) {
               json = "[";
               for (int64_t id = first_id; id < first_id + rows; ++id) {
                 json += id == first_id ? "[" : ",[";
                 for (int c = 1; c <= 10; ++c) {
                   json += std::to_string(id * c);
                   if (c < 10) json += ',';
                 }
                 json += ']';
               }
               json += ']';
               // SQLITE_STATIC: `json` outlives the step that reads it.
               sqlite3_bind_text(insert, 1, json.data(), static_cast<int>(json.size()),
                                 SQLITE_STATIC);
             });
}

// --- Opening: the integrity check's cost --------------------------------------------------------

const std::string& settled_file() {
  static const std::string path = [] {
    Ledger ledger;
    if (!make_ledger(Kind::kSqlite, ledger).ok()) return std::string();
    const std::vector<Fill> fills =
        account::bench::make_settlement_fills(ledger.parties, kFillsBatched);
    const absl::Span<const Fill> all(fills);
    for (size_t offset = 0; offset < fills.size(); offset += 1'000) {
      for (const auto& r : ledger.service->settle_batch(all.subspan(offset, 1'000))) {
        if (!r.ok()) return std::string();
      }
    }
    return ledger.file;
  }();
  return path;
}

void BM_OpenCheck(benchmark::State& state) {
  const auto check = static_cast<account::SqliteIntegrityCheck>(state.range(0));
  const std::string& path = settled_file();
  if (path.empty()) return state.SkipWithError("could not build the file");
  const int64_t bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<account::SqliteStore>> store =
        account::SqliteStore::open(path, {.integrity_check = check});
    if (!store.ok()) state.SkipWithError(store.status().ToString().c_str());
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["file_mb"] = static_cast<double>(bytes) / (1 << 20);
}

// --- Registrations -----------------------------------------------------------------------------

// The three stores side by side, each benchmark in the order Memory, Sqlite, Postgres.
const int registered = [] {
  constexpr std::pair<Kind, const char*> kStores[] = {
      {Kind::kMemory, "Memory"}, {Kind::kSqlite, "Sqlite"}, {Kind::kPostgres, "Postgres"}};
  for (const auto& [kind, name] : kStores) {
    benchmark::RegisterBenchmark((std::string("BM_Settle<") + name + ">").c_str(),
                                 [kind = kind](benchmark::State& s) { settle(s, kind); })
        ->Iterations(kFillsOneByOne)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
  for (int64_t batch : {100, 1'000}) {
    for (const auto& [kind, name] : kStores) {
      benchmark::RegisterBenchmark(
          (std::string("BM_SettleBatch<") + name + ">").c_str(),
          [kind = kind](benchmark::State& s) { settle_batch(s, kind, /*journal=*/true); })
          ->Arg(batch)
          ->Iterations(kFillsBatched / batch)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
      // The journal's cost: the same, with the ledger writing no journal.
      if (batch != 1'000) continue;
      benchmark::RegisterBenchmark(
          (std::string("BM_SettleBatchNoJournal<") + name + ">").c_str(),
          [kind = kind](benchmark::State& s) { settle_batch(s, kind, /*journal=*/false); })
          ->Arg(batch)
          ->Iterations(kFillsBatched / batch)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (const auto& [kind, name] : kStores) {
    benchmark::RegisterBenchmark(
        (std::string("BM_ReserveReleaseBatch<") + name + ">").c_str(),
        [kind = kind](benchmark::State& s) { reserve_release_batch(s, kind); })
        ->Arg(1'000)
        ->Iterations(200)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}();

BENCHMARK(BM_RawInsert)->Arg(1)->Iterations(5'000)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RawInsert)->Arg(1'000)->Iterations(200)->UseRealTime();
BENCHMARK(BM_RawInsertValues)->Arg(1'000)->Iterations(200)->UseRealTime();
BENCHMARK(BM_RawInsertJson)->Arg(1'000)->Iterations(200)->UseRealTime();
BENCHMARK(BM_OpenCheck)
    ->Arg(static_cast<int>(account::SqliteIntegrityCheck::kNone))
    ->Arg(static_cast<int>(account::SqliteIntegrityCheck::kQuick))
    ->Arg(static_cast<int>(account::SqliteIntegrityCheck::kFull))
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
