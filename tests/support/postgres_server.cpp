#include "support/postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

extern char** environ;

namespace account::testing {
namespace {

constexpr const char* kPostgresUser = "postgres";

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

absl::StatusOr<std::string> find_bindir() {
  if (const char* env = std::getenv("ACCOUNT_PG_BINDIR"); env != nullptr && *env != '\0') {
    if (executable(std::string(env) + "/initdb")) return std::string(env);
    return absl::NotFoundError(absl::StrCat("ACCOUNT_PG_BINDIR=", env, " has no initdb"));
  }
  for (const char* version : {"15", "16", "17", "14"}) {
    const std::string dir = absl::StrCat("/usr/lib/postgresql/", version, "/bin");
    if (executable(dir + "/initdb")) return dir;
  }
  return absl::NotFoundError(
      "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (Debian: apt-get install "
      "postgresql-15), and ACCOUNT_PG_BINDIR is not set");
}

bool running_as_root() { return geteuid() == 0; }

std::string runuser_path() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (executable(p)) return p;
  }
  return "runuser";
}

// Runs argv, stdin from /dev/null, stdout and stderr appended to `log`.
absl::Status spawn_and_wait(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("cannot run ", argv[0], ": ", strerror(rc)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  std::string command;
  for (const std::string& a : argv) absl::StrAppend(&command, a, " ");
  return absl::InternalError(absl::StrCat("command failed (status ", status, "): ", command));
}

std::string random_password() {
  std::random_device rd;
  return absl::StrFormat("%08x%08x", rd(), rd());
}

absl::Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string tail(const std::string& path, size_t bytes) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

// Connects to `url`, runs `sql`, and returns the first value of its result.
absl::StatusOr<std::string> run_sql(const std::string& url, std::string_view sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("connecting: ", PQerrorMessage(conn.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), std::string(sql).c_str()),
                                                  &PQclear);
  const ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return absl::InternalError(absl::StrCat(std::string(sql), ": ", PQresultErrorMessage(r.get())));
  }
  if (PQntuples(r.get()) == 0 || PQnfields(r.get()) == 0) return std::string();
  return std::string(PQgetvalue(r.get(), 0, 0));
}

}  // namespace

absl::StatusOr<PostgresServer*> PostgresServer::shared() {
  static std::unique_ptr<PostgresServer> server;
  static absl::Status started;
  static std::once_flag once;
  std::call_once(once, [] {
    server.reset(new PostgresServer());
    started = server->init();
    if (!started.ok()) {
      started = absl::Status(
          started.code(),
          absl::StrCat("could not start a PostgreSQL server for the tests: ", started.message(),
                       "\n--- log tail ---\n", server->log_tail()));
    }
  });
  if (!started.ok()) return started;
  return server.get();
}

