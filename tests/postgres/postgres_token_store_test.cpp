// PostgresTokenStore against a real PostgreSQL 15: the TokenStore conformance suite (its race
// across two connections), RefreshTokens on it beside the ledger's PostgresStore, and tokens
// surviving a reopen.
#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "account/postgres/postgres_token_store.h"
#include "account/auth/refresh_tokens.h"
#include "account/clock.h"
#include "account/status.h"
#include "account/testing/auth/catch2.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::fresh_database_url;
using testing::query_value;

std::shared_ptr<auth::PostgresTokenStore> open_token_store(const std::string& url) {
  absl::StatusOr<std::unique_ptr<auth::PostgresTokenStore>> store =
      auth::PostgresTokenStore::open(url, {});
  if (!store.ok()) FAIL(store.status().ToString());
  return std::move(*store);
}

TEST_CASE("PostgresTokenStore conforms to the TokenStore contract", "[postgres][auth]") {
  testing::catch2::check_token_store_conformance([] {
    const std::string url = fresh_database_url();
    // Two stores, two connections: the rotation race runs across them.
    return testing::TokenStoreHandles{open_token_store(url), open_token_store(url)};
  });
}

TEST_CASE("refresh tokens on PostgreSQL beside the ledger's store: rotation and reuse",
          "[postgres][auth]") {
  const std::string url = fresh_database_url();
  // The ledger's store holds the writer lock; the token store needs none.
  std::shared_ptr<PostgresStore> ledger_store = testing::open_store(url);
  std::shared_ptr<auth::PostgresTokenStore> store = open_token_store(url);
  ManualClock clock(absl::FromUnixSeconds(1'790'000'000));
  auth::RefreshTokens refresh(store.get(), &clock);

  const auth::IssuedRefreshToken first = refresh.issue(AccountId{42}).value();
  const auth::IssuedRefreshToken second = refresh.rotate(first.token).value();
  CHECK(second.family_id == first.family_id);
  CHECK(reason_of(refresh.rotate(first.token)) == Reason::kRefreshTokenReused);
  CHECK(reason_of(refresh.rotate(second.token)) == Reason::kRefreshTokenRevoked);

  // Only hashes are stored: no column holds the token's text or bytes.
  CHECK(query_value(url, "SELECT count(*) FROM refresh_tokens") == "2");
  CHECK(query_value(url, "SELECT count(*) FROM refresh_tokens WHERE state = 3") == "2");
  CHECK(query_value(url, "SELECT count(*) FROM refresh_tokens WHERE token_hash = "
                         "convert_to('" + first.token + "', 'UTF8')") == "0");
}

// A bytea literal: '\x0a1b...'.
std::string bytea_literal(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'\\x";
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out + "'";
}

void exec_ok(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  const std::string error = PQresultErrorMessage(r);
  PQclear(r);
  INFO(sql);
  REQUIRE(error == "");
  REQUIRE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK));
}

