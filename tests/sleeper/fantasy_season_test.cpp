// One linked roster's season read from a local Sleeper: exact points,
// completed weeks only, wins, ties, byes and playoff weeks.
#include <catch2/catch.hpp>

#include <string>

#include "account/fantasy/fantasy_season.h"
#include "sleeper/fake_sleeper.h"
#include "sleeper/office_league.h"

namespace account {
namespace {

using testing::FakeSleeper;
using testing::TestClient;

const SleeperLink kAlice{.user_id = "100", .username = "alice", .league_id = "11",
                         .season = "2026", .roster_id = 3};

std::string state_json(const char* type, int week, const char* season = "2026") {
  return std::string(R"({"week":)") + std::to_string(week) + R"(,"season_type":")" + type +
         R"(","season":")" + season + R"(","display_week":)" + std::to_string(week) + "}";
}

void serve_league(FakeSleeper& fake, const char* status) {
  testing::serve_office_league(fake, status);
}

TEST_CASE("season: completed weeks only, with win, tie and bye", "[sleeper][season]") {
  FakeSleeper fake;
  fake.json("/state/nfl", state_json("regular", 4));
  serve_league(fake, "in_season");
  TestClient t(fake);
  auto season = fetch_fantasy_season(*t.client, kAlice);
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
  CHECK(fake.hits("/league/11/matchups/4") == 0);  // The week in progress is not even read.
}

TEST_CASE("season: a finished league pays every week, playoffs included", "[sleeper][season]") {
  FakeSleeper fake;
  fake.json("/state/nfl", state_json("post", 1));
  serve_league(fake, "complete");
  for (int week = 5; week <= kNflRegularSeasonWeeks; ++week) {
    fake.json("/league/11/matchups/" + std::to_string(week), "[]");
  }
  // Week 15: roster 3 in the bracket and winning; week 16: knocked out (no matchup).
  fake.json("/league/11/matchups/15", R"([{"roster_id":3,"matchup_id":1,"points":130},)"
                                      R"({"roster_id":4,"matchup_id":1,"points":129.99}])");
  fake.json("/league/11/matchups/16", R"([{"roster_id":3,"matchup_id":null,"points":150},)"
                                      R"({"roster_id":4,"matchup_id":null,"points":80}])");
  TestClient t(fake);
  auto season = fetch_fantasy_season(*t.client, kAlice);
  REQUIRE(season.ok());
  CHECK(season->completed_week_max == kNflRegularSeasonWeeks);
  REQUIRE(season->weeks.size() == 18);
  CHECK(season->weeks[3].result.bonus == FantasyPoints{990});   // Week 4 is over now.
  CHECK(season->weeks[14].result.bonus == FantasyPoints{1'300});
  CHECK(season->weeks[15].result.outcome == WeekOutcome::kBye);
  CHECK(season->weeks[17].result.outcome == WeekOutcome::kAbsent);  // No games in week 18.
}

TEST_CASE("season: before the first game nothing is paid", "[sleeper][season]") {
  FakeSleeper fake;
  fake.json("/state/nfl", state_json("pre", 0));
  serve_league(fake, "pre_draft");
  TestClient t(fake);
  auto season = fetch_fantasy_season(*t.client, kAlice);
  REQUIRE(season.ok());
  CHECK(season->completed_week_max == 0);
  CHECK(season->weeks.empty());
}

TEST_CASE("season: a roster that changed hands needs a new link", "[sleeper][season]") {
  FakeSleeper fake;
  fake.json("/state/nfl", state_json("regular", 4));
  serve_league(fake, "in_season");
  TestClient t(fake);
  SleeperLink stale = kAlice;
  stale.user_id = "999";
  CHECK(fetch_fantasy_season(*t.client, stale).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  stale = kAlice;
  stale.roster_id = 12;
  CHECK(fetch_fantasy_season(*t.client, stale).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("season: Sleeper down changes nothing and says Unavailable", "[sleeper][season]") {
  FakeSleeper fake;
  fake.json("/state/nfl", "", 503);
  CurlSleeperClientOptions options;
  options.attempts_max = 2;
  TestClient t(fake, options);
  CHECK(fetch_fantasy_season(*t.client, kAlice).status().code() ==
        absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace account
