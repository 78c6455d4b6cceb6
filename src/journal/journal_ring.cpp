#include "journal/journal_ring.h"

#include <utility>

namespace account::internal {

void JournalRing::push(JournalRecord record, size_t events) {
  MutexLock lock(&mu_);
  if (record.seq != head_ + 1) {
    kept_.clear();
    bytes_ = 0;
  }
  head_ = record.seq;
  bytes_ += record.bytes.size();
  kept_.push_back(Kept{std::move(record), events});
  trim();
}

void JournalRing::restart_at(uint64_t seq) {
  MutexLock lock(&mu_);
  if (seq == head_) return;
  kept_.clear();
  bytes_ = 0;
  head_ = seq;
}

void JournalRing::trim() {
  while (!kept_.empty() && (bytes_ > bytes_max_ && (kept_.size() > 1 || bytes_max_ == 0))) {
    bytes_ -= kept_.front().record.bytes.size();
    kept_.pop_front();
  }
}

uint64_t JournalRing::head() const {
  MutexLock lock(&mu_);
  return head_;
}

bool JournalRing::copy_since(uint64_t after_seq, size_t max_events,
                             std::vector<JournalRecord>* out) const {
  out->clear();
  MutexLock lock(&mu_);
  if (after_seq == head_) return true;
  if (kept_.empty() || after_seq + 1 < kept_.front().record.seq || after_seq > head_) {
    return false;
  }
  size_t events = 0;
  for (size_t i = after_seq + 1 - kept_.front().record.seq; i < kept_.size(); ++i) {
    const Kept& k = kept_[i];
    if (!out->empty() && events + k.events > max_events) break;
    events += k.events;
    out->push_back(k.record);
  }
  return true;
}

}  // namespace account::internal
