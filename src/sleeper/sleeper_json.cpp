#include "sleeper/sleeper_json.h"

#include <optional>
#include <string>
#include <utility>

#include "account/status.h"
#include "base/strings.h"

namespace account::internal::sleeper {
namespace {

using http::JsonPath;
using http::dom::array;
using http::dom::element_type;
using http::dom::object;

constexpr http::Presence kRequired = http::Presence::kRequired;
constexpr http::Presence kOptional = http::Presence::kOptional;
const JsonPath kRoot;

std::string_view message_of(const absl::Status& status) {
  return {status.message().data(), status.message().size()};
}

// Reads each element of a root array, or none for a `null` answer, with read(object, path, &t).
template <typename T, typename Read>
absl::StatusOr<std::vector<T>> read_root_array(element root, const JsonReader& json, Read read) {
  std::vector<T> out;
  if (root.is_null()) return out;
  if (root.type() != element_type::ARRAY) return json.error(kRoot, "expected an array or null");
  const absl::Status s = json.for_each_element(root.get_array().value_unsafe(), kRoot,
                                               [&](element value, const JsonPath& path) {
                                                 object o;
                                                 ACCOUNT_RETURN_IF_ERROR(json.get(value, path, &o));
                                                 return read(json, o, path, &out.emplace_back());
                                               });
  if (!s.ok()) return s;
  return out;
}

// Reads a root object with read(object, path, &t); kSleeperNotFound, saying `none`, for `null`.
template <typename T, typename Read>
absl::StatusOr<T> read_root_object(element root, const JsonReader& json, std::string_view none,
                                   Read read) {
  if (root.is_null()) {
    return denial(Reason::kSleeperNotFound, internal::cat(json.subject(), ": ", none));
  }
  if (root.type() != element_type::OBJECT) return json.error(kRoot, "expected an object or null");
  T out;
  ACCOUNT_RETURN_IF_ERROR(read(json, root.get_object().value_unsafe(), kRoot, &out));
  return out;
}

absl::Status nonempty_id(const JsonReader& json, const JsonPath& path, std::string_view key,
                         const std::string& id) {
  if (id.empty()) return json.error(path.field(key), "empty id");
  return absl::OkStatus();
}

absl::Status read_user_object(const JsonReader& json, object o, const JsonPath& path,
                              SleeperUser* out) {
  ACCOUNT_RETURN_IF_ERROR(json.read_fields(o, path,
                                           {{"user_id", kRequired, &out->user_id},
                                            {"username", kRequired, &out->username},
                                            {"display_name", kRequired, &out->display_name}}));
  return nonempty_id(json, path, "user_id", out->user_id);
}

absl::Status read_league_object(const JsonReader& json, object o, const JsonPath& path,
                                SleeperLeague* out) {
  ACCOUNT_RETURN_IF_ERROR(json.read_fields(o, path,
                                           {{"league_id", kRequired, &out->league_id},
                                            {"name", kRequired, &out->name},
                                            {"season", kRequired, &out->season},
                                            {"status", kRequired, &out->status}}));
  return nonempty_id(json, path, "league_id", out->league_id);
}

// `settings`: counters that are absent or null read as 0.
absl::Status read_roster_settings(const JsonReader& json, element value, const JsonPath& path,
                                  SleeperRoster* out) {
  if (value.is_null()) return absl::OkStatus();
  object o;
  ACCOUNT_RETURN_IF_ERROR(json.get(value, path, &o));
  std::optional<int64_t> fpts, fpts_decimal, wins, losses, ties;
  ACCOUNT_RETURN_IF_ERROR(json.read_fields(o, path,
                                           {{"fpts", kOptional, &fpts},
                                            {"fpts_decimal", kOptional, &fpts_decimal},
                                            {"wins", kOptional, &wins},
                                            {"losses", kOptional, &losses},
                                            {"ties", kOptional, &ties}}));
  out->fpts = fpts.value_or(0);
  out->fpts_decimal = fpts_decimal.value_or(0);
  out->wins = wins.value_or(0);
  out->losses = losses.value_or(0);
  out->ties = ties.value_or(0);
  if (absl::StatusOr<FantasyPoints> points = season_points(*out); !points.ok()) {
    return json.error(path, message_of(points.status()));
  }
  return absl::OkStatus();
}

absl::Status read_co_owners(const JsonReader& json, element value, const JsonPath& path,
                            std::vector<std::string>* out) {
  if (value.is_null()) return absl::OkStatus();
  array a;
  ACCOUNT_RETURN_IF_ERROR(json.get(value, path, &a));
  return json.for_each_element(a, path, [&](element id, const JsonPath& p) {
    return json.read(id, p, &out->emplace_back());
  });
}

absl::Status read_roster_object(const JsonReader& json, object o, const JsonPath& path,
                                SleeperRoster* out) {
  return json.read_fields(o, path,
                          {{"roster_id", kRequired, &out->roster_id},
                           {"owner_id", kOptional, &out->owner_id},
                           {"co_owners", kOptional,
                            [&](element v, const JsonPath& p) {
                              return read_co_owners(json, v, p, &out->co_owner_ids);
                            }},
                           {"settings", kOptional, [&](element v, const JsonPath& p) {
                              return read_roster_settings(json, v, p, out);
                            }}});
}

// A score as FantasyPoints; out of range fails.
absl::Status to_points(const JsonReader& json, double points, const JsonPath& path,
                       FantasyPoints* out) {
  absl::StatusOr<FantasyPoints> converted = FantasyPoints::from_points(points);
  if (!converted.ok()) return json.error(path, message_of(converted.status()));
  *out = *converted;
  return absl::OkStatus();
}

absl::Status read_matchup_object(const JsonReader& json, object o, const JsonPath& path,
                                 SleeperMatchup* out) {
  std::optional<double> points, custom_points;
  ACCOUNT_RETURN_IF_ERROR(json.read_fields(o, path,
                                           {{"roster_id", kRequired, &out->roster_id},
                                            {"matchup_id", kOptional, &out->matchup_id},
                                            {"points", kRequired, &points},
                                            {"custom_points", kOptional, &custom_points}}));
  out->custom_points = custom_points.has_value();
  if (custom_points) {
    return to_points(json, *custom_points, path.field("custom_points"), &out->points);
  }
  return to_points(json, points.value_or(0.0), path.field("points"), &out->points);
}

absl::Status read_nfl_state_object(const JsonReader& json, object o, const JsonPath& path,
                                   NflState* out) {
  std::string season_type;
  int64_t week = 0;
  std::optional<int64_t> display_week;
  ACCOUNT_RETURN_IF_ERROR(json.read_fields(o, path,
                                           {{"season", kRequired, &out->season},
                                            {"season_type", kRequired, &season_type},
                                            {"week", kRequired, &week},
                                            {"display_week", kOptional, &display_week}}));
  const std::optional<NflSeasonType> type = parse_nfl_season_type(season_type);
  if (!type) {
    return json.error(path.field("season_type"),
                      internal::cat("unknown season type '", season_type, "'"));
  }
  // Not used by the funding: when absent, the app shows the scoring week.
  display_week = display_week.value_or(week);
  for (const auto& [name, value] : {std::pair{"week", week}, {"display_week", *display_week}}) {
    if (value < 0 || value > 99) return json.error(path.field(name), "out of range 0..99");
  }
  out->season_type = *type;
  out->week = static_cast<int>(week);
  out->display_week = static_cast<int>(*display_week);
  return absl::OkStatus();
}

}  // namespace

JsonReader sleeper_reader(std::string_view request) {
  return JsonReader(request, Reason::kSleeperResponseInvalid);
}

absl::StatusOr<SleeperUser> read_user(element root, const JsonReader& json) {
  return read_root_object<SleeperUser>(root, json, "no such user", read_user_object);
}

absl::StatusOr<std::vector<SleeperLeague>> read_leagues(element root, const JsonReader& json) {
  return read_root_array<SleeperLeague>(root, json, read_league_object);
}

absl::StatusOr<SleeperLeague> read_league(element root, const JsonReader& json) {
  return read_root_object<SleeperLeague>(root, json, "no such league", read_league_object);
}

absl::StatusOr<std::vector<SleeperRoster>> read_rosters(element root, const JsonReader& json) {
  return read_root_array<SleeperRoster>(root, json, read_roster_object);
}

absl::StatusOr<std::vector<SleeperMatchup>> read_matchups(element root, const JsonReader& json) {
  return read_root_array<SleeperMatchup>(root, json, read_matchup_object);
}

absl::StatusOr<NflState> read_nfl_state(element root, const JsonReader& json) {
  if (root.is_null()) return json.error(kRoot, "expected an object, got null");
  return read_root_object<NflState>(root, json, "", read_nfl_state_object);
}

}  // namespace account::internal::sleeper
