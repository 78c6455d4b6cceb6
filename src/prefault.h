// Private to the library: backing fresh memory with pages before it is
// written.
//
// The first write to each page of fresh memory traps into the kernel, which
// finds a page and zeroes it: 1.2-1.6 us per 4 KiB page on the virtual
// machines we benchmark on, so ~100 ns per fill for the ~240 bytes each fill
// adds to the dedupe window and the MemoryStore's log, which is about as
// much as the rest of the fill's work. Structures told their capacity ahead
// (AccountServiceOptions::fills_preallocated, MemoryStoreOptions) allocate
// it at open and prefault it, as trading systems pre-touch their buffers at
// startup, so that the hot path does not trap.
//
// Thread-safety: a plain function.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace account::internal {

// Asks the kernel to back every whole page within [p, p + bytes) now,
// writable (MADV_POPULATE_WRITE, Linux 5.14+). Best effort: where the
// kernel lacks it or refuses, the pages fault in at first write, as they
// would have. Changes no byte of the range.
inline void prefault(const void* p, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t first = reinterpret_cast<uintptr_t>(p);
  const uintptr_t begin = (first + page - 1) & ~(page - 1);
  const uintptr_t end = (first + bytes) & ~(page - 1);
  if (end > begin) {
    (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
  }
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace account::internal
