// Private to the library: what AccountService tells operators about its
// work — counters and latency histograms in a MetricsRegistry, and log
// records for events that need a person (store failures, fills queued for
// an outage, a redelivered execution with other fields). Kept apart from
// the commands so that the ledger's code reads as ledger rules.
//
// Metric names (docs/operations.md lists them with their meaning):
//   account_balance_checks_total           reservation admissions + available-cash queries
//   reservation_created_total              reservations admitted
//   reservation_settled_total              reservations fully filled
//   reservation_expired_total              reservations expired by the sweep
//   reservation_released_total             reservations cancelled or released
//   trade_settled_total                    fills applied (each gives two trades)
//   account_fills_queued_total             fills queued during a store outage
//   account_denials_total{reason}          commands refused, by Reason
//   account_store_errors_total{kind}       store calls that failed (commits and reloads),
//                                          by kind: the absl code's name (unavailable,
//                                          unauthenticated, permission_denied, ...)
//   account_store_commit_seconds           store commit latency (one per group commit)
//   account_settlement_seconds             settle()/settle_batch() latency, per call
//   account_fills_queued                   gauge: fills waiting for the store
//   account_store_up                       gauge: 1 while the store takes commands
//   account_risk_published_tick            gauge: newest tick the RiskCache published
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "absl/time/time.h"
#include "account/clock.h"
#include "account/fill.h"
#include "account/log_sink.h"
#include "account/metrics.h"
#include "account/reason.h"
#include "account/settlement_receipt.h"

namespace account::internal {

class LedgerObserver {
 public:
  // `registry` and `clock` must outlive the observer; `log` may be null.
  LedgerObserver(MetricsRegistry& registry, const Clock& clock, LogSink* log);

  void balance_checked() { balance_checks_->add(); }
  // A command's outcome: counts its denial by reason.
  void outcome(const absl::Status& status);
  void reservation_admitted(const absl::Status& status);
  void reservations_released(size_t n) { reservations_released_->add(n); }
  void reservations_expired(size_t n);
  // Counts what settling `fills` gave (results[i] is fills[i]'s), one add per
  // counter for the whole batch: a counter add is an atomic read-modify-write.
  void settled(absl::Span<const Fill> fills,
               absl::Span<const absl::StatusOr<SettlementReceipt>> results);
  void settlement_latency(absl::Duration took) {
    settlement_seconds_->observe_ns(absl::ToInt64Nanoseconds(took));
  }
  void fills_queued(size_t n, const absl::Status& why);
  void store_committed(absl::Duration took, const absl::Status& status, size_t commands);
  void reload_failed(const absl::Status& status);
  // The retry thread's attempt `failures` since the store last took one
  // failed with `why`; it waits `wait`, with `queued` fills kept. One error
  // line per step: the backoff caps them at one per SettlementRetryPolicy::
  // backoff_max once it has grown.
  void store_retry_failed(const absl::Status& why, int failures, absl::Duration wait,
                          size_t queued);
  // The store refused a commit because another writer took it: this ledger writes no more.
  void writer_fenced(const absl::Status& cause);
  // A reload succeeded after the store was down for `down_for`.
  void store_back(absl::Duration down_for);
  // The notifier could not read the journal, or store its cursor (`what`), and tries again.
  void notices_stalled(const absl::Status& why, std::string_view what);

 private:
  const Clock& clock_;
  LogSink* log_;
  Counter* balance_checks_;
  Counter* reservations_created_;
  Counter* reservations_settled_;
  Counter* reservations_expired_;
  Counter* reservations_released_;
  Counter* trades_settled_;
  Counter* fills_queued_;
  // Counts a failed store call by the kind of its status.
  void store_error(const absl::Status& status);
  // By absl::StatusCode value (0..16); a code outside that range counts as unknown.
  Counter* store_errors_[17] = {};
  Counter* denials_[256] = {};  // By Reason value; null for numbers no Reason has.
  Histogram* store_commit_seconds_;
  Histogram* settlement_seconds_;
};

}  // namespace account::internal
