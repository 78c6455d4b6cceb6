// Config: defaults, every variable's validation naming the variable, all
// problems reported at once, and secrets never printed.
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "account/config.h"

namespace account {
namespace {

constexpr std::string_view kGoodSecret = "0123456789abcdef0123456789abcdef-long-enough";

Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    if (auto it = vars.find(std::string(name)); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

std::string message_of(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("an empty environment gives the documented defaults", "[config]") {
  absl::StatusOr<Config> config = load_config(env_of({}));
  REQUIRE(config.ok());
  CHECK(config->database_url.empty());
  CHECK(config->google_client_id.empty());
  CHECK(config->jwt_secret.empty());
  CHECK(config->jwt_issuer == "waiver-exchange");
  CHECK(config->jwt_audience == "waiver-exchange-api");
  CHECK(config->sleeper_api_base_url == "https://api.sleeper.app/v1");
  CHECK(config->fantasy_cents_per_point == 1'000);
  CHECK(config->reservation_expiry_days == 7);
  CHECK(config->log_level == LogLevel::kInfo);
  CHECK(config->http_port == 8080);
  CHECK(ledger_limits_from_config(*config).reservation_expiry_default == absl::Hours(24 * 7));
}

TEST_CASE("every variable is read", "[config]") {
  absl::StatusOr<Config> config = load_config(env_of({
      {"DATABASE_URL", "postgresql://ledger:pw@127.0.0.1:5432/waiver"},
      {"GOOGLE_CLIENT_ID", "client-1.apps.googleusercontent.com"},
      {"GOOGLE_CLIENT_SECRET", "GOCSPX-secret"},
      {"GOOGLE_REDIRECT_URL", "https://waiver.example/auth/callback"},
      {"JWT_SECRET", std::string(kGoodSecret)},
      {"JWT_ISSUER", "issuer-x"},
      {"JWT_AUDIENCE", "audience-y"},
      {"SLEEPER_API_BASE_URL", "http://127.0.0.1:9000/v1/"},
      {"FANTASY_POINTS_CONVERSION_RATE", "12.5"},
      {"RESERVATION_EXPIRY_DAYS", "30"},
      {"JOURNAL_RETENTION_DAYS", "90"},
      {"DATABASE_READ_URL", "postgresql://reader:pw@127.0.0.1:5433/waiver"},
      {"LOG_LEVEL", "WARNING"},
      {"HTTP_PORT", "9443"},
  }));
  REQUIRE(config.ok());
  CHECK(config->database_url.reveal() == "postgresql://ledger:pw@127.0.0.1:5432/waiver");
  CHECK(config->google_client_id == "client-1.apps.googleusercontent.com");
  CHECK(config->journal_retention_days == std::optional<int>(90));
  CHECK(config->database_read_url.reveal() == "postgresql://reader:pw@127.0.0.1:5433/waiver");
  CHECK(config->google_client_secret.reveal() == "GOCSPX-secret");
  CHECK(config->google_redirect_url == "https://waiver.example/auth/callback");
  CHECK(config->jwt_secret.reveal() == kGoodSecret);
  CHECK(config->jwt_issuer == "issuer-x");
  CHECK(config->jwt_audience == "audience-y");
  CHECK(config->sleeper_api_base_url == "http://127.0.0.1:9000/v1");  // trailing slash dropped
  CHECK(config->fantasy_cents_per_point == 1'250);
  CHECK(config->reservation_expiry_days == 30);
  CHECK(config->log_level == LogLevel::kWarning);
  CHECK(config->http_port == 9443);
  CHECK(ledger_limits_from_config(*config).reservation_expiry_default == absl::Hours(24 * 30));
}

TEST_CASE("each bad value is an error that names its variable", "[config]") {
  struct Row {
    const char* name;
    const char* value;
    const char* expected;  // part of the message after "NAME: "
  };
  const Row rows[] = {
      {"JWT_SECRET", "short-secret", "must be at least 32 bytes, got 12"},
      {"FANTASY_POINTS_CONVERSION_RATE", "-10", ""},
      {"FANTASY_POINTS_CONVERSION_RATE", "ten", ""},
      {"RESERVATION_EXPIRY_DAYS", "abc", "not a whole number"},
      {"RESERVATION_EXPIRY_DAYS", "0", "must be 1..30, got 0"},
      {"RESERVATION_EXPIRY_DAYS", "31", "must be 1..30, got 31"},
      {"RESERVATION_EXPIRY_DAYS", "7.5", "not a whole number"},
      {"JOURNAL_RETENTION_DAYS", "0", "must be 1..36500, got 0"},
      {"JOURNAL_RETENTION_DAYS", "90d", "not a whole number"},
      {"RESERVATION_EXPIRY_DAYS", "99999999999999999999", "not a whole number"},
      {"HTTP_PORT", "65536", "must be 1..65535, got 65536"},
      {"HTTP_PORT", "-1", "must be 1..65535, got -1"},
      {"LOG_LEVEL", "verbose", "must be debug, info, warning or error"},
      {"SLEEPER_API_BASE_URL", "ftp://sleeper", "must be an http:// or https:// URL"},
      {"SLEEPER_API_BASE_URL", "https://", "must be an http:// or https:// URL"},
      {"GOOGLE_REDIRECT_URL", "waiver.example/callback", "must be an http:// or https:// URL"},
      {"DATABASE_URL", "mysql://x", "unknown scheme \"mysql:\""},
      {"DATABASE_READ_URL", "mysql://x", "unknown scheme \"mysql:\""},
      {"DATABASE_URL", "sqlite://ledger.db", "malformed: a sqlite: URL names a local file"},
      {"DATABASE_URL", "sqlite:/srv/ledger.db?mode=ro", "malformed: a sqlite: URL takes no query"},
      {"DATABASE_URL", "/srv/ledger.db", "neither a URL"},
      {"JWT_ISSUER", " ", "must not be blank"},
      {"GOOGLE_TOKEN_ENDPOINT", "127.0.0.1:9/token", "must be an http:// or https:// URL"},
      {"JWT_PREVIOUS_SECRET", "tiny", "must be at least 32 bytes, got 4"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name, row.value);
    absl::StatusOr<Config> config = load_config(env_of({{row.name, row.value}}));
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    const std::string message = message_of(config.status());
    CHECK(message.find(std::string(row.name) + ": " + row.expected) != std::string::npos);
  }
}

TEST_CASE("a previous signing key needs its own key id", "[config]") {
  absl::StatusOr<Config> config = load_config(env_of({
      {"JWT_SECRET", std::string(kGoodSecret)},
      {"JWT_KEY_ID", "2026-12"},
      {"JWT_PREVIOUS_SECRET", "fedcba9876543210fedcba9876543210"},
      {"JWT_PREVIOUS_KEY_ID", "2026-12"},
  }));
  REQUIRE_FALSE(config.ok());
  CHECK(message_of(config.status()).find("JWT_PREVIOUS_KEY_ID: must be set with") !=
        std::string::npos);
  config = load_config(env_of({{"JWT_PREVIOUS_SECRET", "fedcba9876543210fedcba9876543210"}}));
  REQUIRE_FALSE(config.ok());
  CHECK(message_of(config.status()).find("JWT_PREVIOUS_KEY_ID: must be set with") !=
        std::string::npos);
  config = load_config(env_of({
      {"JWT_SECRET", std::string(kGoodSecret)},
      {"JWT_KEY_ID", "2026-12"},
      {"JWT_PREVIOUS_SECRET", "fedcba9876543210fedcba9876543210"},
      {"JWT_PREVIOUS_KEY_ID", "2026-11"},
  }));
  REQUIRE(config.ok());
  CHECK(config->jwt_key_id == "2026-12");
  CHECK(config->jwt_previous_secret.reveal() == "fedcba9876543210fedcba9876543210");
  CHECK(config->jwt_previous_key_id == "2026-11");
  CHECK(describe_config(*config).find("fedcba98") == std::string::npos);
}

TEST_CASE("every problem is reported at once", "[config]") {
  absl::StatusOr<Config> config = load_config(env_of({
      {"JWT_SECRET", "tiny"},
      {"HTTP_PORT", "http"},
      {"RESERVATION_EXPIRY_DAYS", "45"},
  }));
  REQUIRE_FALSE(config.ok());
  const std::string message = message_of(config.status());
  CHECK(message.find("JWT_SECRET:") != std::string::npos);
  CHECK(message.find("HTTP_PORT:") != std::string::npos);
  CHECK(message.find("RESERVATION_EXPIRY_DAYS:") != std::string::npos);
}

TEST_CASE("a secret's value never appears in an error", "[config]") {
  const std::string short_secret = "hunter2-hunter2";
  absl::StatusOr<Config> config = load_config(env_of({
      {"JWT_SECRET", short_secret},
      {"DATABASE_URL", "mysql://root:hunter3@db/x"},
  }));
  REQUIRE_FALSE(config.ok());
  const std::string message = message_of(config.status());
  CHECK(message.find("hunter2") == std::string::npos);
  CHECK(message.find("hunter3") == std::string::npos);
}

TEST_CASE("describe_config shows settings and hides secrets", "[config]") {
  absl::StatusOr<Config> config = load_config(env_of({
      {"DATABASE_URL", "postgresql://ledger:pa55word@db.internal:5432/waiver"},
      {"GOOGLE_CLIENT_ID", "client-1"},
      {"GOOGLE_CLIENT_SECRET", "GOCSPX-topsecret"},
      {"JWT_SECRET", std::string(kGoodSecret)},
  }));
  REQUIRE(config.ok());
  const std::string text = describe_config(*config);
  CHECK(text.find("pa55word") == std::string::npos);
  CHECK(text.find("GOCSPX-topsecret") == std::string::npos);
  CHECK(text.find(std::string(kGoodSecret)) == std::string::npos);
  CHECK(text.find("DATABASE_URL = postgresql://ledger:***@db.internal:5432/waiver\n") !=
        std::string::npos);
  CHECK(text.find("GOOGLE_CLIENT_ID = client-1\n") != std::string::npos);
  CHECK(text.find("GOOGLE_CLIENT_SECRET = <set, 16 bytes>\n") != std::string::npos);
  CHECK(text.find("JWT_SECRET = <set, " + std::to_string(kGoodSecret.size()) + " bytes>\n") !=
        std::string::npos);
  CHECK(text.find("GOOGLE_REDIRECT_URL = <not set>\n") != std::string::npos);
  CHECK(text.find("RESERVATION_EXPIRY_DAYS = 7\n") != std::string::npos);
  CHECK(text.find("FANTASY_POINTS_CONVERSION_RATE = 10.00\n") != std::string::npos);
}

TEST_CASE("DATABASE_URL takes a SQLite file, shown as written", "[config]") {
  for (const char* url : {"sqlite:/srv/exchange/ledger.db", "sqlite:///srv/exchange/ledger.db",
                          "sqlite:ledger.db"}) {
    CAPTURE(url);
    absl::StatusOr<Config> config = load_config(env_of({{"DATABASE_URL", url}}));
    REQUIRE(config.ok());
    CHECK(config->database_url.reveal() == url);
    CHECK(describe_config(*config).find(std::string("DATABASE_URL = ") + url + "\n") !=
          std::string::npos);
  }
  // A "://" inside a key=value password no longer reads as a scheme.
  CHECK(load_config(env_of({{"DATABASE_URL", "host=db password=a://b"}})).ok());
}

TEST_CASE("database URL passwords are redacted in both libpq forms", "[config]") {
  // libpq percent-decodes a URI's query keys: these are passwords too.
  CHECK(redact_database_url("postgresql://h/db?pass%77ord=secret&sslmode=require") ==
        "postgresql://h/db?pass%77ord=***&sslmode=require");
  CHECK(redact_database_url("postgresql://h/db?%70%61%73%73%77%6F%72%64=secret") ==
        "postgresql://h/db?%70%61%73%73%77%6F%72%64=***");
  CHECK(redact_database_url("postgresql://h/db?password=a&password=b&x=password=c") ==
        "postgresql://h/db?password=***&password=***&x=password=c");
  CHECK(redact_database_url("postgresql://u:secret@h/db") == "postgresql://u:***@h/db");
  CHECK(redact_database_url("postgres://u@h/db") == "postgres://u@h/db");
  CHECK(redact_database_url("postgresql://h/db?password=secret&sslmode=require") ==
        "postgresql://h/db?password=***&sslmode=require");
  CHECK(redact_database_url("host=h dbname=db password=secret user=u") ==
        "host=h dbname=db password=*** user=u");
  CHECK(redact_database_url("host=h password='se cret' user=u") ==
        "host=h password=*** user=u");
  // Forms libpq takes that a simpler reading missed.
  CHECK(redact_database_url("postgresql://alice:hun/ter2@h/db") == "postgresql://alice:***@h/db");
  CHECK(redact_database_url("postgresql://alice:p@ss@h/db?x=1") ==
        "postgresql://alice:***@h/db?x=1");
  CHECK(redact_database_url("postgresql://alice:pa?ss@127.0.0.1/db") ==
        "postgresql://alice:***@127.0.0.1/db");
  CHECK(redact_database_url("postgresql://alice:a/b?c@h/db") == "postgresql://alice:***@h/db");
  CHECK(redact_database_url("postgresql://alice:h?un@ter2@h/db") == "postgresql://alice:***@h/db");
  // Only postgresql:// and postgres:// make a URI: a "://" inside a key=value
  // password is still a key=value password.
  CHECK(redact_database_url("host=db password=a://b") == "host=db password=***");
  CHECK(redact_database_url("host=db password=u:p@h://x user=u") ==
        "host=db password=*** user=u");
  // An '@' in a query value is no user info: the host stays visible.
  CHECK(redact_database_url("postgresql://h:5432/db?application_name=a@b") ==
        "postgresql://h:5432/db?application_name=a@b");
  CHECK(redact_database_url("postgresql://u@h/db?application_name=x@y") ==
        "postgresql://u@h/db?application_name=x@y");
  CHECK(redact_database_url("host=h password\t=hunter2 user=u") ==
        "host=h password\t=*** user=u");
  CHECK(redact_database_url("host=h password = hunter2") == "host=h password = ***");
  CHECK(redact_database_url("password=abc\\ def user=u") == "password=*** user=u");
  CHECK(redact_database_url("password='it\\'s' user=u") == "password=*** user=u");
  // Text libpq would refuse is not shown at all: it may still hold a password.
  for (const char* broken : {"password='unterminated", "host=h correct horse battery"}) {
    CAPTURE(broken);
    const std::string shown = redact_database_url(broken);
    CHECK(shown.find("unterminated") == std::string::npos);
    CHECK(shown.find("horse") == std::string::npos);
  }
}

TEST_CASE("require_config names what a program needs and lacks", "[config]") {
  absl::StatusOr<Config> config = load_config(env_of({{"GOOGLE_CLIENT_ID", "client-1"}}));
  REQUIRE(config.ok());
  CHECK(require_config(*config, {}).ok());
  const absl::Status auth = require_config(*config, {ConfigNeed::kAuth});
  CHECK(auth.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(message_of(auth) ==
        "missing GOOGLE_CLIENT_SECRET, GOOGLE_REDIRECT_URL, JWT_SECRET (needed for sign-in)");
  const absl::Status both = require_config(*config, {ConfigNeed::kDatabase, ConfigNeed::kAuth});
  CHECK(message_of(both).find("DATABASE_URL (needed for a durable store)") !=
        std::string::npos);

  absl::StatusOr<Config> full = load_config(env_of({
      {"DATABASE_URL", "host=127.0.0.1 dbname=waiver"},
      {"GOOGLE_CLIENT_ID", "client-1"},
      {"GOOGLE_CLIENT_SECRET", "s"},
      {"GOOGLE_REDIRECT_URL", "http://127.0.0.1:8080/auth/callback"},
      {"JWT_SECRET", std::string(kGoodSecret)},
  }));
  REQUIRE(full.ok());
  CHECK(require_config(*full, {ConfigNeed::kDatabase, ConfigNeed::kAuth}).ok());
}

}  // namespace
}  // namespace account
