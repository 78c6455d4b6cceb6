// accountctl and secrets, through the context the installed binary uses
// (default_cli_context): every malformed DATABASE_URL of
// support/malformed_urls.h exits with the configuration code, never
// the "retry" one, from every command, and no password reaches stdout or
// stderr; nor from `accountctl config`. Settings libpq refuses only when it
// connects, an http(s) URL with a bad port, and a wrong password on a real
// server are configuration errors too.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "account/sleeper/curl_sleeper_client.h"
#include "account/status.h"
#include "cli/cli_fixture.h"
#include "support/malformed_urls.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::CliResult;
using testing::contains;
using testing::env_of;
using testing::leaked_secret;
using testing::malformed_urls;
using testing::MalformedUrl;
using testing::run_cli;

// Nothing listens there: a Sleeper probe fails at once, as unreachable.
constexpr const char* kClosedSleeper = "http://127.0.0.1:1/v1";

// The installed binary's context, but for Sleeper, which gets one attempt
// rather than four with backoff, so that `health` fails fast.
cli::CliContext context_for(std::map<std::string, std::string> vars) {
  cli::CliContext context = cli::default_cli_context();
  vars.emplace("SLEEPER_API_BASE_URL", kClosedSleeper);
  context.env = env_of(std::move(vars));
  context.err_is_terminal = false;
  context.open_sleeper =
      [](const Config& config) -> absl::StatusOr<std::shared_ptr<SleeperClient>> {
    CurlSleeperClientOptions options = sleeper_options_from_config(config);
    options.attempts_max = 1;
    ACCOUNT_ASSIGN_OR_RETURN(auto client, CurlSleeperClient::create(options));
    return std::shared_ptr<SleeperClient>(std::move(client));
  };
  return context;
}

// Every command that reads the configuration, with the arguments it needs.
const std::vector<std::vector<std::string>>& every_command() {
  static const std::vector<std::vector<std::string>> kCommands = {
      {"show", "1"}, {"list"},   {"audit"},  {"expire"},
      {"migrate"},   {"health"}, {"config"}, {"fantasy-update", "--account", "1"},
  };
  return kCommands;
}

TEST_CASE("a malformed DATABASE_URL exits 3 from every command, and its password stays hidden",
          "[cli][retry-safety][secrets]") {
  for (const MalformedUrl& bad : malformed_urls()) {
    CAPTURE(bad.what, bad.url);
    for (const std::vector<std::string>& command : every_command()) {
      CAPTURE(command[0]);
      const CliResult r = run_cli(context_for({{"DATABASE_URL", bad.url}}), command);
      CHECK(r.exit_code == cli::kExitConfig);
      CHECK(r.exit_code != cli::kExitUnavailable);
      CHECK(contains(r.err, "DATABASE_URL: malformed: "));
      CHECK(leaked_secret(bad, r.out + r.err).empty());
    }
  }
}

TEST_CASE("the tester's typo: accountctl config says what is wrong and shows none of it",
          "[cli][retry-safety][secrets]") {
  const CliResult r =
      run_cli(context_for({{"DATABASE_URL", "postgresql://ledger:S3cretPW/waiver"}}), {"config"});
  CHECK(r.exit_code == cli::kExitConfig);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "accountctl: invalid configuration: DATABASE_URL: malformed: a port is not a number "
        "from 1 to 65535 (a password whose '@' before the host is missing reads as the port; "
        "its text is not shown)\n");
}

TEST_CASE("accountctl config masks the passwords of the URLs it accepts",
          "[cli][retry-safety][secrets]") {
  const CliResult r = run_cli(
      context_for({{"DATABASE_URL",
                    "postgresql://ledger:Kept18Secret@db.internal:5432/waiver?"
                    "sslpassword=Key18Secret&sslmode=require"},
                   {"SLEEPER_API_BASE_URL", "http://reader:Sl33per18@127.0.0.1:9/v1"}}),
      {"config"});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out,
                 "DATABASE_URL = postgresql://ledger:***@db.internal:5432/waiver?"
                 "sslpassword=***&sslmode=require\n"));
  CHECK(contains(r.out, "SLEEPER_API_BASE_URL = http://reader:***@127.0.0.1:9/v1\n"));
  for (const char* secret : {"Kept18Secret", "Key18Secret", "Sl33per18"}) {
    CHECK_FALSE(contains(r.out + r.err, secret));
  }
}

TEST_CASE("settings libpq refuses only when it connects exit 3, not 4",
          "[cli][retry-safety][secrets]") {
  // Accepted by load_config (they are syntactically sound), refused by libpq
  // or its checks before any server is reached: nothing listens on port 1.
  const std::string password = "Connect19Secret";
  const std::string base = "postgresql://ledger:" + password + "@127.0.0.1:1/waiver";
  for (const std::string& url :
       {base + "?sslmode=bogus", base + "?connect_timeout=soon", base + "?no_such_option=1",
        "host=127.0.0.1,127.0.0.1,127.0.0.1 port=1,2 password=" + password}) {
    CAPTURE(url);
    for (const std::vector<std::string>& command : every_command()) {
      if (command[0] == "config") continue;  // It opens nothing.
      CAPTURE(command[0]);
      const CliResult r = run_cli(context_for({{"DATABASE_URL", url}}), command);
      CHECK(r.exit_code == cli::kExitConfig);
      CHECK_FALSE(contains(r.out + r.err, password));
    }
  }
}

TEST_CASE("an http(s) URL with a bad port is configuration, and its password is not echoed",
          "[cli][retry-safety][secrets]") {
  for (const char* url : {"http://reader:Sl33per20@127.0.0.1:80x/v1", "https://[::1/v1",
                          "http://:9000/v1"}) {
    CAPTURE(url);
    for (const char* command : {"health", "config"}) {
      const CliResult r = run_cli(
          context_for({{"DATABASE_URL", "postgresql://127.0.0.1:1/waiver"},
                       {"SLEEPER_API_BASE_URL", url}}),
          {command});
      CHECK(r.exit_code == cli::kExitConfig);
      CHECK(contains(r.err, "SLEEPER_API_BASE_URL: must be an http:// or https:// URL"));
      CHECK_FALSE(contains(r.out + r.err, "Sl33per20"));
    }
  }
}

TEST_CASE("a wrong password on a real server exits 3 and is never printed",
          "[cli][retry-safety][secrets][postgres]") {
  const std::string url = testing::fresh_database_url();
  const std::string wrong = testing::pg_server().url(testing::database_of(url), "Wr0ng21Secret");
  for (const std::vector<std::string>& command : every_command()) {
    CAPTURE(command[0]);
    const CliResult r = run_cli(context_for({{"DATABASE_URL", wrong}}), command);
    if (command[0] == "config") {
      CHECK(r.exit_code == cli::kExitOk);
    } else {
      CHECK(r.exit_code == cli::kExitConfig);
      // `health` prints its failed probes in its table; the others on stderr.
      CHECK(contains(r.out + r.err, "PostgreSQL refused the user or password"));
    }
    CHECK_FALSE(contains(r.out + r.err, "Wr0ng21Secret"));
  }
}

}  // namespace
}  // namespace account
