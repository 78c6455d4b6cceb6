// Uses the installed account::sleeper component: a CurlSleeperClient is created (libcurl and
// simdjson on the link line) and the fantasy funding math from the core library is called.
#include <cstdio>

#include "account/sleeper/curl_sleeper_client.h"
#include "account/fantasy/fantasy_funding.h"

int main() {
  if (!account::CurlSleeperClient::create({}).ok()) {
    std::fputs("CurlSleeperClient::create({}) failed\n", stderr);
    return 1;
  }
  const auto target = account::fantasy_target(account::FantasyPoints{161'778},
                                              account::kDefaultCentsPerPoint);
  if (!target.ok() || *target != account::Cents{1'617'780}) {
    std::fputs("fantasy_target(1617.78 points, $10 a point) != 1'617'780 cents\n", stderr);
    return 1;
  }
  std::puts("account sleeper consumer: ok");
  return 0;
}
