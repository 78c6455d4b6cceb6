// HttpClient (src/http/http_client.h) against a real HTTP server on 127.0.0.1: statuses and
// what is transient, Retry-After in both forms, the body cap, the timeout, connection reuse,
// what a request carries, and no secret in any error. retry_wait() too.
#include "http/http_client.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "absl/time/clock.h"

namespace account::internal::http {
namespace {

// A cpp-httplib server on an ephemeral port. Each test routes the paths it needs; any other
// path is a 404 with an empty body.
class LocalServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  LocalServer() {
    server_.set_keep_alive_max_count(1'000);  // Reuse is the client's to show, not a limit's.
    const auto serve = [this](const httplib::Request& request, httplib::Response& response) {
      Handler handler;
      {
        std::lock_guard lock(mu_);
        remote_ports_.insert(request.remote_port);
        last_ = request;
        if (auto it = routes_.find(request.path); it != routes_.end()) handler = it->second;
      }
      if (handler) {
        handler(request, response);
      } else {
        response.status = 404;
      }
    };
    server_.Get(".*", serve);
    server_.Post(".*", serve);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LocalServer() {
    server_.stop();
    thread_.join();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void route(const std::string& path, Handler handler) {
    std::lock_guard lock(mu_);
    routes_[path] = std::move(handler);
  }
  void answer(const std::string& path, int status, std::string body,
              std::map<std::string, std::string> headers = {}) {
    route(path, [=](const httplib::Request&, httplib::Response& r) {
      r.status = status;
      for (const auto& [name, value] : headers) r.set_header(name, value);
      r.set_content(body, "application/json");
    });
  }
  size_t connections() {
    std::lock_guard lock(mu_);
    return remote_ports_.size();
  }
  httplib::Request last() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, Handler> routes_;  // Guarded by mu_.
  std::set<int> remote_ports_;             // Guarded by mu_.
  httplib::Request last_;                  // Guarded by mu_.
};

// A URL on 127.0.0.1 at which nothing listens any more.
std::string closed_url(const std::string& path) {
  LocalServer gone;
  return gone.url(path);
}

std::unique_ptr<HttpClient> client(HttpClientOptions options = {}) {
  options.request_timeout = std::min(options.request_timeout, absl::Seconds(5));
  return HttpClient::create(options).value();
}

TEST_CASE("http: a 200 answer carries its status and body", "[http][client]") {
  LocalServer server;
  server.answer("/state", 200, R"({"week":3})");
  const HttpAnswer a = client()->get(server.url("/state")).value();
  CHECK(a.transport == Transport::kAnswered);
  CHECK(a.status == 200);
  CHECK(a.body == R"({"week":3})");
  CHECK(a.error.empty());
  CHECK(a.maybe_sent);
  CHECK_FALSE(a.transient());
  CHECK(a.retry_after == absl::ZeroDuration());
  CHECK(server.last().get_header_value("Accept") == "application/json");
  CHECK(server.last().get_header_value("User-Agent") == kUserAgent);
}

TEST_CASE("http: each status is an answer, and only 429 and 5xx are transient", "[http][client]") {
  LocalServer server;
  auto http = client();
  const struct {
    int status;
    bool transient;
  } rows[] = {{201, false}, {301, false}, {400, false}, {401, false}, {404, false},
              {429, true},  {500, true},  {502, true},  {503, true},  {599, true}};
  for (const auto& row : rows) {
    const int status = row.status;
    CAPTURE(status);
    server.answer("/s", status, "{}");
    const HttpAnswer a = http->get(server.url("/s")).value();
    CHECK(a.transport == Transport::kAnswered);
    CHECK(a.status == status);
    CHECK(a.transient() == row.transient);
  }
  // A 301 is not followed: the answer is the redirect itself.
  server.route("/moved", [&](const httplib::Request&, httplib::Response& r) {
    r.set_redirect(server.url("/s"));
  });
  CHECK(http->get(server.url("/moved")).value().status == 302);
}

TEST_CASE("http: Retry-After in seconds and as an HTTP date", "[http][client]") {
  LocalServer server;
  auto http = client();
  server.answer("/seconds", 429, "{}", {{"Retry-After", "7"}});
  CHECK(http->get(server.url("/seconds")).value().retry_after == absl::Seconds(7));

  const auto date = [](absl::Time t) {
    return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone());
  };
  server.answer("/date", 503, "{}", {{"Retry-After", date(absl::Now() + absl::Seconds(30))}});
  const absl::Duration by_date = http->get(server.url("/date")).value().retry_after;
  CHECK(by_date >= absl::Seconds(28));
  CHECK(by_date <= absl::Seconds(31));

  server.answer("/past", 503, "{}", {{"Retry-After", date(absl::Now() - absl::Hours(1))}});
  CHECK(http->get(server.url("/past")).value().retry_after == absl::ZeroDuration());
  server.answer("/garbage", 503, "{}", {{"Retry-After", "soon"}});
  CHECK(http->get(server.url("/garbage")).value().retry_after == absl::ZeroDuration());
  // Each answer's own: none here after the ones above.
  server.answer("/none", 503, "{}");
  CHECK(http->get(server.url("/none")).value().retry_after == absl::ZeroDuration());
}

TEST_CASE("http: a body above the cap stops the transfer", "[http][client]") {
  LocalServer server;
  server.answer("/big", 200, std::string(5'000, 'x'));
  server.answer("/fits", 200, std::string(1'024, 'y'));
  auto http = client({.response_bytes_max = 1'024});
  const HttpAnswer big = http->get(server.url("/big")).value();
  CHECK(big.transport == Transport::kTooLarge);
  CHECK(big.body.empty());
  CHECK_FALSE(big.transient());  // The same answer would come again.
  const HttpAnswer fits = http->get(server.url("/fits")).value();
  CHECK(fits.transport == Transport::kAnswered);
  CHECK(fits.body.size() == 1'024);
}

TEST_CASE("http: a slow server hits the request timeout", "[http][client]") {
  LocalServer server;
  server.route("/slow", [](const httplib::Request&, httplib::Response& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    r.set_content("{}", "application/json");
  });
  auto http = client({.request_timeout = absl::Milliseconds(100)});
  const auto start = std::chrono::steady_clock::now();
  const HttpAnswer a = http->get(server.url("/slow")).value();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(a.transport == Transport::kTimedOut);
  CHECK(a.transient());
  CHECK(a.maybe_sent);  // The request was written: it may have been acted on.
  CHECK(elapsed < std::chrono::milliseconds(500));
}

TEST_CASE("http: a refused connection was never sent", "[http][client]") {
  const HttpAnswer a = client()->post_form(closed_url("/token"), "code=x").value();
  CHECK(a.transport == Transport::kNoConnection);
  CHECK(a.transient());
  CHECK_FALSE(a.maybe_sent);
  CHECK_FALSE(a.error.empty());
}

TEST_CASE("http: a URL libcurl cannot use is not transient", "[http][client]") {
  auto http = client();
  for (const std::string url : {"ftp://127.0.0.1/x", "http://[::1/x"}) {
    CAPTURE(url);
    const HttpAnswer a = http->get(url).value();
    CHECK(a.transport == Transport::kUnusableUrl);
    CHECK_FALSE(a.transient());
    CHECK_FALSE(a.maybe_sent);
  }
}

TEST_CASE("http: calls reuse one connection, and calls at once use their own", "[http][client]") {
  LocalServer server;
  server.answer("/s", 200, "{}");
  auto http = client();
  for (int i = 0; i < 5; ++i) REQUIRE(http->get(server.url("/s")).value().status == 200);
  // A POST on the same handle after GETs, and a GET after it.
  REQUIRE(http->post_form(server.url("/s"), "a=1").value().status == 200);
  REQUIRE(http->get(server.url("/s")).value().status == 200);
  CHECK(server.last().method == "GET");
  CHECK(server.connections() == 1);

  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) ok += http->get(server.url("/s")).value().status == 200;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(ok == 20);
  CHECK(server.connections() <= 4);  // One handle a thread at most, reused from the pool.
}

TEST_CASE("http: a bearer token and a form reach the server", "[http][client]") {
  LocalServer server;
  server.answer("/userinfo", 200, "{}");
  server.answer("/token", 200, "{}");
  auto http = client();
  REQUIRE(http->get(server.url("/userinfo"), "tok-123").ok());
  CHECK(server.last().get_header_value("Authorization") == "Bearer tok-123");
  REQUIRE(http->post_form(server.url("/token"), "code=a%20b&x=1").ok());
  const httplib::Request post = server.last();
  CHECK(post.method == "POST");
  CHECK(post.body == "code=a%20b&x=1");
  CHECK(post.get_header_value("Content-Type") == "application/x-www-form-urlencoded");
  CHECK_FALSE(post.has_header("Authorization"));  // The bearer was that call's alone.
  REQUIRE(http->get(server.url("/userinfo")).ok());
  CHECK_FALSE(server.last().has_header("Authorization"));
}

TEST_CASE("http: no error holds the URL's credentials, the bearer or the form", "[http][client]") {
  LocalServer server;
  server.route("/slow", [](const httplib::Request&, httplib::Response& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    r.status = 200;
  });
  auto http = client({.request_timeout = absl::Milliseconds(100)});
  const std::string closed = closed_url("/token");
  const auto with_credentials = [](std::string url) { return url.insert(7, "reader:s3cret-pw@"); };
  const HttpAnswer answers[] = {
      http->post_form(with_credentials(closed), "client_secret=s3cret-form").value(),
      http->get(with_credentials(server.url("/slow")), "s3cret-bearer").value(),
      http->get("ftp://reader:s3cret-pw@127.0.0.1/x", "s3cret-bearer").value(),
  };
  for (const HttpAnswer& a : answers) {
    INFO(a.error);
    CHECK(a.transport != Transport::kAnswered);
    CHECK_FALSE(a.error.empty());
    CHECK(a.error.find("s3cret") == std::string::npos);
    CHECK(a.error.find("127.0.0.1") == std::string::npos);
  }
}

TEST_CASE("http: options are checked", "[http][client]") {
  CHECK(HttpClient::create({.connect_timeout = absl::ZeroDuration()}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(HttpClient::create({.request_timeout = -absl::Seconds(1)}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(HttpClient::create({.response_bytes_max = 0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(HttpClient::create({}).ok());
}

TEST_CASE("http: escape keeps only RFC 3986's unreserved characters", "[http][client]") {
  CHECK(HttpClient::escape("aZ09-._~") == "aZ09-._~");
  CHECK(HttpClient::escape("a b/../c?d=e&f") == "a%20b%2F..%2Fc%3Fd%3De%26f");
  CHECK(HttpClient::escape("\xc3\xa9") == "%C3%A9");
}

TEST_CASE("http: retry_wait takes the longer of the backoff and Retry-After, up to a cap",
          "[http][client]") {
  JitteredBackoff backoff(absl::Seconds(1), absl::Seconds(8), /*seed=*/7);
  const absl::Duration cap = absl::Seconds(60);
  // Without Retry-After: the backoff's equal-jitter wait, between half the ceiling and it.
  const absl::Duration first = retry_wait(backoff, 1, absl::ZeroDuration(), cap).value();
  CHECK(first >= absl::Milliseconds(500));
  CHECK(first <= absl::Seconds(1));
  // A longer Retry-After wins; a shorter one does not cut the backoff.
  CHECK(retry_wait(backoff, 1, absl::Seconds(30), cap) == absl::Seconds(30));
  CHECK(retry_wait(backoff, 4, absl::Seconds(1), cap).value() >= absl::Seconds(4));
  // At the cap it waits; above it the caller gives up.
  CHECK(retry_wait(backoff, 1, cap, cap) == cap);
  CHECK_FALSE(retry_wait(backoff, 1, cap + absl::Seconds(1), cap).has_value());
}

}  // namespace
}  // namespace account::internal::http
