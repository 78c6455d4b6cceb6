// A stand-in for Sleeper's API in tests: a real HTTP server (cpp-httplib)
// on 127.0.0.1 and an ephemeral port, serving Sleeper-shaped answers under
// /v1, the way api.sleeper.app does. Each test sets the answers it needs;
// any other path is a 404 with an empty body.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "account/clock.h"
#include "account/sleeper/curl_sleeper_client.h"

namespace account::testing {

class FakeSleeper {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  FakeSleeper() {
    server_.set_keep_alive_timeout(1);
    // cpp-httplib closes a connection after 5 requests by default; the tests
    // that count connections measure the client's reuse, not that limit.
    server_.set_keep_alive_max_count(1'000);
    server_.Get(R"(/v1/.*)", [this](const httplib::Request& request, httplib::Response& response) {
      Handler handler;
      {
        std::lock_guard lock(mu_);
        ++hits_[request.path];
        targets_.push_back(request.target);
        remote_ports_.insert(request.remote_port);
        auto it = routes_.find(request.path);
        if (it != routes_.end()) handler = it->second;
      }
      if (handler) {
        handler(request, response);
      } else {
        response.status = 404;
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  ~FakeSleeper() {
    server_.stop();
    thread_.join();
  }

  FakeSleeper(const FakeSleeper&) = delete;
  FakeSleeper& operator=(const FakeSleeper&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  // Answers GET /v1<path> with `handler`.
  void route(const std::string& path, Handler handler) {
    std::lock_guard lock(mu_);
    routes_["/v1" + path] = std::move(handler);
  }

  // Answers GET /v1<path> with `body` and `status`.
  void json(const std::string& path, std::string body, int status = 200) {
    route(path, [body = std::move(body), status](const httplib::Request&, httplib::Response& r) {
      r.status = status;
      r.set_content(body, "application/json");
    });
  }

  // Requests seen for /v1<path>.
  int hits(const std::string& path) {
    std::lock_guard lock(mu_);
    return hits_["/v1" + path];
  }

  // Request targets as sent, before percent-decoding, oldest first.
  std::vector<std::string> targets() {
    std::lock_guard lock(mu_);
    return targets_;
  }

  // Distinct client ports seen: one per connection the client opened.
  size_t connections() {
    std::lock_guard lock(mu_);
    return remote_ports_.size();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, Handler> routes_;  // Guarded by mu_.
  std::map<std::string, int> hits_;        // Guarded by mu_.
  std::set<int> remote_ports_;             // Guarded by mu_.
  std::vector<std::string> targets_;       // Guarded by mu_.
};

// Client options for tests: the fake's URL, a manual clock that sleeping
// advances (so backoff and the rate limit cost no real time), every sleep
// recorded, short timeouts.
struct TestClient {
  explicit TestClient(const FakeSleeper& fake, CurlSleeperClientOptions base = {}) {
    options = std::move(base);
    options.base_url = fake.base_url();
    options.clock = clock;
    options.sleep = [this](absl::Duration d) {
      std::lock_guard lock(mu);
      sleeps.push_back(d);
      clock->advance(d);
    };
    options.jitter_seed = 42;
    if (options.attempt_timeout == CurlSleeperClientOptions{}.attempt_timeout) {
      options.attempt_timeout = absl::Seconds(2);
    }
    client = CurlSleeperClient::create(options).value();
  }

  std::vector<absl::Duration> recorded_sleeps() {
    std::lock_guard lock(mu);
    return sleeps;
  }

  std::shared_ptr<ManualClock> clock =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1'790'000'000));
  CurlSleeperClientOptions options;
  std::unique_ptr<CurlSleeperClient> client;
  std::mutex mu;
  std::vector<absl::Duration> sleeps;  // Guarded by mu.
};

}  // namespace account::testing
