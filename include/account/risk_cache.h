// File: risk_cache.h
//
// The matching engine's view of risk. The ledger publishes, at each tick
// boundary, the final values of the entries that changed in that tick:
//   per account             available_cash, open_notional_headroom (Cents)
//   per (account, symbol)   available_qty, buy_headroom_qty (Qty)
// and engine threads check orders against the last published tick without
// locks. Every value read through one ReadGuard comes from one tick.
//
//   account::RiskCache cache({.readers_max = 8,
//                             .default_buy_headroom_qty = limits.position_cap_qty});
//   // Ledger tick driver, at the end of tick 41:
//   absl::Status s = cache.publish({.tick = TickId{41}, .accounts = {...}, .positions = {...}});
//   // Each engine thread, once:
//   absl::StatusOr<account::RiskReader> reader = cache.register_reader();
//   // Per order:
//   account::RiskVerdict v = reader->check_buy(buyer, symbol, qty, notional);
//   // Several checks against one tick:
//   {
//     account::ReadGuard guard = reader->read();
//     if (guard.check_sell(seller, symbol, qty) == RiskVerdict::kAccept) ...
//   }
//
// Thread-safety:
//   - publish() has one caller at a time (the ledger's tick driver). Calls must
//     not overlap; an overlapping call is a programmer error and aborts.
//   - register_reader() and published_tick() may be called from any thread.
//   - A RiskReader, and every ReadGuard made from it, is used by one thread at
//     a time. Guards do not nest on one reader. Readers are wait-free: a check
//     is three atomic accesses plus plain loads, with no lock, retry,
//     allocation or system call.
//   - The engine's per-tick path is one ReadGuard around a batch of checks:
//     the read protocol is paid once per batch instead of once per order.
//   - A reader inside a guard makes publish() wait for it (after the new tick
//     is already visible to everyone else), so keep guards short.
//   - Every RiskReader must be destroyed before its RiskCache.
// docs/risk-cache.md has the design and its memory-ordering argument.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/ids.h"
#include "account/internal/risk_cache_state.h"
#include "account/reason.h"
#include "account/units.h"

namespace account {

// How a reader orders its "I am reading" store before its load of the front
// copy index (the store->load pair that left-right needs).
enum class ReaderFence : uint8_t {
  // A sequentially consistent store on every read (an xchg on x86): correct by
  // the C++ memory model alone, and checked by TSan. What kAsymmetric falls
  // back to.
  kSeqCst = 0,
  // The default. A compiler-only barrier on every read; the writer pays
  // instead with one membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) per publish.
  // Saves about 1 ns per read (docs/risk-cache.md). Falls back to kSeqCst
  // when the kernel lacks it and under ThreadSanitizer.
  kAsymmetric = 1,
};

struct RiskCacheOptions {
  // Most readers registered at once. Each costs 128 bytes and one atomic load
  // per publish.
  size_t readers_max = 64;
  // buy_headroom_qty of an (account, symbol) never published: the per-symbol
  // position cap. The default matches LedgerLimits::position_cap_qty.
  Qty default_buy_headroom_qty{100'000 * kBpPerShare};
  // Largest account id publish() accepts. Ids are dense from 1. The account
  // table is indexed by id and reserved up front for this many accounts, so
  // that it never reallocates during a publish: 256 bytes of address space
  // per id (4 GiB for the default 2^24), of which the operating system backs
  // only the 4 KiB pages holding published ids (256 bytes per account in use).
  uint64_t account_id_max = uint64_t{1} << 24;
  ReaderFence reader_fence = ReaderFence::kAsymmetric;
};

// Final values of one account at the end of a tick.
struct AccountRisk {
  AccountId account;
  Cents available_cash;
  // How much more open order notional the account may add.
  Cents open_notional_headroom;
};

// Final values of one (account, symbol) at the end of a tick.
struct PositionRisk {
  AccountId account;
  SymbolId symbol;
  // Position minus shares reserved by open sell orders.
  Qty available_qty;
  // How much more the account may buy of the symbol under its position cap.
  Qty buy_headroom_qty;
};

// What changed in one tick. Entries not listed keep their values. When one
// entry is listed twice, the later one wins.
struct RiskTickChanges {
  TickId tick;
  std::vector<AccountRisk> accounts;
  std::vector<PositionRisk> positions;
};

// A check's outcome. The values are the matching engine's reject codes.
enum class RiskVerdict : uint8_t {
  kAccept = 0,
  kRiskUnavailable = 6,
  kInsufficientFunds = 7,
  kExposureExceeded = 8,
};
static_assert(static_cast<uint8_t>(RiskVerdict::kRiskUnavailable) ==
              static_cast<uint8_t>(EngineRejectCode::kRiskUnavailable));
static_assert(static_cast<uint8_t>(RiskVerdict::kInsufficientFunds) ==
              static_cast<uint8_t>(EngineRejectCode::kInsufficientFunds));
static_assert(static_cast<uint8_t>(RiskVerdict::kExposureExceeded) ==
              static_cast<uint8_t>(EngineRejectCode::kExposureExceeded));

// Stable upper-camel name, e.g. "InsufficientFunds".
std::string_view risk_verdict_name(RiskVerdict verdict);
std::ostream& operator<<(std::ostream& os, RiskVerdict verdict);

class RiskReader;
class ReadGuard;

class RiskCache {
 public:
  // Nothing is published yet: published_tick() is 0 and every account is
  // unknown. Options are taken as given (readers_max 0 allows no readers).
  // Aborts when the address space for account_id_max cannot be reserved.
  explicit RiskCache(RiskCacheOptions options);
  // Aborts if a RiskReader is still registered (it would dangle).
  ~RiskCache();

