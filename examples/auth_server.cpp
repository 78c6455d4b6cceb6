// Sign-in server: the sign-in handlers (auth_handlers.h) and a small web app (examples/web)
// served by cpp-httplib, over the in-memory ledger and refresh-token store, talking to Google
// or to any OpenID Connect provider configured in its place.
//
//   export GOOGLE_CLIENT_ID=... GOOGLE_CLIENT_SECRET=...
//   export GOOGLE_REDIRECT_URL=http://localhost:8080/     # registered with Google
//   export JWT_SECRET="$(openssl rand -base64 48)"         # at least 32 bytes; JWT_KEY_ID,
//                                                          # JWT_PREVIOUS_* for rotation
//   build/release/examples/auth_server                     # http://127.0.0.1:8080 (HOST, HTTP_PORT)
//
// Open http://localhost:8080/ and press "Sign in with Google". The refresh token lives in an
// HttpOnly cookie only, the access token in the page's memory (docs/google-sign-in.md, "Browser
// sessions"). Another provider stands in with GOOGLE_AUTHORIZATION_ENDPOINT,
// GOOGLE_TOKEN_ENDPOINT, GOOGLE_USERINFO_ENDPOINT, GOOGLE_JWKS_URL and GOOGLE_ISSUERS.
//
// Every library setting comes from config.h's load_config(): a bad or missing variable stops it
// at start with the variable's name (and any user:password@ masked). The server's own: HOST,
// HTTP_CONNECTIONS_MAX (64), HTTP_REQUEST_TIMEOUT_MS (10000), and AUTH_SERVER_DEMO_SUB (an
// account with cash, positions, a Sleeper league and trades for that provider `sub`).
// GET /metrics serves the Prometheus text of the ledger's and sign-in's metrics; GET /health
// the store's health as JSON (503 when unhealthy). Everything on stderr is JSON lines at
// LOG_LEVEL. SIGINT or SIGTERM stops it after the requests in flight.
//
// Plain http: put it behind TLS anywhere real, with GOOGLE_REDIRECT_URL on https:// so that its
// cookies carry Secure. The peer address is the rate-limit key. Nothing secret is printed.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "account/account_service.h"
#include "account/auth/auth_handlers.h"
#include "account/auth/auth_service.h"
#include "account/auth/curl_google_client.h"
#include "account/auth/memory_token_store.h"
#include "account/auth/rate_limiter.h"
#include "account/config.h"
#include "account/health.h"
#include "account/log_sink.h"
#include "account/memory_store.h"
#include "account/metrics.h"
#include "web/bounded_server.h"
#include "web/demo_account.h"
#include "web_assets.h"  // Generated from examples/web/static by examples/CMakeLists.txt.

namespace {

using namespace account;
using namespace account::auth;
using account_example::BoundedServer;
using account_example::BoundedServerOptions;
using account_example::LimitHit;

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true, std::memory_order_relaxed); }

// The paths the server knows and the one method each answers (GET also answers HEAD).
constexpr std::pair<std::string_view, std::string_view> kRoutes[] = {
    {"/", "GET"},           {"/app.js", "GET"},         {"/app.css", "GET"},
    {"/health", "GET"},     {"/metrics", "GET"},        {"/auth/google", "GET"},
    {"/me", "GET"},         {"/auth/callback", "POST"}, {"/auth/refresh", "POST"},
    {"/auth/logout", "POST"},
};

// The page's policy: no inline script or style, nothing from elsewhere, no framing.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct ServerSettings {
  std::string host = "127.0.0.1";
  BoundedServerOptions limits;
  std::string demo_sub;
};

