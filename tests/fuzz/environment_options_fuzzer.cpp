// Fuzz target: the configuration read from the environment at start-up.
// The input is split at its first newline: the first part becomes
// FANTASY_POINTS_CONVERSION_RATE, the rest SLEEPER_API_BASE_URL (each cut at
// a NUL byte, as an environment value would be). Both parsers must answer a
// value or InvalidArgument, never crash; an accepted rate is in range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "account/fantasy/fantasy_funding.h"
#include "account/fantasy/fantasy_funding_service.h"
#ifdef ACCOUNT_FUZZ_WITH_SLEEPER
#include "account/sleeper/curl_sleeper_client.h"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  std::string rate(input.substr(0, newline));
  std::string url(newline == std::string_view::npos ? std::string_view()
                                                    : input.substr(newline + 1));
  rate = rate.substr(0, rate.find('\0'));
  url = url.substr(0, url.find('\0'));

  const absl::StatusOr<int64_t> direct = account::parse_cents_per_point(rate);
  if (direct.ok() && (*direct < 1 || *direct > account::kCentsPerPointMax)) std::abort();
  setenv("FANTASY_POINTS_CONVERSION_RATE", rate.c_str(), 1);
  const absl::StatusOr<account::FantasyOptions> fantasy =
      account::fantasy_options_from_environment();
  if (fantasy.ok() && !rate.empty() && fantasy->cents_per_point != direct.value_or(-1)) {
    std::abort();  // The environment reader and the parser disagree.
  }
#ifdef ACCOUNT_FUZZ_WITH_SLEEPER
  setenv("SLEEPER_API_BASE_URL", url.c_str(), 1);
  const absl::StatusOr<account::CurlSleeperClientOptions> sleeper =
      account::sleeper_options_from_environment();
  if (sleeper.ok() && !url.empty()) {
    std::string scheme = sleeper->base_url.substr(0, 4);
    for (char& c : scheme) c = static_cast<char>(c | 0x20);  // ASCII lower case.
    if (scheme != "http") std::abort();  // Accepted something that is not http(s).
  }
#endif
  return 0;
}
