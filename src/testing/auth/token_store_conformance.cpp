// The TokenStore conformance suite (testing/auth/token_store_conformance.h). Compiled into
// account::testing when sign-in is built; it needs only the auth::TokenStore interface, none
// of account::auth's code.
#include "account/testing/auth/token_store_conformance.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "testing/case_check.h"
#include "testing/conformance_suite.h"

namespace account::testing {
namespace {

using auth::RefreshTokenRecord;
using auth::RefreshTokenState;

// Nanoseconds on purpose: times must round-trip exactly.
absl::Time suite_time() { return absl::FromUnixNanos(1'790'000'000'123'456'789); }

// The record stored under `hash`, or nullopt; a failed find() ends the case through `check`.
#define CONFORM_FIND(check, lhs, store, hash) \
  CONFORM_ASSIGN_OR_RETURN(check, lhs, (store).find(hash))

void insert_then_find_exactly(const TokenStoreHandles& stores, CaseCheck& check) {
  const RefreshTokenRecord r = token_record(1, 1, suite_time());
  CONFORM_REQUIRE_OK(check, stores.a->insert(r));
  std::optional<RefreshTokenRecord> found;
  CONFORM_FIND(check, found, *stores.a, r.token_hash);
  CONFORM_CHECK(check, found == r);
  CONFORM_FIND(check, found, *stores.b, r.token_hash);
  CONFORM_CHECK(check, found == r);
  CONFORM_FIND(check, found, *stores.a, token_record(2, 1, suite_time()).token_hash);
  CONFORM_CHECK(check, !found.has_value());
  CONFORM_FIND(check, found, *stores.a, "");
  CONFORM_CHECK(check, !found.has_value());
}

void insert_twice_already_exists(const TokenStoreHandles& stores, CaseCheck& check) {
  const absl::Time t = suite_time();
  const RefreshTokenRecord r = token_record(1, 1, t);
  CONFORM_REQUIRE_OK(check, stores.a->insert(r));
  const RefreshTokenRecord again = token_record(1, 2, t + absl::Hours(1));
  CONFORM_CHECK_EQ(check, stores.a->insert(again).code(), absl::StatusCode::kAlreadyExists);
  std::optional<RefreshTokenRecord> found;
  CONFORM_FIND(check, found, *stores.a, r.token_hash);
  CONFORM_CHECK(check, found == r);
}

void rotate_marks_old_rotated(const TokenStoreHandles& stores, CaseCheck& check) {
  const absl::Time t = suite_time();
  const RefreshTokenRecord first = token_record(1, 1, t);
  const RefreshTokenRecord second = token_record(2, 1, t + absl::Minutes(5));
  CONFORM_REQUIRE_OK(check, stores.a->insert(first));
  bool rotated = false;
  CONFORM_ASSIGN_OR_RETURN(check, rotated, stores.a->rotate(first.token_hash, second));
  CONFORM_REQUIRE(check, rotated);
  std::optional<RefreshTokenRecord> found;
  CONFORM_FIND(check, found, *stores.a, first.token_hash);
  CONFORM_REQUIRE(check, found.has_value());
  CONFORM_CHECK(check, found->state == RefreshTokenState::kRotated);
  CONFORM_FIND(check, found, *stores.a, second.token_hash);
  CONFORM_CHECK(check, found == second);
}

void rotate_is_compare_and_set(const TokenStoreHandles& stores, CaseCheck& check) {
  const absl::Time t = suite_time();
  auth::TokenStore& store = *stores.a;
  const RefreshTokenRecord first = token_record(1, 1, t);
  CONFORM_REQUIRE_OK(check, store.insert(first));
  bool rotated = false;
  CONFORM_ASSIGN_OR_RETURN(check, rotated, store.rotate(first.token_hash, token_record(2, 1, t)));
  CONFORM_REQUIRE(check, rotated);
  check.set_context("a rotated token");
  CONFORM_ASSIGN_OR_RETURN(check, rotated, store.rotate(first.token_hash, token_record(3, 1, t)));
  CONFORM_CHECK(check, !rotated);
  std::optional<RefreshTokenRecord> found;
  CONFORM_FIND(check, found, store, token_record(3, 1, t).token_hash);
  CONFORM_CHECK(check, !found.has_value());

  check.set_context("a revoked token");
  CONFORM_REQUIRE_OK(check, store.revoke_family(first.family_id));
  CONFORM_ASSIGN_OR_RETURN(check, rotated,
                           store.rotate(token_record(2, 1, t).token_hash, token_record(4, 1, t)));
  CONFORM_CHECK(check, !rotated);
  CONFORM_FIND(check, found, store, token_record(4, 1, t).token_hash);
  CONFORM_CHECK(check, !found.has_value());
  check.set_context("an unknown token");
  CONFORM_ASSIGN_OR_RETURN(check, rotated,
                           store.rotate(token_record(9, 1, t).token_hash, token_record(5, 1, t)));
  CONFORM_CHECK(check, !rotated);
}

void escaped_token_does_not_rotate(const TokenStoreHandles& stores, CaseCheck& check) {
  // The successor a rotation commits while a revocation of its family runs can be missed by
  // the revocation (token_store.h); inserting it active after the revocation models that.
  const absl::Time t = suite_time();
  auth::TokenStore& store = *stores.a;
  const RefreshTokenRecord first = token_record(1, 1, t);
  const RefreshTokenRecord escaped = token_record(2, 1, t);
  CONFORM_REQUIRE_OK(check, store.insert(first));
  int64_t revoked = 0;
  CONFORM_ASSIGN_OR_RETURN(check, revoked, store.revoke_family(first.family_id));
  CONFORM_REQUIRE_EQ(check, revoked, int64_t{1});
  CONFORM_REQUIRE_OK(check, store.insert(escaped));
  bool rotated = false;
  CONFORM_ASSIGN_OR_RETURN(check, rotated, store.rotate(escaped.token_hash, token_record(3, 1, t)));
  CONFORM_CHECK(check, !rotated);
  std::optional<RefreshTokenRecord> found;
  CONFORM_FIND(check, found, store, escaped.token_hash);
  CONFORM_CHECK(check, found == escaped);
  CONFORM_FIND(check, found, store, token_record(3, 1, t).token_hash);
  CONFORM_CHECK(check, !found.has_value());
  // Another family is not held back by it.
  CONFORM_REQUIRE_OK(check, store.insert(token_record(4, 2, t)));
  CONFORM_ASSIGN_OR_RETURN(check, rotated,
                           store.rotate(token_record(4, 2, t).token_hash, token_record(5, 2, t)));
  CONFORM_CHECK(check, rotated);
}

void rotate_onto_taken_hash_fails(const TokenStoreHandles& stores, CaseCheck& check) {
  const absl::Time t = suite_time();
  auth::TokenStore& store = *stores.a;
  const RefreshTokenRecord first = token_record(1, 1, t);
  const RefreshTokenRecord other = token_record(2, 2, t);
  CONFORM_REQUIRE_OK(check, store.insert(first));
  CONFORM_REQUIRE_OK(check, store.insert(other));
  CONFORM_CHECK_EQ(check, store.rotate(first.token_hash, other).status().code(),
                   absl::StatusCode::kAlreadyExists);
  std::optional<RefreshTokenRecord> found;
  CONFORM_FIND(check, found, store, first.token_hash);
  CONFORM_REQUIRE(check, found.has_value());
  CONFORM_CHECK(check, found->state == RefreshTokenState::kActive);
  CONFORM_FIND(check, found, store, other.token_hash);
  CONFORM_CHECK(check, found == other);
}

void revoke_family_exactly(const TokenStoreHandles& stores, CaseCheck& check) {
  const absl::Time t = suite_time();
  auth::TokenStore& store = *stores.a;
  CONFORM_REQUIRE_OK(check, store.insert(token_record(1, 1, t)));
  bool rotated = false;
  CONFORM_ASSIGN_OR_RETURN(check, rotated,
                           store.rotate(token_record(1, 1, t).token_hash, token_record(2, 1, t)));
  CONFORM_REQUIRE(check, rotated);
  CONFORM_REQUIRE_OK(check, store.insert(token_record(3, 2, t)));
  int64_t revoked = 0;
  CONFORM_ASSIGN_OR_RETURN(check, revoked, store.revoke_family(token_record(1, 1, t).family_id));
  CONFORM_CHECK_EQ(check, revoked, int64_t{2});
  const std::array<std::pair<int, RefreshTokenState>, 3> want{{
      {1, RefreshTokenState::kRevoked},
      {2, RefreshTokenState::kRevoked},
      {3, RefreshTokenState::kActive},
  }};
  for (const auto& [n, state] : want) {
    check.set_context(absl::StrCat("token ", n));
    std::optional<RefreshTokenRecord> found;
    CONFORM_FIND(check, found, store, token_record(n, n == 3 ? 2 : 1, t).token_hash);
    CONFORM_REQUIRE(check, found.has_value());
    CONFORM_CHECK(check, found->state == state);
  }
  check.set_context("");
  CONFORM_ASSIGN_OR_RETURN(check, revoked, store.revoke_family(token_record(1, 1, t).family_id));
  CONFORM_CHECK_EQ(check, revoked, int64_t{0});
  CONFORM_ASSIGN_OR_RETURN(check, revoked, store.revoke_family(token_record(1, 7, t).family_id));
  CONFORM_CHECK_EQ(check, revoked, int64_t{0});
}

void delete_expired_exactly(const TokenStoreHandles& stores, CaseCheck& check) {
  const absl::Time t = suite_time();
  auth::TokenStore& store = *stores.a;
  const RefreshTokenRecord old_one = token_record(1, 1, t);
  const RefreshTokenRecord new_one = token_record(2, 2, t + absl::Hours(1));
  CONFORM_REQUIRE_OK(check, store.insert(old_one));
  CONFORM_REQUIRE_OK(check, store.insert(new_one));
  int64_t deleted = 0;
  CONFORM_ASSIGN_OR_RETURN(check, deleted, store.delete_expired(old_one.expires_at));
  CONFORM_CHECK_EQ(check, deleted, int64_t{0});  // Not before the cutoff: kept.
  CONFORM_ASSIGN_OR_RETURN(check, deleted,
                           store.delete_expired(old_one.expires_at + absl::Nanoseconds(1)));
  CONFORM_CHECK_EQ(check, deleted, int64_t{1});
  std::optional<RefreshTokenRecord> found;
  CONFORM_FIND(check, found, store, old_one.token_hash);
  CONFORM_CHECK(check, !found.has_value());
  CONFORM_FIND(check, found, store, new_one.token_hash);
  CONFORM_CHECK(check, found == new_one);
}

void racing_rotations_one_wins(const TokenStoreHandles& stores, CaseCheck& check) {
  constexpr int kRounds = 25;
  const absl::Time t = suite_time();
  auth::TokenStore& store = *stores.a;
  for (int round = 0; round < kRounds; ++round) {
    check.set_context(absl::StrCat("round ", round));
    const RefreshTokenRecord first = token_record(1000 + round * 3, 100 + round, t);
    CONFORM_REQUIRE_OK(check, store.insert(first));
    const RefreshTokenRecord left = token_record(1001 + round * 3, 100 + round, t);
    const RefreshTokenRecord right = token_record(1002 + round * 3, 100 + round, t);
    std::latch start(2);
    std::atomic<int> wins{0};
    std::atomic<int> errors{0};
    const auto race = [&](auth::TokenStore* handle, const RefreshTokenRecord& next) {
      start.arrive_and_wait();
      const absl::StatusOr<bool> won = handle->rotate(first.token_hash, next);
      if (!won.ok()) {
        errors.fetch_add(1);
      } else if (*won) {
        wins.fetch_add(1);
      }
    };
    std::thread one(race, stores.a.get(), left);
    std::thread two(race, stores.b.get(), right);
    one.join();
    two.join();
    CONFORM_REQUIRE_EQ(check, errors.load(), 0);
    CONFORM_REQUIRE_EQ(check, wins.load(), 1);
    std::optional<RefreshTokenRecord> found_left;
    std::optional<RefreshTokenRecord> found_right;
    std::optional<RefreshTokenRecord> found_first;
    CONFORM_FIND(check, found_left, store, left.token_hash);
    CONFORM_FIND(check, found_right, store, right.token_hash);
    CONFORM_CHECK(check, found_left.has_value() != found_right.has_value());
    CONFORM_FIND(check, found_first, store, first.token_hash);
    CONFORM_REQUIRE(check, found_first.has_value());
    CONFORM_CHECK(check, found_first->state == RefreshTokenState::kRotated);
  }
}

#undef CONFORM_FIND

constexpr std::array<SuiteCase<TokenStoreHandles>, 9> kTokenStoreCases{{
    {{"insert_then_find_exactly", "an inserted record is found exactly, an unknown hash is not"},
     insert_then_find_exactly},
    {{"insert_twice_already_exists", "inserting a hash twice is AlreadyExists and changes nothing"},
     insert_twice_already_exists},
    {{"rotate_marks_old_rotated", "rotate marks the old token rotated and inserts its successor"},
     rotate_marks_old_rotated},
    {{"rotate_is_compare_and_set",
      "rotate is a compare-and-set: a rotated, revoked or unknown token does not rotate"},
     rotate_is_compare_and_set},
    {{"escaped_token_does_not_rotate",
      "a token that escaped its family's revocation does not rotate"},
     escaped_token_does_not_rotate},
    {{"rotate_onto_taken_hash_fails",
      "rotate onto a hash already stored fails and changes nothing"},
     rotate_onto_taken_hash_fails},
    {{"revoke_family_exactly", "revoke_family revokes every token of the family and no other"},
     revoke_family_exactly},
    {{"delete_expired_exactly",
      "delete_expired forgets exactly the tokens expired before the cutoff"},
     delete_expired_exactly},
    {{"racing_rotations_one_wins",
      "of two rotations of one token racing each other, exactly one wins"},
     racing_rotations_one_wins},
}};

struct TokenStoreSuite {
  using Handle = TokenStoreHandles;
  static constexpr std::string_view kName = "TokenStore";

