// File: sleeper/curl_sleeper_client.h
//
// CurlSleeperClient: the SleeperClient that talks to Sleeper over HTTP with
// libcurl and reads the answers with simdjson. Part of account::sleeper
// (src/sleeper), so the core library needs neither. Make one per process and
// share it: it keeps connections open between calls and paces every call
// through one rate limit.
//
//   CurlSleeperClientOptions options = sleeper_options_from_environment().value();
//   std::unique_ptr<CurlSleeperClient> client = CurlSleeperClient::create(options).value();
//   absl::StatusOr<SleeperUser> user = client->user("alice");
//
// Each call:
//   1. waits for the rate limit: a token bucket of `burst_calls_max` tokens
//      refilled at `calls_per_minute_max` (Sleeper blocks an IP above 1,000
//      calls a minute; every attempt, retries included, takes a token);
//   2. GETs base_url + path on a pooled connection (keep-alive), with
//      `connect_timeout` and `attempt_timeout` per attempt;
//   3. on 429, 5xx, a refused or dropped connection, or a timeout, retries up
//      to `attempts_max` attempts in all, waiting a jittered exponential
//      backoff (half of min(backoff_max, backoff_initial * 2^(n-1)) plus a
//      random part up to the other half), or the server's Retry-After when
//      longer; a Retry-After above `retry_after_max` ends the call at once
//      (kSleeperUnavailable) rather than waiting that long;
//   4. parses the whole body with simdjson, then reads it checking every
//      field it uses.
// Errors are the kSleeper* reasons of sleeper_client.h. Messages carry the
// request path, never the base URL (which may hold credentials in a proxy
// set-up).
//
// Waiting goes through `clock` and `sleep`, so tests run the backoff and
// the rate limit on a ManualClock without sleeping.
//
// Thread-safety: every method may be called from any thread at once. Calls
// on different threads use different connections from the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/clock.h"
#include "account/config.h"
#include "account/metrics.h"
#include "account/fantasy/sleeper_client.h"

namespace account {

struct CurlSleeperClientOptions {
  // Sleeper's API root, without a trailing slash; see
  // sleeper_options_from_environment() for SLEEPER_API_BASE_URL. http and https only.
  std::string base_url = "https://api.sleeper.app/v1";

  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration attempt_timeout = absl::Seconds(20);  // Whole request, per attempt.

  int attempts_max = 4;                                // First try included.
  absl::Duration backoff_initial = absl::Milliseconds(500);
  absl::Duration backoff_max = absl::Seconds(8);
  absl::Duration retry_after_max = absl::Seconds(60);

  // Half of Sleeper's documented limit, leaving room for the other callers
  // that may share the machine's IP.
  int calls_per_minute_max = 500;
  int burst_calls_max = 10;

  // Larger answers are refused (kSleeperResponseInvalid); a league's rosters
  // run to tens of kilobytes.
  size_t response_bytes_max = 16 << 20;
  // Idle connections kept open for reuse.
  size_t idle_connections_max = 4;

  // Counts sleeper_api_calls_total{endpoint, outcome="ok"|"error"}, one per
  // call (retries inside a call are not calls). Default: a private registry.
  std::shared_ptr<MetricsRegistry> metrics;

  std::shared_ptr<Clock> clock;                // Default: SystemClock.
  std::function<void(absl::Duration)> sleep;   // Default: absl::SleepFor.
  uint64_t jitter_seed = 0;                    // 0: seeded from std::random_device.
};

// `defaults` with base_url from the config's SLEEPER_API_BASE_URL (config.h;
// its default is Sleeper's own, without a trailing slash).
CurlSleeperClientOptions sleeper_options_from_config(const Config& config,
                                                     CurlSleeperClientOptions defaults = {});
// The same from load_config(process_environment()): fails with
// InvalidArgument naming every invalid variable of config.h, among them
// SLEEPER_API_BASE_URL when it is not an http:// or https:// URL.
absl::StatusOr<CurlSleeperClientOptions> sleeper_options_from_environment(
    CurlSleeperClientOptions defaults = {});

class CurlSleeperClient final : public SleeperClient {
 public:
  // Fails with InvalidArgument when an option is out of range (a base URL
  // that is not http(s), has no host or a port that is not a number from 1
  // to 65535; a non-positive timeout, attempts, rate or burst),
  // or Internal when libcurl cannot be initialized.
  static absl::StatusOr<std::unique_ptr<CurlSleeperClient>> create(
      CurlSleeperClientOptions options);

  ~CurlSleeperClient() override;
  CurlSleeperClient(const CurlSleeperClient&) = delete;
  CurlSleeperClient& operator=(const CurlSleeperClient&) = delete;

  absl::StatusOr<SleeperUser> user(std::string_view username) override;
  absl::StatusOr<std::vector<SleeperLeague>> nfl_leagues(std::string_view user_id,
                                                         std::string_view season) override;
  absl::StatusOr<SleeperLeague> league(std::string_view league_id) override;
  absl::StatusOr<std::vector<SleeperRoster>> league_rosters(std::string_view league_id) override;
  absl::StatusOr<std::vector<SleeperMatchup>> league_matchups(std::string_view league_id,
                                                              int week) override;
  absl::StatusOr<NflState> nfl_state() override;

 private:
  class Impl;
  explicit CurlSleeperClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace account
