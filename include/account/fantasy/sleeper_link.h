// File: fantasy/sleeper_link.h
//
// Linking an account to one Sleeper league: which leagues a Sleeper user can
// fund from in a season, and the link an account keeps once it has chosen
// one. The link holds user_id (usernames can change) and the roster the user
// owns in the league; the fantasy update reads the season through it
// (fantasy_season.h).
//
//   SleeperLeagueChoice choice = find_sleeper_leagues(client, "alice", "2026").value();
//   std::optional<SleeperLink> link = only_sleeper_league(choice);   // one league: take it
//   if (!link) link = choose_sleeper_league(choice, picked_league_id).value();
//
// Thread-safety: find_sleeper_leagues() is as thread-safe as the client;
// the rest are pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "account/sleeper_account_link.h"
#include "account/fantasy/sleeper_client.h"

namespace account {

// A league the user can fund from, and the user's roster in it.
struct SleeperLeagueOption {
  SleeperLeague league;
  int64_t roster_id = 0;

  friend bool operator==(const SleeperLeagueOption&, const SleeperLeagueOption&) = default;
};

// The user and the leagues of a season in which they own or co-own a team.
struct SleeperLeagueChoice {
  SleeperUser user;
  std::string season;
  std::vector<SleeperLeagueOption> leagues;  // In Sleeper's order.
};

// Looks up `username`, their NFL leagues in `season` ("2026") and each
// league's rosters (1 + 1 + one call per league), and keeps the leagues where
// the user owns or co-owns a roster: a league they only follow, or left, is
// not an option.
// Fails with the client's errors: NotFound for an unknown user, and any
// failure of one of the calls (nothing is returned partially).
absl::StatusOr<SleeperLeagueChoice> find_sleeper_leagues(SleeperClient& client,
                                                         std::string_view username,
                                                         std::string_view season);

// The link for `league_id`, which must be one of `choice.leagues`.
// Fails with NotFound otherwise.
absl::StatusOr<SleeperLink> choose_sleeper_league(const SleeperLeagueChoice& choice,
                                                  std::string_view league_id);

// The link when `choice` has exactly one league, else nullopt.
std::optional<SleeperLink> only_sleeper_league(const SleeperLeagueChoice& choice);

}  // namespace account
