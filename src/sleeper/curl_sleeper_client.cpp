#include "account/sleeper/curl_sleeper_client.h"

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "account/status.h"
#include "base/jittered_backoff.h"
#include "base/strings.h"
#include "http/gcra.h"
#include "http/http_client.h"
#include "sleeper/sleeper_json.h"

namespace account {
namespace {

using internal::http::HttpAnswer;
using internal::http::HttpClient;
using internal::http::JsonReader;
using internal::http::Transport;
using internal::sleeper::element;

// Longest id or username we send; Sleeper's are far shorter.
constexpr size_t kPathSegmentBytesMax = 64;

absl::Status check_segment(std::string_view value, std::string_view what) {
  if (value.empty() || value.size() > kPathSegmentBytesMax) {
    return absl::InvalidArgumentError(
        internal::cat(what, " must be 1..", kPathSegmentBytesMax, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status check_season(std::string_view season) {
  const bool digits =
      season.size() == 4 && season.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits) {
    return absl::InvalidArgumentError(
        internal::cat("season '", season, "' is not a four-digit year"));
  }
  return absl::OkStatus();
}

absl::Status check_options(const CurlSleeperClientOptions& o) {
  if (!internal::is_http_url(o.base_url)) {
    return absl::InvalidArgumentError("base_url must be an http:// or https:// URL");
  }
  const absl::Duration zero = absl::ZeroDuration();
  if (o.connect_timeout <= zero || o.attempt_timeout <= zero) {
    return absl::InvalidArgumentError("timeouts must be positive");
  }
  if (o.attempts_max < 1 || o.attempts_max > 20) {
    return absl::InvalidArgumentError("attempts_max must be 1..20");
  }
  if (o.backoff_initial <= zero || o.backoff_max < o.backoff_initial || o.retry_after_max < zero) {
    return absl::InvalidArgumentError(
        "need 0 < backoff_initial <= backoff_max and retry_after_max >= 0");
  }
  if (o.calls_per_minute_max < 1 || o.calls_per_minute_max > 60'000 || o.burst_calls_max < 1 ||
      o.burst_calls_max > 10'000) {
    return absl::InvalidArgumentError(
        "calls_per_minute_max must be 1..60000 and burst_calls_max 1..10000");
  }
  if (o.response_bytes_max < 1024) {
    return absl::InvalidArgumentError("response_bytes_max must be at least 1024");
  }
  return absl::OkStatus();
}

// Why an attempt failed, before it becomes a Status: the Reason (none for a base URL that
// cannot be used, which is the configuration's fault: InvalidArgument) and the message.
struct Failure {
  std::optional<Reason> reason;
  std::string detail;

  absl::Status status() const {
    return reason ? denial(*reason, detail) : absl::InvalidArgumentError(detail);
  }
};

// The outcome of one attempt as the errors of sleeper_client.h; nullopt for a 200.
std::optional<Failure> judge(const HttpAnswer& a, std::string_view request,
                             const CurlSleeperClientOptions& o) {
  switch (a.transport) {
    case Transport::kAnswered:
      break;
    case Transport::kTooLarge:
      return Failure{
          Reason::kSleeperResponseInvalid,
          internal::cat(request, ": answer larger than ", o.response_bytes_max, " bytes")};
    case Transport::kTimedOut:
      return Failure{Reason::kSleeperUnavailable,
                     internal::cat(request, ": no answer in time (connect timeout ",
                                   absl::FormatDuration(o.connect_timeout), ", request timeout ",
                                   absl::FormatDuration(o.attempt_timeout), ")")};
    case Transport::kUnusableUrl:
      return Failure{std::nullopt,
                     internal::cat(request, ": the base URL cannot be used: ", a.error)};
    default:
      return Failure{Reason::kSleeperUnavailable, internal::cat(request, ": ", a.error)};
  }
  if (a.status == 200) return std::nullopt;
  const std::string what = internal::cat(request, ": HTTP ", a.status);
  if (a.status == 404) return Failure{Reason::kSleeperNotFound, what};
  if (a.transient()) return Failure{Reason::kSleeperUnavailable, what};
  if (a.status >= 400 && a.status <= 499) {
    return Failure{Reason::kSleeperRejected, internal::cat(what, ": Sleeper refused the request")};
  }
  return Failure{Reason::kSleeperResponseInvalid, internal::cat(what, ": unexpected status")};
}

}  // namespace

CurlSleeperClientOptions sleeper_options_from_config(const Config& config,
                                                     CurlSleeperClientOptions defaults) {
  defaults.base_url = config.sleeper_api_base_url;
  return defaults;
}

absl::StatusOr<CurlSleeperClientOptions> sleeper_options_from_environment(
    CurlSleeperClientOptions defaults) {
  absl::StatusOr<Config> config = load_config(process_environment());
  if (!config.ok()) return config.status();
  return sleeper_options_from_config(*config, std::move(defaults));
}

// The calls, as the metrics name them.
enum Endpoint : size_t {
  kUser, kNflLeagues, kLeague, kLeagueRosters, kLeagueMatchups, kNflState, kEndpoints
};
constexpr const char* kEndpointName[kEndpoints] = {
    "user", "nfl_leagues", "league", "league_rosters", "league_matchups", "nfl_state"};

class CurlSleeperClient::Impl {
 public:
  Impl(CurlSleeperClientOptions options, std::unique_ptr<HttpClient> http,
       internal::http::Gcra rate)
      : options_(std::move(options)),
        http_(std::move(http)),
        pacer_(rate, options_.clock.get(), options_.sleep),
        backoff_(options_.backoff_initial, options_.backoff_max, options_.jitter_seed) {
    std::shared_ptr<MetricsRegistry>& metrics = options_.metrics;
    if (!metrics) metrics = std::make_shared<MetricsRegistry>();
    for (size_t e = 0; e < kEndpoints; ++e) {
      for (bool ok : {true, false}) {
        calls_[e][ok] = metrics->counter(
            "sleeper_api_calls_total", "Calls to Sleeper's API, by endpoint and outcome.",
            {{"endpoint", kEndpointName[e]}, {"outcome", ok ? "ok" : "error"}});
      }
    }
  }

  // GETs `path` and reads the answer with read(root, reader), counting the call's outcome.
  template <typename Read>
  auto call(Endpoint endpoint, const std::string& path, Read&& read)
      -> decltype(read(std::declval<element>(), std::declval<const JsonReader&>())) {
    auto result = call_uncounted(path, std::forward<Read>(read));
    calls_[endpoint][result.ok()]->add();
    return result;
  }

 private:
  template <typename Read>
  auto call_uncounted(const std::string& path, Read&& read)
      -> decltype(read(std::declval<element>(), std::declval<const JsonReader&>())) {
    const std::string request = internal::cat("GET ", path);
    absl::StatusOr<std::string> body = get(request, path);
    if (!body.ok()) return body.status();
    const JsonReader json = internal::sleeper::sleeper_reader(request);
    internal::http::dom::parser parser;
    absl::StatusOr<element> root = json.parse(parser, *body);
    if (!root.ok()) return root.status();
    return read(*root, json);
  }

  // GETs base_url + `path` with the retries of curl_sleeper_client.h: the body of a 200.
  absl::StatusOr<std::string> get(const std::string& request, const std::string& path) {
    const std::string url = internal::cat(options_.base_url, path);
    for (int attempt = 1;; ++attempt) {
      pacer_.acquire();
      absl::StatusOr<HttpAnswer> a = http_->get(url);
      if (!a.ok()) return a.status();
      const std::optional<Failure> failure = judge(*a, request, options_);
      if (!failure) return std::move(a->body);
      if (!a->transient()) return failure->status();
      if (attempt >= options_.attempts_max) {
        if (attempt == 1) return failure->status();
        return Failure{failure->reason,
                       internal::cat(failure->detail, " (gave up after ", attempt, " attempts)")}
            .status();
      }
      const std::optional<absl::Duration> wait =
          internal::http::retry_wait(backoff_, attempt, a->retry_after, options_.retry_after_max);
      if (!wait) {
        return denial(Reason::kSleeperUnavailable,
                      internal::cat(failure->detail, ": asked to retry after ",
                                    absl::FormatDuration(a->retry_after), ", longer than the ",
                                    absl::FormatDuration(options_.retry_after_max), " we wait"));
      }
      options_.sleep(*wait);
    }
  }

  CurlSleeperClientOptions options_;
  std::unique_ptr<HttpClient> http_;
  internal::http::Pacer pacer_;
  internal::JitteredBackoff backoff_;
  Counter* calls_[kEndpoints][2] = {};  // [endpoint][ok]
};

absl::StatusOr<std::unique_ptr<CurlSleeperClient>> CurlSleeperClient::create(
    CurlSleeperClientOptions options) {
  ACCOUNT_RETURN_IF_ERROR(check_options(options));
  ACCOUNT_ASSIGN_OR_RETURN(
      internal::http::Gcra rate,
      internal::http::Gcra::create(
          {.burst = options.burst_calls_max, .per_minute = options.calls_per_minute_max}));
  ACCOUNT_ASSIGN_OR_RETURN(
      std::unique_ptr<HttpClient> http,
      HttpClient::create({.connect_timeout = options.connect_timeout,
                          .request_timeout = options.attempt_timeout,
                          .response_bytes_max = options.response_bytes_max,
                          .idle_connections_max = options.idle_connections_max}));
  while (options.base_url.size() > 1 && options.base_url.back() == '/') options.base_url.pop_back();
  if (!options.clock) options.clock = std::make_shared<SystemClock>();
  if (!options.sleep) options.sleep = [](absl::Duration d) { absl::SleepFor(d); };
  return std::unique_ptr<CurlSleeperClient>(
      new CurlSleeperClient(std::make_unique<Impl>(std::move(options), std::move(http), rate)));
}

CurlSleeperClient::CurlSleeperClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlSleeperClient::~CurlSleeperClient() = default;

absl::StatusOr<SleeperUser> CurlSleeperClient::user(std::string_view username) {
  if (absl::Status s = check_segment(username, "username"); !s.ok()) return s;
  return impl_->call(kUser, internal::cat("/user/", HttpClient::escape(username)),
                     internal::sleeper::read_user);
}

absl::StatusOr<std::vector<SleeperLeague>> CurlSleeperClient::nfl_leagues(std::string_view user_id,
                                                                          std::string_view season) {
  if (absl::Status s = check_segment(user_id, "user id"); !s.ok()) return s;
  if (absl::Status s = check_season(season); !s.ok()) return s;
  return impl_->call(kNflLeagues,
                     internal::cat("/user/", HttpClient::escape(user_id), "/leagues/nfl/", season),
                     internal::sleeper::read_leagues);
}

absl::StatusOr<SleeperLeague> CurlSleeperClient::league(std::string_view league_id) {
  if (absl::Status s = check_segment(league_id, "league id"); !s.ok()) return s;
  return impl_->call(kLeague, internal::cat("/league/", HttpClient::escape(league_id)),
                     internal::sleeper::read_league);
}

absl::StatusOr<std::vector<SleeperRoster>> CurlSleeperClient::league_rosters(
    std::string_view league_id) {
  if (absl::Status s = check_segment(league_id, "league id"); !s.ok()) return s;
  return impl_->call(kLeagueRosters,
                     internal::cat("/league/", HttpClient::escape(league_id), "/rosters"),
                     internal::sleeper::read_rosters);
}

absl::StatusOr<std::vector<SleeperMatchup>> CurlSleeperClient::league_matchups(
    std::string_view league_id, int week) {
  if (absl::Status s = check_segment(league_id, "league id"); !s.ok()) return s;
  if (week < 1 || week > kNflRegularSeasonWeeks) {
    return absl::InvalidArgumentError(
        internal::cat("week ", week, " is outside 1..", kNflRegularSeasonWeeks));
  }
  return impl_->call(kLeagueMatchups,
                     internal::cat("/league/", HttpClient::escape(league_id), "/matchups/", week),
                     internal::sleeper::read_matchups);
}

absl::StatusOr<NflState> CurlSleeperClient::nfl_state() {
  return impl_->call(kNflState, "/state/nfl", internal::sleeper::read_nfl_state);
}

}  // namespace account
