// File: support/scripted_sleeper_client.h
//
// ScriptedSleeperClient: a SleeperClient (fantasy/sleeper_client.h) in process memory that
// answers what a test scripted: users, a user's leagues per season, leagues, rosters, matchups
// per week, and the NFL state. A test can also make any call fail with a status of its choosing,
// for every call or for the next few, or take a while to answer, and it can count the calls
// each method received. Fantasy funding runs against it with no network and no libcurl.
//
//   auto sleeper = std::make_shared<testing::ScriptedSleeperClient>();
//   sleeper->set_user({.user_id = "100", .username = "alice", .display_name = "Alice"});
//   sleeper->set_nfl_leagues("100", "2026", {office});
//   sleeper->set_league(office);
//   sleeper->set_league_rosters("11", {{.roster_id = 3, .owner_id = "100", .fpts = 412}});
//   sleeper->set_league_matchups("11", 1, {{.roster_id = 3, .matchup_id = 1, .points = p}});
//   sleeper->set_nfl_state({.season = "2026", .season_type = NflSeasonType::kRegular, .week = 4});
//   sleeper->set_error(ScriptedSleeperClient::Method::kNflState,
//                      denial(Reason::kSleeperUnavailable, "GET /state/nfl: HTTP 503"));
//   CHECK(sleeper->calls("/league/11/matchups/4") == 0);
//
// Each call is named by the request path the HTTP client would send for it
// ("/user/alice", "/user/100/leagues/nfl/2026", "/league/11", "/league/11/rosters",
// "/league/11/matchups/4", "/state/nfl"), and every message it writes names that path, as the
// interface asks of every implementation.
//
// Answers, in this order:
//   1. an argument the interface calls malformed (an empty id or season, a week outside
//      1..kNflRegularSeasonWeeks): InvalidArgument without a Reason, as every implementation;
//   2. a failure queued with fail_next() for the method, oldest first;
//   3. an error set for the call's path, then one set for its method (set_error());
//   4. what was scripted for the call;
//   5. nothing scripted: a kSleeperNotFound denial (NotFound), as Sleeper's 404 or `null` for an
//      unknown user or league.
// Scripted errors are returned exactly as given (code, message and payloads, a Reason among
// them), so a test decides what "Sleeper down" looks like: a kSleeperUnavailable denial, as a
// real client answers, or anything else it wants the caller to meet. A delay (set_delay()) is
// spent before the answer is chosen, through the sleep function given to the constructor (a
// test on a ManualClock advances it instead of sleeping).
//
// What it does not model: HTTP, JSON and their failures (a truncated body, a wrong type, a
// 5xx), retries and backoff, rate limits, timeouts (a delay never turns into an error unless a
// test scripts one), connections, the difference between Sleeper's `null` and `[]`, the
// Sleeper call metrics of CurlSleeperClient, and any consistency between answers (rosters of a
// league it has no league for are answered as scripted). Those are the HTTP client's, and its
// tests (tests/sleeper) cover them.
//
// Thread-safety: every member may be called from any thread, scripting included, while calls
// are in flight; one internal mutex, never held while a delay is spent, so delayed calls
// overlap. A call sees the script as it was when its delay ended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "account/fantasy/sleeper_client.h"
#include "account/reason.h"
#include "account/status.h"

namespace account::testing {

class ScriptedSleeperClient final : public SleeperClient {
 public:
  // The interface's methods, for counting calls and scripting failures per method.
  enum class Method : uint8_t {
    kUser,
    kNflLeagues,
    kLeague,
    kLeagueRosters,
    kLeagueMatchups,
    kNflState,
  };

  // `sleep` spends a scripted delay; absl::SleepFor by default.
  explicit ScriptedSleeperClient(std::function<void(absl::Duration)> sleep = nullptr)
      : sleep_(sleep ? std::move(sleep) : [](absl::Duration d) { absl::SleepFor(d); }) {}

  ScriptedSleeperClient(const ScriptedSleeperClient&) = delete;
  ScriptedSleeperClient& operator=(const ScriptedSleeperClient&) = delete;

  // --- Scripting answers. Each replaces what was scripted for the same key before.

