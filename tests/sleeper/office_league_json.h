// League 11 of fantasy/office_league.h served over HTTP by a FakeSleeper, in Sleeper's JSON, for
// the tests that go through a real CurlSleeperClient (accountctl's). The JSON is written from
// the same values the scripted tests use, so the two cannot drift apart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fantasy/office_league.h"
#include "fmt/format.h"
#include "sleeper/fake_sleeper.h"

namespace account::testing {

// Hundredths of a point as Sleeper writes points: 14135 -> "141.35".
inline std::string sleeper_points_json(FantasyPoints points) {
  const int64_t h = points.hundredths();
  const int64_t magnitude = h < 0 ? -h : h;
  return fmt::format("{}{}.{:02}", h < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

inline std::string sleeper_league_json(const SleeperLeague& league) {
  return fmt::format(R"({{"league_id":"{}","name":"{}","season":"{}","status":"{}"}})",
                     league.league_id, league.name, league.season, league.status);
}

inline std::string sleeper_rosters_json(const std::vector<SleeperRoster>& rosters) {
  std::string out = "[";
  for (const SleeperRoster& r : rosters) {
    if (out.size() > 1) out += ',';
    out += fmt::format(
        R"({{"roster_id":{},"owner_id":{},"settings":{{"fpts":{},"fpts_decimal":{}}}}})",
        r.roster_id, r.owner_id ? "\"" + *r.owner_id + "\"" : std::string("null"), r.fpts,
        r.fpts_decimal);
  }
  return out + "]";
}

inline std::string sleeper_matchups_json(const std::vector<SleeperMatchup>& matchups) {
  std::string out = "[";
  for (const SleeperMatchup& m : matchups) {
    if (out.size() > 1) out += ',';
    out += fmt::format(R"({{"roster_id":{},"matchup_id":{},"points":{}}})", m.roster_id,
                       m.matchup_id ? std::to_string(*m.matchup_id) : std::string("null"),
                       sleeper_points_json(m.points));
  }
  return out + "]";
}

inline void serve_office_league(FakeSleeper& fake, const std::string& status = "in_season") {
  fake.json("/league/11", sleeper_league_json(office_league(status)));
  fake.json("/league/11/rosters", sleeper_rosters_json(office_rosters()));
  for (int week = 1; week <= kOfficeWeeks; ++week) {
    fake.json("/league/11/matchups/" + std::to_string(week),
              sleeper_matchups_json(office_matchups(week)));
  }
}

// The NFL state in the regular season's week 4: weeks 1-3 are complete.
inline void serve_week_four(FakeSleeper& fake) {
  const NflState state = week_four();
  fake.json(
      "/state/nfl",
      fmt::format(R"({{"week":{},"season_type":"{}","season":"{}","display_week":{}}})", state.week,
                  nfl_season_type_name(state.season_type), state.season, state.display_week));
}

}  // namespace account::testing
