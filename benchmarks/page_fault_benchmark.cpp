// What writing fresh memory costs, per 4 KiB page: the figure behind
// AccountServiceOptions::fills_preallocated and MemoryStoreOptions (src/base/prefault.h).
//
//   BM_WriteFreshPages      a new mapping, one write per page: each write traps into the kernel,
//                           which finds and zeroes a page
//   BM_WritePrefaultedPages the same after madvise(MADV_POPULATE_WRITE) on the mapping, whose
//                           cost is timed too: the kernel backs every page in one call
//   BM_WriteTouchedPages    the baseline: the same writes into pages already backed (the mapping
//                           was written once before the timed loop)
//   BM_WriteAfterPopulate   the writes alone, timed, into a mapping that MADV_POPULATE_WRITE
//                           backed before them (untimed): what the hot path pays where the
//                           kernel's populating is all a prefault does. Under some hypervisors
//                           it is close to a fresh page's cost (the guest's page is backed, the
//                           host's is not until written)
//   BM_WriteAfterPrefault   the same after the library's prefault() (src/base/prefault.h), untimed:
//                           populate, then one write of each page
//
// items_per_second is pages per second; each iteration maps, writes and unmaps 4 MiB (the
// unmapping is timed in the fresh and prefaulted rows, as freeing is part of their cycle).
//
//   build/release/benchmarks/page_fault_benchmark
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <cstddef>

#include "base/prefault.h"

namespace {

constexpr size_t kPage = 4096;
constexpr size_t kBytes = size_t{4} << 20;
constexpr size_t kPages = kBytes / kPage;

char* map_block(benchmark::State& state) {
  void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    state.SkipWithError("mmap failed");
    return nullptr;
  }
  return static_cast<char*>(p);
}

void write_each_page(char* block) {
  for (size_t i = 0; i < kPages; ++i) block[i * kPage] = 1;
  benchmark::ClobberMemory();
}

void BM_WriteFreshPages(benchmark::State& state) {
  for (auto _ : state) {
    char* block = map_block(state);
    if (block == nullptr) return;
    write_each_page(block);
    munmap(block, kBytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPages));
}

void BM_WritePrefaultedPages(benchmark::State& state) {
#ifdef MADV_POPULATE_WRITE
  for (auto _ : state) {
    char* block = map_block(state);
    if (block == nullptr) return;
    if (madvise(block, kBytes, MADV_POPULATE_WRITE) != 0) {
      munmap(block, kBytes);
      return state.SkipWithError("MADV_POPULATE_WRITE refused (Linux 5.14+)");
    }
    write_each_page(block);
    munmap(block, kBytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPages));
#else
  state.SkipWithError("no MADV_POPULATE_WRITE in these headers");
#endif
}

void BM_WriteTouchedPages(benchmark::State& state) {
  char* block = map_block(state);
  if (block == nullptr) return;
  write_each_page(block);
  for (auto _ : state) write_each_page(block);
  munmap(block, kBytes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPages));
}

// Maps a block, readies it with `ready` untimed, then times one write per page; unmaps untimed.
// `ready` returns an error to skip with, or nullptr.
template <typename Ready>
void write_after(benchmark::State& state, Ready ready) {
  for (auto _ : state) {
    state.PauseTiming();
    char* block = map_block(state);
    if (block == nullptr) return;
    if (const char* error = ready(block)) {
      munmap(block, kBytes);
      return state.SkipWithError(error);
    }
    state.ResumeTiming();
    write_each_page(block);
    state.PauseTiming();
    munmap(block, kBytes);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPages));
}

void BM_WriteAfterPopulate(benchmark::State& state) {
#ifdef MADV_POPULATE_WRITE
  write_after(state, [](char* block) -> const char* {
    if (madvise(block, kBytes, MADV_POPULATE_WRITE) == 0) return nullptr;
    return "MADV_POPULATE_WRITE refused (Linux 5.14+)";
  });
#else
  state.SkipWithError("no MADV_POPULATE_WRITE in these headers");
#endif
}

void BM_WriteAfterPrefault(benchmark::State& state) {
  write_after(state, [](char* block) -> const char* {
    account::internal::prefault(block, kBytes);
    return nullptr;
  });
}

BENCHMARK(BM_WriteFreshPages);
BENCHMARK(BM_WritePrefaultedPages);
BENCHMARK(BM_WriteTouchedPages);
BENCHMARK(BM_WriteAfterPopulate);
BENCHMARK(BM_WriteAfterPrefault);

}  // namespace
