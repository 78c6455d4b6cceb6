// Commit throughput on SqliteStore beside MemoryStore, in the same run, and
// the physical reference under both: a raw sqlite3 insert loop with the
// store's settings (WAL, synchronous=FULL, one fsync per commit).
//
//   BM_Settle<store>                 settle(), one fill and one transaction per call
//   BM_SettleBatch<store>/N          settle_batch() of N fills: one transaction
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
// time. The fixture is ledger_benchmark.cpp's (settlement_fixture.h). Files
// go to a new directory under $TMPDIR (default /tmp), on the disk whose
// fsync the figures measure; it is removed at the end.
//
//   build/release/benchmarks/sqlite_store_benchmark
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>

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
#include "account/sqlite/sqlite_store.h"
#include "support/settlement_fixture.h"

namespace {

using account::AccountService;
using account::Fill;
using account::OrderSpec;

constexpr int64_t kFillsBatched = 200'000;
constexpr int64_t kFillsOneByOne = 5'000;

// --- Files -------------------------------------------------------------------------------------

class Scratch {
 public:
  Scratch() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                          "/account-sqlite-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  std::string file() { return dir_ + "/ledger-" + std::to_string(next_++) + ".db"; }

 private:
  std::string dir_;
  int next_ = 0;
};

Scratch& scratch() {
  static Scratch s;
  return s;
}

enum class Kind { kMemory, kSqlite };

absl::StatusOr<std::shared_ptr<account::Store>> make_store(Kind kind, const std::string& path) {
  if (kind == Kind::kMemory) return std::make_shared<account::MemoryStore>();
  absl::StatusOr<std::unique_ptr<account::SqliteStore>> store =
      account::SqliteStore::open(path, {});
  if (!store.ok()) return store.status();
  return std::shared_ptr<account::Store>(std::move(*store));
}

struct Ledger {
  std::unique_ptr<AccountService> service;
  account::bench::SettlementParties parties;
};

absl::Status make_ledger(Kind kind, Ledger& ledger, const std::string& path) {
  absl::StatusOr<std::shared_ptr<account::Store>> store = make_store(kind, path);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::unique_ptr<AccountService>> service = AccountService::open(
      {.store = *store,
       .clock = std::make_shared<account::ManualClock>(account::bench::bench_start())});
  if (!service.ok()) return service.status();
  ledger.service = std::move(*service);
  return account::bench::add_settlement_parties(*ledger.service, ledger.parties);
}

// --- Through the ledger ------------------------------------------------------------------------

template <Kind kind>
void BM_Settle(benchmark::State& state) {
  Ledger ledger;
  if (absl::Status s = make_ledger(kind, ledger, scratch().file()); !s.ok()) {
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

template <Kind kind>
void BM_SettleBatch(benchmark::State& state) {
  const int64_t batch = state.range(0);
  Ledger ledger;
  if (absl::Status s = make_ledger(kind, ledger, scratch().file()); !s.ok()) {
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

template <Kind kind>
void BM_ReserveReleaseBatch(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  Ledger ledger;
  if (absl::Status s = make_ledger(kind, ledger, scratch().file()); !s.ok()) {
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
  if (sqlite3_open(scratch().file().c_str(), &f.db) != SQLITE_OK) {
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

// One statement stepped per row, as SqliteStore writes.
void BM_RawInsert(benchmark::State& state) {
  const int64_t rows = state.range(0);
  RawFile f;
  if (absl::Status s = raw_open(f); !s.ok()) return state.SkipWithError(s.ToString().c_str());
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v3(f.db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1,
                     SQLITE_PREPARE_PERSISTENT, &insert, nullptr);
  int64_t id = 1;
  for (auto _ : state) {
    sqlite3_exec(f.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int64_t r = 0; r < rows; ++r, ++id) {
      for (int c = 1; c <= 10; ++c) sqlite3_bind_int64(insert, c, id * c);
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

// Multi-row VALUES, 100 rows (1,000 parameters) a statement.
void BM_RawInsertValues(benchmark::State& state) {
  constexpr int64_t kRowsPerStatement = 100;
  const int64_t rows = state.range(0);
  RawFile f;
  if (absl::Status s = raw_open(f); !s.ok()) return state.SkipWithError(s.ToString().c_str());
  std::string sql = "INSERT INTO t VALUES ";
  for (int64_t r = 0; r < kRowsPerStatement; ++r) {
    sql += r == 0 ? "(?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?)";
  }
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v3(f.db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &insert, nullptr);
  int64_t id = 1;
  for (auto _ : state) {
    sqlite3_exec(f.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int64_t done = 0; done < rows; done += kRowsPerStatement) {
      int p = 1;
      for (int64_t r = 0; r < kRowsPerStatement; ++r, ++id) {
        for (int c = 1; c <= 10; ++c) sqlite3_bind_int64(insert, p++, id * c);
      }
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

// One set-wise statement over a JSON array built for the batch.
void BM_RawInsertJson(benchmark::State& state) {
  const int64_t rows = state.range(0);
  RawFile f;
  if (absl::Status s = raw_open(f); !s.ok()) return state.SkipWithError(s.ToString().c_str());
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v3(f.db,
                     "INSERT INTO t SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, "
                     "value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, "
                     "value ->> 9 FROM json_each(?1)",
                     -1, SQLITE_PREPARE_PERSISTENT, &insert, nullptr);
  int64_t id = 1;
  std::string json;
  for (auto _ : state) {
    json = "[";
    for (int64_t r = 0; r < rows; ++r, ++id) {
      json += r == 0 ? "[" : ",[";
      for (int c = 1; c <= 10; ++c) {
        json += std::to_string(id * c);
        if (c < 10) json += ',';
      }
      json += ']';
    }
    json += ']';
    sqlite3_exec(f.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_bind_text(insert, 1, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) state.SkipWithError(sqlite3_errmsg(f.db));
    sqlite3_reset(insert);
    if (sqlite3_exec(f.db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      state.SkipWithError(sqlite3_errmsg(f.db));
    }
  }
  sqlite3_finalize(insert);
  state.SetItemsProcessed(state.iterations() * rows);
}

// --- Opening: the integrity check's cost --------------------------------------------------------

const std::string& settled_file() {
  static const std::string path = [] {
    const std::string p = scratch().file();
    Ledger ledger;
    if (!make_ledger(Kind::kSqlite, ledger, p).ok()) return std::string();
    const std::vector<Fill> fills =
        account::bench::make_settlement_fills(ledger.parties, kFillsBatched);
    const absl::Span<const Fill> all(fills);
    for (size_t offset = 0; offset < fills.size(); offset += 1'000) {
      for (const auto& r : ledger.service->settle_batch(all.subspan(offset, 1'000))) {
        if (!r.ok()) return std::string();
      }
    }
    return p;
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

BENCHMARK_TEMPLATE(BM_Settle, Kind::kMemory)
    ->Name("BM_Settle<Memory>")
    ->Iterations(kFillsOneByOne)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_Settle, Kind::kSqlite)
    ->Name("BM_Settle<Sqlite>")
    ->Iterations(kFillsOneByOne)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_SettleBatch, Kind::kMemory)
    ->Name("BM_SettleBatch<Memory>")
    ->Arg(100)
    ->Iterations(kFillsBatched / 100)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_SettleBatch, Kind::kSqlite)
    ->Name("BM_SettleBatch<Sqlite>")
    ->Arg(100)
    ->Iterations(kFillsBatched / 100)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_SettleBatch, Kind::kMemory)
    ->Name("BM_SettleBatch<Memory>")
    ->Arg(1'000)
    ->Iterations(kFillsBatched / 1'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_SettleBatch, Kind::kSqlite)
    ->Name("BM_SettleBatch<Sqlite>")
    ->Arg(1'000)
    ->Iterations(kFillsBatched / 1'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_ReserveReleaseBatch, Kind::kMemory)
    ->Name("BM_ReserveReleaseBatch<Memory>")
    ->Arg(1'000)
    ->Iterations(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_ReserveReleaseBatch, Kind::kSqlite)
    ->Name("BM_ReserveReleaseBatch<Sqlite>")
    ->Arg(1'000)
    ->Iterations(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
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
