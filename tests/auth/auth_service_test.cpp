// AuthService over a MemoryStore ledger, a MemoryTokenStore and a scripted Google
// (account/testing/auth/scripted_google_client.h): the whole login -> authenticate -> refresh ->
// logout flow, and every refusal that lives in the service, each with its Reason. Time is a
// ManualClock shared by the ledger and sign-in.
#include <catch2/catch.hpp>

#include <latch>
#include <memory>
#include <thread>

#include "account/account_service.h"
#include "account/auth/auth_service.h"
#include "account/auth/memory_token_store.h"
#include "account/memory_store.h"
#include "account/status.h"
#include "account/testing/auth/scripted_google_client.h"

namespace {

using namespace account;
using namespace account::auth;

const absl::Time kStart = absl::FromUnixSeconds(1'790'000'000);

GoogleUser alice() {
  return GoogleUser{.sub = "google-sub-alice",
                    .email = "alice@example.com",
                    .email_verified = true,
                    .name = "Alice Liddell",
                    .picture = ""};
}

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  std::unique_ptr<AccountService> accounts =
      AccountService::open({.store = std::make_shared<MemoryStore>(), .clock = clock}).value();
  testing::ScriptedGoogleClient google{clock};
  MemoryTokenStore tokens;
  std::unique_ptr<AuthService> auth = make();

  std::unique_ptr<AuthService> make() {
    AuthServiceOptions o;
    o.access.issuer = "https://exchange.example";
    o.access.audience = "exchange-api";
    o.access_keys = {{"k1", std::string(32, 's')}};
    o.access_current_kid = "k1";
    return AuthService::create(o, accounts.get(), &google, &tokens, clock.get()).value();
  }

  // begin_login, the user approves as `user`, and the browser comes back.
  absl::StatusOr<Session> login(const GoogleUser& user) {
    const LoginStart start = auth->begin_login().value();
    return auth->complete_login(google.approve(start.state, user), start.state);
  }
};

template <typename T>
Reason reason(const absl::StatusOr<T>& result) {
  REQUIRE_FALSE(result.ok());
  REQUIRE(reason_of(result).has_value());
  return *reason_of(result);
}

Reason reason(const absl::Status& status) {
  REQUIRE_FALSE(status.ok());
  REQUIRE(reason_of(status).has_value());
  return *reason_of(status);
}

}  // namespace

TEST_CASE("login, authenticate, refresh, refresh again, logout, then refresh is refused") {
  Fixture f;
  const LoginStart start = f.auth->begin_login().value();
  CHECK_THAT(start.redirect_url, Catch::Contains("state=" + start.state));
  CHECK_THAT(start.redirect_url, Catch::Contains("code_challenge_method=S256"));
  CHECK(start.expires_at == kStart + absl::Minutes(10));

  const Session s1 =
      f.auth->complete_login(f.google.approve(start.state, alice()), start.state).value();
  CHECK(s1.access_expires_at == kStart + absl::Hours(1));
  CHECK(s1.refresh_expires_at == kStart + absl::Hours(24 * 30));
  CHECK(f.accounts->get_account_id_by_user_id("google-sub-alice").value() == s1.account);
  CHECK(f.accounts->get_account(s1.account).value().display_name == "Alice Liddell");
  CHECK(f.auth->authenticate(s1.access_token).value().account == s1.account);

  f.clock->advance(absl::Minutes(50));
  const Session s2 = f.auth->refresh(s1.refresh_token).value();
  CHECK(s2.account == s1.account);
  CHECK(s2.refresh_token != s1.refresh_token);
  CHECK(f.auth->authenticate(s2.access_token).value().account == s1.account);
  f.clock->advance(absl::Minutes(50));
  const Session s3 = f.auth->refresh(s2.refresh_token).value();
  CHECK(f.auth->authenticate(s3.access_token).ok());

  REQUIRE(f.auth->logout(s3.refresh_token).ok());
  CHECK(reason(f.auth->refresh(s3.refresh_token)) == Reason::kRefreshTokenRevoked);
  // A second login of the same Google user is the same account, in a new family.
  const Session again = f.login(alice()).value();
  CHECK(again.account == s1.account);
  CHECK(f.auth->refresh(again.refresh_token).ok());
}

