// Uses the installed account::auth component: an access token is issued and verified (OpenSSL's
// HMAC and simdjson on the link line), and a tampered one is refused with its reason.
#include <cstdio>

#include "account/auth/access_tokens.h"
#include "account/clock.h"
#include "account/status.h"

int main() {
  const account::ManualClock clock(absl::FromUnixSeconds(1'790'000'000));
  auto tokens = account::auth::AccessTokens::create(
      {}, {{"k1", "a consumer's secret of 32 bytes.."}}, "k1", &clock);
  if (!tokens.ok()) {
    std::fputs("AccessTokens::create failed\n", stderr);
    return 1;
  }
  const auto issued = tokens->issue(account::AccountId{42});
  if (!issued.ok() || tokens->verify(issued->token).value().account != account::AccountId{42}) {
    std::fputs("an issued access token did not verify\n", stderr);
    return 1;
  }
  std::string tampered = issued->token;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  if (account::reason_of(tokens->verify(tampered)) !=
      account::Reason::kTokenSignatureInvalid) {
    std::fputs("a tampered access token was not refused as TokenSignatureInvalid\n", stderr);
    return 1;
  }
  std::puts("account auth consumer: ok");
  return 0;
}