  RiskCache(const RiskCache&) = delete;
  RiskCache& operator=(const RiskCache&) = delete;

  // Makes `changes` the state of tick changes.tick, atomically for every
  // reader. Costs O(entries in changes), plus waiting for readers that are
  // inside a guard when the new tick becomes visible, plus one membarrier
  // under ReaderFence::kAsymmetric. Fails, changing nothing, with:
  //   FailedPrecondition  changes.tick is not after published_tick();
  //   InvalidArgument     an account id is 0 or above account_id_max, or a
  //                       symbol id is 0.
  // Calls must not overlap (aborts if they do).
  absl::Status publish(const RiskTickChanges& changes);

  // The newest published tick (0 before the first publish). Any read that
  // starts after this returns sees this tick or a later one.
  TickId published_tick() const;

  // Claims a reader slot. Fails with ResourceExhausted when readers_max
  // readers are registered; destroying a reader frees its slot.
  absl::StatusOr<RiskReader> register_reader();

  // The fence readers use: options.reader_fence, or kSeqCst after a fallback.
  ReaderFence reader_fence() const { return reader_fence_; }
  const RiskCacheOptions& options() const { return options_; }

 private:
  friend class RiskReader;
  friend class ReadGuard;

  absl::Status validate(const RiskTickChanges& changes) const;
  void wait_for_readers_to_leave() const;
  void flip_front(uint32_t back);

  const RiskCacheOptions options_;
  const ReaderFence reader_fence_;
  const std::unique_ptr<internal::ReaderSlot[]> slots_;
  // Set while a publish() runs; only there to catch overlapping calls.
  std::atomic<bool> publishing_{false};
  // Index of the copy readers enter. Stored only by publish(), seq_cst; see
  // RiskReader::enter() and RiskCache::flip_front() for the ordering argument.
  alignas(internal::kFalseSharingBytes) std::atomic<uint32_t> front_{0};
  // Mirror of copies_[front_].tick that any thread may read without a guard.
  std::atomic<uint64_t> published_tick_{0};
  internal::RiskCopy copies_[2];
  // Both copies' account entries, mapped once at construction.
  const internal::AccountTable table_;
};

// A read of one tick. Every value read through a guard comes from the tick
// that tick() names. Not copyable or movable: it lives in the scope that made
// it. Checks assume the engine validated the order; a negative qty or
// notional is refused as kRiskUnavailable (malformed input).
class ReadGuard {
 public:
  ~ReadGuard();
  ReadGuard(const ReadGuard&) = delete;
  ReadGuard& operator=(const ReadGuard&) = delete;

  // The tick this guard reads; 0 when nothing was published yet.
  TickId tick() const { return copy_.tick; }

  // A buy of `qty` (basis points) costing `notional` (cents, at the limit).
  // In precedence order: kRiskUnavailable (malformed input or unknown
  // account), kInsufficientFunds (available_cash < notional),
  // kExposureExceeded (open_notional_headroom < notional, or
  // buy_headroom_qty < qty), else kAccept.
  RiskVerdict check_buy(AccountId account, SymbolId symbol, Qty qty, Cents notional) const;

  // A sell of `qty` (basis points). kRiskUnavailable (malformed input or
  // unknown account), kInsufficientFunds (available_qty < qty), else kAccept.
  RiskVerdict check_sell(AccountId account, SymbolId symbol, Qty qty) const;

