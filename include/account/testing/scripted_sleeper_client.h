// File: testing/scripted_sleeper_client.h
//
// ScriptedSleeperClient: a SleeperClient (fantasy/sleeper_client.h) in process memory that
// answers what a test scripted: users, a user's leagues per season, leagues, rosters, matchups
// per week, and the NFL state. A test can also make any call fail with a status of its choosing,
// for every call or for the next few, or take a while to answer, and it can count the calls
// each method received. Fantasy funding runs against it with no network and no libcurl.
//
//   auto sleeper = std::make_shared<account::testing::ScriptedSleeperClient>();
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
// tests cover them.
//
// Thread-safety: every member may be called from any thread, scripting included, while calls
// are in flight; one internal lock, never held while a delay is spent, so delayed calls
// overlap. A call sees the script as it was when its delay ended. Scripting an OK status as an
// error is a mistake in the test: it stops the process with a message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/fantasy/sleeper_client.h"

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
  explicit ScriptedSleeperClient(std::function<void(absl::Duration)> sleep = nullptr);
  ~ScriptedSleeperClient() override;
  ScriptedSleeperClient(const ScriptedSleeperClient&) = delete;
  ScriptedSleeperClient& operator=(const ScriptedSleeperClient&) = delete;

  // --- Scripting answers. Each replaces what was scripted for the same key before.

  // user(user.username).
  void set_user(SleeperUser user);
  // nfl_leagues(user_id, season).
  void set_nfl_leagues(std::string_view user_id, std::string_view season,
                       std::vector<SleeperLeague> leagues);
  // league(league.league_id).
  void set_league(SleeperLeague league);
  // league_rosters(league_id).
  void set_league_rosters(std::string_view league_id, std::vector<SleeperRoster> rosters);
  // league_matchups(league_id, week).
  void set_league_matchups(std::string_view league_id, int week,
                           std::vector<SleeperMatchup> matchups);
  // nfl_state().
  void set_nfl_state(NflState state);

  // --- Scripting failures and delays.

  // Every later call of `path` ("/league/11/rosters") answers `status` until cleared.
  void set_error(std::string_view path, absl::Status status);
  // Every later call of `method`, whatever its arguments, answers `status` until cleared.
  void set_error(Method method, absl::Status status);
  // The next `times` calls of `method` answer `status`; later ones answer as scripted.
  void fail_next(Method method, absl::Status status, int times = 1);
  // Forgets every error and queued failure; the answers stay.
  void clear_errors();
  // Each later call of `method` spends `delay` before answering (zero: none).
  void set_delay(Method method, absl::Duration delay);

  // --- Counting calls. Every call counts, refused and failed ones included.

  // Calls of `method`, whatever their arguments.
  int calls(Method method) const;
  // Calls of one path, e.g. "/league/11/matchups/4".
  int calls(std::string_view path) const;
  // Calls of every method.
  int calls() const;

  // --- SleeperClient.

  absl::StatusOr<SleeperUser> user(std::string_view username) override;
  absl::StatusOr<std::vector<SleeperLeague>> nfl_leagues(std::string_view user_id,
                                                         std::string_view season) override;
  absl::StatusOr<SleeperLeague> league(std::string_view league_id) override;
  absl::StatusOr<std::vector<SleeperRoster>> league_rosters(std::string_view league_id) override;
  absl::StatusOr<std::vector<SleeperMatchup>> league_matchups(std::string_view league_id,
                                                              int week) override;
  absl::StatusOr<NflState> nfl_state() override;

 private:
  class State;
  std::unique_ptr<State> state_;
};

}  // namespace account::testing
