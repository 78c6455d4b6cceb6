// Ledger hot paths on the in-memory store: settling fills, and reserving then freeing orders.
//
//   BM_Settle                  settle(), one fill per call
//   BM_SettleBatch/N           settle_batch() with N fills per call (one store transaction)
//   BM_SettleBatchPublish/N    the same, then end_of_tick(): one engine tick's ledger work
//   BM_SettleBatchPreallocated/N  settle_batch() on a ledger and a MemoryStore that allocated and
//                              touched the run's memory when they opened
//                              (AccountServiceOptions::fills_preallocated, MemoryStoreOptions):
//                              the same work without the page faults of fresh memory
//   BM_SettleBatchManyAccounts/N  settle_batch() with 4,096 buyers instead of 64, so that a
//                              batch of 1,000 fills touches 1,008 accounts, not 72
//   BM_SettleBatchManyAccountsPreallocated/N  the same, preallocated
//   BM_ReserveRelease          reserve_buy() then release_reservation(), one pair per iteration
//   BM_ReserveCancel           reserve_buy() then cancel_order()
//   BM_ReserveReleaseBatch/N   reserve_batch() of N buy orders, then release_batch() of them:
//                              N pairs per iteration in two store transactions
//   BM_ReserveReleaseBatchPreallocated/N  the same on a ledger and store that took and touched
//                              the run's reservation memory at open
//                              (AccountServiceOptions::reservations_preallocated)
//   BM_FloorReserveReleaseBatch/N  BM_ReserveReleaseBatchPreallocated's work on the ledger's own
//                              structures (src/) alone, each touched once: no overlay, change
//                              set, lock or commit protocol. The least any design keeping those
//                              structures and a store image can cost.
//   BM_Naive*                  the same work done by a std::mutex and std::unordered_maps that
//                              apply cash and position changes directly: no validation, no
//                              change set, no store, no exactly-once bookkeeping. It is the floor
//                              the ledger's figures are read against, measured in the same run.
//
// items_per_second is fills per second (settlement) or reserve+free pairs per second.
//
// Every run settles 1,000,000 fills (or makes 1,000,000 reserve+free pairs) into a fresh ledger
// built before the timed loop, so that all variants end with the same state in memory: the cost
// of a fill grows with the executions the ledger keeps for dedupe (all of these fills are inside
// its 24-hour window), and runs of different lengths would not compare. The settlement ledger has
// 64 buyers with one 100,000-share buy order each and 8 market makers with one 100,000-share sell
// order each (one per player); the fills (0.01 share at $99.50, buyer i against the market maker
// of player i % 8, built ahead too) draw on those same orders all run long. Every result is
// checked: a refused command turns the run into an error rather than a faster figure.
//
// Run one benchmark per process (--benchmark_filter='^BM_SettleBatch/1000') for figures that
// compare: in one process a benchmark reuses the heap pages that the one before it freed, and
// skips the page faults it would otherwise take (up to half of its time; docs/ledger.md).
//
//   build/release/benchmarks/ledger_benchmark
//   build/release/benchmarks/ledger_benchmark --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true    (one command line)
//   LEDGER_BENCHMARK_ITEMS=100000 valgrind --tool=callgrind --toggle-collect='*settle_batches*'
//       build/release/benchmarks/ledger_benchmark --benchmark_filter='BM_SettleBatch/1000'
//       (instructions over the timed loop; divide by the items)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/limits.h"
#include "account/notional.h"
#include "ascending_key_map.h"
#include "chunked_fifo.h"
#include "expiry_queue.h"
#include "ledger_state.h"
#include "reservation_table.h"
#include "support/settlement_fixture.h"

