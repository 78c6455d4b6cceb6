// One linked roster's season read from a local Sleeper: exact points,
// completed weeks only, wins, ties, byes and playoff weeks.
#include <catch2/catch.hpp>

#include <string>

#include "account/fantasy_season.h"
#include "sleeper/fake_sleeper.h"

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
  fake.json("/league/11", std::string(R"({"league_id":"11","name":"Office","season":"2026",)") +
                              R"("status":")" + status + R"("})");
  fake.json("/league/11/rosters",
            R"([{"roster_id":3,"owner_id":"100","settings":{"fpts":412,"fpts_decimal":7}},)"
            R"({"roster_id":4,"owner_id":"200","settings":{"fpts":380,"fpts_decimal":50}}])");
  // Week 1: roster 3 wins 141.35 to 120.00. Week 2: a 100.5 all tie.
  // Week 3: a bye. Week 4 (in progress on the state below): a big lead.
  fake.json("/league/11/matchups/1", R"([{"roster_id":3,"matchup_id":1,"points":141.35},)"
                                     R"({"roster_id":4,"matchup_id":1,"points":120}])");
  fake.json("/league/11/matchups/2", R"([{"roster_id":3,"matchup_id":2,"points":100.5},)"
                                     R"({"roster_id":4,"matchup_id":2,"points":100.50}])");
  fake.json("/league/11/matchups/3", R"([{"roster_id":3,"matchup_id":null,"points":170.2},)"
                                     R"({"roster_id":4,"matchup_id":null,"points":90}])");
  fake.json("/league/11/matchups/4", R"([{"roster_id":3,"matchup_id":1,"points":99},)"
                                     R"({"roster_id":4,"matchup_id":1,"points":12}])");
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
