// File: memory_store.h
//
// A Store in the process's memory, for tests and volatile runs: what it
// holds ends with the process. SqliteStore (account/sqlite/sqlite_store.h)
// is the durable embedded store; PostgresStore is production. Within the
// process it behaves as they do: load() after a commit returns exactly what
// was committed, and a new AccountService opened on the same MemoryStore
// restores the same state (how the restart tests run without a database).
//
// What it keeps, and why:
// - The latest row of each key, as a database does: an account (with its
//   cash and Sleeper link written over it), a position, a reservation. A
//   commit writes them in place, so rewriting them costs no memory.
// - Every execution, trade and external entry ever committed, as the
//   durable stores keep their tables. The store answers exactly-once beyond
//   the ledger's window (LedgerLimits::execution_retention): find_execution()
//   must answer every id ever committed with the fill as applied, because a
//   redelivery with the same fields is a duplicate and one with other fields
//   a conflict; dropping old fills would let a late redelivery apply twice.
//   trades() answers an account's whole history. A fill costs ~150 bytes
//   (its 88-byte row, its id's 16-byte index entry, its two trades as 16-byte
//   references to it, 8 bytes each in the by-account trade index), so memory
//   grows with the fills committed, whatever the ledger's window (1.5 GB for
//   10 million; docs/perf/2026-12-07-restart-and-memory.md), and a run of
//   months wants SqliteStore or PostgresStore.
//
// commit() fails, changing nothing, with AlreadyExists for a taken unique
// key, NotFound for a balance or link of an account never created, and
// InvalidArgument for a reservation with id 0. load() costs time in
// proportion to what it returns and to every execution committed (it picks
// the window's), plus the trades committed since the last load() or
// trades() (indexed by account when first read).
//
//   auto store = std::make_shared<account::MemoryStore>();
//   auto service = account::AccountService::open({.store = store});
//
// Fault injection for tests is a Store wrapper around it:
// account/testing/fault_injecting_store.h (account::testing).
// Thread-safety: all methods are thread-safe (one internal mutex).
#pragma once

#include <memory>

#include "account/store.h"

namespace account {

struct MemoryStoreOptions {
  // Fills whose memory (~136 bytes each: the fill, its id's index entry and
  // its two trades) is allocated and touched at construction, so that
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
  absl::StatusOr<std::vector<JournalRecord>> journal(uint64_t after_seq, size_t limit) override;
  absl::StatusOr<std::optional<uint64_t>> journal_cursor(std::string_view name) override;
  absl::Status set_journal_cursor(std::string_view name, uint64_t seq) override;
  // Removes the entries and hides the trades (store.h); the trades' log keeps their bytes.
  absl::StatusOr<JournalPruneResult> prune_journal(const JournalPrune& prune) override;
  absl::StatusOr<std::optional<JournalCheckpoint>> journal_checkpoint() override;

  // History pages (history.h). A trade's row is its place among every trade committed, from 1,
  // in commit order: stable for as long as the store lives. Trades are found through the
  // account's index; entries and reservations by a scan of all of them (rows of the account
  // after the cursor, then sorted), which is what a test store can afford.
  absl::StatusOr<TradePage> trade_page(const TradeQuery& query) override;
  absl::StatusOr<EntryPage> entry_page(const EntryQuery& query) override;
  absl::StatusOr<ReservationPage> reservation_page(const ReservationQuery& query) override;

  // Number of commits that succeeded: lets tests count transactions.
  uint64_t commits() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