  static bool usable(const Handle& stores, CaseCheck& check) {
    return CONFORM_CHECK(check, stores.a != nullptr && stores.b != nullptr);
  }

  static constexpr const auto& kCases = kTokenStoreCases;
};

using Runner = ConformanceRunner<TokenStoreSuite>;

}  // namespace

absl::Span<const ConformanceCase> token_store_conformance_cases() { return Runner::cases(); }

ConformanceResult run_token_store_conformance(const TokenStoreFactory& make_stores,
                                              const ConformanceReporter& report) {
  return Runner::run_all(make_stores, report);
}

ConformanceResult run_token_store_conformance_case(std::string_view case_id,
                                                   const TokenStoreFactory& make_stores,
                                                   const ConformanceReporter& report) {
  return Runner::run_one(case_id, make_stores, report);
}

auth::RefreshTokenRecord token_record(int n, int family, absl::Time issued_at) {
  std::string hash(32, '\0');
  for (size_t i = 0; i < hash.size(); ++i) {
    hash[i] = static_cast<char>((static_cast<size_t>(n) * 31 + i * 7) & 0xFF);
  }
  hash[0] = static_cast<char>(n & 0xFF);
  hash[1] = static_cast<char>((n >> 8) & 0xFF);
  std::string family_id(16, '\0');
  family_id[0] = static_cast<char>(family & 0xFF);
  family_id[15] = '\xff';
  return auth::RefreshTokenRecord{.token_hash = hash,
                                  .family_id = family_id,
                                  .account = AccountId{uint64_t{1} << 63 | 42},
                                  .issued_at = issued_at,
                                  .expires_at = issued_at + absl::Hours(24 * 30),
                                  .state = auth::RefreshTokenState::kActive};
}

}  // namespace account::testing
