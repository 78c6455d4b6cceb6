// Browser sessions and the observability of sign-in (docs/google-sign-in.md, "Browser sessions";
// docs/auth.md, "Observability"): the refresh token in its cookie only, every refusal counted by
// reason and logged without a secret, the reuse warning with account and family, the sign-in
// counters, /me's positions, Sleeper link and trades, and another provider's issuer from config.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "account/auth/auth_handlers.h"
#include "account/auth/curl_google_client.h"
#include "account/config.h"
#include "account/status.h"
#include "account/testing/recording_log_sink.h"
#include "auth_handlers_fixture.h"
#include "json_fields.h"
#include "support/fake_google.h"

namespace account::auth {
namespace {

using internal::auth::JsonFields;
using testing::error_of;
using testing::FakeGoogle;

// The value of cookie `name` in the response's Set-Cookie headers, and the whole header.
struct SetCookie {
  std::string value;
  std::string line;
  bool found = false;
};
SetCookie set_cookie(const HttpResponse& r, std::string_view name) {
  for (const auto& [key, value] : r.headers) {
    if (key != "Set-Cookie" || value.rfind(std::string(name) + "=", 0) != 0) continue;
    const size_t start = name.size() + 1;
    return {value.substr(start, value.find(';') - start), value, true};
  }
  return {};
}

// A browser app's handlers: the refresh token in its cookie only, cookies Secure.
struct CookieFixture : testing::AuthHandlersFixture {
  CookieFixture()
      : AuthHandlersFixture(
            {.refresh_token_transport = RefreshTokenTransport::kCookie, .secure_cookies = true}) {}
};

TEST_CASE("cookie mode: the refresh token lives in an HttpOnly SameSite=Strict cookie only",
          "[auth][browser_session]") {
  CookieFixture f;
  const HttpResponse login = f.sign_in();
  REQUIRE(login.status == 200);
  const SetCookie first = set_cookie(login, kRefreshCookie);
  REQUIRE(first.value.size() == 43);
  CHECK(first.line == "account_refresh=" + first.value +
                          "; Path=/auth; Max-Age=2592000; HttpOnly; SameSite=Strict; Secure");
  CHECK(login.body.find("refresh_token") == std::string::npos);
  CHECK(login.body.find("access_token") != std::string::npos);

  // Refresh from the cookie, with an empty JSON body: a new cookie, the old one dead.
  const HttpResponse next = f.post("/auth/refresh", "{}", "account_refresh=" + first.value);
  REQUIRE(next.status == 200);
  const SetCookie second = set_cookie(next, kRefreshCookie);
  CHECK(second.value.size() == 43);
  CHECK(second.value != first.value);
  CHECK(next.body.find("refresh_token") == std::string::npos);

  SECTION("a token in the body is refused: it belongs in the cookie") {
    const HttpResponse r = f.post("/auth/refresh", "{\"refresh_token\":\"" + second.value + "\"}",
                                  "account_refresh=" + second.value);
    CHECK(r.status == 400);
    CHECK(error_of(r) == "InvalidArgument");
  }
  SECTION("no cookie: 401 RefreshTokenUnknown") {
    const HttpResponse r = f.post("/auth/refresh", "{}", "");
    CHECK(r.status == 401);
    CHECK(error_of(r) == "RefreshTokenUnknown");
  }
  SECTION("a form post (not JSON) is refused, so another site cannot refresh") {
    HttpRequest form{.method = "POST",
                     .path = "/auth/refresh",
                     .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Cookie", "account_refresh=" + second.value}},
                     .body = "a=b"};
    CHECK(f.handlers->handle(form).status == 400);
  }
  SECTION("reuse: 401, the cookie cleared, the family revoked") {
    const HttpResponse r = f.post("/auth/refresh", "{}", "account_refresh=" + first.value);
    CHECK(r.status == 401);
    CHECK(error_of(r) == "RefreshTokenReused");
    CHECK(set_cookie(r, kRefreshCookie).line ==
          "account_refresh=; Path=/auth; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
    CHECK(error_of(f.post("/auth/refresh", "{}", "account_refresh=" + second.value)) ==
          "RefreshTokenRevoked");
  }
  SECTION("logout: 204, the cookie cleared, the token dead; without a cookie 204 too") {
    const HttpResponse out = f.post("/auth/logout", "{}", "account_refresh=" + second.value);
    CHECK(out.status == 204);
    CHECK(set_cookie(out, kRefreshCookie).line.find("Max-Age=0") != std::string::npos);
    CHECK(error_of(f.post("/auth/refresh", "{}", "account_refresh=" + second.value)) ==
          "RefreshTokenRevoked");
    CHECK(f.post("/auth/logout", "{}", "").status == 204);
    CHECK(f.metric("auth_logouts_total") == 1);
  }
}

TEST_CASE("observability: every refusal is counted by reason and logged without a secret",
          "[auth][browser_session]") {
  CookieFixture f;
  const HttpResponse login = f.sign_in();
  REQUIRE(login.status == 200);
  const std::string first = set_cookie(login, kRefreshCookie).value;
  const std::string second =
      set_cookie(f.post("/auth/refresh", "{}", "account_refresh=" + first), kRefreshCookie).value;
  CHECK(f.metric("auth_logins_total") == 1);
  CHECK(f.metric("auth_refreshes_total") == 1);
  const auto denials = [&f](const char* reason) {
    return f.metric("account_denials_total", {{"reason", reason}});
  };

  // One refusal of each kind the handlers and the service answer.
  f.post("/auth/refresh", "{}", "account_refresh=" + first);                  // reuse
  f.post("/auth/refresh", "{}", "");                                           // no cookie
  f.post("/auth/callback", R"({"code":"c","state":"s"})", "");                 // state cookie
  f.post("/auth/callback", "not json", "");                                    // bad body
  f.handlers->handle({.method = "GET", .path = "/me"});                        // no bearer
  f.handlers->handle({.method = "GET",
                      .path = "/me",
                      .headers = {{"Authorization", "Bearer a.b.c"}}});        // forged
  CHECK(denials("RefreshTokenReused") == 1);
  CHECK(denials("RefreshTokenUnknown") == 1);
  CHECK(denials("LoginStateUnknown") == 1);
  CHECK(denials("InvalidArgument") == 1);
  CHECK(denials("TokenMalformed") == 2);

  const std::vector<account::testing::LoggedRecord> reuse = f.log->with_event("refresh_token_reused");
  REQUIRE(reuse.size() == 1);
  CHECK(reuse[0].level == LogLevel::kWarning);
  CHECK(reuse[0].text("operation") == "refresh");
  CHECK(reuse[0].text("reason") == "RefreshTokenReused");
  CHECK(reuse[0].text("account_id") == std::to_string(f.accounts->account_count()));
  CHECK(reuse[0].text("family_id").size() == 32);
  const std::vector<account::testing::LoggedRecord> refused = f.log->with_event("auth_refused");
  CHECK(refused.size() == 5);
  for (const auto& record : refused) CHECK(!record.text("reason").empty());
  CHECK(f.log->with_event("auth_login").size() == 1);
  for (const std::string& line : f.log->lines()) {
    CAPTURE(line);
    for (const std::string& secret : {first, second, f.code, f.state_value}) {
      CHECK(line.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("/me: positions, the Sleeper link and the recent trades", "[auth][browser_session]") {
  CookieFixture f;
  const HttpResponse login = f.sign_in();
  REQUIRE(login.status == 200);
  const std::string access = JsonFields::parse(login.body).value().required_string("access_token").value();
  const AccountId id{static_cast<uint64_t>(
      JsonFields::parse(login.body).value().integer("account_id").value().value_or(0))};
  REQUIRE(f.accounts->link_sleeper(id, {.user_id = "12", .username = "gm", .league_id = "34",
                                        .season = "2026", .roster_id = 5}).ok());
  const HttpResponse me = f.handlers->handle(
      {.method = "GET", .path = "/me", .headers = {{"Authorization", "Bearer " + access}}});
  REQUIRE(me.status == 200);
  CHECK(me.body.find(R"("positions":[])") != std::string::npos);
  CHECK(me.body.find(R"("sleeper":{"user_id":"12","username":"gm","league_id":"34",)"
                     R"("season":"2026","roster_id":5})") != std::string::npos);
  CHECK(me.body.find(R"("recent_trades":[])") != std::string::npos);
}

TEST_CASE("GOOGLE_ISSUERS: another provider's issuer from configuration",
          "[auth][browser_session]") {
  const auto config_with = [](const std::string& issuers) {
    return load_config([issuers](std::string_view name) -> std::optional<std::string> {
      if (name == "GOOGLE_ISSUERS") return issuers;
      return std::nullopt;
    });
  };
  SECTION("unset: Google's two") {
    CurlGoogleClientOptions o = google_options_from_config(
        config_with("").value(), {.client_id = "c", .client_secret = "s",
                                  .redirect_url = "http://a/"}).value();
    CHECK(o.issuers == std::vector<std::string>{"https://accounts.google.com", "accounts.google.com"});
  }
  SECTION("a list") {
    CurlGoogleClientOptions o = google_options_from_config(
        config_with("http://127.0.0.1:9000,idp.test").value(),
        {.client_id = "c", .client_secret = "s", .redirect_url = "http://a/"}).value();
    CHECK(o.issuers == std::vector<std::string>{"http://127.0.0.1:9000", "idp.test"});
  }
  SECTION("refused values name the variable and hide a password") {
    for (const char* bad : {"a,,b", "has space", "http://u:s3cretpw@host:99999",
                            "1,2,3,4,5,6,7,8,9"}) {
      CAPTURE(bad);
      absl::StatusOr<Config> c = config_with(bad);
      REQUIRE(!c.ok());
      CHECK(c.status().message().find("GOOGLE_ISSUERS") != std::string_view::npos);
      CHECK(c.status().message().find("s3cretpw") == std::string_view::npos);
    }
  }
  SECTION("an id_token of the configured issuer verifies; Google's issuers refuse it") {
    std::shared_ptr<ManualClock> clock =
        std::make_shared<ManualClock>(absl::FromUnixSeconds(1'790'000'000));
    FakeGoogle fake(clock);
    const std::string token = fake.mint_id_token(FakeGoogle::IdToken::kWrongIssuer);
    CurlGoogleClientOptions options = fake.client_options();
    CHECK(reason_of(CurlGoogleClient::create(options).value()->verify_id_token(token)) ==
          Reason::kTokenClaimsInvalid);
    options.issuers = {"https://accounts.example.com"};
    CHECK(CurlGoogleClient::create(options).value()->verify_id_token(token).ok());
  }
}

TEST_CASE("a refused URL is shown without the credentials it may carry",
          "[auth][browser_session]") {
  for (const char* url : {"user:s3cretpw@127.0.0.1/token", "http//user:s3cretpw@h/t",
                          "http:/user:s3cretpw@h/t", "https://user:s3cretpw@h:0/t"}) {
    CAPTURE(url);
    absl::StatusOr<Config> c = load_config([url](std::string_view name) -> std::optional<std::string> {
      if (name == "GOOGLE_TOKEN_ENDPOINT") return std::string(url);
      return std::nullopt;
    });
    REQUIRE(!c.ok());
    CHECK(c.status().message().find("GOOGLE_TOKEN_ENDPOINT") != std::string_view::npos);
    CHECK(c.status().message().find("s3cretpw") == std::string_view::npos);
  }
}

}  // namespace
}  // namespace account::auth
