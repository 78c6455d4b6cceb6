// No secret in any error of the PostgreSQL component, on a real server:
// PostgresStore::open and PostgresTokenStore::open refuse every malformed
// URL of support/malformed_urls.h as InvalidArgument (a configuration
// error, never Unavailable) without quoting its password; pg::connect,
// handed such a URL past check_url, scrubs the password from libpq's own
// words, and status_of() from every later error on the connection; a
// setting libpq refuses only when it connects is InvalidArgument too; and a
// wrong password is refused by name without being shown.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "account/postgres/postgres_token_store.h"
#include "account/postgres/postgres_store.h"
#include "postgres/pg.h"
#include "support/malformed_urls.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::leaked_secret;
using testing::malformed_urls;
using testing::MalformedUrl;
using testing::pg_server;

const PostgresStoreOptions kOptions{.connect_timeout = absl::Seconds(5)};

absl::Status store_open(const std::string& url) {
  return PostgresStore::open(url, kOptions).status();
}

absl::Status token_store_open(const std::string& url) {
  return auth::PostgresTokenStore::open(url, kOptions).status();
}

// Connects as the stores do (their keywords, the URL as dbname), but
// without check_url(): what libpq itself says about the URL.
absl::Status raw_connect(const std::string& url) {
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"5", "account", url.c_str(), nullptr};
  return pg::connect(keywords, values).status();
}

