// File: testing/auth/gtest.h
//
// The GoogleTest adapter of the TokenStore conformance suite (auth/token_store_conformance.h),
// as gtest.h is the Store suite's:
//
//   ACCOUNT_TOKEN_STORE_CONFORMANCE_TESTS(MyTokenStoreConforms, [] {
//     auto store = std::make_shared<MyTokenStore>();
//     return account::testing::TokenStoreHandles{store, store};
//   });
//
// Requires the auth::TokenStore interface (account::auth or account::postgres installs it).
// Thread-safety: as GoogleTest's assertions; register before RUN_ALL_TESTS().
#pragma once

#include <string_view>
#include <utility>

#include "account/testing/auth/token_store_conformance.h"
#include "account/testing/gtest.h"

namespace account::testing::gtest {

// The TokenStore suite, every case inside the running test.
inline void expect_token_store_conformance(const TokenStoreFactory& make_stores) {
  expect_conformance(token_store_conformance_cases(),
                     [&](std::string_view id, const ConformanceReporter& report) {
                       return run_token_store_conformance_case(id, make_stores, report);
                     });
}

// The TokenStore suite, one registered test per case.
inline bool register_token_store_conformance_tests(const char* suite_name,
                                                   TokenStoreFactory make_stores, const char* file,
                                                   int line) {
  return register_conformance_tests(
      suite_name, token_store_conformance_cases(),
      [make_stores = std::move(make_stores)](std::string_view id,
                                             const ConformanceReporter& report) {
        return run_token_store_conformance_case(id, make_stores, report);
      },
      file, line);
}

}  // namespace account::testing::gtest

// At namespace scope: registers the TokenStore suite as tests named <suite_name>.<case id>.
#define ACCOUNT_TOKEN_STORE_CONFORMANCE_TESTS(suite_name, ...)                                    \
  [[maybe_unused]] static const bool ACCOUNT_TESTING_CONCAT_(                                     \
      account_token_store_conformance_registered_, __LINE__) =                                    \
      ::account::testing::gtest::register_token_store_conformance_tests(#suite_name, __VA_ARGS__, \
                                                                        __FILE__, __LINE__)
