// File: config.h
//
// Config: every setting the library and its programs read from the
// environment, parsed and validated in one place at start-up.
//
//   absl::StatusOr<Config> config = load_config(process_environment());
//   if (!config.ok()) { fputs(config.status().message().data(), stderr); return 2; }
//   ACCOUNT_RETURN_IF_ERROR(require_config(*config, {ConfigNeed::kDatabase, ConfigNeed::kAuth}));
//   fputs(describe_config(*config).c_str(), stdout);   // secrets shown as "<set, 48 bytes>"
//
// Variables (unset or empty means "use the default"; a default marked
// "none" means the feature that needs it is off until it is set):
//
//   DATABASE_URL                    the store: a PostgreSQL URL (libpq's URI or key=value
//                                   form) or a SQLite file (sqlite:/path/to/ledger.db);
//                                   database_url.h gives the forms; none (in-memory store)
//   DATABASE_READ_URL               where reads that need no writer run (accountctl's read-only
//                                   commands, open_read_store() in stores/open_store.h): a
//                                   PostgreSQL URL, e.g. a standby's (docs/ha.md); none
//                                   (DATABASE_URL, read-only)
//   GOOGLE_CLIENT_ID                OAuth client id; none
//   GOOGLE_CLIENT_SECRET            OAuth client secret; none
//   GOOGLE_REDIRECT_URL             http(s) URL Google sends the browser back to; none
//   GOOGLE_AUTHORIZATION_ENDPOINT,  http(s) URLs overriding Google's endpoints (a fake
//   GOOGLE_TOKEN_ENDPOINT,          Google for trials and tests); Google's own
//   GOOGLE_USERINFO_ENDPOINT,
//   GOOGLE_JWKS_URL
//   GOOGLE_ISSUERS                  comma-separated `iss` values an id_token may carry (another
//                                   OpenID provider's issuer); Google's two
//   JWT_SECRET                      HS256 signing key, at least 32 bytes; none
//   JWT_KEY_ID                      the key's `kid`; "1"
//   JWT_PREVIOUS_SECRET,            a retiring key still accepted for verification, and its
//   JWT_PREVIOUS_KEY_ID             kid (needed with it); none
//   JWT_ISSUER, JWT_AUDIENCE        access-token iss / aud; "waiver-exchange",
//                                   "waiver-exchange-api"
//   SLEEPER_API_BASE_URL            http(s) URL; https://api.sleeper.app/v1
//   FANTASY_POINTS_CONVERSION_RATE  dollars per fantasy point, e.g. 10 or 12.5; 10
//   RESERVATION_EXPIRY_DAYS         whole days an order's reservation lives, 1..30; 7
//   JOURNAL_RETENTION_DAYS          whole days `accountctl journal prune` keeps journal entries
//                                   (and their fills' trades), 1..36500; none (kept for ever)
//   LOG_LEVEL                       debug, info, warning or error; info
//   HTTP_PORT                       port the example servers listen on, 1..65535; 8080
//
// Errors: load_config checks every variable and fails with InvalidArgument
// listing every problem, each naming its variable ("JWT_SECRET: must be at
// least 32 bytes, got 12"). A secret's value never appears in a message or
// in describe_config(). DATABASE_URL is read by read_database_url()
// (database_url.h): an unknown scheme is refused naming it; a PostgreSQL URL
// is refused when libpq would refuse its syntax or read it otherwise than
// its writer meant (a '/' or '@' in the password, a port that is not a
// number from 1 to 65535, as when the '@' after the password is missing),
// saying which and quoting none of the URL; a sqlite: URL is refused for a
// host, a query, a bad percent-escape and the other problems that header
// lists. The http(s) URLs must have a host, and a port (if any) from 1 to
// 65535; a user:password@ in one is never shown.
//
// Thread-safety: Config is a plain value; load_config reads the environment
// it is given and nothing else.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/database_url.h"  // redact_database_url(), for DATABASE_URL
#include "account/limits.h"
#include "account/log_sink.h"
#include "account/secret.h"

namespace account {

// Looks a variable up: its value, or nullopt when it is not set.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

// The process's environment (std::getenv).
Environment process_environment();

struct Config {
  // Empty: the in-memory store. A Secret, as a PostgreSQL URL may carry a
  // password; read_database_url() says which store it names.
  Secret database_url;
  // DATABASE_READ_URL; empty: reads use database_url. Same forms and checks as database_url.
  Secret database_read_url;

  std::string google_client_id;
  Secret google_client_secret;
  std::string google_redirect_url;
  // Empty: Google's own endpoint.
  std::string google_authorization_endpoint;
  std::string google_token_endpoint;
  std::string google_userinfo_endpoint;
  std::string google_jwks_url;
  // Empty: Google's issuers (https://accounts.google.com, accounts.google.com).
  std::vector<std::string> google_issuers;

  Secret jwt_secret;
  std::string jwt_key_id = "1";
  Secret jwt_previous_secret;
  std::string jwt_previous_key_id;
  std::string jwt_issuer = "waiver-exchange";
  std::string jwt_audience = "waiver-exchange-api";

  std::string sleeper_api_base_url = "https://api.sleeper.app/v1";  // No trailing slash.
  int64_t fantasy_cents_per_point = 1'000;                          // $10 a point.

  int reservation_expiry_days = 7;
  // JOURNAL_RETENTION_DAYS; nullopt: the journal is kept for ever (docs/journal.md, "Retention").
  std::optional<int> journal_retention_days;
  LogLevel log_level = LogLevel::kInfo;
  int http_port = 8080;
};

// The shortest JWT_SECRET accepted: 256 bits, HS256's own output size
// (RFC 7518 section 3.2).
inline constexpr size_t kJwtSecretBytesMin = 32;

// Reads and validates every variable above. Errors as in the file comment.
absl::StatusOr<Config> load_config(const Environment& env);

// What a program needs configured beyond the defaults.
enum class ConfigNeed {
  kDatabase,  // DATABASE_URL
  kAuth,      // GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_REDIRECT_URL, JWT_SECRET
};

// FailedPrecondition naming every variable a need requires and `config`
// lacks ("missing GOOGLE_CLIENT_SECRET, JWT_SECRET (needed for sign-in)").
absl::Status require_config(const Config& config, std::initializer_list<ConfigNeed> needs);

// One "NAME = value" line per variable, for start-up logs: secrets as
// "<set, N bytes>" or "<not set>", DATABASE_URL as redact_database_url()
// shows it, and the http(s) URLs with any password replaced by "***".
std::string describe_config(const Config& config);

// The ledger limits the config sets (reservation_expiry_default), on top of
// `base`.
LedgerLimits ledger_limits_from_config(const Config& config, LedgerLimits base = {});

}  // namespace account
