// What the journal costs (docs/journal.md): encoding a batch's events into their canonical
// bytes, and the chain hash over them, per fill, beside OpenSSL's SHA-256 on the same bytes
// (the physical reference), in the same run; and reading it back with events_since().
//
//   BM_EncodeFills/N            encode_entry() of N fills' events: per fill one FillApplied and
//                               two ReservationChanged (each side's order partly settled);
//                               items are fills, bytes the canonical bytes
//   BM_Sha256<impl>/bytes       SHA-256 of one batch's bytes: ours portable, ours on the CPU's
//                               SHA instructions (where it has them), OpenSSL's EVP (reference)
//   BM_EventsSince<memory>/N    AccountService::events_since() over a journal of 1M events
//                               (333,000 fills), in pages of N events, decoded, every entry
//                               from the ledger's memory; items are events
//   BM_EventsSince<store>/N     the same with no entry kept in memory: every page read from
//                               the store (MemoryStore) and decoded
//
// What the journal adds to a commit, journal on against off, is store_benchmark's
// BM_SettleBatch<store> beside BM_SettleBatchNoJournal<store>.
//
//   build/release/benchmarks/journal_benchmark
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "account/account_service.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "base/sha256.h"
#include "journal/entry_codec.h"
#include "support/settlement_fixture.h"

