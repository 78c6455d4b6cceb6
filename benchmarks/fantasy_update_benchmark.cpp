// A fantasy update run over every linked account: Sleeper calls and wall time, read per account
// (each account's own update, as runs were before leagues were shared) against read per league
// (update_all_fantasy_points_and_wins(), docs/sleeper.md "Reading per league").
//
//   build/release/benchmarks/fantasy_update_benchmark
//   build/release/benchmarks/fantasy_update_benchmark --benchmark_filter=PerLeague
//
// The world: 10,000 accounts in 1,000 leagues of 12 teams, 10 of them linked, on an
// AccountService over a MemoryStore; Sleeper is the in-memory ScriptedSleeperClient
// (account::testing), which counts every call and has no rate limit and no network, so the wall
// time is the run's own work: scoring and ledgering. The NFL state says regular-season week 18
// is in progress: weeks 1-17 are complete, the heaviest regular-season read.
//
// Counters per benchmark (one iteration each: a run is not repeatable on the same ledger):
//   calls              Sleeper calls the run made
//   calls_per_league   calls / leagues
//   minutes_at_500     calls / 500: the run's length at CurlSleeperClient's default limit of
//                      500 calls a minute, which then dominates every other cost
//   accounts_changed   accounts whose cash moved (all of them: each run pays something new)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "account/account_service.h"
#include "account/fantasy/fantasy_funding_service.h"
#include "account/fantasy/sleeper_client.h"
#include "account/memory_store.h"
#include "account/testing/scripted_sleeper_client.h"

namespace {

using account::AccountId;
using account::FantasyPoints;
using account::SleeperMatchup;
using account::SleeperRoster;
using account::testing::ScriptedSleeperClient;

constexpr int kLeagues = 1'000;
constexpr int kTeams = 12;
constexpr int kLinkedPerLeague = 10;  // 10,000 accounts.
constexpr double kCallsPerMinute = 500;

account::NflState regular_week(int week) {
  return {.season = "2026",
          .season_type = account::NflSeasonType::kRegular,
          .week = week,
          .display_week = week};
}

std::string league_id(int league) { return std::to_string(1'000'000 + league); }
std::string owner_id(int league, int roster) {
  return std::to_string(1'000'000 + league) + std::to_string(100 + roster);
}

struct World {
  std::shared_ptr<ScriptedSleeperClient> sleeper = std::make_shared<ScriptedSleeperClient>();
  std::unique_ptr<account::AccountService> service =
      account::AccountService::open({.store = std::make_shared<account::MemoryStore>()}).value();
  std::unique_ptr<account::FantasyFundingService> funding;
  std::vector<AccountId> accounts;

  World() {
    funding = std::make_unique<account::FantasyFundingService>(
        *service, account::FantasyFundingOptions{.sleeper = sleeper});
    sleeper->set_nfl_state(regular_week(18));
    for (int l = 0; l < kLeagues; ++l) {
      serve_league(l, /*points_added=*/0);
      for (int r = 1; r <= kLinkedPerLeague; ++r) link(l, r);
    }
  }
  // Roster r scores 100 + r + points_added season points; in week w it plays r ± 1 and the
  // higher id wins.
  void serve_league(int l, int64_t points_added) {
    sleeper->set_league(
        {.league_id = league_id(l), .name = "League", .season = "2026", .status = "in_season"});
    std::vector<SleeperRoster> rosters;
    for (int r = 1; r <= kTeams; ++r) {
      rosters.push_back({.roster_id = r,
                         .owner_id = owner_id(l, r),
                         .fpts = 100 + r + points_added,
                         .fpts_decimal = r});
    }
    sleeper->set_league_rosters(league_id(l), std::move(rosters));
    for (int w = 1; w <= account::kNflRegularSeasonWeeks; ++w) {
      std::vector<SleeperMatchup> week;
      for (int64_t r = 1; r <= kTeams; ++r) {
        week.push_back({.roster_id = r,
                        .matchup_id = (r + 1) / 2,
                        .points = FantasyPoints{r * 1'000 + w * 37 + l}});
      }
      sleeper->set_league_matchups(league_id(l), w, std::move(week));
    }
  }
  // New season points for every roster: the next run pays every account something.
  void score_more(int64_t points_added) {
    for (int l = 0; l < kLeagues; ++l) serve_league(l, points_added);
  }
  void link(int l, int r) {
    const std::string google = "google-" + std::to_string(accounts.size());
    const AccountId id = service->create_account(google, "User").value();
    const account::SleeperLink link{.user_id = owner_id(l, r),
                                    .username = "u",
                                    .league_id = league_id(l),
                                    .season = "2026",
                                    .roster_id = r};
    if (!service->link_sleeper(id, link).ok()) std::abort();
    accounts.push_back(id);
  }
};

void report(benchmark::State& state, int calls, size_t changed) {
  state.counters["calls"] = calls;
  state.counters["calls_per_league"] = static_cast<double>(calls) / kLeagues;
  state.counters["minutes_at_500"] = calls / kCallsPerMinute;
  state.counters["accounts_changed"] = static_cast<double>(changed);
}

// Before: each account's own update, as every run made them.
void BM_PerAccountReads(benchmark::State& state) {
  World world;
  for (auto _ : state) {
    size_t changed = 0;
    for (AccountId account : world.accounts) {
      absl::StatusOr<account::FantasyUpdate> update =
          world.funding->update_fantasy_points_and_wins(account);
      if (!update.ok()) state.SkipWithError("an update failed");
      changed += update.ok() && update->changed() ? 1 : 0;
    }
    report(state, world.sleeper->calls(), changed);
  }
}

// One run of update_all after `warm_up` (not timed) prepared the world.
template <typename WarmUp>
void per_league_run(benchmark::State& state, WarmUp warm_up) {
  World world;
  warm_up(world);
  const int calls_before = world.sleeper->calls();
  for (auto _ : state) {
    absl::StatusOr<account::FantasyUpdateSummary> summary =
        world.funding->update_all_fantasy_points_and_wins();
    if (!summary.ok() || !summary->failed.empty()) state.SkipWithError("the run failed");
    report(state, world.sleeper->calls() - calls_before, summary.ok() ? summary->updated : 0);
  }
}

// After, the first run: nothing kept yet, each league read whole once.
void BM_PerLeagueReads_FirstRun(benchmark::State& state) {
  per_league_run(state, [](World&) {});
}

// After, a later run in the same week: weeks 1-16 kept, week 17 (the latest complete) and the
// league and its rosters read again.
void BM_PerLeagueReads_SameWeek(benchmark::State& state) {
  per_league_run(state, [](World& world) {
    if (!world.funding->update_all_fantasy_points_and_wins().ok()) std::abort();
    world.score_more(1);
  });
}

// After, the first run after Tuesday's turnover: the run before read week 17 in progress (weeks
// 1-16 complete); now week 16 is read once more, final, and kept, and week 17 is new.
void BM_PerLeagueReads_AfterTurnover(benchmark::State& state) {
  per_league_run(state, [](World& world) {
    world.sleeper->set_nfl_state(regular_week(17));
    if (!world.funding->update_all_fantasy_points_and_wins().ok()) std::abort();
    world.sleeper->set_nfl_state(regular_week(18));
    world.score_more(1);
  });
}

BENCHMARK(BM_PerAccountReads)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PerLeagueReads_FirstRun)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PerLeagueReads_SameWeek)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PerLeagueReads_AfterTurnover)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
