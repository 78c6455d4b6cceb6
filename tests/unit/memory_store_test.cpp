#include "account/memory_store.h"

#include <catch2/catch.hpp>

#include "support/store_conformance.h"

namespace account {
namespace {

TEST_CASE("MemoryStore conforms to the Store contract", "[store][memory]") {
  testing::store_conformance([] { return std::make_shared<MemoryStore>(); });
}

}  // namespace
}  // namespace account
