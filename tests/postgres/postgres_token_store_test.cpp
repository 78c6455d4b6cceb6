// PostgresTokenStore against a real PostgreSQL 15: the TokenStore conformance suite (its race
// across two connections), RefreshTokens on it beside the ledger's PostgresStore, and tokens
// surviving a reopen.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "account/auth/postgres_token_store.h"
#include "account/auth/refresh_tokens.h"
#include "account/clock.h"
#include "account/status.h"
#include "support/postgres_fixture.h"
#include "support/token_store_conformance.h"

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
  testing::token_store_conformance([] {
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
