// File: memory_store.h
//
// The embedded default Store: durable for the life of the process. It keeps
// an append-only log of the committed rows (and the last image of each
// reservation), so load() after a commit returns exactly what was committed,
// and a new AccountService opened on the same MemoryStore restores the same
// state (how the restart tests run without a database). A commit checks the
// unique keys (account id, entry key, execution id) and appends; load() and
// trades() replay the log, so they cost time in proportion to everything
// committed, and memory grows with every account, position, fill and trade
// row committed (a database keeps only the latest).
//
// commit() fails, changing nothing, with AlreadyExists for a taken unique
// key, NotFound for a balance or link of an account never created, and
// InvalidArgument for a reservation with id 0.
//
//   auto store = std::make_shared<account::MemoryStore>();
//   auto service = account::AccountService::open({.store = store});
//
// Fault injection for tests lives in tests/, as a Store wrapper.
// Thread-safety: all methods are thread-safe (one internal mutex).
#pragma once

#include <memory>

#include "account/store.h"

namespace account {

struct MemoryStoreOptions {
  // Fills whose log memory (~136 bytes each: the fill, its id's index entry
  // and its two trades) is allocated and touched at construction, so that
  // committing the first that many fills takes no page fault. Default 0.
  size_t fills_preallocated = 0;
  // Reservations whose last-image rows (128 bytes each) are allocated and
  // touched at construction. Default 0.
  size_t reservations_preallocated = 0;
};

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(MemoryStoreOptions options = {});
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  absl::Status commit(const ChangeSet& changes) override;
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override;
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override;
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override;

  // Number of commits that succeeded: lets tests count transactions.
  uint64_t commits() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
