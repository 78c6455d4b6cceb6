#include "account/auth/auth_handlers.h"

#include <algorithm>
#include <optional>

#include "base/strings.h"
#include "account/position.h"
#include "account/side.h"
#include "account/status.h"
#include "account/trade.h"
#include "base/json_text.h"
#include "json_fields.h"

namespace account::auth {
namespace {

using internal::json_string;
using internal::auth::JsonFields;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view find_header(const std::vector<std::pair<std::string, std::string>>& headers,
                             std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (equals_ignoring_case(key, name)) return value;
  }
  return {};
}

int http_status(const absl::Status& status) {
  const std::optional<Reason> reason = reason_of(status);
  // A store's own Unavailable (a token store that lost its database) is
  // transient too: clients retry on 503.
  if (!reason) return status.code() == absl::StatusCode::kUnavailable ? 503 : 500;
  switch (*reason) {
    case Reason::kEmailNotVerified:
      return 403;
    case Reason::kRateLimited:
      return 429;
    case Reason::kGoogleResponseInvalid:
      return 502;
    case Reason::kAccountNotFound:
      return 401;  // A valid token for an account that is gone.
    default:
      break;
  }
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  r.body = std::move(body);
  return r;
}

// The value of cookie `name` in a Cookie header, or "".
std::string_view cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

// Seconds from `now` to `t`, rounded up (a cookie lives to the end of its login), >= 0.
int64_t whole_seconds_until(absl::Time t, absl::Time now) {
  return std::max<int64_t>(0, absl::ToInt64Seconds(absl::Ceil(t - now, absl::Seconds(1))));
}

absl::Status bad_request(std::string_view what) { return denial(Reason::kInvalidArgument, what); }

// /me's body: the account, its positions, its Sleeper link and its newest trades.
std::string account_json(const Account& a, const std::vector<Position>& positions,
                         const std::vector<Trade>& trades) {
  std::string out = internal::cat(
      "{\"account_id\":", a.id.value(), ",\"display_name\":", json_string(a.display_name),
      ",\"cash_cents\":", a.cash.value(), ",\"reserved_cash_cents\":", a.reserved_cash.value(),
      ",\"available_cash_cents\":", a.available_cash().value(),
      ",\"created_at\":", absl::ToUnixSeconds(a.created_at), ",\"positions\":[");
  for (size_t i = 0; i < positions.size(); ++i) {
    const Position& p = positions[i];
    out += internal::cat(i == 0 ? "" : ",", "{\"symbol_id\":", p.symbol.value(),
                         ",\"qty_bp\":", p.qty.value(),
                         ",\"available_qty_bp\":", p.available_qty().value(),
                         ",\"cost_basis_cents\":", p.cost_basis.value(),
                         ",\"realized_pnl_cents\":", p.realized_pnl.value(), "}");
  }
  out += "],\"sleeper\":";
  if (a.sleeper) {
    out += internal::cat("{\"user_id\":", json_string(a.sleeper->user_id),
                         ",\"username\":", json_string(a.sleeper->username),
                         ",\"league_id\":", json_string(a.sleeper->league_id),
                         ",\"season\":", json_string(a.sleeper->season),
                         ",\"roster_id\":", a.sleeper->roster_id, "}");
  } else {
    out += "null";
  }
  out += ",\"recent_trades\":[";
  for (size_t i = 0; i < trades.size(); ++i) {
    const Trade& t = trades[i];
    out += internal::cat(i == 0 ? "" : ",", "{\"execution_id\":", t.execution.value(),
                         ",\"order_id\":", t.order.value(), ",\"symbol_id\":", t.symbol.value(),
                         ",\"side\":", t.side == Side::kBuy ? "\"buy\"" : "\"sell\"",
                         ",\"qty_bp\":", t.qty.value(), ",\"price_cents\":", t.price.cents_per_share(),
                         ",\"notional_cents\":", t.notional.value(),
                         ",\"realized_pnl_cents\":", t.realized_pnl.value(),
                         ",\"time\":", absl::ToUnixSeconds(t.time), "}");
  }
  out += "]}";
  return out;
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  return find_header(headers, name);
}

std::string_view HttpResponse::header(std::string_view name) const {
  return find_header(headers, name);
}

AuthHandlers::AuthHandlers(AuthService* auth, AccountService* accounts, RateLimiter* limiter,
                           AuthHandlersOptions options)
    : auth_(auth), accounts_(accounts), limiter_(limiter), options_(std::move(options)) {
  if (!options_.clock) options_.clock = std::make_shared<SystemClock>();
}

HttpResponse AuthHandlers::error_response(const absl::Status& status) {
  const int code = http_status(status);
  const std::optional<Reason> reason = reason_of(status);
  // Only denials speak: their messages are written to be shown. Anything
  // else may carry a cause (a path, a driver's text) that is not for clients,
  // and so do the store's denials, which quote the database's error (its
  // host, database, user, SQL).
  const bool store_trouble =
      reason == Reason::kStoreUnavailable || reason == Reason::kStoreFailure;
  const bool unavailable = code == 503;
  std::string name = reason ? std::string(reason_name(*reason))
                            : (unavailable ? "Unavailable" : "Internal");
  std::string message = std::string(status.message());
  if (!reason || store_trouble) {
    message = unavailable ? "the service cannot reach its store; retry later" : "internal error";
  }
  HttpResponse r = json_response(code, internal::cat("{\"error\":", json_string(name),
                                                     ",\"message\":", json_string(message), "}"));
  if (code == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

HttpResponse AuthHandlers::handle(const HttpRequest& request) const {
  struct Route {
    std::string_view path;
    std::string_view method;
    HttpResponse (AuthHandlers::*handler)(const HttpRequest&) const;
  };
  static constexpr Route kRoutes[] = {
      {"/auth/google", "GET", &AuthHandlers::login},
      {"/auth/callback", "POST", &AuthHandlers::callback},
      {"/auth/refresh", "POST", &AuthHandlers::refresh},
      {"/auth/logout", "POST", &AuthHandlers::logout},
      {"/me", "GET", &AuthHandlers::me},
  };
  for (const Route& route : kRoutes) {
    if (request.path != route.path) continue;
    if (request.method != route.method) {
      HttpResponse r = json_response(
          405, R"({"error":"MethodNotAllowed","message":"method not allowed on this path"})");
      r.headers.emplace_back("Allow", std::string(route.method));
      return r;
    }
    return (this->*route.handler)(request);
  }
  return json_response(404, R"({"error":"NotFound","message":"no such path"})");
}

namespace {

// The JSON body of a POST, checked for type and size; the caller reads fields.
absl::StatusOr<JsonFields> read_body(const HttpRequest& request, size_t bytes_max,
                                     bool* too_large) {
  *too_large = request.body.size() > bytes_max;
  if (*too_large) {
    return bad_request(internal::cat("body larger than ", bytes_max, " bytes"));
  }
  const std::string_view type = request.header("Content-Type");
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  // Media types are case-insensitive (RFC 9110 8.3.1).
  if (!equals_ignoring_case(media, "application/json")) {
    return bad_request("Content-Type must be application/json");
  }
  absl::StatusOr<JsonFields> fields = JsonFields::parse(request.body);
  if (!fields.ok()) {
    return bad_request(internal::cat("body: ", std::string_view(fields.status().message().data(),
                                                                fields.status().message().size())));
  }
  return fields;
}

// A required, non-empty string field, or 400.
absl::StatusOr<std::string> required_field(const JsonFields& fields, std::string_view key) {
  absl::StatusOr<std::string> value = fields.required_string(key);
  if (!value.ok()) {
    return bad_request(internal::cat("body: ", std::string_view(value.status().message().data(),
                                                                value.status().message().size())));
  }
  return value;
}

HttpResponse body_error(const absl::Status& status, bool too_large) {
  HttpResponse r = AuthHandlers::error_response(status);
  if (too_large) r.status = 413;
  return r;
}

}  // namespace

namespace {

// 429 with Retry-After when `client_key` has no token left on `path`;
// nullopt when the request may go on. The refusal is reported as `operation`.
std::optional<HttpResponse> rate_limited(RateLimiter& limiter, const AuthService& auth,
                                         std::string_view path, std::string_view operation,
                                         const HttpRequest& request) {
  absl::Duration wait;
  absl::Status s = limiter.acquire(path, request.client_key, &wait);
  if (s.ok()) return std::nullopt;
  auth.report_refusal(operation, s);
  HttpResponse r = AuthHandlers::error_response(s);
  r.headers.emplace_back("Retry-After", internal::cat(absl::ToInt64Seconds(wait)));
  return r;
}

}  // namespace

HttpResponse AuthHandlers::login(const HttpRequest& request) const {
  if (std::optional<HttpResponse> limited = rate_limited(*limiter_, *auth_, "/auth/google", "login_start", request)) {
    return *std::move(limited);
  }
  absl::StatusOr<LoginStart> start = auth_->begin_login();
  if (!start.ok()) return error_response(start.status());
  const int64_t max_age_s = whole_seconds_until(start->expires_at, options_.clock->now());
  HttpResponse r = json_response(
      302, internal::cat("{\"redirect_url\":", json_string(start->redirect_url),
                         ",\"expires_at\":", absl::ToUnixSeconds(start->expires_at), "}"));
  r.headers.emplace_back("Location", start->redirect_url);
  r.headers.emplace_back(
      "Set-Cookie",
      internal::cat(kStateCookie, "=", start->state, "; Path=/auth; Max-Age=", max_age_s,
                    "; HttpOnly; SameSite=Lax", options_.secure_cookies ? "; Secure" : ""));
  return r;
}

HttpResponse AuthHandlers::callback(const HttpRequest& request) const {
  if (std::optional<HttpResponse> limited = rate_limited(*limiter_, *auth_, "/auth/callback", "login", request)) {
    return *std::move(limited);
  }
  bool too_large = false;
  absl::StatusOr<JsonFields> body = read_body(request, options_.body_bytes_max, &too_large);
  if (!body.ok()) {
    auth_->report_refusal("login", body.status());
    return body_error(body.status(), too_large);
  }
  absl::StatusOr<std::string> code = required_field(*body, "code");
  if (!code.ok()) return refused("login", code.status());
  // A missing state is a login nobody started: the state's own reason, not a 400.
  absl::StatusOr<std::optional<std::string>> state = body->string("state");
  if (!state.ok()) return refused("login", bad_request("body: field \"state\" is not a string"));
  const std::string given = state->value_or("");
  if (given.empty()) {
    return refused("login", denial(Reason::kLoginStateUnknown, "no state in the callback"));
  }
  if (options_.require_state_cookie && cookie(request.header("Cookie"), kStateCookie) != given) {
    // Another browser's state (login CSRF), or cookies lost: refused before
    // the state is consumed, so the rightful browser can still finish.
    return refused("login", denial(Reason::kLoginStateUnknown,
                                   "the state does not match this browser's login cookie"));
  }
  absl::StatusOr<Session> session = auth_->complete_login(*code, given);
  if (!session.ok()) return error_response(session.status());
  HttpResponse r = session_response(*session);
  r.headers.emplace_back("Set-Cookie", internal::cat(kStateCookie,
                                                     "=; Path=/auth; Max-Age=0; HttpOnly; "
                                                     "SameSite=Lax",
                                                     options_.secure_cookies ? "; Secure" : ""));
  return r;
}

HttpResponse AuthHandlers::refresh(const HttpRequest& request) const {
  if (std::optional<HttpResponse> limited =
          rate_limited(*limiter_, *auth_, "/auth/refresh", "refresh", request)) {
    return *std::move(limited);
  }
  HttpResponse refusal;
  absl::StatusOr<std::string> token = presented_refresh_token(request, "refresh", &refusal);
  if (!token.ok()) return refusal;
  const bool cookies = options_.refresh_token_transport == RefreshTokenTransport::kCookie;
  absl::StatusOr<Session> session;
  if (cookies && token->empty()) {
    session = denial(Reason::kRefreshTokenUnknown, "no refresh cookie: nobody is signed in");
    auth_->report_refusal("refresh", session.status());
  } else {
    session = auth_->refresh(*token);
  }
  if (session.ok()) return session_response(*session);
  HttpResponse r = error_response(session.status());
  const std::optional<Reason> reason = reason_of(session.status());
  const bool dead = reason.has_value() && *reason >= Reason::kRefreshTokenUnknown &&
                    *reason <= Reason::kRefreshTokenExpired;
  // A dead token's cookie is cleared so the browser stops sending it; store
  // trouble (503) keeps it for the retry.
  if (cookies && dead) r.headers.emplace_back("Set-Cookie", refresh_cookie("", 0));
  return r;
}

HttpResponse AuthHandlers::logout(const HttpRequest& request) const {
  if (std::optional<HttpResponse> limited =
          rate_limited(*limiter_, *auth_, "/auth/logout", "logout", request)) {
    return *std::move(limited);
  }
  HttpResponse refusal;
  absl::StatusOr<std::string> token = presented_refresh_token(request, "logout", &refusal);
  if (!token.ok()) return refusal;
  const bool cookies = options_.refresh_token_transport == RefreshTokenTransport::kCookie;
  HttpResponse r;
  r.status = 204;
  r.headers = {{"Cache-Control", "no-store"}};
  // No cookie: nobody is signed in in this browser, and there is nothing to end.
  if (!(cookies && token->empty())) {
    if (absl::Status s = auth_->logout(*token); !s.ok()) r = error_response(s);
  }
  if (cookies && r.status != 503) r.headers.emplace_back("Set-Cookie", refresh_cookie("", 0));
  return r;
}

absl::StatusOr<std::string> AuthHandlers::presented_refresh_token(const HttpRequest& request,
                                                                  std::string_view operation,
                                                                  HttpResponse* refusal) const {
  bool too_large = false;
  absl::StatusOr<JsonFields> body = read_body(request, options_.body_bytes_max, &too_large);
  if (!body.ok()) {
    auth_->report_refusal(operation, body.status());
    *refusal = body_error(body.status(), too_large);
    return body.status();
  }
  if (options_.refresh_token_transport == RefreshTokenTransport::kBody) {
    absl::StatusOr<std::string> token = required_field(*body, "refresh_token");
    if (!token.ok()) *refusal = refused(operation, token.status());
    return token;
  }
  absl::StatusOr<std::optional<std::string>> in_body = body->string("refresh_token");
  if (!in_body.ok() || in_body->has_value()) {
    // A script that holds a refresh token is what the cookie is there to prevent.
    const absl::Status s = bad_request("the refresh token travels in its cookie, not the body");
    *refusal = refused(operation, s);
    return s;
  }
  return std::string(cookie(request.header("Cookie"), kRefreshCookie));
}

std::string AuthHandlers::refresh_cookie(std::string_view token, int64_t max_age_s) const {
  return internal::cat(kRefreshCookie, "=", token, "; Path=/auth; Max-Age=", max_age_s,
                       "; HttpOnly; SameSite=Strict", options_.secure_cookies ? "; Secure" : "");
}

HttpResponse AuthHandlers::refused(std::string_view operation, const absl::Status& status) const {
  auth_->report_refusal(operation, status);
  return error_response(status);
}

HttpResponse AuthHandlers::me(const HttpRequest& request) const {
  const std::string_view authorization = request.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      !equals_ignoring_case(authorization.substr(0, kBearer.size()), kBearer)) {
    return refused("authenticate", denial(Reason::kTokenMalformed, "no Bearer access token"));
  }
  absl::StatusOr<AccessClaims> claims = auth_->authenticate(authorization.substr(kBearer.size()));
  if (!claims.ok()) return error_response(claims.status());
  absl::StatusOr<Account> account = accounts_->get_account(claims->account);
  if (!account.ok()) return refused("authenticate", account.status());
  absl::StatusOr<std::vector<Position>> positions = accounts_->positions(account->id);
  if (!positions.ok()) return error_response(positions.status());
  absl::StatusOr<std::vector<Trade>> trades =
      accounts_->trade_history(account->id, options_.recent_trades_max);
  if (!trades.ok()) return error_response(trades.status());
  return json_response(200, account_json(*account, *positions, *trades));
}

HttpResponse AuthHandlers::session_response(const Session& s) const {
  const absl::Time now = options_.clock->now();
  const int64_t expires_in = whole_seconds_until(s.access_expires_at, now);
  const bool cookies = options_.refresh_token_transport == RefreshTokenTransport::kCookie;
  HttpResponse r = json_response(
      200, internal::cat(
               "{\"account_id\":", s.account.value(), ",\"token_type\":\"Bearer\"",
               ",\"access_token\":", json_string(s.access_token), ",\"expires_in\":", expires_in,
               ",\"access_expires_at\":", absl::ToUnixSeconds(s.access_expires_at),
               cookies ? "" : internal::cat(",\"refresh_token\":", json_string(s.refresh_token)),
               ",\"refresh_expires_at\":", absl::ToUnixSeconds(s.refresh_expires_at), "}"));
  if (cookies) {
    r.headers.emplace_back("Set-Cookie", refresh_cookie(s.refresh_token,
                                                        whole_seconds_until(
                                                            s.refresh_expires_at, now)));
  }
  return r;
}

}  // namespace account::auth
