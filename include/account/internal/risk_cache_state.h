// File: internal/risk_cache_state.h
//
// The data behind account::RiskCache (risk_cache.h): the account table that
// holds both copies of the risk state, the reader slots, and the fence
// helpers. It sits in a header only so that the reader's hot path inlines into
// the matching engine; nothing here is public API.
//
// Thread-safety: the account entries are plain data. The left-right protocol
// in risk_cache.h and src/risk/risk_cache.cpp guarantees that while any reader may
// be inside a copy, the writer does not touch it, so const lookups need no
// synchronisation of their own.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "absl/container/flat_hash_map.h"
#include "account/ids.h"
#include "account/units.h"

// ThreadSanitizer models C++ atomics but not the membarrier system call, so an
// asymmetric fence would look like a race to it. Builds under TSan always use
// sequentially consistent reader fences.
#if defined(__SANITIZE_THREAD__)
#define ACCOUNT_INTERNAL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ACCOUNT_INTERNAL_TSAN 1
#endif
#endif
#ifndef ACCOUNT_INTERNAL_TSAN
#define ACCOUNT_INTERNAL_TSAN 0
#endif

namespace account::internal {

// Padding unit for data written by one thread and read by others. Two 64-byte
// lines, because x86's adjacent-line prefetcher pulls lines in pairs and would
// otherwise make neighbouring reader slots share traffic.
inline constexpr size_t kFalseSharingBytes = 128;

struct PositionState {
  Qty available_qty;
  Qty buy_headroom_qty;
};

// Positions kept inside an account's entry. Most accounts hold a few players;
// their positions are then found by comparing this many symbol ids on the
// entry's first cache line, instead of probing a hash table elsewhere in
// memory (which costs as much as the rest of a check).
inline constexpr size_t kInlinePositions = 4;

// Positions beyond the inline ones, per account, so that growing it rehashes
// one account's positions (at most the number of symbols) rather than every
// position on the exchange.
using OverflowPositions = absl::flat_hash_map<SymbolId, PositionState>;

// One account in one copy: exactly one 128-byte pair of cache lines. The first
// line holds everything a check compares (cash, headroom, flags, the inline
// symbol ids); the second holds the inline positions, so a check reads one
// entry and nothing else unless the account has more than kInlinePositions
// symbols. An entry of all zero bytes is an account never published: the table
// is mapped zero-filled, and the writer never needs to initialise an entry.
struct alignas(2 * 64) AccountState {
  Cents available_cash;
  Cents open_notional_headroom;
  // Positions beyond the inline ones; null until an account needs it. Owned by
  // the copy (freed in ~RiskCache) so that the entry stays a plain,
  // trivially destructible object that zero bytes describe.
  OverflowPositions* overflow_positions;
  // False until the account itself is published; positions may arrive first.
  bool known;
  // Inline positions in use; they fill up in publish order and are never
  // removed (a closed position is published with zeros).
  uint8_t inline_count;
  std::array<SymbolId, kInlinePositions> inline_symbols;
  std::array<PositionState, kInlinePositions> inline_positions;

  // The published state of (this account, symbol), or null when never
  // published. Read-only: safe for any number of readers of a quiet copy.
  const PositionState* find_position(SymbolId symbol) const {
    for (size_t i = 0; i < inline_count; ++i) {
      if (inline_symbols[i] == symbol) return &inline_positions[i];
    }
    if (overflow_positions == nullptr) return nullptr;
    auto it = overflow_positions->find(symbol);
    return it == overflow_positions->end() ? nullptr : &it->second;
  }
};
static_assert(sizeof(AccountState) == 128, "an account entry is one adjacent-line pair");
static_assert(std::is_trivially_copyable_v<AccountState> &&
                  std::is_trivially_destructible_v<AccountState>,
              "entries live in zero-filled mapped memory and are never constructed");

// Where the account entries of both copies live: one zero-filled mapping of
// 2 * (account_id_max + 1) entries, copy c's entry for account id k at
// base[c * entries_per_copy + k] (entry 0 is never written: id 0 is invalid).
// Indexing by id is one multiply-add, with no page table to load first; the
// mapping is reserved once, so publishing never copies or reallocates it, and
// the operating system backs only the pages that hold published accounts.
struct AccountTable {
  AccountState* base = nullptr;
  uint64_t entries_per_copy = 0;
};

// The per-copy values that are not per account.
struct alignas(kFalseSharingBytes) RiskCopy {
  // Tick whose end state this copy holds; 0 before the first publish.
  TickId tick;
  // This copy's entries (a slice of the AccountTable).
  AccountState* accounts = nullptr;
  // Highest account id written into this copy; bounds the destructor's walk
  // over overflow tables. Writer-only.
  uint64_t account_id_written_max = 0;
};

// A registered reader's announcement of where it is. Owned by one reader,
// read by the writer; padded so that readers never share a line.
struct alignas(kFalseSharingBytes) ReaderSlot {
  // Odd while the owning reader is inside a read. Only the owner stores it;
  // it only ever increases, so the writer never confuses two reads (no ABA).
  std::atomic<uint64_t> epoch{0};
  // True while a RiskReader owns the slot. Claimed with a CAS (acquire, so the
  // new owner sees the last owner's epoch) and released with a release store.
  std::atomic<bool> in_use{false};
};

}  // namespace account::internal
