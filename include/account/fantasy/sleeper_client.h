// File: fantasy/sleeper_client.h
//
// SleeperClient: the read-only calls we make to Sleeper's fantasy-football
// API (https://docs.sleeper.com), and the values they return. The interface
// lets the fantasy funding run against the real service (CurlSleeperClient,
// curl_sleeper_client.h) or a fake in tests.
//
//   std::unique_ptr<SleeperClient> client = ...;
//   SleeperUser user = client->user("alice").value();
//   for (const SleeperLeague& league : client->nfl_leagues(user.user_id, "2026").value()) {
//     std::vector<SleeperRoster> rosters = client->league_rosters(league.league_id).value();
//   }
//   NflState state = client->nfl_state().value();
//
// Ids (user, league, owner) stay strings: Sleeper sends them as numeric-
// looking strings wider than any integer type we would pick, and usernames
// can change, so accounts keep user_id. Seasons are strings ("2026") as
// Sleeper sends them.
//
// Errors, the same for every implementation. What Sleeper answered is a
// denial (status.h) whose Reason says what to do; every call is a read, so
// repeating one is always safe, and the Reason says whether it can help:
//   kSleeperNotFound        no such user or league: a `null` answer where the
//                           call says so, or a 404 from any call. Retrying
//                           gives the same answer. (NotFound)
//   kSleeperRejected        Sleeper refused the request: a 4xx other than 404
//                           and 429. The request or the base URL is wrong; do
//                           not retry. (InvalidArgument)
//   kSleeperUnavailable     Sleeper could not be reached, did not answer in
//                           time, or answered 429 or 5xx to every attempt (or
//                           asked to wait longer than the client will).
//                           transient(): retry later. (Unavailable)
//   kSleeperResponseInvalid the answer was not what Sleeper documents:
//                           malformed or truncated JSON, a missing field, a
//                           wrong type, a value out of range, a repeated key,
//                           an answer too large, an unexpected status. Not
//                           worth retrying at once: report it. (DataLoss)
// A malformed argument (an empty id, a week out of range), refused before
// any request, and a base URL the client cannot use are the caller's
// mistakes: InvalidArgument without a Reason. Every message names the
// request path and, for a bad answer, the place in it
// ("SleeperResponseInvalid: GET /league/123/rosters: [3].settings.fpts: ...").
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "account/fantasy/fantasy_points.h"

namespace account {

// Weeks in the NFL regular season, the weeks Sleeper leagues score (18
// since 2021). Fantasy playoffs are played inside them.
inline constexpr int kNflRegularSeasonWeeks = 18;

struct SleeperUser {
  std::string user_id;
  std::string username;
  std::string display_name;

  friend bool operator==(const SleeperUser&, const SleeperUser&) = default;
};

// A league's status as Sleeper names it: "pre_draft", "drafting",
// "in_season" or "complete".
inline constexpr std::string_view kSleeperLeagueComplete = "complete";

struct SleeperLeague {
  std::string league_id;
  std::string name;
  std::string season;  // "2026"
  std::string status;  // See kSleeperLeagueComplete.

  friend bool operator==(const SleeperLeague&, const SleeperLeague&) = default;
};

// One team of a league. The settings counters are 0 when Sleeper omits them
// (it does before a league's first game).
struct SleeperRoster {
  int64_t roster_id = 0;
  std::optional<std::string> owner_id;    // nullopt: nobody owns the team.
  std::vector<std::string> co_owner_ids;  // Empty when `co_owners` is null or absent.
  int64_t fpts = 0;                       // Whole season points.
  int64_t fpts_decimal = 0;               // Hundredths on top of fpts (-99..99).
  int64_t wins = 0;
  int64_t losses = 0;
  int64_t ties = 0;

  // True when `user_id` owns or co-owns this roster.
  bool owned_by(std::string_view user_id) const;

  friend bool operator==(const SleeperRoster&, const SleeperRoster&) = default;
};

// The exact season points of a roster: fpts + fpts_decimal / 100.
// Fails with InvalidArgument as FantasyPoints::from_sleeper().
absl::StatusOr<FantasyPoints> season_points(const SleeperRoster& roster);

// The roster owned or co-owned by `user_id`, or nullptr.
const SleeperRoster* find_roster_of_user(absl::Span<const SleeperRoster> rosters,
                                         std::string_view user_id);

// One roster's entry in one week. Two entries with the same matchup_id play
// each other; matchup_id is not stable from week to week.
struct SleeperMatchup {
  int64_t roster_id = 0;
  std::optional<int64_t> matchup_id;  // nullopt: a bye, or out of the playoff bracket.
  // The week's score, rounded to hundredths: Sleeper's custom_points when the
  // commissioner overrode the score, its `points` otherwise (0 before kickoff).
  FantasyPoints points;
  bool custom_points = false;         // Whether `points` came from custom_points.

  friend bool operator==(const SleeperMatchup&, const SleeperMatchup&) = default;
};

enum class NflSeasonType : uint8_t {
  kPre = 1,      // "pre": preseason.
  kRegular = 2,  // "regular": weeks 1..kNflRegularSeasonWeeks.
  kPost = 3,     // "post": NFL playoffs; every fantasy week is over.
  kOff = 4,      // "off": between seasons.
};

// "pre", "regular", "post", "off".
std::string_view nfl_season_type_name(NflSeasonType type);
// The type named `name`, or nullopt for anything else.
std::optional<NflSeasonType> parse_nfl_season_type(std::string_view name);

// Where the NFL calendar stands. `week` is the scoring week: it turns over
// on Tuesday, so during a regular season weeks before it are complete and
// `week` itself is in progress (or about to start). `display_week` is what
// Sleeper's apps show and may already be one ahead.
struct NflState {
  std::string season;  // "2026"
  NflSeasonType season_type = NflSeasonType::kOff;
  int week = 0;
  int display_week = 0;

  friend bool operator==(const NflState&, const NflState&) = default;
};

class SleeperClient {
 public:
  virtual ~SleeperClient() = default;

  // GET /user/<username>. kSleeperNotFound for an unknown user (`null`).
  virtual absl::StatusOr<SleeperUser> user(std::string_view username) = 0;

  // GET /user/<user_id>/leagues/nfl/<season>, season four digits. Empty when
  // the user has no league that season (Sleeper answers `null` or `[]`).
  virtual absl::StatusOr<std::vector<SleeperLeague>> nfl_leagues(std::string_view user_id,
                                                                 std::string_view season) = 0;

  // GET /league/<league_id>. kSleeperNotFound for an unknown league (`null`).
  virtual absl::StatusOr<SleeperLeague> league(std::string_view league_id) = 0;

  // GET /league/<league_id>/rosters, in Sleeper's order. Empty for `null`;
  // a roster whose points are out of range is kSleeperResponseInvalid.
  virtual absl::StatusOr<std::vector<SleeperRoster>> league_rosters(
      std::string_view league_id) = 0;

  // GET /league/<league_id>/matchups/<week>, week 1..kNflRegularSeasonWeeks.
  // Empty for `null` (no games that week).
  virtual absl::StatusOr<std::vector<SleeperMatchup>> league_matchups(std::string_view league_id,
                                                                      int week) = 0;

  // GET /state/nfl. A `null` answer, or an unknown season type, is
  // kSleeperResponseInvalid: the calendar always exists.
  virtual absl::StatusOr<NflState> nfl_state() = 0;
};

}  // namespace account