  // user(user.username).
  void set_user(SleeperUser user) {
    std::lock_guard<std::mutex> lock(mu_);
    users_.insert_or_assign(user.username, std::move(user));
  }
  // nfl_leagues(user_id, season).
  void set_nfl_leagues(std::string_view user_id, std::string_view season,
                       std::vector<SleeperLeague> leagues) {
    std::lock_guard<std::mutex> lock(mu_);
    leagues_of_user_.insert_or_assign(leagues_path(user_id, season), std::move(leagues));
  }
  // league(league.league_id).
  void set_league(SleeperLeague league) {
    std::lock_guard<std::mutex> lock(mu_);
    leagues_.insert_or_assign(league.league_id, std::move(league));
  }
  // league_rosters(league_id).
  void set_league_rosters(std::string_view league_id, std::vector<SleeperRoster> rosters) {
    std::lock_guard<std::mutex> lock(mu_);
    rosters_.insert_or_assign(std::string(league_id), std::move(rosters));
  }
  // league_matchups(league_id, week).
  void set_league_matchups(std::string_view league_id, int week,
                           std::vector<SleeperMatchup> matchups) {
    std::lock_guard<std::mutex> lock(mu_);
    matchups_.insert_or_assign(matchups_path(league_id, week), std::move(matchups));
  }
  // nfl_state().
  void set_nfl_state(NflState state) {
    std::lock_guard<std::mutex> lock(mu_);
    nfl_state_ = std::move(state);
  }

  // --- Scripting failures and delays.

  // Every later call of `path` ("/league/11/rosters") answers `status` until cleared. A
  // scripted error is never OK (that would be no error at all): an OK one stops the test.
  void set_error(std::string_view path, absl::Status status) {
    require_error(status);
    std::lock_guard<std::mutex> lock(mu_);
    path_errors_.insert_or_assign(std::string(path), std::move(status));
  }
  // Every later call of `method`, whatever its arguments, answers `status` until cleared.
  void set_error(Method method, absl::Status status) {
    require_error(status);
    std::lock_guard<std::mutex> lock(mu_);
    method_errors_.insert_or_assign(method, std::move(status));
  }
  // The next `times` calls of `method` answer `status`; later ones answer as scripted.
  void fail_next(Method method, absl::Status status, int times = 1) {
    require_error(status);
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < times; ++i) queued_failures_[method].push_back(status);
  }
  // Forgets every error and queued failure; the answers stay.
  void clear_errors() {
    std::lock_guard<std::mutex> lock(mu_);
    path_errors_.clear();
    method_errors_.clear();
    queued_failures_.clear();
  }
  // Each later call of `method` spends `delay` before answering (zero: none).
  void set_delay(Method method, absl::Duration delay) {
    std::lock_guard<std::mutex> lock(mu_);
    delays_.insert_or_assign(method, delay);
  }

  // --- Counting calls. Every call counts, refused and failed ones included.

