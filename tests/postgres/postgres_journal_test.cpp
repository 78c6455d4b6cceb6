// PostgresStore's journal beyond the conformance suite's cases (postgres_store_test.cpp) and the
// durable-store suite's (postgres_durable_test.cpp): a version-4 database migrating to an empty
// journal, a refused entry leaving the session as it was, and the schema's
// account_journal_append() between writers racing for one seq. The writer lock keeps a second
// PostgresStore off the database, so the race is run through SQL, on sessions of the test's own,
// as a writer that took the database over would run it.
#include <libpq-fe.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "account/metrics.h"
#include "account/postgres/postgres_store.h"
#include "support/durable_store_suite.h"
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
using testing::durable::journal_record;
using testing::durable::journaled_balance;

// A libpq session of the test's own on the database of `url`.
class Session {
 public:
  explicit Session(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    REQUIRE(PQstatus(conn_) == CONNECTION_OK);
  }
  ~Session() { PQfinish(conn_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs `sql`; returns "" when it succeeded, else the error's SQLSTATE.
  std::string run(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const ExecStatusType status = PQresultStatus(r);
    std::string state;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const char* field = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      state = field != nullptr ? field : "no SQLSTATE";
      INFO(PQresultErrorMessage(r));
      CHECK(!state.empty());
    }
    PQclear(r);
    return state;
  }

  // Sends `sql` without waiting for its result (it may wait for a lock).
  void send(const std::string& sql) { REQUIRE(PQsendQuery(conn_, sql.c_str()) == 1); }

  // The SQLSTATE of the last statement sent (send()), "" when it succeeded.
  std::string finish() {
    std::string state;
    while (PGresult* r = PQgetResult(conn_)) {
      const ExecStatusType status = PQresultStatus(r);
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const char* field = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        state = field != nullptr ? field : "no SQLSTATE";
      }
      PQclear(r);
    }
    return state;
  }

  int backend_pid() const { return PQbackendPID(conn_); }

 private:
  PGconn* conn_;
};

// The SQL that appends entry `seq` (a 32-byte hash of 7s, bytes "x").
std::string append_sql(const std::string& seq) {
  return "SELECT account_journal_append(" + seq +
         ", 1, decode(repeat('07', 32), 'hex'), 'x'::bytea)";
}

