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
//   BM_FloorSettleBatch/N      BM_SettleBatchPreallocated's fills on the ledger's own structures
//                              alone, in the same way.
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
// skips the page faults it would otherwise take (up to half of its time; docs/perf/2026-11-25-ledger-fresh-memory.md).
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
#include "account/change_set.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/limits.h"
#include "account/notional.h"
#include "store/append_log.h"
#include "base/ascending_key_map.h"
#include "base/chunked_fifo.h"
#include "ledger/execution_window.h"
#include "ledger/expiry_queue.h"
#include "ledger/fill_trade.h"
#include "ledger/ledger_state.h"
#include "ledger/reservation_table.h"
#include "ledger/trade_ring.h"
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

// One account as both floors keep it: its figures, and what the ledger keeps per account (the
// reserve+release floor uses the active list, the settlement floor the trade ring).
struct FloorAccount {
  Cents cash;
  Cents reserved_cash;
  Cents open_notional;
  absl::btree_map<SymbolId, account::Position> positions;
  std::vector<account::ReservationId> active;
  account::internal::TradeRing trades;
  bool touched = false;  // In this batch.
};

// What both floors keep: the accounts, each reservation in two images (the store's and the
// ledger's), the order index and the risk dirty sets.
class FloorState {
 protected:
  explicit FloorState(size_t accounts) : accounts_(accounts + 1) {}

  // The sum of one figure over the accounts, for DoNotOptimize.
  int64_t sum_of(Cents FloorAccount::*figure) const {
    int64_t sum = 0;
    for (const FloorAccount& a : accounts_) sum += (a.*figure).value();
    return sum;
  }

  account::LedgerLimits limits_;
  std::vector<FloorAccount> accounts_;  // Index = account id.
  account::internal::ReservationTable ledger_rows_;
  account::internal::ReservationTable store_rows_;
  account::internal::AscendingKeyMap by_order_;
  absl::flat_hash_set<AccountId> dirty_accounts_;
  absl::flat_hash_set<account::internal::PositionKey> dirty_positions_;
};

// What a reserve+release pair cannot go without, on the ledger's own structures (src/), with
// nothing around them: the cash, order and cap checks; the account's and the position's
// figures; the reservation written in two images (the store's and the ledger's), made and then
// finished; the order index, the expiry queue, the account's active list, the finished list,
// the risk dirty sets and the expiry queue's compaction. No overlay, change set, lock, group
// commit or store log. It bounds from below any design that keeps the ledger's indexes and a
// store image apart from its own, and BM_ReserveReleaseBatchPreallocated is read against it.
class FloorLedger : FloorState {
 public:
  FloorLedger(size_t accounts, size_t reservations) : FloorState(accounts) {
    ledger_rows_.reserve(reservations);
    store_rows_.reserve(reservations);
    by_order_.reserve(reservations);
    finished_.reserve(reservations);
  }

  void deposit(AccountId account, Cents cash) { accounts_[account.value()].cash += cash; }

