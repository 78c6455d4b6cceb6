// JsonReader (src/http/json_reader.h): errors that name the subject and the JSON path (a missing
// field, a wrong type, a number out of range, malformed text, a repeated key), the Reason they
// carry, and reads that succeed.
#include "http/json_reader.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "account/status.h"

namespace account::internal::http {
namespace {

std::string message(const absl::Status& s) { return std::string(s.message()); }

// A league's answer with rosters, as a path-naming example: rosters[3].settings.fpts.
constexpr std::string_view kLeague = R"({"league_id":"7","rosters":[
  {"settings":{"fpts":10}},{"settings":{"fpts":11}},{"settings":{"fpts":12}},
  {"settings":{"fpts":"13"}}]})";

// Reads every roster's settings.fpts as an integer, the way the Sleeper readers walk answers.
absl::Status read_points(const JsonReader& json, std::string_view text, std::vector<int64_t>* out) {
  dom::parser parser;
  ACCOUNT_ASSIGN_OR_RETURN(dom::element root, json.parse(parser, text));
  dom::object league;
  ACCOUNT_RETURN_IF_ERROR(json.get(root, JsonPath(), &league));
  const auto read_roster = [&](dom::element roster, const JsonPath& path) {
    dom::object o;
    ACCOUNT_RETURN_IF_ERROR(json.get(roster, path, &o));
    const auto read_settings = [&](dom::element settings, const JsonPath& p) {
      dom::object s;
      ACCOUNT_RETURN_IF_ERROR(json.get(settings, p, &s));
      return json.read_fields(s, p, {{"fpts", Presence::kRequired, &out->emplace_back()}});
    };
    return json.read_fields(o, path, {{"settings", Presence::kRequired, read_settings}});
  };
  const auto read_rosters = [&](dom::element rosters, const JsonPath& path) {
    dom::array a;
    ACCOUNT_RETURN_IF_ERROR(json.get(rosters, path, &a));
    return json.for_each_element(a, path, read_roster);
  };
  return json.read_fields(league, JsonPath(), {{"rosters", Presence::kRequired, read_rosters}});
}

TEST_CASE("json: a wrong type names the full path and both types", "[http][json]") {
  const JsonReader json("GET /league/7", Reason::kSleeperResponseInvalid);
  std::vector<int64_t> points;
  const absl::Status s = read_points(json, kLeague, &points);
  CHECK(reason_of(s) == Reason::kSleeperResponseInvalid);
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK(message(s) ==
        "SleeperResponseInvalid: GET /league/7: rosters[3].settings.fpts: "
        "expected a number, got a string");
  CHECK(points == std::vector<int64_t>{10, 11, 12, 0});  // Read up to the failure.
}

TEST_CASE("json: without a Reason, failures are InvalidArgument", "[http][json]") {
  const JsonReader json("body");
  std::vector<int64_t> points;
  const absl::Status s = read_points(json, kLeague, &points);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(reason_of(s).has_value());
  CHECK(message(s) == "body: rosters[3].settings.fpts: expected a number, got a string");
  CHECK(message(JsonReader("").error(JsonPath().field("a"), "bad")) == "a: bad");
}

TEST_CASE("json: a missing field names the object it is missing from", "[http][json]") {
  const JsonReader json("GET /league/7", Reason::kSleeperResponseInvalid);
  std::vector<int64_t> points;
  CHECK(message(read_points(json, R"({"rosters":[{"settings":{"fpts":1}},{"settings":{}}]})",
                            &points)) ==
        "SleeperResponseInvalid: GET /league/7: rosters[1].settings: missing field 'fpts'");
  CHECK(message(read_points(json, R"({"league_id":"7"})", &points)) ==
        "SleeperResponseInvalid: GET /league/7: the document: missing field 'rosters'");
}

TEST_CASE("json: integers must be whole and within int64", "[http][json]") {
  const JsonReader json("t");
  std::vector<int64_t> points;
  const auto message_for = [&](std::string_view fpts) {
    const std::string text = R"({"rosters":[{"settings":{"fpts":)" + std::string(fpts) + "}}]}";
    return message(read_points(json, text, &points));
  };
  CHECK(message_for("1.5") == "t: rosters[0].settings.fpts: expected an integer");
  CHECK(message_for("1e3") == "t: rosters[0].settings.fpts: expected an integer");
  CHECK(message_for("9223372036854775808") ==
        "t: rosters[0].settings.fpts: an integer beyond 2^63 - 1");
  // Beyond what any number type holds: the parser refuses the whole document.
  CHECK(message_for("1e400") ==
        "t: the document: malformed or truncated JSON (Problem while parsing a number)");
  CHECK(message_for("-9223372036854775809") ==
        "t: the document: malformed or truncated JSON (Problem while parsing a number)");
  points.clear();
  REQUIRE(message_for("-9223372036854775808") == "");
  CHECK(points == std::vector<int64_t>{INT64_MIN});
}

TEST_CASE("json: malformed, truncated and trailing text fail naming the document", "[http][json]") {
  const JsonReader json("GET /state/nfl", Reason::kSleeperResponseInvalid);
  dom::parser parser;
  for (const std::string_view text :
       {std::string_view(R"({"week":1,"season":"2026")"), std::string_view(R"({"week":1} {})"),
        std::string_view(R"({"week":tru})"), std::string_view("<html>Bad gateway</html>"),
        std::string_view(""), std::string_view(R"({"a":[1,2,}])")}) {
    INFO(text);
    const absl::StatusOr<dom::element> root = json.parse(parser, text);
    REQUIRE_FALSE(root.ok());
    CHECK(reason_of(root.status()) == Reason::kSleeperResponseInvalid);
    CHECK_THAT(message(root.status()),
               Catch::StartsWith("SleeperResponseInvalid: GET /state/nfl: the document: "
                                 "malformed or truncated JSON ("));
  }
  // Malformed text is refused even where no reader would look.
  CHECK_FALSE(json.parse(parser, R"({"week":1,"unused":[1,2,,3]})").ok());
}