int fail(LogSink& log, const std::string& what) {
  log_event(&log, SystemClock(), LogLevel::kError, "auth_server_start_failed", what);
  return 1;
}

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// HOST, HTTP_CONNECTIONS_MAX, HTTP_REQUEST_TIMEOUT_MS, AUTH_SERVER_DEMO_SUB; InvalidArgument
// naming the variable for a value out of range.
absl::StatusOr<ServerSettings> server_settings() {
  ServerSettings s;
  if (std::optional<std::string> host = env("HOST")) s.host = *host;
  const auto number = [](const char* name, int64_t min, int64_t max,
                         int64_t* out) -> absl::Status {
    std::optional<std::string> text = env(name);
    if (!text) return absl::OkStatus();
    if (!absl::SimpleAtoi(*text, out) || *out < min || *out > max) {
      return absl::InvalidArgumentError(std::string(name) + ": must be a whole number from " +
                                        std::to_string(min) + " to " + std::to_string(max));
    }
    return absl::OkStatus();
  };
  int64_t connections = s.limits.connections_max;
  int64_t timeout_ms = s.limits.request_timeout.count();
  if (absl::Status st = number("HTTP_CONNECTIONS_MAX", 1, 1024, &connections); !st.ok()) return st;
  if (absl::Status st = number("HTTP_REQUEST_TIMEOUT_MS", 100, 600'000, &timeout_ms); !st.ok()) {
    return st;
  }
  s.limits.connections_max = static_cast<int>(connections);
  s.limits.request_timeout = std::chrono::milliseconds(timeout_ms);
  if (std::optional<std::string> sub = env("AUTH_SERVER_DEMO_SUB")) s.demo_sub = *sub;
  return s;
}

// `url` with the password of a user:password@ masked, for the start-up line.
std::string without_password(const std::string& url) {
  const size_t start = url.find("://");
  const size_t at = url.rfind('@', url.find_first_of("?#"));
  if (start == std::string::npos || at == std::string::npos || at < start) return url;
  return url.substr(0, start + 3) + "***" + url.substr(at);
}

HttpRequest to_request(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  if (const size_t q = in.target.find('?'); q != std::string::npos) {
    out.query = in.target.substr(q + 1);
  }
  for (const auto& [name, value] : in.headers) out.headers.emplace_back(name, value);
  out.body = in.body;
  out.client_key = in.remote_addr;
  return out;
}

void send(const HttpResponse& in, httplib::Response& out) {
  out.status = in.status;
  std::string content_type = "application/json";
  for (const auto& [name, value] : in.headers) {
    if (name == "Content-Type") {
      content_type = value;
    } else {
      out.set_header(name, value);
    }
  }
  if (!in.body.empty()) out.set_content(in.body, content_type);
}

// Every error gets a JSON body: the limits' own statuses, 405 with Allow for a known path asked
// with another method, and a body for the errors cpp-httplib answers itself.
httplib::Server::HandlerResponse on_error(const httplib::Request& req, httplib::Response& res) {
  switch (BoundedServer::limit_hit()) {
    case LimitHit::kTimeout: res.status = 408; break;
    case LimitHit::kHeadersTooLarge: res.status = 431; break;
    case LimitHit::kBodyTooLarge: res.status = 413; break;
    case LimitHit::kNone: break;
  }
  if (res.status == 404) {
    for (const auto& [path, method] : kRoutes) {
      if (req.path != path) continue;
      res.status = 405;
      res.set_header("Allow", std::string(method));
      res.body.clear();
    }
  }
  if (BoundedServer::limit_hit() != LimitHit::kNone) res.body.clear();
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  // cpp-httplib's own refusals (a malformed or over-long request) leave the connection at an
  // unknown place in the stream: it ends with this answer.
  if (res.status != 404 && res.status != 405) {
    BoundedServer::close_after_response();
    res.set_header("Connection", "close");
  }
  res.set_header("Cache-Control", "no-store");
  res.set_content(BoundedServer::error_body(res.status), "application/json");
  return httplib::Server::HandlerResponse::Handled;
}

void serve_asset(httplib::Server& server, const char* path, std::string_view body,
                 const char* type) {
  server.Get(path, [body, type](const httplib::Request&, httplib::Response& out) {
    out.set_header("Cache-Control", "no-store");
    out.set_header("Content-Security-Policy", kContentSecurityPolicy);
    out.set_header("X-Content-Type-Options", "nosniff");
    out.set_header("Referrer-Policy", "no-referrer");
    out.set_content(std::string(body), type);
  });
}

void log_request(LogSink& log, const httplib::Request& req, const httplib::Response& res) {
  // The path only: the query of a return from the provider holds its code and state.
  log_event(&log, SystemClock(), LogLevel::kInfo, "http_request", "served",
            {{"method", std::string_view(req.method)},
             {"path", std::string_view(req.path)},
             {"status", int64_t{res.status}},
             {"duration_ms", BoundedServer::request_elapsed_ms()},
             {"client", std::string_view(req.remote_addr)}});
}

void mount(BoundedServer& server, const AuthHandlers& handlers,
           const std::shared_ptr<MetricsRegistry>& metrics,
           const std::shared_ptr<MemoryStore>& store) {
  const auto handle = [&handlers](const httplib::Request& in, httplib::Response& out) {
    send(handlers.handle(to_request(in)), out);
  };
  for (const char* path :
       {"/auth/google", "/auth/callback", "/auth/refresh", "/auth/logout", "/me"}) {
    server.Get(path, handle);
    server.Post(path, handle);
  }
  server.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& out) {
    out.set_content(metrics->render_prometheus(), "text/plain; version=0.0.4");
  });
  server.Get("/health", [store](const httplib::Request&, httplib::Response& out) {
    const HealthReport report = health_check({.store = store.get()});
    out.status = report.healthy() ? 200 : 503;
    out.set_content(report.to_json(), "application/json");
  });
  serve_asset(server, "/", account_example::kIndexHtml, "text/html; charset=utf-8");
  serve_asset(server, "/app.js", account_example::kAppJs, "text/javascript; charset=utf-8");
  serve_asset(server, "/app.css", account_example::kAppCss, "text/css; charset=utf-8");
  server.set_error_handler(httplib::Server::HandlerWithResponse(on_error));
}

