// File: testing/store_conformance.h
//
// The Store conformance suite: the contract of store.h, checked against any implementation.
// MemoryStore, SqliteStore and PostgresStore run it in this project's tests; a consumer who
// writes a Store of their own runs the same suite:
//
//   account::testing::ConformanceResult r = account::testing::run_store_conformance(
//       [] { return std::make_shared<MyStore>(); }, report);   // report: conformance.h
//
// or, inside a test framework, through its adapter (catch2.h, gtest.h), which runs each case as
// a section or a test of its own.
//
// `make_store` must return a new, empty store on every call: each case runs on a store of its
// own, and the last case opens an AccountService on it. The suite uses only the Store interface
// and AccountService; it takes a few milliseconds on MemoryStore and a few hundred on a server.
//
// What it checks (store_conformance_cases() lists them): an empty store; every row type round
// trips exactly (text with quotes and 255 bytes, times, ids above 2^40); balances,
// positions, reservations and Sleeper links are rewritten in place; a commit that names an
// account the store lacks, or breaks a unique key, applies nothing; trades come newest first
// and limited; load() honours its windows while find_execution() still answers older fills; a
// ledger restores exactly after a restart; journal entries round-trip byte for byte with their
// head, and one that does not follow the head is refused with its rows; journal cursors by
// name; history pages (history.h) of trades, entries and reservations, two rows a page through
// each filter, every row once and in order, `more` right, bad queries refused (InvalidArgument),
// or none answered at all (Unimplemented, for all three). What it does not: concurrency (two
// writers, queries during a commit), durability across a crash, and the error codes of a store
// that is down; a store's own tests cover those.
//
// Thread-safety: one run at a time per factory; runs on different factories may overlap.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/change_set.h"
#include "account/store.h"
#include "account/testing/conformance.h"

namespace account::testing {

// Returns a new, empty store on each call.
using StoreFactory = std::function<std::shared_ptr<Store>()>;

// The suite's cases, in the order it runs them.
absl::Span<const ConformanceCase> store_conformance_cases();

// Runs every case, each on a new store from `make_store`, reporting each failed check.
ConformanceResult run_store_conformance(const StoreFactory& make_store,
                                        const ConformanceReporter& report);

// Runs the case whose id is `case_id` on a new store from `make_store`. An unknown id is
// reported as one failure.
ConformanceResult run_store_conformance_case(std::string_view case_id,
                                             const StoreFactory& make_store,
                                             const ConformanceReporter& report);

// The change set the suite commits first, stamped `t`: two accounts (one with quotes and
// backslashes in its name, one with a 255-byte name), their balances and positions, a settled
// and an active reservation, one fill with its two trades (execution id above 2^40), and three
// external entries. Every row type is there, so a store's own tests can start from it too.
ChangeSet sample_changes(absl::Time t);

}  // namespace account::testing
