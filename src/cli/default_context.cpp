// The real accountctl context: PostgreSQL and Sleeper over libcurl.
#include <unistd.h>

#include <memory>
#include <utility>

#include "account/sleeper/curl_sleeper_client.h"
#include "account/status.h"
#include "account/memory_store.h"
#include "account/postgres/postgres_store.h"
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
          "DATABASE_URL is not set: accountctl works on a PostgreSQL database");
    }
    ACCOUNT_ASSIGN_OR_RETURN(
        std::unique_ptr<PostgresStore> store,
        PostgresStore::open(config.database_url.reveal(),
                            {.application_name = "accountctl",
                             .read_only = mode == StoreMode::kReadOnly}));
    OpenedStore opened;
    opened.schema_version_found = store->schema_version_found();
    opened.schema_version_now = store->schema_version_now();
    opened.description = "the PostgreSQL database (" + redact_database_url(config.database_url.reveal()) + ")";
    opened.store = std::move(store);
    return opened;
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
