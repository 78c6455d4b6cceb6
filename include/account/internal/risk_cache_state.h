// File: internal/risk_cache_state.h
//
// The data behind account::RiskCache (risk_cache.h): one copy of the risk
// state, the reader slots, and the fence helpers. It sits in a header only so
// that the reader's hot path inlines into the matching engine; nothing here is
// public API.
//
// Thread-safety: a RiskCopy is plain data. The left-right protocol in
// risk_cache.h and src/risk_cache.cpp guarantees that while any reader may be
// inside a copy, the writer does not touch it, so const lookups need no
// synchronisation of their own.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

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

// Accounts per page of the account table. A page is allocated the first time
// one of its accounts is published, so growth costs one page (160 KiB), never
// a copy of the whole table.
inline constexpr uint64_t kAccountsPerPageLog2 = 10;
inline constexpr uint64_t kAccountsPerPage = uint64_t{1} << kAccountsPerPageLog2;

struct PositionState {
  Qty available_qty;
  Qty buy_headroom_qty;
};

// Positions kept inside an account's entry. Most accounts hold a few players;
// their positions are then found by comparing at most this many symbol ids on
// the entry's first cache line, instead of probing a hash table elsewhere in
// memory (which costs as much as the rest of a check).
inline constexpr size_t kInlinePositions = 4;

struct AccountState {
  Cents available_cash;
  Cents open_notional_headroom;
  // False until the account itself is published; positions may arrive first.
  bool known = false;
  // Inline positions in use; they fill up in publish order and are never
  // removed (a closed position is published with zeros).
  uint8_t inline_count = 0;
  std::array<SymbolId, kInlinePositions> inline_symbols{};
  std::array<PositionState, kInlinePositions> inline_positions{};
  // Positions beyond the inline ones. Per account, so that growing it
  // rehashes one account's positions (at most the number of symbols) rather
  // than every position on the exchange.
  absl::flat_hash_map<SymbolId, PositionState> overflow_positions;

  // The published state of (this account, symbol), or null when never
  // published. Read-only: safe for any number of readers of a quiet copy.
  const PositionState* find_position(SymbolId symbol) const {
    for (size_t i = 0; i < inline_count; ++i) {
      if (inline_symbols[i] == symbol) return &inline_positions[i];
    }
    if (overflow_positions.empty()) return nullptr;
    auto it = overflow_positions.find(symbol);
    return it == overflow_positions.end() ? nullptr : &it->second;
  }
};

struct AccountPage {
  std::array<AccountState, kAccountsPerPage> accounts;
};

// One of the two copies of the risk state.
struct alignas(kFalseSharingBytes) RiskCopy {
  // Tick whose end state this copy holds; 0 before the first publish.
  TickId tick;
  // buy_headroom_qty of a pair never published. Set at construction only.
  Qty default_buy_headroom_qty;
  // Indexed by account id >> kAccountsPerPageLog2; sized once at construction
  // to cover account_id_max, so it never reallocates. Null: page not yet used.
  std::vector<std::unique_ptr<AccountPage>> pages;

  // The state of `account`, or null when nothing about it was ever published.
  const AccountState* find(AccountId account) const {
    const uint64_t page_index = account.value() >> kAccountsPerPageLog2;
    if (page_index >= pages.size()) return nullptr;
    const AccountPage* page = pages[page_index].get();
    if (page == nullptr) return nullptr;
    return &page->accounts[account.value() & (kAccountsPerPage - 1)];
  }

  // Like find(), but null also when only positions were published.
  const AccountState* find_known(AccountId account) const {
    const AccountState* state = find(account);
    return state != nullptr && state->known ? state : nullptr;
  }

  // The published state of (account, symbol), or null when never published.
  static const PositionState* find_position(const AccountState* state, SymbolId symbol) {
    return state == nullptr ? nullptr : state->find_position(symbol);
  }
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
