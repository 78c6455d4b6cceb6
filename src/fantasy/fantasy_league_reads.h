// File: fantasy/fantasy_league_reads.h
//
// Reading Sleeper once per league for a fantasy run (docs/sleeper.md, "Reading per league"):
// the league, its rosters and its completed weeks' matchups, shared by every account linked
// to the league, and the cache that keeps finished weeks between runs.
//
//   FinishedWeekCache cache(kFinishedWeekMatchupsMax);        // One per FantasyFundingService.
//   LeagueRead read = read_league(client, "11", state, &cache).value();
//   FantasySeason season = score_league_season(read, link).value();   // Per account.
//   cache.retain_leagues(leagues_linked_now);                 // At the end of a run.
//
// Invariants of the cache:
//   - it holds only weeks that were complete and not the latest complete week when read (Sleeper
//     corrects the latest week's stats after the games), and in which no roster appears twice;
//   - it holds at most `matchups_max` matchup entries: a week that does not fit is not kept;
//   - it answers by (league id, week); a league's ids are new every season, so the key needs no
//     season.
//
// Thread-safety: FinishedWeekCache is safe from any thread (one lock, never held during a
// Sleeper call); read_league() is as thread-safe as the client; score_league_season() is pure.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "account/fantasy/fantasy_season.h"
#include "account/fantasy/sleeper_client.h"
#include "account/sleeper_account_link.h"
#include "base/mutex.h"

namespace account::internal {

// One week's matchups, shared between a run's read and the cache (never changed once made).
using WeekMatchups = std::shared_ptr<const std::vector<SleeperMatchup>>;

// One league as one run read it.
struct LeagueRead {
  SleeperLeague league;
  int completed_week_max = 0;          // Weeks 1..this are complete (completed_week_max()).
  std::vector<SleeperRoster> rosters;  // Read by every run: season points can be corrected.
  std::vector<WeekMatchups> weeks;     // weeks[w - 1]: week w, for w in 1..completed_week_max.
  size_t weeks_fetched = 0;            // Weeks read from Sleeper by this read.
  size_t weeks_reused = 0;             // Weeks taken from the cache instead.
};

// Finished weeks' matchups kept between runs, by league and week.
class FinishedWeekCache {
 public:
  // `matchups_max`: the most matchup entries kept, over every league and week.
  explicit FinishedWeekCache(size_t matchups_max) : matchups_max_(matchups_max) {}

  // The week's matchups, or nullptr when they are not kept.
  WeekMatchups find(std::string_view league_id, int week) const;
  // Keeps the week's matchups unless they would pass the bound; replaces what was kept for it.
  // Returns whether they are kept.
  bool keep(std::string_view league_id, int week, WeekMatchups matchups);
  // Forgets every league not in `league_ids`: those no account links any more.
  void retain_leagues(const absl::flat_hash_set<std::string>& league_ids);
  // Matchup entries kept now.
  size_t matchups() const;

 private:
  const size_t matchups_max_;
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::map<int, WeekMatchups>> leagues_ ABSL_GUARDED_BY(mu_);
  size_t matchups_ ABSL_GUARDED_BY(mu_) = 0;
};

// Reads league `league_id` for a run that read `state`: the league, the weeks it has complete,
// its rosters, then each complete week's matchups, from `cache` when it keeps the week and the
// week is not the latest complete one, else from Sleeper (and then kept in `cache` when it may
// be). `cache` may be null: every week is read.
// Fails with the client's status of the first call that failed (its message names the path),
// or completed_week_max()'s; weeks read before the failure stay kept.
absl::StatusOr<LeagueRead> read_league(SleeperClient& client, std::string_view league_id,
                                       const NflState& state, FinishedWeekCache* cache);

// The season of `link`'s roster scored from `read`, the league `link` names: the same season
// fetch_fantasy_season() reads for that link from the same answers.
// Fails with FailedPrecondition when the league is of another season than the link's, or the
// roster is no longer in it or no longer the link's user's; InvalidArgument when the roster
// appears twice in a week (naming the league and week) or its points are out of range.
absl::StatusOr<FantasySeason> score_league_season(const LeagueRead& read, const SleeperLink& link);

}  // namespace account::internal
