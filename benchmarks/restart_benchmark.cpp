// How long a ledger at scale takes to open on each durable store, and how much memory the open
// takes at its peak against what the opened ledger holds. A program of its own (not Google
// Benchmark, not run by ctest).
//
//   build/release/benchmarks/restart_benchmark                      # both stores, full scale
//   build/release/benchmarks/restart_benchmark --store sqlite --accounts 100000 --fills 1000000
//   build/release/benchmarks/restart_benchmark --store postgres --postgres-url postgresql://...
//
// The state: `--accounts` accounts (default 1,000,000), of which `--symbols` (default 1,000)
// are market makers, one per symbol, holding issued shares and one sell order each; every other
// account is a user with a credit and one active buy order of its maker's symbol: one active
// reservation per account. `--fills` fills (default 10,000,000), user i % users against its
// symbol's maker, 1,000 per tick, stamped over 20 hours, so all of them lie inside the default
// 24-hour dedupe window; each is an execution and two trades. Every figure is what the ledger
// would have written: final cash, positions and reservations, so the state passes audit().
//
// Filling: through the store's own commit(), in change sets of 50,000 rows (accounts,
// positions, reservations and entries with their final images first, then the fills with
// their trades): the store's real write path, set-wise, without the ledger's validation.
// SQLite goes to `--dir`/restart.db (default /tmp/account-restart; kept, and reused by a later
// run of the same shape, so delete it after). PostgreSQL is a server this program starts as
// the tests do (fsync on; tests/support/postgres_server.h) and removes at exit, or
// `--postgres-url` (filled unless `--no-fill`); after the fill, VACUUM (ANALYZE) does at once
// what autovacuum would do a while later, so that the opens meet a database in its steady state.
//
// Measuring: each open runs in a fresh child process (this program with --open), which reports
// its resident memory before anything (the baseline), the store's open, AccountService::open()
// until it returns ready, VmHWM (the peak) and VmRSS after the open, then after giving the
// allocator's free pages back (malloc_trim): the loaded state. `--opens` opens per store
// (default 2; the first after the fill, the page cache warm with what it wrote). One more child
// times the store's load() alone, so that the open's time splits into the store's part and the
// ledger's restore, and once more without trades (trades_per_account_max 0), what they cost.
// `--history loaded|lazy|both` (default both): the opens with LedgerLimits::
// trade_history_loaded_at_open on (each account's newest trades loaded) and off (none loaded;
// the history read from the store when asked for, which the check does for one account).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <libpq-fe.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/notional.h"
#include "account/postgres/postgres_store.h"
#include "account/reason.h"
#include "account/sqlite/sqlite_store.h"
#include "account/status.h"
#include "support/postgres_server.h"
#include "support/process_memory.h"

