#include "account/risk_cache.h"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/check.h"

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace account {
namespace {

// Busy-wait rounds (each a CPU pause) before the writer starts yielding its
// core while a reader finishes a read. A guard lasts well under a microsecond
// when its reader is running; past this the reader was probably preempted,
// and spinning would only keep it off the core.
constexpr int kSpinsBeforeYield = 128;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

#if defined(__linux__)
long membarrier(int command) { return syscall(__NR_membarrier, command, 0, 0); }
#endif

// True when this process may use MEMBARRIER_CMD_PRIVATE_EXPEDITED from now on.
// Registration is per process and idempotent.
bool register_asymmetric_fence() {
#if defined(__linux__) && !ACCOUNT_INTERNAL_TSAN
  const long supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
#else
  return false;
#endif
}

// Runs a full memory barrier on every running thread of this process. After it
// returns, every reader either made its epoch store visible to us, or will
// perform its front_ load after the barrier and so see the new front_.
void heavy_fence() {
#if defined(__linux__)
  // Cannot fail once registered; if it did, readers would be unprotected.
  ACCOUNT_CHECK(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0,
                "RiskCache: membarrier failed after registration");
#endif
}

ReaderFence effective_fence(ReaderFence requested) {
  if (requested == ReaderFence::kAsymmetric && register_asymmetric_fence()) {
    return ReaderFence::kAsymmetric;
  }
  return ReaderFence::kSeqCst;
}

// Reserves the zero-filled entries of both copies: 2 * (account_id_max + 1)
// AccountStates. An all-zero AccountState is a valid, never-published entry,
// and AccountState is an implicit-lifetime type, so the mapped bytes are the
// entries. The kernel maps a page only when the writer first stores into it.
internal::AccountTable map_account_table(uint64_t account_id_max) {
  constexpr uint64_t kEntryBytes = sizeof(internal::AccountState);
  ACCOUNT_CHECK(account_id_max < (uint64_t{1} << 40),
                "RiskCache: account_id_max too large for the account table");
  internal::AccountTable table;
  table.entries_per_copy = account_id_max + 1;
  const size_t bytes = static_cast<size_t>(2 * table.entries_per_copy * kEntryBytes);
#if defined(__linux__)
  // MAP_NORESERVE: the reservation is address space, not committed memory.
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ACCOUNT_CHECK(p != MAP_FAILED, "RiskCache: cannot reserve the account table");
#else
  void* p = std::calloc(1, bytes);
  ACCOUNT_CHECK(p != nullptr, "RiskCache: cannot reserve the account table");
#endif
  table.base = static_cast<internal::AccountState*>(p);
  return table;
}

void unmap_account_table(const internal::AccountTable& table) {
#if defined(__linux__)
  munmap(table.base, static_cast<size_t>(2 * table.entries_per_copy *
                                         sizeof(internal::AccountState)));
#else
  std::free(table.base);
#endif
}

internal::AccountState& account_for_write(internal::RiskCopy& copy, AccountId account) {
  copy.account_id_written_max = std::max(copy.account_id_written_max, account.value());
  return copy.accounts[account.value()];
}

// The inline slot for `symbol` if it has one or one is free, else its entry in
// the overflow table (created and inserted if new).
internal::PositionState& position_for_write(internal::AccountState& state, SymbolId symbol) {
  for (size_t i = 0; i < state.inline_count; ++i) {
    if (state.inline_symbols[i] == symbol) return state.inline_positions[i];
  }
  if (state.inline_count < internal::kInlinePositions) {
    const size_t i = state.inline_count++;
    state.inline_symbols[i] = symbol;
    return state.inline_positions[i];
  }
  if (state.overflow_positions == nullptr) {
    state.overflow_positions = new internal::OverflowPositions();
  }
  return (*state.overflow_positions)[symbol];
}

// Writes `changes` into `copy`. The caller guarantees no reader is inside it.
void apply(internal::RiskCopy& copy, const RiskTickChanges& changes) {
  for (const AccountRisk& change : changes.accounts) {
    internal::AccountState& state = account_for_write(copy, change.account);
    state.available_cash = change.available_cash;
    state.open_notional_headroom = change.open_notional_headroom;
    state.known = true;
  }
  for (const PositionRisk& change : changes.positions) {
    internal::AccountState& state = account_for_write(copy, change.account);
    position_for_write(state, change.symbol) = {change.available_qty, change.buy_headroom_qty};
  }
  copy.tick = changes.tick;
}

// Sets a flag for the duration of publish(), aborting if it was already set.
// The acquire/release pair also orders consecutive publishes made from
// different threads, so the copies pass cleanly from one publisher to the next.
class PublishScope {
 public:
  explicit PublishScope(std::atomic<bool>& publishing) : publishing_(publishing) {
    ACCOUNT_CHECK(!publishing_.exchange(true, std::memory_order_acquire),
                  "RiskCache::publish() calls overlap; one thread at a time may publish");
  }
  ~PublishScope() { publishing_.store(false, std::memory_order_release); }
  PublishScope(const PublishScope&) = delete;
  PublishScope& operator=(const PublishScope&) = delete;

 private:
  std::atomic<bool>& publishing_;
};

}  // namespace

std::string_view risk_verdict_name(RiskVerdict verdict) {
  switch (verdict) {
    case RiskVerdict::kAccept:
      return "Accept";
    case RiskVerdict::kRiskUnavailable:
      return "RiskUnavailable";
    case RiskVerdict::kInsufficientFunds:
      return "InsufficientFunds";
    case RiskVerdict::kExposureExceeded:
      return "ExposureExceeded";
  }
  return "Unknown";
}

std::ostream& operator<<(std::ostream& os, RiskVerdict verdict) {
  return os << risk_verdict_name(verdict) << "(" << static_cast<int>(verdict) << ")";
}

RiskCache::RiskCache(RiskCacheOptions options)
    : options_(options),
      reader_fence_(effective_fence(options.reader_fence)),
      slots_(std::make_unique<internal::ReaderSlot[]>(options.readers_max)),
      table_(map_account_table(options.account_id_max)) {
  copies_[0].accounts = table_.base;
  copies_[1].accounts = table_.base + table_.entries_per_copy;
}

RiskCache::~RiskCache() {
  for (size_t i = 0; i < options_.readers_max; ++i) {
    ACCOUNT_CHECK(!slots_[i].in_use.load(std::memory_order_acquire),
                  "RiskCache destroyed while a RiskReader is still registered");
  }
  for (internal::RiskCopy& copy : copies_) {
    for (uint64_t id = 1; id <= copy.account_id_written_max; ++id) {
      delete copy.accounts[id].overflow_positions;
    }
  }
  unmap_account_table(table_);
}

TickId RiskCache::published_tick() const {
  return TickId{published_tick_.load(std::memory_order_acquire)};
}

absl::StatusOr<RiskReader> RiskCache::register_reader() {
  for (size_t i = 0; i < options_.readers_max; ++i) {
    bool expected = false;
    // Acquire pairs with the previous owner's release of the slot, so its
    // last epoch store is what the new owner starts from.
    if (slots_[i].in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
      return RiskReader(*this, slots_[i]);
    }
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("all ", options_.readers_max, " RiskCache reader slots are in use"));
}

absl::Status RiskCache::validate(const RiskTickChanges& changes) const {
  // Only publish() stores it; PublishScope orders successive publishes.
  const uint64_t published = published_tick_.load(std::memory_order_relaxed);
  if (changes.tick.value() <= published) {
    return absl::FailedPreconditionError(absl::StrCat(
        "tick ", changes.tick.value(), " is not after the published tick ", published));
  }
  auto check_account = [this](AccountId account) {
    if (account.valid() && account.value() <= options_.account_id_max) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("account id ", account.value(),
                                                   " outside [1, ", options_.account_id_max, "]"));
  };
  for (const AccountRisk& change : changes.accounts) {
    if (absl::Status s = check_account(change.account); !s.ok()) return s;
  }
  for (const PositionRisk& change : changes.positions) {
    if (absl::Status s = check_account(change.account); !s.ok()) return s;
    if (!change.symbol.valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("symbol id 0 for account ", change.account.value()));
    }
  }
  return absl::OkStatus();
}

