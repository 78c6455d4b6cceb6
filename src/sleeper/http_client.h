// Private to account::sleeper: GET over libcurl with a connection pool,
// retries with jittered exponential backoff, Retry-After, and the rate
// limit. Knows nothing of Sleeper's JSON.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/sleeper/curl_sleeper_client.h"
#include "account/internal/mutex.h"
#include "base/jittered_backoff.h"
#include "rate_limiter.h"
#include "simdjson.h"

namespace account::internal::sleeper {

// One pooled connection: an easy handle (which keeps its connection alive
// between requests), the body of its last response, and a JSON parser whose
// buffers are reused too. Used by one call at a time.
struct Connection {
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  CURL* easy = nullptr;
  std::string body;
  size_t body_bytes_max = 0;
  bool body_too_large = false;
  simdjson::ondemand::parser parser;
};

class HttpClient;

// A connection borrowed from the pool, returned when the lease ends.
class ConnectionLease {
 public:
  ConnectionLease(HttpClient* owner, std::unique_ptr<Connection> connection)
      : owner_(owner), connection_(std::move(connection)) {}
  ConnectionLease(ConnectionLease&&) = default;
  ConnectionLease& operator=(ConnectionLease&&) = delete;
  ~ConnectionLease();

  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_.get(); }

 private:
  HttpClient* owner_;
  std::unique_ptr<Connection> connection_;
};

class HttpClient {
 public:
  // Checks the options (InvalidArgument) and initializes libcurl once per
  // process (Internal when it cannot).
  static absl::StatusOr<std::unique_ptr<HttpClient>> create(
      const CurlSleeperClientOptions& options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // A connection from the pool, or a new one. Fails with Internal when
  // libcurl cannot make a handle.
  absl::StatusOr<ConnectionLease> lease();

  // GETs base_url + `path` (which starts with '/' and is already escaped)
  // on `connection`, retrying as curl_sleeper_client.h describes. OK means
  // HTTP 200 with the body in connection.body.
  absl::Status get(std::string_view path, Connection& connection);

 private:
  friend class ConnectionLease;
  struct Attempt;

  explicit HttpClient(CurlSleeperClientOptions options);
  absl::StatusOr<std::unique_ptr<Connection>> new_connection();
  void give_back(std::unique_ptr<Connection> connection);
  Attempt perform(Connection& connection, const std::string& url);

  CurlSleeperClientOptions options_;
  curl_slist* headers_ = nullptr;  // Outlives every handle: they point at it.
  RateLimiter limiter_;

  internal::Mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(pool_mu_);

  internal::JitteredBackoff backoff_;
};

}  // namespace account::internal::sleeper
