// A Store wrapper that injects commit faults, as leveldb injects them
// through its Env: fail before the commit is durable, or commit and then
// report an error (the ambiguous commit).
#pragma once

#include <atomic>
#include <memory>

#include "account/store.h"

namespace account::testing {

class FaultyStore final : public Store {
 public:
  // kFailFills fails every commit that holds a fill (before it is durable)
  // until set to kNone, and lets the others through: fills queue while
  // other commands go on.
  enum class Fault { kNone, kFailBeforeCommit, kFailAfterCommit, kDown, kFailFills };

  explicit FaultyStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  // The next commit fails this way; kDown fails every call until set to kNone.
  void inject(Fault fault) { fault_.store(fault); }
  int commits_failed() const { return commits_failed_.load(); }
  int loads() const { return loads_.load(); }

  absl::Status commit(const ChangeSet& changes) override {
    const Fault fault = fault_.load();
    if (fault == Fault::kNone) return inner_->commit(changes);
    if (fault == Fault::kFailFills && changes.executions.empty()) return inner_->commit(changes);
    if (fault != Fault::kDown && fault != Fault::kFailFills) fault_.store(Fault::kNone);
    ++commits_failed_;
    if (fault == Fault::kFailAfterCommit) {
      absl::Status committed = inner_->commit(changes);
      if (!committed.ok()) return committed;
      return absl::UnavailableError("connection lost while committing");
    }
    return absl::UnavailableError("connection refused");
  }
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override {
    ++loads_;
    if (fault_.load() == Fault::kDown) return absl::UnavailableError("connection refused");
    return inner_->load(request);
  }
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override {
    if (fault_.load() == Fault::kDown) return absl::UnavailableError("connection refused");
    return inner_->find_execution(execution);
  }
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override {
    if (fault_.load() == Fault::kDown) return absl::UnavailableError("connection refused");
    return inner_->trades(account, limit);
  }

 private:
  std::shared_ptr<Store> inner_;
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> commits_failed_{0};
  std::atomic<int> loads_{0};
};

}  // namespace account::testing
