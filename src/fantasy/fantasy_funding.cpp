#include "account/fantasy/fantasy_funding.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "account/internal/int128.h"
#include "account/status.h"
#include "base/strings.h"

namespace account {
namespace {

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A season as Sleeper writes it: a four-digit year.
absl::StatusOr<int> parse_season(std::string_view season, std::string_view what) {
  if (season.size() != 4 || !is_digits(season)) {
    return absl::InvalidArgumentError(
        internal::cat(what, " '", season, "' is not a four-digit year"));
  }
  int year = 0;
  for (char c : season) year = year * 10 + (c - '0');
  return year;
}

// Weeks complete when the NFL's current season is the league's.
absl::StatusOr<int> completed_in_current_season(const NflState& state,
                                                std::string_view league_status) {
  switch (state.season_type) {
    case NflSeasonType::kPre:
      return 0;
    case NflSeasonType::kRegular:
      return std::clamp(state.week - 1, 0, kNflRegularSeasonWeeks);
    case NflSeasonType::kPost:
      return kNflRegularSeasonWeeks;
    case NflSeasonType::kOff:
      if (league_status == "pre_draft" || league_status == "drafting") return 0;
      return absl::FailedPreconditionError(internal::cat(
          "the NFL is in its off-season ", state.season, " but the league is '", league_status,
          "': cannot tell which weeks are complete"));
  }
  return absl::InvalidArgumentError("unknown NFL season type");
}

}  // namespace

std::string_view week_outcome_name(WeekOutcome outcome) {
  switch (outcome) {
    case WeekOutcome::kWin: return "win";
    case WeekOutcome::kLoss: return "loss";
    case WeekOutcome::kTie: return "tie";
    case WeekOutcome::kBye: return "bye";
    case WeekOutcome::kAbsent: return "absent";
  }
  return "unknown";
}

FantasyPoints win_bonus(FantasyPoints week_points) {
  if (week_points.hundredths() <= 0) return FantasyPoints{0};
  // Integer division truncates toward zero, which for a positive score is
  // rounding down.
  return FantasyPoints{week_points.hundredths() * kWinBonusPercent / 100};
}

absl::StatusOr<WeekResult> score_week(absl::Span<const SleeperMatchup> matchups,
                                      int64_t roster_id) {
  const SleeperMatchup* mine = nullptr;
  for (const SleeperMatchup& m : matchups) {
    if (m.roster_id != roster_id) continue;
    if (mine != nullptr) {
      return absl::InvalidArgumentError(
          internal::cat("roster ", roster_id, " appears twice in one week's matchups"));
    }
    mine = &m;
  }
  WeekResult result;
  if (mine == nullptr) return result;  // kAbsent.
  result.points = mine->points;
  result.outcome = WeekOutcome::kBye;
  if (!mine->matchup_id) return result;

  std::optional<FantasyPoints> best_opponent;
  for (const SleeperMatchup& m : matchups) {
    if (&m == mine || m.matchup_id != mine->matchup_id) continue;
    if (!best_opponent || m.points > *best_opponent) best_opponent = m.points;
  }
  if (!best_opponent) return result;  // Alone in its matchup: a bye.

  result.opponent_points = *best_opponent;
  if (mine->points > *best_opponent) {
    result.outcome = WeekOutcome::kWin;
    result.bonus = win_bonus(mine->points);
  } else {
    result.outcome = mine->points == *best_opponent ? WeekOutcome::kTie : WeekOutcome::kLoss;
  }
  return result;
}

absl::StatusOr<int> completed_week_max(const NflState& state, std::string_view league_season,
                                       std::string_view league_status) {
  auto league_year = parse_season(league_season, "league season");
  if (!league_year.ok()) return league_year.status();
  auto nfl_year = parse_season(state.season, "NFL season");
  if (!nfl_year.ok()) return nfl_year.status();

  if (league_status == kSleeperLeagueComplete) return kNflRegularSeasonWeeks;
  if (*league_year < *nfl_year) return kNflRegularSeasonWeeks;
  if (*league_year > *nfl_year) return 0;
  return completed_in_current_season(state, league_status);
}

absl::StatusOr<Cents> fantasy_target(FantasyPoints total, int64_t cents_per_point) {
  if (cents_per_point < 1 || cents_per_point > kCentsPerPointMax) {
    return absl::InvalidArgumentError(internal::cat(
        "conversion rate ", cents_per_point, " cents a point is outside 1..", kCentsPerPointMax));
  }
  if (total.hundredths() <= 0) return Cents{0};
  // Both factors are positive, so truncating division rounds down.
  const internal::Int128 cents =
      internal::Int128{total.hundredths()} * cents_per_point / kHundredthsPerPoint;
  if (cents > std::numeric_limits<int64_t>::max()) {
    return absl::OutOfRangeError(internal::cat(total.to_string(), " points at ", cents_per_point,
                                               " cents a point exceed int64 cents"));
  }
  return Cents{static_cast<int64_t>(cents)};
}

absl::StatusOr<int64_t> parse_cents_per_point(std::string_view dollars_per_point) {
  const auto invalid = [&] {
    return absl::InvalidArgumentError(internal::cat(
        "conversion rate '", dollars_per_point,
        "' is not dollars a point like 10 or 12.50 (at most two decimals, above 0, at most ",
        kCentsPerPointMax / 100, ")"));
  };
  const size_t dot = dollars_per_point.find('.');
  const std::string_view whole = dollars_per_point.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : dollars_per_point.substr(dot + 1);
  if (!is_digits(whole) || whole.size() > 7) return invalid();
  if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 2)) return invalid();
  if (!fraction.empty() && !is_digits(fraction)) return invalid();

  int64_t cents = 0;
  for (char c : whole) cents = cents * 10 + (c - '0');
  cents *= 100;
  if (!fraction.empty()) cents += (fraction[0] - '0') * 10;
  if (fraction.size() == 2) cents += fraction[1] - '0';
  if (cents < 1 || cents > kCentsPerPointMax) return invalid();
  return cents;
}

