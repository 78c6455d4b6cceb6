#include "account/fantasy/sleeper_client.h"

#include <algorithm>

namespace account {

bool SleeperRoster::owned_by(std::string_view user_id) const {
  if (user_id.empty()) return false;
  if (owner_id && *owner_id == user_id) return true;
  return std::find(co_owner_ids.begin(), co_owner_ids.end(), user_id) != co_owner_ids.end();
}

absl::StatusOr<FantasyPoints> season_points(const SleeperRoster& roster) {
  return FantasyPoints::from_sleeper(roster.fpts, roster.fpts_decimal);
}

const SleeperRoster* find_roster_of_user(absl::Span<const SleeperRoster> rosters,
                                         std::string_view user_id) {
  // The owner first: a co-owner match in an earlier roster must not hide the
  // roster the user owns outright.
  for (const SleeperRoster& roster : rosters) {
    if (roster.owner_id && *roster.owner_id == user_id) return &roster;
  }
  for (const SleeperRoster& roster : rosters) {
    if (roster.owned_by(user_id)) return &roster;
  }
  return nullptr;
}

std::string_view nfl_season_type_name(NflSeasonType type) {
  switch (type) {
    case NflSeasonType::kPre: return "pre";
    case NflSeasonType::kRegular: return "regular";
    case NflSeasonType::kPost: return "post";
    case NflSeasonType::kOff: return "off";
  }
  return "unknown";
}

std::optional<NflSeasonType> parse_nfl_season_type(std::string_view name) {
  for (NflSeasonType type : {NflSeasonType::kPre, NflSeasonType::kRegular, NflSeasonType::kPost,
                             NflSeasonType::kOff}) {
    if (nfl_season_type_name(type) == name) return type;
  }
  return std::nullopt;
}

}  // namespace account