  // The new reservation's id, or an invalid one when refused.
  account::ReservationId reserve_buy(const OrderSpec& spec, absl::Time now) {
    FloorAccount& a = accounts_[spec.account.value()];
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
    FloorAccount& a = accounts_[next.account.value()];
    account::Position& p = a.positions[next.symbol];
    a.reserved_cash -= next.reserved_cash;
    a.open_notional -= next.reserved_cash;
    p.buy_pending_qty -= next.remaining_qty;
    next.status = account::ReservationStatus::kReleased;
    next.reserved_cash = Cents{0};
    next.updated_at = now;
    store_rows_.put(next);
    ledger_rows_.put(next);
    // As LedgerState::put_reservation(): the oldest first, else a search.
    auto at = !a.active.empty() && a.active.front() == id
                  ? a.active.begin()
                  : std::lower_bound(a.active.begin(), a.active.end(), id);
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

  int64_t reserved_cash() const { return sum_of(&FloorAccount::reserved_cash); }

 private:
  void touch(AccountId id, FloorAccount& a) {
    if (a.touched) return;
    a.touched = true;
    touched_.push_back(id);
  }

  account::internal::ExpiryQueue expiry_;
  account::internal::ChunkedFifo<std::pair<absl::Time, account::ReservationId>> finished_;
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

// What settling a fill cannot go without, on the ledger's own structures (src/), with nothing
// around them: the dedupe lookup; both orders found by id and checked (active, side, symbol,
// limit, quantity) and both accounts; the notional and the freed figures; the execution kept
// twice (the ledger's window, and the store's log with its id index); the two trades in the
// store's log (16 bytes each, as MemoryStore keeps them); both positions (in their btree) and
// both accounts' figures changed in place; and once per batch, the trades in the accounts' rings
// (prefetched, as the ledger writes them), for each account, position and reservation the batch
// touched the store's final image (a cash row and a position row in its log, the reservation in
// its table), and the risk dirty sets. No overlay, change set, lock, group commit, receipt or
// observer. It bounds from below any design that keeps the ledger's indexes and a store image
// apart from its own, and BM_SettleBatchPreallocated is read against it.
class FloorSettlement : FloorState {
 public:
  FloorSettlement(size_t accounts, size_t fills) : FloorState(accounts) {
    window_.reserve(fills);
    store_executions_.reserve(fills);
    store_execution_ids_.reserve(fills);
    store_trades_.reserve(2 * fills);
  }

  // An order resting on the book, in both reservation images and the order index.
  void rest(const account::Reservation& r) {
    FloorAccount& a = accounts_[r.account.value()];
    account::Position& p = a.positions[r.symbol];
    p.account = r.account;
    p.symbol = r.symbol;
    if (r.side == account::Side::kBuy) {
      a.reserved_cash += r.reserved_cash;
      p.buy_pending_qty += r.remaining_qty;
    } else {
      p.sell_reserved_qty += r.remaining_qty;
    }
    a.open_notional += *account::reserve_notional(r.remaining_qty, r.limit);
    ledger_rows_.put(r);
    store_rows_.put(r);
    by_order_.insert(r.order.value(), r.id.value());
  }
  void deposit(AccountId account, Cents cash) { accounts_[account.value()].cash += cash; }
  void issue(AccountId account, SymbolId symbol, Qty qty) {
    account::Position& p = accounts_[account.value()].positions[symbol];
    p.account = account;
    p.symbol = symbol;
    p.qty += qty;
  }

  bool settle(const Fill& fill, absl::Time now) {
    if (window_.find(fill.execution) != nullptr) return false;
    if (fill.buyer.account == fill.seller.account) return false;
    const account::Reservation* buy = leg(fill, fill.buyer, account::Side::kBuy);
    const account::Reservation* sell = leg(fill, fill.seller, account::Side::kSell);
    if (buy == nullptr || sell == nullptr) return false;
    const Cents notional = *account::fill_notional(fill.qty, fill.price);
    const Qty buy_left = buy->remaining_qty - fill.qty;
    const Qty sell_left = sell->remaining_qty - fill.qty;
    const Cents buy_held = *account::reserve_notional(buy_left, buy->limit);
    const Cents buy_freed = buy->reserved_cash - buy_held;
    const Cents buyer_open_freed = *account::reserve_notional(buy->remaining_qty, buy->limit) -
                                   buy_held;
    const Cents seller_open_freed = *account::reserve_notional(sell->remaining_qty, sell->limit) -
                                    *account::reserve_notional(sell_left, sell->limit);
    account::Reservation buy_next = *buy;
    account::Reservation sell_next = *sell;
    fill_reservation(buy_next, buy_left, now);
    buy_next.reserved_cash = buy_held;
    fill_reservation(sell_next, sell_left, now);
    ledger_rows_.put(buy_next);
    ledger_rows_.put(sell_next);
    touch_reservation(buy_next.id);
    touch_reservation(sell_next.id);

    FloorAccount& buyer = accounts_[fill.buyer.account.value()];
    FloorAccount& seller = accounts_[fill.seller.account.value()];
    account::Position& bp = buyer.positions[fill.symbol];
    bp.qty += fill.qty;
    bp.cost_basis += notional;
    bp.buy_pending_qty -= fill.qty;
    account::Position& sp = seller.positions[fill.symbol];
    const Cents removed = Cents{sp.cost_basis.value() * fill.qty.value() / sp.qty.value()};
    const Cents realized = notional - removed;
    sp.qty -= fill.qty;
    sp.cost_basis -= removed;
    sp.realized_pnl += realized;
    sp.sell_reserved_qty -= fill.qty;
    buyer.cash -= notional;
    buyer.reserved_cash -= buy_freed;
    buyer.open_notional -= buyer_open_freed;
    seller.cash += notional;
    seller.open_notional -= seller_open_freed;
    touch(fill.buyer.account, fill.symbol, buyer);
    touch(fill.seller.account, fill.symbol, seller);

    store_execution_ids_.insert(fill.execution.value(), store_executions_.size());
    store_executions_.push_back(fill);
    store_trades_.push_back({store_executions_.size() - 1, Cents{0}});
    store_trades_.push_back({store_executions_.size() - 1, realized});
    window_.push_back(fill);
    batch_trades_.push_back(account::internal::fill_trade(fill, account::Side::kBuy, notional,
                                                          Cents{0}));
    batch_trades_.push_back(account::internal::fill_trade(fill, account::Side::kSell, notional,
                                                          realized));
    return true;
  }

  // The batch's trades into their accounts' rings, as LedgerState::apply() adds them: a ring's
  // next slot was last written a thousand of its account's trades ago, so it is asked for a few
  // trades ahead (written in line, each trade waiting for its slot, this floor settled 4.8M
  // fills/s against 8.3M). Then the store's final images of what the batch touched, and the risk
  // dirty sets.
  void end_batch() {
    constexpr size_t kPrefetchAhead = 8;
    const size_t ring_max = limits_.trades_in_memory_per_account_max;
    for (size_t i = 0; i < batch_trades_.size(); ++i) {
      if (i + kPrefetchAhead < batch_trades_.size()) {
        const FloorAccount& ahead = accounts_[batch_trades_[i + kPrefetchAhead].account.value()];
        if (const account::Trade* slot = ahead.trades.next_slot()) {
          __builtin_prefetch(slot, /*rw=*/1);
          __builtin_prefetch(reinterpret_cast<const char*>(slot) + sizeof(account::Trade) - 1,
                             /*rw=*/1);
        }
      }
      accounts_[batch_trades_[i].account.value()].trades.push_back(batch_trades_[i], ring_max);
    }
    batch_trades_.clear();
    for (const auto& [id, symbol] : touched_) {
      FloorAccount& a = accounts_[id.value()];
      a.touched = false;
      store_balances_.push_back({id, a.cash});
      store_positions_.push_back(a.positions[symbol]);
      dirty_accounts_.insert(id);
      dirty_positions_.insert({id, symbol});
    }
    touched_.clear();
    for (account::ReservationId id : touched_reservations_) {
      store_rows_.put(*ledger_rows_.find(id));
    }
    touched_reservations_.clear();
    ++batch_;
  }

  int64_t total_cash() const { return sum_of(&FloorAccount::cash); }

 private:
  struct StoredTrade {
    size_t execution_row;
    Cents realized_pnl;
  };

  const account::Reservation* leg(const Fill& fill, const FillParty& party,
                                  account::Side side) const {
    const account::Reservation* r = reservation_of_order(party.order);
    if (r == nullptr) return nullptr;
    const bool outside = side == account::Side::kBuy ? fill.price > r->limit
                                                     : fill.price < r->limit;
    if (r->account != party.account || !r->active() || r->side != side ||
        r->symbol != fill.symbol || outside || fill.qty > r->remaining_qty) {
      return nullptr;
    }
    return r;
  }

  static void fill_reservation(account::Reservation& r, Qty left, absl::Time now) {
    r.remaining_qty = left;
    r.updated_at = now;
    if (left.value() == 0) r.status = account::ReservationStatus::kSettled;
  }

  // Each account trades one symbol in this fixture, so the account's first touch names it.
  void touch(AccountId id, SymbolId symbol, FloorAccount& a) {
    if (a.touched) return;
    a.touched = true;
    touched_.push_back({id, symbol});
  }
  // As the ledger finds a resting order: a direct-mapped hint of order id -> reservation id
  // (counted when the reservation still carries the order), else the order index.
  const account::Reservation* reservation_of_order(OrderId order) const {
    OrderHint& hint = order_hints_[order.value() & (order_hints_.size() - 1)];
    if (hint.order == order.value()) {
      const account::Reservation* r = ledger_rows_.find(account::ReservationId{hint.reservation});
      if (r != nullptr && r->order == order) return r;
    }
    const uint64_t* id = by_order_.find(order.value());
    if (id == nullptr) return nullptr;
    hint = OrderHint{order.value(), *id};
    return ledger_rows_.find(account::ReservationId{*id});
  }

  // Once per batch, by a generation stamp per reservation id (ids are dense from 1).
  void touch_reservation(account::ReservationId id) {
    if (id.value() >= reservation_stamps_.size()) reservation_stamps_.resize(id.value() + 1, 0);
    if (reservation_stamps_[id.value()] == batch_) return;
    reservation_stamps_[id.value()] = batch_;
    touched_reservations_.push_back(id);
  }

  account::internal::ExecutionWindow window_;
  account::internal::AppendLog<Fill> store_executions_;
  account::internal::AscendingKeyMap store_execution_ids_;
  account::internal::AppendLog<StoredTrade> store_trades_;
  account::internal::AppendLog<account::CashBalance> store_balances_;
  account::internal::AppendLog<account::Position> store_positions_;
  std::vector<std::pair<AccountId, SymbolId>> touched_;  // This batch's accounts.
  std::vector<account::ReservationId> touched_reservations_;  // This batch's orders.
  std::vector<account::Trade> batch_trades_;                  // This batch's, in fill order.
  std::vector<uint32_t> reservation_stamps_;  // Index = reservation id; the batch it was touched.
  uint32_t batch_ = 1;
  struct OrderHint {
    uint64_t order = 0;
    uint64_t reservation = 0;
  };
  mutable std::vector<OrderHint> order_hints_ = std::vector<OrderHint>(4'096);
};

// BM_SettleBatchPreallocated's parties and fills, `batch` fills at a time, on the floor.
void BM_FloorSettleBatch(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const int64_t count = state.max_iterations * batch;
  FloorSettlement floor(kPlayers + kBuyers, static_cast<size_t>(count));
  const absl::Time now = account::bench::bench_start();
  account::bench::SettlementParties parties;
  uint64_t next_order = 1;
  auto rest = [&](AccountId account, SymbolId symbol, account::Side side, Price limit) {
    const OrderId order{next_order};
    const account::Reservation r{
        .id = account::ReservationId{next_order++},
        .account = account,
        .order = order,
        .symbol = symbol,
        .side = side,
        .limit = limit,
        .order_qty = account::bench::kOrderQty,
        .remaining_qty = account::bench::kOrderQty,
        .reserved_cash = side == account::Side::kBuy
                             ? *account::reserve_notional(account::bench::kOrderQty, limit)
                             : Cents{0},
        .created_at = now,
        .expires_at = now + absl::Hours(24 * 7),
        .updated_at = now};
    floor.rest(r);
    return FillParty{account, order};
  };
  for (uint64_t p = 1; p <= kPlayers; ++p) {
    floor.issue(AccountId{p}, SymbolId{p}, account::bench::kOrderQty);
    parties.sellers.push_back(
        rest(AccountId{p}, SymbolId{p}, account::Side::kSell, account::bench::kSellLimit));
  }
  for (uint64_t b = 0; b < kBuyers; ++b) {
    const AccountId id{kPlayers + 1 + b};
    floor.deposit(id, kBuyerCash);
    parties.buyers.push_back(
        rest(id, SymbolId{b % kPlayers + 1}, account::Side::kBuy, kBuyLimit));
  }
  const std::vector<Fill> fills = account::bench::make_settlement_fills(parties, count);
  const absl::Span<const Fill> all(fills);
  size_t offset = 0;
  int64_t refused = 0;
  for (auto _ : state) {
    for (const Fill& fill : all.subspan(offset, static_cast<size_t>(batch))) {
      refused += floor.settle(fill, now) ? 0 : 1;
    }
    floor.end_batch();
    offset += static_cast<size_t>(batch);
  }
  benchmark::DoNotOptimize(floor.total_cash());
  report(state, static_cast<int64_t>(offset), refused,
         absl::FailedPreconditionError("the floor refused a fill"));
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
BENCHMARK(BM_FloorSettleBatch)->Arg(1'000)->Iterations(kItemsPerRun / 1'000);

}  // namespace