namespace {

using account::LedgerEvent;

const absl::Time kT0 = account::bench::bench_start();

// N fills' events, as the ledger will stage them for a batch of the settlement fixture.
std::vector<LedgerEvent> fill_events(size_t fills) {
  std::vector<LedgerEvent> events;
  events.reserve(3 * fills);
  for (size_t i = 0; i < fills; ++i) {
    const uint64_t buyer = 9 + i % 64, seller = 1 + i % 8, symbol = 1 + i % 8;
    const account::Fill fill{.execution = account::ExecutionId{(uint64_t{1} << 20) | (i + 1)},
                             .symbol = account::SymbolId{symbol},
                             .qty = account::Qty{100},
                             .price = account::Price{99'50},
                             .buyer = {account::AccountId{buyer}, account::OrderId{buyer}},
                             .seller = {account::AccountId{seller}, account::OrderId{seller}},
                             .tick = account::TickId{1},
                             .time = kT0};
    const auto position = [&](uint64_t account, int64_t qty) {
      return account::Position{.account = account::AccountId{account},
                               .symbol = account::SymbolId{symbol},
                               .qty = account::Qty{qty},
                               .cost_basis = account::Cents{qty / 100 * 9'950 / 100},
                               .realized_pnl = account::Cents{0}};
    };
    events.push_back(account::FillApplied{
        .fill = fill,
        .buyer = {.cash_after = account::Cents{9'990'000'00}, .position_after = position(buyer, 12'300)},
        .seller = {.cash_after = account::Cents{1'234'56},
                   .position_after = position(seller, 99'000'000),
                   .realized_pnl = account::Cents{3}}});
    for (const auto& [account, order, side] :
         {std::tuple{buyer, buyer, account::Side::kBuy},
          std::tuple{seller, seller, account::Side::kSell}}) {
      events.push_back(account::ReservationChanged{
          .change = account::ReservationChange::kPartlySettled,
          .reservation = {.id = account::ReservationId{order},
                          .account = account::AccountId{account},
                          .order = account::OrderId{order},
                          .symbol = account::SymbolId{symbol},
                          .side = side,
                          .limit = account::Price{side == account::Side::kBuy ? 100'00 : 99'50},
                          .order_qty = account::Qty{1'000'000'000},
                          .remaining_qty = account::Qty{999'987'700},
                          .reserved_cash = account::Cents{9'999'877'00},
                          .created_at = kT0,
                          .expires_at = kT0 + absl::Hours(24 * 7),
                          .updated_at = kT0},
          .cash_freed = account::Cents{1},
          .qty_freed = account::Qty{100}});
    }
  }
  return events;
}

void BM_EncodeFills(benchmark::State& state) {
  const size_t fills = static_cast<size_t>(state.range(0));
  const std::vector<LedgerEvent> events = fill_events(fills);
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string out = account::internal::encode_entry(1, kT0, events);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(fills));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.counters["bytes_per_fill"] = static_cast<double>(bytes) / static_cast<double>(fills);
}
BENCHMARK(BM_EncodeFills)->Arg(1'000);

// One batch of 1,000 fills' bytes.
const std::string& batch_bytes() {
  static const std::string bytes = account::internal::encode_entry(1, kT0, fill_events(1'000));
  return bytes;
}

void BM_Sha256Portable(benchmark::State& state) {
  const std::string& bytes = batch_bytes();
  for (auto _ : state) {
    uint32_t s[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    account::internal::sha256_blocks::portable(
        s, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size() / 64);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size() / 64 * 64));
}
BENCHMARK(BM_Sha256Portable)->Name("BM_Sha256<portable>");

void BM_Sha256(benchmark::State& state) {
  const std::string& bytes = batch_bytes();
  state.SetLabel(account::internal::sha256_blocks::cpu_instructions() ? "SHA instructions"
                                                                      : "portable");
  for (auto _ : state) benchmark::DoNotOptimize(account::internal::sha256(bytes));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_Sha256)->Name("BM_Sha256<ours>");

void BM_Sha256OpenSsl(benchmark::State& state) {
  const std::string& bytes = batch_bytes();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  for (auto _ : state) {
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_Sha256OpenSsl)->Name("BM_Sha256<OpenSSL>");

// A ledger on MemoryStore whose journal holds at least `events` events: settle_batch(1000) of
// the settlement fixture, 3 events a fill (its FillApplied and the two orders' changes).
std::unique_ptr<account::AccountService> ledger_with_events(int64_t events,
                                                            size_t ring_bytes_max) {
  account::LedgerLimits limits;
  limits.journal_in_memory_bytes_max = ring_bytes_max;
  std::unique_ptr<account::AccountService> service =
      account::AccountService::open(
          {.store = std::make_shared<account::MemoryStore>(),
           .clock = std::make_shared<account::ManualClock>(account::bench::bench_start()),
           .limits = limits})
          .value();
  account::bench::SettlementParties parties;
  if (!account::bench::add_settlement_parties(*service, parties).ok()) return nullptr;
  constexpr int64_t kBatch = 1'000;
  const int64_t fills = (events / 3 + kBatch - 1) / kBatch * kBatch;
  const std::vector<account::Fill> all = account::bench::make_settlement_fills(parties, fills);
  for (int64_t at = 0; at < fills; at += kBatch) {
    (void)service->settle_batch(absl::Span<const account::Fill>(all).subspan(
        static_cast<size_t>(at), static_cast<size_t>(kBatch)));
  }
  return service;
}

// Reads the whole journal with events_since() in pages of `page` events, decoded; items are
// events. `from_memory`: the ring holds it all (the default 64 MiB holds 1M events of fills);
// else the ring keeps nothing and every page comes from the store (MemoryStore's vector).
void events_since(benchmark::State& state, bool from_memory) {
  constexpr int64_t kEvents = 1'000'000;
  const size_t page = static_cast<size_t>(state.range(0));
  std::unique_ptr<account::AccountService> service =
      ledger_with_events(kEvents, from_memory ? account::LedgerLimits{}.journal_in_memory_bytes_max : 0);
  if (service == nullptr) return state.SkipWithError("the settlement fixture failed");
  int64_t events = 0;
  for (auto _ : state) {
    uint64_t after = 0;
    while (true) {
      absl::StatusOr<std::vector<account::JournalEntry>> entries =
          service->events_since(after, page);
      if (!entries.ok()) return state.SkipWithError(entries.status().ToString().c_str());
      if (entries->empty()) break;
      for (const account::JournalEntry& e : *entries) events += static_cast<int64_t>(e.events.size());
      after = entries->back().seq;
    }
  }
  state.SetItemsProcessed(events);
  state.counters["events_in_journal"] =
      benchmark::Counter(static_cast<double>(events / state.iterations()));
}
BENCHMARK_CAPTURE(events_since, memory, true)
    ->Name("BM_EventsSince<memory>")
    ->Arg(10'000)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(events_since, store, false)
    ->Name("BM_EventsSince<store>")
    ->Arg(10'000)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
