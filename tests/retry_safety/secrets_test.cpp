// No secret in any error or display, without a server: every malformed
// DATABASE_URL of support/malformed_urls.h is a configuration error that
// names the problem and quotes none of the URL; redact_database_url hides
// whatever may be a password, malformed URL or not, and keeps what reads
// unambiguously; the password candidates cover every piece libpq may quote;
// and a secret in an http(s) URL is neither echoed nor displayed.
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "account/config.h"
#include "base/database_url.h"
#include "support/malformed_urls.h"

namespace account {
namespace {

using testing::leaked_secret;
using testing::malformed_urls;
using testing::MalformedUrl;

Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    if (auto it = vars.find(std::string(name)); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

std::string message_of(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("a malformed DATABASE_URL is a configuration error that quotes none of it",
          "[retry-safety][secrets]") {
  for (const MalformedUrl& bad : malformed_urls()) {
    CAPTURE(bad.what, bad.url);
    const absl::StatusOr<Config> config = load_config(env_of({{"DATABASE_URL", bad.url}}));
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    const std::string message = message_of(config.status());
    CHECK_THAT(message, Catch::Contains("DATABASE_URL: malformed: "));
    CHECK(leaked_secret(bad, message).empty());
    // Nor any other part of the URL: its host list may be the password.
    CHECK_THAT(message, !Catch::Contains("ledger"));
    CHECK_THAT(message, !Catch::Contains("db.internal"));

    const std::optional<std::string> problem = internal::database_url_problem(bad.url);
    REQUIRE(problem.has_value());
    CHECK(leaked_secret(bad, *problem).empty());
  }
}

TEST_CASE("the tester's typo is refused as a port that is not a number",
          "[retry-safety][secrets]") {
  const absl::StatusOr<Config> config =
      load_config(env_of({{"DATABASE_URL", "postgresql://ledger:S3cretPW/waiver"}}));
  REQUIRE_FALSE(config.ok());
  CHECK(message_of(config.status()) ==
        "invalid configuration: DATABASE_URL: malformed: a port is not a number from 1 to "
        "65535 (a password whose '@' before the host is missing reads as the port; its text "
        "is not shown)");
}

TEST_CASE("redact_database_url hides every password of a malformed URL",
          "[retry-safety][secrets]") {
  for (const MalformedUrl& bad : malformed_urls()) {
    CAPTURE(bad.what, bad.url);
    const std::string shown = redact_database_url(bad.url);
    CAPTURE(shown);
    CHECK(leaked_secret(bad, shown).empty());
  }
}

TEST_CASE("redact_database_url keeps hosts, ports and database where they read unambiguously",
          "[retry-safety][secrets]") {
  struct Row {
    const char* url;
    const char* shown;
  };
  const Row rows[] = {
      {"postgresql://ledger:S3cretPW/waiver", "postgresql://ledger:***/waiver"},
      {"postgresql://ledger:4815162342/waiver", "postgresql://ledger:***/waiver"},
      {"postgresql://:Empty11Secret/waiver", "postgresql://:***/waiver"},
      {"postgresql://db1:5432,ledger:Multi12Typo/waiver",
       "postgresql://db1:5432,ledger:***/waiver"},
      {"postgresql://u:pw@db1:5x33,db2:5432/waiver", "postgresql://u:***@db1:***,db2:5432/waiver"},
      {"postgresql://[::1]:5432/waiver", "postgresql://[::1]:5432/waiver"},
      {"postgresql://[::1]:V6Port13Secret/waiver", "postgresql://[::1]:***/waiver"},
      {"postgresql://ledger:V6Secret13@[::1:5432/waiver", "postgresql://ledger:***@***"},
      {"postgresql://ledger@At16Secret@db/waiver", "postgresql://***@db/waiver"},
      {"postgresql://db/waiver?password=Qu12ery&Se12cret&sslmode=disable",
       "postgresql://db/waiver?password=***&***&sslmode=disable"},
      {"postgresql://db/waiver?sslpassword=KeyPass1&sslmode=require",
       "postgresql://db/waiver?sslpassword=***&sslmode=require"},
      {"postgresql://db/waiver?dbname=postgresql%3A%2F%2Fu%3Apw%40h%2Fx",
       "postgresql://db/waiver?dbname=***"},
      {"host=db dbname=postgresql://u:Nested1@h/x", "host=db dbname=***"},
      // Valid URLs are shown as they were, but for the password.
      {"postgresql://ledger:pw@db.internal:5432/waiver?sslmode=require",
       "postgresql://ledger:***@db.internal:5432/waiver?sslmode=require"},
      {"postgresql://db1:5432,db2:5433/waiver", "postgresql://db1:5432,db2:5433/waiver"},
      {"postgresql://db.internal:/waiver", "postgresql://db.internal:/waiver"},
      {"host=db1,db2 port=5432,5433 dbname=waiver", "host=db1,db2 port=5432,5433 dbname=waiver"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.url);
    CHECK(redact_database_url(row.url) == row.shown);
  }
}

TEST_CASE("describe_config never shows a password of DATABASE_URL", "[retry-safety][secrets]") {
  // describe_config() shows what load_config() accepted; a Config may be
  // built by hand too, with a URL load_config() would refuse.
  for (const MalformedUrl& bad : malformed_urls()) {
    CAPTURE(bad.what, bad.url);
    Config config;
    config.database_url = Secret(bad.url);
    const std::string text = describe_config(config);
    CHECK_THAT(text, Catch::Contains("DATABASE_URL = "));
    CHECK(leaked_secret(bad, text).empty());
  }
}

TEST_CASE("the password candidates cover every piece of a password libpq may quote",
          "[retry-safety][secrets]") {
  for (const MalformedUrl& bad : malformed_urls()) {
    CAPTURE(bad.what, bad.url);
    const std::vector<std::string> candidates = internal::password_candidates(bad.url);
    for (const std::string& secret : bad.secrets) {
      CAPTURE(secret);
      // As libpq quotes a value it refuses, and bare.
      for (const std::string& said :
           {"invalid integer value \"" + secret + "\" for connection option \"port\"",
            "could not translate host name \"" + secret + "\" to address", secret}) {
        const std::string scrubbed = internal::scrub(said, candidates);
        CAPTURE(scrubbed);
        CHECK(scrubbed.find(secret) == std::string::npos);
      }
    }
  }
}

TEST_CASE("scrubbing keeps the rest of a message readable", "[retry-safety][secrets]") {
  const std::vector<std::string> candidates =
      internal::password_candidates("postgresql://ledger:S3cretPW@127.0.0.1:5432/waiver");
  CHECK(internal::scrub("password authentication failed for user \"ledger\" (S3cretPW)",
                        candidates) == "password authentication failed for user \"ledger\" (***)");
  // A short password is replaced only where it stands alone, so that
  // "on" does not eat into "connection".
  const std::vector<std::string> short_one =
      internal::password_candidates("postgresql://ledger:on@db/waiver");
  CHECK(internal::scrub("connection refused; port \"on\"", short_one) ==
        "connection refused; port \"***\"");
  // Neither a host, a port number nor a database is a candidate.
  CHECK(internal::password_candidates("postgresql://db.internal:5432/waiver").empty());
  CHECK(internal::password_candidates("host=db port=5432 dbname=waiver").empty());
  // Percent-decoded, as libpq hands it on.
  const std::vector<std::string> encoded =
      internal::password_candidates("postgresql://ledger:Pa%2Fss%40word@db/waiver");
  CHECK(internal::scrub("x Pa/ss@word x", encoded) == "x *** x");
}

TEST_CASE("valid URLs are not refused as malformed", "[retry-safety][secrets]") {
  for (const char* url : {
           "postgresql://",
           "postgresql://localhost",
           "postgres://ledger:pw@db.internal:5432/waiver",
           "postgresql://ledger:pa%2Fss%40word@db.internal/waiver",
           "postgresql://ledger:que?stion@db.internal/waiver",
           "postgresql://ledger:ha#sh@db.internal/waiver",
           "postgresql://db1:5432,db2:5433/waiver",
           "postgresql://db1,db2:5433/waiver",
           "postgresql://[::1]:5432/waiver",
           "postgresql://[::1]/waiver",
           "postgresql://[::1],[fe80::1%25eth0]:5433/waiver",
           "postgresql://db.internal:/waiver",
           "postgresql:///waiver?host=/var/run/postgresql&port=5433",
           "postgresql://db.internal/waiver?application_name=a@b&sslmode=require",
           "host=db.internal port=5432 dbname=waiver",
           "host=db1,db2 port=5432,5433 password='a b c' dbname=waiver",
           "password='it\\'s' user=u",
       }) {
    CAPTURE(url);
    CHECK_FALSE(internal::database_url_problem(url).has_value());
    CHECK(load_config(env_of({{"DATABASE_URL", url}})).ok());
  }
}

TEST_CASE("an http(s) URL's password is neither echoed nor displayed, and a bad port is refused",
          "[retry-safety][secrets]") {
  const absl::StatusOr<Config> refused = load_config(env_of({
      {"SLEEPER_API_BASE_URL", "htp://reader:Sl33perPw@127.0.0.1:9000/v1"},
      {"GOOGLE_TOKEN_ENDPOINT", "https://127.0.0.1:80x/token"},
      {"GOOGLE_JWKS_URL", "https://[::1/jwks"},
      // libcurl refuses such a host name as a malformed URL.
      {"GOOGLE_USERINFO_ENDPOINT", "https://user^info.example/me"},
  }));
  REQUIRE_FALSE(refused.ok());
  const std::string message = message_of(refused.status());
  CHECK_THAT(message, !Catch::Contains("Sl33perPw"));
  CHECK_THAT(message, Catch::Contains("SLEEPER_API_BASE_URL: must be an http:// or https:// URL"));
  CHECK_THAT(message, Catch::Contains("GOOGLE_TOKEN_ENDPOINT: must be an http:// or https:// URL"));
  CHECK_THAT(message, Catch::Contains("GOOGLE_JWKS_URL: must be an http:// or https:// URL"));
  CHECK_THAT(message,
             Catch::Contains("GOOGLE_USERINFO_ENDPOINT: must be an http:// or https:// URL"));

  const absl::StatusOr<Config> accepted = load_config(env_of({
      {"SLEEPER_API_BASE_URL", "http://reader:Sl33perPw@127.0.0.1:9000/v1"},
      {"GOOGLE_TOKEN_ENDPOINT", "https://[::1]:8443/token"},
  }));
  REQUIRE(accepted.ok());
  const std::string text = describe_config(*accepted);
  CHECK_THAT(text, !Catch::Contains("Sl33perPw"));
  CHECK_THAT(text, Catch::Contains("SLEEPER_API_BASE_URL = http://reader:***@127.0.0.1:9000/v1\n"));
  CHECK_THAT(text, Catch::Contains("GOOGLE_TOKEN_ENDPOINT = https://[::1]:8443/token\n"));
}

}  // namespace
}  // namespace account
