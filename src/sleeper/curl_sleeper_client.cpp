#include "account/sleeper/curl_sleeper_client.h"

#include <cstdlib>
#include <string>
#include <utility>

#include "base/strings.h"
#include "http_client.h"
#include "sleeper_json.h"

namespace account {
namespace {

using internal::sleeper::ConnectionLease;
using internal::sleeper::HttpClient;
using internal::sleeper::JsonContext;
using internal::sleeper::od::document;

// Longest id or username we send; Sleeper's are far shorter.
constexpr size_t kPathSegmentBytesMax = 64;

// Percent-encodes everything but RFC 3986's unreserved characters, so a
// username cannot change the path it is put in.
std::string escape_segment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (unsigned char c : segment) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

absl::Status check_segment(std::string_view value, std::string_view what) {
  if (value.empty() || value.size() > kPathSegmentBytesMax) {
    return absl::InvalidArgumentError(
        internal::cat(what, " must be 1..", kPathSegmentBytesMax, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status check_season(std::string_view season) {
  const bool digits = season.size() == 4 && season.find_first_not_of("0123456789") ==
                                                std::string_view::npos;
  if (!digits) {
    return absl::InvalidArgumentError(
        internal::cat("season '", season, "' is not a four-digit year"));
  }
  return absl::OkStatus();
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
  Impl(std::unique_ptr<HttpClient> http, std::shared_ptr<MetricsRegistry> metrics)
      : http_(std::move(http)), metrics_(std::move(metrics)) {
    if (!metrics_) metrics_ = std::make_shared<MetricsRegistry>();
    for (size_t e = 0; e < kEndpoints; ++e) {
      for (bool ok : {true, false}) {
        calls_[e][ok] = metrics_->counter(
            "sleeper_api_calls_total", "Calls to Sleeper's API, by endpoint and outcome.",
            {{"endpoint", kEndpointName[e]}, {"outcome", ok ? "ok" : "error"}});
      }
    }
  }

  // GETs `path` and reads the answer with read(document, context), counting
  // the call's outcome.
  template <typename Read>
  auto call(Endpoint endpoint, const std::string& path, Read&& read)
      -> decltype(read(std::declval<document&>(), std::declval<const JsonContext&>())) {
    auto result = call_uncounted(path, std::forward<Read>(read));
    calls_[endpoint][result.ok()]->add();
    return result;
  }

 private:
  template <typename Read>
  auto call_uncounted(const std::string& path, Read&& read)
      -> decltype(read(std::declval<document&>(), std::declval<const JsonContext&>())) {
    absl::StatusOr<ConnectionLease> lease = http_->lease();
    if (!lease.ok()) return lease.status();
    internal::sleeper::Connection& connection = **lease;
    if (absl::Status s = http_->get(path, connection); !s.ok()) return s;

    const std::string request = internal::cat("GET ", path);
    const JsonContext ctx(request);
    decltype(read(std::declval<document&>(), ctx)) result = absl::UnknownError("not read");
    absl::Status parsed =
        internal::sleeper::parse_document(connection.parser, connection.body, ctx,
                                          [&](document& doc) {
                                            result = read(doc, ctx);
                                            return result.status();
                                          });
    if (!parsed.ok()) return parsed;
    return result;
  }

  std::unique_ptr<HttpClient> http_;
  std::shared_ptr<MetricsRegistry> metrics_;
  Counter* calls_[kEndpoints][2] = {};  // [endpoint][ok]
};

absl::StatusOr<std::unique_ptr<CurlSleeperClient>> CurlSleeperClient::create(
    CurlSleeperClientOptions options) {
  absl::StatusOr<std::unique_ptr<HttpClient>> http = HttpClient::create(options);
  if (!http.ok()) return http.status();
  return std::unique_ptr<CurlSleeperClient>(new CurlSleeperClient(
      std::make_unique<Impl>(*std::move(http), std::move(options.metrics))));
}

CurlSleeperClient::CurlSleeperClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlSleeperClient::~CurlSleeperClient() = default;

absl::StatusOr<SleeperUser> CurlSleeperClient::user(std::string_view username) {
  if (absl::Status s = check_segment(username, "username"); !s.ok()) return s;
  return impl_->call(kUser, internal::cat("/user/", escape_segment(username)),
                     internal::sleeper::read_user);
}

absl::StatusOr<std::vector<SleeperLeague>> CurlSleeperClient::nfl_leagues(
    std::string_view user_id, std::string_view season) {
  if (absl::Status s = check_segment(user_id, "user id"); !s.ok()) return s;
  if (absl::Status s = check_season(season); !s.ok()) return s;
  return impl_->call(
      kNflLeagues, internal::cat("/user/", escape_segment(user_id), "/leagues/nfl/", season),
      internal::sleeper::read_leagues);
}

absl::StatusOr<SleeperLeague> CurlSleeperClient::league(std::string_view league_id) {
  if (absl::Status s = check_segment(league_id, "league id"); !s.ok()) return s;
  return impl_->call(kLeague, internal::cat("/league/", escape_segment(league_id)),
                     internal::sleeper::read_league);
}

absl::StatusOr<std::vector<SleeperRoster>> CurlSleeperClient::league_rosters(
    std::string_view league_id) {
  if (absl::Status s = check_segment(league_id, "league id"); !s.ok()) return s;
  return impl_->call(kLeagueRosters,
                     internal::cat("/league/", escape_segment(league_id), "/rosters"),
                     internal::sleeper::read_rosters);
}

absl::StatusOr<std::vector<SleeperMatchup>> CurlSleeperClient::league_matchups(
    std::string_view league_id, int week) {
  if (absl::Status s = check_segment(league_id, "league id"); !s.ok()) return s;
  if (week < 1 || week > kNflRegularSeasonWeeks) {
    return absl::InvalidArgumentError(
        internal::cat("week ", week, " is outside 1..", kNflRegularSeasonWeeks));
  }
  return impl_->call(
      kLeagueMatchups, internal::cat("/league/", escape_segment(league_id), "/matchups/", week),
      internal::sleeper::read_matchups);
}

absl::StatusOr<NflState> CurlSleeperClient::nfl_state() {
  return impl_->call(kNflState, "/state/nfl", internal::sleeper::read_nfl_state);
}

}  // namespace account
