// Private to the library: always-on invariant checks. A ledger invariant
// that fails means memory no longer describes money correctly; continuing
// would spread the damage, so the process stops with the reason.
#pragma once

#include <cstdio>
#include <cstdlib>

#define ACCOUNT_CHECK(condition, what)                                                  \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "account: invariant violated at %s:%d: %s (%s)\n", __FILE__, \
                   __LINE__, what, #condition);                                         \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
