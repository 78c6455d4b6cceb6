// prefault() (src/base/prefault.h): it backs every whole page of its range and
// changes no byte of it, whatever the range's alignment.
#include "base/prefault.h"

#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace account::internal {
namespace {

size_t page_bytes() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

TEST_CASE("prefault changes no byte of an unaligned range, nor beside it", "[prefault]") {
  const size_t page = page_bytes();
  std::vector<unsigned char> buffer(6 * page);
  for (size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<unsigned char>(i * 31 + 7);
  const std::vector<unsigned char> before = buffer;

  // Starts and ends mid-page, so the first and last partial pages are left
  // alone and the whole pages between are written with their own bytes.
  prefault(buffer.data() + 3, buffer.size() - 3 - 5);
  CHECK(buffer == before);

  // A range inside one page, and an empty one, hold no whole page.
  prefault(buffer.data() + 1, page / 2);
  prefault(buffer.data(), 0);
  CHECK(buffer == before);
}

// How many of the `pages` pages at `mapping` are resident, by mincore().
size_t resident_pages(void* mapping, size_t pages) {
  std::vector<unsigned char> resident(pages);
  REQUIRE(mincore(mapping, pages * page_bytes(), resident.data()) == 0);
  size_t backed = 0;
  for (unsigned char r : resident) backed += r & 1;
  return backed;
}

TEST_CASE("prefault backs every whole page of a fresh mapping", "[prefault]") {
  const size_t page = page_bytes();
  const size_t pages = 64;
  void* mapping =
      mmap(nullptr, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mapping != MAP_FAILED);

  // A fresh anonymous mapping has no page until it is touched.
  CHECK(resident_pages(mapping, pages) == 0);
  prefault(mapping, pages * page);
  CHECK(resident_pages(mapping, pages) == pages);

  // Fresh anonymous memory reads as zeros, and still does.
  const auto* bytes = static_cast<const unsigned char*>(mapping);
  size_t nonzero = 0;
  for (size_t i = 0; i < pages * page; ++i) nonzero += bytes[i] != 0 ? 1 : 0;
  CHECK(nonzero == 0);
  munmap(mapping, pages * page);
}

}  // namespace
}  // namespace account::internal