absl::Status RiskCache::publish(const RiskTickChanges& changes) {
  PublishScope scope(publishing_);
  if (absl::Status s = validate(changes); !s.ok()) return s;
  // Only publish() stores front_, and publishes do not overlap, so relaxed
  // reads our own last store.
  const uint32_t old_front = front_.load(std::memory_order_relaxed);
  const uint32_t back = 1 - old_front;
  // No reader is inside the back copy: the previous publish waited for every
  // reader that could have entered it before making it the back.
  apply(copies_[back], changes);
  flip_front(back);
  wait_for_readers_to_leave();
  // Every reader now is either outside, or inside the new front: the old
  // front is ours. Bring it level so that it can be the next back copy.
  apply(copies_[old_front], changes);
  return absl::OkStatus();
}

void RiskCache::flip_front(uint32_t back) {
  // seq_cst store: the release half publishes the back copy's contents to any
  // reader whose front_ load reads this value; the seq_cst half places it in
  // the single total order before our epoch loads in
  // wait_for_readers_to_leave(), which is the writer's half of the Dekker
  // pattern described at RiskReader::enter().
  front_.store(back, std::memory_order_seq_cst);
  published_tick_.store(copies_[back].tick.value(), std::memory_order_release);
  // Readers under kAsymmetric store their epoch with no store->load fence
  // (release plus a compiler barrier); this makes each such store visible
  // before our scan, or else orders that reader's front_ load after our store.
  if (reader_fence_ == ReaderFence::kAsymmetric) heavy_fence();
}

