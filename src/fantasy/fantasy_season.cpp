#include "account/fantasy/fantasy_season.h"

#include "absl/status/status.h"
#include "base/strings.h"

namespace account {
namespace {

// The season points of the linked roster, checking it is still the user's.
absl::StatusOr<FantasyPoints> linked_roster_points(SleeperClient& client,
                                                   const SleeperLink& link) {
  absl::StatusOr<std::vector<SleeperRoster>> rosters = client.league_rosters(link.league_id);
  if (!rosters.ok()) return rosters.status();
  for (const SleeperRoster& roster : *rosters) {
    if (roster.roster_id != link.roster_id) continue;
    if (!roster.owned_by(link.user_id)) {
      return absl::FailedPreconditionError(
          internal::cat("roster ", link.roster_id, " of league ", link.league_id,
                        " is no longer owned by user ", link.user_id));
    }
    return season_points(roster);
  }
  return absl::FailedPreconditionError(
      internal::cat("roster ", link.roster_id, " is no longer in league ", link.league_id));
}

}  // namespace

absl::StatusOr<FantasySeason> fetch_fantasy_season(SleeperClient& client,
                                                   const SleeperLink& link) {
  absl::StatusOr<NflState> state = client.nfl_state();
  if (!state.ok()) return state.status();
  return fetch_fantasy_season(client, link, *state);
}

absl::StatusOr<FantasySeason> fetch_fantasy_season(SleeperClient& client, const SleeperLink& link,
                                                   const NflState& state) {
  absl::StatusOr<SleeperLeague> league = client.league(link.league_id);
  if (!league.ok()) return league.status();
  if (league->season != link.season) {
    return absl::FailedPreconditionError(internal::cat(
        "league ", link.league_id, " is of season ", league->season, ", not ", link.season));
  }
  absl::StatusOr<int> completed = completed_week_max(state, league->season, league->status);
  if (!completed.ok()) return completed.status();
  absl::StatusOr<FantasyPoints> points = linked_roster_points(client, link);
  if (!points.ok()) return points.status();

  FantasySeason season{.season_points = *points, .completed_week_max = *completed};
  for (int week = 1; week <= *completed; ++week) {
    absl::StatusOr<std::vector<SleeperMatchup>> matchups =
        client.league_matchups(link.league_id, week);
    if (!matchups.ok()) return matchups.status();
    absl::StatusOr<WeekResult> result = score_week(*matchups, link.roster_id);
    if (!result.ok()) {
      return absl::InvalidArgumentError(internal::cat("league ", link.league_id, " week ", week,
                                                      ": ", result.status().message()));
    }
    season.bonus_points += result->bonus;
    season.weeks.push_back({.week = week, .result = *result});
  }
  return season;
}

}  // namespace account
