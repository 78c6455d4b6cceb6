// Test data shared by the fantasy tests: league 11 ("Office", season 2026) as Sleeper would
// answer for it. Roster 3 (owner user 100) has 412.07 season points; roster 4 (owner 200)
// 380.50. Week 1: roster 3 wins 141.35 to 120.00 (a 14.13 bonus). Week 2: a 100.5 all tie.
// Week 3: a bye. Week 4 (in progress while the NFL state says week 4): a big lead that must not
// count. At $10 a point roster 3's target is $4,262.00.
//
// The values are here; serve_office_league() scripts them into a ScriptedSleeperClient, and
// sleeper/office_league_json.h serves the same league over HTTP for the tests that need a
// real CurlSleeperClient.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "account/fantasy/fantasy_points.h"
#include "account/fantasy/sleeper_client.h"
#include "account/testing/scripted_sleeper_client.h"

namespace account::testing {

inline SleeperLeague office_league(const std::string& status = "in_season") {
  return {.league_id = "11", .name = "Office", .season = "2026", .status = status};
}

inline std::vector<SleeperRoster> office_rosters() {
  return {{.roster_id = 3, .owner_id = "100", .fpts = 412, .fpts_decimal = 7},
          {.roster_id = 4, .owner_id = "200", .fpts = 380, .fpts_decimal = 50}};
}

// Weeks 1 to 4 of the league (nothing is scripted for the others).
inline constexpr int kOfficeWeeks = 4;

inline std::vector<SleeperMatchup> office_matchups(int week) {
  auto entry = [](int64_t roster, std::optional<int64_t> matchup, int64_t hundredths) {
    return SleeperMatchup{.roster_id = roster, .matchup_id = matchup,
                          .points = FantasyPoints{hundredths}};
  };
  switch (week) {
    case 1: return {entry(3, 1, 14'135), entry(4, 1, 12'000)};
    case 2: return {entry(3, 2, 10'050), entry(4, 2, 10'050)};
    case 3: return {entry(3, std::nullopt, 17'020), entry(4, std::nullopt, 9'000)};
    case 4: return {entry(3, 1, 9'900), entry(4, 1, 1'200)};
    default: return {};
  }
}

// The NFL state in the regular season's week 4: weeks 1-3 are complete.
inline NflState week_four() {
  return {.season = "2026", .season_type = NflSeasonType::kRegular, .week = 4,
          .display_week = 4};
}

inline void serve_office_league(ScriptedSleeperClient& sleeper,
                                const std::string& status = "in_season") {
  sleeper.set_league(office_league(status));
  sleeper.set_league_rosters("11", office_rosters());
  for (int week = 1; week <= kOfficeWeeks; ++week) {
    sleeper.set_league_matchups("11", week, office_matchups(week));
  }
}

inline void serve_week_four(ScriptedSleeperClient& sleeper) { sleeper.set_nfl_state(week_four()); }

}  // namespace account::testing