TEST_CASE("json: a key that appears twice is refused, at any depth", "[http][json]") {
  const JsonReader json("payload", Reason::kTokenMalformed);
  std::vector<int64_t> points;
  const absl::Status top = read_points(json, R"({"rosters":[],"rosters":[]})", &points);
  CHECK(reason_of(top) == Reason::kTokenMalformed);
  CHECK(message(top) == "TokenMalformed: payload: rosters: the key appears twice");
  const absl::Status nested =
      read_points(json, R"({"rosters":[{"settings":{"fpts":1,"fpts":2}}]})", &points);
  CHECK(message(nested) ==
        "TokenMalformed: payload: rosters[0].settings.fpts: the key appears twice");
}

TEST_CASE("json: typed reads, null and non_null", "[http][json]") {
  const JsonReader json("t");
  dom::parser parser;
  const dom::element root =
      json.parse(parser, R"({"s":"x","i":-3,"d":2.5,"di":7,"b":true,"n":null,"a":[null,"y"]})")
          .value();
  dom::object o;
  REQUIRE(json.get(root, JsonPath(), &o).ok());
  std::string s;
  int64_t i = 0;
  double d = 0, di = 0;
  bool b = false;
  std::optional<std::string> n = "stale", absent;
  REQUIRE(json.read_fields(o, JsonPath(),
                           {{"s", Presence::kRequired, &s},
                            {"i", Presence::kRequired, &i},
                            {"d", Presence::kRequired, &d},
                            {"di", Presence::kRequired, &di},  // An integer reads as a double.
                            {"b", Presence::kRequired, &b},
                            {"n", Presence::kRequired, &n},  // Nullable: null is nullopt.
                            {"absent", Presence::kOptional, &absent}})
              .ok());
  CHECK(s == "x");
  CHECK(i == -3);
  CHECK(d == 2.5);
  CHECK(di == 7.0);
  CHECK(b);
  CHECK_FALSE(n.has_value());
  CHECK_FALSE(absent.has_value());

  std::optional<std::string> kid;
  CHECK(
      message(json.read_fields(o, JsonPath(), {{"n", Presence::kOptional, json.non_null(&kid)}})) ==
      "t: n: expected a string, got null");
  std::optional<std::string> typ;
  CHECK(json.read_fields(o, JsonPath(), {{"zz", Presence::kOptional, json.non_null(&typ)}}).ok());
  CHECK_FALSE(typ.has_value());

  std::vector<std::optional<std::string>> items;
  dom::array a;
  REQUIRE(json.get(o["a"].value_unsafe(), JsonPath().field("a"), &a).ok());
  REQUIRE(json.for_each_element(a, JsonPath().field("a"),
                                [&](dom::element e, const JsonPath& p) {
                                  return json.read(e, p, &items.emplace_back());
                                })
              .ok());
  CHECK(items == std::vector<std::optional<std::string>>{std::nullopt, "y"});
  CHECK(message(json.get(o["a"].value_unsafe(), JsonPath().field("a"), &o)) ==
        "t: a: expected an object, got an array");
  CHECK(message(json.read(o["b"].value_unsafe(), JsonPath().field("b"), &s)) ==
        "t: b: expected a string, got a boolean");
}

TEST_CASE("json: messages name paths and types, never values, and long keys are cut",
          "[http][json]") {
  const JsonReader json("token endpoint", Reason::kGoogleResponseInvalid);
  dom::parser parser;
  const std::string long_key(200, 'k');
  const std::string text =
      R"({"access_token":"ya29.s3cret-value-0123456789","expires_in":"3599",")" + long_key +
      R"(":1})";
  const dom::element root = json.parse(parser, text).value();
  dom::object o;
  REQUIRE(json.get(root, JsonPath(), &o).ok());
  int64_t access_token = 0, expires_in = 0;
  const absl::Status wrong =
      json.read_fields(o, JsonPath(), {{"access_token", Presence::kRequired, &access_token}});
  CHECK(message(wrong) ==
        "GoogleResponseInvalid: token endpoint: access_token: expected a number, got a string");
  CHECK(message(wrong).find("s3cret") == std::string::npos);
  CHECK(message(
            json.read_fields(o, JsonPath(), {{"expires_in", Presence::kRequired, &expires_in}})) ==
        "GoogleResponseInvalid: token endpoint: expires_in: expected a number, got a string");
  std::string s;
  const std::string cut =
      message(json.read(o[long_key].value_unsafe(), JsonPath().field(long_key), &s));
  CHECK(cut == "GoogleResponseInvalid: token endpoint: " + std::string(64, 'k') +
                   "...: expected a string, got a number");
}

TEST_CASE("json: nested arrays render as indices", "[http][json]") {
  // Each level is a variable of its own: a level points at its parent.
  const JsonPath root;
  const JsonPath rows = root.field("rows");
  const JsonPath row = rows.element(0);
  const JsonPath column = row.element(2);
  const JsonPath cell = column.field("a");
  CHECK(cell.render() == "rows[0][2].a");
  CHECK(root.element(4).render() == "[4]");
  CHECK(root.render() == "the document");
}

}  // namespace
}  // namespace account::internal::http