// The ledger behind the sign-in: in memory (the example keeps nothing), with the demo account
// when AUTH_SERVER_DEMO_SUB names one.
absl::StatusOr<std::unique_ptr<AccountService>> open_accounts(
    const Config& config, const ServerSettings& settings, const std::shared_ptr<MemoryStore>& store,
    const std::shared_ptr<SystemClock>& clock, const std::shared_ptr<MetricsRegistry>& metrics,
    const std::shared_ptr<LogSink>& log) {
  absl::StatusOr<std::unique_ptr<AccountService>> accounts =
      AccountService::open({.store = store,
                            .clock = clock,
                            .limits = ledger_limits_from_config(config),
                            .metrics = metrics,
                            .log = log});
  if (!accounts.ok() || settings.demo_sub.empty()) return accounts;
  if (absl::Status s = account_example::seed_demo_account(**accounts, settings.demo_sub);
      !s.ok()) {
    return absl::Status(s.code(), "AUTH_SERVER_DEMO_SUB: " + std::string(s.message()));
  }
  return accounts;
}

// Logs a connection refused at the cap, at most one line a second: a flood must not become a
// flood of log lines.
std::function<void(const std::string&)> refusal_logger(const std::shared_ptr<LogSink>& log,
                                                       const std::shared_ptr<SystemClock>& clock,
                                                       int connections_max) {
  auto last_s = std::make_shared<std::atomic<int64_t>>(0);
  return [log, clock, connections_max, last_s](const std::string& client) {
    const int64_t now_s = absl::ToUnixSeconds(clock->now());
    if (last_s->exchange(now_s) == now_s) return;
    log_event(log.get(), *clock, LogLevel::kWarning, "http_connection_refused",
              "connection cap reached; answered 503",
              {{"client", std::string_view(client)},
               {"connections_max", int64_t{connections_max}}});
  };
}

