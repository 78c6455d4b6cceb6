// LoginStates: single-use states bound to PKCE S256 verifiers, each refusal with its Reason,
// and bounded memory. Time is a ManualClock.
#include <catch2/catch.hpp>

#include <set>

#include "account/auth/login_states.h"
#include "account/status.h"
#include "crypto.h"

namespace {

using namespace account;
using namespace account::auth;

const absl::Time kStart = absl::FromUnixSeconds(1'790'000'000);

Reason refusal(LoginStates& logins, std::string_view state) {
  const auto verifier = logins.consume(state);
  REQUIRE_FALSE(verifier.ok());
  if (!state.empty()) {
    CHECK(std::string(verifier.status().message()).find(std::string(state)) == std::string::npos);
  }
  REQUIRE(reason_of(verifier).has_value());
  return *reason_of(verifier);
}

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

TEST_CASE("begin binds a random state to a verifier whose S256 challenge goes to Google") {
  ManualClock clock(kStart);
  LoginStates logins(&clock);
  const PendingLogin p = logins.begin().value();
  CHECK(p.state.size() == 43);
  CHECK(p.expires_at == kStart + absl::Minutes(10));

  const std::string verifier = logins.consume(p.state).value();
  // RFC 7636 section 4.1: 43-128 characters of the unreserved set.
  CHECK(verifier.size() >= 43);
  CHECK(verifier.size() <= 128);
  CHECK(std::all_of(verifier.begin(), verifier.end(), unreserved));
  CHECK(p.code_challenge == LoginStates::challenge_of(verifier));
  CHECK(p.code_challenge ==
        internal::auth::base64url_encode(internal::auth::sha256(verifier)));
  // RFC 7636 appendix B.
  CHECK(LoginStates::challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

  std::set<std::string> states;
  for (int i = 0; i < 100; ++i) states.insert(logins.begin().value().state);
  CHECK(states.size() == 100);
}

TEST_CASE("login state refusals, each with its reason") {
  ManualClock clock(kStart);
  LoginStates logins(&clock);
  const PendingLogin p = logins.begin().value();

  SECTION("LoginStateUnknown: missing or wrong state") {
    CHECK(refusal(logins, "") == Reason::kLoginStateUnknown);
    CHECK(refusal(logins, "not-a-state") == Reason::kLoginStateUnknown);
    std::string other = p.state;
    other[10] = other[10] == 'A' ? 'B' : 'A';
    CHECK(refusal(logins, other) == Reason::kLoginStateUnknown);
    // A wrong guess does not spend the real state.
    CHECK(logins.consume(p.state).ok());
  }
  SECTION("LoginStateExpired: at its lifetime, not a second before") {
    clock.advance(absl::Minutes(10) - absl::Seconds(1));
    const PendingLogin q = logins.begin().value();
    CHECK(logins.consume(p.state).ok());
    clock.advance(absl::Minutes(10));
    CHECK(refusal(logins, q.state) == Reason::kLoginStateExpired);
  }
  SECTION("LoginStateReplayed: a state is good once") {
    REQUIRE(logins.consume(p.state).ok());
    CHECK(refusal(logins, p.state) == Reason::kLoginStateReplayed);
    CHECK(refusal(logins, p.state) == Reason::kLoginStateReplayed);
  }
  SECTION("a state forgotten a lifetime after it expired is unknown") {
    clock.advance(absl::Minutes(20));
    CHECK(refusal(logins, p.state) == Reason::kLoginStateUnknown);
    CHECK(logins.size() == 0);
  }
}

TEST_CASE("login states stay within states_max, forgetting the oldest first") {
  ManualClock clock(kStart);
  LoginStates logins(&clock, {.lifetime = absl::Minutes(10), .states_max = 3});
  std::vector<PendingLogin> p;
  for (int i = 0; i < 5; ++i) {
    p.push_back(logins.begin().value());
    clock.advance(absl::Seconds(1));
  }
  CHECK(logins.size() == 3);
  CHECK(refusal(logins, p[0].state) == Reason::kLoginStateUnknown);
  CHECK(refusal(logins, p[1].state) == Reason::kLoginStateUnknown);
  CHECK(logins.consume(p[4].state).ok());
  CHECK(logins.consume(p[2].state).ok());
}