namespace {

// Digits only (SimpleAtoi alone would take a sign or spaces), within u64.
std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t v = 0;
  if (!is_digits(s) || !absl::SimpleAtoi(internal::to_absl(s), &v)) return std::nullopt;
  return v;
}

bool is_key_id(std::string_view id) {
  return !id.empty() && id.size() <= kFantasyKeyIdBytesMax &&
         id.find(':') == std::string_view::npos;
}

// Splits "a:b:c" at every ':'.
std::vector<std::string_view> split_fields(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t colon = s.find(':', start);
    out.push_back(s.substr(start, colon - start));
    if (colon == std::string_view::npos) return out;
    start = colon + 1;
  }
}

}  // namespace

absl::StatusOr<std::string> fantasy_entry_key(AccountId account, const SleeperLink& source,
                                              uint64_t revision) {
  if (!account.valid()) return absl::InvalidArgumentError("account id 0");
  if (auto year = parse_season(source.season, "season"); !year.ok()) return year.status();
  if (!is_key_id(source.user_id) || !is_key_id(source.league_id)) {
    return absl::InvalidArgumentError(internal::cat(
        "Sleeper user id '", source.user_id, "' or league id '", source.league_id,
        "' is empty, over ", kFantasyKeyIdBytesMax, " bytes or holds ':': it cannot key a ",
        "fantasy entry"));
  }
  if (source.roster_id < 1) {
    return absl::InvalidArgumentError(
        internal::cat("Sleeper roster id ", source.roster_id, " is below 1"));
  }
  return internal::cat("fantasy:", account.value(), ":", source.season, ":", revision, ":",
                       source.user_id, ":", source.league_id, ":", source.roster_id);
}

std::string FantasyEntryKey::revision_key() const {
  return internal::cat("fantasy:", account.value(), ":", season, ":", revision);
}