namespace {

using account::bench::funded_account;
using account::bench::kBuyLimit;
using account::bench::kBuyers;
using account::bench::kBuyerCash;
using account::bench::kFillCapacity;
using account::bench::kPlayers;
using account::bench::report;

using account::AccountId;
using account::AccountService;
using account::Cents;
using account::ExecutionId;
using account::Fill;
using account::FillParty;
using account::OrderId;
using account::OrderSpec;
using account::Price;
using account::Qty;
using account::SymbolId;
using account::TickId;
using account::kBpPerShare;

// LEDGER_BENCHMARK_ITEMS shortens runs (a multiple of 1,000), e.g. to 100000 for callgrind, whose
// instruction counts per operation are the figures that do not move with the machine's load.
// Buyers of BM_SettleBatchManyAccounts.
constexpr size_t kManyBuyers = 4'096;

int64_t items_per_run() {
  const char* text = std::getenv("LEDGER_BENCHMARK_ITEMS");
  const int64_t items = text == nullptr ? 0 : std::atoll(text);
  return items >= 1'000 ? items / 1'000 * 1'000 : 1'000'000;
}
const int64_t kItemsPerRun = items_per_run();

// --- Ledger fixtures ------------------------------------------------------------------------

struct Ledger {
  std::unique_ptr<AccountService> service;
  account::bench::SettlementParties parties;
};

// Fills and reservations whose memory the ledger and its store take and touch at open.
absl::StatusOr<std::unique_ptr<AccountService>> open_ledger(size_t fills_preallocated = 0,
                                                            size_t reservations_preallocated = 0) {
  return AccountService::open(
      {.store = std::make_shared<account::MemoryStore>(
           account::MemoryStoreOptions{.fills_preallocated = fills_preallocated,
                                       .reservations_preallocated = reservations_preallocated}),
       .clock = std::make_shared<account::ManualClock>(account::bench::bench_start()),
       .fills_preallocated = fills_preallocated,
       .reservations_preallocated = reservations_preallocated});
}

absl::StatusOr<Ledger> make_settlement_ledger(size_t fills_preallocated, size_t buyers) {
  absl::StatusOr<std::unique_ptr<AccountService>> service = open_ledger(fills_preallocated);
  if (!service.ok()) return service.status();
  Ledger ledger{.service = std::move(*service)};
  if (absl::Status s =
          account::bench::add_settlement_parties(*ledger.service, ledger.parties, buyers);
      !s.ok()) {
    return s;
  }
  return ledger;
}

// Builds the ledger and `count` fills, or marks the run as an error and returns nothing.
std::optional<std::pair<Ledger, std::vector<Fill>>> settlement_inputs(
    benchmark::State& state, int64_t count, bool preallocated = false, size_t buyers = kBuyers) {
  // Each market maker's order serves an eighth of the fills, each buyer's a 64th: the market
  // makers' orders run out first, at kFillCapacity fills.
  if (count > kFillCapacity) {
    state.SkipWithError("more fills than the fixture's orders can take");
    return std::nullopt;
  }
  absl::StatusOr<Ledger> ledger =
      make_settlement_ledger(preallocated ? static_cast<size_t>(count) : 0, buyers);
  if (!ledger.ok()) {
    state.SkipWithError(("fixture: " + ledger.status().ToString()).c_str());
    return std::nullopt;
  }
  std::vector<Fill> fills = account::bench::make_settlement_fills(ledger->parties, count);
  return std::pair{std::move(*ledger), std::move(fills)};
}

// --- Settlement -------------------------------------------------------------------------------

void BM_Settle(benchmark::State& state) {
  auto inputs = settlement_inputs(state, state.max_iterations);
  if (!inputs) return;
  AccountService& service = *inputs->first.service;
  const std::vector<Fill>& fills = inputs->second;
  size_t next = 0;
  int64_t refused = 0;
  absl::Status first;
  for (auto _ : state) {
    absl::StatusOr<account::SettlementReceipt> r = service.settle(fills[next++]);
    if (!r.ok() && refused++ == 0) first = r.status();
  }
  report(state, static_cast<int64_t>(next), refused, first);
}

void settle_batches(benchmark::State& state, bool publish, bool preallocated = false,
                    size_t buyers = kBuyers) {
  const int64_t batch = state.range(0);
  auto inputs = settlement_inputs(state, state.max_iterations * batch, preallocated, buyers);
  if (!inputs) return;
  AccountService& service = *inputs->first.service;
  const absl::Span<const Fill> fills(inputs->second);
  size_t offset = 0;
  uint64_t tick = 0;
  int64_t refused = 0;
  absl::Status first;
  for (auto _ : state) {
    const auto results = service.settle_batch(fills.subspan(offset, static_cast<size_t>(batch)));
    offset += static_cast<size_t>(batch);
    for (const auto& r : results) {
      if (!r.ok() && refused++ == 0) first = r.status();
    }
    if (publish) {
      const absl::Status s = service.end_of_tick(TickId{++tick});
      if (!s.ok() && refused++ == 0) first = s;
    }
  }
  report(state, static_cast<int64_t>(offset), refused, first);
}

void BM_SettleBatch(benchmark::State& state) { settle_batches(state, false); }
void BM_SettleBatchPublish(benchmark::State& state) { settle_batches(state, true); }
void BM_SettleBatchPreallocated(benchmark::State& state) { settle_batches(state, false, true); }
void BM_SettleBatchManyAccounts(benchmark::State& state) {
  settle_batches(state, false, false, kManyBuyers);
}
void BM_SettleBatchManyAccountsPreallocated(benchmark::State& state) {
  settle_batches(state, false, true, kManyBuyers);
}

// --- Reserve and free -------------------------------------------------------------------------

enum class FreeBy { kRelease, kCancel };

void reserve_and_free(benchmark::State& state, FreeBy free_by) {
  absl::StatusOr<std::unique_ptr<AccountService>> service = open_ledger();
  if (!service.ok()) return state.SkipWithError(service.status().ToString().c_str());
  std::vector<AccountId> accounts;
  for (size_t b = 0; b < kBuyers; ++b) {
    absl::StatusOr<AccountId> id = funded_account(**service, "buyer-" + std::to_string(b));
    if (!id.ok()) return state.SkipWithError(id.status().ToString().c_str());
    accounts.push_back(*id);
  }
  // One share of player 1 at $100 per order, round-robin over the accounts.
  OrderSpec spec{.symbol = SymbolId{1}, .qty = Qty{kBpPerShare}, .limit = kBuyLimit};
  uint64_t next_order = 1;
  int64_t refused = 0;
  absl::Status first;
  for (auto _ : state) {
    spec.account = accounts[next_order % kBuyers];
    spec.order = OrderId{next_order++};
    absl::StatusOr<account::ReservationId> id = (*service)->reserve_buy(spec);
    absl::Status freed = id.status();
    if (id.ok()) {
      freed = free_by == FreeBy::kRelease ? (*service)->release_reservation(*id)
                                          : (*service)->cancel_order(spec.order);
    }
    if (!freed.ok() && refused++ == 0) first = freed;
  }
  report(state, static_cast<int64_t>(next_order - 1), refused, first);
}

void BM_ReserveRelease(benchmark::State& state) { reserve_and_free(state, FreeBy::kRelease); }

// The same orders as BM_ReserveRelease, admitted and released `batch` at a time; with
// `preallocated`, on a ledger and store that took and touched the run's memory at open.
void reserve_release_batches(benchmark::State& state, bool preallocated) {
  const size_t batch = static_cast<size_t>(state.range(0));
  absl::StatusOr<std::unique_ptr<AccountService>> service =
      open_ledger(0, preallocated ? static_cast<size_t>(state.max_iterations) * batch : 0);
  if (!service.ok()) return state.SkipWithError(service.status().ToString().c_str());
  std::vector<AccountId> accounts;
  for (size_t b = 0; b < kBuyers; ++b) {
    absl::StatusOr<AccountId> id = funded_account(**service, "buyer-" + std::to_string(b));
    if (!id.ok()) return state.SkipWithError(id.status().ToString().c_str());
    accounts.push_back(*id);
  }
  std::vector<OrderSpec> specs(batch, OrderSpec{.symbol = SymbolId{1}, .qty = Qty{kBpPerShare},
                                                .limit = kBuyLimit});
  std::vector<account::ReservationId> ids(batch);
  uint64_t next_order = 1;
  int64_t refused = 0;
  absl::Status first;
  for (auto _ : state) {
    for (OrderSpec& spec : specs) {
      spec.account = accounts[next_order % kBuyers];
      spec.order = OrderId{next_order++};
    }
    const auto reserved = (*service)->reserve_batch(specs, account::Side::kBuy);
    ids.clear();
    for (const auto& id : reserved) {
      if (id.ok()) {
        ids.push_back(*id);
      } else if (refused++ == 0) {
        first = id.status();
      }
    }
    for (const absl::Status& freed : (*service)->release_batch(ids)) {
      if (!freed.ok() && refused++ == 0) first = freed;
    }
  }
  report(state, static_cast<int64_t>(next_order - 1), refused, first);
}
void BM_ReserveCancel(benchmark::State& state) { reserve_and_free(state, FreeBy::kCancel); }
void BM_ReserveReleaseBatch(benchmark::State& state) { reserve_release_batches(state, false); }
void BM_ReserveReleaseBatchPreallocated(benchmark::State& state) {
  reserve_release_batches(state, true);
}

// --- Baseline -----------------------------------------------------------------------------------

// The least a thread-safe ledger could do: one mutex, hash maps, and the arithmetic.
class NaiveLedger {
 public:
  void deposit(AccountId account, Cents cash) { accounts_[account.value()].cash += cash.value(); }

