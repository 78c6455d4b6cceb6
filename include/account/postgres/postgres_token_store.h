// File: postgres/postgres_token_store.h
//
// PostgresTokenStore: the TokenStore on PostgreSQL, in the same database as PostgresStore (the
// refresh_tokens table of its schema, docs/postgres-store.md). Part of account::postgres, so
// account::auth itself needs no libpq.
//
//   auto tokens = auth::PostgresTokenStore::open(std::getenv("DATABASE_URL"), {}).value();
//   auth::RefreshTokens refresh(tokens.get(), &clock);
//
// It has a connection of its own and takes no writer lock: any number of processes may share
// the table, and the ledger's one writer keeps its own. open() applies the schema migrations the
// database lacks, as PostgresStore::open() does. rotate() is one statement, a conditional
// UPDATE ... WHERE state = 1 (active) feeding the INSERT of the successor, so of two rotations
// of one token, from any connections, exactly one wins; the other waits on the row lock and
// then updates nothing.
//
// Errors: as PostgresStore (postgres_store.h): Unavailable when the connection is lost (the
// next call reconnects), AlreadyExists for a hash taken, Internal otherwise. A failed call
// changes nothing. Neither the URL's password nor any hash appears in a message.
//
// Thread-safety: every method is thread-safe; calls on one store run one at a time over its
// one connection.
#pragma once

#include <memory>
#include <string_view>

#include "account/auth/token_store.h"
#include "account/postgres/postgres_store.h"

namespace account::auth {

class PostgresTokenStore final : public TokenStore {
 public:
  // Connects to `database_url` and migrates the schema. Failures as PostgresStore::open(),
  // except that there is no writer lock to find taken.
  static absl::StatusOr<std::unique_ptr<PostgresTokenStore>> open(std::string_view database_url,
                                                                   PostgresStoreOptions options);

  ~PostgresTokenStore() override;
  PostgresTokenStore(const PostgresTokenStore&) = delete;
  PostgresTokenStore& operator=(const PostgresTokenStore&) = delete;

  absl::Status insert(const RefreshTokenRecord& record) override;
  absl::StatusOr<std::optional<RefreshTokenRecord>> find(std::string_view token_hash) override;
  absl::StatusOr<bool> rotate(std::string_view old_hash,
                              const RefreshTokenRecord& successor) override;
  absl::StatusOr<int64_t> revoke_family(std::string_view family_id) override;
  absl::StatusOr<int64_t> delete_expired(absl::Time cutoff) override;

 private:
  struct Impl;
  explicit PostgresTokenStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace account::auth
