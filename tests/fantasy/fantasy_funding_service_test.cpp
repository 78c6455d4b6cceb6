// FantasyFundingService against a scripted Sleeper: linking (one league,
// several leagues, a league not offered), the update's credits and their
// idempotency, stat corrections, trading kept across updates, Sleeper down,
// and update_all with a failing account. Also the scheduled jobs.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "account/fantasy/fantasy_funding.h"
#include "account/fantasy/fantasy_funding_service.h"
#include "account/fantasy/fantasy_jobs.h"
#include "account/status.h"
#include "account/testing/recording_log_sink.h"
#include "account/testing/scripted_sleeper_client.h"
#include "fantasy/office_league.h"
#include "support/json_value.h"
#include "support/ledger_fixture.h"
#include "support/prometheus_text.h"

namespace account {
namespace {

using testing::LedgerFixture;
using testing::ScriptedSleeperClient;

// 426.20 points (412.07 + a 14.13 win bonus in week 1) at $10 a point.
constexpr Cents kTarget{426'200};

SleeperLeague league(const char* id, const char* name) {
  return {.league_id = id, .name = name, .season = "2026", .status = "in_season"};
}

// Roster 3's season points, as fpts and fpts_decimal.
void serve_rosters(ScriptedSleeperClient& sleeper, int64_t fpts, int64_t decimal) {
  std::vector<SleeperRoster> rosters = testing::office_rosters();
  rosters[0].fpts = fpts;
  rosters[0].fpts_decimal = decimal;
  sleeper.set_league_rosters("11", std::move(rosters));
}

// Alice (user 100, roster 3) and Bob (user 200, roster 4) in league 11 of
// office_league.h, three weeks complete: week 1 roster 3 beats roster 4,
// then a tie, a bye.
void serve_sleeper(ScriptedSleeperClient& sleeper) {
  testing::serve_week_four(sleeper);
  sleeper.set_user({.user_id = "100", .username = "alice", .display_name = "Alice"});
  sleeper.set_user({.user_id = "200", .username = "bob", .display_name = "Bob"});
  sleeper.set_nfl_leagues("100", "2026", {league("11", "Office")});
  sleeper.set_nfl_leagues("200", "2026", {league("11", "Office")});
  testing::serve_office_league(sleeper);
}

struct World {
  std::shared_ptr<ScriptedSleeperClient> sleeper = std::make_shared<ScriptedSleeperClient>();
  LedgerFixture ledger;
  std::shared_ptr<SleeperClient> client = sleeper;
  std::vector<AccountId> logged;
  std::unique_ptr<FantasyFundingService> funding;

  World() {
    serve_sleeper(*sleeper);
    make_funding();
  }
  void make_funding() {
    funding = std::make_unique<FantasyFundingService>(
        ledger.svc(), FantasyFundingOptions{.sleeper = client,
                                            .log = [this](AccountId a, const absl::Status&) {
                                              logged.push_back(a);
                                            }});
  }
  Cents cash(AccountId a) { return ledger.svc().cash(a).value(); }
};

const SleeperLink kAliceLink{.user_id = "100", .username = "alice", .league_id = "11",
                             .season = "2026", .roster_id = 3};

TEST_CASE("funding: one league is linked at once and survives a reopen", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  auto options = w.funding->link_sleeper_league(alice, "alice", "2026");
  REQUIRE(options.ok());
  REQUIRE(options->size() == 1);
  CHECK(w.ledger.svc().get_account(alice)->sleeper == kAliceLink);
  w.ledger.reopen();
  w.make_funding();
  CHECK(w.ledger.svc().get_account(alice)->sleeper == kAliceLink);
  CHECK(w.ledger.svc().audit().ok());
  CHECK(w.funding->update_fantasy_points_and_wins(alice)->amount == kTarget);
}

TEST_CASE("funding: several leagues, one selected, a league not offered refused",
          "[fantasy][service]") {
  World w;
  w.sleeper->set_nfl_leagues("100", "2026", {league("11", "Office"), league("12", "Family")});
  w.sleeper->set_league_rosters("12", {{.roster_id = 2, .owner_id = "100"}});
  const AccountId alice = w.ledger.account();
  CHECK(w.funding->select_sleeper_league(alice, "11").code() ==
        absl::StatusCode::kFailedPrecondition);  // Nothing offered yet.
  auto options = w.funding->link_sleeper_league(alice, "alice", "2026");
  REQUIRE(options.ok());
  REQUIRE(options->size() == 2);
  CHECK_FALSE(w.ledger.svc().get_account(alice)->sleeper.has_value());
  const absl::Status refused = w.funding->select_sleeper_league(alice, "13");
  CHECK(reason_of(refused) == Reason::kInvalidArgument);
  CHECK_THAT(std::string(refused.message()), Catch::Contains("not one of the 2 leagues"));
  REQUIRE(w.funding->select_sleeper_league(alice, "12").ok());
  CHECK(w.ledger.svc().get_account(alice)->sleeper->league_id == "12");
  CHECK(w.ledger.svc().get_account(alice)->sleeper->roster_id == 2);
}

TEST_CASE("funding: a Sleeper user and a roster each fund one account", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  const AccountId other = w.ledger.account();
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());

  // The same Sleeper user, through another of their leagues.
  SleeperLink same_user = kAliceLink;
  same_user.league_id = "12";
  same_user.roster_id = 2;
  const absl::Status taken = w.ledger.svc().link_sleeper(other, same_user);
  CHECK(reason_of(taken) == Reason::kSleeperLinkTaken);
  CHECK_THAT(std::string(taken.message()), Catch::Contains("another account"));
  // The same roster, claimed by a co-owner (or anyone naming it).
  SleeperLink same_roster = kAliceLink;
  same_roster.user_id = "300";
  same_roster.username = "carol";
  CHECK(reason_of(w.ledger.svc().link_sleeper(other, same_roster)) ==
        Reason::kSleeperLinkTaken);
  CHECK_FALSE(w.ledger.svc().get_account(other)->sleeper.has_value());
  // Through the funding service: Bob's account naming Alice's Sleeper user.
  CHECK(reason_of(w.funding->link_sleeper_league(other, "alice", "2026")) ==
        Reason::kSleeperLinkTaken);
  CHECK_FALSE(w.ledger.svc().get_account(other)->sleeper.has_value());

  // Linking one's own link again is no conflict; after a reopen the links
  // are still held.
  CHECK(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  w.ledger.reopen();
  w.make_funding();
  CHECK(reason_of(w.ledger.svc().link_sleeper(other, same_roster)) ==
        Reason::kSleeperLinkTaken);

  // Once Alice links elsewhere, her old roster is free; her user is not.
  REQUIRE(w.ledger.svc().link_sleeper(alice, same_user).ok());
  CHECK(w.ledger.svc().link_sleeper(other, same_roster).ok());
  CHECK(w.ledger.svc().get_account(other)->sleeper == same_roster);
  SleeperLink alice_user_elsewhere = kAliceLink;
  alice_user_elsewhere.league_id = "13";
  CHECK(reason_of(w.ledger.svc().link_sleeper(other, alice_user_elsewhere)) ==
        Reason::kSleeperLinkTaken);
  CHECK(w.ledger.svc().audit().ok());
}

TEST_CASE("funding: a season that paid stays with its account after it relinks",
          "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  const AccountId other = w.ledger.account();
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  REQUIRE(w.funding->update_fantasy_points_and_wins(alice)->amount == kTarget);

  // Alice moves to someone else's roster. Her old user and roster are no
  // longer linked, but they paid her season: nobody else may link them.
  SleeperLink elsewhere{.user_id = "300", .username = "carol", .league_id = "12",
                        .season = "2026", .roster_id = 2};
  REQUIRE(w.ledger.svc().link_sleeper(alice, elsewhere).ok());
  const absl::Status user_taken = w.ledger.svc().link_sleeper(other, kAliceLink);
  CHECK(reason_of(user_taken) == Reason::kSleeperLinkTaken);
  CHECK_THAT(std::string(user_taken.message()),
             Catch::Contains("funded account " + std::to_string(alice.value())));
  SleeperLink same_roster = kAliceLink;
  same_roster.user_id = "400";
  CHECK(reason_of(w.ledger.svc().link_sleeper(other, same_roster)) ==
        Reason::kSleeperLinkTaken);
  CHECK(reason_of(w.funding->link_sleeper_league(other, "alice", "2026")) ==
        Reason::kSleeperLinkTaken);
  // The hold is read back from the ledger's entries after a restart.
  w.ledger.reopen();
  w.make_funding();
  CHECK(reason_of(w.ledger.svc().link_sleeper(other, kAliceLink)) == Reason::kSleeperLinkTaken);
  CHECK_FALSE(w.ledger.svc().get_account(other)->sleeper.has_value());
  CHECK(w.cash(other) == Cents{0});

  // The same Sleeper user's next season is free; Alice may go back.
  SleeperLink next_season = kAliceLink;
  next_season.league_id = "21";
  next_season.season = "2027";
  CHECK(w.ledger.svc().link_sleeper(other, next_season).ok());
  CHECK(reason_of(w.ledger.svc().link_sleeper(other, elsewhere)) == Reason::kSleeperLinkTaken);
  REQUIRE(w.ledger.svc()
              .link_sleeper(other, SleeperLink{.user_id = "500", .username = "dan",
                                               .league_id = "30", .season = "2026",
                                               .roster_id = 1})
              .ok());  // Frees user 100, which a current link holds for every season.
  CHECK(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  CHECK(w.funding->update_fantasy_points_and_wins(alice)->amount == Cents{0});
  CHECK(w.cash(alice) == kTarget);
  CHECK(w.ledger.svc().audit().ok());
}

TEST_CASE("funding: an entry is taken only from the link it was computed from, once a revision",
          "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  SleeperLink elsewhere{.user_id = "300", .username = "carol", .league_id = "12",
                        .season = "2026", .roster_id = 2};

  // An update read Alice's link, then she relinked before its entry landed.
  const std::string stale_key = fantasy_entry_key(alice, kAliceLink, 0).value();
  REQUIRE(w.ledger.svc().link_sleeper(alice, elsewhere).ok());
  const absl::Status stale =
      w.ledger.svc().credit(alice, Cents{1'000}, EntryKind::kFantasyCredit, stale_key);
  CHECK(reason_of(stale) == Reason::kSleeperLinkChanged);
  CHECK_THAT(std::string(stale.message()), Catch::Contains("links Sleeper user 300"));
  CHECK(w.cash(alice) == Cents{0});
  CHECK(w.ledger.svc().external_entries(alice)->empty());

  // Two updates that read the same revision from two links: one applies.
  REQUIRE(w.ledger.svc()
              .credit(alice, Cents{1'000}, EntryKind::kFantasyCredit,
                      fantasy_entry_key(alice, elsewhere, 0).value())
              .ok());
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  const absl::Status second =
      w.ledger.svc().credit(alice, Cents{1'200}, EntryKind::kFantasyCredit, stale_key);
  CHECK(reason_of(second) == Reason::kEntryConflict);
  CHECK(w.cash(alice) == Cents{1'000});

  // A key naming another account than the entry's is malformed.
  const AccountId other = w.ledger.account();
  CHECK(reason_of(w.ledger.svc().credit(other, Cents{1}, EntryKind::kFantasyCredit,
                                        fantasy_entry_key(alice, kAliceLink, 5).value())) ==
        Reason::kInvalidArgument);
  // The next update settles from the link Alice has now, on the next revision.
  auto update = w.funding->update_fantasy_points_and_wins(alice);
  REQUIRE(update.ok());
  CHECK(update->amount == kTarget - Cents{1'000});
  CHECK(w.cash(alice) == kTarget);
  CHECK(w.ledger.svc().audit().ok());
}

TEST_CASE("funding: only the season in play is linked and starts funding", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  // Sleeper's NFL state says 2026 (office_league.h).
  const auto past = w.funding->link_sleeper_league(alice, "alice", "2025");
  CHECK(reason_of(past) == Reason::kInvalidArgument);
  CHECK_THAT(std::string(past.status().message()), Catch::Contains("season in play (2026)"));
  CHECK_FALSE(w.ledger.svc().get_account(alice)->sleeper.has_value());

  // Funded for 2026, then linked (past the service's check) to a finished
  // season: that season is not paid on top.
  REQUIRE(w.funding->link_sleeper_league(alice, "alice", "2026").ok());
  REQUIRE(w.funding->update_fantasy_points_and_wins(alice)->amount == kTarget);
  SleeperLink last_year = kAliceLink;
  last_year.league_id = "15";
  last_year.season = "2025";
  REQUIRE(w.ledger.svc().link_sleeper(alice, last_year).ok());
  const auto refused = w.funding->update_fantasy_points_and_wins(alice);
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(refused.status().message()), Catch::Contains("never funded"));
  CHECK(w.cash(alice) == kTarget);

  // Linked back to the season in play, it settles as before: nothing more.
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  const auto again = w.funding->update_fantasy_points_and_wins(alice);
  REQUIRE(again.ok());
  CHECK(again->amount == Cents{0});
  CHECK(w.cash(alice) == kTarget);
}

TEST_CASE("funding: the link is validated", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  SleeperLink bad = kAliceLink;
  bad.league_id = std::string(256, '1');
  CHECK(reason_of(w.ledger.svc().link_sleeper(alice, bad)) == Reason::kInvalidArgument);
  bad = kAliceLink;
  bad.user_id = std::string("1\0", 2);
  CHECK(reason_of(w.ledger.svc().link_sleeper(alice, bad)) == Reason::kInvalidArgument);
  bad = kAliceLink;
  bad.season.clear();
  CHECK(reason_of(w.ledger.svc().link_sleeper(alice, bad)) == Reason::kInvalidArgument);
  CHECK(reason_of(w.ledger.svc().link_sleeper(AccountId{99}, kAliceLink)) ==
        Reason::kAccountNotFound);
  CHECK(w.funding->update_fantasy_points_and_wins(alice).status().code() ==
        absl::StatusCode::kFailedPrecondition);  // Not linked.
  FantasyFundingService none(w.ledger.svc(), {});
  CHECK(none.update_fantasy_points_and_wins(alice).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(none.update_all_fantasy_points_and_wins().status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("funding: the update credits the target once", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  auto first = w.funding->update_fantasy_points_and_wins(alice);
  REQUIRE(first.ok());
  CHECK(first->target == kTarget);
  CHECK(first->amount == kTarget);
  CHECK(w.cash(alice) == kTarget);
  const LedgerSnapshot before = w.ledger.svc().snapshot();
  auto again = w.funding->update_fantasy_points_and_wins(alice);
  REQUIRE(again.ok());
  CHECK_FALSE(again->changed());
  CHECK(w.ledger.svc().snapshot() == before);
  const std::vector<ExternalEntry> entries = w.ledger.svc().external_entries(alice).value();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].kind == EntryKind::kFantasyCredit);
}

TEST_CASE("funding: a stat correction down then up nets to the target", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  REQUIRE(w.funding->update_fantasy_points_and_wins(alice).ok());
  serve_rosters(*w.sleeper, 400, 7);  // 12 points fewer: $120.
  auto down = w.funding->update_fantasy_points_and_wins(alice);
  REQUIRE(down.ok());
  CHECK(down->amount == Cents{-12'000});
  CHECK(w.cash(alice) == kTarget - Cents{12'000});
  serve_rosters(*w.sleeper, 412, 7);
  auto up = w.funding->update_fantasy_points_and_wins(alice);
  REQUIRE(up.ok());
  CHECK(up->amount == Cents{12'000});
  CHECK(w.cash(alice) == kTarget);
  CHECK(w.ledger.svc().external_entries(alice)->size() == 3);
  CHECK(w.ledger.svc().audit().ok());
}

TEST_CASE("funding: trading results are kept across updates", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  const AccountId bob = w.ledger.account(1'000'000);
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  REQUIRE(w.funding->update_fantasy_points_and_wins(alice).ok());
  const SymbolId sym{7};
  w.ledger.give_shares(bob, sym, Qty{10'000});
  const OrderSpec buy = w.ledger.order(alice, sym, Qty{10'000}, Price{20'000});
  const OrderSpec sell = w.ledger.order(bob, sym, Qty{10'000}, Price{20'000});
  REQUIRE(w.ledger.svc().reserve_buy(buy).ok());
  REQUIRE(w.ledger.svc().reserve_sell(sell).ok());
  REQUIRE(w.ledger.svc().settle(w.ledger.fill(buy, sell, Qty{10'000}, Price{20'000})).ok());
  const Cents after_trade = kTarget - Cents{20'000};
  CHECK(w.cash(alice) == after_trade);
  auto same = w.funding->update_fantasy_points_and_wins(alice);
  REQUIRE(same.ok());
  CHECK_FALSE(same->changed());
  CHECK(w.cash(alice) == after_trade);
  serve_rosters(*w.sleeper, 413, 7);  // One more point: $10.
  REQUIRE(w.funding->update_fantasy_points_and_wins(alice)->amount == Cents{1'000});
  CHECK(w.cash(alice) == after_trade + Cents{1'000});
  CHECK(w.cash(bob) == Cents{1'000'000 + 20'000});
}

TEST_CASE("funding: Sleeper down changes nothing and the next run catches up",
          "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  const absl::Status down = denial(Reason::kSleeperUnavailable, "GET /state/nfl: HTTP 500");
  w.sleeper->set_error(ScriptedSleeperClient::Method::kNflState, down);
  w.sleeper->set_error("/league/11/rosters", down);
  const LedgerSnapshot before = w.ledger.svc().snapshot();
  CHECK(reason_of(w.funding->update_fantasy_points_and_wins(alice)) ==
        Reason::kSleeperUnavailable);
  auto summary = w.funding->update_all_fantasy_points_and_wins();
  REQUIRE(summary.ok());
  REQUIRE(summary->failed.size() == 1);
  CHECK(summary->updated == 0);
  CHECK(reason_of(summary->failed[0].status) == Reason::kSleeperUnavailable);
  CHECK(w.ledger.svc().snapshot() == before);
  // Sleeper answers the NFL state again but not the rosters: still nothing moves.
  w.sleeper->clear_errors();
  w.sleeper->set_error("/league/11/rosters", down);
  CHECK(reason_of(w.funding->update_fantasy_points_and_wins(alice)) ==
        Reason::kSleeperUnavailable);
  CHECK(w.ledger.svc().snapshot() == before);
  w.sleeper->clear_errors();
  summary = w.funding->update_all_fantasy_points_and_wins();
  REQUIRE(summary.ok());
  CHECK(summary->updated == 1);
  CHECK(summary->failed.empty());
  CHECK(w.cash(alice) == kTarget);
}

TEST_CASE("funding: update_all goes on past a failing account", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  const AccountId broken = w.ledger.account();
  const AccountId bob = w.ledger.account();
  const AccountId unlinked = w.ledger.account();
  REQUIRE(w.funding->link_sleeper_league(alice, "alice", "2026").ok());
  REQUIRE(w.funding->link_sleeper_league(bob, "bob", "2026").ok());
  SleeperLink gone = kAliceLink;
  gone.user_id = "900";   // Another Sleeper user (one user funds one account),
  gone.league_id = "99";  // in a league Sleeper does not have.
  REQUIRE(w.ledger.svc().link_sleeper(broken, gone).ok());
  auto summary = w.funding->update_all_fantasy_points_and_wins();
  REQUIRE(summary.ok());
  CHECK(summary->updated == 2);
  REQUIRE(summary->failed.size() == 1);
  CHECK(summary->failed[0].account == broken);
  CHECK(w.logged == std::vector<AccountId>{broken});
  CHECK(w.cash(alice) == kTarget);
  CHECK(w.cash(bob) == Cents{380'500});  // 380.50 points, no win bonus.
  CHECK(w.cash(unlinked) == Cents{0});
  summary = w.funding->update_all_fantasy_points_and_wins();
  REQUIRE(summary.ok());
  CHECK(summary->unchanged == 2);
  CHECK(summary->failed.size() == 1);
}

TEST_CASE("funding: the scheduled jobs update, then expire reservations", "[fantasy][service]") {
  World w;
  const AccountId alice = w.ledger.account();
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  const AccountId bob = w.ledger.account(100'000);
  const OrderSpec buy = w.ledger.order(bob, SymbolId{7}, Qty{10'000}, Price{20'000});
  REQUIRE(w.ledger.svc().reserve_buy(buy).ok());
  w.ledger.clock->advance(w.ledger.limits.reservation_expiry_max);
  const FantasyJobRun run = run_fantasy_jobs(*w.funding, w.ledger.svc(), w.ledger.clock->now());
  REQUIRE(run.update.ok());
  CHECK(run.update->updated == 1);
  CHECK(run.expired.value() == size_t{1});
  CHECK(w.cash(alice) == kTarget);
  auto scheduler = make_fantasy_scheduler(*w.funding, w.ledger.svc(), {});
  CHECK(scheduler.ok());
}

}  // namespace
}  // namespace account

namespace account {
namespace {

TEST_CASE("funding: updates, failures and weekly wins are counted, failures logged as JSON",
          "[fantasy][service][metrics]") {
  World w;
  const AccountId alice = w.ledger.account();
  const AccountId broken = w.ledger.account();
  REQUIRE(w.ledger.svc().link_sleeper(alice, kAliceLink).ok());
  SleeperLink gone = kAliceLink;
  gone.user_id = "900";
  gone.league_id = "99";
  REQUIRE(w.ledger.svc().link_sleeper(broken, gone).ok());
  auto sink = std::make_shared<testing::RecordingLogSink>();
  FantasyFundingService funding(w.ledger.svc(),
                                FantasyFundingOptions{.sleeper = w.client, .log_sink = sink});
  REQUIRE(funding.update_all_fantasy_points_and_wins().ok());

  const auto parsed = testing::parse_prometheus_text(w.ledger.svc().metrics().render_prometheus());
  REQUIRE(parsed.error == "");
  CHECK(parsed.value("fantasy_points_updated_total") == 1.0);
  CHECK(parsed.value("fantasy_update_failures_total") == 1.0);
  CHECK(parsed.value("weekly_wins_calculated_total") == 1.0);  // week 1; week 2 a tie, 3 a bye
  const std::vector<std::string> lines = sink->lines();
  REQUIRE(lines.size() == 1);
  std::optional<testing::JsonValue> line =
      testing::parse_json(std::string_view(lines[0]).substr(0, lines[0].size() - 1));
  REQUIRE(line.has_value());
  CHECK(line->get("event")->string == "fantasy_update_failed");
  CHECK(line->get("account_id")->number_text == std::to_string(broken.value()));
}

}  // namespace
}  // namespace account
