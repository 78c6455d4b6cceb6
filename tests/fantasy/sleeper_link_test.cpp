// Linking an account to a Sleeper league, through a scripted Sleeper: the
// leagues a user can fund from, and choosing one.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "account/fantasy/sleeper_link.h"
#include "account/status.h"
#include "account/testing/scripted_sleeper_client.h"

namespace account {
namespace {

using testing::ScriptedSleeperClient;
using Method = ScriptedSleeperClient::Method;

void serve_alice(ScriptedSleeperClient& sleeper, std::vector<SleeperLeague> leagues) {
  sleeper.set_user({.user_id = "100", .username = "alice", .display_name = "Alice"});
  sleeper.set_nfl_leagues("100", "2026", std::move(leagues));
  // Alice owns roster 3 in league 11, co-owns roster 2 in league 12, and
  // has no team in league 13 (she follows it, or left).
  sleeper.set_league_rosters("11", {{.roster_id = 1, .owner_id = "200"},
                                    {.roster_id = 3, .owner_id = "100"}});
  sleeper.set_league_rosters(
      "12", {{.roster_id = 1, .owner_id = "300"},
             {.roster_id = 2, .owner_id = "400", .co_owner_ids = {"100"}}});
  sleeper.set_league_rosters("13", {{.roster_id = 1, .owner_id = "500"},
                                    {.roster_id = 2, .owner_id = std::nullopt}});
}

SleeperLeague league(const char* id, const char* name) {
  return {.league_id = id, .name = name, .season = "2026", .status = "in_season"};
}

TEST_CASE("link: a single league is chosen automatically", "[fantasy][link]") {
  ScriptedSleeperClient sleeper;
  serve_alice(sleeper, {league("11", "Office")});
  auto choice = find_sleeper_leagues(sleeper, "alice", "2026");
  REQUIRE(choice.ok());
  CHECK(choice->user.user_id == "100");
  REQUIRE(choice->leagues.size() == 1);
  std::optional<SleeperLink> link = only_sleeper_league(*choice);
  REQUIRE(link);
  CHECK(*link == SleeperLink{.user_id = "100", .username = "alice", .league_id = "11",
                             .season = "2026", .roster_id = 3});
}

TEST_CASE("link: several leagues, one the user is not in", "[fantasy][link]") {
  ScriptedSleeperClient sleeper;
  serve_alice(sleeper, {league("11", "Office"), league("13", "Followed"), league("12", "Family")});
  auto choice = find_sleeper_leagues(sleeper, "alice", "2026");
  REQUIRE(choice.ok());
  REQUIRE(choice->leagues.size() == 2);  // League 13 is not an option.
  CHECK(choice->leagues[0].league.league_id == "11");
  CHECK(choice->leagues[0].roster_id == 3);
  CHECK(choice->leagues[1].league.league_id == "12");
  CHECK(choice->leagues[1].roster_id == 2);  // As co-owner.
  CHECK_FALSE(only_sleeper_league(*choice));

  auto chosen = choose_sleeper_league(*choice, "12");
  REQUIRE(chosen.ok());
  CHECK(chosen->roster_id == 2);
  CHECK(choose_sleeper_league(*choice, "13").status().code() == absl::StatusCode::kNotFound);
  CHECK(choose_sleeper_league(*choice, "99").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("link: no league that season", "[fantasy][link]") {
  ScriptedSleeperClient sleeper;
  serve_alice(sleeper, {});
  auto choice = find_sleeper_leagues(sleeper, "alice", "2026");
  REQUIRE(choice.ok());
  CHECK(choice->leagues.empty());
  CHECK_FALSE(only_sleeper_league(*choice));
  CHECK(sleeper.calls(Method::kLeagueRosters) == 0);
}

TEST_CASE("link: an unknown user is NotFound", "[fantasy][link]") {
  ScriptedSleeperClient sleeper;  // Knows no user.
  CHECK(reason_of(find_sleeper_leagues(sleeper, "ghost", "2026")) == Reason::kSleeperNotFound);
  CHECK(sleeper.calls(Method::kNflLeagues) == 0);
}

TEST_CASE("link: a failing rosters call fails the whole lookup", "[fantasy][link]") {
  ScriptedSleeperClient sleeper;
  serve_alice(sleeper, {league("11", "Office"), league("12", "Family")});
  const absl::Status garbled =
      denial(Reason::kSleeperResponseInvalid, "GET /league/12/rosters: truncated JSON");
  sleeper.set_error("/league/12/rosters", garbled);
  CHECK(find_sleeper_leagues(sleeper, "alice", "2026").status() == garbled);
}

}  // namespace
}  // namespace account
