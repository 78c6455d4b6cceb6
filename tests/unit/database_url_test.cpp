// read_database_url: which store a DATABASE_URL names, every accepted form
// of a sqlite: URL and its decoded path, one row per reason a URL is
// refused (each InvalidArgument, naming the problem, quoting no password),
// and what redact_database_url shows of the new forms.
#include <string>

#include <catch2/catch.hpp>

#include "account/database_url.h"

namespace account {
namespace {

std::string message_of(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("read_database_url: the forms each store is named by", "[config][database-url]") {
  struct Row {
    std::string url;
    DatabaseKind kind;
    std::string sqlite_path;
  };
  const Row rows[] = {
      {"sqlite:/srv/exchange/ledger.db", DatabaseKind::kSqlite, "/srv/exchange/ledger.db"},
      {"sqlite:///srv/exchange/ledger.db", DatabaseKind::kSqlite, "/srv/exchange/ledger.db"},
      {"sqlite:ledger.db", DatabaseKind::kSqlite, "ledger.db"},
      {"sqlite:data/ledger.db", DatabaseKind::kSqlite, "data/ledger.db"},
      {"sqlite:./ledger.db", DatabaseKind::kSqlite, "./ledger.db"},
      {"sqlite:../ledger.db", DatabaseKind::kSqlite, "../ledger.db"},
      {"SQLite:/srv/ledger.db", DatabaseKind::kSqlite, "/srv/ledger.db"},  // A scheme's case.
      // RFC 3986 percent-escapes are decoded; '+' is a plus sign, not a space.
      {"sqlite:/srv/my%20ledger%3F%23%25.db", DatabaseKind::kSqlite, "/srv/my ledger?#%.db"},
      {"sqlite:/srv/a+b.db", DatabaseKind::kSqlite, "/srv/a+b.db"},
      {"sqlite:/srv/caf%C3%A9.db", DatabaseKind::kSqlite, "/srv/caf\xC3\xA9.db"},
      {"postgresql://ledger:pw@db.internal:5432/waiver", DatabaseKind::kPostgres, ""},
      {"postgres://db.internal/waiver", DatabaseKind::kPostgres, ""},
      {"host=db.internal dbname=waiver user=ledger", DatabaseKind::kPostgres, ""},
      {"host=db password=a://b", DatabaseKind::kPostgres, ""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.url);
    absl::StatusOr<DatabaseUrl> read = read_database_url(row.url);
    REQUIRE(read.ok());
    CHECK(read->kind == row.kind);
    CHECK(read->sqlite_path == row.sqlite_path);
  }
  CHECK(database_kind_name(DatabaseKind::kSqlite) == "SQLite");
  CHECK(database_kind_name(DatabaseKind::kPostgres) == "PostgreSQL");
}

TEST_CASE("read_database_url refuses each bad URL, naming the problem", "[config][database-url]") {
  struct Row {
    std::string url;
    std::string expected;  // Part of the message.
  };
  const Row rows[] = {
      {"", "the database URL is empty"},
      // Schemes.
      {"mysql://root:Hunter3x@db/x", "unknown scheme \"mysql:\""},
      {"localhost:5432", "unknown scheme \"localhost:\""},
      {"/srv/ledger.db", "neither a URL"},
      {"ledger.db", "neither a URL"},
      {"POSTGRESQL://db/waiver", "starts with postgresql:// or postgres://, in lower case"},
      {"postgresql:/db/waiver", "starts with postgresql:// or postgres://"},
      // sqlite: URLs.
      {"sqlite://db.internal/srv/ledger.db", "a sqlite: URL names a local file, not a host"},
      {"sqlite://ledger.db", "a sqlite: URL names a local file, not a host"},
      {"sqlite://ledger:Hunter4x@db/ledger.db", "a sqlite: URL names a local file, not a host"},
      {"sqlite:/srv/ledger.db?mode=ro", "a sqlite: URL takes no query ('?')"},
      {"sqlite:/srv/ledger.db?", "a sqlite: URL takes no query ('?')"},
      {"sqlite:/srv/ledger.db#main", "a sqlite: URL takes no fragment ('#')"},
      {"sqlite:/srv/ledger%zz.db", "a '%' that does not start a percent-escape"},
      {"sqlite:/srv/ledger%2.db", "a '%' that does not start a percent-escape"},
      {"sqlite:/srv/ledger.db%", "a '%' that does not start a percent-escape"},
      {"sqlite:/srv/ledger%00.db", "%00"},
      {"sqlite:/srv/ledger.db\n", "a control character"},
      {"sqlite:/srv/led\tger.db", "a control character"},
      {"sqlite: /srv/ledger.db", "begins or ends with a space"},
      {"sqlite:/srv/ledger.db ", "begins or ends with a space"},
      {"sqlite:", "a sqlite: URL names no file"},
      {"sqlite://", "a sqlite: URL names no file"},
      {"sqlite::memory:", "sqlite::memory: is not a file"},
      {"sqlite:file:ledger.db", "not SQLite's own file: URI"},
      {"sqlite:~/ledger.db", "starts with '~', which is not expanded"},
      {"sqlite:/srv/exchange/", "ends with '/': it names a directory"},
      {"sqlite:///", "ends with '/': it names a directory"},
      // PostgreSQL: libpq would misread it (the tester's typo), and the password is not quoted.
      {"postgresql://ledger:S3cretPW/waiver", "malformed: a port is not a number"},
      {"host=db password='Unterminated5", "malformed: libpq cannot read it"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.url);
    absl::StatusOr<DatabaseUrl> read = read_database_url(row.url);
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().code() == absl::StatusCode::kInvalidArgument);
    const std::string message = message_of(read.status());
    CHECK_THAT(message, Catch::Contains(row.expected));
    for (const char* secret : {"Hunter3x", "Hunter4x", "S3cretPW", "Unterminated5"}) {
      CHECK_THAT(message, !Catch::Contains(secret));
    }
  }
}

TEST_CASE("redact_database_url shows a sqlite: URL as written, hiding only a host",
          "[config][database-url]") {
  CHECK(redact_database_url("sqlite:/srv/exchange/ledger.db") == "sqlite:/srv/exchange/ledger.db");
  CHECK(redact_database_url("sqlite:///srv/ledger.db") == "sqlite:///srv/ledger.db");
  CHECK(redact_database_url("sqlite:ledger.db") == "sqlite:ledger.db");
  CHECK(redact_database_url("sqlite://ledger:Hunter5x@db/ledger.db") == "sqlite://***/ledger.db");
  // Text of an unknown scheme is not shown at all: read as libpq's key=value
  // form, "redis://u:pw@h/?a=b" would be one harmless-looking setting.
  for (const char* url : {"redis://u:Hunter6x@h/?a=b", "mysql://root:Hunter6x@db/x"}) {
    CAPTURE(url);
    CHECK_THAT(redact_database_url(url), !Catch::Contains("Hunter6x"));
  }
}

}  // namespace
}  // namespace account
