#include "ledger/outage_queue.h"

#include <chrono>
#include <utility>

#include "base/check.h"

namespace account::internal {

OutageQueue::OutageQueue(size_t fills_max) : fills_max_(fills_max) {}

void OutageQueue::push_one(const Fill& fill) {
  fills_.push_back(fill);
  ++orders_[fill.buyer.order.value()];
  ++orders_[fill.seller.order.value()];
  count_.store(fills_.size(), std::memory_order_release);
}

size_t OutageQueue::push(absl::Span<const Fill* const> fills) {
  MutexLock lock(&mu_);
  const bool was_empty = fills_.empty();
  size_t taken = 0;
  for (const Fill* fill : fills) {
    if (fills_.size() >= fills_max_) break;
    push_one(*fill);
    ++taken;
  }
  // Only a queue that was empty has the retry thread asleep on it.
  if (was_empty && taken > 0) cv_.signal_all();
  return taken;
}

std::optional<OutageQueue::Behind> OutageQueue::push_behind(absl::Span<const Fill> fills) {
  MutexLock lock(&mu_);
  if (fills_.empty()) return std::nullopt;
  Behind behind;
  for (const Fill& fill : fills) {
    if (fills_.size() >= fills_max_) break;
    push_one(fill);
    ++behind.taken;
  }
  behind.size = fills_.size();
  return behind;
}

void OutageQueue::pop_front(size_t n) {
  MutexLock lock(&mu_);
  ACCOUNT_CHECK(n <= fills_.size(), "only queued fills leave the outage queue");
  for (size_t i = 0; i < n; ++i) {
    const Fill& fill = fills_.front();
    for (OrderId order : {fill.buyer.order, fill.seller.order}) {
      auto it = orders_.find(order.value());
      if (--it->second == 0) orders_.erase(it);
    }
    fills_.pop_front();
  }
  count_.store(fills_.size(), std::memory_order_release);
}

void OutageQueue::copy_to(std::vector<Fill>& out) const {
  MutexLock lock(&mu_);
  out.assign(fills_.begin(), fills_.end());
}

size_t OutageQueue::size() const {
  MutexLock lock(&mu_);
  return fills_.size();
}

bool OutageQueue::names(OrderId order) const {
  if (!any()) return false;
  MutexLock lock(&mu_);
  return orders_.contains(order.value());
}

bool OutageQueue::wait_for_work(absl::FunctionRef<bool()> store_up) {
  MutexLock lock(&mu_);
  while (!stopping_ && fills_.empty() && store_up()) cv_.wait(&mu_);
  return !stopping_;
}

void OutageQueue::sleep_unless_stopping(absl::Duration wait) {
  // The whole wait: fills queued meanwhile do not cut it short, or a ledger
  // taking a fill a millisecond would try the store (and reload) as often.
  const auto retry_at = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(wait);
  MutexLock lock(&mu_);
  for (auto now = std::chrono::steady_clock::now(); !stopping_ && now < retry_at;
       now = std::chrono::steady_clock::now()) {
    cv_.wait_for(&mu_,
                 std::chrono::duration_cast<std::chrono::nanoseconds>(retry_at - now).count());
  }
}

void OutageQueue::wake() {
  MutexLock lock(&mu_);
  cv_.signal_all();
}

void OutageQueue::stop() {
  MutexLock lock(&mu_);
  stopping_ = true;
  cv_.signal_all();
}

std::deque<Fill> OutageQueue::take_all() {
  MutexLock lock(&mu_);
  std::deque<Fill> left;
  left.swap(fills_);
  orders_.clear();
  count_.store(0, std::memory_order_release);
  return left;
}

}  // namespace account::internal