  // Calls of `method`, whatever their arguments.
  int calls(Method method) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_by_method_.find(method);
    return it == calls_by_method_.end() ? 0 : it->second;
  }
  // Calls of one path, e.g. "/league/11/matchups/4".
  int calls(std::string_view path) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_by_path_.find(path);
    return it == calls_by_path_.end() ? 0 : it->second;
  }
  // Calls of every method.
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    int total = 0;
    for (const auto& [method, n] : calls_by_method_) total += n;
    return total;
  }

  // --- SleeperClient.

  absl::StatusOr<SleeperUser> user(std::string_view username) override {
    return call<SleeperUser>(Method::kUser, "/user/" + std::string(username), username.empty(),
                             [&] { return find(users_, username); });
  }

  absl::StatusOr<std::vector<SleeperLeague>> nfl_leagues(std::string_view user_id,
                                                         std::string_view season) override {
    const std::string path = leagues_path(user_id, season);
    return call<std::vector<SleeperLeague>>(Method::kNflLeagues, path,
                                            user_id.empty() || season.empty(),
                                            [&] { return find(leagues_of_user_, path); });
  }

  absl::StatusOr<SleeperLeague> league(std::string_view league_id) override {
    return call<SleeperLeague>(Method::kLeague, "/league/" + std::string(league_id),
                               league_id.empty(), [&] { return find(leagues_, league_id); });
  }

  absl::StatusOr<std::vector<SleeperRoster>> league_rosters(std::string_view league_id) override {
    return call<std::vector<SleeperRoster>>(
        Method::kLeagueRosters, "/league/" + std::string(league_id) + "/rosters", league_id.empty(),
        [&] { return find(rosters_, league_id); });
  }

  absl::StatusOr<std::vector<SleeperMatchup>> league_matchups(std::string_view league_id,
                                                              int week) override {
    const std::string path = matchups_path(league_id, week);
    const bool malformed = league_id.empty() || week < 1 || week > kNflRegularSeasonWeeks;
    return call<std::vector<SleeperMatchup>>(Method::kLeagueMatchups, path, malformed,
                                             [&] { return find(matchups_, path); });
  }

  absl::StatusOr<NflState> nfl_state() override {
    return call<NflState>(Method::kNflState, "/state/nfl", false,
                          [&]() -> const NflState* { return nfl_state_ ? &*nfl_state_ : nullptr; });
  }

 private:
  static void require_error(const absl::Status& status) {
    if (!status.ok()) return;
    std::fputs("ScriptedSleeperClient: an error to script must not be OK\n", stderr);
    std::abort();
  }

  static std::string leagues_path(std::string_view user_id, std::string_view season) {
    return "/user/" + std::string(user_id) + "/leagues/nfl/" + std::string(season);
  }
  static std::string matchups_path(std::string_view league_id, int week) {
    return "/league/" + std::string(league_id) + "/matchups/" + std::to_string(week);
  }

  template <typename T>
  static const T* find(const std::map<std::string, T, std::less<>>& table, std::string_view key) {
    auto it = table.find(key);
    return it == table.end() ? nullptr : &it->second;
  }

  // One call, answered in the header's order. `lookup` runs under mu_ and returns the scripted
  // answer, or nullptr when there is none.
  template <typename T, typename Lookup>
  absl::StatusOr<T> call(Method method, const std::string& path, bool malformed,
                         const Lookup& lookup) {
    absl::Duration delay;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_by_method_[method];
      ++calls_by_path_[path];
      if (auto it = delays_.find(method); it != delays_.end()) delay = it->second;
    }
    if (delay > absl::ZeroDuration()) sleep_(delay);
    if (malformed) {
      return absl::InvalidArgumentError("GET " + path + ": malformed argument");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = queued_failures_.find(method);
        it != queued_failures_.end() && !it->second.empty()) {
      absl::Status status = std::move(it->second.front());
      it->second.pop_front();
      return status;
    }
    if (auto it = path_errors_.find(path); it != path_errors_.end()) return it->second;
    if (auto it = method_errors_.find(method); it != method_errors_.end()) return it->second;
    const T* found = lookup();
    if (found == nullptr)
      return denial(Reason::kSleeperNotFound, "GET " + path + ": nothing scripted");
    return *found;
  }

  const std::function<void(absl::Duration)> sleep_;

  mutable std::mutex mu_;
  // Everything below is guarded by mu_.
  std::map<std::string, SleeperUser, std::less<>> users_;                           // By username.
  std::map<std::string, std::vector<SleeperLeague>, std::less<>> leagues_of_user_;  // By path.
  std::map<std::string, SleeperLeague, std::less<>> leagues_;                       // By league id.
  std::map<std::string, std::vector<SleeperRoster>, std::less<>> rosters_;          // By league id.
  std::map<std::string, std::vector<SleeperMatchup>, std::less<>> matchups_;        // By path.
  std::optional<NflState> nfl_state_;
  std::map<std::string, absl::Status, std::less<>> path_errors_;
  std::map<Method, absl::Status> method_errors_;
  std::map<Method, std::deque<absl::Status>> queued_failures_;
  std::map<Method, absl::Duration> delays_;
  std::map<Method, int> calls_by_method_;
  std::map<std::string, int, std::less<>> calls_by_path_;
};

}  // namespace account::testing
