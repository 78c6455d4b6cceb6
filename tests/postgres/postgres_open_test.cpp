// PostgresStore::open() against a real PostgreSQL 15: the distinct errors at
// start-up, migrations, one writer per database, and reconnecting after the
// connection or the whole server went away.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "account/postgres/postgres_store.h"
#include "account/writer_fencing.h"
#include "account/testing/store_conformance.h"
#include "support/ledger_fixture.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::fresh_database_url;
using testing::open_store;
using testing::pg_server;
using testing::query_value;
using testing::sample_changes;
using testing::test_epoch;

absl::Status open_status(const std::string& url) {
  return PostgresStore::open(url, {.connect_timeout = absl::Seconds(5)}).status();
}

TEST_CASE(
    "open tells a malformed URL, a wrong password, a missing database and an "
    "unreachable server apart",
    "[postgres][open]") {
  testing::PostgresServer& server = pg_server();
  const std::string secret = "not-the-password-" + server.password();

  const absl::Status malformed = open_status("postgresql://user@host:5432/db?no_such_option=1");
  CHECK(malformed.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(malformed.message()), Catch::Contains("malformed database URL"));
  CHECK(open_status("host=127.0.0.1 port").code() == absl::StatusCode::kInvalidArgument);
  // A URL libpq cannot read is refused without quoting it: the part it could
  // not read is often the password.
  for (const char* leaky : {"postgresql://alice:s3cr%zzet@host/db",
                            "postgresql://host/db?password=hun%zzter",
                            "host=h password=correct horse battery",
                            "postgresql://alice:hun/ter2@127.0.0.1/db",
                            // libpq ends the user info at the first '@' (a '?' does
                            // not end it) and would try host "ter2@127.0.0.1".
                            "postgresql://alice:h?un@ter2@127.0.0.1/db"}) {
    CAPTURE(leaky);
    const absl::Status refused = open_status(leaky);
    CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(refused.message()), Catch::Contains("malformed database URL"));
    for (const char* secret_part : {"s3cr", "zzet", "hun", "horse", "ter2"}) {
      CHECK_THAT(std::string(refused.message()), !Catch::Contains(secret_part));
    }
  }

  const absl::Status password = open_status(server.url("postgres", secret));
  CHECK(password.code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(password.message()), Catch::Contains("password authentication failed"));
  CHECK_THAT(std::string(password.message()), !Catch::Contains(secret));

  const absl::Status missing = open_status(server.url("no_such_database"));
  CHECK(missing.code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(missing.message()), Catch::Contains("no_such_database"));

  const int port = testing::PostgresServer::unused_port();
  const absl::Status unreachable =
      open_status("postgresql://postgres:x@127.0.0.1:" + std::to_string(port) + "/postgres");
  CHECK(unreachable.code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(unreachable.message()), Catch::Contains("cannot reach"));

  // A libpq keyword/value string works as well as a URI.
  const std::string url = fresh_database_url();
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(server.port()) +
                               " user=postgres password=" + server.password() +
                               " dbname=" + testing::database_of(url);
  CHECK(open_status(conninfo).ok());
}

TEST_CASE("migrations run once, and reopening is a no-op that keeps the data", "[postgres][open]") {
  const std::string url = fresh_database_url();
  {
    auto store = open_store(url);
    REQUIRE(store->commit(sample_changes(test_epoch())).ok());
  }
  const LedgerSnapshot before = open_store(url)->load({}).value();
  auto again = open_store(url);
  CHECK(again->load({}).value() == before);
  CHECK(query_value(url, "SELECT count(*) FROM schema_migrations") ==
        std::to_string(PostgresStore::kSchemaVersion));
  CHECK(query_value(url, "SELECT max(version) FROM schema_migrations") ==
        std::to_string(PostgresStore::kSchemaVersion));
  CHECK(query_value(url, "SELECT count(*) FROM accounts") == "2");
}

TEST_CASE("the writer commits with synchronous_commit on where the database turns it off",
          "[postgres][open]") {
  const std::string url = fresh_database_url();
  const std::string db = testing::database_of(url);
  open_store(url);  // Migrated, so that the trigger below has its table.
  // Each row the store inserts records the setting its commit runs under.
  REQUIRE(pg_server()
              .execute(db,
                       "ALTER DATABASE \"" + db + "\" SET synchronous_commit = off;"
                       "CREATE TABLE commit_settings (setting TEXT NOT NULL);"
                       "CREATE FUNCTION record_commit_setting() RETURNS trigger LANGUAGE plpgsql "
                       "AS $$ BEGIN INSERT INTO commit_settings "
                       "VALUES (current_setting('synchronous_commit')); RETURN NEW; END $$;"
                       "CREATE TRIGGER record_commit_setting AFTER INSERT ON accounts "
                       "FOR EACH ROW EXECUTE FUNCTION record_commit_setting()")
              .ok());
  // A new session of this database starts with it off, where a crash may
  // lose a commit the server already acknowledged...
  REQUIRE(query_value(url, "SHOW synchronous_commit") == "off");
  // ...but the store's writer turns it on before its first commit.
  auto store = open_store(url);
  REQUIRE(store->commit(sample_changes(test_epoch())).ok());
  CHECK(query_value(url, "SELECT count(*) FROM commit_settings") == "2");
  CHECK(query_value(url, "SELECT string_agg(DISTINCT setting, ',') FROM commit_settings") == "on");
}

