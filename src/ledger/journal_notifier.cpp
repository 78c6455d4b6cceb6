#include "ledger/journal_notifier.h"

#include <chrono>
#include <utility>
#include <variant>

#include "ledger/ledger_observer.h"

namespace account::internal {
namespace {
// Events read per batch: a bound on what one read holds, whatever the backlog.
constexpr size_t kEventsPerRead = 4'096;
}  // namespace

JournalNotifier::JournalNotifier(Store& store, NotificationSink& sink, LedgerObserver& observer,
                                 ReadSince read_since, std::function<bool()> store_up,
                                 absl::Duration retry_wait)
    : store_(store),
      sink_(sink),
      observer_(observer),
      read_since_(std::move(read_since)),
      store_up_(std::move(store_up)),
      retry_wait_(retry_wait) {}

JournalNotifier::~JournalNotifier() { stop(); }

void JournalNotifier::start(uint64_t cursor, uint64_t head) {
  {
    MutexLock lock(&mu_);
    delivered_ = cursor;
    head_ = head;
  }
  stored_ = cursor;
  thread_ = std::thread([this] { run(); });
}

void JournalNotifier::committed(uint64_t head) {
  MutexLock lock(&mu_);
  if (head <= head_) return;
  head_ = head;
  changed_.signal_all();
}

uint64_t JournalNotifier::delivered() const {
  MutexLock lock(&mu_);
  return delivered_;
}

bool JournalNotifier::await_delivered(uint64_t seq, absl::Duration timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
  MutexLock lock(&mu_);
  while (delivered_ < seq) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) return false;
    changed_.wait_for(&mu_, std::chrono::duration_cast<std::chrono::nanoseconds>(left).count());
  }
  return true;
}

void JournalNotifier::stop() {
  {
    MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    changed_.signal_all();
  }
  if (thread_.joinable()) thread_.join();
}

void JournalNotifier::deliver(const JournalEntry& entry) {
  sink_.on_journal_entry(entry);
  for (const LedgerEvent& event : entry.events) {
    const auto* changed = std::get_if<ReservationChanged>(&event);
    if (changed == nullptr || changed->change != ReservationChange::kExpired) continue;
    const Reservation& r = changed->reservation;
    sink_.on_order_expired(entry.seq, r.account, r.order, r.id);
  }
}

void JournalNotifier::store_cursor(uint64_t seq) {
  if (seq == stored_ || !store_up_()) return;
  const absl::Status stored = store_.set_journal_cursor(kCursorName, seq);
  // Unimplemented: a store without cursors. Any other failure: the next store tries again,
  // and until one lands a restart repeats the notices since the last.
  if (stored.ok() || stored.code() == absl::StatusCode::kUnimplemented) {
    stored_ = seq;
  } else {
    observer_.notices_stalled(stored, "storing the notifier's cursor");
  }
}

void JournalNotifier::run() {
  auto last_store = std::chrono::steady_clock::now();
  while (true) {
    uint64_t after = 0;
    uint64_t head = 0;
    bool stopping = false;
    {
      MutexLock lock(&mu_);
      if (delivered_ >= head_ && !stopping_) {
        // Nothing to deliver: sleep until a commit, or until the cursor left behind by the
        // interval is due.
        if (stored_ != delivered_) {
          changed_.wait_for(&mu_, absl::ToInt64Nanoseconds(kCursorInterval));
        } else {
          changed_.wait(&mu_);
        }
      }
      after = delivered_;
      head = head_;
      stopping = stopping_;
    }
    if (after < head) {
      absl::StatusOr<std::vector<JournalEntry>> entries = read_since_(after, kEventsPerRead);
      if (!entries.ok()) {
        observer_.notices_stalled(entries.status(), "reading the journal");
        if (stopping) break;  // The entries cannot be read now: a restart delivers them.
        MutexLock lock(&mu_);
        changed_.wait_for(&mu_, absl::ToInt64Nanoseconds(retry_wait_));
        continue;
      }
      for (const JournalEntry& entry : *entries) deliver(entry);
      if (!entries->empty()) {
        MutexLock lock(&mu_);
        delivered_ = entries->back().seq;
        changed_.signal_all();
      }
    } else if (stopping) {
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_store >= absl::ToChronoNanoseconds(kCursorInterval)) {
      store_cursor(delivered());
      last_store = now;
    }
  }
  store_cursor(delivered());
}

}  // namespace account::internal
