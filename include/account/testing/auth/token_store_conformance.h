// File: testing/auth/token_store_conformance.h
//
// The TokenStore conformance suite: the contract of auth/token_store.h, checked against any
// implementation. MemoryTokenStore and PostgresTokenStore run it in this project's tests:
//
//   account::testing::run_token_store_conformance([] {
//     auto store = std::make_shared<account::auth::MemoryTokenStore>();
//     return account::testing::TokenStoreHandles{store, store};
//   }, report);                                           // report: conformance.h
//
// or through an adapter (auth/catch2.h, auth/gtest.h). `make_stores` must return two handles
// on one new, empty store on every call: the same object, or (for a database) two stores with
// connections of their own, so that the race case runs across connections.
//
// What it checks (token_store_conformance_cases()): exact round trips of records (every byte
// value in hashes and families, times to the nanosecond); AlreadyExists for a hash stored
// twice; rotate() as a compare-and-set that a rotated, revoked or unknown token, a token whose
// family holds a revoked one, or a successor whose hash is taken does not pass; revoke_family()
// and delete_expired() touching exactly what they should; and of two rotations of one token
// racing from two threads, exactly one winning (25 rounds). Not checked: a store's behaviour
// when its backend is down, and durability.
//
// Requires the auth::TokenStore interface (installed with account::auth, and with
// account::postgres for its PostgresTokenStore); the suite itself is compiled into
// account::testing when the package is built with sign-in.
//
// Thread-safety: one run at a time per factory.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/auth/token_store.h"
#include "account/testing/conformance.h"

namespace account::testing {

struct TokenStoreHandles {
  std::shared_ptr<auth::TokenStore> a;
  std::shared_ptr<auth::TokenStore> b;  // Another handle on the same data (may be `a`).
};

// Returns two handles on a new, empty store on each call.
using TokenStoreFactory = std::function<TokenStoreHandles()>;

// The suite's cases, in the order it runs them.
absl::Span<const ConformanceCase> token_store_conformance_cases();

// Runs every case, each on new stores from `make_stores`, reporting each failed check.
ConformanceResult run_token_store_conformance(const TokenStoreFactory& make_stores,
                                              const ConformanceReporter& report);

// Runs the case whose id is `case_id`; an unknown id is reported as one failure.
ConformanceResult run_token_store_conformance_case(std::string_view case_id,
                                                   const TokenStoreFactory& make_stores,
                                                   const ConformanceReporter& report);

// A record whose 32-byte hash and 16-byte family are derived from `n` and `family`, with every
// byte value, NUL included, somewhere among them; active, for an account id above 2^63, expiring
// 30 days after `issued_at`. The records the suite stores; a store's own tests may use them.
auth::RefreshTokenRecord token_record(int n, int family, absl::Time issued_at);

}  // namespace account::testing