  void settle(const Fill& fill) {
    std::lock_guard<std::mutex> lock(mu_);
    apply(fill);
  }

  void settle_batch(absl::Span<const Fill> fills) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Fill& fill : fills) apply(fill);
  }

  void reserve_buy(const OrderSpec& spec) {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t notional = account::reserve_notional(spec.qty, spec.limit)->value();
    accounts_[spec.account.value()].reserved += notional;
    reservations_.emplace(spec.order.value(), Held{spec.account.value(), notional});
  }

  void release(OrderId order) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = reservations_.find(order.value());
    if (it == reservations_.end()) return;
    accounts_[it->second.account].reserved -= it->second.cash;
    reservations_.erase(it);
  }

  int64_t total_cash() const {
    int64_t sum = 0;
    for (const auto& [id, a] : accounts_) sum += a.cash;
    return sum;
  }

 private:
  struct Balance {
    int64_t cash = 0;
    int64_t reserved = 0;
  };
  struct Held {
    uint64_t account;
    int64_t cash;
  };

  static uint64_t position_key(AccountId account, SymbolId symbol) {
    return account.value() << 20 | symbol.value();
  }

  void apply(const Fill& fill) {
    const int64_t notional = account::fill_notional(fill.qty, fill.price)->value();
    accounts_[fill.buyer.account.value()].cash -= notional;
    accounts_[fill.seller.account.value()].cash += notional;
    positions_[position_key(fill.buyer.account, fill.symbol)] += fill.qty.value();
    positions_[position_key(fill.seller.account, fill.symbol)] -= fill.qty.value();
  }

  std::mutex mu_;
  std::unordered_map<uint64_t, Balance> accounts_;
  std::unordered_map<uint64_t, int64_t> positions_;
  std::unordered_map<uint64_t, Held> reservations_;
};

