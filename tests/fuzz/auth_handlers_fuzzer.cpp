// Fuzz target: the sign-in HTTP endpoints (include/account/auth/auth_handlers.h)
// over a real AuthService with an in-memory ledger, token store and Google
// (account/testing/auth/scripted_google_client.h). Each input is a short script of
// requests, separated by a line "---":
//
//   POST /auth/refresh
//   Content-Type: application/json
//
//   {"refresh_token":"$R2"}
//
// the first line the method and path (a query after '?'), then header lines
// up to an empty line, then the body. Placeholders reach the paths behind a
// valid credential: $R1 a rotated refresh token (reuse), $R2 and $R3 live ones
// of two users, $A a live access token, $S and $C the state and approved code
// of a login in flight (its cookie is "account_login_state=$S"). The world is
// made anew for every input, so a finding replays.
//
// Every response must have a documented status (500 cannot happen here:
// nothing in memory fails), Cache-Control: no-store, and a body that is a
// JSON object (or empty for 204); an error names a reason and a message. No
// body or header may contain the JWT secret, or a refresh token the script
// did not send in that request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "account/account_service.h"
#include "account/auth/auth_handlers.h"
#include "account/auth/auth_service.h"
#include "account/auth/memory_token_store.h"
#include "account/auth/rate_limiter.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/testing/auth/scripted_google_client.h"
#include "crypto.h"
#include "support/json_value.h"

