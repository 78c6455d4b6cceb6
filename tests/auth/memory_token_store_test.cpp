// MemoryTokenStore: the TokenStore conformance suite, and memory released by delete_expired.
#include <catch2/catch.hpp>

#include <memory>

#include "account/auth/memory_token_store.h"
#include "account/testing/auth/catch2.h"

using namespace account;

TEST_CASE("MemoryTokenStore conforms to the TokenStore contract", "[auth][token_store]") {
  testing::catch2::check_token_store_conformance([] {
    auto store = std::make_shared<auth::MemoryTokenStore>();
    return testing::TokenStoreHandles{store, store};
  });
}

TEST_CASE("MemoryTokenStore releases what delete_expired forgets", "[auth][token_store]") {
  const absl::Time t = absl::FromUnixSeconds(1'790'000'000);
  auth::MemoryTokenStore store;
  for (int i = 0; i < 100; ++i) {
    REQUIRE(store.insert(testing::token_record(i, i / 10, t + absl::Minutes(i))).ok());
  }
  CHECK(store.size() == 100);
  CHECK(store.delete_expired(t + absl::Hours(24 * 30) + absl::Minutes(50)).value() == 50);
  CHECK(store.size() == 50);
  // A family whose tokens are all gone revokes nothing.
  CHECK(store.revoke_family(testing::token_record(0, 0, t).family_id).value() == 0);
  CHECK(store.revoke_family(testing::token_record(0, 5, t).family_id).value() == 10);
}
