// File: auth/auth_handlers.h
//
// AuthHandlers: the sign-in HTTP endpoints as plain functions from a request
// struct to a response struct, so any HTTP server can mount them (the
// example server, examples/auth_server.cpp, uses cpp-httplib).
//
//   AuthHandlers handlers(&auth, &accounts, &limiter, {.clock = clock});
//   HttpResponse r = handlers.handle({.method = "POST", .path = "/auth/refresh",
//       .headers = {{"Content-Type", "application/json"}},
//       .body = R"({"refresh_token":"..."})", .client_key = peer_address});
//
// Routes (bodies are JSON; docs/google-sign-in.md has the full contract):
//   GET  /auth/google    302, Location: Google's authorization URL; the login
//                        state also goes in an HttpOnly cookie (kStateCookie)
//   POST /auth/callback  {"code","state"} -> 200 session
//   POST /auth/refresh   {"refresh_token"} -> 200 session (rotated)
//   POST /auth/logout    {"refresh_token"} -> 204
//   GET  /me             Authorization: Bearer <access token> -> 200 account,
//                        with its positions, Sleeper link and recent trades
// A session is {"account_id", "token_type": "Bearer", "access_token",
// "expires_in", "access_expires_at", "refresh_token", "refresh_expires_at"}
// (times in Unix seconds).
//
// Browser apps (refresh_token_transport = kCookie): the refresh token never
// appears in a body. /auth/callback and /auth/refresh set it as the cookie
// kRefreshCookie (HttpOnly, SameSite=Strict, Path=/auth, Secure with
// secure_cookies) and leave "refresh_token" out of the session; /auth/refresh
// and /auth/logout take `{}` and read the cookie (a "refresh_token" in their
// body is refused with 400); a RefreshToken* refusal and a logout clear it.
// docs/google-sign-in.md has the cookie's contract.
//
// Failures are {"error": "<ReasonName>", "message": "..."} with:
//   400 malformed body (kInvalidArgument): not JSON, a field missing or of
//       the wrong type, Content-Type not application/json
//   401 kToken*, kLoginState*, kRefreshToken*, kGoogleRejected, kAccountNotFound
//       (/me adds WWW-Authenticate: Bearer)
//   403 kEmailNotVerified
//   404 unknown path, 405 known path and wrong method (Allow header)
//   413 body above body_bytes_max
//   429 kRateLimited, with Retry-After in seconds
//   502 kGoogleResponseInvalid, 503 kGoogleUnavailable and store trouble
//       (kStoreUnavailable, or a token store's Unavailable)
//   500 anything else, with a fixed message (the cause is not shown)
// Messages are the denials' own, which never carry a secret or token,
// except the store's (kStoreUnavailable, kStoreFailure), which quote the
// database's error: those get a fixed message too.
// Every answer carries Cache-Control: no-store. Refusals the handlers answer
// themselves (a malformed body, the rate limit, a state cookie mismatch, no
// Bearer token) are counted and logged through AuthService::report_refusal,
// as the service counts its own.
//
// Thread-safety: handle() may be called from any thread at once, as the
// services it calls allow.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "account/account_service.h"
#include "account/auth/auth_service.h"
#include "account/auth/rate_limiter.h"
#include "account/clock.h"

namespace account::auth {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // Without the query, e.g. "/auth/callback".
  std::string query;   // After '?', undecoded; no route reads it.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Who is asking, for the rate limit: the peer address, or whatever the
  // deployment trusts (a proxy's X-Forwarded-For entry).
  std::string client_key;

  // The first header named `name` (ASCII case-insensitive), or "".
  std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON, or empty (204, 302 carries a small JSON too).

  std::string_view header(std::string_view name) const;
};

// The cookie that binds a login's state to the browser that started it.
inline constexpr std::string_view kStateCookie = "account_login_state";
// The refresh token's cookie in kCookie mode.
inline constexpr std::string_view kRefreshCookie = "account_refresh";

// Where a session's refresh token travels.
enum class RefreshTokenTransport {
  kBody,    // In the JSON bodies: native clients, which keep it in their own secure storage.
  kCookie,  // In the HttpOnly cookie kRefreshCookie only: browser apps (RFC 9700).
};

struct AuthHandlersOptions {
  // Larger request bodies are refused with 413; ours are a few hundred bytes.
  size_t body_bytes_max = 8 * 1024;
  // Require the callback's state to match the cookie set by /auth/google
  // (RFC 9700: state bound to the user agent). Off only for clients that
  // cannot keep cookies.
  bool require_state_cookie = true;
  // Whether cookies carry `Secure` (off only for http:// development).
  bool secure_cookies = true;
  RefreshTokenTransport refresh_token_transport = RefreshTokenTransport::kBody;
  // How many of the newest trades /me lists (each is ~200 bytes of JSON).
  size_t recent_trades_max = 20;
  std::shared_ptr<Clock> clock;  // For expires_in. Default: SystemClock.
};

class AuthHandlers {
 public:
  // All three must outlive the handlers.
  AuthHandlers(AuthService* auth, AccountService* accounts, RateLimiter* limiter,
               AuthHandlersOptions options = {});

  // Routes `request` to one of the handlers below; 404/405 otherwise.
  HttpResponse handle(const HttpRequest& request) const;

  HttpResponse login(const HttpRequest& request) const;     // GET /auth/google
  HttpResponse callback(const HttpRequest& request) const;  // POST /auth/callback
  HttpResponse refresh(const HttpRequest& request) const;   // POST /auth/refresh
  HttpResponse logout(const HttpRequest& request) const;    // POST /auth/logout
  HttpResponse me(const HttpRequest& request) const;        // GET /me

  // The error answer for `status` (status code and JSON body), as above.
  static HttpResponse error_response(const absl::Status& status);

 private:
  HttpResponse session_response(const Session& session) const;
  // The refresh token a refresh or logout presents: the body's field, or in
  // kCookie mode the cookie (and "" when there is none). A refusal as an
  // HttpResponse.
  absl::StatusOr<std::string> presented_refresh_token(const HttpRequest& request,
                                                      std::string_view operation,
                                                      HttpResponse* refusal) const;
  std::string refresh_cookie(std::string_view token, int64_t max_age_s) const;
  HttpResponse refused(std::string_view operation, const absl::Status& status) const;

  AuthService* auth_;
  AccountService* accounts_;
  RateLimiter* limiter_;
  AuthHandlersOptions options_;
};

}  // namespace account::auth