// The same accounts and fills as the ledger's runs, on the naive ledger.
std::vector<Fill> naive_fills(NaiveLedger& naive, int64_t count) {
  account::bench::SettlementParties ids;
  for (size_t p = 1; p <= kPlayers; ++p) ids.sellers.push_back({AccountId{p}, OrderId{p}});
  for (size_t b = 0; b < kBuyers; ++b) {
    const uint64_t id = kPlayers + 1 + b;
    ids.buyers.push_back({AccountId{id}, OrderId{id}});
    naive.deposit(AccountId{id}, kBuyerCash);
  }
  return account::bench::make_settlement_fills(ids, count);
}

void BM_NaiveSettle(benchmark::State& state) {
  NaiveLedger naive;
  const std::vector<Fill> fills = naive_fills(naive, state.max_iterations);
  size_t next = 0;
  for (auto _ : state) naive.settle(fills[next++]);
  benchmark::DoNotOptimize(naive.total_cash());
  state.SetItemsProcessed(static_cast<int64_t>(next));
}

void BM_NaiveSettleBatch(benchmark::State& state) {
  const int64_t batch = state.range(0);
  NaiveLedger naive;
  const std::vector<Fill> fills = naive_fills(naive, state.max_iterations * batch);
  const absl::Span<const Fill> all(fills);
  size_t offset = 0;
  for (auto _ : state) {
    naive.settle_batch(all.subspan(offset, static_cast<size_t>(batch)));
    offset += static_cast<size_t>(batch);
  }
  benchmark::DoNotOptimize(naive.total_cash());
  state.SetItemsProcessed(static_cast<int64_t>(offset));
}

void BM_NaiveReserveRelease(benchmark::State& state) {
  NaiveLedger naive;
  for (uint64_t b = 1; b <= kBuyers; ++b) naive.deposit(AccountId{b}, kBuyerCash);
  OrderSpec spec{.symbol = SymbolId{1}, .qty = Qty{kBpPerShare}, .limit = kBuyLimit};
  uint64_t next_order = 1;
  for (auto _ : state) {
    spec.account = AccountId{next_order % kBuyers + 1};
    spec.order = OrderId{next_order++};
    naive.reserve_buy(spec);
    naive.release(spec.order);
  }
  benchmark::DoNotOptimize(naive.total_cash());
  state.SetItemsProcessed(static_cast<int64_t>(next_order - 1));
}

