// File: testing/auth/catch2.h
//
// The Catch2 adapter of the TokenStore conformance suite (auth/token_store_conformance.h), as
// catch2.h is the Store suite's:
//
//   TEST_CASE("MyTokenStore conforms to the TokenStore contract", "[auth]") {
//     account::testing::catch2::check_token_store_conformance([] {
//       auto store = std::make_shared<MyTokenStore>();
//       return account::testing::TokenStoreHandles{store, store};
//     });
//   }
//
// Requires the auth::TokenStore interface (account::auth or account::postgres installs it).
// Thread-safety: as Catch2's assertions, from the test's thread only.
#pragma once

#include <string_view>

#include "account/testing/auth/token_store_conformance.h"
#include "account/testing/catch2.h"

namespace account::testing::catch2 {

// The TokenStore suite, each case in a section of its own on new stores.
inline void check_token_store_conformance(const TokenStoreFactory& make_stores) {
  check_conformance(token_store_conformance_cases(),
                    [&](std::string_view id, const ConformanceReporter& report) {
                      return run_token_store_conformance_case(id, make_stores, report);
                    });
}

}  // namespace account::testing::catch2
