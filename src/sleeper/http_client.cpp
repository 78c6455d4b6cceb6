#include "http_client.h"

#include <algorithm>
#include <utility>

#include "base/curl_global.h"
#include "base/strings.h"

namespace account::internal::sleeper {
namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* connection = static_cast<Connection*>(user);
  const size_t bytes = size * count;
  if (connection->body.size() + bytes > connection->body_bytes_max) {
    connection->body_too_large = true;
    return 0;  // libcurl stops the transfer with CURLE_WRITE_ERROR.
  }
  connection->body.append(data, bytes);
  return bytes;
}

long to_millis(absl::Duration d) {
  return static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

// The result of one attempt, and whether another attempt may do better.
struct Verdict {
  absl::Status status;
  bool retry = false;
};

Verdict judge_transport(CURLcode code, std::string_view request,
                        const CurlSleeperClientOptions& options) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return {absl::DeadlineExceededError(internal::cat(
                  request, ": no answer in time (connect timeout ",
                  absl::FormatDuration(options.connect_timeout), ", request timeout ",
                  absl::FormatDuration(options.attempt_timeout), ")")),
              true};
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return {absl::UnavailableError(
                  internal::cat(request, ": ", curl_easy_strerror(code))),
              true};
    // A base URL curl cannot use is the configuration's fault: retrying it
    // would fail the same way, so it is not reported as Unavailable.
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {absl::InvalidArgumentError(internal::cat(
                  request, ": the base URL cannot be used: ", curl_easy_strerror(code))),
              false};
    default:
      return {absl::UnavailableError(internal::cat(request, ": curl error ",
                                                   static_cast<int>(code), ": ",
                                                   curl_easy_strerror(code))),
              false};
  }
}

Verdict judge_http(long http_status, std::string_view request) {
  if (http_status == 200) return {absl::OkStatus(), false};
  const std::string what = internal::cat(request, ": HTTP ", http_status);
  if (http_status == 404) return {absl::NotFoundError(what), false};
  if (http_status == 429 || (http_status >= 500 && http_status <= 599)) {
    return {absl::UnavailableError(what), true};
  }
  if (http_status >= 400 && http_status <= 499) {
    return {absl::InvalidArgumentError(internal::cat(what, ": Sleeper refused the request")),
            false};
  }
  return {absl::UnavailableError(internal::cat(what, ": unexpected status")), false};
}

absl::Status check_options(const CurlSleeperClientOptions& o) {
  if (!internal::is_http_url(o.base_url)) {
    return absl::InvalidArgumentError("base_url must be an http:// or https:// URL");
  }
  const absl::Duration zero = absl::ZeroDuration();
  if (o.connect_timeout <= zero || o.attempt_timeout <= zero) {
    return absl::InvalidArgumentError("timeouts must be positive");
  }
  if (o.attempts_max < 1 || o.attempts_max > 20) {
    return absl::InvalidArgumentError("attempts_max must be 1..20");
  }
  if (o.backoff_initial <= zero || o.backoff_max < o.backoff_initial ||
      o.retry_after_max < zero) {
    return absl::InvalidArgumentError(
        "need 0 < backoff_initial <= backoff_max and retry_after_max >= 0");
  }
  if (o.calls_per_minute_max < 1 || o.calls_per_minute_max > 60'000 || o.burst_calls_max < 1 ||
      o.burst_calls_max > 10'000) {
    return absl::InvalidArgumentError(
        "calls_per_minute_max must be 1..60000 and burst_calls_max 1..10000");
  }
  if (o.response_bytes_max < 1024) {
    return absl::InvalidArgumentError("response_bytes_max must be at least 1024");
  }
  return absl::OkStatus();
}

}  // namespace

struct HttpClient::Attempt {
  CURLcode code = CURLE_OK;
  long http_status = 0;
  absl::Duration retry_after;  // Zero when the server sent none.
  bool body_too_large = false;
};

Connection::~Connection() {
  if (easy != nullptr) curl_easy_cleanup(easy);
}