std::string message_of(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("both PostgreSQL stores refuse a malformed URL as configuration, quoting none of it",
          "[retry-safety][secrets][postgres]") {
  for (const MalformedUrl& bad : malformed_urls()) {
    CAPTURE(bad.what, bad.url);
    for (const absl::Status& refused :
         {pg::check_url(bad.url), store_open(bad.url), token_store_open(bad.url)}) {
      CAPTURE(refused.ToString());
      CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
      CHECK_THAT(message_of(refused), Catch::StartsWith("malformed database URL: "));
      CHECK(leaked_secret(bad, refused.ToString()).empty());
    }
  }
}

TEST_CASE("libpq's own words about a malformed URL are scrubbed of its password",
          "[retry-safety][secrets][postgres]") {
  // The URL that started it: libpq reads "ledger" as the host and the
  // password as the port, and says so twice.
  const absl::Status typo = raw_connect("postgresql://ledger:S3cretPW/waiver");
  CAPTURE(typo.ToString());
  CHECK(typo.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(message_of(typo), Catch::Contains("invalid integer value \"***\""));
  CHECK_THAT(message_of(typo), !Catch::Contains("S3cretPW"));

  for (const MalformedUrl& bad : malformed_urls()) {
    if (!bad.libpq_refuses_offline) continue;
    CAPTURE(bad.what, bad.url);
    const absl::Status refused = raw_connect(bad.url);
    CAPTURE(refused.ToString());
    // Refused for its settings, before any server: not worth a retry.
    CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
    CHECK(leaked_secret(bad, refused.ToString()).empty());
  }
}

TEST_CASE("valid URLs pass check_url", "[retry-safety][secrets][postgres]") {
  for (const char* url : {
           "postgresql://",
           "postgres://ledger:pw@db.internal:5432/waiver",
           "postgresql://ledger:pa%2Fss%40word@db.internal/waiver",
           "postgresql://ledger:que?stion@db.internal/waiver",
           "postgresql://ledger:ha#sh@db.internal/waiver",
           "postgresql://db1:5432,db2:5433/waiver",
           "postgresql://[::1]:5432,[fe80::1%25eth0]:5433/waiver",
           "postgresql://db.internal:/waiver",
           "postgresql:///waiver?host=/var/run/postgresql&port=5433&connect_timeout=3",
           "host=db1,db2 port=5432,5433 password='a b c' dbname=waiver",
           "host=db1,db2,db3 port=5432 dbname=waiver",
       }) {
    CAPTURE(url);
    CHECK(pg::check_url(url).ok());
  }
}

TEST_CASE("a setting libpq reads only when it connects is configuration, not unreachable",
          "[retry-safety][secrets][postgres]") {
  testing::PostgresServer& server = pg_server();
  const std::string port = std::to_string(testing::PostgresServer::unused_port());
  const std::string password = "Setting17Secret";
  const std::string base = "postgresql://postgres:" + password + "@127.0.0.1:" + port + "/waiver";
  struct Row {
    std::string url;
    const char* said;
  };
  const Row rows[] = {
      // Parsed by libpq, refused only by the connection: without the checks
      // these were "cannot reach the server", the retry exit code.
      {base + "?sslmode=bogus", "invalid sslmode value"},
      {base + "?target_session_attrs=whatever", "invalid target_session_attrs value"},
      {base + "?connect_timeout=soon", "connect_timeout is not a whole number"},
      {base + "?keepalives_idle=10s", "keepalives_idle is not a whole number"},
      {"host=127.0.0.1,127.0.0.1,127.0.0.1 port=" + port + "," + port +
           " password=" + password + " dbname=waiver",
       "not one for each host"},
      {"hostaddr=127.0.0.1,127.0.0.1 host=a password=" + password, "host and hostaddr"},
      {base + "?no_such_option=1", "libpq cannot parse it"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.url);
    for (const absl::Status& refused : {store_open(row.url), token_store_open(row.url)}) {
      CAPTURE(refused.ToString());
      CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
      CHECK_THAT(message_of(refused), Catch::Contains(row.said));
      CHECK_THAT(refused.ToString(), !Catch::Contains(password));
    }
  }
  // The same settings against the running server, for good measure: still
  // refused before the password is ever sent.
  const std::string live = server.url("postgres") + "?sslmode=bogus";
  const absl::Status refused = store_open(live);
  CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(refused.ToString(), !Catch::Contains(server.password()));
}

TEST_CASE("errors on an open connection are scrubbed of the URL's password candidates",
          "[retry-safety][secrets][postgres]") {
  // sslpassword (the client key's passphrase) is a candidate the URL alone
  // names: only the candidates kept with the connection can hide it.
  const std::string url = testing::fresh_database_url() + "?sslpassword=Ssl22Secret";
  const char* keywords[] = {"dbname", nullptr};
  const char* values[] = {url.c_str(), nullptr};
  absl::StatusOr<pg::Conn> conn = pg::connect(keywords, values);
  REQUIRE(conn.ok());
  for (const std::string& secret : {std::string("Ssl22Secret"), pg_server().password()}) {
    CAPTURE(secret);
    // The server quotes the text it could not read as a number.
    const std::string sql = "SELECT 'x" + secret + "'::bigint";
    const absl::Status failed = pg::exec(conn->get(), sql.c_str(), "probe");
    CAPTURE(failed.ToString());
    CHECK(failed.code() == absl::StatusCode::kInternal);
    CHECK_THAT(message_of(failed),
               Catch::StartsWith("probe: invalid input syntax for type bigint: \"x***\""));
    CHECK_THAT(failed.ToString(), !Catch::Contains(secret));
  }
}

TEST_CASE("a wrong password is refused by name and never shown",
          "[retry-safety][secrets][postgres]") {
  testing::PostgresServer& server = pg_server();
  const std::string url = testing::fresh_database_url();
  const std::string database = testing::database_of(url);
  struct Row {
    std::string written;  // In the URL.
    std::string read;     // As libpq reads it.
  };
  const Row rows[] = {
      {"Wr0ngPassw0rd", "Wr0ngPassw0rd"},
      {"Wr0ng#Hash?Query", "Wr0ng#Hash?Query"},
      {"Wr0ng%2FSlash%40At", "Wr0ng/Slash@At"},
      {"wrong-" + server.password(), "wrong-" + server.password()},
  };
  for (const Row& row : rows) {
    const std::string wrong = server.url(database, row.written);
    CAPTURE(row.written);
    for (const absl::Status& refused : {store_open(wrong), token_store_open(wrong)}) {
      CAPTURE(refused.ToString());
      CHECK(refused.code() == absl::StatusCode::kUnauthenticated);
      CHECK_THAT(message_of(refused),
                 Catch::StartsWith("PostgreSQL refused the user or password for database \"" +
                                   database + "\" at 127.0.0.1:" +
                                   std::to_string(server.port())));
      CHECK_THAT(message_of(refused), Catch::Contains("password authentication failed"));
      CHECK_THAT(refused.ToString(), !Catch::Contains(row.written));
      CHECK_THAT(refused.ToString(), !Catch::Contains(row.read));
    }
  }
  // The right one still opens, through both stores.
  CHECK(store_open(url).ok());
  CHECK(token_store_open(url).ok());
}

}  // namespace
}  // namespace account