TEST_CASE("a revocation racing a rotation: the successor it misses never rotates",
          "[postgres][auth]") {
  const std::string url = fresh_database_url();
  std::shared_ptr<auth::PostgresTokenStore> store = open_token_store(url);
  std::shared_ptr<auth::PostgresTokenStore> other = open_token_store(url);
  ManualClock clock(absl::FromUnixSeconds(1'790'000'000));
  auth::RefreshTokens refresh(store.get(), &clock);
  auth::RefreshTokens logout(other.get(), &clock);
  const auth::IssuedRefreshToken first = refresh.issue(AccountId{42}).value();
  const auth::IssuedRefreshToken second = refresh.rotate(first.token).value();

  // A rotation of `second` into `escaped`, as the store's statement does it, held uncommitted
  // on a connection of its own. (42 'E' and an 'A': a well-formed 256-bit token.)
  const std::string escaped = std::string(42, 'E') + "A";
  PGconn* rotation = PQconnectdb(url.c_str());
  REQUIRE(PQstatus(rotation) == CONNECTION_OK);
  exec_ok(rotation, "BEGIN");
  exec_ok(rotation, "UPDATE refresh_tokens SET state = 2 WHERE token_hash = " +
                        bytea_literal(auth::RefreshTokens::hash_of(second.token)) +
                        " AND state = 1");
  exec_ok(rotation,
          "INSERT INTO refresh_tokens (token_hash, family_id, account_id, issued_at_ns,"
          " expires_at_ns, state) VALUES (" +
              bytea_literal(auth::RefreshTokens::hash_of(escaped)) + ", " +
              bytea_literal(first.family_id) + ", 42, 0, 9000000000000000000, 1)");

  // Logout revokes the family meanwhile: its UPDATE waits for `second`'s row lock.
  absl::Status revoked;
  std::thread revoking([&] { revoked = logout.revoke(first.token); });
  const std::string waiting =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
      "wait_event_type = 'Lock'";
  for (int i = 0; i < 1000 && query_value(url, waiting) != "1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(query_value(url, waiting) == "1");
  exec_ok(rotation, "COMMIT");
  revoking.join();
  PQfinish(rotation);
  REQUIRE(revoked.ok());

  // The revocation's snapshot predates the successor: it stayed active (READ COMMITTED).
  const std::string state_of_escaped = "SELECT state FROM refresh_tokens WHERE token_hash = " +
                                       bytea_literal(auth::RefreshTokens::hash_of(escaped));
  CHECK(query_value(url, state_of_escaped) == "1");
  // But it does not rotate: presenting it revokes it, and the family holds no live token.
  CHECK(reason_of(refresh.rotate(escaped)) == Reason::kRefreshTokenRevoked);
  CHECK(query_value(url, state_of_escaped) == "3");
  CHECK(query_value(url, "SELECT count(*) FROM refresh_tokens WHERE state <> 3") == "0");
}

TEST_CASE("stores opening a new database at once each migrate it or find it migrated",
          "[postgres][auth]") {
  for (int round = 0; round < 5; ++round) {
    const std::string url = fresh_database_url();
    constexpr int kOpeners = 4;
    std::latch start(kOpeners);
    std::vector<absl::Status> opened(kOpeners);
    std::vector<std::thread> threads;
    for (int i = 0; i < kOpeners; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        // Token stores take no writer lock, so several migrate at once.
        opened[i] = auth::PostgresTokenStore::open(url, {}).status();
      });
    }
    for (std::thread& t : threads) t.join();
    for (const absl::Status& s : opened) CHECK(s.ok());
    CHECK(query_value(url, "SELECT max(version) FROM schema_migrations") ==
          std::to_string(PostgresStore::kSchemaVersion));
  }
}

TEST_CASE("refresh tokens survive a reopen of the token store", "[postgres][auth]") {
  const std::string url = fresh_database_url();
  ManualClock clock(absl::FromUnixSeconds(1'790'000'000));
  std::string token;
  {
    std::shared_ptr<auth::PostgresTokenStore> store = open_token_store(url);
    auth::RefreshTokens refresh(store.get(), &clock);
    token = refresh.issue(AccountId{9}).value().token;
  }
  std::shared_ptr<auth::PostgresTokenStore> store = open_token_store(url);
  auth::RefreshTokens refresh(store.get(), &clock);
  CHECK(refresh.rotate(token).value().account == AccountId{9});
}

TEST_CASE("the token store: a lost connection fails one call, the next one reconnects",
          "[postgres][auth][reconnect]") {
  const std::string url = fresh_database_url();
  std::shared_ptr<auth::PostgresTokenStore> store = open_token_store(url);
  const absl::Time t = absl::FromUnixSeconds(1'790'000'000);
  REQUIRE(store->insert(testing::token_record(1, 1, t)).ok());
  REQUIRE(testing::pg_server()
              .execute(testing::database_of(url),
                       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
              .ok());
  const absl::Status lost =
      store->rotate(testing::token_record(1, 1, t).token_hash, testing::token_record(2, 1, t))
          .status();
  CHECK(lost.code() == absl::StatusCode::kUnavailable);
  // The failed rotation changed nothing; after reconnecting it wins once.
  CHECK(store->find(testing::token_record(1, 1, t).token_hash).value()->state ==
        auth::RefreshTokenState::kActive);
  CHECK(store->rotate(testing::token_record(1, 1, t).token_hash, testing::token_record(2, 1, t))
            .value());
}

TEST_CASE("the schema refuses a token hash of the wrong length", "[postgres][auth]") {
  std::shared_ptr<auth::PostgresTokenStore> store = open_token_store(fresh_database_url());
  auth::RefreshTokenRecord record =
      testing::token_record(1, 1, absl::FromUnixSeconds(1'790'000'000));
  record.token_hash = "short";
  const absl::Status refused = store->insert(record);
  CHECK(refused.code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(refused.message()), Catch::Contains("refresh_tokens_token_hash_bytes"));
}

}  // namespace
}  // namespace account
