// Private to account::sleeper: Sleeper's answers, from JSON to values. Each reader takes the root
// of one answer, parsed by a reader made with sleeper_reader(), and checks every field it uses:
// required fields present, types as documented, values in range. Fields it does not use are
// skipped. Failures are kSleeperResponseInvalid denials naming the request and the path
// ("GET /league/1/rosters: [3].settings.fpts: expected an integer, got a string").
//
// Thread-safety: free functions over the caller's document.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "account/fantasy/sleeper_client.h"
#include "http/json_reader.h"

namespace account::internal::sleeper {

using http::dom::element;
using http::JsonReader;

// The reader of the answer to `request` ("GET /user/alice").
JsonReader sleeper_reader(std::string_view request);

// kSleeperNotFound for a `null` answer.
absl::StatusOr<SleeperUser> read_user(element root, const JsonReader& json);
// Empty for a `null` answer.
absl::StatusOr<std::vector<SleeperLeague>> read_leagues(element root, const JsonReader& json);
// kSleeperNotFound for a `null` answer.
absl::StatusOr<SleeperLeague> read_league(element root, const JsonReader& json);
// Empty for a `null` answer.
absl::StatusOr<std::vector<SleeperRoster>> read_rosters(element root, const JsonReader& json);
// Empty for a `null` answer.
absl::StatusOr<std::vector<SleeperMatchup>> read_matchups(element root, const JsonReader& json);
absl::StatusOr<NflState> read_nfl_state(element root, const JsonReader& json);

}  // namespace account::internal::sleeper
