// RecordingNotificationSink (testing/recording_notification_sink.h).
#include "account/testing/recording_notification_sink.h"

#include <chrono>
#include <utility>

#include "base/mutex.h"

namespace account::testing {

class RecordingNotificationSink::State {
 public:
  // Records a notice and returns the callback to run for it (outside the lock).
  std::function<void(const ExpiredOrderNotice&)> record(const ExpiredOrderNotice& notice) {
    internal::MutexLock lock(&mu_);
    expired_.push_back(notice);
    changed_.signal_all();
    return on_expired_;
  }
  std::function<void(const QueuedFillNotice&)> record(const QueuedFillNotice& notice) {
    internal::MutexLock lock(&mu_);
    fills_.push_back(notice);
    changed_.signal_all();
    return on_fill_;
  }

  std::vector<ExpiredOrderNotice> expired() const {
    internal::MutexLock lock(&mu_);
    return expired_;
  }
  std::vector<QueuedFillNotice> fills() const {
    internal::MutexLock lock(&mu_);
    return fills_;
  }
  size_t expired_count() const {
    internal::MutexLock lock(&mu_);
    return expired_.size();
  }
  size_t fill_count() const {
    internal::MutexLock lock(&mu_);
    return fills_.size();
  }

  // Waits until the kept notices of one kind (`fills` or expiries) number at least `count`.
  bool wait(bool fills, size_t count, absl::Duration timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
    internal::MutexLock lock(&mu_);
    while ((fills ? fills_.size() : expired_.size()) < count) {
      const int64_t left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  deadline - std::chrono::steady_clock::now())
                                  .count();
      if (left_ns <= 0) return false;
      changed_.wait_for(&mu_, left_ns);
    }
    return true;
  }

  std::vector<ExpiredOrderNotice> take_expired() {
    internal::MutexLock lock(&mu_);
    return std::exchange(expired_, {});
  }
  std::vector<QueuedFillNotice> take_fills() {
    internal::MutexLock lock(&mu_);
    return std::exchange(fills_, {});
  }

  void clear() {
    internal::MutexLock lock(&mu_);
    expired_.clear();
    fills_.clear();
  }

  void set_on_expired(std::function<void(const ExpiredOrderNotice&)> callback) {
    internal::MutexLock lock(&mu_);
    on_expired_ = std::move(callback);
  }
  void set_on_fill(std::function<void(const QueuedFillNotice&)> callback) {
    internal::MutexLock lock(&mu_);
    on_fill_ = std::move(callback);
  }

 private:
  mutable internal::Mutex mu_;
  mutable internal::CondVar changed_;  // A notice was recorded.
  std::vector<ExpiredOrderNotice> expired_ ABSL_GUARDED_BY(mu_);
  std::vector<QueuedFillNotice> fills_ ABSL_GUARDED_BY(mu_);
  std::function<void(const ExpiredOrderNotice&)> on_expired_ ABSL_GUARDED_BY(mu_);
  std::function<void(const QueuedFillNotice&)> on_fill_ ABSL_GUARDED_BY(mu_);
};

RecordingNotificationSink::RecordingNotificationSink() : state_(std::make_unique<State>()) {}

RecordingNotificationSink::~RecordingNotificationSink() = default;

void RecordingNotificationSink::on_order_expired(uint64_t seq, AccountId account, OrderId order,
                                                 ReservationId reservation) {
  const ExpiredOrderNotice notice{seq, account, order, reservation};
  if (auto callback = state_->record(notice)) callback(notice);
}

void RecordingNotificationSink::on_queued_fill_done(const Fill& fill, const absl::Status& result) {
  const QueuedFillNotice notice{fill, result};
  if (auto callback = state_->record(notice)) callback(notice);
}

std::vector<ExpiredOrderNotice> RecordingNotificationSink::expired_orders() const {
  return state_->expired();
}

std::vector<QueuedFillNotice> RecordingNotificationSink::queued_fills_done() const {
  return state_->fills();
}

size_t RecordingNotificationSink::expired_order_count() const { return state_->expired_count(); }

size_t RecordingNotificationSink::queued_fill_done_count() const { return state_->fill_count(); }

bool RecordingNotificationSink::wait_for_expired_orders(size_t count,
                                                        absl::Duration timeout) const {
  return state_->wait(/*fills=*/false, count, timeout);
}

bool RecordingNotificationSink::wait_for_queued_fills_done(size_t count,
                                                           absl::Duration timeout) const {
  return state_->wait(/*fills=*/true, count, timeout);
}

std::vector<ExpiredOrderNotice> RecordingNotificationSink::take_expired_orders() {
  return state_->take_expired();
}

std::vector<QueuedFillNotice> RecordingNotificationSink::take_queued_fills_done() {
  return state_->take_fills();
}

void RecordingNotificationSink::clear() { state_->clear(); }

void RecordingNotificationSink::set_on_order_expired(
    std::function<void(const ExpiredOrderNotice&)> callback) {
  state_->set_on_expired(std::move(callback));
}

void RecordingNotificationSink::set_on_queued_fill_done(
    std::function<void(const QueuedFillNotice&)> callback) {
  state_->set_on_fill(std::move(callback));
}

}  // namespace account::testing