// --- Floor --------------------------------------------------------------------------------------

// What a reserve+release pair cannot go without, on the ledger's own structures (src/), with
// nothing around them: the cash, order and cap checks; the account's and the position's
// figures; the reservation written in two images (the store's and the ledger's), made and then
// finished; the order index, the expiry queue, the account's active list, the finished list
// the risk dirty sets and the expiry queue's compaction. No overlay, change set, lock, group commit or store log. It bounds
// from below any design that keeps the ledger's indexes and a store image apart from its own,
// and BM_ReserveReleaseBatchPreallocated is read against it.
class FloorLedger {
 public:
  FloorLedger(size_t accounts, size_t reservations) : accounts_(accounts + 1) {
    ledger_rows_.reserve(reservations);
    store_rows_.reserve(reservations);
    by_order_.reserve(reservations);
    finished_.reserve(reservations);
  }

  void deposit(AccountId account, Cents cash) { accounts_[account.value()].cash += cash; }

  // The new reservation's id, or an invalid one when refused.
  account::ReservationId reserve_buy(const OrderSpec& spec, absl::Time now) {
    Record& a = accounts_[spec.account.value()];
    const Cents notional = account::reserve_notional(spec.qty, spec.limit).value_or(Cents{-1});
    if (notional.value() < 0 || a.cash - a.reserved_cash < notional ||
        a.open_notional + notional > limits_.open_notional_cap ||
        !by_order_.above_every_key(spec.order.value())) {
      return {};
    }
    account::Position& p = a.positions[spec.symbol];
    if (p.qty + p.buy_pending_qty + spec.qty > limits_.position_cap_qty) return {};
    a.reserved_cash += notional;
    a.open_notional += notional;
    p.buy_pending_qty += spec.qty;
    const account::Reservation r{.id = account::ReservationId{next_id_++},
                                 .account = spec.account,
                                 .order = spec.order,
                                 .symbol = spec.symbol,
                                 .side = account::Side::kBuy,
                                 .limit = spec.limit,
                                 .order_qty = spec.qty,
                                 .remaining_qty = spec.qty,
                                 .reserved_cash = notional,
                                 .created_at = now,
                                 .expires_at = now + absl::Hours(24 * 7),
                                 .updated_at = now};
    store_rows_.put(r);
    ledger_rows_.put(r);
    by_order_.insert(spec.order.value(), r.id.value());
    expiry_.push(r.expires_at, r.id);
    a.active.push_back(r.id);
    ++active_;
    touch(spec.account, a);
    return r.id;
  }

  bool release(account::ReservationId id, absl::Time now) {
    const account::Reservation* r = ledger_rows_.find(id);
    if (r == nullptr || !r->active()) return false;
    account::Reservation next = *r;
    Record& a = accounts_[next.account.value()];
    account::Position& p = a.positions[next.symbol];
    a.reserved_cash -= next.reserved_cash;
    a.open_notional -= next.reserved_cash;
    p.buy_pending_qty -= next.remaining_qty;
    next.status = account::ReservationStatus::kReleased;
    next.reserved_cash = Cents{0};
    next.updated_at = now;
    store_rows_.put(next);
    ledger_rows_.put(next);
    auto at = std::lower_bound(a.active.begin(), a.active.end(), id);
    if (at != a.active.end() && *at == id) a.active.erase(at);
    finished_.emplace_back(now, id);
    touch(next.account, a);
    --active_;
    return true;
  }

