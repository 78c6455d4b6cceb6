#include "execution_window.h"

#include <utility>

#include "check.h"

namespace account::internal {

void ExecutionWindow::push_back(const Fill& fill) {
  const bool fresh = index_.insert(fill.execution.value(), next_);
  ACCOUNT_CHECK(fresh, "an execution id is applied once");
  if ((next_ & (kChunkFills - 1)) == 0) {
    if (spare_) {
      chunks_.push_back(std::move(spare_));
    } else if (!reserved_.empty()) {
      chunks_.push_back(std::move(reserved_.back()));
      reserved_.pop_back();
    } else {
      chunks_.push_back(std::make_unique<Fill[]>(kChunkFills));
    }
  }
  chunks_.back()[next_ & (kChunkFills - 1)] = fill;
  ++next_;
}

void ExecutionWindow::reserve(size_t fills) {
  // make_unique<Fill[]> value-initializes every fill: that writes each page.
  while (reserved_.size() * kChunkFills < fills) {
    reserved_.push_back(std::make_unique<Fill[]>(kChunkFills));
  }
  index_.reserve(fills);
}

void ExecutionWindow::pop_front() {
  index_.erase(front().execution.value());
  ++front_;
  // The front chunk is spent once front_ reaches the next chunk's first fill.
  if ((front_ & (kChunkFills - 1)) == 0) {
    spare_ = std::move(chunks_.front());
    chunks_.pop_front();
  }
}

}  // namespace account::internal
