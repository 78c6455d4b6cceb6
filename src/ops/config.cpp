#include "account/config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "account/database_url.h"
#include "account/fantasy/fantasy_funding.h"
#include "fmt/format.h"
#include "base/database_url.h"
#include "base/strings.h"

namespace account {
namespace {

std::string message_text(const absl::Status& s) { return std::string(s.message()); }

// Collects one message per bad variable, so that an operator fixes them all
// in one go.
class Problems {
 public:
  void add(std::string_view variable, std::string_view what) {
    list_.push_back(fmt::format("{}: {}", variable, what));
  }
  absl::Status status() const {
    if (list_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        internal::cat("invalid configuration: ", absl::StrJoin(list_, "; ")));
  }

 private:
  std::vector<std::string> list_;
};

// The variable's value, or nullopt when it is unset or empty.
std::optional<std::string> lookup(const Environment& env, std::string_view name) {
  std::optional<std::string> value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// A whole number in [min, max]; the message says which rule failed.
std::optional<int64_t> read_int(const Environment& env, std::string_view name, int64_t min,
                                int64_t max, Problems& problems) {
  const std::optional<std::string> text = lookup(env, name);
  if (!text) return std::nullopt;
  int64_t value = 0;
  if (!absl::SimpleAtoi(internal::to_absl(*text), &value)) {
    problems.add(name, fmt::format("not a whole number: \"{}\"", *text));
    return std::nullopt;
  }
  if (value < min || value > max) {
    problems.add(name, fmt::format("must be {}..{}, got {}", min, max, value));
    return std::nullopt;
  }
  return value;
}

// A refused URL as safe to print. url_without_password() masks a password only where a valid
// URL has one (after "scheme://"); a value that is not a URL at all ("user:pw@host/token",
// "http//user:pw@host") may still carry one, so everything before its last '@' (ahead of any
// query) is masked, keeping a "scheme://" in front of it.
std::string refused_url_text(std::string_view text) {
  const size_t at = text.substr(0, text.find_first_of("?#")).rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  const size_t scheme = text.find("://");
  const size_t keep = scheme != std::string_view::npos && scheme < at ? scheme + 3 : 0;
  return internal::cat(text.substr(0, keep), "***", text.substr(at));
}

void read_url(const Environment& env, std::string_view name, std::string* out,
              Problems& problems) {
  std::optional<std::string> text = lookup(env, name);
  if (!text) return;
  if (!internal::is_http_url(*text)) {
    // A user:password@ in the value would be a credential: not echoed.
    problems.add(name, fmt::format("must be an http:// or https:// URL with a host and a port "
                                   "from 1 to 65535, got \"{}\"",
                                   refused_url_text(*text)));
    return;
  }
  *out = std::move(*text);
}

// GOOGLE_ISSUERS: 1 to kIssuersMax comma-separated values, each 1-255 bytes of printable ASCII
// without spaces; one that looks like an http(s) URL must be one. Refused values are shown as
// refused_url_text() shows them.
void read_issuers(const Environment& env, std::string_view name, std::vector<std::string>* out,
                  Problems& problems) {
  // An id_token names one issuer; a handful covers a provider's spellings of it.
  constexpr size_t kIssuersMax = 8;
  constexpr size_t kIssuerBytesMax = 255;
  std::optional<std::string> text = lookup(env, name);
  if (!text) return;
  std::vector<std::string> issuers = absl::StrSplit(*text, ',');
  if (issuers.size() > kIssuersMax) {
    problems.add(name, fmt::format("at most {} issuers, got {}", kIssuersMax, issuers.size()));
    return;
  }
  for (const std::string& issuer : issuers) {
    const bool printable = std::all_of(issuer.begin(), issuer.end(),
                                       [](char c) { return c > ' ' && c < 0x7F; });
    const bool url_like = issuer.rfind("http://", 0) == 0 || issuer.rfind("https://", 0) == 0;
    if (issuer.empty() || issuer.size() > kIssuerBytesMax || !printable ||
        (url_like && !internal::is_http_url(issuer))) {
      problems.add(name, fmt::format("each issuer must be 1-{} printable bytes without spaces "
                                     "(a URL a valid http(s) one), got \"{}\"",
                                     kIssuerBytesMax, refused_url_text(issuer)));
      return;
    }
  }
  *out = std::move(issuers);
}

void read_name(const Environment& env, std::string_view name, std::string* out,
               Problems& problems) {
  std::optional<std::string> text = lookup(env, name);
  if (!text) return;
  if (absl::StripAsciiWhitespace(*text).empty()) {
    problems.add(name, "must not be blank");
    return;
  }
  *out = std::move(*text);
}

// An HS256 key: at least kJwtSecretBytesMin bytes. The message gives the
// length, never the value.
void read_signing_key(const Environment& env, std::string_view name, Secret* out,
                      Problems& problems) {
  std::optional<std::string> key = lookup(env, name);
  if (!key) return;
  if (key->size() < kJwtSecretBytesMin) {
    problems.add(name, fmt::format("must be at least {} bytes, got {}", kJwtSecretBytesMin,
                                   key->size()));
    return;
  }
  *out = Secret(std::move(*key));
}

}  // namespace

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<Config> load_config(const Environment& env) {
  Config config;
  Problems problems;

  if (std::optional<std::string> url = lookup(env, "DATABASE_URL")) {
    // Refused here rather than when the store opens, so that every program
    // (and `accountctl config`) reports it as configuration. The value may
    // hold a password: the message says what is wrong, not what it is.
    if (absl::StatusOr<DatabaseUrl> read = read_database_url(*url); !read.ok()) {
      problems.add("DATABASE_URL", message_text(read.status()));
    } else {
      config.database_url = Secret(std::move(*url));
    }
  }
  if (std::optional<std::string> url = lookup(env, "DATABASE_READ_URL")) {
    if (absl::StatusOr<DatabaseUrl> read = read_database_url(*url); !read.ok()) {
      problems.add("DATABASE_READ_URL", message_text(read.status()));
    } else {
      config.database_read_url = Secret(std::move(*url));
    }
  }

  read_name(env, "GOOGLE_CLIENT_ID", &config.google_client_id, problems);
  if (std::optional<std::string> s = lookup(env, "GOOGLE_CLIENT_SECRET")) {
    config.google_client_secret = Secret(std::move(*s));
  }
  read_url(env, "GOOGLE_REDIRECT_URL", &config.google_redirect_url, problems);
  read_url(env, "GOOGLE_AUTHORIZATION_ENDPOINT", &config.google_authorization_endpoint, problems);
  read_url(env, "GOOGLE_TOKEN_ENDPOINT", &config.google_token_endpoint, problems);
  read_url(env, "GOOGLE_USERINFO_ENDPOINT", &config.google_userinfo_endpoint, problems);
  read_url(env, "GOOGLE_JWKS_URL", &config.google_jwks_url, problems);
  read_issuers(env, "GOOGLE_ISSUERS", &config.google_issuers, problems);

  read_signing_key(env, "JWT_SECRET", &config.jwt_secret, problems);
  read_name(env, "JWT_KEY_ID", &config.jwt_key_id, problems);
  read_signing_key(env, "JWT_PREVIOUS_SECRET", &config.jwt_previous_secret, problems);
  read_name(env, "JWT_PREVIOUS_KEY_ID", &config.jwt_previous_key_id, problems);
  if (!config.jwt_previous_secret.empty() &&
      (config.jwt_previous_key_id.empty() || config.jwt_previous_key_id == config.jwt_key_id)) {
    problems.add("JWT_PREVIOUS_KEY_ID", "must be set with JWT_PREVIOUS_SECRET, and differ from "
                                        "JWT_KEY_ID");
  }
  read_name(env, "JWT_ISSUER", &config.jwt_issuer, problems);
  read_name(env, "JWT_AUDIENCE", &config.jwt_audience, problems);

  read_url(env, "SLEEPER_API_BASE_URL", &config.sleeper_api_base_url, problems);
  while (config.sleeper_api_base_url.size() > 1 && config.sleeper_api_base_url.back() == '/') {
    config.sleeper_api_base_url.pop_back();
  }

  if (std::optional<std::string> rate = lookup(env, "FANTASY_POINTS_CONVERSION_RATE")) {
    absl::StatusOr<int64_t> cents = parse_cents_per_point(*rate);
    if (cents.ok()) {
      config.fantasy_cents_per_point = *cents;
    } else {
      problems.add("FANTASY_POINTS_CONVERSION_RATE", message_text(cents.status()));
    }
  }

  const LedgerLimits defaults;
  const int64_t expiry_days_max = absl::ToInt64Hours(defaults.reservation_expiry_max) / 24;
  if (std::optional<int64_t> days =
          read_int(env, "RESERVATION_EXPIRY_DAYS", 1, expiry_days_max, problems)) {
    config.reservation_expiry_days = static_cast<int>(*days);
  }

  if (std::optional<int64_t> days = read_int(env, "JOURNAL_RETENTION_DAYS", 1, 36'500, problems)) {
    config.journal_retention_days = static_cast<int>(*days);
  }

  if (std::optional<std::string> level = lookup(env, "LOG_LEVEL")) {
    const std::string lower = absl::AsciiStrToLower(*level);
    if (lower == "debug") {
      config.log_level = LogLevel::kDebug;
    } else if (lower == "info") {
      config.log_level = LogLevel::kInfo;
    } else if (lower == "warning" || lower == "warn") {
      config.log_level = LogLevel::kWarning;
    } else if (lower == "error") {
      config.log_level = LogLevel::kError;
    } else {
      problems.add("LOG_LEVEL",
                   fmt::format("must be debug, info, warning or error, got \"{}\"", *level));
    }
  }

  if (std::optional<int64_t> port = read_int(env, "HTTP_PORT", 1, 65'535, problems)) {
    config.http_port = static_cast<int>(*port);
  }

  if (absl::Status s = problems.status(); !s.ok()) return s;
  return config;
}

absl::Status require_config(const Config& config, std::initializer_list<ConfigNeed> needs) {
  std::vector<std::string> parts;
  for (ConfigNeed need : needs) {
    std::vector<std::string_view> missing;
    std::string_view purpose;
    switch (need) {
      case ConfigNeed::kDatabase:
        if (config.database_url.empty()) missing.push_back("DATABASE_URL");
        purpose = "a durable store";
        break;
      case ConfigNeed::kAuth:
        if (config.google_client_id.empty()) missing.push_back("GOOGLE_CLIENT_ID");
        if (config.google_client_secret.empty()) missing.push_back("GOOGLE_CLIENT_SECRET");
        if (config.google_redirect_url.empty()) missing.push_back("GOOGLE_REDIRECT_URL");
        if (config.jwt_secret.empty()) missing.push_back("JWT_SECRET");
        purpose = "sign-in";
        break;
    }
    if (!missing.empty()) {
      parts.push_back(fmt::format("{} (needed for {})", fmt::join(missing, ", "), purpose));
    }
  }
  if (parts.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(fmt::format("missing {}", fmt::join(parts, "; ")));
}

std::string_view database_kind_name(DatabaseKind kind) {
  switch (kind) {
    case DatabaseKind::kPostgres:
      return "PostgreSQL";
    case DatabaseKind::kSqlite:
      return "SQLite";
  }
  return "unknown";
}

absl::StatusOr<DatabaseUrl> read_database_url(std::string_view url) {
  if (url.empty()) return absl::InvalidArgumentError("the database URL is empty");
  const std::string scheme = internal::url_scheme(url);
  if (scheme == "sqlite") {
    internal::SqliteUrl file = internal::read_sqlite_url(url);
    if (file.problem) {
      return absl::InvalidArgumentError(internal::cat("malformed: ", *file.problem));
    }
    return DatabaseUrl{.kind = DatabaseKind::kSqlite, .sqlite_path = std::move(file.path)};
  }
  if (scheme.empty() && url.find('=') == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "neither a URL (postgresql://..., postgres://..., sqlite:PATH) nor libpq's key=value "
        "form (it holds no '='); a SQLite file is written sqlite:/path/to/ledger.db");
  }
  if (!scheme.empty() && !internal::is_postgres_uri(url)) {
    if (scheme == "postgresql" || scheme == "postgres") {
      return absl::InvalidArgumentError(
          "malformed: a PostgreSQL URL starts with postgresql:// or postgres://, in lower case "
          "(libpq reads nothing else as a URI)");
    }
    return absl::InvalidArgumentError(internal::cat(
        "unknown scheme \"", scheme, ":\": a database URL is postgresql://..., postgres://... "
        "or libpq's key=value form (PostgreSQL), or sqlite:PATH (SQLite)"));
  }
  if (std::optional<std::string> problem = internal::database_url_problem(url)) {
    return absl::InvalidArgumentError(internal::cat("malformed: ", *problem));
  }
  return DatabaseUrl{.kind = DatabaseKind::kPostgres};
}

std::string redact_database_url(std::string_view url) { return internal::redact_url(url); }

std::string describe_config(const Config& config) {
  const auto secret = [](const Secret& s) {
    return s.empty() ? std::string("<not set>") : fmt::format("<set, {} bytes>", s.size_bytes());
  };
  const auto plain = [](const std::string& s) { return s.empty() ? std::string("<not set>") : s; };
  std::string out;
  const auto line = [&out](std::string_view name, const std::string& value) {
    out += fmt::format("{} = {}\n", name, value);
  };
  line("DATABASE_URL", config.database_url.empty()
                           ? std::string("<not set> (in-memory store)")
                           : redact_database_url(config.database_url.reveal()));
  line("DATABASE_READ_URL", config.database_read_url.empty()
                                ? std::string("<not set> (DATABASE_URL, read-only)")
                                : redact_database_url(config.database_read_url.reveal()));
  line("GOOGLE_CLIENT_ID", plain(config.google_client_id));
  line("GOOGLE_CLIENT_SECRET", secret(config.google_client_secret));
  line("GOOGLE_REDIRECT_URL", internal::url_without_password(plain(config.google_redirect_url)));
  const auto endpoint = [](const std::string& s) {
    return s.empty() ? std::string("<Google's>") : internal::url_without_password(s);
  };
  line("GOOGLE_AUTHORIZATION_ENDPOINT", endpoint(config.google_authorization_endpoint));
  line("GOOGLE_TOKEN_ENDPOINT", endpoint(config.google_token_endpoint));
  line("GOOGLE_USERINFO_ENDPOINT", endpoint(config.google_userinfo_endpoint));
  line("GOOGLE_JWKS_URL", endpoint(config.google_jwks_url));
  std::vector<std::string> issuers;
  for (const std::string& issuer : config.google_issuers) {
    issuers.push_back(internal::url_without_password(issuer));
  }
  line("GOOGLE_ISSUERS", issuers.empty() ? std::string("<Google's>") : absl::StrJoin(issuers, ","));
  line("JWT_SECRET", secret(config.jwt_secret));
  line("JWT_KEY_ID", config.jwt_key_id);
  line("JWT_PREVIOUS_SECRET", secret(config.jwt_previous_secret));
  line("JWT_PREVIOUS_KEY_ID", plain(config.jwt_previous_key_id));
  line("JWT_ISSUER", config.jwt_issuer);
  line("JWT_AUDIENCE", config.jwt_audience);
  line("SLEEPER_API_BASE_URL", internal::url_without_password(config.sleeper_api_base_url));
  line("FANTASY_POINTS_CONVERSION_RATE",
       fmt::format("{}.{:02}", config.fantasy_cents_per_point / 100,
                   config.fantasy_cents_per_point % 100));
  line("RESERVATION_EXPIRY_DAYS", std::to_string(config.reservation_expiry_days));
  line("JOURNAL_RETENTION_DAYS", config.journal_retention_days
                                     ? std::to_string(*config.journal_retention_days)
                                     : std::string("none (kept for ever)"));
  line("LOG_LEVEL", std::string(log_level_name(config.log_level)));
  line("HTTP_PORT", std::to_string(config.http_port));
  return out;
}

LedgerLimits ledger_limits_from_config(const Config& config, LedgerLimits base) {
  base.reservation_expiry_default = absl::Hours(24 * config.reservation_expiry_days);
  return base;
}

}  // namespace account
