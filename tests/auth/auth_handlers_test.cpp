// The sign-in endpoints end to end: AuthHandlers over a real AuthService,
// CurlGoogleClient and the fake Google on 127.0.0.1 (a real HTTP server).
// The browser's part (following the redirect to Google and back) is played
// by FakeGoogle::approve(). Every refusal is checked by HTTP status and
// error name.
#include "account/auth/auth_handlers.h"

#include <catch2/catch.hpp>
#include <string>

#include "account/auth/rate_limiter.h"
#include "account/status.h"
#include "auth_handlers_fixture.h"
#include "json_fields.h"
#include "support/fake_google.h"

namespace account::auth {
namespace {

using internal::auth::JsonFields;
using testing::error_of;
using testing::FakeGoogle;

// A response body read as JSON (the test fails on anything else).
struct Body {
  explicit Body(const HttpResponse& r) : fields(JsonFields::parse(r.body).value()) {}
  std::string text(std::string_view key) const { return fields.string(key).value().value_or(""); }
  int64_t number(std::string_view key) const { return fields.integer(key).value().value_or(-1); }
  JsonFields fields;
};

// The refresh token in the JSON bodies, cookies without Secure (plain http:// on loopback).
using Fixture = testing::AuthHandlersFixture;

TEST_CASE("sign-in end to end: login, callback, /me, refresh twice, logout, refresh refused",
          "[auth][handlers][e2e]") {
  Fixture f;
  // Login: a redirect to Google's authorize endpoint, and the state cookie.
  HttpResponse login = f.get("/auth/google");
  REQUIRE(login.status == 302);
  const std::string location(login.header("Location"));
  CHECK(location.rfind(f.fake.base_url() + "/authorize?", 0) == 0);
  CHECK(Body(login).text("redirect_url") == location);
  CHECK(Body(login).number("expires_at") == 1'790'000'000 + 600);
  const std::string set_cookie(login.header("Set-Cookie"));
  CHECK(set_cookie.rfind("account_login_state=", 0) == 0);
  CHECK(set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("SameSite=Lax") != std::string::npos);
  CHECK(set_cookie.find("Max-Age=600;") != std::string::npos);
  CHECK(login.header("Cache-Control") == "no-store");

  // Google approves; the browser posts code and state back.
  FakeGoogle::Approval approval = f.fake.approve(location);
  REQUIRE(approval.status == 302);
  CHECK(set_cookie.substr(0, set_cookie.find(';')) == "account_login_state=" + approval.state);
  HttpResponse callback =
      f.post("/auth/callback", Fixture::callback_body(approval.code, approval.state),
             set_cookie.substr(0, set_cookie.find(';')));
  REQUIRE(callback.status == 200);
  Body session(callback);
  const int64_t account_id = session.number("account_id");
  CHECK(account_id > 0);
  CHECK(session.text("token_type") == "Bearer");
  CHECK(session.number("expires_in") == 3600);
  CHECK(session.number("access_expires_at") == 1'790'000'000 + 3600);
  CHECK(session.number("refresh_expires_at") == 1'790'000'000 + 30 * 86400);
  CHECK(callback.header("Set-Cookie").find("Max-Age=0") != std::string_view::npos);
  CHECK(f.accounts->get_account_id_by_user_id("108204268033311374519").value() ==
        AccountId{static_cast<uint64_t>(account_id)});

  // /me with the access token: the account with its cash.
  REQUIRE(f.accounts
              ->credit(AccountId{static_cast<uint64_t>(account_id)}, Cents{12'345},
                       EntryKind::kFantasyCredit, "fantasy:test:1")
              .ok());
  HttpResponse me = f.get("/me", session.text("access_token"));
  REQUIRE(me.status == 200);
  Body account(me);
  CHECK(account.number("account_id") == account_id);
  CHECK(account.text("display_name") == "Alice Example");
  CHECK(account.number("cash_cents") == 12'345);
  CHECK(account.number("available_cash_cents") == 12'345);
  CHECK(account.number("reserved_cash_cents") == 0);

  // Refresh, and refresh again with the new token: each answer a new pair.
  f.clock->advance(absl::Minutes(50));
  HttpResponse first =
      f.post("/auth/refresh", Fixture::refresh_body(session.text("refresh_token")));
  REQUIRE(first.status == 200);
  Body refreshed(first);
  CHECK(refreshed.number("account_id") == account_id);
  CHECK(refreshed.text("refresh_token") != session.text("refresh_token"));
  CHECK(refreshed.text("access_token") != session.text("access_token"));
  HttpResponse second =
      f.post("/auth/refresh", Fixture::refresh_body(refreshed.text("refresh_token")));
  REQUIRE(second.status == 200);
  Body latest(second);
  CHECK(f.get("/me", latest.text("access_token")).status == 200);

  // Logout, then the refresh token is refused.
  HttpResponse logout = f.post("/auth/logout", Fixture::refresh_body(latest.text("refresh_token")));
  CHECK(logout.status == 204);
  CHECK(logout.body.empty());
  HttpResponse after = f.post("/auth/refresh", Fixture::refresh_body(latest.text("refresh_token")));
  CHECK(after.status == 401);
  CHECK(error_of(after) == "RefreshTokenRevoked");
  CHECK(after.body.find(latest.text("refresh_token")) == std::string::npos);

  // A second login of the same Google user finds the same account.
  HttpResponse again = f.sign_in();
  REQUIRE(again.status == 200);
  CHECK(Body(again).number("account_id") == account_id);
}

TEST_CASE("sign-in: a reused refresh token revokes its family", "[auth][handlers]") {
  Fixture f;
  HttpResponse in = f.sign_in();
  REQUIRE(in.status == 200);
  const std::string first = Body(in).text("refresh_token");
  HttpResponse rotated = f.post("/auth/refresh", Fixture::refresh_body(first));
  REQUIRE(rotated.status == 200);
  const std::string second = Body(rotated).text("refresh_token");

  HttpResponse reuse = f.post("/auth/refresh", Fixture::refresh_body(first));
  CHECK(reuse.status == 401);
  CHECK(error_of(reuse) == "RefreshTokenReused");
  HttpResponse family = f.post("/auth/refresh", Fixture::refresh_body(second));
  CHECK(family.status == 401);
  CHECK(error_of(family) == "RefreshTokenRevoked");
}

TEST_CASE("sign-in: an expired refresh token is refused", "[auth][handlers]") {
  Fixture f;
  HttpResponse in = f.sign_in();
  REQUIRE(in.status == 200);
  f.clock->advance(absl::Hours(24 * 31));
  HttpResponse r = f.post("/auth/refresh", Fixture::refresh_body(Body(in).text("refresh_token")));
  CHECK(r.status == 401);
  CHECK(error_of(r) == "RefreshTokenExpired");
  HttpResponse unknown = f.post("/auth/refresh", Fixture::refresh_body("bm90LWEtdG9rZW4"));
  CHECK(unknown.status == 401);
  CHECK(error_of(unknown) == "RefreshTokenUnknown");
}

TEST_CASE("sign-in: state missing, wrong, expired, replayed, or not this browser's",
          "[auth][handlers]") {
  Fixture f;
  SECTION("missing") {
    Fixture::Started s = f.start();
    FakeGoogle::Approval a = f.fake.approve(s.location);
    HttpResponse r = f.post("/auth/callback", "{\"code\":\"" + a.code + "\"}", s.cookie);
    CHECK(r.status == 401);
    CHECK(error_of(r) == "LoginStateUnknown");
    CHECK(r.header("WWW-Authenticate") == "Bearer");
  }
  SECTION("wrong") {
    Fixture::Started s = f.start();
    FakeGoogle::Approval a = f.fake.approve(s.location);
    HttpResponse r = f.post("/auth/callback", Fixture::callback_body(a.code, "made-up-state"),
                            "account_login_state=made-up-state");
    CHECK(r.status == 401);
    CHECK(error_of(r) == "LoginStateUnknown");
  }
  SECTION("expired") {
    Fixture::Started s = f.start();
    FakeGoogle::Approval a = f.fake.approve(s.location);
    f.clock->advance(absl::Minutes(11));
    HttpResponse r = f.post("/auth/callback", Fixture::callback_body(a.code, a.state), s.cookie);
    CHECK(r.status == 401);
    CHECK(error_of(r) == "LoginStateExpired");
  }
  SECTION("replayed") {
    Fixture::Started s = f.start();
    FakeGoogle::Approval a = f.fake.approve(s.location);
    REQUIRE(f.post("/auth/callback", Fixture::callback_body(a.code, a.state), s.cookie).status ==
            200);
    HttpResponse r = f.post("/auth/callback", Fixture::callback_body(a.code, a.state), s.cookie);
    CHECK(r.status == 401);
    CHECK(error_of(r) == "LoginStateReplayed");
    CHECK(f.fake.hits("/token") == 1);  // Refused before Google was asked again.
  }
  SECTION("another browser's state (login CSRF), refused without spending it") {
    Fixture::Started victim = f.start();
    Fixture::Started attacker = f.start();
    FakeGoogle::Approval a = f.fake.approve(attacker.location);
    HttpResponse r =
        f.post("/auth/callback", Fixture::callback_body(a.code, a.state), victim.cookie);
    CHECK(r.status == 401);
    CHECK(error_of(r) == "LoginStateUnknown");
    HttpResponse none = f.post("/auth/callback", Fixture::callback_body(a.code, a.state));
    CHECK(none.status == 401);
    CHECK(error_of(none) == "LoginStateUnknown");
    // The rightful browser still finishes its own login.
    FakeGoogle::Approval mine = f.fake.approve(victim.location);
    CHECK(f.post("/auth/callback", Fixture::callback_body(mine.code, mine.state), victim.cookie)
              .status == 200);
  }
}

TEST_CASE("sign-in: a PKCE mismatch is refused by Google, 401 GoogleRejected", "[auth][handlers]") {
  Fixture f;
  // Two logins: the code Google issued for A's challenge comes back with B's
  // state, so the server sends B's verifier.
  Fixture::Started a = f.start();
  Fixture::Started b = f.start();
  FakeGoogle::Approval for_a = f.fake.approve(a.location);
  FakeGoogle::Approval for_b = f.fake.approve(b.location);
  HttpResponse r =
      f.post("/auth/callback", Fixture::callback_body(for_a.code, for_b.state), b.cookie);
  CHECK(r.status == 401);
  CHECK(error_of(r) == "GoogleRejected");
  CHECK(Body(r).text("message").find("invalid_grant") != std::string::npos);
  CHECK(r.body.find(for_a.code) == std::string::npos);
}

TEST_CASE("sign-in: an unverified email is 403 EmailNotVerified", "[auth][handlers]") {
  Fixture f;
  f.fake.set_email_verified(false);
  HttpResponse r = f.sign_in();
  CHECK(r.status == 403);
  CHECK(error_of(r) == "EmailNotVerified");
  CHECK(f.accounts->get_account_id_by_user_id("108204268033311374519").status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("sign-in: a bad id_token from Google is 401 with its reason", "[auth][handlers]") {
  Fixture f;
  f.fake.set_id_token(FakeGoogle::IdToken::kWrongAudience);
  HttpResponse r = f.sign_in();
  CHECK(r.status == 401);
  CHECK(error_of(r) == "TokenClaimsInvalid");
  f.fake.set_id_token(FakeGoogle::IdToken::kOtherSubject);
  HttpResponse other = f.sign_in();
  CHECK(other.status == 502);
  CHECK(error_of(other) == "GoogleResponseInvalid");
}

TEST_CASE("sign-in: Google trouble is 503 or 502", "[auth][handlers]") {
  Fixture f;
  f.fake.script("/token", {{.status = 503, .body = "{}"}});
  HttpResponse down = f.sign_in();
  CHECK(down.status == 503);
  CHECK(error_of(down) == "GoogleUnavailable");
  f.fake.script("/token", {{.status = 200, .body = "{\"access_token\":"}});
  HttpResponse broken = f.sign_in();
  CHECK(broken.status == 502);
  CHECK(error_of(broken) == "GoogleResponseInvalid");
}

TEST_CASE("sign-in: store trouble is 503 or 500 and never shows the database's error",
          "[auth][handlers]") {
  const std::string detail =
      "commit: ERROR: permission denied for table accounts (database \"ledger\" at "
      "db-primary.internal:5432 user ledger_rw)";
  struct Row {
    absl::Status status;
    int http;
    std::string_view name;
  };
  const Row rows[] = {
      {denial(Reason::kStoreUnavailable, detail), 503, "StoreUnavailable"},
      {denial(Reason::kStoreFailure, detail), 500, "StoreFailure"},
      // A token store on PostgreSQL that lost its connection: no reason, but transient.
      {absl::UnavailableError(detail), 503, "Unavailable"},
      {absl::InternalError(detail), 500, "Internal"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const HttpResponse r = AuthHandlers::error_response(row.status);
    CHECK(r.status == row.http);
    CHECK(error_of(r) == row.name);
    CHECK(r.body.find("db-primary") == std::string::npos);
    CHECK(r.body.find("ledger_rw") == std::string::npos);
    CHECK(r.header("Cache-Control") == "no-store");
  }
}

TEST_CASE("sign-in: rate limits answer 429 with Retry-After", "[auth][handlers]") {
  RateLimiterOptions limits;
  limits.limits = {{"/auth/google", {.burst = 2, .per_minute = 2}},
                   {"/auth/callback", {.burst = 1, .per_minute = 1}},
                   {"/auth/refresh", {.burst = 2, .per_minute = 1}},
                   {"/auth/logout", {.burst = 1, .per_minute = 1}}};
  Fixture f({.limits = limits});
  HttpResponse in = f.sign_in();
  REQUIRE(in.status == 200);
  CHECK(f.get("/auth/google").status == 302);
  HttpResponse login = f.get("/auth/google");
  CHECK(login.status == 429);
  CHECK(error_of(login) == "RateLimited");
  CHECK(login.header("Retry-After") == "30");

  HttpResponse callback = f.post("/auth/callback", Fixture::callback_body("c", "s"));
  CHECK(callback.status == 429);
  CHECK(error_of(callback) == "RateLimited");
  CHECK(callback.header("Retry-After") == "60");

  const std::string token = Body(in).text("refresh_token");
  HttpResponse r1 = f.post("/auth/refresh", Fixture::refresh_body(token));
  REQUIRE(r1.status == 200);
  HttpResponse r2 = f.post("/auth/refresh", Fixture::refresh_body(Body(r1).text("refresh_token")));
  REQUIRE(r2.status == 200);
  HttpResponse r3 = f.post("/auth/refresh", Fixture::refresh_body(Body(r2).text("refresh_token")));
  CHECK(r3.status == 429);
  CHECK(error_of(r3) == "RateLimited");
  CHECK(r3.header("Retry-After") == "60");
  // Logout is limited too: each well-formed token costs a token-store lookup.
  CHECK(f.post("/auth/logout", Fixture::refresh_body(std::string(43, 'A'))).status == 401);
  HttpResponse out = f.post("/auth/logout", Fixture::refresh_body(std::string(43, 'A')));
  CHECK(out.status == 429);
  CHECK(error_of(out) == "RateLimited");
  // Another client is not affected; and the limited one gets in after the wait.
  HttpRequest other{.method = "GET", .path = "/auth/google", .client_key = "203.0.113.9"};
  CHECK(f.handlers->handle(other).status == 302);
  f.clock->advance(absl::Seconds(60));
  CHECK(f.post("/auth/refresh", Fixture::refresh_body(Body(r2).text("refresh_token"))).status ==
        200);
}

TEST_CASE("sign-in: /me needs a valid Bearer access token", "[auth][handlers]") {
  Fixture f;
  HttpResponse in = f.sign_in();
  REQUIRE(in.status == 200);
  const std::string token = Body(in).text("access_token");

  HttpResponse none = f.get("/me");
  CHECK(none.status == 401);
  CHECK(error_of(none) == "TokenMalformed");
  CHECK(none.header("WWW-Authenticate") == "Bearer");

  std::string tampered = token;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  HttpResponse forged = f.get("/me", tampered);
  CHECK(forged.status == 401);
  CHECK(error_of(forged) == "TokenSignatureInvalid");

  f.clock->advance(absl::Hours(2));
  HttpResponse expired = f.get("/me", token);
  CHECK(expired.status == 401);
  CHECK(error_of(expired) == "TokenExpired");
}

TEST_CASE("sign-in: malformed requests are 400, 404, 405 or 413", "[auth][handlers]") {
  Fixture f;
  const std::pair<std::string, std::string> bad_bodies[] = {
      {"/auth/refresh", "not json"},
      {"/auth/refresh", "[\"refresh_token\"]"},
      {"/auth/refresh", "{}"},
      {"/auth/refresh", "{\"refresh_token\":7}"},
      {"/auth/refresh", "{\"refresh_token\":\"\"}"},
      {"/auth/refresh", "{\"refresh_token\":\"a\",\"refresh_token\":\"b\"}"},
      {"/auth/logout", "{\"token\":\"a\"}"},
      {"/auth/callback", "{\"state\":\"s\"}"},
      {"/auth/callback", "{\"code\":\"c\",\"state\":5}"},
  };
  for (const auto& [path, body] : bad_bodies) {
    HttpResponse r = f.post(path, body);
    INFO(path << " " << body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(error_of(r) == "InvalidArgument");
  }
  HttpRequest form{.method = "POST",
                   .path = "/auth/refresh",
                   .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                   .body = "refresh_token=abc"};
  CHECK(f.handlers->handle(form).status == 400);
  // Media types are case-insensitive: this is JSON, and an unknown token is
  // the body's fault (401), not the Content-Type's (400).
  HttpRequest shouted{.method = "POST",
                      .path = "/auth/refresh",
                      .headers = {{"Content-Type", "Application/JSON ; charset=utf-8"}},
                      .body = "{\"refresh_token\":\"abc\"}",
                      .client_key = "198.51.100.7"};
  CHECK(f.handlers->handle(shouted).status == 401);

  HttpResponse large = f.post("/auth/refresh", std::string(9000, ' ') + "{}");
  CHECK(large.status == 413);

  CHECK(f.get("/auth/nothing").status == 404);
  HttpResponse wrong_method = f.get("/auth/refresh");
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.header("Allow") == "POST");
}

}  // namespace
}  // namespace account::auth
