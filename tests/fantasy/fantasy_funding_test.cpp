// The fantasy funding math: win bonus and its rounding, outcomes of a week,
// which weeks are complete, points to cents, and the idempotent ledger
// entries with downward corrections.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "account/fantasy/fantasy_funding.h"
#include "account/fantasy/fantasy_funding_service.h"

namespace account {
namespace {

FantasyPoints pts(int64_t hundredths) { return FantasyPoints{hundredths}; }

SleeperMatchup matchup(int64_t roster, std::optional<int64_t> id, int64_t hundredths) {
  return {.roster_id = roster, .matchup_id = id, .points = pts(hundredths)};
}

TEST_CASE("win bonus: 10% of the week's points, rounded down to a hundredth", "[funding]") {
  CHECK(win_bonus(pts(14'135)) == pts(1'413));  // 141.35 -> 14.135 -> 14.13
  CHECK(win_bonus(pts(14'130)) == pts(1'413));  // 141.30 -> exactly 14.13
  CHECK(win_bonus(pts(14'139)) == pts(1'413));
  CHECK(win_bonus(pts(14'140)) == pts(1'414));
  CHECK(win_bonus(pts(10)) == pts(1));
  CHECK(win_bonus(pts(9)) == pts(0));
  CHECK(win_bonus(pts(0)) == pts(0));
  CHECK(win_bonus(pts(-450)) == pts(0));  // A bonus never takes points.
}

TEST_CASE("score_week: win, loss, tie, bye and absent", "[funding]") {
  const std::vector<SleeperMatchup> week = {
      matchup(1, 1, 12'050), matchup(2, 1, 11'025),  // 1 beats 2
      matchup(3, 2, 10'000), matchup(4, 2, 10'000),  // tie
      matchup(5, std::nullopt, 15'000),              // bye
      matchup(6, 3, 9'000),                          // nobody else in matchup 3
  };
  CHECK(score_week(week, 1).value() == WeekResult{.outcome = WeekOutcome::kWin,
                                                  .points = pts(12'050),
                                                  .opponent_points = pts(11'025),
                                                  .bonus = pts(1'205)});
  CHECK(score_week(week, 2).value() == WeekResult{.outcome = WeekOutcome::kLoss,
                                                  .points = pts(11'025),
                                                  .opponent_points = pts(12'050)});
  CHECK(score_week(week, 3).value() == WeekResult{.outcome = WeekOutcome::kTie,
                                                  .points = pts(10'000),
                                                  .opponent_points = pts(10'000)});
  CHECK(score_week(week, 5).value() ==
        WeekResult{.outcome = WeekOutcome::kBye, .points = pts(15'000)});
  CHECK(score_week(week, 6).value() ==
        WeekResult{.outcome = WeekOutcome::kBye, .points = pts(9'000)});
  CHECK(score_week(week, 7).value() == WeekResult{});
  CHECK(score_week({}, 1).value().outcome == WeekOutcome::kAbsent);
}

TEST_CASE("score_week: a tie by a hundredth is not a tie", "[funding]") {
  const std::vector<SleeperMatchup> week = {matchup(1, 4, 10'001), matchup(2, 4, 10'000)};
  CHECK(score_week(week, 1).value().outcome == WeekOutcome::kWin);
  CHECK(score_week(week, 1).value().bonus == pts(1'000));
}

TEST_CASE("score_week: a playoff week pays bracket winners only", "[funding]") {
  // Week 15 of a 6-team league: 4 teams in the bracket, 2 out of it with no matchup.
  const std::vector<SleeperMatchup> week = {
      matchup(1, 1, 13'000), matchup(4, 1, 12'000), matchup(2, 2, 9'000),
      matchup(3, 2, 9'500),  matchup(5, std::nullopt, 16'000), matchup(6, std::nullopt, 4'000),
  };
  CHECK(score_week(week, 1).value().bonus == pts(1'300));
  CHECK(score_week(week, 3).value().bonus == pts(950));
  CHECK(score_week(week, 2).value().bonus == pts(0));
  CHECK(score_week(week, 5).value().outcome == WeekOutcome::kBye);  // Best score, no bonus.
  CHECK(score_week(week, 5).value().bonus == pts(0));
}

TEST_CASE("score_week: a roster listed twice is refused", "[funding]") {
  const std::vector<SleeperMatchup> week = {matchup(1, 1, 100), matchup(1, 1, 200)};
  CHECK(score_week(week, 1).status().code() == absl::StatusCode::kInvalidArgument);
}

NflState state(const char* season, NflSeasonType type, int week) {
  return {.season = season, .season_type = type, .week = week, .display_week = week};
}

TEST_CASE("completed weeks: regular season, the weeks before the scoring week", "[funding]") {
  using T = NflSeasonType;
  CHECK(completed_week_max(state("2026", T::kRegular, 1), "2026", "in_season").value() == 0);
  CHECK(completed_week_max(state("2026", T::kRegular, 5), "2026", "in_season").value() == 4);
  CHECK(completed_week_max(state("2026", T::kRegular, 18), "2026", "in_season").value() == 17);
  CHECK(completed_week_max(state("2026", T::kRegular, 0), "2026", "in_season").value() == 0);
  CHECK(completed_week_max(state("2026", T::kRegular, 25), "2026", "in_season").value() == 18);
}

// The design document's bonus loop ran to the NFL state's week inclusive,
// paying the week still being played: a Sunday-night lead would be paid,
// then taken back on Tuesday when Monday night turned it into a loss.
TEST_CASE("regression: design-document bonus loop counted the week in progress", "[funding]") {
  const NflState sunday_of_week_5 = state("2026", NflSeasonType::kRegular, 5);
  CHECK(completed_week_max(sunday_of_week_5, "2026", "in_season").value() == 4);
}

TEST_CASE("completed weeks: pre-season, post-season, off-season and other seasons",
          "[funding]") {
  using T = NflSeasonType;
  CHECK(completed_week_max(state("2026", T::kPre, 0), "2026", "pre_draft").value() == 0);
  CHECK(completed_week_max(state("2026", T::kPre, 2), "2026", "drafting").value() == 0);
  CHECK(completed_week_max(state("2026", T::kPost, 1), "2026", "in_season").value() == 18);
  CHECK(completed_week_max(state("2026", T::kOff, 0), "2026", "pre_draft").value() == 0);
  CHECK(completed_week_max(state("2026", T::kOff, 0), "2026", "in_season").status().code() ==
        absl::StatusCode::kFailedPrecondition);
  // A finished league, whatever the NFL calendar says.
  CHECK(completed_week_max(state("2026", T::kRegular, 3), "2026", "complete").value() == 18);
  CHECK(completed_week_max(state("2026", T::kOff, 0), "2026", "complete").value() == 18);
  // Sleeper rolls `season` over before the new season starts.
  CHECK(completed_week_max(state("2027", T::kOff, 0), "2026", "in_season").value() == 18);
  CHECK(completed_week_max(state("2026", T::kRegular, 9), "2027", "pre_draft").value() == 0);
  CHECK(completed_week_max(state("2026", T::kRegular, 9), "26", "in_season").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(completed_week_max(state("", T::kRegular, 9), "2026", "in_season").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("target: exact at the default rate, rounded down otherwise", "[funding]") {
  CHECK(fantasy_target(pts(161'778), kDefaultCentsPerPoint).value() == Cents{1'617'780});
  CHECK(fantasy_target(pts(161'778), 1'234).value() == Cents{1'996'340});  // 1'996'340.52
  CHECK(fantasy_target(pts(161'778), 1).value() == Cents{1'617});          // 1'617.78
  CHECK(fantasy_target(pts(1), 99).value() == Cents{0});                   // 0.99
  CHECK(fantasy_target(pts(0), kDefaultCentsPerPoint).value() == Cents{0});
  CHECK(fantasy_target(pts(-5'000), kDefaultCentsPerPoint).value() == Cents{0});
  CHECK(fantasy_target(pts(kFantasyHundredthsMax), kCentsPerPointMax).value() ==
        Cents{kFantasyHundredthsMax * (kCentsPerPointMax / 100)});
  CHECK(fantasy_target(pts(INT64_MAX), kCentsPerPointMax).status().code() ==
        absl::StatusCode::kOutOfRange);
  CHECK(fantasy_target(pts(100), 0).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(fantasy_target(pts(100), kCentsPerPointMax + 1).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("target: matches a slow reference on random inputs", "[funding]") {
  const uint64_t seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> hundredths(0, kFantasyHundredthsMax);
  std::uniform_int_distribution<int64_t> rate(1, kCentsPerPointMax);
  for (int i = 0; i < 10'000; ++i) {
    const int64_t h = hundredths(rng);
    const int64_t r = rate(rng);
    // Whole points times the rate, plus the hundredths' share rounded down.
    const int64_t reference = (h / 100) * r + (h % 100) * r / 100;
    REQUIRE(fantasy_target(pts(h), r).value() == Cents{reference});
  }
}

TEST_CASE("conversion rate: dollars a point to cents", "[funding]") {
  CHECK(parse_cents_per_point("10").value() == 1'000);
  CHECK(parse_cents_per_point("12.5").value() == 1'250);
  CHECK(parse_cents_per_point("12.50").value() == 1'250);
  CHECK(parse_cents_per_point("0.75").value() == 75);
  CHECK(parse_cents_per_point("0.01").value() == 1);
  CHECK(parse_cents_per_point("10000").value() == kCentsPerPointMax);
  for (const char* bad : {"", "0", "0.00", "-1", "+1", "1.234", "1.", ".5", "abc", " 10", "10 ",
                          "10000.01", "1e3", "99999999"}) {
    INFO(bad);
    CHECK(parse_cents_per_point(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

// Roster 3 of league 11, Sleeper user 100, season 2026.
const SleeperLink kLink{.user_id = "100", .league_id = "11", .season = "2026", .roster_id = 3};

ExternalEntry entry(std::string key, uint64_t account, int64_t cents,
                    EntryKind kind = EntryKind::kFantasyCredit) {
  return {.key = std::move(key), .kind = kind, .account = AccountId{account},
          .cash = Cents{cents}};
}

TEST_CASE("history: sums one account's season and skips everything else", "[funding]") {
  const AccountId alice{7};
  const std::vector<ExternalEntry> entries = {
      entry("fantasy:7:2026:0", 7, 1'000),
      entry("fantasy:7:2026:1", 7, -300),
      entry("fantasy:7:2026:2:100:11:3", 7, 50),  // Keys name their source now.
      entry("fantasy:7:2025:0", 7, 9'999),   // Another season.
      entry("fantasy:70:2026:0", 70, 5'000), // Another account, prefix-alike.
      entry("adjust:7:1", 7, 123, EntryKind::kAdjustment),
  };
  CHECK(fantasy_credit_history(entries, alice, "2026").value() ==
        FantasyCreditHistory{.credited = Cents{750}, .next_revision = 3});
  CHECK(fantasy_credit_history(entries, alice, "2027").value() == FantasyCreditHistory{});
  CHECK(fantasy_entry_key(alice, kLink, 3).value() == "fantasy:7:2026:3:100:11:3");
}

TEST_CASE("keys: name account, season, revision and source, and read back", "[funding]") {
  const std::string key = fantasy_entry_key(AccountId{7}, kLink, 12).value();
  const std::optional<FantasyEntryKey> read = parse_fantasy_entry_key(key);
  REQUIRE(read);
  CHECK(read->account == AccountId{7});
  CHECK(read->season == "2026");
  CHECK(read->revision == 12);
  CHECK(read->source == kLink);
  CHECK(read->revision_key() == "fantasy:7:2026:12");

  // The form written before keys named their source: a revision, no source.
  const std::optional<FantasyEntryKey> old = parse_fantasy_entry_key("fantasy:7:2026:3");
  REQUIRE(old);
  CHECK(old->revision == 3);
  CHECK_FALSE(old->source);

  // The longest ids fit the ledger's key limit.
  SleeperLink longest = kLink;
  longest.user_id = std::string(kFantasyKeyIdBytesMax, '9');
  longest.league_id = std::string(kFantasyKeyIdBytesMax, '8');
  longest.roster_id = INT64_MAX;
  const std::string widest =
      fantasy_entry_key(AccountId{UINT64_MAX}, longest, 999'999'999'999'999'999).value();
  CHECK(widest.size() <= kEntryKeyBytesMax);
  CHECK(parse_fantasy_entry_key(widest)->source == longest);

  // Keys a fantasy run did not write read as nothing.
  for (const char* other : {"fantasy:1:w1", "fantasy:1:2026:w1", "fantasy:0:2026:1",
                            "fantasy:7:26:1", "fantasy:7:2026:1:100:11",
                            "fantasy:7:2026:1:100:11:0", "fantasy:7:2026:1::11:3",
                            "fantasy:7:2026:1:100:11:3:4",
                            "fantasy:7:2026:99999999999999999999", "adjust:7:2026:1"}) {
    INFO(other);
    CHECK_FALSE(parse_fantasy_entry_key(other));
  }
  // Links that cannot key an entry.
  std::vector<SleeperLink> unkeyable(4, kLink);
  unkeyable[0].user_id = std::string(kFantasyKeyIdBytesMax + 1, '1');
  unkeyable[1].league_id = "11:12";
  unkeyable[2].roster_id = 0;
  unkeyable[3].season = "26";
  for (const SleeperLink& bad : unkeyable) {
    INFO(bad.user_id << " " << bad.league_id << " " << bad.roster_id << " " << bad.season);
    CHECK(fantasy_entry_key(AccountId{7}, bad, 0).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("history: a gap in revisions never reuses a key", "[funding]") {
  const std::vector<ExternalEntry> entries = {entry("fantasy:7:2026:0", 7, 100),
                                              entry("fantasy:7:2026:4", 7, 100)};
  CHECK(fantasy_credit_history(entries, AccountId{7}, "2026").value().next_revision == 5);
}

TEST_CASE("history: entries that break the key scheme are refused", "[funding]") {
  for (const ExternalEntry& bad :
       {entry("fantasy:7:2026:x", 7, 1), entry("fantasy:7:2026:", 7, 1),
        entry("fantasy:7:2026:1:100", 7, 1),
        entry("fantasy:7:2026:0", 8, 1), entry("fantasy:7:2026:0", 7, 1, EntryKind::kWinBonus)}) {
    INFO(bad.key);
    CHECK(fantasy_credit_history({bad}, AccountId{7}, "2026").status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

// A model of the two ledger calls the update makes, with the ledger's rules
// for idempotency keys and available cash.
struct MiniLedger {
  std::map<std::string, ExternalEntry> entries;
  Cents cash;
  Cents reserved;  // Held by open orders.

  Cents available() const { return cash - reserved; }

  // kDuplicateEntry -> "duplicate", kEntryConflict -> "conflict".
  std::string apply(const FantasyCredit& credit) {
    auto it = entries.find(credit.key);
    if (it != entries.end()) return it->second.cash == credit.amount ? "duplicate" : "conflict";
    if (credit.amount < Cents{0} && -credit.amount > available()) return "insufficient";
    entries[credit.key] = entry(credit.key, credit.account.value(), credit.amount.value());
    cash += credit.amount;
    return "applied";
  }

  std::vector<ExternalEntry> list() const {
    std::vector<ExternalEntry> out;
    for (const auto& [key, e] : entries) out.push_back(e);
    return out;
  }

  // One fantasy update: read, plan, apply.
  FantasyCreditPlan update(AccountId account, Cents target, std::string* outcome = nullptr) {
    const FantasyCreditHistory history = fantasy_credit_history(list(), account, "2026").value();
    const FantasyCreditPlan plan =
        plan_fantasy_credit(account, kLink, target, history, available()).value();
    const std::string result = plan.entry ? apply(*plan.entry) : "none";
    if (outcome != nullptr) *outcome = result;
    return plan;
  }

  Cents credited(AccountId account) const {
    return fantasy_credit_history(list(), account, "2026").value().credited;
  }
};

TEST_CASE("plan: running the same update twice pays once", "[funding]") {
  const AccountId alice{7};
  MiniLedger ledger;
  const FantasyCreditHistory empty;
  const FantasyCreditPlan first =
      plan_fantasy_credit(alice, kLink, Cents{1'617'780}, empty, Cents{0}).value();
  const FantasyCreditPlan again =
      plan_fantasy_credit(alice, kLink, Cents{1'617'780}, empty, Cents{0}).value();
  REQUIRE(first.entry);
  CHECK(*first.entry == FantasyCredit{.key = "fantasy:7:2026:0:100:11:3", .account = alice,
                                      .amount = Cents{1'617'780}});
  CHECK(first == again);  // Two runs that read the same ledger agree on key and amount.
  CHECK(ledger.apply(*first.entry) == "applied");
  CHECK(ledger.apply(*again.entry) == "duplicate");
  CHECK(ledger.cash == Cents{1'617'780});

  std::string outcome;
  ledger.update(alice, Cents{1'617'780}, &outcome);  // A re-run after the commit.
  CHECK(outcome == "none");
  CHECK(ledger.cash == Cents{1'617'780});
}

TEST_CASE("plan: two runs that saw different targets collide on the key", "[funding]") {
  const AccountId alice{7};
  MiniLedger ledger;
  const FantasyCreditHistory empty;
  auto a = plan_fantasy_credit(alice, kLink, Cents{1'000}, empty, Cents{0}).value();
  auto b = plan_fantasy_credit(alice, kLink, Cents{1'200}, empty, Cents{0}).value();
  CHECK(ledger.apply(*a.entry) == "applied");
  CHECK(ledger.apply(*b.entry) == "conflict");  // Not paid twice; the next run settles it.
  ledger.update(alice, Cents{1'200});
  CHECK(ledger.cash == Cents{1'200});
}

TEST_CASE("plan: a correction down then up nets to the right cash", "[funding]") {
  const AccountId alice{7};
  MiniLedger ledger;
  ledger.update(alice, Cents{1'000});
  ledger.cash += Cents{500};        // A trading gain: not fantasy money.
  ledger.reserved = Cents{1'400};   // Most of it is held by open orders: 100 available.

  std::string outcome;
  FantasyCreditPlan down = ledger.update(alice, Cents{700}, &outcome);  // Stat correction: -300.
  CHECK(outcome == "applied");
  CHECK(down.entry->amount == Cents{-100});  // Only what is available.
  CHECK(down.shortfall == Cents{200});
  CHECK(ledger.available() == Cents{0});     // Invariant 1 holds.

  FantasyCreditPlan idle = ledger.update(alice, Cents{700}, &outcome);
  CHECK(outcome == "none");                  // Nothing available: nothing to take yet.
  CHECK(idle.shortfall == Cents{200});

  FantasyCreditPlan up = ledger.update(alice, Cents{1'000}, &outcome);  // Corrected back up.
  CHECK(up.entry->amount == Cents{100});     // Nets the 200 still owed against the 300 rise.
  CHECK(up.shortfall == Cents{0});
  CHECK(ledger.credited(alice) == Cents{1'000});
  CHECK(ledger.cash == Cents{1'500});        // 1,000 fantasy + 500 trading, as if never corrected.
  CHECK(ledger.entries.size() == 3);
}

TEST_CASE("plan: a shortfall is taken when cash comes back", "[funding]") {
  const AccountId alice{7};
  MiniLedger ledger;
  ledger.update(alice, Cents{1'000});
  ledger.reserved = Cents{1'000};
  FantasyCreditPlan down = ledger.update(alice, Cents{400});
  CHECK_FALSE(down.entry);
  CHECK(down.shortfall == Cents{600});
  ledger.reserved = Cents{0};  // The orders were cancelled.
  FantasyCreditPlan later = ledger.update(alice, Cents{400});
  CHECK(later.entry->amount == Cents{-600});
  CHECK(later.shortfall == Cents{0});
  CHECK(ledger.cash == Cents{400});
}

TEST_CASE("plan: a target that returns to an old value gets a fresh key", "[funding]") {
  const AccountId alice{7};
  MiniLedger ledger;
  for (int64_t target : {1'000, 900, 1'000, 900, 1'000}) {
    std::string outcome;
    ledger.update(alice, Cents{target}, &outcome);
    CHECK(outcome == "applied");
    CHECK(ledger.cash == Cents{target});
  }
}

TEST_CASE("plan: arguments are checked", "[funding]") {
  const FantasyCreditHistory empty;
  CHECK(plan_fantasy_credit(AccountId{}, kLink, Cents{1}, empty, Cents{0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  SleeperLink no_year = kLink;
  no_year.season = "x";
  CHECK(plan_fantasy_credit(AccountId{7}, no_year, Cents{1}, empty, Cents{0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(plan_fantasy_credit(AccountId{7}, kLink, Cents{-1}, empty, Cents{0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(plan_fantasy_credit(AccountId{7}, kLink, Cents{0}, empty, Cents{0})->entry);
}

TEST_CASE("plan: random corrections and spending keep cash available and net right",
          "[funding]") {
  const uint64_t seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const AccountId alice{7};
  for (int run = 0; run < 200; ++run) {
    MiniLedger ledger;
    Cents trading;  // Net trading result, kept apart from fantasy cash.
    Cents target;
    for (int step = 0; step < 30; ++step) {
      target = Cents{std::uniform_int_distribution<int64_t>(0, 5'000)(rng)};
      ledger.reserved = Cents{std::uniform_int_distribution<int64_t>(0, 1)(rng) == 0
                                  ? 0
                                  : std::uniform_int_distribution<int64_t>(
                                        0, std::max<int64_t>(ledger.cash.value(), 0))(rng)};
      const Cents gain{std::uniform_int_distribution<int64_t>(-100, 100)(rng)};
      if (ledger.available() + gain >= Cents{0}) {
        ledger.cash += gain;
        trading += gain;
      }
      const FantasyCreditPlan plan = ledger.update(alice, target);
      REQUIRE(ledger.available() >= Cents{0});
      REQUIRE(ledger.credited(alice) - target == plan.shortfall);
      REQUIRE(ledger.cash == ledger.credited(alice) + trading);
    }
    ledger.reserved = Cents{0};
    if (ledger.cash >= ledger.credited(alice) - target) {
      ledger.update(alice, target);
      REQUIRE(ledger.credited(alice) == target);
      REQUIRE(ledger.cash == target + trading);
    }
  }
}

}  // namespace
}  // namespace account

namespace account {
namespace {

// No ';' in the name: ctest would split the test in two at it.
TEST_CASE("FANTASY_POINTS_CONVERSION_RATE sets cents per point, a bad one is refused by name",
          "[fantasy][config]") {
  const char* saved = std::getenv("FANTASY_POINTS_CONVERSION_RATE");
  const std::string restore = saved == nullptr ? "" : saved;
  ::unsetenv("FANTASY_POINTS_CONVERSION_RATE");
  CHECK(fantasy_options_from_environment().value().cents_per_point == 1'000);
  ::setenv("FANTASY_POINTS_CONVERSION_RATE", "12.5", 1);
  CHECK(fantasy_options_from_environment().value().cents_per_point == 1'250);
  ::setenv("FANTASY_POINTS_CONVERSION_RATE", "-3", 1);
  const auto bad = fantasy_options_from_environment();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()).find("FANTASY_POINTS_CONVERSION_RATE") !=
        std::string::npos);
  if (restore.empty()) {
    ::unsetenv("FANTASY_POINTS_CONVERSION_RATE");
  } else {
    ::setenv("FANTASY_POINTS_CONVERSION_RATE", restore.c_str(), 1);
  }
}

}  // namespace
}  // namespace account
