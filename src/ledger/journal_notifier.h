// Private to the library: the ledger's notifier (docs/journal.md, "Notices from the journal").
// One thread hands each committed journal entry to the NotificationSink, in seq order, outside
// every ledger lock, and stores how far it got (Store::set_journal_cursor, "notifier"), so that
// a ledger opened after a crash starts after the stored cursor: every notice at least once,
// its seq to tell a repeat.
//
// The cursor is stored at most every kCursorInterval and when the notifier stops, so that a
// busy ledger costs the store one small write per interval, not one per commit; a crash repeats
// at most that interval's notices. A read that fails (the entries must come from a store that
// is down) is tried again after `retry_wait`.
//
// Thread-safety: committed(), await_delivered() and delivered() from any thread; start() and
// stop() from the ledger's owner.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/journal_entry.h"
#include "account/notification_sink.h"
#include "account/store.h"
#include "base/mutex.h"

namespace account::internal {

class LedgerObserver;

class JournalNotifier {
 public:
  // The name of the ledger's cursor in the store.
  static constexpr std::string_view kCursorName = "notifier";
  static constexpr absl::Duration kCursorInterval = absl::Milliseconds(100);
  // Reads the entries after a seq, at most about that many events (AccountService::
  // events_since).
  using ReadSince =
      std::function<absl::StatusOr<std::vector<JournalEntry>>(uint64_t after_seq, size_t max)>;

  // `store_up` says whether the ledger takes the store to be up: while it is down, only the
  // ledger's one reconnect path touches it, so the cursor waits.
  JournalNotifier(Store& store, NotificationSink& sink, LedgerObserver& observer,
                  ReadSince read_since, std::function<bool()> store_up,
                  absl::Duration retry_wait);
  ~JournalNotifier();
  JournalNotifier(const JournalNotifier&) = delete;
  JournalNotifier& operator=(const JournalNotifier&) = delete;

  // Starts the thread, delivering the entries after `cursor` up to `head` and on.
  void start(uint64_t cursor, uint64_t head);
  // The journal's head moved to `head` (a commit, or a reload that found one landed).
  void committed(uint64_t head);
  // Waits until the entries up to `seq` are delivered, or `timeout` (real time) passes;
  // returns whether they were.
  bool await_delivered(uint64_t seq, absl::Duration timeout) const;
  // The newest seq delivered.
  uint64_t delivered() const;
  // Delivers what is committed (unless a read fails), stores the cursor, ends the thread.
  void stop();

 private:
  void run();
  void deliver(const JournalEntry& entry);
  void store_cursor(uint64_t seq);

  Store& store_;
  NotificationSink& sink_;
  LedgerObserver& observer_;
  const ReadSince read_since_;
  const std::function<bool()> store_up_;
  const absl::Duration retry_wait_;

  mutable Mutex mu_;
  mutable CondVar changed_;
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t delivered_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t stored_ = 0;  // The notifier thread's.
  std::thread thread_;
};

}  // namespace account::internal
