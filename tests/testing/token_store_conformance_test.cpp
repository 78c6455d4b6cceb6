// The TokenStore conformance suite (account/testing/auth/token_store_conformance.h):
// MemoryTokenStore passes it through the Catch2 adapter and the callback, and token stores
// broken on purpose fail it in the cases that cover what is broken.
#include "account/testing/auth/token_store_conformance.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "account/auth/memory_token_store.h"
#include "account/testing/auth/catch2.h"

namespace account {
namespace {

using testing::ConformanceFailure;
using testing::TokenStoreHandles;

TokenStoreHandles memory_token_store() {
  auto store = std::make_shared<auth::MemoryTokenStore>();
  return TokenStoreHandles{store, store};
}

TEST_CASE("MemoryTokenStore conforms to the TokenStore contract (Catch2 adapter)",
          "[testing][token-store]") {
  testing::catch2::check_token_store_conformance(memory_token_store);
}

TEST_CASE("MemoryTokenStore conforms through the callback", "[testing][token-store]") {
  int failures = 0;
  const testing::ConformanceResult result = testing::run_token_store_conformance(
      memory_token_store, [&](const ConformanceFailure&) { ++failures; });
  CHECK(result.ok());
  CHECK(result.cases_run == static_cast<int>(testing::token_store_conformance_cases().size()));
  CHECK(failures == 0);
}

// A MemoryTokenStore whose rotate() inserts the successor but never marks the presented token
// rotated: not the compare-and-set the contract asks for.
class LaxTokenStore final : public auth::TokenStore {
 public:
  absl::Status insert(const auth::RefreshTokenRecord& r) override { return inner_.insert(r); }
  absl::StatusOr<std::optional<auth::RefreshTokenRecord>> find(std::string_view hash) override {
    return inner_.find(hash);
  }
  absl::StatusOr<bool> rotate(std::string_view old_hash,
                              const auth::RefreshTokenRecord& successor) override {
    absl::StatusOr<std::optional<auth::RefreshTokenRecord>> old = inner_.find(old_hash);
    if (!old.ok()) return old.status();
    if (!old->has_value() || (*old)->state != auth::RefreshTokenState::kActive) return false;
    absl::Status inserted = inner_.insert(successor);
    if (!inserted.ok()) return inserted;
    return true;
  }
  absl::StatusOr<int64_t> revoke_family(std::string_view family_id) override {
    return inner_.revoke_family(family_id);
  }
  absl::StatusOr<int64_t> delete_expired(absl::Time cutoff) override {
    return inner_.delete_expired(cutoff);
  }

 private:
  auth::MemoryTokenStore inner_;
};

TEST_CASE("the TokenStore suite fails a store whose rotate is no compare-and-set",
          "[testing][token-store][broken]") {
  std::vector<std::string> failed;
  const testing::ConformanceResult result = testing::run_token_store_conformance(
      [] {
        auto store = std::make_shared<LaxTokenStore>();
        return TokenStoreHandles{store, store};
      },
      [&](const ConformanceFailure& f) {
        CHECK(f.suite == "TokenStore");
        if (failed.empty() || failed.back() != f.case_id) failed.push_back(f.case_id);
      });
  CHECK_FALSE(result.ok());
  // The old token never becomes rotated, so a second rotation of it passes, and both racers
  // win.
  CHECK(std::find(failed.begin(), failed.end(), "rotate_marks_old_rotated") != failed.end());
  CHECK(std::find(failed.begin(), failed.end(), "rotate_is_compare_and_set") != failed.end());
  CHECK(std::find(failed.begin(), failed.end(), "racing_rotations_one_wins") != failed.end());
  CHECK(std::find(failed.begin(), failed.end(), "insert_then_find_exactly") == failed.end());
}

TEST_CASE("the TokenStore suite reports a factory without both handles",
          "[testing][token-store][broken]") {
  std::vector<ConformanceFailure> failures;
  const testing::ConformanceResult result = testing::run_token_store_conformance_case(
      "insert_then_find_exactly",
      [] {
        return TokenStoreHandles{std::make_shared<auth::MemoryTokenStore>(), nullptr};
      },
      [&](const ConformanceFailure& f) { failures.push_back(f); });
  CHECK(result.failures == 1);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].check == "stores.a != nullptr && stores.b != nullptr");
}

TEST_CASE("token_record: 32-byte hashes and 16-byte families, distinct per n and family",
          "[testing][token-store]") {
  const absl::Time t = absl::FromUnixSeconds(1'790'000'000);
  const auth::RefreshTokenRecord a = testing::token_record(1, 1, t);
  CHECK(a.token_hash.size() == 32);
  CHECK(a.family_id.size() == 16);
  CHECK(a.expires_at == t + absl::Hours(24 * 30));
  CHECK(a.state == auth::RefreshTokenState::kActive);
  CHECK(testing::token_record(2, 1, t).token_hash != a.token_hash);
  CHECK(testing::token_record(1, 2, t).family_id != a.family_id);
}

}  // namespace
}  // namespace account
