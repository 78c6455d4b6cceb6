// update_all_fantasy_points_and_wins() reads Sleeper per league, not per account
// (docs/sleeper.md, "Reading per league"): calls counted through the scripted client, finished
// weeks kept between runs except the latest, a failing league beside others that go on, the
// credit exactly once across retries and overlapping runs, and the cents paid compared with the
// per-account read on random leagues.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "account/fantasy/fantasy_funding.h"
#include "account/fantasy/fantasy_funding_service.h"
#include "account/fantasy/fantasy_season.h"
#include "account/status.h"
#include "account/testing/scripted_sleeper_client.h"
#include "support/ledger_fixture.h"

namespace account {
namespace {

using testing::LedgerFixture;
using testing::ScriptedSleeperClient;
using Method = ScriptedSleeperClient::Method;

NflState regular_week(int week) {
  return {
      .season = "2026", .season_type = NflSeasonType::kRegular, .week = week, .display_week = week};
}

std::string matchups_path(const std::string& league_id, int week) {
  return "/league/" + league_id + "/matchups/" + std::to_string(week);
}

// Sleeper user of roster `roster` of league `league_id`: "<league id>0<roster>", unique.
std::string owner_of(const std::string& league_id, int64_t roster) {
  return league_id + "0" + std::to_string(roster);
}

// A league's answers: `teams` rosters and the matchups of weeks 1..kNflRegularSeasonWeeks.
struct LeagueScript {
  SleeperLeague league;
  std::vector<SleeperRoster> rosters;
  std::map<int, std::vector<SleeperMatchup>> weeks;
};

// A plain league: roster r (1..teams) has 100 + 10r + the league's number points, and in week w
// plays roster r ± 1; the higher roster id of each pair wins.
LeagueScript plain_league(const std::string& id, int teams) {
  LeagueScript s{
      .league = {.league_id = id, .name = "League " + id, .season = "2026", .status = "in_season"}};
  for (int64_t r = 1; r <= teams; ++r) {
    s.rosters.push_back({.roster_id = r,
                         .owner_id = owner_of(id, r),
                         .fpts = 100 + 10 * r + std::stoll(id),
                         .fpts_decimal = r});
  }
  for (int w = 1; w <= kNflRegularSeasonWeeks; ++w) {
    for (int64_t r = 1; r <= teams; ++r) {
      s.weeks[w].push_back(
          {.roster_id = r, .matchup_id = (r + 1) / 2, .points = FantasyPoints{r * 1'000 + w * 37}});
    }
  }
  return s;
}

void serve(ScriptedSleeperClient& sleeper, const LeagueScript& s) {
  sleeper.set_league(s.league);
  sleeper.set_league_rosters(s.league.league_id, s.rosters);
  for (const auto& [week, matchups] : s.weeks) {
    sleeper.set_league_matchups(s.league.league_id, week, matchups);
  }
}

// A ledger, a counted Sleeper and, beside it, a reference Sleeper with the same answers whose
// calls nobody counts: the target an account is owed is computed from it by the per-account
// read (fetch_fantasy_season()), the computation every run made before leagues were shared.
struct Runs {
  std::shared_ptr<ScriptedSleeperClient> sleeper = std::make_shared<ScriptedSleeperClient>();
  ScriptedSleeperClient reference;
  LedgerFixture ledger;
  std::mutex mu;
  std::vector<AccountId> logged;
  std::unique_ptr<FantasyFundingService> funding;
  std::map<AccountId, SleeperLink> links;
  NflState state;

  explicit Runs(size_t matchups_max = kFinishedWeekMatchupsMax) {
    funding = std::make_unique<FantasyFundingService>(
        ledger.svc(), FantasyFundingOptions{.sleeper = sleeper,
                                            .log =
                                                [this](AccountId a, const absl::Status&) {
                                                  std::lock_guard lock(mu);
                                                  logged.push_back(a);
                                                },
                                            .finished_week_matchups_max = matchups_max});
    set_week(4);
  }
  void set_week(int week) {
    state = regular_week(week);
    sleeper->set_nfl_state(state);
    reference.set_nfl_state(state);
  }
  void add(const LeagueScript& s) {
    serve(*sleeper, s);
    serve(reference, s);
  }
  AccountId link(const std::string& league_id, int64_t roster) {
    const AccountId account = ledger.account();
    const std::string user = owner_of(league_id, roster);
    SleeperLink l{.user_id = user,
                  .username = "user" + user,
                  .league_id = league_id,
                  .season = "2026",
                  .roster_id = roster};
    REQUIRE(ledger.svc().link_sleeper(account, l).ok());
    links[account] = l;
    return account;
  }
  // What the account is owed for the answers scripted now, read the per-account way.
  Cents target(AccountId account) {
    absl::StatusOr<FantasySeason> season =
        fetch_fantasy_season(reference, links.at(account), state);
    REQUIRE(season.ok());
    return fantasy_target(season->total_points(), kDefaultCentsPerPoint).value();
  }
  Cents cash(AccountId account) { return ledger.svc().cash(account).value(); }
  size_t entries(AccountId account) { return ledger.svc().external_entries(account)->size(); }
  FantasyUpdateSummary run() {
    absl::StatusOr<FantasyUpdateSummary> summary = funding->update_all_fantasy_points_and_wins();
    REQUIRE(summary.ok());
    return *summary;
  }
};

TEST_CASE("league reads: the accounts of one league read it once a run",
          "[fantasy][league_reads]") {
  Runs r;  // Week 4: weeks 1-3 are complete.
  r.add(plain_league("11", 10));
  std::vector<AccountId> accounts;
  for (int64_t roster = 1; roster <= 8; ++roster) accounts.push_back(r.link("11", roster));

  const FantasyUpdateSummary summary = r.run();
  CHECK(summary.updated == 8);
  CHECK(summary.failed.empty());
  CHECK(r.sleeper->calls("/league/11") == 1);
  CHECK(r.sleeper->calls("/league/11/rosters") == 1);
  for (int week = 1; week <= 3; ++week) {
    INFO("week " << week);
    CHECK(r.sleeper->calls(matchups_path("11", week)) == 1);
  }
  CHECK(r.sleeper->calls(matchups_path("11", 4)) == 0);  // In progress: never read.
  CHECK(r.sleeper->calls() == 1 + 2 + 3);                // State, league, rosters, 3 weeks.
  for (AccountId account : accounts) {
    INFO("account " << account.value());
    CHECK(r.cash(account) == r.target(account));
    CHECK(r.cash(account) > Cents{0});
  }
}

TEST_CASE("league reads: the NFL state is read once a run, whatever the leagues",
          "[fantasy][league_reads]") {
  Runs r;
  for (const char* id : {"21", "22", "23"}) {
    r.add(plain_league(id, 4));
    r.link(id, 1);
    r.link(id, 2);
  }
  CHECK(r.run().updated == 6);
  CHECK(r.sleeper->calls(Method::kNflState) == 1);
  CHECK(r.sleeper->calls(Method::kLeague) == 3);
  CHECK(r.run().unchanged == 6);
  CHECK(r.sleeper->calls(Method::kNflState) == 2);

  // The state failing fails every account with its status, after that one call.
  const absl::Status down = denial(Reason::kSleeperUnavailable, "GET /state/nfl: HTTP 503");
  r.sleeper->set_error(Method::kNflState, down);
  const int before = r.sleeper->calls();
  const FantasyUpdateSummary failed = r.run();
  CHECK(r.sleeper->calls() == before + 1);
  REQUIRE(failed.failed.size() == 6);
  for (const FantasyUpdateFailure& f : failed.failed) {
    CHECK(reason_of(f.status) == Reason::kSleeperUnavailable);
  }
  CHECK(r.logged.size() == 6);
}

TEST_CASE("league reads: a second run reads only the latest finished week again, and new weeks",
          "[fantasy][league_reads]") {
  Runs r;
  r.add(plain_league("11", 6));
  const AccountId a = r.link("11", 2);
  const AccountId b = r.link("11", 5);
  auto week_calls = [&](int week) { return r.sleeper->calls(matchups_path("11", week)); };

  r.run();  // Week 4: reads weeks 1, 2, 3.
  CHECK(week_calls(1) == 1);
  CHECK(week_calls(2) == 1);
  CHECK(week_calls(3) == 1);

  r.run();  // Same week: only week 3, the latest finished, again.
  CHECK(week_calls(1) == 1);
  CHECK(week_calls(2) == 1);
  CHECK(week_calls(3) == 2);
  CHECK(r.sleeper->calls("/league/11/rosters") == 2);  // Rosters are read every run.
  CHECK(r.sleeper->calls("/league/11") == 2);

  r.set_week(6);  // Weeks 4 and 5 are new; week 3 is read once more, now final, and kept.
  r.run();
  CHECK(week_calls(1) == 1);
  CHECK(week_calls(2) == 1);
  CHECK(week_calls(3) == 3);
  CHECK(week_calls(4) == 1);
  CHECK(week_calls(5) == 1);
  CHECK(week_calls(6) == 0);

  r.run();  // Only week 5 again.
  CHECK(week_calls(3) == 3);
  CHECK(week_calls(4) == 1);
  CHECK(week_calls(5) == 2);
  CHECK(r.sleeper->calls() == 4 /*state*/ + 4 /*league*/ + 4 /*rosters*/ + 3 + 1 + 3 + 1);
  CHECK(r.cash(a) == r.target(a));
  CHECK(r.cash(b) == r.target(b));
}

TEST_CASE("league reads: a correction to the latest finished week is paid by the next run",
          "[fantasy][league_reads]") {
  Runs r;
  LeagueScript league = plain_league("11", 4);
  r.add(league);
  const AccountId low = r.link("11", 1);  // Loses every week to roster 2.
  r.run();
  const Cents before = r.cash(low);
  REQUIRE(before == r.target(low));

  // Sleeper corrects week 3: roster 1 now beat roster 2, a bonus of 10% of 90.00 points.
  league.weeks[3][0].points = FantasyPoints{9'000};
  league.weeks[3][1].points = FantasyPoints{1'000};
  r.add(league);
  const FantasyUpdateSummary summary = r.run();
  CHECK(summary.updated == 1);
  CHECK(r.cash(low) == r.target(low));
  CHECK(r.cash(low) - before == Cents{9'000});  // A 9.00-point bonus at $10 a point.
  CHECK(r.sleeper->calls(matchups_path("11", 1)) == 1);
  CHECK(r.sleeper->calls(matchups_path("11", 3)) == 2);
}

// One row per failure a league's read meets, by what the caller should do (sleeper_client.h).
struct LeagueFailure {
  const char* name;
  const char* path;  // The call of league 22 that fails.
  Reason reason;
};

TEST_CASE("league reads: a failing league does not stop the others and its accounts get the reason",
          "[fantasy][league_reads]") {
  const LeagueFailure row = GENERATE(
      LeagueFailure{"transient", "/league/22/rosters", Reason::kSleeperUnavailable},
      LeagueFailure{"league gone", "/league/22", Reason::kSleeperNotFound},
      LeagueFailure{"rejected", "/league/22/matchups/2", Reason::kSleeperRejected},
      LeagueFailure{"invalid answer", "/league/22/matchups/3", Reason::kSleeperResponseInvalid});
  INFO(row.name);
  Runs r;
  std::map<std::string, std::vector<AccountId>> by_league;
  for (const char* id : {"21", "22", "23"}) {
    r.add(plain_league(id, 6));
    for (int64_t roster : {1, 4, 6}) by_league[id].push_back(r.link(id, roster));
  }
  const std::string message = std::string("GET ") + row.path + ": Sleeper said no";
  r.sleeper->set_error(row.path, denial(row.reason, message));

  const FantasyUpdateSummary summary = r.run();
  CHECK(summary.updated == 6);
  REQUIRE(summary.failed.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(summary.failed[i].account == by_league["22"][i]);
    CHECK(reason_of(summary.failed[i].status) == row.reason);
    CHECK_THAT(std::string(summary.failed[i].status.message()), Catch::Contains(row.path));
  }
  CHECK(r.logged == by_league["22"]);
  CHECK(r.sleeper->calls(row.path) == 1);  // Once for the league, not once per account.
  for (const char* id : {"21", "23"}) {
    for (AccountId account : by_league[id]) CHECK(r.cash(account) == r.target(account));
  }
  for (AccountId account : by_league["22"]) CHECK(r.cash(account) == Cents{0});

  // Sleeper answers again: the next run pays league 22, and nobody twice.
  r.sleeper->clear_errors();
  const FantasyUpdateSummary next = r.run();
  CHECK(next.updated == 3);
  CHECK(next.unchanged == 6);
  CHECK(next.failed.empty());
  for (const auto& [id, accounts] : by_league) {
    for (AccountId account : accounts) {
      CHECK(r.cash(account) == r.target(account));
      CHECK(r.entries(account) == 1);
    }
  }
  CHECK(r.ledger.svc().audit().ok());
}

TEST_CASE("league reads: a roster twice in a week fails its account only, and the week is not kept",
          "[fantasy][league_reads]") {
  Runs r;
  LeagueScript league = plain_league("11", 4);
  league.weeks[1].push_back(league.weeks[1][2]);  // Roster 3 twice in week 1.
  r.add(league);
  const AccountId one = r.link("11", 1);
  const AccountId three = r.link("11", 3);
  const AccountId four = r.link("11", 4);

  const FantasyUpdateSummary summary = r.run();
  REQUIRE(summary.failed.size() == 1);
  CHECK(summary.failed[0].account == three);
  CHECK(summary.failed[0].status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(summary.failed[0].status.message()), Catch::Contains("league 11 week 1"));
  CHECK(r.cash(one) == r.target(one));
  CHECK(r.cash(four) == r.target(four));
  CHECK(r.cash(three) == Cents{0});
  CHECK(r.sleeper->calls(matchups_path("11", 1)) == 1);

  r.run();  // Week 1 is finished but was not kept: read again. Week 2 was kept.
  CHECK(r.sleeper->calls(matchups_path("11", 1)) == 2);
  CHECK(r.sleeper->calls(matchups_path("11", 2)) == 1);
}

TEST_CASE("league reads: a retried or overlapping run credits each account exactly once",
          "[fantasy][league_reads]") {
  Runs r;
  std::vector<LeagueScript> leagues;
  std::vector<AccountId> accounts;
  for (const char* id : {"31", "32", "33", "34"}) {
    leagues.push_back(plain_league(id, 4));
    r.add(leagues.back());
    for (int64_t roster = 1; roster <= 4; ++roster) accounts.push_back(r.link(id, roster));
  }
  // Two runs at once, sharing the cache; then a run that meets one failure, then its retry.
  r.sleeper->set_delay(Method::kLeagueMatchups, absl::Microseconds(200));
  absl::StatusOr<FantasyUpdateSummary> theirs;
  std::thread other([&] { theirs = r.funding->update_all_fantasy_points_and_wins(); });
  const FantasyUpdateSummary mine = r.run();
  other.join();
  CHECK(mine.failed.empty());
  REQUIRE(theirs.ok());
  CHECK(theirs->failed.empty());
  CHECK(mine.updated + theirs->updated == accounts.size());  // Each credit landed once.
  for (AccountId account : accounts) CHECK(r.entries(account) == 1);
  r.sleeper->set_delay(Method::kLeagueMatchups, absl::ZeroDuration());
  // Week 4 finishes and every roster scored in it.
  for (LeagueScript& league : leagues) {
    for (SleeperRoster& roster : league.rosters) roster.fpts += 50;
    r.add(league);
  }
  r.set_week(5);
  r.sleeper->fail_next(Method::kLeagueMatchups,
                       denial(Reason::kSleeperUnavailable, "GET /league/31/matchups/3: HTTP 503"));
  const FantasyUpdateSummary failed = r.run();
  CHECK(failed.failed.size() == 4);  // League 31's four accounts.
  CHECK(failed.updated == 12);
  const FantasyUpdateSummary retried = r.run();
  CHECK(retried.failed.empty());
  CHECK(retried.updated == 4);
  const LedgerSnapshot settled = r.ledger.svc().snapshot();
  CHECK(r.run().unchanged == accounts.size());
  CHECK(r.ledger.svc().snapshot() == settled);
  for (AccountId account : accounts) {
    INFO("account " << account.value());
    CHECK(r.cash(account) == r.target(account));
    CHECK(r.entries(account) == 2);  // Week 4's points came in a second entry.
  }
  CHECK(r.ledger.svc().audit().ok());
}

TEST_CASE("league reads: the kept weeks stay within their bound and unlinked leagues are dropped",
          "[fantasy][league_reads]") {
  // Room for two weeks of one six-team league: weeks 1 and 2 are kept, the others are not.
  Runs r(/*matchups_max=*/12);
  r.add(plain_league("41", 6));
  r.add(plain_league("42", 6));
  r.set_week(6);  // Weeks 1-5 complete.
  const AccountId a = r.link("41", 1);
  r.run();
  r.run();
  CHECK(r.sleeper->calls(matchups_path("41", 1)) == 1);
  CHECK(r.sleeper->calls(matchups_path("41", 2)) == 1);
  CHECK(r.sleeper->calls(matchups_path("41", 3)) == 2);  // Did not fit: read again.
  CHECK(r.sleeper->calls(matchups_path("41", 4)) == 2);
  CHECK(r.cash(a) == r.target(a));

  // The account moves to league 42: league 41 is forgotten at the end of that run, which makes
  // room for league 42's weeks.
  SleeperLink moved{.user_id = owner_of("42", 1),
                    .username = "mover",
                    .league_id = "42",
                    .season = "2026",
                    .roster_id = 1};
  REQUIRE(r.ledger.svc().link_sleeper(a, moved).ok());
  r.links[a] = moved;
  r.run();
  r.run();
  CHECK(r.sleeper->calls(matchups_path("42", 1)) == 2);  // Full of league 41 at first.
  r.run();
  CHECK(r.sleeper->calls(matchups_path("42", 1)) == 2);  // Then kept.
  CHECK(r.sleeper->calls(matchups_path("42", 2)) == 2);
  CHECK(r.sleeper->calls(matchups_path("42", 3)) == 3);
}

// Random leagues: teams of 4-14 rosters, points with hundredths, ties, byes, a roster absent
// from a week, co-owners; accounts link some of the rosters. Replays with FANTASY_LEAGUE_SEED.
struct RandomLeagues {
  std::mt19937_64 rng;
  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }

  LeagueScript league(const std::string& id) {
    LeagueScript s = plain_league(id, static_cast<int>(uniform(4, 14)));
    for (SleeperRoster& roster : s.rosters) {
      roster.fpts = uniform(0, 2'500);
      roster.fpts_decimal = uniform(0, 99);
      if (uniform(0, 9) == 0) {
        roster.co_owner_ids.push_back(id + "99" + std::to_string(roster.roster_id));
      }
    }
    for (int w = 1; w <= kNflRegularSeasonWeeks; ++w) week(s, w);
    return s;
  }
  void week(LeagueScript& s, int w) {
    std::vector<SleeperMatchup>& rows = s.weeks[w];
    for (SleeperMatchup& m : rows) {
      const int64_t kind = uniform(0, 19);
      m.points = FantasyPoints{uniform(0, 20'000)};
      if (kind == 0) m.matchup_id = std::nullopt;  // A bye.
      m.custom_points = kind == 1;
    }
    if (uniform(0, 4) == 0) rows[1].points = rows[0].points;  // A tie.
    if (uniform(0, 9) == 0) rows.pop_back();                  // A roster absent.
  }
};

uint64_t league_seed() {
  if (const char* env = std::getenv("FANTASY_LEAGUE_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

TEST_CASE("league reads: every account is paid what its own read pays, on random leagues",
          "[fantasy][league_reads]") {
  const uint64_t seed = league_seed();
  INFO("seed " << seed << " (replay with FANTASY_LEAGUE_SEED=" << seed << ")");
  RandomLeagues random{std::mt19937_64(seed)};
  Runs shared;  // update_all: one read per league.
  Runs own;     // The per-account path: update_fantasy_points_and_wins() for each account.
  std::vector<LeagueScript> leagues;
  std::vector<AccountId> accounts;
  for (int l = 0; l < 12; ++l) {
    leagues.push_back(random.league(std::to_string(50 + l)));
    shared.add(leagues.back());
    own.add(leagues.back());
    for (const SleeperRoster& roster : leagues.back().rosters) {
      if (random.uniform(0, 2) == 0) continue;
      accounts.push_back(shared.link(leagues.back().league.league_id, roster.roster_id));
      REQUIRE(own.link(leagues.back().league.league_id, roster.roster_id) == accounts.back());
    }
  }
  REQUIRE_FALSE(accounts.empty());

  auto compare = [&](int weeks_complete) {
    const int calls_before = shared.sleeper->calls();
    const FantasyUpdateSummary summary = shared.run();
    CHECK(summary.failed.empty());
    // At most one read of each league: its league, rosters and completed weeks, and the state.
    CHECK(shared.sleeper->calls() - calls_before <=
          1 + static_cast<int>(leagues.size()) * (2 + weeks_complete));
    for (AccountId account : accounts) {
      INFO("account " << account.value() << " links " << shared.links[account].league_id
                      << " roster " << shared.links[account].roster_id);
      REQUIRE(own.funding->update_fantasy_points_and_wins(account).ok());
      CHECK(shared.cash(account) == own.cash(account));
      CHECK(shared.cash(account) == shared.target(account));
      const auto mine = shared.ledger.svc().external_entries(account).value();
      const auto theirs = own.ledger.svc().external_entries(account).value();
      REQUIRE(mine.size() == theirs.size());
      for (size_t i = 0; i < mine.size(); ++i) {
        CHECK(mine[i].key == theirs[i].key);
        CHECK(mine[i].cash == theirs[i].cash);
      }
    }
  };
  compare(3);  // Week 4 in progress.

  // Sleeper corrects the latest finished week and the season points; week 4 finishes.
  for (LeagueScript& league : leagues) {
    random.week(league, 3);
    for (SleeperRoster& roster : league.rosters) {
      roster.fpts = std::max<int64_t>(0, roster.fpts + random.uniform(-5, 30));
    }
    shared.add(league);
    own.add(league);
  }
  shared.set_week(5);
  own.set_week(5);
  compare(4);
  compare(4);
}

}  // namespace
}  // namespace account