ConnectionLease::~ConnectionLease() {
  if (connection_) owner_->give_back(std::move(connection_));
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::create(
    const CurlSleeperClientOptions& options) {
  if (absl::Status s = check_options(options); !s.ok()) return s;
  if (absl::Status s = internal::init_curl_once(); !s.ok()) return s;
  CurlSleeperClientOptions o = options;
  while (o.base_url.size() > 1 && o.base_url.back() == '/') o.base_url.pop_back();
  if (!o.clock) o.clock = std::make_shared<SystemClock>();
  if (!o.sleep) o.sleep = [](absl::Duration d) { absl::SleepFor(d); };
  auto client = std::unique_ptr<HttpClient>(new HttpClient(std::move(o)));
  client->headers_ = curl_slist_append(nullptr, "Accept: application/json");
  if (client->headers_ == nullptr) return absl::InternalError("curl_slist_append failed");
  return client;
}

HttpClient::HttpClient(CurlSleeperClientOptions options)
    : options_(std::move(options)),
      limiter_(options_.clock.get(), options_.sleep, options_.calls_per_minute_max,
               options_.burst_calls_max),
      backoff_(options_.backoff_initial, options_.backoff_max, options_.jitter_seed) {}

HttpClient::~HttpClient() {
  {
    internal::MutexLock lock(&pool_mu_);
    idle_.clear();  // The handles go before the header list they point at.
  }
  curl_slist_free_all(headers_);
}

absl::StatusOr<ConnectionLease> HttpClient::lease() {
  {
    internal::MutexLock lock(&pool_mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return ConnectionLease(this, std::move(connection));
    }
  }
  absl::StatusOr<std::unique_ptr<Connection>> connection = new_connection();
  if (!connection.ok()) return connection.status();
  return ConnectionLease(this, *std::move(connection));
}

void HttpClient::give_back(std::unique_ptr<Connection> connection) {
  {
    internal::MutexLock lock(&pool_mu_);
    if (idle_.size() < options_.idle_connections_max) {
      idle_.push_back(std::move(connection));
      return;
    }
  }
  connection.reset();  // Closes its connection, outside the lock.
}

absl::StatusOr<std::unique_ptr<Connection>> HttpClient::new_connection() {
  auto c = std::make_unique<Connection>();
  c->easy = curl_easy_init();
  if (c->easy == nullptr) return absl::InternalError("curl_easy_init failed");
  c->body_bytes_max = options_.response_bytes_max;
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(c->easy, option, value);
  };
  set(CURLOPT_NOSIGNAL, 1L);  // No SIGALRM for timeouts: we run in threads.
  set(CURLOPT_CONNECTTIMEOUT_MS, to_millis(options_.connect_timeout));
  set(CURLOPT_TIMEOUT_MS, to_millis(options_.attempt_timeout));
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(c.get()));
  set(CURLOPT_HTTPHEADER, headers_);
  set(CURLOPT_USERAGENT, "waiver-exchange-account/0.1");
  set(CURLOPT_ACCEPT_ENCODING, "");  // Whatever libcurl can decode.
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  if (rc != CURLE_OK) {
    return absl::InternalError(internal::cat("curl_easy_setopt: ", curl_easy_strerror(rc)));
  }
  return c;
}

HttpClient::Attempt HttpClient::perform(Connection& c, const std::string& url) {
  c.body.clear();
  c.body_too_large = false;
  Attempt a;
  a.code = curl_easy_setopt(c.easy, CURLOPT_URL, url.c_str());
  if (a.code != CURLE_OK) return a;
  a.code = curl_easy_perform(c.easy);
  curl_easy_getinfo(c.easy, CURLINFO_RESPONSE_CODE, &a.http_status);
  curl_off_t retry_after_s = 0;
  if (curl_easy_getinfo(c.easy, CURLINFO_RETRY_AFTER, &retry_after_s) == CURLE_OK &&
      retry_after_s > 0) {
    a.retry_after = absl::Seconds(retry_after_s);
  }
  a.body_too_large = c.body_too_large;
  return a;
}

absl::Status HttpClient::get(std::string_view path, Connection& connection) {
  const std::string request = internal::cat("GET ", path);
  const std::string url = internal::cat(options_.base_url, path);
  for (int attempt = 1;; ++attempt) {
    limiter_.acquire();
    const Attempt a = perform(connection, url);
    if (a.body_too_large) {
      return absl::ResourceExhaustedError(internal::cat(
          request, ": answer larger than ", options_.response_bytes_max, " bytes"));
    }
    Verdict v = a.code != CURLE_OK ? judge_transport(a.code, request, options_)
                                   : judge_http(a.http_status, request);
    if (v.status.ok() || !v.retry) return v.status;
    if (attempt >= options_.attempts_max) {
      if (attempt == 1) return v.status;
      return absl::Status(v.status.code(), internal::cat(v.status.message(), " (gave up after ",
                                                         attempt, " attempts)"));
    }
    absl::Duration delay = backoff_.delay(attempt);
    if (a.retry_after > absl::ZeroDuration()) {
      if (a.retry_after > options_.retry_after_max) {
        return absl::UnavailableError(internal::cat(
            v.status.message(), ": asked to retry after ", absl::FormatDuration(a.retry_after),
            ", longer than the ", absl::FormatDuration(options_.retry_after_max), " we wait"));
      }
      delay = std::max(delay, a.retry_after);
    }
    options_.sleep(delay);
  }
}

}  // namespace account::internal::sleeper
