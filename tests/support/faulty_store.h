// A Store wrapper that injects commit faults, as leveldb injects them
// through its Env: fail before the commit is durable, or commit and then
// report an error (the ambiguous commit).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "account/store.h"

namespace account::testing {

class FaultyStore final : public Store {
 public:
  // kFailFills fails every commit that holds a fill (before it is durable)
  // until set to kNone, and lets the others through: fills queue while
  // other commands go on.
  // kRefuseCommits fails every commit with the down error (set_down_error)
  // and lets loads through: a full disk, or a write permission taken away.
  enum class Fault { kNone, kFailBeforeCommit, kFailAfterCommit, kDown, kFailFills, kRefuseCommits };

  explicit FaultyStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  // The next commit fails this way; kDown fails every call until set to kNone.
  void inject(Fault fault) { fault_.store(fault); }
  // What every call answers while kDown (default: Unavailable, "connection
  // refused"): e.g. Unauthenticated for a password changed mid-outage.
  void set_down_error(absl::Status error) {
    std::lock_guard lock(mu_);
    down_error_ = std::move(error);
  }
  int commits_failed() const { return commits_failed_.load(); }
  int loads() const { return loads_.load(); }
  // Every call that reached this store (commit, load, find_execution, trades).
  int calls() const { return calls_.load(); }

  absl::Status commit(const ChangeSet& changes) override {
    ++calls_;
    const Fault fault = fault_.load();
    if (fault == Fault::kNone) return inner_->commit(changes);
    if (fault == Fault::kFailFills && changes.executions.empty()) return inner_->commit(changes);
    if (fault == Fault::kRefuseCommits) {
      ++commits_failed_;
      return down_error();
    }
    if (fault != Fault::kDown && fault != Fault::kFailFills) fault_.store(Fault::kNone);
    ++commits_failed_;
    if (fault == Fault::kFailAfterCommit) {
      absl::Status committed = inner_->commit(changes);
      if (!committed.ok()) return committed;
      return absl::UnavailableError("connection lost while committing");
    }
    return fault == Fault::kDown ? down_error() : absl::UnavailableError("connection refused");
  }
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override {
    ++calls_;
    ++loads_;
    if (fault_.load() == Fault::kDown) return down_error();
    return inner_->load(request);
  }
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override {
    ++calls_;
    if (fault_.load() == Fault::kDown) return down_error();
    return inner_->find_execution(execution);
  }
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override {
    ++calls_;
    if (fault_.load() == Fault::kDown) return down_error();
    return inner_->trades(account, limit);
  }

 private:
  absl::Status down_error() const {
    std::lock_guard lock(mu_);
    return down_error_;
  }

  std::shared_ptr<Store> inner_;
  mutable std::mutex mu_;
  absl::Status down_error_ = absl::UnavailableError("connection refused");
  std::atomic<int> calls_{0};
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> commits_failed_{0};
  std::atomic<int> loads_{0};
};

}  // namespace account::testing
