#include "ledger/execution_window.h"

#include <utility>

#include "base/check.h"

namespace account::internal {

// make_unique<Fill[]> value-initializes every fill: that writes each page.
ExecutionWindow::Chunk ExecutionWindow::new_chunk() {
  return std::make_unique<Fill[]>(kChunkFills);
}

void ExecutionWindow::push_back(const Fill& fill) {
  const bool fresh = index_.insert(fill.execution.value(), next_);
  ACCOUNT_CHECK(fresh, "an execution id is applied once");
  if ((next_ & (kChunkFills - 1)) == 0) chunks_.push_back(pool_.take(new_chunk));
  chunks_.back()[next_ & (kChunkFills - 1)] = fill;
  ++next_;
}

void ExecutionWindow::reserve(size_t fills) {
  pool_.reserve((fills + kChunkFills - 1) / kChunkFills, new_chunk);
  index_.reserve(fills);
}

void ExecutionWindow::pop_front() {
  index_.erase(front().execution.value());
  ++front_;
  // The front chunk is spent once front_ reaches the next chunk's first fill.
  if ((front_ & (kChunkFills - 1)) == 0) {
    pool_.give(std::move(chunks_.front()));
    chunks_.pop_front();
  }
}

}  // namespace account::internal
