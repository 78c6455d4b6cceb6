// What the journal will cost a commit (docs/journal.md): encoding a batch's events into their
// canonical bytes, and the chain hash over them, per fill; beside the ledger's own
// settle_batch(1000) on MemoryStore (the denominator of the journal's 15% budget) and OpenSSL's
// SHA-256 on the same bytes (the physical reference), in the same run.
//
//   BM_EncodeFills/N            encode_entry() of N fills' events: per fill one FillApplied and
//                               two ReservationChanged (each side's order partly settled);
//                               items are fills, bytes the canonical bytes
//   BM_Sha256<impl>/bytes       SHA-256 of one batch's bytes: ours portable, ours on the CPU's
//                               SHA instructions (where it has them), OpenSSL's EVP (reference)
//   BM_SettleBatchMemory/1000   AccountService::settle_batch(1000) on MemoryStore, the
//                               settlement fixture; items are fills
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

void BM_SettleBatchMemory(benchmark::State& state) {
  const int64_t batch = state.range(0);
  std::unique_ptr<account::AccountService> service =
      account::AccountService::open(
          {.store = std::make_shared<account::MemoryStore>(),
           .clock = std::make_shared<account::ManualClock>(account::bench::bench_start())})
          .value();
  account::bench::SettlementParties parties;
  if (absl::Status s = account::bench::add_settlement_parties(*service, parties); !s.ok()) {
    return state.SkipWithError(s.ToString().c_str());
  }
  const std::vector<account::Fill> fills =
      account::bench::make_settlement_fills(parties, state.max_iterations * batch);
  const absl::Span<const account::Fill> all(fills);
  size_t offset = 0;
  int64_t refused = 0;
  absl::Status first;
  for (auto _ : state) {
    for (const auto& r : service->settle_batch(all.subspan(offset, static_cast<size_t>(batch)))) {
      if (!r.ok() && refused++ == 0) first = r.status();
    }
    offset += static_cast<size_t>(batch);
  }
  account::bench::report(state, static_cast<int64_t>(offset), refused, first);
}
BENCHMARK(BM_SettleBatchMemory)->Arg(1'000)->Iterations(200)->UseRealTime();

}  // namespace