namespace {

using account::Account;
using account::AccountId;
using account::AccountService;
using account::Cents;
using account::ChangeSet;
using account::EntryKind;
using account::ExecutionId;
using account::ExternalEntry;
using account::Fill;
using account::OrderId;
using account::Position;
using account::Price;
using account::Qty;
using account::Reservation;
using account::ReservationId;
using account::ReservationStatus;
using account::Side;
using account::Store;
using account::SymbolId;
using account::TickId;
using account::Trade;
using account::kBpPerShare;

constexpr size_t kRowsPerCommit = 50'000;
constexpr Qty kFillQty{100};                           // 0.01 share.
constexpr Price kFillPrice{99'50};
constexpr Price kBuyLimit{100'00};
constexpr Price kSellLimit{99'50};
constexpr Qty kBuyQty{100 * kBpPerShare};              // A user's order: 100 shares.
constexpr Qty kIssuedQty{100'000 * kBpPerShare};       // A maker's shares and sell order.
constexpr Cents kUserCredit{2'000'000};                // $20,000.
constexpr int64_t kFillsPerTick = 1'000;
constexpr absl::Duration kFillSpan = absl::Hours(20);  // Inside the 24-hour window.

struct Shape {
  int64_t accounts = 1'000'000;
  int64_t fills = 10'000'000;
  int64_t symbols = 1'000;
  int64_t users() const { return accounts - symbols; }
};

absl::Time fills_start() { return absl::FromUnixSeconds(1'763'960'400); }
absl::Time fill_time(const Shape& shape, int64_t i) {
  return fills_start() + kFillSpan * i / shape.fills;
}
// The ledger's clock at open: a minute after the last fill.
absl::Time open_time(const Shape& shape) {
  return fill_time(shape, shape.fills) + absl::Minutes(1);
}

// Fill i: user i % users against the maker of the user's symbol.
uint64_t user_of(const Shape& shape, int64_t i) {
  return static_cast<uint64_t>(shape.symbols + 1 + i % shape.users());
}
uint64_t symbol_of(const Shape& shape, uint64_t user) {
  return user % static_cast<uint64_t>(shape.symbols) + 1;
}
int64_t fills_of_user(const Shape& shape, uint64_t user) {
  const int64_t k = static_cast<int64_t>(user) - shape.symbols - 1;
  return shape.fills / shape.users() + (k < shape.fills % shape.users() ? 1 : 0);
}

Fill make_fill(const Shape& shape, int64_t i) {
  const uint64_t user = user_of(shape, i);
  const uint64_t symbol = symbol_of(shape, user);
  const uint64_t tick = static_cast<uint64_t>(i / kFillsPerTick) + 1;
  return Fill{.execution = ExecutionId{tick << 20 | static_cast<uint64_t>(i % kFillsPerTick + 1)},
              .symbol = SymbolId{symbol},
              .qty = kFillQty,
              .price = kFillPrice,
              .buyer = {AccountId{user}, OrderId{user}},
              .seller = {AccountId{symbol}, OrderId{symbol}},
              .tick = TickId{tick},
              .time = fill_time(shape, i)};
}

Cents fill_cost() { return *account::fill_notional(kFillQty, kFillPrice); }
Cents times(Cents c, int64_t n) { return Cents{c.value() * n}; }

int fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "restart_benchmark: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

// --- Filling --------------------------------------------------------------------------------

// Commits `changes` once it holds kRowsPerCommit rows (or at the `last` row), then empties it.
absl::Status flush(Store& store, ChangeSet& changes, size_t& rows, bool last) {
  if (rows < kRowsPerCommit && !last) return absl::OkStatus();
  absl::Status ok = store.commit(changes);
  changes = ChangeSet{};
  rows = 0;
  return ok;
}

// The accounts with their final cash, positions, reservations and entries.
absl::Status fill_accounts(Store& store, const Shape& shape) {
  std::vector<int64_t> maker_fills(static_cast<size_t>(shape.symbols) + 1, 0);
  for (uint64_t u = shape.symbols + 1; u <= static_cast<uint64_t>(shape.accounts); ++u) {
    maker_fills[symbol_of(shape, u)] += fills_of_user(shape, u);
  }
  const absl::Time created = fills_start() - absl::Hours(24 * 30);
  const absl::Time ordered = fills_start() - absl::Hours(1);
  const Cents cost = fill_cost();
  ChangeSet c;
  size_t rows = 0;
  for (uint64_t a = 1; a <= static_cast<uint64_t>(shape.accounts); ++a) {
    const bool maker = a <= static_cast<uint64_t>(shape.symbols);
    const int64_t fills = maker ? maker_fills[a] : fills_of_user(shape, a);
    const SymbolId symbol{maker ? a : symbol_of(shape, a)};
    const Qty traded{fills * kFillQty.value()};
    const std::string digits = std::to_string(1'000'000'000'000 + a).substr(1);
    c.new_accounts.push_back(Account{
        .id = AccountId{a},
        .google_id = "110169484" + digits,
        .display_name = (maker ? "Market Maker " : "Fantasy Owner ") + std::to_string(a),
        .created_at = created,
        .cash = maker ? times(cost, fills) : kUserCredit - times(cost, fills)});
    c.entries.push_back(ExternalEntry{
        .key = (maker ? "issue:" : "fund:") + std::to_string(a),
        .kind = maker ? EntryKind::kShareIssue : EntryKind::kFantasyCredit,
        .account = AccountId{a},
        .cash = maker ? Cents{0} : kUserCredit,
        .symbol = maker ? symbol : SymbolId{0},
        .qty = maker ? kIssuedQty : Qty{0},
        .time = created});
    c.positions.push_back(Position{.account = AccountId{a}, .symbol = symbol,
                                   .qty = maker ? kIssuedQty - traded : traded,
                                   .cost_basis = maker ? Cents{0} : times(cost, fills),
                                   .realized_pnl = maker ? times(cost, fills) : Cents{0}});
    const Qty order_qty = maker ? kIssuedQty : kBuyQty;
    const Qty remaining = order_qty - traded;
    c.reservations.push_back(Reservation{
        .id = ReservationId{a}, .account = AccountId{a}, .order = OrderId{a},
        .symbol = symbol, .side = maker ? Side::kSell : Side::kBuy,
        .limit = maker ? kSellLimit : kBuyLimit, .order_qty = order_qty,
        .remaining_qty = remaining,
        .reserved_cash = maker ? Cents{0} : *account::reserve_notional(remaining, kBuyLimit),
        .created_at = ordered, .expires_at = ordered + absl::Hours(24 * 7),
        .updated_at = fills > 0 ? fill_time(shape, shape.fills - 1) : ordered,
        .status = ReservationStatus::kActive});
    rows += 4;
    if (absl::Status ok = flush(store, c, rows, a == static_cast<uint64_t>(shape.accounts));
        !ok.ok()) {
      return ok;
    }
  }
  return absl::OkStatus();
}

// The fills: an execution and the buyer's and the seller's trade each, in order.
absl::Status fill_fills(Store& store, const Shape& shape) {
  const Cents cost = fill_cost();
  ChangeSet c;
  size_t rows = 0;
  for (int64_t i = 0; i < shape.fills; ++i) {
    const Fill f = make_fill(shape, i);
    c.executions.push_back(f);
    for (const Side side : {Side::kBuy, Side::kSell}) {
      const account::FillParty& party = side == Side::kBuy ? f.buyer : f.seller;
      c.trades.push_back(Trade{.execution = f.execution, .account = party.account,
                               .order = party.order, .symbol = f.symbol, .side = side,
                               .qty = f.qty, .price = f.price, .notional = cost,
                               .realized_pnl = side == Side::kSell ? cost : Cents{0},
                               .tick = f.tick, .time = f.time});
    }
    rows += 3;
    if (absl::Status ok = flush(store, c, rows, i + 1 == shape.fills); !ok.ok()) return ok;
  }
  return absl::OkStatus();
}

absl::Status fill_store(Store& store, const Shape& shape, double& seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  absl::Status ok = fill_accounts(store, shape);
  if (ok.ok()) ok = fill_fills(store, shape);
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return ok;
}

// --- Opening (the child) --------------------------------------------------------------------

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

absl::StatusOr<std::shared_ptr<Store>> open_store(const std::string& kind,
                                                  const std::string& where) {
  if (kind == "sqlite") {
    // kNone: reading every page at each start (kQuick) costs ~8 s a 1.6 GB file by itself
    // (docs/sqlite-store.md); a ledger this size is told to skip it.
    auto store = account::SqliteStore::open(
        where, {.integrity_check = account::SqliteIntegrityCheck::kNone});
    if (!store.ok()) return store.status();
    return std::shared_ptr<Store>(std::move(*store));
  }
  auto store = account::PostgresStore::open(where, {});
  if (!store.ok()) return store.status();
  return std::shared_ptr<Store>(std::move(*store));
}

// Checks what the opened ledger says against the shape it was filled with.
absl::Status check_opened(AccountService& service, const Shape& shape) {
  if (service.account_count() != static_cast<size_t>(shape.accounts)) {
    return absl::InternalError("account count " + std::to_string(service.account_count()));
  }
  const uint64_t user = static_cast<uint64_t>(shape.accounts);
  absl::StatusOr<Cents> available = service.available_cash(AccountId{user});
  if (!available.ok()) return available.status();
  const Qty remaining = kBuyQty - Qty{fills_of_user(shape, user) * kFillQty.value()};
  const Cents want = kUserCredit - times(fill_cost(), fills_of_user(shape, user)) -
                     *account::reserve_notional(remaining, kBuyLimit);
  if (*available != want) {
    return absl::InternalError("available cash " + std::to_string(available->value()) +
                               ", want " + std::to_string(want.value()));
  }
  // The user's history, from memory or (trades not loaded at open) from the store.
  absl::StatusOr<std::vector<account::Trade>> history = service.trade_history(AccountId{user}, 5);
  if (!history.ok()) return history.status();
  if (history->size() != static_cast<size_t>(std::min<int64_t>(5, fills_of_user(shape, user)))) {
    return absl::InternalError("trade history of " + std::to_string(history->size()));
  }
  // The oldest and the newest fill come back as duplicates, from memory.
  for (const int64_t i : {int64_t{0}, shape.fills - 1}) {
    absl::StatusOr<account::SettlementReceipt> again = service.settle(make_fill(shape, i));
    if (account::reason_of(again) != account::Reason::kDuplicateExecution) {
      return absl::InternalError("fill " + std::to_string(i) + " redelivered: " +
                                 again.status().ToString());
    }
  }
  return absl::OkStatus();
}

// The store's load() alone, as AccountService::open() asks for it, then once more without
// trades: how the open's time splits between the store and the ledger's restore
// (from_snapshot), and what the trades cost.
int load_child(const std::string& kind, const std::string& where, const Shape& shape) {
  absl::StatusOr<std::shared_ptr<Store>> store = open_store(kind, where);
  if (!store.ok()) return fail("opening the store", store.status());
  const account::LedgerLimits limits;
  for (const size_t trades_max : {limits.trades_in_memory_per_account_max, size_t{0}}) {
    const std::string load = account::bench::load_average();
    const auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<account::LedgerSnapshot> snapshot = (*store)->load(
        {.execution_retention = limits.execution_retention,
         .reservations_finished_since = open_time(shape) - limits.finished_reservation_retention,
         .trades_per_account_max = trades_max});
    if (!snapshot.ok()) return fail("load", snapshot.status());
    const double seconds = since(t0);
    const account::bench::ProcessMemory m = account::bench::process_memory();
    std::printf("%-8s load() alone%s %.2f s, load %s | %zu accounts, %zu reservations, %zu "
                "executions, %zu trades | VmRSS %.0f MiB, VmHWM %.0f MiB\n",
                kind.c_str(), trades_max == 0 ? ", without trades," : "", seconds, load.c_str(),
                snapshot->accounts.size(), snapshot->reservations.size(),
                snapshot->executions.size(), snapshot->trades.size(), m.rss_mib(), m.hwm_mib());
    std::fflush(stdout);
  }
  return 0;
}

int open_child(const std::string& kind, const std::string& where, const Shape& shape,
               bool history_loaded) {
  const std::string load = account::bench::load_average();
  const account::bench::ProcessMemory baseline = account::bench::process_memory();
  const auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<std::shared_ptr<Store>> store = open_store(kind, where);
  if (!store.ok()) return fail("opening the store", store.status());
  const double store_open = since(t0);
  auto clock = std::make_shared<account::ManualClock>(open_time(shape));
  account::LedgerLimits limits;
  limits.trade_history_loaded_at_open = history_loaded;
  absl::StatusOr<std::unique_ptr<AccountService>> service =
      AccountService::open({.store = *store, .clock = clock, .limits = limits});
  if (!service.ok()) return fail("AccountService::open", service.status());
  const double total = since(t0);
  const account::bench::ProcessMemory opened = account::bench::process_memory();
  account::bench::trim_heap();
  const account::bench::ProcessMemory loaded = account::bench::process_memory();
  const double heap = account::bench::heap_in_use_mib();
  if (absl::Status ok = check_opened(**service, shape); !ok.ok()) return fail("check", ok);
  std::printf(
      "%-8s open, trade history %s, %.2f s (store %.2f s, AccountService::open %.2f s), load "
      "%s | VmRSS baseline %.0f MiB, after open %.0f MiB, loaded state %.0f MiB (heap in use "
      "%.0f MiB) | VmHWM %.0f MiB = %.2fx the loaded state\n",
      kind.c_str(), history_loaded ? "loaded" : "lazy", total, store_open, total - store_open, load.c_str(), baseline.rss_mib(),
      opened.rss_mib(), loaded.rss_mib(), heap, opened.hwm_mib(),
      opened.hwm_mib() / loaded.rss_mib());
  std::fflush(stdout);
  return 0;
}

// --- The parent -----------------------------------------------------------------------------

struct Options {
  Shape shape;
  std::string store = "both";
  std::string dir = "/tmp/account-restart";
  std::string postgres_url;
  bool fill = true;
  int opens = 2;
  std::string history = "both";  // The opens: trade history loaded at open, lazy, or both.
  bool load_alone = true;  // Also time the store's load() alone, in one more child.
};

// Runs this program again with `args` (and `env_url` in ACCOUNT_RESTART_URL) and waits.
int run_child(const std::vector<std::string>& args, const std::string& env_url) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    setenv("ACCOUNT_RESTART_URL", env_url.c_str(), 1);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

std::vector<std::string> shape_args(const Shape& s) {
  return {"--accounts", std::to_string(s.accounts), "--fills", std::to_string(s.fills),
          "--symbols", std::to_string(s.symbols)};
}

int open_times(const char* self, const std::string& kind, const std::string& where,
               const Options& o) {
  int failed = 0;
  for (const char* history : {"loaded", "lazy"}) {
    if (o.history != "both" && o.history != history) continue;
    for (int k = 0; k < o.opens; ++k) {
      std::vector<std::string> args = {self, "--open", kind, "--history", history};
      for (const std::string& a : shape_args(o.shape)) args.push_back(a);
      failed |= run_child(args, where);
    }
  }
  if (o.load_alone) {
    std::vector<std::string> args = {self, "--load", kind};
    for (const std::string& a : shape_args(o.shape)) args.push_back(a);
    failed |= run_child(args, where);
  }
  return failed;
}

int run_sqlite(const char* self, const Options& o) {
  mkdir(o.dir.c_str(), 0755);
  const std::string path = o.dir + "/restart.db";
  const std::string marker = path + ".shape";
  std::string want;
  for (const std::string& a : shape_args(o.shape)) want += a + " ";
  std::string have;
  std::getline(std::ifstream(marker), have);
  if (have != want) {
    for (const char* suffix : {"", "-wal", "-shm", "-lock", ".shape"}) {
      unlink((path + suffix).c_str());
    }
    auto store = account::SqliteStore::open(path, {});
    if (!store.ok()) return fail("creating " + path, store.status());
    double seconds = 0;
    if (absl::Status ok = fill_store(**store, o.shape, seconds); !ok.ok()) {
      return fail("filling SQLite", ok);
    }
    store->reset();
    struct stat st {};
    stat(path.c_str(), &st);
    std::printf("sqlite   filled in %.0f s (through SqliteStore::commit, %zu rows a commit): "
                "%.0f MiB, load %s\n",
                seconds, kRowsPerCommit, static_cast<double>(st.st_size) / 1048576.0,
                account::bench::load_average().c_str());
    std::ofstream(marker) << want << "\n";
  }
  return open_times(self, "sqlite", path, o);
}

// What autovacuum does to freshly written tables a while after the fill, done at once so that
// the opens read a database in its steady state: statistics for the planner, the visibility map,
// the rows' hint bits set (the first reader of a fresh row sets them, writing its page).
absl::Status vacuum(const std::string& url) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(PQerrorMessage(conn.get()));
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), "VACUUM (ANALYZE)"),
                                                  &PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return absl::InternalError(PQresultErrorMessage(r.get()));
  }
  std::printf("postgres VACUUM (ANALYZE) after the fill: %.0f s\n", since(t0));
  return absl::OkStatus();
}

int run_postgres(const char* self, const Options& o) {
  std::string url = o.postgres_url;
  if (url.empty()) {
    absl::StatusOr<account::testing::PostgresServer*> server =
        account::testing::PostgresServer::shared();
    if (!server.ok()) return fail("starting PostgreSQL", server.status());
    absl::StatusOr<std::string> created = (*server)->create_database();
    if (!created.ok()) return fail("creating a database", created.status());
    url = *created;
  }
  if (o.fill) {
    auto store = account::PostgresStore::open(url, {});
    if (!store.ok()) return fail("opening PostgreSQL", store.status());
    double seconds = 0;
    if (absl::Status ok = fill_store(**store, o.shape, seconds); !ok.ok()) {
      return fail("filling PostgreSQL", ok);
    }
    std::printf("postgres filled in %.0f s (through PostgresStore::commit, %zu rows a commit), "
                "load %s\n",
                seconds, kRowsPerCommit, account::bench::load_average().c_str());
    if (absl::Status ok = vacuum(url); !ok.ok()) return fail("VACUUM", ok);
  }
  return open_times(self, "postgres", url, o);
}

bool parse(int argc, char** argv, Options& o, std::string& open_kind) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--no-fill") {
      o.fill = false;
      continue;
    }
    if (flag == "--no-load-alone") {
      o.load_alone = false;
      continue;
    }
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    if (flag == "--accounts") {
      o.shape.accounts = std::atoll(value.c_str());
    } else if (flag == "--fills") {
      o.shape.fills = std::atoll(value.c_str());
    } else if (flag == "--symbols") {
      o.shape.symbols = std::atoll(value.c_str());
    } else if (flag == "--store") {
      o.store = value;
    } else if (flag == "--dir") {
      o.dir = value;
    } else if (flag == "--postgres-url") {
      o.postgres_url = value;
    } else if (flag == "--history") {
      o.history = value;
    } else if (flag == "--opens") {
      o.opens = std::atoi(value.c_str());
    } else if (flag == "--open" || flag == "--load") {
      open_kind = flag.substr(2) + ":" + value;
    } else {
      return false;
    }
  }
  return o.shape.symbols > 0 && o.shape.accounts > o.shape.symbols && o.shape.fills > 0 &&
         (o.store == "both" || o.store == "sqlite" || o.store == "postgres") &&
         (o.history == "both" || o.history == "loaded" || o.history == "lazy");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string open_kind;
  if (!parse(argc, argv, o, open_kind)) {
    std::fprintf(stderr,
                 "usage: restart_benchmark [--store sqlite|postgres|both] [--accounts N] "
                 "[--fills N] [--symbols N] [--dir DIR] [--postgres-url URL] [--no-fill] "
                 "[--opens N] [--history loaded|lazy|both] [--no-load-alone]\n");
    return 2;
  }
  if (!open_kind.empty()) {
    const char* where = std::getenv("ACCOUNT_RESTART_URL");
    const std::string kind = open_kind.substr(open_kind.find(':') + 1);
    return open_kind.rfind("load:", 0) == 0
               ? load_child(kind, where == nullptr ? "" : where, o.shape)
               : open_child(kind, where == nullptr ? "" : where, o.shape, o.history != "lazy");
  }
  std::printf("restart_benchmark: %lld accounts, %lld active reservations, %lld fills (%lld "
              "trades) in the window\n",
              static_cast<long long>(o.shape.accounts), static_cast<long long>(o.shape.accounts),
              static_cast<long long>(o.shape.fills), static_cast<long long>(2 * o.shape.fills));
  int failed = 0;
  if (o.store != "postgres") failed |= run_sqlite(argv[0], o);
  if (o.store != "sqlite") failed |= run_postgres(argv[0], o);
  return failed;
}