  // Cents the account may spend; nullopt when the account is unknown.
  std::optional<Cents> available_cash(AccountId account) const;
  // Cents of open order notional the account may add; nullopt when unknown.
  std::optional<Cents> open_notional_headroom(AccountId account) const;
  // Shares (basis points) the account may sell; 0 when never published.
  Qty available_qty(AccountId account, SymbolId symbol) const;
  // Shares (basis points) the account may still buy; the default
  // (options.default_buy_headroom_qty) when never published.
  Qty buy_headroom_qty(AccountId account, SymbolId symbol) const;

 private:
  friend class RiskReader;
  ReadGuard(RiskReader& reader, uint32_t front);

  const internal::AccountState* find(AccountId account) const;
  const internal::AccountState* find_known(AccountId account) const;
  const internal::PositionState* find_position(AccountId account, SymbolId symbol) const;

  RiskReader& reader_;
  const internal::RiskCopy& copy_;
  // The entries of the copy this guard reads, indexed by account id.
  const internal::AccountState* const accounts_;
};

// One engine thread's handle on a RiskCache. Move-only; destroying it frees
// its slot. Moving it while a guard is open is a programmer error.
class RiskReader {
 public:
  RiskReader(RiskReader&& other) noexcept;
  RiskReader& operator=(RiskReader&& other) noexcept;
  RiskReader(const RiskReader&) = delete;
  RiskReader& operator=(const RiskReader&) = delete;
  ~RiskReader();

  // Opens a read of the newest published tick; it ends when the guard is
  // destroyed. Must not be called while a guard of this reader is open.
  ReadGuard read() { return ReadGuard(*this, enter()); }

  // One-shot versions of the ReadGuard methods (same units and verdicts);
  // each opens and closes its own read.
  RiskVerdict check_buy(AccountId account, SymbolId symbol, Qty qty, Cents notional);
  RiskVerdict check_sell(AccountId account, SymbolId symbol, Qty qty);
  std::optional<Cents> available_cash(AccountId account);
  Qty available_qty(AccountId account, SymbolId symbol);

 private:
  friend class RiskCache;
  friend class ReadGuard;
  RiskReader(RiskCache& cache, internal::ReaderSlot& slot);

  // Announces the read and returns the index of the copy to read.
  uint32_t enter();
  void leave();
  void release();

