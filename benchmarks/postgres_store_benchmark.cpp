// Settlement throughput through AccountService on PostgresStore, PostgreSQL
// on loopback with fsync on: a tick's fills in one settle_batch() (one
// transaction, one pipelined round trip) against settle() one fill at a time
// (one transaction per fill), in the same run.
//
//   BM_PostgresSettle             settle(), one fill and one transaction per call
//   BM_PostgresSettleBatch/N      settle_batch() of N fills: one transaction per batch
//
// items_per_second is fills per second over wall-clock time (the server's
// work and the fsync are in another process, so the client's CPU time would
// flatter it). Each run gets a fresh database and the fixture of
// ledger_benchmark.cpp: 64 buyers with one 100,000-share buy order each and
// 8 market makers with one 100,000-share sell order each; fills are 0.01
// share at $99.50, 1,000 per engine tick. A refused fill turns the run into
// an error rather than a faster figure.
//
// The server: the tests' harness starts a private PostgreSQL 15 (initdb in
// /tmp, fsync on, loopback), or, when DATABASE_URL is set, the benchmark
// creates (and afterwards drops) its databases on that server, which needs
// the CREATEDB privilege.
//
//   build/release/benchmarks/postgres_store_benchmark
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/postgres/postgres_store.h"
#include "support/postgres_server.h"
#include "support/settlement_fixture.h"

namespace {

using account::AccountId;
using account::AccountService;
using account::Cents;
using account::ExecutionId;
using account::Fill;
using account::FillParty;
using account::kBpPerShare;
using account::OrderId;
using account::Price;
using account::Qty;
using account::SymbolId;
using account::TickId;

constexpr int64_t kFillsBatched = 200'000;
constexpr int64_t kFillsOneByOne = 5'000;

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
      name_ = "account_bench_" + std::to_string(getpid()) + "_" + std::to_string(next++);
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

// --- Ledger fixture ---------------------------------------------------------------------------

struct Ledger {
  Database database;
  std::unique_ptr<AccountService> service;
  account::bench::SettlementParties parties;
};

absl::Status make_ledger(Ledger& ledger) {
  if (absl::Status s = ledger.database.create(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<account::PostgresStore>> store =
      account::PostgresStore::open(ledger.database.url(), {});
  if (!store.ok()) return store.status();
  absl::StatusOr<std::unique_ptr<AccountService>> service = AccountService::open(
      {.store = std::move(*store), .clock = std::make_shared<account::ManualClock>(account::bench::bench_start())});
  if (!service.ok()) return service.status();
  ledger.service = std::move(*service);
  return account::bench::add_settlement_parties(*ledger.service, ledger.parties);
}

// --- Benchmarks -------------------------------------------------------------------------------

void BM_PostgresSettle(benchmark::State& state) {
  Ledger ledger;
  if (absl::Status s = make_ledger(ledger); !s.ok())
    return state.SkipWithError(s.ToString().c_str());
  const std::vector<Fill> fills = account::bench::make_settlement_fills(ledger.parties, state.max_iterations);
  size_t next = 0;
  int64_t refused = 0;
  absl::Status first;
  for (auto _ : state) {
    absl::StatusOr<account::SettlementReceipt> r = ledger.service->settle(fills[next++]);
    if (!r.ok() && refused++ == 0) first = r.status();
  }
  account::bench::report(state, static_cast<int64_t>(next), refused, first);
}

void BM_PostgresSettleBatch(benchmark::State& state) {
  const int64_t batch = state.range(0);
  Ledger ledger;
  if (absl::Status s = make_ledger(ledger); !s.ok())
    return state.SkipWithError(s.ToString().c_str());
  const std::vector<Fill> fills = account::bench::make_settlement_fills(ledger.parties, state.max_iterations * batch);
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

BENCHMARK(BM_PostgresSettle)
    ->Iterations(kFillsOneByOne)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PostgresSettleBatch)
    ->Arg(100)
    ->Iterations(kFillsBatched / 100)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PostgresSettleBatch)
    ->Arg(1'000)
    ->Iterations(kFillsBatched / 1'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
