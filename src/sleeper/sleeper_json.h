// Private to account::sleeper: Sleeper's answers, from JSON to values. Each
// reader takes the document of one answer and checks every field it uses:
// required fields present, types as documented, values in range. Fields it
// does not use are skipped unread.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "account/fantasy/sleeper_client.h"
#include "json_reader.h"

namespace account::internal::sleeper {

// NotFound for a `null` answer.
absl::StatusOr<SleeperUser> read_user(od::document& doc, const JsonContext& ctx);
// Empty for a `null` answer.
absl::StatusOr<std::vector<SleeperLeague>> read_leagues(od::document& doc, const JsonContext& ctx);
// NotFound for a `null` answer.
absl::StatusOr<SleeperLeague> read_league(od::document& doc, const JsonContext& ctx);
// Empty for a `null` answer.
absl::StatusOr<std::vector<SleeperRoster>> read_rosters(od::document& doc, const JsonContext& ctx);
// Empty for a `null` answer.
absl::StatusOr<std::vector<SleeperMatchup>> read_matchups(od::document& doc,
                                                          const JsonContext& ctx);
absl::StatusOr<NflState> read_nfl_state(od::document& doc, const JsonContext& ctx);

}  // namespace account::internal::sleeper
