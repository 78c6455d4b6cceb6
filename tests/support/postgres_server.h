// A real PostgreSQL server for tests and benchmarks, started by the process
// that uses it and torn down when that process exits, however it exits.
//
//   absl::StatusOr<PostgresServer*> server = PostgresServer::shared();
//   REQUIRE(server.ok());                       // fail loudly, never skip
//   std::string url = (*server)->create_database().value();
//   auto store = PostgresStore::open(url, {}).value();
//
// shared() starts one server per process on first use: initdb into a fresh
// directory under /tmp (as the `postgres` user when running as root, since
// PostgreSQL refuses to run as root), fsync on, password authentication, a
// free loopback port and no Unix socket; then pg_ctl start, waiting until it
// accepts connections (about 1.5 s in all). Each test takes a fresh
// database from create_database(). A watchdog process stops the server
// (pg_ctl stop -m immediate) and removes the directory when this process
// exits, even if it crashes.
//
// The PostgreSQL binaries are looked up in $ACCOUNT_PG_BINDIR, then
// /usr/lib/postgresql/{15,16,17,14}/bin.
//
// Thread-safety: shared() is thread-safe; the other methods are meant for
// the test's main thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace account::testing {

class PostgresServer {
 public:
  // The process's server, started on first call. An error says why it could
  // not start (with the tail of the server's log) and is returned on every
  // later call too.
  static absl::StatusOr<PostgresServer*> shared();

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // The superuser's password (the user is `postgres`).
  const std::string& password() const { return password_; }

  // A URI for `database` as the superuser, with `password` if given.
  std::string url(std::string_view database) const;
  std::string url(std::string_view database, std::string_view password) const;

  // Creates a new, empty database with a fresh name; returns its URI.
  absl::StatusOr<std::string> create_database();

  // Runs `sql` (no parameters) in `database` as the superuser.
  absl::Status execute(std::string_view database, std::string_view sql);
  // Runs `sql` and returns the first column of its first row, as text
  // ("" for NULL or no row).
  absl::StatusOr<std::string> query(std::string_view database, std::string_view sql);

  // Stops the server at once (pg_ctl stop -m immediate: connections drop,
  // nothing is flushed but what was committed), and starts it again on the
  // same directory and port. For outage tests.
  absl::Status stop();
  absl::Status start();

  // A loopback port nothing listens on at the time of the call.
  static int unused_port();

 private:
  PostgresServer() = default;
  absl::Status init();
  // Runs a PostgreSQL tool from bindir_ as the server's user, output to tools.log.
  absl::Status run_pg(const std::string& tool, const std::vector<std::string>& args) const;
  absl::Status start_watchdog();
  absl::Status configure_port();
  std::string log_tail() const;

  std::string bindir_;
  std::string dir_;  // Owned by the server's user; holds data/, server.log, tools.log.
  std::string password_;
  int port_ = 0;
  int next_database_ = 1;
  int watchdog_pipe_ = -1;  // Closing it (at exit) makes the watchdog tear the server down.
  pid_t watchdog_ = -1;
};

}  // namespace account::testing
