#include "fantasy/fantasy_league_reads.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "account/fantasy/fantasy_funding.h"
#include "account/status.h"
#include "base/strings.h"

namespace account::internal {
namespace {

// Whether every roster appears at most once in the week: only then does score_week() score
// every roster of it, and only then is the week worth keeping.
bool scores_every_roster(const std::vector<SleeperMatchup>& matchups) {
  absl::flat_hash_set<int64_t> seen;
  for (const SleeperMatchup& m : matchups) {
    if (!seen.insert(m.roster_id).second) return false;
  }
  return true;
}

}  // namespace

WeekMatchups FinishedWeekCache::find(std::string_view league_id, int week) const {
  MutexLock lock(&mu_);
  auto league = leagues_.find(std::string(league_id));
  if (league == leagues_.end()) return nullptr;
  auto it = league->second.find(week);
  return it == league->second.end() ? nullptr : it->second;
}

bool FinishedWeekCache::keep(std::string_view league_id, int week, WeekMatchups matchups) {
  MutexLock lock(&mu_);
  std::map<int, WeekMatchups>& weeks = leagues_[std::string(league_id)];
  auto it = weeks.find(week);
  const size_t replaced = it == weeks.end() ? 0 : it->second->size();
  if (matchups_ - replaced + matchups->size() > matchups_max_) {
    if (weeks.empty()) leagues_.erase(std::string(league_id));
    return false;
  }
  matchups_ = matchups_ - replaced + matchups->size();
  weeks.insert_or_assign(week, std::move(matchups));
  return true;
}

void FinishedWeekCache::retain_leagues(const absl::flat_hash_set<std::string>& league_ids) {
  MutexLock lock(&mu_);
  for (auto it = leagues_.begin(); it != leagues_.end();) {
    if (league_ids.contains(it->first)) {
      ++it;
      continue;
    }
    for (const auto& [week, matchups] : it->second) matchups_ -= matchups->size();
    leagues_.erase(it++);
  }
}

size_t FinishedWeekCache::matchups() const {
  MutexLock lock(&mu_);
  return matchups_;
}

absl::StatusOr<LeagueRead> read_league(SleeperClient& client, std::string_view league_id,
                                       const NflState& state, FinishedWeekCache* cache) {
  LeagueRead read;
  ACCOUNT_ASSIGN_OR_RETURN(read.league, client.league(league_id));
  ACCOUNT_ASSIGN_OR_RETURN(read.completed_week_max,
                           completed_week_max(state, read.league.season, read.league.status));
  ACCOUNT_ASSIGN_OR_RETURN(read.rosters, client.league_rosters(league_id));
  read.weeks.reserve(static_cast<size_t>(read.completed_week_max));
  for (int week = 1; week <= read.completed_week_max; ++week) {
    // The latest complete week is read again by every run: Sleeper corrects its stats after
    // the games. The weeks before it are final, and kept.
    const bool final_week = week < read.completed_week_max;
    if (final_week && cache != nullptr) {
      if (WeekMatchups kept = cache->find(league_id, week)) {
        read.weeks.push_back(std::move(kept));
        ++read.weeks_reused;
        continue;
      }
    }
    ACCOUNT_ASSIGN_OR_RETURN(std::vector<SleeperMatchup> fetched,
                             client.league_matchups(league_id, week));
    ++read.weeks_fetched;
    auto matchups = std::make_shared<const std::vector<SleeperMatchup>>(std::move(fetched));
    if (final_week && cache != nullptr && scores_every_roster(*matchups)) {
      cache->keep(league_id, week, matchups);
    }
    read.weeks.push_back(std::move(matchups));
  }
  return read;
}

absl::StatusOr<FantasySeason> score_league_season(const LeagueRead& read, const SleeperLink& link) {
  if (read.league.season != link.season) {
    return absl::FailedPreconditionError(cat("league ", link.league_id, " is of season ",
                                             read.league.season, ", not ", link.season));
  }
  const SleeperRoster* mine = nullptr;
  for (const SleeperRoster& roster : read.rosters) {
    if (roster.roster_id == link.roster_id) {
      mine = &roster;
      break;
    }
  }
  if (mine == nullptr) {
    return absl::FailedPreconditionError(
        cat("roster ", link.roster_id, " is no longer in league ", link.league_id));
  }
  if (!mine->owned_by(link.user_id)) {
    return absl::FailedPreconditionError(cat("roster ", link.roster_id, " of league ",
                                             link.league_id, " is no longer owned by user ",
                                             link.user_id));
  }
  ACCOUNT_ASSIGN_OR_RETURN(FantasyPoints points, season_points(*mine));
  FantasySeason season{.season_points = points, .completed_week_max = read.completed_week_max};
  for (int week = 1; week <= read.completed_week_max; ++week) {
    absl::StatusOr<WeekResult> result =
        score_week(*read.weeks[static_cast<size_t>(week - 1)], link.roster_id);
    if (!result.ok()) {
      return absl::InvalidArgumentError(
          cat("league ", link.league_id, " week ", week, ": ", result.status().message()));
    }
    season.bonus_points += result->bonus;
    season.weeks.push_back({.week = week, .result = *result});
  }
  return season;
}

}  // namespace account::internal