TEST_CASE("complete_login refusals of the state, each with its reason") {
  Fixture f;
  const LoginStart start = f.auth->begin_login().value();
  const std::string code = f.google.approve(start.state, alice());

  SECTION("state missing") {
    CHECK(reason(f.auth->complete_login(code, "")) == Reason::kLoginStateUnknown);
  }
  SECTION("state wrong") {
    const LoginStart other = f.auth->begin_login().value();
    std::string wrong = other.state;
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    CHECK(reason(f.auth->complete_login(code, wrong)) == Reason::kLoginStateUnknown);
  }
  SECTION("state expired") {
    f.clock->advance(absl::Minutes(10));
    CHECK(reason(f.auth->complete_login(code, start.state)) == Reason::kLoginStateExpired);
  }
  SECTION("state replayed") {
    REQUIRE(f.auth->complete_login(code, start.state).ok());
    CHECK(reason(f.auth->complete_login(code, start.state)) == Reason::kLoginStateReplayed);
  }
  // Google was never asked for any of the refused ones.
  CHECK(f.google.calls(testing::ScriptedGoogleClient::Method::kExchangeCode) <= 1);
}

TEST_CASE("complete_login refusals after the state, each with its reason") {
  Fixture f;

  SECTION("PKCE mismatch: a code issued for another login's challenge") {
    const LoginStart mine = f.auth->begin_login().value();
    const LoginStart theirs = f.auth->begin_login().value();
    // An attacker injects the code of their own login into the victim's callback.
    const std::string code = f.google.approve(theirs.state, alice());
    CHECK(reason(f.auth->complete_login(code, mine.state)) == Reason::kGoogleRejected);
    CHECK_FALSE(f.accounts->get_account_id_by_user_id(alice().sub).ok());
  }
  SECTION("code missing") {
    const LoginStart start = f.auth->begin_login().value();
    CHECK(reason(f.auth->complete_login("", start.state)) == Reason::kInvalidArgument);
    CHECK(f.google.calls(testing::ScriptedGoogleClient::Method::kExchangeCode) == 0);
  }
  SECTION("unverified email: refused, no account created") {
    GoogleUser user = alice();
    user.email_verified = false;
    CHECK(reason(f.login(user)) == Reason::kEmailNotVerified);
    CHECK(reason(f.accounts->get_account_id_by_user_id(user.sub)) == Reason::kAccountNotFound);
  }
  SECTION("an id_token for another user than userinfo's") {
    f.google.set_id_token_subject("google-sub-mallory");
    CHECK(reason(f.login(alice())) == Reason::kGoogleResponseInvalid);
    CHECK_FALSE(f.accounts->get_account_id_by_user_id(alice().sub).ok());
  }
  SECTION("Google's own refusals pass through") {
    f.google.set_error(testing::ScriptedGoogleClient::Method::kExchangeCode,
                       denial(Reason::kGoogleUnavailable, "token endpoint: 503"));
    CHECK(reason(f.login(alice())) == Reason::kGoogleUnavailable);
  }
  SECTION("without an id_token, userinfo alone decides") {
    f.google.set_send_id_token(false);
    CHECK(f.login(alice()).ok());
  }
}