void RiskCache::wait_for_readers_to_leave() const {
  for (size_t i = 0; i < options_.readers_max; ++i) {
    const std::atomic<uint64_t>& epoch = slots_[i].epoch;
    // seq_cst: this load must come after our front_ store in the total order
    // (see flip_front). It is also an acquire: if it reads an even value, that
    // value is the reader's release store on leaving, so its reads of the old
    // copy happen before our writes to it. A later enter by that reader is
    // after this load in the total order, hence after the front_ store, and
    // reads the new copy.
    const uint64_t seen = epoch.load(std::memory_order_seq_cst);
    if ((seen & 1) == 0) continue;
    // The reader was inside, in either copy. Wait for any change. Every later
    // store to the slot is a release (leave, or enter under either fence)
    // sequenced after that read's loads, so this acquire makes them happen
    // before our writes. A new enter comes after our first load (in the
    // seq_cst total order, or after the membarrier under kAsymmetric), so it
    // sees the new front_.
    for (int spins = 0; epoch.load(std::memory_order_acquire) == seen; ++spins) {
      if (spins < kSpinsBeforeYield) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
    }
  }
}

RiskReader::RiskReader(RiskCache& cache, internal::ReaderSlot& slot)
    : cache_(&cache),
      slot_(&slot),
      // Relaxed: the claiming CAS in register_reader() acquired the slot.
      epoch_(slot.epoch.load(std::memory_order_relaxed)),
      asymmetric_(cache.reader_fence_ == ReaderFence::kAsymmetric),
      table_(cache.table_),
      account_id_max_(cache.options_.account_id_max),
      default_buy_headroom_qty_(cache.options_.default_buy_headroom_qty) {}

RiskReader::RiskReader(RiskReader&& other) noexcept
    : cache_(std::exchange(other.cache_, nullptr)),
      slot_(std::exchange(other.slot_, nullptr)),
      epoch_(other.epoch_),
      asymmetric_(other.asymmetric_),
      table_(other.table_),
      account_id_max_(other.account_id_max_),
      default_buy_headroom_qty_(other.default_buy_headroom_qty_) {}

RiskReader& RiskReader::operator=(RiskReader&& other) noexcept {
  if (this != &other) {
    release();
    cache_ = std::exchange(other.cache_, nullptr);
    slot_ = std::exchange(other.slot_, nullptr);
    epoch_ = other.epoch_;
    asymmetric_ = other.asymmetric_;
    table_ = other.table_;
    account_id_max_ = other.account_id_max_;
    default_buy_headroom_qty_ = other.default_buy_headroom_qty_;
  }
  return *this;
}

RiskReader::~RiskReader() { release(); }

void RiskReader::release() {
  if (slot_ == nullptr) return;
  assert((epoch_ & 1) == 0 && "RiskReader released inside a ReadGuard");
  // Release: the next owner's acquiring CAS sees our final epoch.
  slot_->in_use.store(false, std::memory_order_release);
  slot_ = nullptr;
  cache_ = nullptr;
}

}  // namespace account
