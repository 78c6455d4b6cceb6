// What the memory drivers (memory_rss_benchmark, restart_benchmark) read about their own
// process: resident memory from /proc/self/status, the allocator's bytes in use, the load
// average. Linux and glibc only, as the drivers are.
//
//   const account::bench::ProcessMemory m = account::bench::process_memory();
//   std::printf("rss %.1f MiB, peak %.1f MiB\n", m.rss_mib(), m.hwm_mib());
#pragma once

#include <malloc.h>

#include <cstdint>
#include <fstream>
#include <string>

namespace account::bench {

struct ProcessMemory {
  int64_t rss_kib = 0;  // VmRSS: resident now.
  int64_t hwm_kib = 0;  // VmHWM: the most ever resident (peak).
  double rss_mib() const { return static_cast<double>(rss_kib) / 1024.0; }
  double hwm_mib() const { return static_cast<double>(hwm_kib) / 1024.0; }
};

inline ProcessMemory process_memory() {
  ProcessMemory out;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) out.rss_kib = std::stoll(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) out.hwm_kib = std::stoll(line.substr(6));
  }
  return out;
}

// Bytes handed out by malloc and not freed (small blocks and mmapped ones): what the
// program holds, without the allocator's free pages that RSS still counts.
inline double heap_in_use_mib() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<double>(info.uordblks + info.hblkhd) / (1024.0 * 1024.0);
}

// Gives the allocator's free pages back to the kernel, so that RSS counts what is held.
inline void trim_heap() { malloc_trim(0); }

// /proc/loadavg's three averages, e.g. "3.21 3.50 3.44": other work on the machine.
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

}  // namespace account::bench
