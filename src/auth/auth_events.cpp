#include "auth_events.h"

#include <optional>
#include <utility>
#include <vector>

#include "account/reason.h"
#include "account/status.h"

namespace account::internal::auth {

using account::auth::RefreshTokenOwner;

std::string family_hex(std::string_view family_id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(family_id.size() * 2);
  for (const char c : family_id) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0F]);
  }
  return out;
}

AuthEvents::AuthEvents(std::shared_ptr<MetricsRegistry> metrics, std::shared_ptr<LogSink> log,
                       const Clock* clock)
    : metrics_(metrics ? std::move(metrics) : std::make_shared<MetricsRegistry>()),
      log_(std::move(log)),
      clock_(clock) {
  // The ledger's family and help text: with a shared registry these are the ledger's own
  // counters, so one series per reason whichever component refused.
  for (int value = 1; value < 256; ++value) {
    const std::string_view name = reason_name(static_cast<Reason>(value));
    if (name == "Unknown") continue;
    denials_[value] = metrics_->counter("account_denials_total", "Commands refused, by reason.",
                                        {{"reason", std::string(name)}});
  }
  logins_ = metrics_->counter("auth_logins_total", "Sign-ins completed (a session issued).");
  refreshes_ = metrics_->counter("auth_refreshes_total", "Refreshes that issued a new session.");
  logouts_ = metrics_->counter("auth_logouts_total", "Logouts answered OK.");
}

void AuthEvents::write(LogLevel level, std::string_view event, std::string_view message,
                       std::string_view operation, const RefreshTokenOwner* owner,
                       const absl::Status* status) const {
  if (log_ == nullptr) return;
  std::vector<LogField> fields;
  fields.reserve(5);
  if (!operation.empty()) fields.push_back({"operation", operation});
  std::optional<Reason> reason;
  if (status != nullptr) reason = reason_of(*status);
  // Kept alive until the line is written, as is `family` below.
  const std::string code_name =
      status != nullptr && !reason ? absl::StatusCodeToString(status->code()) : std::string();
  if (reason) {
    fields.push_back({"reason", reason_name(*reason)});
    fields.push_back({"reason_code", static_cast<int64_t>(*reason)});
  } else if (status != nullptr) {
    fields.push_back({"status_code", std::string_view(code_name)});
  }
  const std::string family = owner != nullptr ? family_hex(owner->family_id) : std::string();
  if (owner != nullptr) {
    fields.push_back({"account_id", owner->account.value()});
    fields.push_back({"family_id", std::string_view(family)});
  }
  log_->write(LogRecord{clock_->now(), level, event, message, fields});
}

void AuthEvents::refused(std::string_view operation, const absl::Status& status,
                         const RefreshTokenOwner* owner) const {
  if (status.ok()) return;
  const std::optional<Reason> reason = reason_of(status);
  if (!reason) {
    // No Reason: Internal, or a token store's own Unavailable. Its message may quote a
    // driver, so the line carries the code only.
    write(LogLevel::kError, "auth_error", "sign-in failed without a reason", operation, owner,
          &status);
    return;
  }
  const auto value = static_cast<uint16_t>(*reason);
  if (value < denials_.size() && denials_[value] != nullptr) denials_[value]->add();
  // Store denials quote the database's error: logged (operators' logs carry them elsewhere
  // too), but never sent to clients (auth_handlers.h).
  const std::string_view message(status.message().data(), status.message().size());
  if (*reason == Reason::kRefreshTokenReused) {
    write(LogLevel::kWarning, "refresh_token_reused", message, operation, owner, &status);
  } else {
    write(LogLevel::kInfo, "auth_refused", message, operation, owner, &status);
  }
}

void AuthEvents::logged_in(const RefreshTokenOwner& owner) const {
  logins_->add();
  write(LogLevel::kInfo, "auth_login", "signed in", "", &owner, nullptr);
}

void AuthEvents::refreshed(const RefreshTokenOwner& owner) const {
  refreshes_->add();
  write(LogLevel::kDebug, "auth_refresh", "session refreshed", "", &owner, nullptr);
}

void AuthEvents::logged_out(const RefreshTokenOwner* owner) const {
  logouts_->add();
  write(LogLevel::kInfo, "auth_logout", "signed out", "", owner, nullptr);
}

}  // namespace account::internal::auth
