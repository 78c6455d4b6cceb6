// File: fantasy/fantasy_funding.h
//
// The arithmetic that turns fantasy points into ledgered cash, as pure
// functions (no I/O, no clock). docs/sleeper.md explains the rules; in short:
//
//   target   = floor((season points + win bonuses) x cents_per_point / 100), never below 0
//   bonus    = floor(10% of the week's points) for a completed week the roster won outright
//   entry    = target - already credited, as one idempotent ledger entry
//
//   WeekResult w = score_week(week_matchups, /*roster_id=*/3).value();   // w.bonus
//   Cents target = fantasy_target(season_points + bonuses, kDefaultCentsPerPoint).value();
//   FantasyCreditHistory h = fantasy_credit_history(entries, account, "2026").value();
//   FantasyCreditPlan plan = plan_fantasy_credit(account, link, target, h, available).value();
//   if (plan.entry) { /* credit or debit plan.entry->amount under plan.entry->key */ }
//
// Idempotency: the key of the next entry is
// "fantasy:<account>:<season>:<revision>:<user id>:<league id>:<roster id>",
// where revision counts the account's fantasy entries for that season so far
// and the last three fields name the Sleeper link the amount was computed
// from (its source). The ledger takes one entry per account, season and
// revision, whatever its source: two runs that read the same ledger compute
// the same revision; if they also computed the same amount from the same
// link, the ledger applies one and answers kDuplicateEntry to the other;
// otherwise (Sleeper's numbers moved between them, or the account relinked)
// the second gets kEntryConflict and the next run settles the difference.
//
// Sources: the ledger applies an entry only while its account links the
// entry's source (else kSleeperLinkChanged), and from then on holds that
// Sleeper user's season and that roster for the account, so that no other
// account can link them (kSleeperLinkTaken), even after this one relinks: a
// season pays one account (docs/sleeper.md). Once an entry is
// applied the revision moves on, so a later, different target always gets a
// fresh key, and a target that returns to an earlier value (a stat
// correction undone) is a new entry, not a collision with the old one.
//
// Corrections: a target below what was credited gives a negative entry, a
// debit of at most the available cash (invariant 1: available cash never
// goes below 0). What cannot be taken now is the shortfall; it is not stored
// anywhere, because it is exactly credited - target, which the ledger and
// Sleeper already hold: every later run tries again to take it, and a later
// rise of the target nets against it before any new cash is paid.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "account/external_entry.h"
#include "account/fantasy/fantasy_points.h"
#include "account/ids.h"
#include "account/sleeper_account_link.h"
#include "account/fantasy/sleeper_client.h"
#include "account/units.h"

namespace account {

// FANTASY_POINTS_CONVERSION_RATE's default: $10.00 a point.
inline constexpr int64_t kDefaultCentsPerPoint = 1'000;
// Highest rate accepted ($10,000 a point): keeps kFantasyHundredthsMax times
// the rate inside int64 cents.
inline constexpr int64_t kCentsPerPointMax = 1'000'000;
// The weekly win bonus, in percent of the week's points.
inline constexpr int64_t kWinBonusPercent = 10;

// --- Weeks ---------------------------------------------------------------

enum class WeekOutcome : uint8_t {
  kWin = 1,     // Strictly more points than the opponent: pays the bonus.
  kLoss = 2,
  kTie = 3,     // Equal points: no bonus.
  kBye = 4,     // matchup_id null, or nobody else has it: no bonus.
  kAbsent = 5,  // The roster has no entry that week: no bonus.
};

std::string_view week_outcome_name(WeekOutcome outcome);

struct WeekResult {
  WeekOutcome outcome = WeekOutcome::kAbsent;
  FantasyPoints points;           // The roster's score; 0 when absent.
  FantasyPoints opponent_points;  // 0 on a bye or when absent.
  FantasyPoints bonus;            // win_bonus(points) on a win, else 0.

