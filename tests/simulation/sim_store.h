// The simulator's Store wrapper: it injects exactly the faults the simulator
// decides on, and no others, so that a seed decides every outcome.
//
//   SimStore store(inner);
//   store.arm(SimStore::Fault::kAfterDurable, /*then_down=*/false);
//   service->credit(...);   // commits, then reports Unavailable (ambiguous)
//   store.disarm();         // a command that committed nothing leaves it armed
//   store.set_down(true);   // an outage: every call fails with Unavailable
//
// A one-shot fault applies to the next commit only. With `then_down` the
// store goes down in the same step, under one lock, so that the service's
// settlement retry thread cannot commit anything between the fault and the
// crash the simulator is about to stage.
//
// Thread-safety: every method is thread-safe (the retry thread commits too).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "account/internal/mutex.h"
#include "account/store.h"

namespace account::simulation {

class SimStore final : public Store {
 public:
  enum class Fault { kBeforeDurable, kAfterDurable };

  explicit SimStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  void arm(Fault fault, bool then_down) {
    internal::MutexLock lock(&mu_);
    armed_ = fault;
    then_down_ = then_down;
  }
  void disarm() {
    internal::MutexLock lock(&mu_);
    armed_.reset();
    then_down_ = false;
  }
  void set_down(bool down) {
    internal::MutexLock lock(&mu_);
    down_ = down;
  }
  bool down() const {
    internal::MutexLock lock(&mu_);
    return down_;
  }
  // One-shot faults that fired so far.
  uint64_t faults_fired() const {
    internal::MutexLock lock(&mu_);
    return fired_;
  }

  absl::Status commit(const ChangeSet& changes) override {
    std::optional<Fault> fault;
    {
      internal::MutexLock lock(&mu_);
      if (down_) return absl::UnavailableError("simulated outage: connection refused");
      fault = armed_;
      if (fault) {
        ++fired_;
        armed_.reset();
        down_ = then_down_;
        then_down_ = false;
        // The inner commit runs under the lock so that nothing commits
        // between it and going down.
        if (*fault == Fault::kAfterDurable) {
          absl::Status committed = inner_->commit(changes);
          if (!committed.ok()) return committed;
          return absl::UnavailableError("simulated: connection lost after commit");
        }
        return absl::UnavailableError("simulated: connection lost before commit");
      }
    }
    return inner_->commit(changes);
  }
  absl::StatusOr<LedgerSnapshot> load(const SnapshotRequest& request) override {
    if (down()) return absl::UnavailableError("simulated outage: connection refused");
    return inner_->load(request);
  }
  absl::StatusOr<std::optional<Fill>> find_execution(ExecutionId execution) override {
    if (down()) return absl::UnavailableError("simulated outage: connection refused");
    return inner_->find_execution(execution);
  }
  absl::StatusOr<std::vector<Trade>> trades(AccountId account, size_t limit) override {
    if (down()) return absl::UnavailableError("simulated outage: connection refused");
    return inner_->trades(account, limit);
  }

 private:
  const std::shared_ptr<Store> inner_;
  mutable internal::Mutex mu_;
  std::optional<Fault> armed_ ABSL_GUARDED_BY(mu_);
  bool then_down_ ABSL_GUARDED_BY(mu_) = false;
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t fired_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace account::simulation
