#include "execution_window.h"

#include <algorithm>
#include <utility>

#include "check.h"

namespace account::internal {

void ExecutionWindow::push_back(const Fill& fill) {
  if (size() == ring_.size()) {
    // Double the ring, keeping each fill at its arrival number's place.
    const size_t capacity = std::max<size_t>(ring_.size() * 2, 64);
    std::vector<Fill> bigger(capacity);
    for (uint64_t i = front_; i != next_; ++i) bigger[i & (capacity - 1)] = ring_[i & mask_];
    ring_ = std::move(bigger);
    mask_ = capacity - 1;
  }
  const bool fresh = index_.insert(fill.execution.value(), next_);
  ACCOUNT_CHECK(fresh, "an execution id is applied once");
  ring_[next_ & mask_] = fill;
  ++next_;
}

}  // namespace account::internal
