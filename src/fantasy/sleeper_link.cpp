#include "account/fantasy/sleeper_link.h"

#include <utility>

#include "absl/status/status.h"
#include "base/strings.h"

namespace account {

absl::StatusOr<SleeperLeagueChoice> find_sleeper_leagues(SleeperClient& client,
                                                         std::string_view username,
                                                         std::string_view season) {
  absl::StatusOr<SleeperUser> user = client.user(username);
  if (!user.ok()) return user.status();
  absl::StatusOr<std::vector<SleeperLeague>> leagues = client.nfl_leagues(user->user_id, season);
  if (!leagues.ok()) return leagues.status();

  SleeperLeagueChoice choice{.user = *std::move(user), .season = std::string(season)};
  for (SleeperLeague& league : *leagues) {
    absl::StatusOr<std::vector<SleeperRoster>> rosters = client.league_rosters(league.league_id);
    if (!rosters.ok()) return rosters.status();
    const SleeperRoster* roster = find_roster_of_user(*rosters, choice.user.user_id);
    if (roster == nullptr) continue;  // Followed, or left: not the user's team.
    choice.leagues.push_back({.league = std::move(league), .roster_id = roster->roster_id});
  }
  return choice;
}

absl::StatusOr<SleeperLink> choose_sleeper_league(const SleeperLeagueChoice& choice,
                                                  std::string_view league_id) {
  for (const SleeperLeagueOption& option : choice.leagues) {
    if (option.league.league_id != league_id) continue;
    return SleeperLink{.user_id = choice.user.user_id,
                       .username = choice.user.username,
                       .league_id = option.league.league_id,
                       .season = option.league.season,
                       .roster_id = option.roster_id};
  }
  return absl::NotFoundError(internal::cat("league ", league_id, " is not one of ",
                                           choice.user.username, "'s leagues in ", choice.season));
}

std::optional<SleeperLink> only_sleeper_league(const SleeperLeagueChoice& choice) {
  if (choice.leagues.size() != 1) return std::nullopt;
  return *choose_sleeper_league(choice, choice.leagues.front().league.league_id);
}

}  // namespace account
