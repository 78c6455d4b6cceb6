// Test data shared by the fantasy tests: league 11 ("Office", season 2026)
// as a local Sleeper serves it. Roster 3 (owner user 100) has 412.07 season
// points; roster 4 (owner 200) 380.50. Week 1: roster 3 wins 141.35 to
// 120.00 (a 14.13 bonus). Week 2: a 100.5 all tie. Week 3: a bye. Week 4
// (in progress while the NFL state says week 4): a big lead that must not
// count. At $10 a point roster 3's target is $4,262.00.
#pragma once

#include <string>

#include "sleeper/fake_sleeper.h"

namespace account::testing {

inline std::string office_league_json(const std::string& status = "in_season") {
  return R"({"league_id":"11","name":"Office","season":"2026","status":")" + status + R"("})";
}

inline void serve_office_league(FakeSleeper& fake, const std::string& status = "in_season") {
  fake.json("/league/11", office_league_json(status));
  fake.json("/league/11/rosters",
            R"([{"roster_id":3,"owner_id":"100","settings":{"fpts":412,"fpts_decimal":7}},)"
            R"({"roster_id":4,"owner_id":"200","settings":{"fpts":380,"fpts_decimal":50}}])");
  fake.json("/league/11/matchups/1", R"([{"roster_id":3,"matchup_id":1,"points":141.35},)"
                                     R"({"roster_id":4,"matchup_id":1,"points":120}])");
  fake.json("/league/11/matchups/2", R"([{"roster_id":3,"matchup_id":2,"points":100.5},)"
                                     R"({"roster_id":4,"matchup_id":2,"points":100.50}])");
  fake.json("/league/11/matchups/3", R"([{"roster_id":3,"matchup_id":null,"points":170.2},)"
                                     R"({"roster_id":4,"matchup_id":null,"points":90}])");
  fake.json("/league/11/matchups/4", R"([{"roster_id":3,"matchup_id":1,"points":99},)"
                                     R"({"roster_id":4,"matchup_id":1,"points":12}])");
}

// The NFL state in the regular season's week 4: weeks 1-3 are complete.
inline void serve_week_four(FakeSleeper& fake) {
  fake.json("/state/nfl", R"({"week":4,"season_type":"regular","season":"2026","display_week":4})");
}

}  // namespace account::testing
