// The counters and log lines of sign-in (docs/auth.md, "Observability"): every refusal by
// reason in account_denials_total and as one JSON line, sign-ins, refreshes and logouts.
//
// Thread-safety: every member may be called from any thread; counting is one relaxed atomic
// add, and the log sink serialises its own lines.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "account/auth/refresh_tokens.h"
#include "account/clock.h"
#include "account/log_sink.h"
#include "account/metrics.h"

namespace account::internal::auth {

class AuthEvents {
 public:
  // `metrics` null: a registry of its own. `log` null: no lines. `clock` must outlive this.
  AuthEvents(std::shared_ptr<MetricsRegistry> metrics, std::shared_ptr<LogSink> log,
             const Clock* clock);

  // A failed `operation` ("login", "refresh", ...): counted by its Reason and logged (at
  // warning for kRefreshTokenReused), or logged as auth_error when it has no Reason. `owner`
  // names the account and family when the refresh token was found. Nothing for OK.
  void refused(std::string_view operation, const absl::Status& status,
               const account::auth::RefreshTokenOwner* owner = nullptr) const;

  void logged_in(const account::auth::RefreshTokenOwner& owner) const;
  void refreshed(const account::auth::RefreshTokenOwner& owner) const;
  // `owner` null: the logout had no family to end (already ended, or nothing given).
  void logged_out(const account::auth::RefreshTokenOwner* owner) const;

  MetricsRegistry& metrics() const { return *metrics_; }

 private:
  void write(LogLevel level, std::string_view event, std::string_view message,
             std::string_view operation, const account::auth::RefreshTokenOwner* owner,
             const absl::Status* status) const;

  std::shared_ptr<MetricsRegistry> metrics_;
  std::shared_ptr<LogSink> log_;
  const Clock* clock_;
  // Indexed by the Reason's value; null for values that name no Reason. Registered up front so
  // that counting never takes the registry's lock.
  std::array<Counter*, 256> denials_{};
  Counter* logins_ = nullptr;
  Counter* refreshes_ = nullptr;
  Counter* logouts_ = nullptr;
};

// The family id's 16 raw bytes as 32 lower-case hex digits, as the log lines carry it.
std::string family_hex(std::string_view family_id);

}  // namespace account::internal::auth
