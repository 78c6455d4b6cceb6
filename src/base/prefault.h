// Private to the library: backing fresh memory with pages before it is
// written.
//
// The first write to each page of fresh memory traps into the kernel, which
// finds a page and zeroes it: 1.2-1.6 us per 4 KiB page on one virtual
// machine we benchmark on, 10 us on another, so 100-600 ns per fill for the
// ~240 bytes each fill adds to the dedupe window and the MemoryStore's log,
// which is as much as the rest of the fill's work or more. Structures told
// their capacity ahead (AccountServiceOptions::fills_preallocated,
// MemoryStoreOptions) allocate it at open and prefault it, as trading
// systems pre-touch their buffers at startup, so that the hot path does not
// trap (benchmarks/page_fault_benchmark.cpp measures both).
//
// Thread-safety: a plain function.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace account::internal {

// Backs every whole page within [p, p + bytes) now, writable, and changes
// no byte of the range. The kernel is asked first (MADV_POPULATE_WRITE,
// Linux 5.14+; best effort), and then each page is written once, with the
// byte it holds: under some hypervisors the populated page is backed in the
// guest only, and the first real write still traps to the host: on such a
// machine page_fault_benchmark measured the first write to a populated page
// at 4.1 us (BM_WriteAfterPopulate) and, after prefault(), at 15 ns
// (BM_WriteAfterPrefault). The kernel is still asked first because it backs
// pages in bulk: there, 256 MiB took 0.39 s populated then written, against
// 0.72 s written alone. Where populating suffices, the writes cost a load
// and a store per page. The range must be memory that no other thread uses
// yet: a chunk just allocated.
inline void prefault(void* p, size_t bytes) {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t first = reinterpret_cast<uintptr_t>(p);
  const uintptr_t begin = (first + page - 1) & ~(page - 1);
  const uintptr_t end = (first + bytes) & ~(page - 1);
  if (end <= begin) return;
#ifdef MADV_POPULATE_WRITE
  (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#endif
  for (uintptr_t at = begin; at < end; at += page) {
    // volatile: the compiler must not drop a store of the value just loaded.
    volatile unsigned char* byte = reinterpret_cast<volatile unsigned char*>(at);
    *byte = *byte;
  }
}

}  // namespace account::internal
