// One linked roster's season read from a scripted Sleeper: exact points,
// completed weeks only, wins, ties, byes and playoff weeks.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "account/fantasy/fantasy_season.h"
#include "account/status.h"
#include "account/testing/scripted_sleeper_client.h"
#include "fantasy/office_league.h"

namespace account {
namespace {

using testing::ScriptedSleeperClient;
using Method = ScriptedSleeperClient::Method;

const SleeperLink kAlice{.user_id = "100", .username = "alice", .league_id = "11",
                         .season = "2026", .roster_id = 3};

NflState state(NflSeasonType type, int week) {
  return {.season = "2026", .season_type = type, .week = week, .display_week = week};
}

SleeperMatchup matchup(int64_t roster, std::optional<int64_t> id, int64_t hundredths) {
  return {.roster_id = roster, .matchup_id = id, .points = FantasyPoints{hundredths}};
}

TEST_CASE("season: completed weeks only, with win, tie and bye", "[fantasy][season]") {
  ScriptedSleeperClient sleeper;
  sleeper.set_nfl_state(state(NflSeasonType::kRegular, 4));
  testing::serve_office_league(sleeper, "in_season");
  auto season = fetch_fantasy_season(sleeper, kAlice);
  REQUIRE(season.ok());
  CHECK(season->season_points == FantasyPoints{41'207});  // 412.07, not 412.7.
  CHECK(season->completed_week_max == 3);
  REQUIRE(season->weeks.size() == 3);
  CHECK(season->weeks[0].result.outcome == WeekOutcome::kWin);
  CHECK(season->weeks[0].result.bonus == FantasyPoints{1'413});  // 14.135 rounded down.
  CHECK(season->weeks[1].result.outcome == WeekOutcome::kTie);
  CHECK(season->weeks[2].result.outcome == WeekOutcome::kBye);
  CHECK(season->bonus_points == FantasyPoints{1'413});
  CHECK(season->total_points() == FantasyPoints{42'620});
  CHECK(sleeper.calls("/league/11/matchups/4") == 0);  // The week in progress is not even read.
  CHECK(sleeper.calls(Method::kLeagueMatchups) == 3);
}

TEST_CASE("season: a finished league pays every week, playoffs included", "[fantasy][season]") {
  ScriptedSleeperClient sleeper;
  sleeper.set_nfl_state(state(NflSeasonType::kPost, 1));
  testing::serve_office_league(sleeper, "complete");
  for (int week = 5; week <= kNflRegularSeasonWeeks; ++week) {
    sleeper.set_league_matchups("11", week, {});
  }
  // Week 15: roster 3 in the bracket and winning; week 16: knocked out (no matchup).
  sleeper.set_league_matchups("11", 15, {matchup(3, 1, 13'000), matchup(4, 1, 12'999)});
  sleeper.set_league_matchups("11", 16,
                              {matchup(3, std::nullopt, 15'000), matchup(4, std::nullopt, 8'000)});
  auto season = fetch_fantasy_season(sleeper, kAlice);
  REQUIRE(season.ok());
  CHECK(season->completed_week_max == kNflRegularSeasonWeeks);
  REQUIRE(season->weeks.size() == 18);
  CHECK(season->weeks[3].result.bonus == FantasyPoints{990});   // Week 4 is over now.
  CHECK(season->weeks[14].result.bonus == FantasyPoints{1'300});
  CHECK(season->weeks[15].result.outcome == WeekOutcome::kBye);
  CHECK(season->weeks[17].result.outcome == WeekOutcome::kAbsent);  // No games in week 18.
}

TEST_CASE("season: before the first game nothing is paid", "[fantasy][season]") {
  ScriptedSleeperClient sleeper;
  sleeper.set_nfl_state(state(NflSeasonType::kPre, 0));
  testing::serve_office_league(sleeper, "pre_draft");
  auto season = fetch_fantasy_season(sleeper, kAlice);
  REQUIRE(season.ok());
  CHECK(season->completed_week_max == 0);
  CHECK(season->weeks.empty());
  CHECK(sleeper.calls(Method::kLeagueMatchups) == 0);
}

TEST_CASE("season: a roster that changed hands needs a new link", "[fantasy][season]") {
  ScriptedSleeperClient sleeper;
  sleeper.set_nfl_state(state(NflSeasonType::kRegular, 4));
  testing::serve_office_league(sleeper, "in_season");
  SleeperLink stale = kAlice;
  stale.user_id = "999";
  CHECK(fetch_fantasy_season(sleeper, stale).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  stale = kAlice;
  stale.roster_id = 12;
  CHECK(fetch_fantasy_season(sleeper, stale).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("season: Sleeper's error comes back as it was given", "[fantasy][season]") {
  ScriptedSleeperClient sleeper;
  const absl::Status down = denial(Reason::kSleeperUnavailable, "GET /state/nfl: HTTP 503");
  sleeper.set_error(Method::kNflState, down);
  CHECK(fetch_fantasy_season(sleeper, kAlice).status() == down);

  // A failure after the first reads: the season is not half read.
  sleeper.clear_errors();
  sleeper.set_nfl_state(state(NflSeasonType::kRegular, 4));
  testing::serve_office_league(sleeper, "in_season");
  const absl::Status slow =
      denial(Reason::kSleeperUnavailable, "GET /league/11/matchups/2: no answer within 10s");
  sleeper.set_error("/league/11/matchups/2", slow);
  CHECK(fetch_fantasy_season(sleeper, kAlice).status() == slow);
}

}  // namespace
}  // namespace account