PostgresServer::~PostgresServer() {
  // The watchdog sees end-of-file, stops the server and removes the directory.
  if (watchdog_pipe_ >= 0) close(watchdog_pipe_);
  if (watchdog_ > 0) {
    int status = 0;
    while (waitpid(watchdog_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

int PostgresServer::unused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

absl::Status PostgresServer::init() {
  absl::StatusOr<std::string> bindir = find_bindir();
  if (!bindir.ok()) return bindir.status();
  bindir_ = *bindir;
  char tmpl[] = "/tmp/account-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  dir_ = tmpl;
  if (running_as_root()) {
    const passwd* pw = getpwnam(kPostgresUser);
    if (pw == nullptr) {
      return absl::NotFoundError(
          "running as root, and there is no `postgres` user to run "
          "PostgreSQL as (it refuses to run as root)");
    }
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return absl::InternalError(absl::StrCat("chown ", dir_, ": ", strerror(errno)));
    }
  }
  if (absl::Status ok = start_watchdog(); !ok.ok()) return ok;
  password_ = random_password();
  const std::string pwfile = dir_ + "/pwfile";
  if (absl::Status ok = write_file(pwfile, password_ + "\n"); !ok.ok()) return ok;
  chmod(pwfile.c_str(), 0644);
  // --no-sync: the directory is thrown away, so initdb need not flush it;
  // the server itself runs with fsync on.
  absl::Status ok = run_pg(
      "initdb", {"-D", dir_ + "/data", "-U", kPostgresUser, "--pwfile=" + pwfile, "-A",
                 "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"});
  unlink(pwfile.c_str());
  if (!ok.ok()) return ok;
  if (ok =
          write_file(dir_ + "/data/postgresql.conf", tail(dir_ + "/data/postgresql.conf", 1 << 20) +
                                                         "\ninclude = 'account_test.conf'\n");
      !ok.ok()) {
    return ok;
  }
  // A port picked free can be taken before the server binds it (another
  // test process does the same): try a few.
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (ok = configure_port(); !ok.ok()) return ok;
    if (ok = start(); ok.ok()) return ok;
    if (tail(dir_ + "/server.log", 4096).find("could not bind") == std::string::npos) return ok;
  }
  return ok;
}

absl::Status PostgresServer::configure_port() {
  port_ = unused_port();
  if (port_ == 0) return absl::InternalError("no free loopback port");
  // Durable as production: fsync, synchronous commit and full-page writes
  // on. wal_init_zero is off because a fresh cluster has no WAL segments to
  // recycle, and zero-filling each new 16 MB segment (which a server in
  // steady state recycles instead) would dominate a benchmark's commits; it
  // does not weaken durability, every commit is still flushed.
  return write_file(
      dir_ + "/data/account_test.conf",
      absl::StrCat("listen_addresses = '127.0.0.1'\n", "port = ", port_, "\n",
                   "unix_socket_directories = ''\n", "fsync = on\n", "synchronous_commit = on\n",
                   "full_page_writes = on\n", "wal_init_zero = off\n", "max_connections = 40\n"));
}

absl::Status PostgresServer::start_watchdog() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  // Waits for end-of-file on stdin (this process has exited, one way or
  // another), then stops the server and removes its directory.
  const std::string script =
      "cat >/dev/null; "
      "if [ \"$3\" = root ]; then \"$4\" -u postgres -- \"$2/pg_ctl\" -D \"$1/data\" -m immediate "
      "-w stop; else \"$2/pg_ctl\" -D \"$1/data\" -m immediate -w stop; fi; rm -rf \"$1\"";
  std::vector<std::string> argv = {"/bin/sh",
                                   "-c",
                                   script,
                                   "account-pg-watchdog",
                                   dir_,
                                   bindir_,
                                   running_as_root() ? "root" : "user",
                                   runuser_path()};
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own session: a signal to the test's process group does not stop it.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  const int rc = posix_spawn(&watchdog_, "/bin/sh", &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    watchdog_ = -1;
    return absl::InternalError(absl::StrCat("cannot start the watchdog: ", strerror(rc)));
  }
  watchdog_pipe_ = fds[1];
  return absl::OkStatus();
}

absl::Status PostgresServer::run_pg(const std::string& tool,
                                    const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (running_as_root()) argv = {runuser_path(), "-u", kPostgresUser, "--"};
  argv.push_back(bindir_ + "/" + tool);
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn_and_wait(argv, dir_ + "/tools.log");
}

absl::Status PostgresServer::stop() {
  return run_pg("pg_ctl", {"-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
}

absl::Status PostgresServer::start() {
  return run_pg("pg_ctl",
                {"-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t", "60", "start"});
}

std::string PostgresServer::url(std::string_view database) const {
  return url(database, password_);
}

std::string PostgresServer::url(std::string_view database, std::string_view password) const {
  return absl::StrCat("postgresql://", kPostgresUser, ":", std::string(password),
                      "@127.0.0.1:", port_, "/", std::string(database));
}

absl::StatusOr<std::string> PostgresServer::create_database() {
  const std::string name = absl::StrCat("account_test_", next_database_++);
  if (absl::Status ok = execute("postgres", absl::StrCat("CREATE DATABASE ", name)); !ok.ok()) {
    return ok;
  }
  return url(name);
}

absl::Status PostgresServer::execute(std::string_view database, std::string_view sql) {
  return run_sql(url(database), sql).status();
}

absl::StatusOr<std::string> PostgresServer::query(std::string_view database, std::string_view sql) {
  return run_sql(url(database), sql);
}

std::string PostgresServer::log_tail() const {
  if (dir_.empty()) return "(no server directory)";
  return tail(dir_ + "/tools.log", 2048) + tail(dir_ + "/server.log", 2048);
}

}  // namespace account::testing
