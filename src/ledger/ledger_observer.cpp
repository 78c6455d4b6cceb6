#include "ledger/ledger_observer.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "account/status.h"
#include "base/strings.h"

namespace account::internal {

LedgerObserver::LedgerObserver(MetricsRegistry& registry, const Clock& clock, LogSink* log)
    : clock_(clock), log_(log) {
  MetricsRegistry& r = registry;
  balance_checks_ = r.counter("account_balance_checks_total",
                              "Balance checks: reservation admissions and available-cash queries.");
  reservations_created_ = r.counter("reservation_created_total", "Reservations admitted.");
  reservations_settled_ = r.counter("reservation_settled_total", "Reservations fully filled.");
  reservations_expired_ = r.counter("reservation_expired_total", "Reservations expired.");
  reservations_released_ =
      r.counter("reservation_released_total", "Reservations cancelled or released.");
  trades_settled_ = r.counter("trade_settled_total", "Fills applied (two trades each).");
  fills_queued_ = r.counter("account_fills_queued_total",
                            "Fills queued because the store was unavailable.");
  // Every kind gets its series up front, as the denials below do.
  for (int code = 1; code < 17; ++code) {
    std::string kind = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
    for (char& c : kind) c = c == ' ' ? '_' : static_cast<char>(std::tolower(c));
    store_errors_[code] = r.counter("account_store_errors_total",
                                    "Store calls (commits and reloads) that failed, by kind.",
                                    {{"kind", kind}});
  }
  // Every Reason gets its series up front, so that a scrape shows zeros and
  // counting a denial never takes the registry's lock.
  for (int value = 1; value < 256; ++value) {
    const std::string_view name = reason_name(static_cast<Reason>(value));
    if (name == "Unknown") continue;
    denials_[value] = r.counter("account_denials_total", "Commands refused, by reason.",
                                {{"reason", std::string(name)}});
  }
  store_commit_seconds_ = r.histogram("account_store_commit_seconds",
                                      "Store commit latency, one per group commit.",
                                      latency_buckets_ns());
  settlement_seconds_ = r.histogram("account_settlement_seconds",
                                    "Latency of settle() and settle_batch() calls.",
                                    latency_buckets_ns());
}

void LedgerObserver::outcome(const absl::Status& status) {
  if (status.ok()) return;
  if (std::optional<Reason> reason = reason_of(status)) {
    const auto value = static_cast<uint16_t>(*reason);
    if (value < 256 && denials_[value] != nullptr) denials_[value]->add();
  }
}

void LedgerObserver::reservation_admitted(const absl::Status& status) {
  balance_checks_->add();
  outcome(status);
  if (status.ok()) reservations_created_->add();
}

void LedgerObserver::reservations_expired(size_t n) {
  reservations_expired_->add(n);
  if (n > 0) {
    log_event(log_, clock_, LogLevel::kInfo, "reservations_expired",
              "expired reservations past their expiry", {{"count", uint64_t{n}}});
  }
}

void LedgerObserver::settled(absl::Span<const Fill> fills,
                             absl::Span<const absl::StatusOr<SettlementReceipt>> results) {
  uint64_t applied = 0;
  uint64_t orders_done = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const absl::StatusOr<SettlementReceipt>& result = results[i];
    if (result.ok()) {
      if (result->outcome != SettlementOutcome::kApplied) continue;
      ++applied;
      orders_done += uint64_t{result->buyer_order_done} + result->seller_order_done;
      continue;
    }
    outcome(result.status());
    // A redelivery with other fields means the engine and the ledger
    // disagree about a trade: a person must look.
    if (reason_of(result) == Reason::kExecutionConflict) {
      const Fill& fill = fills[i];
      log_event(log_, clock_, LogLevel::kError, "execution_conflict",
                std::string(result.status().message()),
                {{"execution_id", fill.execution.value()},
                 {"buyer_account_id", fill.buyer.account.value()},
                 {"buyer_order_id", fill.buyer.order.value()},
                 {"seller_account_id", fill.seller.account.value()},
                 {"seller_order_id", fill.seller.order.value()}});
    }
  }
  if (applied > 0) trades_settled_->add(applied);
  if (orders_done > 0) reservations_settled_->add(orders_done);
}

void LedgerObserver::fills_queued(size_t n, const absl::Status& why) {
  if (n == 0) return;
  fills_queued_->add(n);
  log_event(log_, clock_, LogLevel::kWarning, "fills_queued",
            std::string(why.message()), {{"count", uint64_t{n}}});
}

void LedgerObserver::store_committed(absl::Duration took, const absl::Status& status,
                                     size_t commands) {
  store_commit_seconds_->observe_ns(absl::ToInt64Nanoseconds(took));
  if (status.ok()) return;
  store_error(status);
  log_event(log_, clock_, LogLevel::kError, "store_commit_failed",
            std::string(status.message()),
            {{"status_code", std::string_view(absl::StatusCodeToString(status.code()))},
             {"commands", uint64_t{commands}}});
}

void LedgerObserver::store_error(const absl::Status& status) {
  const auto code = static_cast<int>(status.code());
  store_errors_[code > 0 && code < 17 ? code : static_cast<int>(absl::StatusCode::kUnknown)]->add();
}

void LedgerObserver::store_retry_failed(const absl::Status& why, int failures,
                                        absl::Duration wait, size_t queued) {
  log_event(log_, clock_, LogLevel::kError, "store_retry_failed", std::string(why.message()),
            {{"status_code", std::string_view(absl::StatusCodeToString(why.code()))},
             {"attempt", uint64_t(failures)},
             {"retry_in_ms", uint64_t(absl::ToInt64Milliseconds(wait))},
             {"fills_queued", uint64_t{queued}}});
}

void LedgerObserver::store_back(absl::Duration down_for) {
  log_event(log_, clock_, LogLevel::kWarning, "store_back", "the store takes commands again",
            {{"down_ms", uint64_t(std::max<int64_t>(0, absl::ToInt64Milliseconds(down_for)))}});
}

void LedgerObserver::notices_stalled(const absl::Status& why, std::string_view what) {
  log_event(log_, clock_, LogLevel::kWarning, "notices_stalled",
            internal::cat(what, ": ", why.message()),
            {{"status_code", std::string_view(absl::StatusCodeToString(why.code()))}});
}

void LedgerObserver::writer_fenced(const absl::Status& cause) {
  log_event(log_, clock_, LogLevel::kError, "writer_fenced",
            internal::cat("another ledger took the store; this one writes nothing more: ",
                          cause.message()),
            {{"status_code", std::string_view(absl::StatusCodeToString(cause.code()))}});
}

void LedgerObserver::reload_failed(const absl::Status& status) {
  store_error(status);
  log_event(log_, clock_, LogLevel::kError, "store_reload_failed",
            std::string(status.message()),
            {{"status_code", std::string_view(absl::StatusCodeToString(status.code()))}});
}

}  // namespace account::internal