// Waits until the server process `pid` waits for a lock.
void wait_until_blocked(const std::string& url, int pid) {
  const std::string sql = "SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                          std::to_string(pid) + " AND wait_event_type = 'Lock'";
  for (int i = 0; i < 1'000 && query_value(url, sql) != "1"; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  REQUIRE(query_value(url, sql) == "1");
}

TEST_CASE("a version-4 database migrates to an empty journal and keeps its rows",
          "[postgres][journal][open]") {
  const std::string url = fresh_database_url();
  REQUIRE(open_store(url)->commit(sample_changes(test_epoch())).ok());
  // Version 4 is this version without the journal (5), its cursors (6), its checkpoints (7) and
  // the writer epoch (8):
  // take it back there.
  REQUIRE(pg_server()
              .execute(testing::database_of(url),
                       "DROP FUNCTION account_writer_check; DROP FUNCTION account_writer_take; "
                       "DROP TABLE ledger_writer; "
                       "DROP FUNCTION account_journal_prune; DROP TABLE journal_checkpoints; "
                       "DROP TABLE journal_cursors; DROP FUNCTION account_journal_append; "
                       "DROP TABLE journal; DELETE FROM schema_migrations WHERE version >= 5")
              .ok());
  REQUIRE(query_value(url, "SELECT max(version) FROM schema_migrations") == "4");
  REQUIRE(query_value(url, "SELECT count(*) FROM accounts") == "2");

  auto store = open_store(url);
  CHECK(store->schema_version_found() == 4);
  CHECK(store->schema_version_now() == PostgresStore::kSchemaVersion);
  const LedgerSnapshot loaded = store->load({}).value();
  CHECK(loaded.accounts.size() == 2);
  CHECK(loaded.journal_head == JournalHead{});
  CHECK(store->journal(0, 10).value().empty());
  // The ledger's next commit starts the journal at 1.
  CHECK(store->commit(journaled_balance(2, 5)).code() == absl::StatusCode::kAborted);
  REQUIRE(store->commit(journaled_balance(1, 5)).ok());
  CHECK(store->load({}).value().journal_head ==
        JournalHead{.seq = 1, .hash = journal_record(1).hash});
}

// A refusal is an answer from a working session, not a lost one: the store keeps its
// connection (one session established in all), and the next commit goes through at once,
// without the load a replaced session needs.
TEST_CASE("a refused journal entry leaves the session as it was", "[postgres][journal]") {
  const std::string url = fresh_database_url();
  auto metrics = std::make_shared<MetricsRegistry>();
  auto opened = PostgresStore::open(url, {.metrics = metrics});
  REQUIRE(opened.ok());
  std::shared_ptr<PostgresStore> store = std::move(*opened);
  ChangeSet first = sample_changes(test_epoch());
  first.journal = journal_record(1);
  REQUIRE(store->commit(first).ok());
  const absl::Status refused = store->commit(journaled_balance(5, 99));
  CHECK(refused.code() == absl::StatusCode::kAborted);
  CHECK_THAT(std::string(refused.message()),
             Catch::Contains("journal entry 5 does not follow the stored head 1") &&
                 Catch::Contains("SQLSTATE JA001"));
  CHECK(query_value(url, "SELECT count(*) FROM journal") == "1");
  REQUIRE(store->commit(journaled_balance(2, 42)).ok());
  CHECK(metrics->counter("database_connects_total", "")->value() == 1);
  CHECK(query_value(url, "SELECT cash_cents FROM accounts WHERE id = 1") == "42");
  CHECK(query_value(url, "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM journal") ==
        "1,2");
}

// Two transactions appending seq 1 at once: the second waits for the first; when the first
// commits, the second is refused with JA001 (not with the primary key's unique violation);
// when the first rolls back, the second appends.
TEST_CASE("of two writers appending one seq, the second waits and is refused",
          "[postgres][journal][concurrency]") {
  const std::string url = fresh_database_url();
  open_store(url);  // Migrated; the store is gone, and its writer lock with it.
  Session a(url);
  Session b(url);

  REQUIRE(a.run("BEGIN").empty());
  REQUIRE(a.run(append_sql("1")).empty());
  b.send("BEGIN; " + append_sql("1"));
  wait_until_blocked(url, b.backend_pid());
  REQUIRE(a.run("COMMIT").empty());
  CHECK(b.finish() == "JA001");
  REQUIRE(b.run("ROLLBACK").empty());
  CHECK(query_value(url, "SELECT count(*) FROM journal") == "1");

  REQUIRE(a.run("BEGIN").empty());
  REQUIRE(a.run(append_sql("2")).empty());
  b.send("BEGIN; " + append_sql("2"));
  wait_until_blocked(url, b.backend_pid());
  REQUIRE(a.run("ROLLBACK").empty());
  CHECK(b.finish().empty());
  REQUIRE(b.run("COMMIT").empty());
  CHECK(query_value(url, "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM journal") ==
        "1,2");
}

// Four writers, each appending what it last saw as the head + 1, 100 times: every attempt is
// either appended or refused with JA001, and the journal ends 1..n, each seq once.
TEST_CASE("writers racing to append each seq: one wins, the others are refused",
          "[postgres][journal][concurrency]") {
  const std::string url = fresh_database_url();
  open_store(url);
  constexpr int kWriters = 4;
  constexpr int kAttempts = 100;
  std::atomic<int> appended{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      PGconn* conn = PQconnectdb(url.c_str());
      for (int i = 0; i < kAttempts && PQstatus(conn) == CONNECTION_OK; ++i) {
        // The head is read before the function locks the journal, so writers race for it.
        PGresult* r = PQexec(
            conn, ("BEGIN; " + append_sql("(SELECT coalesce(max(seq), 0) + 1 FROM journal)") +
                   "; COMMIT")
                      .c_str());
        const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (ok) {
          ++appended;
        } else if (state != nullptr && std::string(state) == "JA001") {
          ++refused;
        } else {
          ++other;
        }
        PQclear(r);
        if (!ok) PQclear(PQexec(conn, "ROLLBACK"));
      }
      PQfinish(conn);
    });
  }
  for (std::thread& t : writers) t.join();
  CHECK(other == 0);
  CHECK(appended + refused == kWriters * kAttempts);
  CHECK(appended >= kAttempts);  // Each round has a winner.
  INFO(appended << " appended, " << refused << " refused");
  const std::string n = std::to_string(appended.load());
  CHECK(query_value(url, "SELECT count(*) FROM journal") == n);
  CHECK(query_value(url, "SELECT min(seq) FROM journal") == "1");
  CHECK(query_value(url, "SELECT max(seq) FROM journal") == n);
}

// The schema's second line: seqs start at 1 and hashes are SHA-256 sized, whoever writes.
TEST_CASE("the journal table refuses a seq below 1 and a hash that is not 32 bytes",
          "[postgres][journal]") {
  const std::string url = fresh_database_url();
  open_store(url);
  Session s(url);
  CHECK(s.run("INSERT INTO journal VALUES (0, 1, decode(repeat('07', 32), 'hex'), 'x')") ==
        "23514");
  CHECK(s.run("INSERT INTO journal VALUES (1, 1, decode(repeat('07', 31), 'hex'), 'x')") ==
        "23514");
  CHECK(s.run(append_sql("0")) == "JA001");
  CHECK(query_value(url, "SELECT count(*) FROM journal") == "0");
}

}  // namespace
}  // namespace account
