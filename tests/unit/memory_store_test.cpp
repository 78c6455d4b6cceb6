#include "account/memory_store.h"

#include <catch2/catch.hpp>

#include "support/store_conformance.h"

namespace account {
namespace {

TEST_CASE("MemoryStore conforms to the Store contract", "[store][memory]") {
  testing::store_conformance([] { return std::make_shared<MemoryStore>(); });
}

// The execution ids a refused commit claimed are released (newest first, the
// way the index undoes them cheaply), so the same ids commit afterwards; ids
// that arrive out of order are claimed and refused like ascending ones.
TEST_CASE("MemoryStore releases a refused commit's execution ids in and out of order",
          "[store][memory]") {
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  MemoryStore store;
  REQUIRE(store.commit(testing::sample_changes(t)).ok());
  const Fill model = testing::sample_changes(t).executions[0];
  auto fills = [&](uint64_t first, uint64_t last) {
    ChangeSet c;
    for (uint64_t seq = first; seq <= last; ++seq) {
      Fill f = model;
      f.execution = ExecutionId{(uint64_t{2} << 40) | seq};
      c.executions.push_back(f);
    }
    return c;
  };
  auto found = [&](uint64_t seq) {
    return store.find_execution(ExecutionId{(uint64_t{2} << 40) | seq}).value().has_value();
  };

  ChangeSet refused = fills(1, 3'000);
  refused.executions.push_back(model);  // Already committed: the whole commit is refused.
  CHECK_FALSE(store.commit(refused).ok());
  CHECK_FALSE(found(1));
  CHECK_FALSE(found(3'000));
  REQUIRE(store.commit(fills(1, 3'000)).ok());
  CHECK(found(1));
  CHECK(found(2'999));

  // Out of order: below the newest id, in a gap of the committed ones.
  REQUIRE(store.commit(fills(5'000, 5'000)).ok());
  REQUIRE(store.commit(fills(4'000, 4'001)).ok());
  CHECK(found(4'000));
  CHECK(found(4'001));
  CHECK_FALSE(found(4'002));
  CHECK_FALSE(store.commit(fills(4'001, 4'001)).ok());
  ChangeSet mixed = fills(4'500, 4'510);
  mixed.executions.push_back(fills(5'000, 5'000).executions[0]);
  CHECK_FALSE(store.commit(mixed).ok());
  CHECK_FALSE(found(4'505));
  CHECK(found(5'000));
  REQUIRE(store.commit(fills(4'500, 4'510)).ok());
  CHECK(found(4'505));
  CHECK(store.load({}).value().executions.size() == 1 + 3'000 + 1 + 2 + 11);
}

}  // namespace
}  // namespace account