  // What the ledger does after each batch: the accounts the batch touched, and their one
  // position, join the risk dirty sets (once per account per batch, as the ledger applies
  // them); once the released reservations' expiry entries outnumber the live ones (plus the
  // same slack), they are dropped (LedgerState::prune).
  void end_batch() {
    for (AccountId id : touched_) {
      accounts_[id.value()].touched = false;
      dirty_accounts_.insert(id);
      dirty_positions_.insert({id, SymbolId{1}});
    }
    touched_.clear();
    if (expiry_.size() <= 2 * active_ + 4'096) return;
    expiry_.compact([this](const account::internal::ExpiryQueue::Entry& e) {
      const account::Reservation* r = ledger_rows_.find(e.reservation);
      return r == nullptr || !r->active() || r->expires_at != e.expires_at;
    });
  }

  int64_t reserved_cash() const {
    int64_t sum = 0;
    for (const Record& a : accounts_) sum += a.reserved_cash.value();
    return sum;
  }

 private:
  struct Record {
    Cents cash;
    Cents reserved_cash;
    Cents open_notional;
    absl::btree_map<SymbolId, account::Position> positions;
    std::vector<account::ReservationId> active;
    bool touched = false;  // In this batch.
  };

  void touch(AccountId id, Record& a) {
    if (a.touched) return;
    a.touched = true;
    touched_.push_back(id);
  }

  account::LedgerLimits limits_;
  std::vector<Record> accounts_;  // Index = account id.
  account::internal::ReservationTable store_rows_;
  account::internal::ReservationTable ledger_rows_;
  account::internal::AscendingKeyMap by_order_;
  account::internal::ExpiryQueue expiry_;
  account::internal::ChunkedFifo<std::pair<absl::Time, account::ReservationId>> finished_;
  absl::flat_hash_set<AccountId> dirty_accounts_;
  absl::flat_hash_set<account::internal::PositionKey> dirty_positions_;
  std::vector<AccountId> touched_;  // This batch's accounts.
  uint64_t next_id_ = 1;
  size_t active_ = 0;  // Active reservations.
};

// BM_ReserveReleaseBatchPreallocated's orders, `batch` reserved then `batch` released, on the
// floor.
void BM_FloorReserveReleaseBatch(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  FloorLedger floor(kBuyers, static_cast<size_t>(state.max_iterations) * batch);
  for (uint64_t b = 1; b <= kBuyers; ++b) floor.deposit(AccountId{b}, kBuyerCash);
  const absl::Time now = account::bench::bench_start();
  std::vector<account::ReservationId> ids(batch);
  OrderSpec spec{.symbol = SymbolId{1}, .qty = Qty{kBpPerShare}, .limit = kBuyLimit};
  uint64_t next_order = 1;
  int64_t refused = 0;
  for (auto _ : state) {
    for (account::ReservationId& id : ids) {
      spec.account = AccountId{next_order % kBuyers + 1};
      spec.order = OrderId{next_order++};
      id = floor.reserve_buy(spec, now);
    }
    floor.end_batch();
    for (account::ReservationId id : ids) refused += floor.release(id, now) ? 0 : 1;
    floor.end_batch();
  }
  benchmark::DoNotOptimize(floor.reserved_cash());
  report(state, static_cast<int64_t>(next_order - 1), refused,
         absl::FailedPreconditionError("the floor refused a reservation"));
}

// Every benchmark runs on one thread, so items_per_second is taken over that thread's CPU time
// (Google Benchmark's default): on a quiet machine it equals real time, and on a shared one it
// is not inflated by other processes taking the cores.
BENCHMARK(BM_Settle)->Iterations(kItemsPerRun);
BENCHMARK(BM_NaiveSettle)->Iterations(kItemsPerRun);
BENCHMARK(BM_SettleBatch)->Arg(100)->Iterations(kItemsPerRun / 100);
BENCHMARK(BM_SettleBatch)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);
BENCHMARK(BM_SettleBatchPublish)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);
BENCHMARK(BM_SettleBatchPreallocated)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);
BENCHMARK(BM_SettleBatchManyAccounts)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);
BENCHMARK(BM_SettleBatchManyAccountsPreallocated)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);
BENCHMARK(BM_NaiveSettleBatch)->Arg(100)->Iterations(kItemsPerRun / 100);
BENCHMARK(BM_NaiveSettleBatch)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);
BENCHMARK(BM_ReserveRelease)->Iterations(kItemsPerRun);
BENCHMARK(BM_ReserveCancel)->Iterations(kItemsPerRun);
BENCHMARK(BM_ReserveReleaseBatch)->Arg(100)->Iterations(kItemsPerRun / 100);
BENCHMARK(BM_ReserveReleaseBatch)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);
BENCHMARK(BM_ReserveReleaseBatchPreallocated)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);
BENCHMARK(BM_NaiveReserveRelease)->Iterations(kItemsPerRun);
BENCHMARK(BM_FloorReserveReleaseBatch)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);

}  // namespace
