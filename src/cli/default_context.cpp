// The real accountctl context: the store DATABASE_URL names (PostgreSQL or
// a SQLite file, through open_store()), read-only commands on DATABASE_READ_URL
// when it is set, and Sleeper over libcurl.
#include <unistd.h>

#include <memory>
#include <utility>

#include "account/sleeper/curl_sleeper_client.h"
#include "account/status.h"
#include "account/stores/open_store.h"
#include "accountctl.h"

namespace account::cli {

CliContext default_cli_context() {
  CliContext context;
  context.env = process_environment();
  context.out = stdout;
  context.err = stderr;
  context.err_is_terminal = isatty(fileno(stderr)) == 1;
  context.clock = std::make_shared<SystemClock>();
  context.open_store = [](const Config& config, StoreMode mode) -> absl::StatusOr<OpenedStore> {
    if (config.database_url.empty()) {
      return absl::InvalidArgumentError(
          "DATABASE_URL is not set: accountctl works on a PostgreSQL database "
          "(postgresql://...) or a SQLite file (sqlite:/path/to/ledger.db)");
    }
    OpenStoreOptions options;
    options.postgres.application_name = "accountctl";
    // Reads that need no writer go where DATABASE_READ_URL says (a standby, docs/ha.md).
    ACCOUNT_ASSIGN_OR_RETURN(account::OpenedStore opened,
                             mode == StoreMode::kReadOnly
                                 ? open_read_store(config, std::move(options))
                                 : open_store(config.database_url.reveal(), std::move(options)));
    return OpenedStore{.store = std::move(opened.store),
                       .description = "the " + opened.name,
                       .schema_version_found = opened.schema_version_found,
                       .schema_version_now = opened.schema_version_now};
  };
  context.open_sleeper =
      [](const Config& config) -> absl::StatusOr<std::shared_ptr<SleeperClient>> {
    ACCOUNT_ASSIGN_OR_RETURN(std::unique_ptr<CurlSleeperClient> client,
                             CurlSleeperClient::create(sleeper_options_from_config(config)));
    return std::shared_ptr<SleeperClient>(std::move(client));
  };
  return context;
}

}  // namespace account::cli