namespace {

namespace aa = account::auth;
using account::testing::JsonValue;

constexpr std::string_view kSecret = "fuzz-handlers-secret/0123456789abcdef0123";
constexpr std::string_view kClientKey = "203.0.113.9";
constexpr size_t kRequestsMax = 8;

void require(bool condition) {
  if (!condition) std::abort();
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

struct World {
  std::shared_ptr<account::ManualClock> clock =
      std::make_shared<account::ManualClock>(absl::FromUnixSeconds(1'790'000'000));
  account::testing::ScriptedGoogleClient google{clock};
  aa::MemoryTokenStore tokens;
  std::unique_ptr<account::AccountService> accounts;
  std::unique_ptr<aa::AuthService> auth;
  std::unique_ptr<aa::RateLimiter> limiter;
  std::unique_ptr<aa::AuthHandlers> handlers;
  std::vector<std::pair<std::string, std::string>> placeholders;
  std::set<std::string> refresh_tokens;  // Every refresh token issued so far.

  World() {
    accounts = account::AccountService::open(
                   {.store = std::make_shared<account::MemoryStore>(), .clock = clock})
                   .value();
    aa::AuthServiceOptions options;
    options.access_keys = {{.kid = "fuzz", .secret = std::string(kSecret)}};
    options.access_current_kid = "fuzz";
    auth = aa::AuthService::create(options, accounts.get(), &google, &tokens, clock.get()).value();
    // Small bursts, so that a script of a few requests reaches 429 too.
    aa::RateLimiterOptions limits{.clock = clock};
    for (auto& [path, limit] : limits.limits) limit = {.burst = 3, .per_minute = 1};
    limiter = aa::RateLimiter::create(limits).value();
    handlers = std::make_unique<aa::AuthHandlers>(auth.get(), accounts.get(), limiter.get(),
                                                  aa::AuthHandlersOptions{.clock = clock});
    const aa::Session first = sign_in("google-sub-1", "ada@example.com");
    const aa::Session second = auth->refresh(first.refresh_token).value();
    const aa::Session other = sign_in("google-sub-2", "bob@example.com");
    const aa::LoginStart pending = auth->begin_login().value();
    const std::string code = google.approve(pending.state, user("google-sub-3", "cy@example.com"));
    placeholders = {{"$R1", first.refresh_token}, {"$R2", second.refresh_token},
                    {"$R3", other.refresh_token}, {"$A", second.access_token},
                    {"$S", pending.state},        {"$C", code}};
    refresh_tokens = {first.refresh_token, second.refresh_token, other.refresh_token};
  }

  static aa::GoogleUser user(std::string sub, std::string email) {
    return {
        .sub = std::move(sub), .email = std::move(email), .email_verified = true, .name = "Fuzz"};
  }

  aa::Session sign_in(const std::string& sub, const std::string& email) {
    const aa::LoginStart start = auth->begin_login().value();
    const std::string code = google.approve(start.state, user(sub, email));
    return auth->complete_login(code, start.state).value();
  }
};

aa::HttpRequest parse_request(std::string text, const World& w) {
  for (const auto& [name, value] : w.placeholders) replace_all(text, name, value);
  aa::HttpRequest r{.client_key = std::string(kClientKey)};
  const size_t head_end = text.find("\n\n");
  const std::string head = text.substr(0, head_end);
  if (head_end != std::string::npos) r.body = text.substr(head_end + 2);
  size_t line_end = head.find('\n');
  const std::string first = head.substr(0, line_end);
  const size_t space = first.find(' ');
  r.method = first.substr(0, space);
  if (space != std::string::npos) {
    const std::string target = first.substr(space + 1);
    const size_t question = target.find('?');
    r.path = target.substr(0, question);
    if (question != std::string::npos) r.query = target.substr(question + 1);
  }
  while (line_end != std::string::npos) {
    const size_t start = line_end + 1;
    line_end = head.find('\n', start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? line_end : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t value = line.find_first_not_of(' ', colon + 1);
    r.headers.emplace_back(line.substr(0, colon),
                           value == std::string::npos ? "" : line.substr(value));
  }
  return r;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return !needle.empty() && haystack.find(needle) != std::string_view::npos;
}

bool documented(int status) {
  for (const int s : {200, 204, 302, 400, 401, 403, 404, 405, 413, 429, 502, 503}) {
    if (status == s) return true;
  }
  return false;
}

void check_response(const aa::HttpRequest& request, const aa::HttpResponse& response, World& w) {
  require(documented(response.status));
  require(response.header("Cache-Control") == "no-store");
  std::optional<JsonValue> body;
  if (response.status == 204) {
    require(response.body.empty());
  } else {
    body = account::testing::parse_json(response.body);
    require(body.has_value() && body->type == JsonValue::Type::kObject);
  }
  if (response.status >= 400) {
    const JsonValue* error = body->get("error");
    const JsonValue* message = body->get("message");
    require(error != nullptr && error->type == JsonValue::Type::kString && !error->string.empty());
    require(message != nullptr && message->type == JsonValue::Type::kString);
  }
  if (response.status == 405) require(!response.header("Allow").empty());
  if (response.status == 429) require(!response.header("Retry-After").empty());

  // What the request carried may come back (a session echoes nothing, but
  // a header could); nothing else secret may.
  std::string sent = request.body;
  for (const auto& [name, value] : request.headers) sent += "\n" + name + ": " + value;
  std::vector<std::string_view> out = {response.body};
  for (const auto& [name, value] : response.headers) {
    out.push_back(name);
    out.push_back(value);
  }
  const std::string secret_b64 = account::internal::auth::base64url_encode(kSecret);
  for (const std::string_view text : out) {
    require(!contains(text, kSecret) && !contains(text, secret_b64));
    for (const std::string& token : w.refresh_tokens) {
      require(!contains(text, token) || contains(sent, token));
    }
  }
  if (response.status == 200 && body) {
    if (const JsonValue* issued = body->get("refresh_token")) {
      require(issued->type == JsonValue::Type::kString && issued->string.size() == 43);
      w.refresh_tokens.insert(issued->string);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World w;
  const std::string_view script(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  for (size_t n = 0; n < kRequestsMax && start <= script.size(); ++n) {
    size_t end = script.find("\n---\n", start);
    if (end == std::string_view::npos) end = script.size();
    const aa::HttpRequest request =
        parse_request(std::string(script.substr(start, end - start)), w);
    check_response(request, w.handlers->handle(request), w);
    start = end + 5;
  }
  return 0;
}
