// The scripted Sleeper (account/testing/scripted_sleeper_client.h), which the fantasy tests run
// against: its answers in the documented order, its counts, its delays, and calls from several
// threads.
#include "account/testing/scripted_sleeper_client.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "account/status.h"

namespace account {
namespace {

using testing::ScriptedSleeperClient;
using Method = ScriptedSleeperClient::Method;

TEST_CASE("scripted sleeper: answers what was scripted, NotFound naming the path otherwise",
          "[testing][sleeper]") {
  ScriptedSleeperClient sleeper;
  sleeper.set_user({.user_id = "100", .username = "alice", .display_name = "Alice"});
  sleeper.set_league_matchups("11", 2, {{.roster_id = 3, .points = FantasyPoints{10'050}}});
  CHECK(sleeper.user("alice")->user_id == "100");
  CHECK(sleeper.league_matchups("11", 2)->at(0).points == FantasyPoints{10'050});

  const absl::StatusOr<SleeperUser> ghost = sleeper.user("ghost");
  CHECK(ghost.status().code() == absl::StatusCode::kNotFound);
  CHECK(reason_of(ghost) == Reason::kSleeperNotFound);
  CHECK(ghost.status().message() == "SleeperNotFound: GET /user/ghost: nothing scripted");
  CHECK(sleeper.league_matchups("11", 3).status().code() == absl::StatusCode::kNotFound);
  CHECK(sleeper.nfl_state().status().code() == absl::StatusCode::kNotFound);

  // Scripting the same key again replaces the answer.
  sleeper.set_user({.user_id = "101", .username = "alice"});
  CHECK(sleeper.user("alice")->user_id == "101");
}

TEST_CASE("scripted sleeper: malformed arguments, then queued, path and method errors",
          "[testing][sleeper]") {
  ScriptedSleeperClient sleeper;
  sleeper.set_league_rosters("11", {});
  sleeper.set_league_rosters("12", {});
  CHECK(sleeper.league_rosters("").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(reason_of(sleeper.league_rosters("")));  // The caller's mistake: no Reason.
  CHECK(sleeper.league_matchups("11", 0).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(sleeper.league_matchups("11", kNflRegularSeasonWeeks + 1).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(sleeper.nfl_leagues("100", "").status().code() == absl::StatusCode::kInvalidArgument);

  const absl::Status down = denial(Reason::kSleeperUnavailable, "GET /league/11/rosters: 503");
  const absl::Status refused = absl::InvalidArgumentError("refused");
  const absl::Status slow = absl::DeadlineExceededError("slow");
  sleeper.set_error(Method::kLeagueRosters, down);
  sleeper.set_error("/league/12/rosters", refused);
  sleeper.fail_next(Method::kLeagueRosters, slow, 2);
  CHECK(sleeper.league_rosters("").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(sleeper.league_rosters("12").status() == slow);  // Queued first, oldest first.
  CHECK(sleeper.league_rosters("11").status() == slow);
  CHECK(sleeper.league_rosters("12").status() == refused);  // Then the path's error.
  CHECK(sleeper.league_rosters("11").status() == down);     // Then the method's.
  CHECK(sleeper.league("11").status().code() == absl::StatusCode::kNotFound);  // Others answer.
  sleeper.clear_errors();
  CHECK(sleeper.league_rosters("11").ok());
  CHECK(sleeper.league_rosters("12").ok());
}

TEST_CASE("scripted sleeper: every call counts, per method and per path", "[testing][sleeper]") {
  ScriptedSleeperClient sleeper;
  CHECK(sleeper.calls() == 0);
  (void)sleeper.user("alice");
  (void)sleeper.user("");
  (void)sleeper.league_matchups("11", 4);
  (void)sleeper.league_matchups("11", 4);
  (void)sleeper.league_matchups("11", 5);
  CHECK(sleeper.calls(Method::kUser) == 2);
  CHECK(sleeper.calls(Method::kLeagueMatchups) == 3);
  CHECK(sleeper.calls(Method::kNflState) == 0);
  CHECK(sleeper.calls("/league/11/matchups/4") == 2);
  CHECK(sleeper.calls("/user/") == 1);  // Refused, and counted.
  CHECK(sleeper.calls() == 5);
}

TEST_CASE("scripted sleeper: a delay is spent through the sleep function, per method",
          "[testing][sleeper]") {
  std::vector<absl::Duration> slept;
  ScriptedSleeperClient sleeper([&](absl::Duration d) { slept.push_back(d); });
  sleeper.set_nfl_state({.season = "2026"});
  sleeper.set_delay(Method::kNflState, absl::Seconds(3));
  CHECK(sleeper.nfl_state()->season == "2026");
  (void)sleeper.user("alice");
  CHECK(slept == std::vector<absl::Duration>{absl::Seconds(3)});
  sleeper.set_delay(Method::kNflState, absl::ZeroDuration());
  (void)sleeper.nfl_state();
  CHECK(slept.size() == 1);
}

TEST_CASE("scripted sleeper: calls and scripting from several threads", "[testing][sleeper]") {
  ScriptedSleeperClient sleeper;
  sleeper.set_league({.league_id = "11", .season = "2026"});
  constexpr int kThreads = 4;
  constexpr int kCallsPerThread = 500;
  std::atomic<int> failures{0};  // Catch2's assertions are for the test's own thread.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        if (t == 0 && i % 50 == 0) sleeper.set_league({.league_id = "11", .season = "2027"});
        if (!sleeper.league("11").ok()) failures.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(sleeper.calls(Method::kLeague) == kThreads * kCallsPerThread);
}

}  // namespace
}  // namespace account