TEST_CASE("a database whose schema is newer than the library is refused", "[postgres][open]") {
  const std::string url = fresh_database_url();
  open_store(url);
  const std::string newer = std::to_string(PostgresStore::kSchemaVersion + 1);
  REQUIRE(pg_server()
              .execute(testing::database_of(url),
                       "INSERT INTO schema_migrations (version, description) VALUES (" + newer +
                           ", 'from a newer release')")
              .ok());
  const absl::Status refused = open_status(url);
  CHECK(refused.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(refused.message()), Catch::Contains("version " + newer));
  CHECK_THAT(std::string(refused.message()), Catch::Contains("newer"));
  // Refusing changed nothing.
  CHECK(query_value(url, "SELECT max(version) FROM schema_migrations") == newer);
}

TEST_CASE("a second writer on the same database is refused at once", "[postgres][open]") {
  const std::string url = fresh_database_url();
  auto first = open_store(url);
  const auto started = std::chrono::steady_clock::now();
  const absl::Status second = open_status(url);
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(second.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(second.message()), Catch::Contains("already has a writer"));
  CHECK(took < std::chrono::seconds(2));
  // Another database is another writer's.
  CHECK(open_status(fresh_database_url()).ok());
  // The lock goes with the first writer's connection.
  first.reset();
  CHECK(open_status(url).ok());
}

// Ends the store's server process from outside, as a failover or an
// administrator would, and waits (up to 5 s) until it has exited.
void kill_connections(const std::string& url) {
  REQUIRE(pg_server()
              .execute(testing::database_of(url),
                       "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
              .ok());
}

// The execution of sample_changes().
constexpr ExecutionId kSampleExecution{(uint64_t{1} << 40) | 3};

ChangeSet cash(uint64_t account, int64_t cents) {
  ChangeSet c;
  c.balances.push_back(CashBalance{AccountId{account}, Cents{cents}});
  return c;
}

TEST_CASE("a connection the server ended is found before the next call, which reconnects",
          "[postgres][reconnect]") {
  const std::string url = fresh_database_url();
  auto store = open_store(url);
  REQUIRE(store->commit(sample_changes(test_epoch())).ok());

  // The server tells an idle session it is ending it, so nothing is sent on
  // the dead connection. The writer lock ended with it, so a commit waits
  // for a load on the new session (store.h: kAborted, nothing sent).
  kill_connections(url);
  CHECK(store->commit(cash(1, 12)).code() == absl::StatusCode::kAborted);
  CHECK(store->load({}).value().accounts[0].cash != Cents{12});
  CHECK(store->commit(cash(1, 12)).ok());
  CHECK(store->load({}).value().accounts[0].cash == Cents{12});

  kill_connections(url);
  CHECK(store->trades(AccountId{1}, 5).value().size() == 1);

  kill_connections(url);
  CHECK(store->find_execution(kSampleExecution).value().has_value());

  SECTION("reconnecting after another writer took the database is refused as fenced") {
    kill_connections(url);  // Its writer lock went with its process.
    // The other writer took the next epoch when it opened (docs/ha.md): reconnecting, this one
    // finds it, whether the other still holds the lock or has gone. It is fenced, and writes
    // nothing more.
    auto usurper = open_store(url);
    const absl::Status refused = store->commit(cash(1, 14));
    CHECK(is_writer_fenced(refused));
    CHECK_THAT(std::string(refused.message()), Catch::Contains("fenced"));
    CHECK(is_writer_fenced(store->load({}).status()));
    usurper.reset();
    const absl::Status fenced = store->commit(cash(1, 15));
    CHECK(is_writer_fenced(fenced));
    CHECK(fenced.code() == absl::StatusCode::kAborted);
    CHECK_THAT(std::string(fenced.message()), Catch::Contains("fenced"));
    // Nothing lifts it: every call reconnects and meets the newer epoch, the other writes of a
    // writer (a journal cursor) included.
    CHECK(is_writer_fenced(store->load({}).status()));
    CHECK(is_writer_fenced(store->commit(cash(1, 15))));
    CHECK(is_writer_fenced(store->set_journal_cursor("notifier", 1)));
    absl::StatusOr<std::unique_ptr<PostgresStore>> reader =
        PostgresStore::open(url, {.read_only = true});
    REQUIRE(reader.ok());
    CHECK((*reader)->load({}).value().accounts[0].cash == Cents{12});
  }
}

TEST_CASE("the server stopping and starting again: Unavailable, then reconnected",
          "[postgres][reconnect]") {
  const std::string url = fresh_database_url();
  auto store = open_store(url);
  REQUIRE(store->commit(sample_changes(test_epoch())).ok());
  REQUIRE(pg_server().stop().ok());
  CHECK(store->commit(cash(1, 21)).code() == absl::StatusCode::kUnavailable);
  CHECK(store->load({}).status().code() == absl::StatusCode::kUnavailable);
  CHECK(store->commit(cash(1, 22)).code() == absl::StatusCode::kUnavailable);
  REQUIRE(pg_server().start().ok());
  CHECK(store->commit(cash(1, 23)).code() == absl::StatusCode::kAborted);
  REQUIRE(store->load({}).ok());
  CHECK(store->commit(cash(1, 23)).ok());
  const LedgerSnapshot s = store->load({}).value();
  CHECK(s.accounts[0].cash == Cents{23});
  CHECK(s.executions == sample_changes(test_epoch()).executions);
}

}  // namespace
}  // namespace account
