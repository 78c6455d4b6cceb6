#include "sleeper_json.h"

#include <utility>

#include "base/strings.h"
#include "account/status.h"

namespace account::internal::sleeper {
namespace {

const JsonPath kRoot;

// The document's root as an object or array; false (nothing read) for a
// `null` document.
template <typename T>
absl::StatusOr<bool> read_root(od::document& doc, const JsonContext& ctx, od::json_type want,
                               T* out) {
  bool is_null = false;
  if (auto e = doc.is_null().get(is_null)) return ctx.error(kRoot, e);
  if (is_null) return false;
  od::json_type type;
  if (auto e = doc.type().get(type)) return ctx.error(kRoot, e);
  if (type != want) {
    return ctx.error(kRoot, want == od::json_type::array ? "expected an array or null"
                                                         : "expected an object or null");
  }
  if (auto e = doc.get(*out)) return ctx.error(kRoot, e);
  return true;
}

// Calls read_element(object, path) on each element of the root array.
template <typename F>
absl::StatusOr<bool> read_root_array(od::document& doc, const JsonContext& ctx, F&& read_element) {
  od::array array;
  absl::StatusOr<bool> present = read_root(doc, ctx, od::json_type::array, &array);
  if (!present.ok() || !*present) return present;
  absl::Status s = for_each_element(array, ctx, kRoot, [&](od::value& v, const JsonPath& path) {
    od::object object;
    ACCOUNT_RETURN_IF_ERROR(get_object(v, ctx, path, &object));
    return read_element(object, path);
  });
  if (!s.ok()) return s;
  return true;
}

absl::Status read_user_object(od::object& object, const JsonContext& ctx, const JsonPath& path,
                              SleeperUser* out) {
  bool has_id = false, has_username = false, has_display_name = false;
  const absl::Status fields = for_each_field(
      object, ctx, path, [&](std::string_view key, od::value& v, const JsonPath& p) {
        if (key == "user_id") {
          has_id = true;
          return read_string(v, ctx, p, &out->user_id);
        }
        if (key == "username") {
          has_username = true;
          return read_string(v, ctx, p, &out->username);
        }
        if (key == "display_name") {
          has_display_name = true;
          return read_string(v, ctx, p, &out->display_name);
        }
        return absl::OkStatus();
      });
  if (!fields.ok()) return fields;
  if (!has_id) return ctx.missing(path, "user_id");
  if (!has_username) return ctx.missing(path, "username");
  if (!has_display_name) return ctx.missing(path, "display_name");
  if (out->user_id.empty()) return ctx.error(path.field("user_id"), "empty id");
  return absl::OkStatus();
}

absl::Status read_league_object(od::object& object, const JsonContext& ctx, const JsonPath& path,
                                SleeperLeague* out) {
  bool has_id = false, has_name = false, has_season = false, has_status = false;
  const absl::Status fields = for_each_field(
      object, ctx, path, [&](std::string_view key, od::value& v, const JsonPath& p) {
        if (key == "league_id") {
          has_id = true;
          return read_string(v, ctx, p, &out->league_id);
        }
        if (key == "name") {
          has_name = true;
          return read_string(v, ctx, p, &out->name);
        }
        if (key == "season") {
          has_season = true;
          return read_string(v, ctx, p, &out->season);
        }
        if (key == "status") {
          has_status = true;
          return read_string(v, ctx, p, &out->status);
        }
        return absl::OkStatus();
      });
  if (!fields.ok()) return fields;
  if (!has_id) return ctx.missing(path, "league_id");
  if (!has_name) return ctx.missing(path, "name");
  if (!has_season) return ctx.missing(path, "season");
  if (!has_status) return ctx.missing(path, "status");
  if (out->league_id.empty()) return ctx.error(path.field("league_id"), "empty id");
  return absl::OkStatus();
}

// `settings`: counters that are absent or null read as 0.
absl::Status read_roster_settings(od::value& v, const JsonContext& ctx, const JsonPath& path,
                                  SleeperRoster* out) {
  absl::StatusOr<bool> is_null = read_null(v, ctx, path);
  if (!is_null.ok()) return is_null.status();
  if (*is_null) return absl::OkStatus();
  od::object object;
  ACCOUNT_RETURN_IF_ERROR(get_object(v, ctx, path, &object));
  const absl::Status fields = for_each_field(
      object, ctx, path, [&](std::string_view key, od::value& field, const JsonPath& p) {
        int64_t* target = key == "fpts"           ? &out->fpts
                          : key == "fpts_decimal" ? &out->fpts_decimal
                          : key == "wins"         ? &out->wins
                          : key == "losses"       ? &out->losses
                          : key == "ties"         ? &out->ties
                                                  : nullptr;
        if (target == nullptr) return absl::OkStatus();
        std::optional<int64_t> value;
        ACCOUNT_RETURN_IF_ERROR(read_nullable_int(field, ctx, p, &value));
        *target = value.value_or(0);
        return absl::OkStatus();
      });
  if (!fields.ok()) return fields;
  if (absl::StatusOr<FantasyPoints> points = season_points(*out); !points.ok()) {
    return ctx.error(path, message_of(points.status()));
  }
  return absl::OkStatus();
}

absl::Status read_co_owners(od::value& v, const JsonContext& ctx, const JsonPath& path,
                            std::vector<std::string>* out) {
  absl::StatusOr<bool> is_null = read_null(v, ctx, path);
  if (!is_null.ok()) return is_null.status();
  if (*is_null) return absl::OkStatus();
  od::array array;
  ACCOUNT_RETURN_IF_ERROR(get_array(v, ctx, path, &array));
  return for_each_element(array, ctx, path, [&](od::value& element, const JsonPath& p) {
    return read_string(element, ctx, p, &out->emplace_back());
  });
}

absl::Status read_roster_object(od::object& object, const JsonContext& ctx, const JsonPath& path,
                                SleeperRoster* out) {
  bool has_id = false;
  const absl::Status fields = for_each_field(
      object, ctx, path, [&](std::string_view key, od::value& v, const JsonPath& p) {
        if (key == "roster_id") {
          has_id = true;
          return read_int(v, ctx, p, &out->roster_id);
        }
        if (key == "owner_id") return read_nullable_string(v, ctx, p, &out->owner_id);
        if (key == "co_owners") return read_co_owners(v, ctx, p, &out->co_owner_ids);
        if (key == "settings") return read_roster_settings(v, ctx, p, out);
        return absl::OkStatus();
      });
  if (!fields.ok()) return fields;
  if (!has_id) return ctx.missing(path, "roster_id");
  return absl::OkStatus();
}

// A score as FantasyPoints; DataLoss when out of range.
absl::Status to_points(double points, const JsonContext& ctx, const JsonPath& path,
                       FantasyPoints* out) {
  absl::StatusOr<FantasyPoints> converted = FantasyPoints::from_points(points);
  if (!converted.ok()) return ctx.error(path, message_of(converted.status()));
  *out = *converted;
  return absl::OkStatus();
}

absl::Status read_matchup_object(od::object& object, const JsonContext& ctx,
                                 const JsonPath& path, SleeperMatchup* out) {
  bool has_id = false, has_points = false;
  std::optional<double> points, custom_points;
  const absl::Status fields = for_each_field(
      object, ctx, path, [&](std::string_view key, od::value& v, const JsonPath& p) {
        if (key == "roster_id") {
          has_id = true;
          return read_int(v, ctx, p, &out->roster_id);
        }
        if (key == "matchup_id") return read_nullable_int(v, ctx, p, &out->matchup_id);
        if (key == "points") {
          has_points = true;
          return read_nullable_double(v, ctx, p, &points);
        }
        if (key == "custom_points") return read_nullable_double(v, ctx, p, &custom_points);
        return absl::OkStatus();
      });
  if (!fields.ok()) return fields;
  if (!has_id) return ctx.missing(path, "roster_id");
  if (!has_points) return ctx.missing(path, "points");
  out->custom_points = custom_points.has_value();
  if (custom_points) {
    return to_points(*custom_points, ctx, path.field("custom_points"), &out->points);
  }
  return to_points(points.value_or(0.0), ctx, path.field("points"), &out->points);
}

absl::Status read_nfl_state_object(od::object& object, const JsonContext& ctx,
                                   const JsonPath& path, NflState* out) {
  bool has_season = false;
  std::optional<std::string> season_type;
  std::optional<int64_t> week, display_week;
  const absl::Status fields = for_each_field(
      object, ctx, path, [&](std::string_view key, od::value& v, const JsonPath& p) {
        if (key == "season") {
          has_season = true;
          return read_string(v, ctx, p, &out->season);
        }
        if (key == "season_type") return read_string(v, ctx, p, &season_type.emplace());
        if (key == "week") return read_int(v, ctx, p, &week.emplace());
        if (key == "display_week") return read_int(v, ctx, p, &display_week.emplace());
        return absl::OkStatus();
      });
  if (!fields.ok()) return fields;
  if (!has_season) return ctx.missing(path, "season");
  if (!season_type) return ctx.missing(path, "season_type");
  if (!week) return ctx.missing(path, "week");
  const std::optional<NflSeasonType> type = parse_nfl_season_type(*season_type);
  if (!type) {
    return ctx.error(path.field("season_type"),
                     internal::cat("unknown season type '", *season_type, "'"));
  }
  // Not used by the funding: when absent, the app shows the scoring week.
  display_week = display_week.value_or(*week);
  for (const auto& [name, value] : {std::pair{"week", *week}, {"display_week", *display_week}}) {
    if (value < 0 || value > 99) return ctx.error(path.field(name), "out of range 0..99");
  }
  out->season_type = *type;
  out->week = static_cast<int>(*week);
  out->display_week = static_cast<int>(*display_week);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SleeperUser> read_user(od::document& doc, const JsonContext& ctx) {
  od::object object;
  absl::StatusOr<bool> present = read_root(doc, ctx, od::json_type::object, &object);
  if (!present.ok()) return present.status();
  if (!*present) return absl::NotFoundError(internal::cat(ctx.request(), ": no such user"));
  SleeperUser user;
  ACCOUNT_RETURN_IF_ERROR(read_user_object(object, ctx, kRoot, &user));
  return user;
}

absl::StatusOr<std::vector<SleeperLeague>> read_leagues(od::document& doc,
                                                        const JsonContext& ctx) {
  std::vector<SleeperLeague> leagues;
  absl::StatusOr<bool> read = read_root_array(doc, ctx, [&](od::object& o, const JsonPath& p) {
    return read_league_object(o, ctx, p, &leagues.emplace_back());
  });
  if (!read.ok()) return read.status();
  return leagues;
}

absl::StatusOr<SleeperLeague> read_league(od::document& doc, const JsonContext& ctx) {
  od::object object;
  absl::StatusOr<bool> present = read_root(doc, ctx, od::json_type::object, &object);
  if (!present.ok()) return present.status();
  if (!*present) return absl::NotFoundError(internal::cat(ctx.request(), ": no such league"));
  SleeperLeague league;
  ACCOUNT_RETURN_IF_ERROR(read_league_object(object, ctx, kRoot, &league));
  return league;
}

absl::StatusOr<std::vector<SleeperRoster>> read_rosters(od::document& doc,
                                                        const JsonContext& ctx) {
  std::vector<SleeperRoster> rosters;
  absl::StatusOr<bool> read = read_root_array(doc, ctx, [&](od::object& o, const JsonPath& p) {
    return read_roster_object(o, ctx, p, &rosters.emplace_back());
  });
  if (!read.ok()) return read.status();
  return rosters;
}

absl::StatusOr<std::vector<SleeperMatchup>> read_matchups(od::document& doc,
                                                          const JsonContext& ctx) {
  std::vector<SleeperMatchup> matchups;
  absl::StatusOr<bool> read = read_root_array(doc, ctx, [&](od::object& o, const JsonPath& p) {
    return read_matchup_object(o, ctx, p, &matchups.emplace_back());
  });
  if (!read.ok()) return read.status();
  return matchups;
}

absl::StatusOr<NflState> read_nfl_state(od::document& doc, const JsonContext& ctx) {
  od::object object;
  absl::StatusOr<bool> present = read_root(doc, ctx, od::json_type::object, &object);
  if (!present.ok()) return present.status();
  if (!*present) return ctx.error(kRoot, "expected an object, got null");
  NflState state;
  ACCOUNT_RETURN_IF_ERROR(read_nfl_state_object(object, ctx, kRoot, &state));
  return state;
}

}  // namespace account::internal::sleeper