TEST_CASE("refresh refusals through the service, each with its reason") {
  Fixture f;
  const Session s1 = f.login(alice()).value();

  SECTION("reuse of a rotated refresh token revokes the family") {
    const Session s2 = f.auth->refresh(s1.refresh_token).value();
    CHECK(reason(f.auth->refresh(s1.refresh_token)) == Reason::kRefreshTokenReused);
    CHECK(reason(f.auth->refresh(s2.refresh_token)) == Reason::kRefreshTokenRevoked);
  }
  SECTION("refresh after logout") {
    REQUIRE(f.auth->logout(s1.refresh_token).ok());
    CHECK(reason(f.auth->refresh(s1.refresh_token)) == Reason::kRefreshTokenRevoked);
  }
  SECTION("expired refresh token") {
    f.clock->advance(absl::Hours(24 * 30));
    CHECK(reason(f.auth->refresh(s1.refresh_token)) == Reason::kRefreshTokenExpired);
  }
  SECTION("unknown refresh token, and logout of one") {
    CHECK(reason(f.auth->refresh("nonsense")) == Reason::kRefreshTokenUnknown);
    CHECK(reason(f.auth->logout("nonsense")) == Reason::kRefreshTokenUnknown);
  }
  SECTION("an access token is not a refresh token, nor the reverse") {
    CHECK(reason(f.auth->refresh(s1.access_token)) == Reason::kRefreshTokenUnknown);
    CHECK(reason(f.auth->authenticate(s1.refresh_token)) == Reason::kTokenMalformed);
  }
  SECTION("an expired access token") {
    f.clock->advance(absl::Hours(1) + absl::Seconds(30));
    CHECK(reason(f.auth->authenticate(s1.access_token)) == Reason::kTokenExpired);
  }
}

TEST_CASE("the display name comes from Google's name, else the email, never too long") {
  GoogleUser user = alice();
  CHECK(display_name_for(user) == "Alice Liddell");
  user.name = "";
  CHECK(display_name_for(user) == "alice");
  user.name = "  ";
  CHECK(display_name_for(user) == "alice");
  user.email = "";
  CHECK(display_name_for(user) == "Player");
  user.name = std::string("Bo\0b", 4);
  CHECK(display_name_for(user) == "Bob");
  // 127 two-byte characters and one more: cut before the character that would be split.
  user.name = "";
  for (int i = 0; i < 128; ++i) user.name += "\xc3\xa9";  // é
  CHECK(display_name_for(user).size() == 254);

  Fixture f;
  GoogleUser long_name = alice();
  long_name.name = user.name;
  const Session s = f.login(long_name).value();
  CHECK(f.accounts->get_account(s.account).value().display_name.size() == 254);
}

TEST_CASE("two first logins of one new user racing end with one account", "[concurrency]") {
  Fixture f;
  for (int round = 0; round < 20; ++round) {
    GoogleUser user = alice();
    user.sub = "google-sub-racer-" + std::to_string(round);
    const LoginStart a = f.auth->begin_login().value();
    const LoginStart b = f.auth->begin_login().value();
    const std::string code_a = f.google.approve(a.state, user);
    const std::string code_b = f.google.approve(b.state, user);
    std::latch start(2);
    absl::StatusOr<Session> sa = absl::UnknownError("not run");
    absl::StatusOr<Session> sb = absl::UnknownError("not run");
    std::thread one([&] {
      start.arrive_and_wait();
      sa = f.auth->complete_login(code_a, a.state);
    });
    std::thread two([&] {
      start.arrive_and_wait();
      sb = f.auth->complete_login(code_b, b.state);
    });
    one.join();
    two.join();
    INFO("round " << round);
    REQUIRE(sa.ok());
    REQUIRE(sb.ok());
    CHECK(sa->account == sb->account);
    CHECK(f.accounts->get_account_id_by_user_id(user.sub).value() == sa->account);
  }
}

TEST_CASE("AuthService::create refuses missing parts and bad keys") {
  Fixture f;
  AuthServiceOptions o;
  o.access_keys = {{"k1", std::string(32, 's')}};
  o.access_current_kid = "k1";
  CHECK(AuthService::create(o, nullptr, &f.google, &f.tokens, f.clock.get()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  o.access_keys = {{"k1", "short"}};
  CHECK(AuthService::create(o, f.accounts.get(), &f.google, &f.tokens, f.clock.get())
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}
