// The example sign-in server (examples/auth_server.cpp) as a process on a loopback port, driven
// over raw sockets: its limits (slow clients, connection cap, body and header sizes), its errors
// (JSON bodies, 405 with Allow), its start-up (no credential echoed) and its one JSON log stream
// with the sign-in counters and lines (docs/google-sign-in.md, "Limits and errors").
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_google.h"
#include "support/json_value.h"

namespace {

using Clock = std::chrono::steady_clock;
using account::testing::JsonValue;
using account::testing::parse_json;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_text(int fd, const std::string& text) {
  size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

// Everything the peer sends until it closes or `wait` passes.
std::string read_until_closed(int fd, std::chrono::milliseconds wait) {
  std::string out;
  const auto end = Clock::now() + wait;
  char buf[4096];
  while (Clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // Lower-case names; the last of each.
  std::vector<std::string> set_cookies;
  std::string body;
};

Response parse_response(const std::string& raw) {
  Response r;
  const size_t end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos) return r;
  r.status = std::atoi(raw.substr(9, 3).c_str());
  std::istringstream lines(raw.substr(0, end));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string value = line.substr(colon + 2);
    if (name == "set-cookie") r.set_cookies.push_back(value);
    r.headers[name] = value;
  }
  r.body = raw.substr(end + 4);
  return r;
}

// One request on a new connection (Connection: close), and its answer.
Response roundtrip(int port, const std::string& request,
                  std::chrono::milliseconds wait = std::chrono::milliseconds(5000)) {
  const int fd = connect_to(port);
  REQUIRE(fd >= 0);
  send_text(fd, request);
  Response r = parse_response(read_until_closed(fd, wait));
  ::close(fd);
  return r;
}

std::string request(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& extra_headers = "") {
  std::string out = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                    extra_headers;
  if (!body.empty() || method == "POST") {
    out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n";
  }
  return out + "\r\n" + body;
}

// The error name of a JSON error body, or "" when the body is not one.
std::string error_of(const Response& r) {
  std::optional<JsonValue> v = parse_json(r.body);
  if (!v || v->type != JsonValue::Type::kObject) return "";
  const JsonValue* error = v->get("error");
  const JsonValue* message = v->get("message");
  if (error == nullptr || message == nullptr || error->type != JsonValue::Type::kString) return "";
  return error->string;
}

using Env = std::map<std::string, std::string>;

Env base_env(int port) {
  return {{"GOOGLE_CLIENT_ID", "test-client.apps.googleusercontent.com"},
          {"GOOGLE_CLIENT_SECRET", "test-client-secret"},
          {"GOOGLE_REDIRECT_URL", "http://app.test/auth/return"},
          {"JWT_SECRET", "a-test-signing-key-of-at-least-32-bytes!"},
          {"HTTP_PORT", std::to_string(port)},
          {"PATH", "/usr/bin:/bin"}};
}

// The built auth_server with `env` only; stderr to a file. Stopped with SIGTERM at the end.
class ServerProcess {
 public:
  explicit ServerProcess(const Env& env) : log_path_(temp_path()) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(log, 2);
      std::vector<std::string> vars;
      for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
      std::vector<char*> envp;
      for (std::string& s : vars) envp.push_back(s.data());
      envp.push_back(nullptr);
      char* argv[] = {const_cast<char*>(ACCOUNT_AUTH_SERVER_PATH), nullptr};
      ::execve(ACCOUNT_AUTH_SERVER_PATH, argv, envp.data());
      ::_exit(127);
    }
  }
  ~ServerProcess() {
    stop();
    std::remove(log_path_.c_str());
  }

  // True once the port takes connections; false when the process ended first or 10 s passed.
  bool wait_ready(int port) {
    const auto end = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < end) {
      if (const int fd = connect_to(port); fd >= 0) {
        ::close(fd);
        return true;
      }
      if (exited()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // The exit status once the process ended on its own within `wait`, or -1.
  int wait_exit(std::chrono::milliseconds wait) {
    const auto end = Clock::now() + wait;
    while (Clock::now() < end) {
      if (exited()) return exit_status_;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  void stop() {
    if (pid_ <= 0 || exited()) return;
    ::kill(pid_, SIGTERM);
    if (wait_exit(std::chrono::milliseconds(15000)) == -1) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }

  std::vector<std::string> log_lines() const {
    std::ifstream in(log_path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  static std::string temp_path() {
    static std::atomic<int> n{0};
    return "/tmp/auth_server_test." + std::to_string(::getpid()) + "." + std::to_string(n++) +
           ".log";
  }
  bool exited() {
    if (done_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      done_ = true;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return done_;
  }

  std::string log_path_;
  pid_t pid_ = -1;
  bool done_ = false;
  int exit_status_ = -1;
};

// A server on a free port, ready; `extra` overrides or adds variables.
struct RunningServer {
  explicit RunningServer(const Env& extra = {}) : port(free_port()), process(make_env(extra)) {
    REQUIRE(process.wait_ready(port));
  }
  Env make_env(const Env& extra) const {
    Env env = base_env(port);
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
  }
  int port;
  ServerProcess process;
};

// Opens `n` connections that each send an unfinished request, then one more header byte every
// `every` until stop() (the slowloris pattern).
class Tricklers {
 public:
  Tricklers(int port, int n, std::chrono::milliseconds every) {
    for (int i = 0; i < n; ++i) {
      const int fd = connect_to(port);
      REQUIRE(fd >= 0);
      send_text(fd, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      fds_.push_back(fd);
    }
    thread_ = std::thread([this, every] {
      while (!stop_) {
        for (const int fd : fds_) send_text(fd, "a");
        std::this_thread::sleep_for(every);
      }
    });
  }
  ~Tricklers() {
    stop_ = true;
    thread_.join();
    for (const int fd : fds_) ::close(fd);
  }
  int fd(size_t i) const { return fds_[i]; }

 private:
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("auth_server: 24 trickling clients do not starve /health", "[auth_server]") {
  RunningServer server;
  Tricklers slow(server.port, 24, std::chrono::milliseconds(200));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto start = Clock::now();
  const Response r = roundtrip(server.port, request("GET", "/health"), std::chrono::seconds(3));
  const auto took = Clock::now() - start;
  CHECK(r.status == 200);
  CHECK(took < std::chrono::seconds(1));
}

TEST_CASE("auth_server: a trickling request is cut at the request timeout with 408",
          "[auth_server]") {
  RunningServer server(Env{{"HTTP_REQUEST_TIMEOUT_MS", "600"}});
  Tricklers slow(server.port, 1, std::chrono::milliseconds(100));
  const auto start = Clock::now();
  const Response r = parse_response(read_until_closed(slow.fd(0), std::chrono::seconds(5)));
  CHECK(Clock::now() - start < std::chrono::seconds(3));
  CHECK(r.status == 408);
  CHECK(error_of(r) == "RequestTimeout");
}

TEST_CASE("auth_server: a connection past the cap is answered 503 at once", "[auth_server]") {
  RunningServer server(Env{{"HTTP_CONNECTIONS_MAX", "2"}});
  // wait_ready()'s probe connection must be gone before the two that fill the cap arrive.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Tricklers held(server.port, 2, std::chrono::milliseconds(200));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = Clock::now();
  const Response r = roundtrip(server.port, request("GET", "/health"), std::chrono::seconds(3));
  CHECK(Clock::now() - start < std::chrono::seconds(1));
  CHECK(r.status == 503);
  CHECK(error_of(r) == "Unavailable");
}

TEST_CASE("auth_server: oversized bodies and headers get JSON errors", "[auth_server]") {
  RunningServer server;
  SECTION("a 70 KiB body: 413") {
    const Response r =
        roundtrip(server.port, request("POST", "/auth/refresh", std::string(70 * 1024, 'x')));
    CHECK(r.status == 413);
    CHECK(error_of(r) == "BodyTooLarge");
  }
  SECTION("a 9 KiB header line: 431") {
    const Response r = roundtrip(server.port, request("GET", "/health", "",
                                                     "X-Big: " + std::string(9 * 1024, 'a') +
                                                         "\r\n"));
    CHECK(r.status == 431);
    CHECK(error_of(r) == "HeadersTooLarge");
  }
  SECTION("20 KiB of small headers: 431") {
    std::string headers;
    for (int i = 0; i < 400; ++i) headers += "X-H" + std::to_string(i) + ": " + std::string(40, 'b') + "\r\n";
    const Response r = roundtrip(server.port, request("GET", "/health", "", headers));
    CHECK(r.status == 431);
    CHECK(error_of(r) == "HeadersTooLarge");
  }
  SECTION("a 9 KiB URI: 414") {
    const Response r = roundtrip(server.port, request("GET", "/" + std::string(9 * 1024, 'u')));
    CHECK(r.status == 414);
    CHECK(error_of(r) == "UriTooLong");
  }
  SECTION("an unknown path: 404") {
    const Response r = roundtrip(server.port, request("GET", "/nope"));
    CHECK(r.status == 404);
    CHECK(error_of(r) == "NotFound");
  }
}

TEST_CASE("auth_server: a wrong method on a known path is 405 with Allow", "[auth_server]") {
  RunningServer server;
  const struct {
    const char* method;
    const char* path;
    const char* allow;
  } kCases[] = {
      {"PUT", "/auth/refresh", "POST"}, {"DELETE", "/health", "GET"},
      {"GET", "/auth/callback", "POST"}, {"POST", "/", "GET"},
      {"PATCH", "/me", "GET"},           {"PUT", "/metrics", "GET"},
  };
  for (const auto& c : kCases) {
    CAPTURE(c.method, c.path);
    Response r = roundtrip(server.port, request(c.method, c.path, c.method[0] == 'G' ? "" : "{}"));
    CHECK(r.status == 405);
    CHECK(r.headers["allow"] == c.allow);
    CHECK(error_of(r) == "MethodNotAllowed");
  }
}

TEST_CASE("auth_server: an invalid endpoint URL is refused without its credentials",
          "[auth_server]") {
  for (const char* url : {"user:s3cretpw@127.0.0.1/token", "http//user:s3cretpw@127.0.0.1/token",
                          "http:/user:s3cretpw@host/token", "http://user:s3cretpw@host:99999/t"}) {
    CAPTURE(url);
    Env env = base_env(free_port());
    env["GOOGLE_TOKEN_ENDPOINT"] = url;
    ServerProcess process(env);
    CHECK(process.wait_exit(std::chrono::seconds(10)) == 1);
    const std::vector<std::string> lines = process.log_lines();
    REQUIRE(lines.size() == 1);
    std::optional<JsonValue> line = parse_json(lines[0]);
    REQUIRE(line.has_value());
    CHECK(line->get("event")->string == "auth_server_start_failed");
    CHECK(line->get("msg")->string.find("GOOGLE_TOKEN_ENDPOINT") != std::string::npos);
    CHECK(lines[0].find("s3cretpw") == std::string::npos);
    CHECK(lines[0].find("test-client-secret") == std::string::npos);
  }
}

namespace {

// The value of cookie `name` set by `r`, or "".
std::string cookie_set(const Response& r, const std::string& name) {
  for (const std::string& c : r.set_cookies) {
    if (c.rfind(name + "=", 0) == 0) return c.substr(name.size() + 1, c.find(';') - name.size() - 1);
  }
  return "";
}

std::string set_cookie_line(const Response& r, const std::string& name) {
  for (const std::string& c : r.set_cookies) {
    if (c.rfind(name + "=", 0) == 0) return c;
  }
  return "";
}

double metric(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

}  // namespace

TEST_CASE("auth_server: a browser sign-in, refresh reuse and logout, counted and logged",
          "[auth_server]") {
  using account::testing::FakeGoogle;
  FakeGoogle google(std::make_shared<account::SystemClock>());
  const std::string base = google.base_url();
  RunningServer server(Env{{"GOOGLE_REDIRECT_URL", google.redirect_url()},
                        {"GOOGLE_AUTHORIZATION_ENDPOINT", base + "/authorize"},
                        {"GOOGLE_TOKEN_ENDPOINT", base + "/token"},
                        {"GOOGLE_USERINFO_ENDPOINT", base + "/userinfo"},
                        {"GOOGLE_JWKS_URL", base + "/jwks"}});
  const int port = server.port;

  const Response start = roundtrip(port, request("GET", "/auth/google"));
  REQUIRE(start.status == 302);
  const std::string state_cookie = cookie_set(start, "account_login_state");
  const FakeGoogle::Approval approval = google.approve(start.headers.at("location"));
  REQUIRE(!approval.code.empty());

  const std::string callback_body =
      R"({"code":")" + approval.code + R"(","state":")" + approval.state + R"("})";
  const Response login = roundtrip(port, request("POST", "/auth/callback", callback_body,
                                                "Cookie: account_login_state=" + state_cookie +
                                                    "\r\n"));
  REQUIRE(login.status == 200);
  // The refresh token is in an HttpOnly, SameSite=Strict cookie on /auth, never in the body.
  const std::string first = cookie_set(login, "account_refresh");
  REQUIRE(first.size() == 43);
  CHECK(login.body.find("refresh_token") == std::string::npos);
  CHECK(login.body.find(first) == std::string::npos);
  const std::string line = set_cookie_line(login, "account_refresh");
  CHECK(line.find("; Path=/auth") != std::string::npos);
  CHECK(line.find("; HttpOnly") != std::string::npos);
  CHECK(line.find("; SameSite=Strict") != std::string::npos);
  CHECK(line.find("Secure") == std::string::npos);  // Plain http redirect URL.

  const Response refreshed = roundtrip(
      port, request("POST", "/auth/refresh", "{}", "Cookie: account_refresh=" + first + "\r\n"));
  REQUIRE(refreshed.status == 200);
  const std::string second = cookie_set(refreshed, "account_refresh");
  CHECK(second.size() == 43);
  CHECK(second != first);
  const Response reused = roundtrip(
      port, request("POST", "/auth/refresh", "{}", "Cookie: account_refresh=" + first + "\r\n"));
  CHECK(reused.status == 401);
  CHECK(error_of(reused) == "RefreshTokenReused");
  CHECK(set_cookie_line(reused, "account_refresh").find("Max-Age=0") != std::string::npos);
  const Response logout = roundtrip(
      port, request("POST", "/auth/logout", "{}", "Cookie: account_refresh=" + second + "\r\n"));
  CHECK(logout.status == 204);
  const Response forged = roundtrip(port, request("GET", "/me", "", "Authorization: Bearer x.y.z\r\n"));
  CHECK(forged.status == 401);

  const std::string metrics = roundtrip(port, request("GET", "/metrics")).body;
  CHECK(metric(metrics, R"(account_denials_total{reason="RefreshTokenReused"})") == 1);
  CHECK(metric(metrics, R"(account_denials_total{reason="TokenMalformed"})") == 1);
  CHECK(metric(metrics, "auth_logins_total") == 1);
  CHECK(metric(metrics, "auth_refreshes_total") == 1);
  CHECK(metric(metrics, "auth_logouts_total") == 1);

  server.process.stop();
  const std::vector<std::string> lines = server.process.log_lines();
  REQUIRE(!lines.empty());
  int reuse_lines = 0;
  int refused_lines = 0;
  for (const std::string& text : lines) {
    CAPTURE(text);
    std::optional<JsonValue> v = parse_json(text);
    REQUIRE(v.has_value());
    REQUIRE(v->type == JsonValue::Type::kObject);
    for (const char* key : {"ts", "level", "event", "msg"}) CHECK(v->get(key) != nullptr);
    for (const std::string& secret :
         {first, second, approval.code, approval.state, state_cookie,
          std::string("test-client-secret"), std::string("a-test-signing-key")}) {
      CHECK(text.find(secret) == std::string::npos);
    }
    CHECK(text.find("code=") == std::string::npos);
    const std::string event = v->get("event")->string;
    if (event == "refresh_token_reused") {
      ++reuse_lines;
      CHECK(v->get("level")->string == "warning");
      CHECK(v->get("account_id") != nullptr);
      CHECK(v->get("family_id")->string.size() == 32);
    }
    if (event == "auth_refused") {
      ++refused_lines;
      CHECK(v->get("reason")->string == "TokenMalformed");
      CHECK(v->get("operation")->string == "authenticate");
    }
  }
  CHECK(reuse_lines == 1);
  CHECK(refused_lines == 1);
}