  friend bool operator==(const WeekResult&, const WeekResult&) = default;
};

// 10% of a winning week's points, in hundredths rounded down: 141.35 points
// (14'135 hundredths) pay 14.13 (1'413). Rounding down never pays a fraction
// that was not earned, and at most 0.0099 points a week (under a cent at the
// default rate) is lost. A score of 0 or less pays nothing.
FantasyPoints win_bonus(FantasyPoints week_points);

// The outcome of `roster_id` in one week's matchups (one league, one week).
// A roster wins when it scored strictly more than every other roster with
// its matchup_id (Sleeper pairs exactly two). Whether the week is complete
// is the caller's question: see completed_week_max().
// Fails with InvalidArgument when the roster appears twice.
absl::StatusOr<WeekResult> score_week(absl::Span<const SleeperMatchup> matchups,
                                      int64_t roster_id);

// The last week of a league's season whose games are all final, 0 when none
// is. A week in progress never counts: its scores can still change.
//   - a league marked complete, or a league season before the NFL's current
//     one: every week (kNflRegularSeasonWeeks);
//   - a league season after the NFL's current one: none;
//   - the same season: "pre" none; "regular" the weeks before `week`;
//     "post" every week; "off" none while the league has not started
//     (pre_draft, drafting), and FailedPrecondition for a league still
//     in_season during an off-season, which Sleeper should never report:
//     the caller skips the run rather than guess, since guessing low would
//     take back bonuses already paid.
// Fails with InvalidArgument when a season is not a four-digit year.
absl::StatusOr<int> completed_week_max(const NflState& state, std::string_view league_season,
                                       std::string_view league_status);

// --- Currency ------------------------------------------------------------

// The cash a season's points are worth: floor(total hundredths x
// cents_per_point / 100), computed in 128 bits. Rounding down, as for the
// bonus, never pays a fraction of a cent that was not earned; at the
// default rate (1,000 cents a point) the product is exact. A total of 0 or
// less is worth 0: funding never takes cash for a bad season.
// Fails with InvalidArgument when cents_per_point is outside
// 1..kCentsPerPointMax, or OutOfRange when the result leaves int64.
absl::StatusOr<Cents> fantasy_target(FantasyPoints total, int64_t cents_per_point);

// FANTASY_POINTS_CONVERSION_RATE, dollars per point with at most two
// decimals ("10", "12.5", "0.75"), as cents per point.
// Fails with InvalidArgument for anything else, 0, or above kCentsPerPointMax.
absl::StatusOr<int64_t> parse_cents_per_point(std::string_view dollars_per_point);

// --- Ledger entries ------------------------------------------------------

// Longest Sleeper user id or league id a fantasy entry key carries, in bytes
// (Sleeper's are 18-19 digits): with them, a key fits kEntryKeyBytesMax.
inline constexpr size_t kFantasyKeyIdBytesMax = 24;

// "fantasy:<account>:<season>:<revision>:<user id>:<league id>:<roster id>",
// e.g. "fantasy:7:2026:0:7311:9902:3", for an entry computed from `source`
// (its season is the entry's).
// Fails with InvalidArgument when the account is 0, the season is not a
// four-digit year, the user or league id is empty, longer than
// kFantasyKeyIdBytesMax or holds ':', or the roster id is below 1.
absl::StatusOr<std::string> fantasy_entry_key(AccountId account, const SleeperLink& source,
                                              uint64_t revision);

// What a fantasy entry key says.
struct FantasyEntryKey {
  AccountId account;
  std::string season;
  uint64_t revision = 0;
  // The Sleeper link the entry was computed from; nullopt for a key of the
  // form "fantasy:<account>:<season>:<revision>", written before keys named
  // their source.
  std::optional<SleeperLink> source;  // username is left empty.

  // "fantasy:<account>:<season>:<revision>": one entry per revision.
  std::string revision_key() const;

  friend bool operator==(const FantasyEntryKey&, const FantasyEntryKey&) = default;
};

// Reads a key of either form above; nullopt for anything else (a key a
// fantasy run did not write: an operator's, or a malformed one).
std::optional<FantasyEntryKey> parse_fantasy_entry_key(std::string_view key);

// What the ledger already holds for one account and season.
struct FantasyCreditHistory {
  Cents credited;              // Net cash of the fantasy entries so far (signed).
  uint64_t next_revision = 0;  // One past the highest revision used.

  friend bool operator==(const FantasyCreditHistory&, const FantasyCreditHistory&) = default;
};

// Sums the entries of `account` whose key starts
// "fantasy:<account>:<season>:" (either form above); other entries (trading has none; other seasons,
// adjustments, other accounts) are ignored, so the caller may pass all of an
// account's entries.
// Fails with InvalidArgument when an entry with this key prefix has another
// account or kind than kFantasyCredit, or is not a key of either form;
// OutOfRange when the sum leaves int64.
absl::StatusOr<FantasyCreditHistory> fantasy_credit_history(
    absl::Span<const ExternalEntry> entries, AccountId account, std::string_view season);

// One entry to make: credit `amount` when positive, debit -amount when
// negative, kind EntryKind::kFantasyCredit, under `key`.
struct FantasyCredit {
  std::string key;
  AccountId account;
  Cents amount;

  friend bool operator==(const FantasyCredit&, const FantasyCredit&) = default;
};

struct FantasyCreditPlan {
  std::optional<FantasyCredit> entry;  // nullopt: nothing to ledger now.
  Cents shortfall;                     // Credited above target and not debited now (>= 0).

  friend bool operator==(const FantasyCreditPlan&, const FantasyCreditPlan&) = default;
};

// The entry that brings the account's fantasy cash for `season` from
// history.credited to `target`: the whole difference when it is a credit, at
// most max(available_cash, 0) when it is a debit (the rest is the
// shortfall), keyed for the season and source `link` (the account's link
// that `target` was computed from). No entry when there is nothing to move.
// Fails with InvalidArgument for an invalid account, a negative target, or
// a link fantasy_entry_key() refuses; OutOfRange when the difference leaves
// int64.
absl::StatusOr<FantasyCreditPlan> plan_fantasy_credit(AccountId account, const SleeperLink& link,
                                                      Cents target,
                                                      const FantasyCreditHistory& history,
                                                      Cents available_cash);

}  // namespace account
