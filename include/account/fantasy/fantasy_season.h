// File: fantasy/fantasy_season.h
//
// One linked roster's season as the fantasy update needs it: exact season
// points, and each completed week's outcome and win bonus, read from Sleeper
// through a SleeperClient and scored with fantasy_funding.h.
//
//   FantasySeason s = fetch_fantasy_season(client, link).value();
//   Cents target = fantasy_target(s.total_points(), cents_per_point).value();
//
// Calls: the NFL state, the league, its rosters, and one matchups call per
// completed week (at most 3 + kNflRegularSeasonWeeks), for one account.
// FantasyFundingService::update_all_fantasy_points_and_wins() reads each
// league once for all its accounts instead, and scores each account as this
// does (docs/sleeper.md, "Reading per league").
//
// Thread-safety: as thread-safe as the client.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "account/fantasy/fantasy_funding.h"
#include "account/fantasy/fantasy_points.h"
#include "account/fantasy/sleeper_client.h"
#include "account/fantasy/sleeper_link.h"

namespace account {

struct FantasyWeek {
  int week = 0;
  WeekResult result;

  friend bool operator==(const FantasyWeek&, const FantasyWeek&) = default;
};

struct FantasySeason {
  FantasyPoints season_points;   // The roster's fpts + fpts_decimal / 100.
  FantasyPoints bonus_points;    // Sum of the completed weeks' bonuses.
  int completed_week_max = 0;    // Weeks 1..this are final and scored.
  std::vector<FantasyWeek> weeks;  // One per completed week, in order.

  FantasyPoints total_points() const { return season_points + bonus_points; }
};

// Reads and scores the season of `link`'s roster. Weeks not yet complete
// (completed_week_max()) are neither fetched nor paid.
// Fails with the client's errors; FailedPrecondition when the roster is no
// longer in the league or no longer owned by link.user_id (the account must
// link again), or when completed_week_max() cannot decide; InvalidArgument
// for inconsistent data from the client (a roster twice in one week).
absl::StatusOr<FantasySeason> fetch_fantasy_season(SleeperClient& client,
                                                   const SleeperLink& link);
// The same with the NFL state already read (client.nfl_state()): one call fewer.
absl::StatusOr<FantasySeason> fetch_fantasy_season(SleeperClient& client, const SleeperLink& link,
                                                   const NflState& state);

}  // namespace account
