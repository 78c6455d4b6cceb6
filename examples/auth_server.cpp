// Sign-in server: the sign-in handlers (auth_handlers.h) mounted on cpp-httplib, over the
// in-memory ledger and refresh-token store, talking to Google.
//
//   export GOOGLE_CLIENT_ID=... GOOGLE_CLIENT_SECRET=...
//   export GOOGLE_REDIRECT_URL=http://localhost:8080/     # registered with Google
//   export JWT_SECRET="$(openssl rand -base64 48)"         # at least 32 bytes; JWT_KEY_ID,
//                                                          # JWT_PREVIOUS_* for rotation
//   build/release/examples/auth_server                     # http://127.0.0.1:8080 (HOST, HTTP_PORT)
//
// Open http://localhost:8080/auth/google in a browser: Google asks for consent and sends the
// browser back to GOOGLE_REDIRECT_URL; the page served at "/" posts code and state to
// /auth/callback and shows the session; GET /me with the access token shows the account.
// Endpoint overrides (GOOGLE_TOKEN_ENDPOINT, ...) point it at a fake Google for trials.
//
// Every setting comes from config.h's load_config(): a bad or missing variable stops it at
// start with the variable's name. GET /metrics serves the Prometheus text of the ledger's
// metrics; GET /health the store's health as JSON (503 when unhealthy). Logs are JSON lines on
// stderr at LOG_LEVEL.
//
// Plain http on purpose (its cookies omit Secure): put it behind TLS anywhere real. The peer
// address is the rate-limit key. Nothing secret is printed.
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "account/account_service.h"
#include "account/config.h"
#include "account/health.h"
#include "account/log_sink.h"
#include "account/metrics.h"
#include "account/auth/auth_handlers.h"
#include "account/auth/auth_service.h"
#include "account/auth/curl_google_client.h"
#include "account/auth/memory_token_store.h"
#include "account/auth/rate_limiter.h"
#include "account/memory_store.h"

namespace {

using namespace account;
using namespace account::auth;

// The page GOOGLE_REDIRECT_URL points at: it hands code and state to /auth/callback (the
// browser adds the login cookie) and shows what came back.
constexpr char kReturnPage[] = R"(<!doctype html>
<meta charset="utf-8"><title>Signing in</title>
<pre id="out">Signing in...</pre>
<script>
const q = new URLSearchParams(location.search);
fetch('/auth/callback', {method: 'POST', headers: {'Content-Type': 'application/json'},
                         body: JSON.stringify({code: q.get('code'), state: q.get('state')})})
  .then(r => r.text()).then(t => { document.getElementById('out').textContent = t; });
</script>
)";

int fail(const std::string& what) {
  std::fprintf(stderr, "auth_server: %s\n", what.c_str());
  return 1;
}

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
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

}  // namespace

int main() {
  absl::StatusOr<Config> config = load_config(process_environment());
  if (!config.ok()) return fail(std::string(config.status().message()));
  if (absl::Status s = require_config(*config, {ConfigNeed::kAuth}); !s.ok()) {
    return fail(std::string(s.message()));
  }
  absl::StatusOr<CurlGoogleClientOptions> google_options = google_options_from_config(*config);
  if (!google_options.ok()) return fail(std::string(google_options.status().message()));
  absl::StatusOr<AccessKeyRing> keys = access_keys_from_config(*config);
  if (!keys.ok()) return fail(std::string(keys.status().message()));
  const std::string host = env_or("HOST", "127.0.0.1");
  const int port = config->http_port;

  auto clock = std::make_shared<SystemClock>();
  absl::StatusOr<std::unique_ptr<CurlGoogleClient>> google =
      CurlGoogleClient::create(*google_options);
  if (!google.ok()) return fail(std::string(google.status().message()));
  auto metrics = std::make_shared<MetricsRegistry>();
  auto log = std::make_shared<JsonLinesLogSink>(stderr, config->log_level);
  auto store = std::make_shared<MemoryStore>();
  absl::StatusOr<std::unique_ptr<AccountService>> accounts =
      AccountService::open({.store = store,
                            .clock = clock,
                            .limits = ledger_limits_from_config(*config),
                            .metrics = metrics,
                            .log = log});
  if (!accounts.ok()) return fail(std::string(accounts.status().message()));
  MemoryTokenStore tokens;
  AuthServiceOptions options;
  options.access = access_token_options_from_config(*config);
  options.access_keys = std::move(keys->keys);
  options.access_current_kid = keys->current_kid;
  absl::StatusOr<std::unique_ptr<AuthService>> auth =
      AuthService::create(options, accounts->get(), google->get(), &tokens, clock.get());
  if (!auth.ok()) return fail(std::string(auth.status().message()));
  absl::StatusOr<std::unique_ptr<RateLimiter>> limiter = RateLimiter::create({.clock = clock});
  if (!limiter.ok()) return fail(std::string(limiter.status().message()));
  const AuthHandlers handlers(auth->get(), accounts->get(), limiter->get(),
                              {.secure_cookies = false, .clock = clock});

  httplib::Server server;
  server.set_payload_max_length(64 * 1024);
  const auto mount = [&](const httplib::Request& in, httplib::Response& out) {
    send(handlers.handle(to_request(in)), out);
  };
  for (const char* path :
       {"/auth/google", "/auth/callback", "/auth/refresh", "/auth/logout", "/me"}) {
    server.Get(path, mount);
    server.Post(path, mount);
  }
  server.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& out) {
    out.set_content(metrics->render_prometheus(), "text/plain; version=0.0.4");
  });
  server.Get("/health", [&store](const httplib::Request&, httplib::Response& out) {
    const HealthReport report = health_check({.store = store.get()});
    out.status = report.healthy() ? 200 : 503;
    out.set_content(report.to_json(), "application/json");
  });
  server.Get("/", [](const httplib::Request&, httplib::Response& out) {
    out.set_header("Cache-Control", "no-store");
    out.set_content(kReturnPage, "text/html; charset=utf-8");
  });

  std::fprintf(stderr, "auth_server: listening on http://%s:%d (client id %s)\n", host.c_str(),
               port, google_options->client_id.c_str());
  if (!server.listen(host, port))
    return fail("cannot listen on " + host + ":" + std::to_string(port));
  return 0;
}
