#include "execution_manager.h"

#include <algorithm>
#include <utility>

#include "account/reason.h"
#include "account/settlement_receipt.h"
#include "account/status.h"

namespace example {

using account::Reason;

ExecutionManager::ExecutionManager(std::shared_ptr<account::NotificationSink> downstream)
    : downstream_(std::move(downstream)) {}

void ExecutionManager::attach(account::AccountService* ledger) {
  std::lock_guard lock(mu_);
  ledger_ = ledger;
}

ExecutionManager::State ExecutionManager::classify(const absl::Status& result) {
  if (result.ok()) return State::kAcknowledged;
  const std::optional<Reason> reason = account::reason_of(result);
  if (reason == Reason::kDuplicateExecution) return State::kAcknowledged;
  // The ledger does not have it, for a reason that passes: hand it in again later. A fill
  // stamped ahead of the ledger's clock is refused until the clock catches up.
  if (!reason || account::transient(*reason) || reason == Reason::kStoreFailure) {
    return State::kPending;
  }
  return State::kRefused;
}

ExecutionManager::State ExecutionManager::on_fill(const account::Fill& fill) {
  bool tracked = true;
  {
    std::lock_guard lock(mu_);
    auto [it, added] =
        entries_.try_emplace(fill.execution.value(), Entry{.fill = fill, .arrival = arrivals_});
    if (added) ++arrivals_;
    if (it->second.fill == fill) {
      it->second.state = State::kInFlight;
    } else {
      // The engine sent other fields under a known id: the ledger will refuse it as a
      // conflict; the fill first seen under the id keeps its state.
      tracked = false;
    }
  }
  return settle(fill, tracked);
}

ExecutionManager::State ExecutionManager::settle(const account::Fill& fill, bool tracked) {
  account::AccountService* ledger;
  {
    std::lock_guard lock(mu_);
    ledger = ledger_;
  }
  const absl::StatusOr<account::SettlementReceipt> receipt = ledger->settle(fill);
  State next = classify(receipt.status());
  if (receipt.ok() && receipt->outcome == account::SettlementOutcome::kQueued) {
    next = State::kQueued;
  }
  std::lock_guard lock(mu_);
  if (next == State::kRefused) refused_.emplace_back(fill, receipt.status());
  if (!tracked) return next;
  Entry& entry = entries_.at(fill.execution.value());
  // A queued fill may have been reported done already, on the retry thread, before settle()
  // returned here: that report is the later truth.
  if (entry.state != State::kInFlight) return entry.state;
  entry.state = next;
  return next;
}

size_t ExecutionManager::redeliver() {
  std::vector<std::pair<uint64_t, account::Fill>> pending;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, entry] : entries_) {
      if (entry.state != State::kPending) continue;
      entry.state = State::kInFlight;
      pending.emplace_back(entry.arrival, entry.fill);
    }
  }
  std::sort(pending.begin(), pending.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [arrival, fill] : pending) settle(fill, /*tracked=*/true);
  return pending.size();
}

ExecutionManager::State ExecutionManager::state(account::ExecutionId execution) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(execution.value());
  return it == entries_.end() ? State::kPending : it->second.state;
}

size_t ExecutionManager::unacknowledged() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(), [](const auto& e) {
    return e.second.state != State::kAcknowledged && e.second.state != State::kRefused;
  }));
}

std::vector<std::pair<account::Fill, absl::Status>> ExecutionManager::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

void ExecutionManager::on_journal_entry(const account::JournalEntry& entry) {
  if (downstream_) downstream_->on_journal_entry(entry);
}

void ExecutionManager::on_order_expired(uint64_t seq, account::AccountId account,
                                        account::OrderId order,
                                        account::ReservationId reservation) {
  if (downstream_) downstream_->on_order_expired(seq, account, order, reservation);
}

void ExecutionManager::on_queued_fill_done(const account::Fill& fill, const absl::Status& result) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(fill.execution.value());
    if (it != entries_.end()) {
      it->second.state = classify(result);
      if (it->second.state == State::kRefused) refused_.emplace_back(fill, result);
    }
  }
  if (downstream_) downstream_->on_queued_fill_done(fill, result);
}

}  // namespace example