// The start line: where it listens and what it trusts, no credential.
void log_started(LogSink& log, const Clock& clock, const Config& config,
                 const ServerSettings& settings, const CurlGoogleClientOptions& google,
                 bool secure) {
  const std::string endpoint = without_password(google.authorization_endpoint);
  const std::string issuers = absl::StrJoin(google.issuers, ",");
  log_event(&log, clock, LogLevel::kInfo, "auth_server_started", "listening",
            {{"host", std::string_view(settings.host)},
             {"port", int64_t{config.http_port}},
             {"authorization_endpoint", std::string_view(endpoint)},
             {"issuers", std::string_view(issuers)},
             {"secure_cookies", secure},
             {"connections_max", int64_t{settings.limits.connections_max}},
             {"request_timeout_ms", int64_t{settings.limits.request_timeout.count()}}});
}

}  // namespace

int main() {
  auto bootstrap_log = std::make_shared<JsonLinesLogSink>(stderr, LogLevel::kInfo);
  absl::StatusOr<Config> config = load_config(process_environment());
  if (!config.ok()) return fail(*bootstrap_log, std::string(config.status().message()));
  auto log = std::make_shared<JsonLinesLogSink>(stderr, config->log_level);
  if (absl::Status s = require_config(*config, {ConfigNeed::kAuth}); !s.ok()) {
    return fail(*log, std::string(s.message()));
  }
  absl::StatusOr<ServerSettings> settings = server_settings();
  if (!settings.ok()) return fail(*log, std::string(settings.status().message()));
  absl::StatusOr<CurlGoogleClientOptions> google_options = google_options_from_config(*config);
  if (!google_options.ok()) return fail(*log, std::string(google_options.status().message()));
  absl::StatusOr<AccessKeyRing> keys = access_keys_from_config(*config);
  if (!keys.ok()) return fail(*log, std::string(keys.status().message()));

  auto clock = std::make_shared<SystemClock>();
  absl::StatusOr<std::unique_ptr<CurlGoogleClient>> google =
      CurlGoogleClient::create(*google_options);
  if (!google.ok()) return fail(*log, std::string(google.status().message()));
  auto metrics = std::make_shared<MetricsRegistry>();
  auto store = std::make_shared<MemoryStore>();
  absl::StatusOr<std::unique_ptr<AccountService>> accounts =
      open_accounts(*config, *settings, store, clock, metrics, log);
  if (!accounts.ok()) return fail(*log, std::string(accounts.status().message()));
  MemoryTokenStore tokens;
  AuthServiceOptions options;
  options.access = access_token_options_from_config(*config);
  options.access_keys = std::move(keys->keys);
  options.access_current_kid = keys->current_kid;
  options.metrics = metrics;
  options.log = log;
  absl::StatusOr<std::unique_ptr<AuthService>> auth =
      AuthService::create(options, accounts->get(), google->get(), &tokens, clock.get());
  if (!auth.ok()) return fail(*log, std::string(auth.status().message()));
  absl::StatusOr<std::unique_ptr<RateLimiter>> limiter = RateLimiter::create({.clock = clock});
  if (!limiter.ok()) return fail(*log, std::string(limiter.status().message()));
  // Secure exactly when the public origin is https (the server itself speaks plain http
  // behind a TLS proxy).
  const bool secure = google_options->redirect_url.rfind("https://", 0) == 0;
  const AuthHandlers handlers(auth->get(), accounts->get(), limiter->get(),
                              {.secure_cookies = secure,
                               .refresh_token_transport = RefreshTokenTransport::kCookie,
                               .clock = clock});

  settings->limits.on_refused = refusal_logger(log, clock, settings->limits.connections_max);
  BoundedServer server(settings->limits);
  mount(server, handlers, metrics, store);
  server.set_logger([&log](const httplib::Request& req, const httplib::Response& res) {
    log_request(*log, req, res);
  });

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  log_started(*log, *clock, *config, *settings, *google_options, secure);
  if (!server.serve(settings->host, config->http_port, g_stop)) {
    return fail(*log, "cannot listen on " + settings->host + ":" +
                          std::to_string(config->http_port));
  }
  log_event(log.get(), *clock, LogLevel::kInfo, "auth_server_stopped", "stopped");
  return 0;
}
