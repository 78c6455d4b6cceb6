// Test helpers over PostgresServer: the process's server (a test fails,
// loudly, when it cannot start), fresh databases, and opened stores.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "account/postgres/postgres_store.h"
#include "support/postgres_server.h"

namespace account::testing {

inline PostgresServer& pg_server() {
  absl::StatusOr<PostgresServer*> server = PostgresServer::shared();
  if (!server.ok()) FAIL(server.status().ToString());
  return **server;
}

// The URI of a new, empty database.
inline std::string fresh_database_url() {
  absl::StatusOr<std::string> url = pg_server().create_database();
  if (!url.ok()) FAIL(url.status().ToString());
  return *url;
}

// The database name at the end of a URI from PostgresServer.
inline std::string database_of(const std::string& url) { return url.substr(url.rfind('/') + 1); }

inline std::shared_ptr<PostgresStore> open_store(const std::string& url) {
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::open(url, {});
  if (!store.ok()) FAIL(store.status().ToString());
  return std::move(*store);
}

// The first value `sql` returns in the database of `url`, as text.
inline std::string query_value(const std::string& url, const std::string& sql) {
  absl::StatusOr<std::string> value = pg_server().query(database_of(url), sql);
  if (!value.ok()) FAIL(value.status().ToString());
  return *value;
}

}  // namespace account::testing