  RiskCache* cache_ = nullptr;
  internal::ReaderSlot* slot_ = nullptr;
  // This reader's own copy of slot_->epoch; only this reader stores the slot.
  uint64_t epoch_ = 0;
  bool asymmetric_ = false;
  // Copies of the cache's constants, kept here so that a check finds them on
  // the reader's own line instead of loading them through cache_.
  internal::AccountTable table_;
  uint64_t account_id_max_ = 0;
  Qty default_buy_headroom_qty_{0};
};

// ---------------------------------------------------------------------------
// Inline hot path. The memory-ordering argument is in docs/risk-cache.md and,
// for the writer's half, in src/risk/risk_cache.cpp.

inline uint32_t RiskReader::enter() {
  assert(slot_ != nullptr && "read through a moved-from RiskReader");
  assert((epoch_ & 1) == 0 && "ReadGuards nested on one RiskReader");
  ++epoch_;
  if (asymmetric_) {
    // Release store then a compiler barrier (no instruction on x86): the
    // compiler keeps the front_ load below after the store, and the writer's
    // membarrier after its front_ store supplies the hardware store->load
    // fence: either this store is visible to the writer's scan, or the
    // barrier came first and our front_ load sees the new index. Release (not
    // relaxed) so that a writer that reads this value, instead of our last
    // leave(), still synchronizes with our previous read's loads.
    slot_->epoch.store(epoch_, std::memory_order_release);
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    // seq_cst store: with the seq_cst load below and the writer's seq_cst
    // front_ store and epoch load, this is Dekker's pattern. In the single
    // total order either the writer's epoch load comes after this store (it
    // sees us odd and waits), or its front_ store comes before our load (we
    // read the new copy). A release store would let the load pass the store.
    slot_->epoch.store(epoch_, std::memory_order_seq_cst);
  }
  // seq_cst for the Dekker argument above; it is also an acquire that pairs
  // with the writer's front_ store, so the copy's contents, written before
  // that store, are visible to us.
  return cache_->front_.load(std::memory_order_seq_cst);
}

inline void RiskReader::leave() {
  ++epoch_;
  // Release: every read of the copy happens before this store; the writer's
  // acquire load that sees it then happens after our reads, so the writer may
  // overwrite the copy we were in.
  slot_->epoch.store(epoch_, std::memory_order_release);
}

inline ReadGuard::ReadGuard(RiskReader& reader, uint32_t front)
    : reader_(reader),
      copy_(reader.cache_->copies_[front]),
      // Copy 1's entries follow copy 0's in one mapping. An and-mask instead of
      // indexing a table of the two bases keeps the entry's address one add
      // away from the front_ load, rather than behind another dependent load.
      accounts_(reader.table_.base +
                (reader.table_.entries_per_copy & (uint64_t{0} - uint64_t{front}))) {}

inline ReadGuard::~ReadGuard() { reader_.leave(); }

inline const internal::AccountState* ReadGuard::find(AccountId account) const {
  // Every id up to account_id_max has an entry (zero bytes when never
  // published); id 0 is never written, so it reads as unknown.
  return account.value() <= reader_.account_id_max_ ? &accounts_[account.value()] : nullptr;
}

inline const internal::AccountState* ReadGuard::find_known(AccountId account) const {
  const internal::AccountState* state = find(account);
  return state != nullptr && state->known ? state : nullptr;
}

inline const internal::PositionState* ReadGuard::find_position(AccountId account,
                                                               SymbolId symbol) const {
  const internal::AccountState* state = find(account);
  return state == nullptr ? nullptr : state->find_position(symbol);
}

inline RiskVerdict ReadGuard::check_buy(AccountId account, SymbolId symbol, Qty qty,
                                        Cents notional) const {
  if (qty.value() < 0 || notional.value() < 0) return RiskVerdict::kRiskUnavailable;
  const internal::AccountState* state = find_known(account);
  if (state == nullptr) return RiskVerdict::kRiskUnavailable;
  if (state->available_cash < notional) return RiskVerdict::kInsufficientFunds;
  if (state->open_notional_headroom < notional) return RiskVerdict::kExposureExceeded;
  const internal::PositionState* position = state->find_position(symbol);
  const Qty headroom_qty =
      position != nullptr ? position->buy_headroom_qty : reader_.default_buy_headroom_qty_;
  if (headroom_qty < qty) return RiskVerdict::kExposureExceeded;
  return RiskVerdict::kAccept;
}

inline RiskVerdict ReadGuard::check_sell(AccountId account, SymbolId symbol, Qty qty) const {
  if (qty.value() < 0) return RiskVerdict::kRiskUnavailable;
  const internal::AccountState* state = find_known(account);
  if (state == nullptr) return RiskVerdict::kRiskUnavailable;
  const internal::PositionState* position = state->find_position(symbol);
  const Qty available_qty = position != nullptr ? position->available_qty : Qty{0};
  if (available_qty < qty) return RiskVerdict::kInsufficientFunds;
  return RiskVerdict::kAccept;
}

inline std::optional<Cents> ReadGuard::available_cash(AccountId account) const {
  const internal::AccountState* state = find_known(account);
  if (state == nullptr) return std::nullopt;
  return state->available_cash;
}

inline std::optional<Cents> ReadGuard::open_notional_headroom(AccountId account) const {
  const internal::AccountState* state = find_known(account);
  if (state == nullptr) return std::nullopt;
  return state->open_notional_headroom;
}

inline Qty ReadGuard::available_qty(AccountId account, SymbolId symbol) const {
  const internal::PositionState* position = find_position(account, symbol);
  return position != nullptr ? position->available_qty : Qty{0};
}

inline Qty ReadGuard::buy_headroom_qty(AccountId account, SymbolId symbol) const {
  const internal::PositionState* position = find_position(account, symbol);
  return position != nullptr ? position->buy_headroom_qty : reader_.default_buy_headroom_qty_;
}

inline RiskVerdict RiskReader::check_buy(AccountId account, SymbolId symbol, Qty qty,
                                         Cents notional) {
  ReadGuard guard = read();
  return guard.check_buy(account, symbol, qty, notional);
}

inline RiskVerdict RiskReader::check_sell(AccountId account, SymbolId symbol, Qty qty) {
  ReadGuard guard = read();
  return guard.check_sell(account, symbol, qty);
}

inline std::optional<Cents> RiskReader::available_cash(AccountId account) {
  ReadGuard guard = read();
  return guard.available_cash(account);
}

inline Qty RiskReader::available_qty(AccountId account, SymbolId symbol) {
  ReadGuard guard = read();
  return guard.available_qty(account, symbol);
}

}  // namespace account
