// Linking an account to a Sleeper league, through the real client and a
// local HTTP server: the leagues a user can fund from, and choosing one.
#include <catch2/catch.hpp>

#include "account/fantasy/sleeper_link.h"
#include "sleeper/fake_sleeper.h"

namespace account {
namespace {

using testing::FakeSleeper;
using testing::TestClient;

void serve_alice(FakeSleeper& fake, const std::string& leagues) {
  fake.json("/user/alice",
            R"({"username":"alice","user_id":"100","display_name":"Alice","avatar":null})");
  fake.json("/user/100/leagues/nfl/2026", leagues);
  // Alice owns roster 3 in league 11, co-owns roster 2 in league 12, and
  // has no team in league 13 (she follows it, or left).
  fake.json("/league/11/rosters", R"([{"roster_id":1,"owner_id":"200"},)"
                                  R"({"roster_id":3,"owner_id":"100"}])");
  fake.json("/league/12/rosters", R"([{"roster_id":1,"owner_id":"300"},)"
                                  R"({"roster_id":2,"owner_id":"400","co_owners":["100"]}])");
  fake.json("/league/13/rosters", R"([{"roster_id":1,"owner_id":"500"},)"
                                  R"({"roster_id":2,"owner_id":null}])");
}

std::string league_json(const char* id, const char* name) {
  return std::string(R"({"league_id":")") + id + R"(","name":")" + name +
         R"(","season":"2026","status":"in_season"})";
}

TEST_CASE("link: a single league is chosen automatically", "[sleeper][link]") {
  FakeSleeper fake;
  serve_alice(fake, "[" + league_json("11", "Office") + "]");
  TestClient t(fake);
  auto choice = find_sleeper_leagues(*t.client, "alice", "2026");
  REQUIRE(choice.ok());
  CHECK(choice->user.user_id == "100");
  REQUIRE(choice->leagues.size() == 1);
  std::optional<SleeperLink> link = only_sleeper_league(*choice);
  REQUIRE(link);
  CHECK(*link == SleeperLink{.user_id = "100", .username = "alice", .league_id = "11",
                             .season = "2026", .roster_id = 3});
}

TEST_CASE("link: several leagues, one the user is not in", "[sleeper][link]") {
  FakeSleeper fake;
  serve_alice(fake, "[" + league_json("11", "Office") + "," + league_json("13", "Followed") +
                        "," + league_json("12", "Family") + "]");
  TestClient t(fake);
  auto choice = find_sleeper_leagues(*t.client, "alice", "2026");
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

TEST_CASE("link: no league that season", "[sleeper][link]") {
  FakeSleeper fake;
  serve_alice(fake, "null");
  TestClient t(fake);
  auto choice = find_sleeper_leagues(*t.client, "alice", "2026");
  REQUIRE(choice.ok());
  CHECK(choice->leagues.empty());
  CHECK_FALSE(only_sleeper_league(*choice));
}

TEST_CASE("link: an unknown user is NotFound", "[sleeper][link]") {
  FakeSleeper fake;
  fake.json("/user/ghost", "null");
  TestClient t(fake);
  CHECK(find_sleeper_leagues(*t.client, "ghost", "2026").status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("link: a failing rosters call fails the whole lookup", "[sleeper][link]") {
  FakeSleeper fake;
  serve_alice(fake, "[" + league_json("11", "Office") + "," + league_json("12", "Family") + "]");
  fake.json("/league/12/rosters", "[{", 200);
  TestClient t(fake);
  CHECK(find_sleeper_leagues(*t.client, "alice", "2026").status().code() ==
        absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace account
