// The sign-in endpoints as the handler tests drive them: AuthHandlers over a real AuthService
// and AccountService on a MemoryStore, CurlGoogleClient and the fake Google on 127.0.0.1, a
// clock the test moves, and the metrics and log the service reports to. The options choose the
// refresh token's transport (the JSON bodies, or the browser's cookie), whether cookies are
// Secure, and the rate limits.
//
//   AuthHandlersFixture f({.refresh_token_transport = RefreshTokenTransport::kCookie});
//   HttpResponse login = f.sign_in();
//
// Thread-safety: none; one test's thread drives it.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "account/account_service.h"
#include "account/auth/auth_handlers.h"
#include "account/auth/auth_service.h"
#include "account/auth/curl_google_client.h"
#include "account/auth/memory_token_store.h"
#include "account/auth/rate_limiter.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/metrics.h"
#include "account/testing/recording_log_sink.h"
#include "json_fields.h"
#include "support/fake_google.h"
#include "support/prometheus_text.h"

namespace account::testing {

inline constexpr std::string_view kAuthTestSecret = "0123456789abcdef0123456789abcdef-test-only";

// The "error" of a JSON answer; "" when it has none.
inline std::string error_of(const auth::HttpResponse& r) {
  return internal::auth::JsonFields::parse(r.body).value().string("error").value().value_or("");
}

struct AuthHandlersFixtureOptions {
  auth::RefreshTokenTransport refresh_token_transport = auth::RefreshTokenTransport::kBody;
  // The fake Google and the requests are plain http:// on loopback.
  bool secure_cookies = false;
  auth::RateLimiterOptions limits;
};

struct AuthHandlersFixture {
  explicit AuthHandlersFixture(AuthHandlersFixtureOptions o = {}) : fake(clock) {
    google = auth::CurlGoogleClient::create(fake.client_options()).value();
    accounts = AccountService::open(
                   {.store = std::make_shared<MemoryStore>(), .clock = clock, .metrics = metrics})
                   .value();
    auth::AuthServiceOptions options;
    options.access_keys = {{.kid = "k1", .secret = std::string(kAuthTestSecret)}};
    options.access_current_kid = "k1";
    options.metrics = metrics;
    options.log = log;
    auth = auth::AuthService::create(options, accounts.get(), google.get(), &tokens, clock.get())
               .value();
    o.limits.clock = clock;
    limiter = auth::RateLimiter::create(o.limits).value();
    handlers = std::make_unique<auth::AuthHandlers>(
        auth.get(), accounts.get(), limiter.get(),
        auth::AuthHandlersOptions{.secure_cookies = o.secure_cookies,
                                  .refresh_token_transport = o.refresh_token_transport,
                                  .clock = clock});
  }

  auth::HttpResponse get(const std::string& path, const std::string& bearer = "") {
    auth::HttpRequest r{.method = "GET", .path = path, .client_key = "198.51.100.7"};
    if (!bearer.empty()) r.headers.emplace_back("Authorization", "Bearer " + bearer);
    return handlers->handle(r);
  }

  auth::HttpResponse post(const std::string& path, const std::string& body,
                          const std::string& cookie = "") {
    auth::HttpRequest r{.method = "POST",
                        .path = path,
                        .headers = {{"Content-Type", "application/json"}},
                        .body = body,
                        .client_key = "198.51.100.7"};
    if (!cookie.empty()) r.headers.emplace_back("Cookie", cookie);
    return handlers->handle(r);
  }

  // GET /auth/google: the authorization URL and the state cookie it set.
  struct Started {
    std::string location;
    std::string cookie;  // "account_login_state=<state>"
  };
  Started start() {
    auth::HttpResponse r = get("/auth/google");
    REQUIRE(r.status == 302);
    const std::string set_cookie(r.header("Set-Cookie"));
    return {std::string(r.header("Location")), set_cookie.substr(0, set_cookie.find(';'))};
  }

  // The whole login: /auth/google, Google's consent, /auth/callback. Keeps the code and state
  // it used, for the tests that look for them where they must not be.
  auth::HttpResponse sign_in() {
    Started s = start();
    FakeGoogle::Approval approval = fake.approve(s.location);
    REQUIRE(!approval.code.empty());
    code = approval.code;
    state_value = approval.state;
    return post("/auth/callback", callback_body(approval.code, approval.state), s.cookie);
  }

  static std::string callback_body(const std::string& code, const std::string& state) {
    return "{\"code\":\"" + code + "\",\"state\":\"" + state + "\"}";
  }
  static std::string refresh_body(const std::string& token) {
    return "{\"refresh_token\":\"" + token + "\"}";
  }

  // A sample of `name` with `labels` in the metrics' Prometheus text; -1 when there is none.
  double metric(const std::string& name,
                const std::map<std::string, std::string>& labels = {}) const {
    return parse_prometheus_text(metrics->render_prometheus()).value(name, labels).value_or(-1);
  }

  std::shared_ptr<ManualClock> clock =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1'790'000'000));
  std::shared_ptr<MetricsRegistry> metrics = std::make_shared<MetricsRegistry>();
  std::shared_ptr<RecordingLogSink> log = std::make_shared<RecordingLogSink>();
  FakeGoogle fake;
  std::unique_ptr<auth::CurlGoogleClient> google;
  std::unique_ptr<AccountService> accounts;
  auth::MemoryTokenStore tokens;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<auth::RateLimiter> limiter;
  std::unique_ptr<auth::AuthHandlers> handlers;
  std::string code;         // Of the last sign_in().
  std::string state_value;  // Of the last sign_in().
};

}  // namespace account::testing