std::optional<FantasyEntryKey> parse_fantasy_entry_key(std::string_view key) {
  const std::vector<std::string_view> f = split_fields(key);
  if ((f.size() != 4 && f.size() != 7) || f[0] != "fantasy") return std::nullopt;
  const std::optional<uint64_t> account = parse_u64(f[1]);
  // At most 19 digits, so that revision + 1 stays in range.
  const std::optional<uint64_t> revision =
      f[3].size() <= 19 ? parse_u64(f[3]) : std::optional<uint64_t>();
  if (!account || *account == 0 || !revision || !parse_season(f[2], "season").ok()) {
    return std::nullopt;
  }
  FantasyEntryKey out{.account = AccountId{*account}, .season = std::string(f[2]),
                      .revision = *revision};
  if (f.size() == 4) return out;
  const std::optional<uint64_t> roster = parse_u64(f[6]);
  if (!is_key_id(f[4]) || !is_key_id(f[5]) || !roster || *roster < 1 ||
      *roster > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  out.source = SleeperLink{.user_id = std::string(f[4]),
                           .league_id = std::string(f[5]),
                           .season = out.season,
                           .roster_id = static_cast<int64_t>(*roster)};
  return out;
}

absl::StatusOr<FantasyCreditHistory> fantasy_credit_history(
    absl::Span<const ExternalEntry> entries, AccountId account, std::string_view season) {
  const std::string prefix = internal::cat("fantasy:", account.value(), ":", season, ":");
  FantasyCreditHistory history;
  for (const ExternalEntry& entry : entries) {
    const std::string_view key = entry.key;
    if (key.substr(0, prefix.size()) != prefix) continue;
    const std::optional<FantasyEntryKey> parsed = parse_fantasy_entry_key(key);
    if (!parsed) {
      return absl::InvalidArgumentError(internal::cat(
          "entry '", key, "' has no revision number, or no whole source, after '", prefix, "'"));
    }
    if (entry.account != account || entry.kind != EntryKind::kFantasyCredit) {
      return absl::InvalidArgumentError(internal::cat(
          "entry '", key, "' belongs to account ", entry.account.value(), " with kind ",
          entry_kind_name(entry.kind), ", not a fantasy credit of account ", account.value()));
    }
    std::optional<Cents> sum = checked_add(history.credited, entry.cash);
    if (!sum) {
      return absl::OutOfRangeError(internal::cat("fantasy credits of '", prefix, "' overflow"));
    }
    history.credited = *sum;
    history.next_revision = std::max(history.next_revision, parsed->revision + 1);
  }
  return history;
}

absl::StatusOr<FantasyCreditPlan> plan_fantasy_credit(AccountId account, const SleeperLink& link,
                                                      Cents target,
                                                      const FantasyCreditHistory& history,
                                                      Cents available_cash) {
  // The key first: it checks the account and the link.
  ACCOUNT_ASSIGN_OR_RETURN(std::string key,
                           fantasy_entry_key(account, link, history.next_revision));
  if (target < Cents{0}) {
    return absl::InvalidArgumentError(
        internal::cat("target ", target.value(), " cents is negative"));
  }
  const std::optional<Cents> delta = checked_sub(target, history.credited);
  if (!delta) return absl::OutOfRangeError("target minus credited leaves int64 cents");

  FantasyCreditPlan plan;
  Cents amount = *delta;
  if (*delta < Cents{0}) {
    // Never below 0, and history.credited <= INT64_MAX keeps -delta in range.
    const Cents owed = -*delta;
    const Cents takeable = std::max(available_cash, Cents{0});
    const Cents taken = std::min(owed, takeable);
    plan.shortfall = owed - taken;
    amount = -taken;
  }
  if (amount != Cents{0}) {
    plan.entry = FantasyCredit{.key = std::move(key),
                               .account = account,
                               .amount = amount};
  }
  return plan;
}

}  // namespace account
