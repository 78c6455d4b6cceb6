// CurlSleeperClient against a real HTTP server on 127.0.0.1 serving
// Sleeper-shaped answers: parsing, errors (kSleeper* reasons), retries,
// Retry-After, timeouts, the rate limit and connection reuse.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "account/sleeper/curl_sleeper_client.h"
#include "account/status.h"
#include "sleeper/fake_sleeper.h"

namespace account {
namespace {

using testing::FakeSleeper;
using testing::TestClient;

std::string message(const absl::Status& status) { return std::string(status.message()); }

template <typename T>
std::string message(const absl::StatusOr<T>& result) {
  return message(result.status());
}

TEST_CASE("user: found", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/user/alice",
            R"({"username":"alice","user_id":"730461236754780160","display_name":"Alice",)"
            R"("avatar":null})");
  TestClient t(fake);
  absl::StatusOr<SleeperUser> user = t.client->user("alice");
  REQUIRE(user.ok());
  CHECK(*user == SleeperUser{.user_id = "730461236754780160",
                             .username = "alice",
                             .display_name = "Alice"});
}

TEST_CASE("user: unknown is SleeperNotFound, for a null body and a 404", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/user/ghost", "null");
  TestClient t(fake);
  absl::StatusOr<SleeperUser> by_null = t.client->user("ghost");
  CHECK(reason_of(by_null) == Reason::kSleeperNotFound);
  CHECK(by_null.status().code() == absl::StatusCode::kNotFound);
  CHECK(message(by_null) == "SleeperNotFound: GET /user/ghost: no such user");

  absl::StatusOr<SleeperUser> by_404 = t.client->user("nobody");  // No route: 404.
  CHECK(reason_of(by_404) == Reason::kSleeperNotFound);
  CHECK(by_404.status().code() == absl::StatusCode::kNotFound);
  CHECK(message(by_404) == "SleeperNotFound: GET /user/nobody: HTTP 404");
  CHECK(fake.hits("/user/nobody") == 1);  // A 404 is not retried.
}

TEST_CASE("user: the username is escaped into one path segment", "[sleeper][client]") {
  FakeSleeper fake;
  TestClient t(fake);
  CHECK(t.client->user("a b/../c").status().code() == absl::StatusCode::kNotFound);
  CHECK(fake.targets() == std::vector<std::string>{"/v1/user/a%20b%2F..%2Fc"});
}

TEST_CASE("arguments are checked before any call", "[sleeper][client]") {
  FakeSleeper fake;
  TestClient t(fake);
  CHECK(t.client->user("").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(t.client->user(std::string(65, 'a')).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(t.client->nfl_leagues("1", "26").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(t.client->league_matchups("1", 0).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(t.client->league_matchups("1", 19).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(t.client->league_rosters("").status().code() == absl::StatusCode::kInvalidArgument);
  // The caller's mistake, not Sleeper's answer: no Reason, and nothing was sent.
  CHECK_FALSE(reason_of(t.client->user("")).has_value());
  CHECK(fake.targets().empty());
}

TEST_CASE("options are checked", "[sleeper][client]") {
  CurlSleeperClientOptions options;
  options.base_url = "ftp://api.sleeper.app/v1";
  CHECK(CurlSleeperClient::create(options).status().code() ==
        absl::StatusCode::kInvalidArgument);
  options = {};
  options.attempts_max = 0;
  CHECK(CurlSleeperClient::create(options).status().code() ==
        absl::StatusCode::kInvalidArgument);
  options = {};
  options.calls_per_minute_max = 0;
  CHECK(CurlSleeperClient::create(options).status().code() ==
        absl::StatusCode::kInvalidArgument);
  options = {};
  options.backoff_max = absl::Milliseconds(1);  // Below backoff_initial.
  CHECK(CurlSleeperClient::create(options).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(CurlSleeperClient::create({}).ok());
}

TEST_CASE("leagues: one, several, null and []", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/user/1/leagues/nfl/2026",
            R"([{"league_id":"11","name":"Office","season":"2026","status":"in_season",)"
            R"("total_rosters":12,"settings":{"playoff_week_start":15}}])");
  fake.json("/user/2/leagues/nfl/2026",
            R"([{"league_id":"21","name":"Family","season":"2026","status":"pre_draft"},)"
            R"({"league_id":"22","name":"Dynasty","season":"2026","status":"complete"}])");
  fake.json("/user/3/leagues/nfl/2026", "null");
  fake.json("/user/4/leagues/nfl/2026", " [ ]\n");
  TestClient t(fake);

  auto one = t.client->nfl_leagues("1", "2026");
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK((*one)[0] == SleeperLeague{.league_id = "11", .name = "Office", .season = "2026",
                                   .status = "in_season"});
  auto two = t.client->nfl_leagues("2", "2026");
  REQUIRE(two.ok());
  REQUIRE(two->size() == 2);
  CHECK((*two)[1].league_id == "22");
  CHECK((*two)[1].status == "complete");
  auto none_null = t.client->nfl_leagues("3", "2026");
  REQUIRE(none_null.ok());
  CHECK(none_null->empty());
  auto none_empty = t.client->nfl_leagues("4", "2026");
  REQUIRE(none_empty.ok());
  CHECK(none_empty->empty());
}

TEST_CASE("league: found, and null is SleeperNotFound", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/league/11", R"({"league_id":"11","name":"Office","season":"2026",)"
                          R"("status":"in_season","settings":{"playoff_week_start":15}})");
  fake.json("/league/99", "null");
  TestClient t(fake);
  auto league = t.client->league("11");
  REQUIRE(league.ok());
  CHECK(league->name == "Office");
  CHECK(reason_of(t.client->league("99")) == Reason::kSleeperNotFound);
  CHECK(message(t.client->league("99")) == "SleeperNotFound: GET /league/99: no such league");
}

TEST_CASE("rosters: decimals, owners, co-owners and missing settings", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/league/11/rosters", R"([
    {"roster_id":1,"owner_id":"100","co_owners":null,"settings":{"wins":5,"losses":2,"ties":1,
      "fpts":1617,"fpts_decimal":78,"fpts_against":1500,"fpts_against_decimal":12}},
    {"roster_id":2,"owner_id":null,"settings":{}},
    {"roster_id":3,"owner_id":"300","co_owners":["301","302"],"settings":null},
    {"roster_id":4,"owner_id":"400","settings":{"fpts":98,"fpts_decimal":5,"wins":null}},
    {"roster_id":5}
  ])");
  TestClient t(fake);
  auto rosters = t.client->league_rosters("11");
  REQUIRE(rosters.ok());
  REQUIRE(rosters->size() == 5);
  const SleeperRoster& first = (*rosters)[0];
  CHECK(first == SleeperRoster{.roster_id = 1, .owner_id = "100", .fpts = 1617,
                               .fpts_decimal = 78, .wins = 5, .losses = 2, .ties = 1});
  CHECK(season_points(first).value() == FantasyPoints{161'778});
  CHECK_FALSE((*rosters)[1].owner_id.has_value());
  CHECK(season_points((*rosters)[1]).value() == FantasyPoints{0});
  CHECK((*rosters)[2].co_owner_ids == std::vector<std::string>{"301", "302"});
  CHECK((*rosters)[2].owned_by("302"));
  CHECK_FALSE((*rosters)[2].owned_by("100"));
  CHECK(season_points((*rosters)[3]).value() == FantasyPoints{9'805});  // 98.05, not 98.5.
  CHECK((*rosters)[3].wins == 0);
  CHECK((*rosters)[4] == SleeperRoster{.roster_id = 5});
}

TEST_CASE("rosters: an fpts_decimal out of range is SleeperResponseInvalid", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/league/11/rosters", R"([{"roster_id":1,"settings":{"fpts":1,"fpts_decimal":100}}])");
  TestClient t(fake);
  auto rosters = t.client->league_rosters("11");
  CHECK(reason_of(rosters) == Reason::kSleeperResponseInvalid);
  CHECK(rosters.status().code() == absl::StatusCode::kDataLoss);
  CHECK_THAT(message(rosters), Catch::Contains("[0].settings: fpts_decimal 100"));
}

TEST_CASE("matchups: points, byes, custom points", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/league/11/matchups/3", R"([
    {"roster_id":1,"matchup_id":1,"points":141.3,"custom_points":null,"starters":["4034"]},
    {"roster_id":2,"matchup_id":1,"points":99.99},
    {"roster_id":3,"matchup_id":null,"points":120.455},
    {"roster_id":4,"matchup_id":2,"points":80,"custom_points":95.5},
    {"roster_id":5,"matchup_id":2,"points":null}
  ])");
  fake.json("/league/11/matchups/18", "null");
  TestClient t(fake);
  auto matchups = t.client->league_matchups("11", 3);
  REQUIRE(matchups.ok());
  REQUIRE(matchups->size() == 5);
  CHECK((*matchups)[0] == SleeperMatchup{.roster_id = 1, .matchup_id = 1,
                                         .points = FantasyPoints{14'130}});
  CHECK((*matchups)[1].points == FantasyPoints{9'999});
  CHECK_FALSE((*matchups)[2].matchup_id.has_value());
  CHECK((*matchups)[2].points == FantasyPoints{12'046});  // Rounded to the nearest hundredth.
  CHECK((*matchups)[3].points == FantasyPoints{9'550});   // The commissioner's score wins.
  CHECK((*matchups)[3].custom_points);
  CHECK((*matchups)[4].points == FantasyPoints{0});
  auto none = t.client->league_matchups("11", 18);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("nfl state", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/state/nfl", R"({"week":7,"season_type":"regular","season_start_date":"2026-09-10",)"
                          R"("season":"2026","previous_season":"2025","leg":7,)"
                          R"("league_season":"2026","display_week":8})");
  TestClient t(fake);
  auto state = t.client->nfl_state();
  REQUIRE(state.ok());
  CHECK(*state == NflState{.season = "2026", .season_type = NflSeasonType::kRegular, .week = 7,
                           .display_week = 8});

  fake.json("/state/nfl", R"({"week":0,"season_type":"off","season":"2027"})");
  state = t.client->nfl_state();
  REQUIRE(state.ok());
  CHECK(state->season_type == NflSeasonType::kOff);
  CHECK(state->display_week == 0);

  fake.json("/state/nfl", R"({"week":1,"season_type":"playoffs","season":"2026"})");
  state = t.client->nfl_state();
  CHECK(state.status().code() == absl::StatusCode::kDataLoss);
  CHECK(message(state) ==
        "SleeperResponseInvalid: GET /state/nfl: season_type: unknown season type 'playoffs'");
}

TEST_CASE("a number where a string is expected is SleeperResponseInvalid naming the field",
          "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/user/alice", R"({"username":"alice","user_id":730461236754780160,)"
                           R"("display_name":"Alice"})");
  fake.json("/league/11/rosters", R"([{"roster_id":1,"owner_id":"1"},)"
                                  R"({"roster_id":"2","owner_id":"2"}])");
  TestClient t(fake);
  auto user = t.client->user("alice");
  CHECK(user.status().code() == absl::StatusCode::kDataLoss);
  CHECK(message(user) ==
        "SleeperResponseInvalid: GET /user/alice: user_id: expected a string, got a number");
  auto rosters = t.client->league_rosters("11");
  CHECK(rosters.status().code() == absl::StatusCode::kDataLoss);
  CHECK(message(rosters) == "SleeperResponseInvalid: GET /league/11/rosters: [1].roster_id: "
                            "expected a number, got a string");
  CHECK(fake.hits("/user/alice") == 1);  // Bad data is not retried.
}

TEST_CASE("missing fields and fractional ids are SleeperResponseInvalid", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/user/1/leagues/nfl/2026", R"([{"league_id":"11","season":"2026","status":"x"}])");
  fake.json("/league/11/matchups/1", R"([{"roster_id":1.5,"matchup_id":1,"points":1}])");
  fake.json("/league/11/matchups/2", R"([{"roster_id":1,"matchup_id":1}])");
  TestClient t(fake);
  auto leagues = t.client->nfl_leagues("1", "2026");
  CHECK(message(leagues) ==
        "SleeperResponseInvalid: GET /user/1/leagues/nfl/2026: [0]: missing field 'name'");
  auto fractional = t.client->league_matchups("11", 1);
  CHECK(message(fractional) ==
        "SleeperResponseInvalid: GET /league/11/matchups/1: [0].roster_id: expected an integer");
  auto no_points = t.client->league_matchups("11", 2);
  CHECK(message(no_points) ==
        "SleeperResponseInvalid: GET /league/11/matchups/2: [0]: missing field 'points'");
}

TEST_CASE("truncated, malformed and trailing JSON are SleeperResponseInvalid",
          "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/league/11/rosters", R"([{"roster_id":1,"owner_id":"1"},{"roster_id":2,)");
  fake.json("/user/alice", R"({"username":"alice","user_id":"1","display_name":"A")");
  fake.json("/state/nfl", R"({"week":1,"season_type":"regular","season":"2026"} {})");
  fake.json("/league/12", "<html>Bad gateway</html>");
  TestClient t(fake);
  for (const absl::Status& status :
       {t.client->league_rosters("11").status(), t.client->user("alice").status(),
        t.client->nfl_state().status(), t.client->league("12").status()}) {
    CHECK(reason_of(status) == Reason::kSleeperResponseInvalid);
    CHECK(status.code() == absl::StatusCode::kDataLoss);
    INFO(status.message());
    CHECK_THAT(message(status), Catch::StartsWith("SleeperResponseInvalid: GET /"));
  }
  CHECK_THAT(message(t.client->league_rosters("11")), Catch::Contains("truncated"));
  // Trailing content is malformed text: the document is parsed whole before it is read.
  CHECK_THAT(message(t.client->nfl_state()),
             Catch::Contains("GET /state/nfl: the document: malformed or truncated JSON"));
  CHECK(fake.hits("/league/11/rosters") == 2);  // Once per call: no retries.
}

TEST_CASE("a 429 with Retry-After is retried after the wait it asks for", "[sleeper][client]") {
  FakeSleeper fake;
  int calls = 0;
  fake.route("/state/nfl", [&calls](const httplib::Request&, httplib::Response& r) {
    if (++calls == 1) {
      r.status = 429;
      r.set_header("Retry-After", "2");
      return;
    }
    r.set_content(R"({"week":3,"season_type":"regular","season":"2026","display_week":3})",
                  "application/json");
  });
  TestClient t(fake);
  auto state = t.client->nfl_state();
  REQUIRE(state.ok());
  CHECK(state->week == 3);
  CHECK(fake.hits("/state/nfl") == 2);
  CHECK(t.recorded_sleeps() == std::vector<absl::Duration>{absl::Seconds(2)});
}

TEST_CASE("a Retry-After applies to its own answer only", "[sleeper][client]") {
  FakeSleeper fake;
  int calls = 0;
  fake.route("/state/nfl", [&calls](const httplib::Request&, httplib::Response& r) {
    ++calls;
    if (calls == 1) {
      r.status = 429;
      r.set_header("Retry-After", "5");
    } else if (calls == 2) {
      r.status = 500;  // No Retry-After: the backoff alone.
    } else {
      r.set_content(R"({"week":3,"season_type":"regular","season":"2026"})", "application/json");
    }
  });
  TestClient t(fake);
  REQUIRE(t.client->nfl_state().ok());
  const std::vector<absl::Duration> sleeps = t.recorded_sleeps();
  REQUIRE(sleeps.size() == 2);
  CHECK(sleeps[0] == absl::Seconds(5));
  CHECK(sleeps[1] <= absl::Seconds(1));  // The second ceiling, not the earlier 5 s.
}

TEST_CASE("a Retry-After beyond the cap ends the call", "[sleeper][client]") {
  FakeSleeper fake;
  fake.route("/state/nfl", [](const httplib::Request&, httplib::Response& r) {
    r.status = 503;
    r.set_header("Retry-After", "3600");
  });
  TestClient t(fake);
  auto state = t.client->nfl_state();
  CHECK(reason_of(state) == Reason::kSleeperUnavailable);
  CHECK(state.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(message(state), Catch::Contains("HTTP 503: asked to retry after 1h"));
  CHECK(fake.hits("/state/nfl") == 1);
  CHECK(t.recorded_sleeps().empty());
}

TEST_CASE("a 500 storm exhausts the retries with a growing, jittered backoff",
          "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/league/11/rosters", R"({"error":"oops"})", 500);
  TestClient t(fake);
  auto rosters = t.client->league_rosters("11");
  CHECK(reason_of(rosters) == Reason::kSleeperUnavailable);
  CHECK(rosters.status().code() == absl::StatusCode::kUnavailable);
  CHECK(message(rosters) ==
        "SleeperUnavailable: GET /league/11/rosters: HTTP 500 (gave up after 4 attempts)");
  CHECK(fake.hits("/league/11/rosters") == 4);
  const std::vector<absl::Duration> sleeps = t.recorded_sleeps();
  REQUIRE(sleeps.size() == 3);
  // Ceilings 500 ms, 1 s, 2 s; each wait is between half the ceiling and it.
  absl::Duration ceiling = absl::Milliseconds(500);
  for (absl::Duration sleep : sleeps) {
    CHECK(sleep >= ceiling / 2);
    CHECK(sleep <= ceiling);
    ceiling *= 2;
  }
}

TEST_CASE("the backoff stops growing at backoff_max", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/state/nfl", "", 502);
  CurlSleeperClientOptions options;
  options.attempts_max = 6;
  options.backoff_initial = absl::Seconds(1);
  options.backoff_max = absl::Seconds(3);
  TestClient t(fake, options);
  CHECK(t.client->nfl_state().status().code() == absl::StatusCode::kUnavailable);
  const std::vector<absl::Duration> sleeps = t.recorded_sleeps();
  REQUIRE(sleeps.size() == 5);
  for (size_t i = 2; i < sleeps.size(); ++i) {
    CHECK(sleeps[i] >= absl::Milliseconds(1500));
    CHECK(sleeps[i] <= absl::Seconds(3));
  }
}

TEST_CASE("other 4xx answers are SleeperRejected and not retried", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/league/11", R"({"error":"bad request"})", 400);
  TestClient t(fake);
  auto league = t.client->league("11");
  CHECK(reason_of(league) == Reason::kSleeperRejected);
  CHECK(league.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(message(league) ==
        "SleeperRejected: GET /league/11: HTTP 400: Sleeper refused the request");
  CHECK(fake.hits("/league/11") == 1);
}

TEST_CASE("a slow server hits the timeout, on every attempt", "[sleeper][client]") {
  FakeSleeper fake;
  fake.route("/state/nfl", [](const httplib::Request&, httplib::Response& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    r.set_content(R"({"week":3,"season_type":"regular","season":"2026"})", "application/json");
  });
  CurlSleeperClientOptions options;
  options.attempt_timeout = absl::Milliseconds(100);
  options.attempts_max = 2;
  TestClient t(fake, options);
  const auto start = std::chrono::steady_clock::now();
  auto state = t.client->nfl_state();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // A timeout is Sleeper unavailable, like any other failure worth retrying later.
  CHECK(reason_of(state) == Reason::kSleeperUnavailable);
  CHECK(state.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(message(state),
             Catch::StartsWith("SleeperUnavailable: GET /state/nfl: no answer in time"));
  CHECK_THAT(message(state), Catch::EndsWith("(gave up after 2 attempts)"));
  CHECK(elapsed < std::chrono::milliseconds(1'000));
  CHECK(t.recorded_sleeps().size() == 1);
}

TEST_CASE("a refused connection is Unavailable after the retries", "[sleeper][client]") {
  std::string closed_url;
  {
    FakeSleeper gone;
    closed_url = gone.base_url();
  }  // The port is closed now.
  FakeSleeper fake;
  CurlSleeperClientOptions options;
  options.attempts_max = 2;
  TestClient t(fake, options);
  t.options.base_url = closed_url;
  auto client = CurlSleeperClient::create(t.options).value();
  auto state = client->nfl_state();
  CHECK(reason_of(state) == Reason::kSleeperUnavailable);
  CHECK(state.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(message(state), Catch::EndsWith("(gave up after 2 attempts)"));
}

TEST_CASE("errors name the path, never the base URL or its credentials", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/state/nfl", "", 500);
  CurlSleeperClientOptions options;
  options.attempts_max = 1;
  TestClient t(fake, options);
  t.options.base_url = "http://reader:s3cret@" + fake.base_url().substr(7);
  auto client = CurlSleeperClient::create(t.options).value();
  const std::string text = message(client->nfl_state());
  CHECK(text == "SleeperUnavailable: GET /state/nfl: HTTP 500");
  CHECK(text.find("s3cret") == std::string::npos);
}

TEST_CASE("answers above response_bytes_max are refused", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/league/11/rosters", "[" + std::string(4'000, ' ') + "]");
  CurlSleeperClientOptions options;
  options.response_bytes_max = 2'048;
  TestClient t(fake, options);
  auto rosters = t.client->league_rosters("11");
  CHECK(reason_of(rosters) == Reason::kSleeperResponseInvalid);
  CHECK(message(rosters) ==
        "SleeperResponseInvalid: GET /league/11/rosters: answer larger than 2048 bytes");
  CHECK(fake.hits("/league/11/rosters") == 1);  // The same answer would come again.
}

// One row per Sleeper reason, in the order of their numbers: what Sleeper did to earn it, how
// many attempts the client made (of attempts_max 2), and whether a caller should try the call
// again later (transient()).
TEST_CASE("each Sleeper reason, its cause and its retry answer", "[sleeper][client]") {
  struct Row {
    Reason reason;
    int status;
    std::string body;
    int attempts;
    bool transient;
  };
  const Row rows[] = {
      {Reason::kSleeperNotFound, 404, "", 1, false},
      {Reason::kSleeperNotFound, 200, "null", 1, false},
      {Reason::kSleeperRejected, 400, "", 1, false},
      {Reason::kSleeperRejected, 403, "", 1, false},
      {Reason::kSleeperUnavailable, 429, "", 2, true},
      {Reason::kSleeperUnavailable, 503, "", 2, true},
      {Reason::kSleeperResponseInvalid, 200, "{", 1, false},
      {Reason::kSleeperResponseInvalid, 302, "", 1, false},
  };
  for (const Row& row : rows) {
    CAPTURE(reason_name(row.reason), row.status, row.body);
    FakeSleeper fake;
    fake.json("/league/11", row.body, row.status);
    CurlSleeperClientOptions options;
    options.attempts_max = 2;
    TestClient t(fake, options);
    const absl::Status status = t.client->league("11").status();
    CHECK(reason_of(status) == row.reason);
    CHECK(fake.hits("/league/11") == row.attempts);
    CHECK(transient(row.reason) == row.transient);
  }
}

TEST_CASE("calls reuse one connection", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/state/nfl", R"({"week":3,"season_type":"regular","season":"2026"})");
  TestClient t(fake);
  for (int i = 0; i < 4; ++i) REQUIRE(t.client->nfl_state().ok());
  CHECK(fake.hits("/state/nfl") == 4);
  CHECK(fake.connections() == 1);
}

TEST_CASE("the rate limit spaces calls beyond the burst", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/state/nfl", R"({"week":3,"season_type":"regular","season":"2026"})");
  CurlSleeperClientOptions options;
  options.calls_per_minute_max = 60;
  options.burst_calls_max = 2;
  TestClient t(fake, options);
  for (int i = 0; i < 4; ++i) REQUIRE(t.client->nfl_state().ok());
  // Two at once, then one a second.
  CHECK(t.recorded_sleeps() == std::vector<absl::Duration>{absl::Seconds(1), absl::Seconds(1)});
}

TEST_CASE("concurrent calls share the client safely", "[sleeper][client]") {
  FakeSleeper fake;
  fake.json("/state/nfl", R"({"week":3,"season_type":"regular","season":"2026"})");
  CurlSleeperClientOptions options;
  options.burst_calls_max = 100;
  TestClient t(fake, options);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) ok += t.client->nfl_state().ok() ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(ok == 20);
  CHECK(fake.hits("/state/nfl") == 20);
  CHECK(fake.connections() <= 4);
}

}  // namespace
}  // namespace account

namespace account {
namespace {

TEST_CASE("SLEEPER_API_BASE_URL sets the base URL, and a bad one is refused by name",
          "[sleeper][client][config]") {
  const char* saved = std::getenv("SLEEPER_API_BASE_URL");
  const std::string restore = saved == nullptr ? "" : saved;
  ::unsetenv("SLEEPER_API_BASE_URL");
  CHECK(sleeper_options_from_environment().value().base_url == "https://api.sleeper.app/v1");
  ::setenv("SLEEPER_API_BASE_URL", "http://127.0.0.1:8080/v1/", 1);
  CHECK(sleeper_options_from_environment().value().base_url == "http://127.0.0.1:8080/v1");
  ::setenv("SLEEPER_API_BASE_URL", "ftp://example/v1", 1);
  const auto bad = sleeper_options_from_environment();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()).find("SLEEPER_API_BASE_URL") != std::string::npos);
  if (restore.empty()) {
    ::unsetenv("SLEEPER_API_BASE_URL");
  } else {
    ::setenv("SLEEPER_API_BASE_URL", restore.c_str(), 1);
  }
}

}  // namespace
}  // namespace account
