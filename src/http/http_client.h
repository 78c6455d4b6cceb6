// Private to the libraries that call out over HTTP (account::sleeper, account::auth): one attempt
// of a GET or a form POST over libcurl, on a pool of easy handles that keep their connections
// open between calls. Knows nothing of Sleeper, Google or JSON.
//
//   auto http = HttpClient::create({.request_timeout = absl::Seconds(10)}).value();
//   absl::StatusOr<HttpAnswer> answer = http->get("https://api.sleeper.app/v1/state/nfl");
//   if (answer.ok() && answer->transport == Transport::kAnswered && answer->status == 200) ...
//
// One attempt per call: whether and when to try again is the caller's decision, since only the
// caller knows whether its request may be sent twice (a code exchange may not) and how long its
// user can wait. Callers space their retries with retry_wait() below and the jittered backoff of
// base/jittered_backoff.h; HttpAnswer::transient() says whether another attempt may go better.
//
// Every handle has the same options: no signals (timeouts in threads), the connect and the
// whole-request timeouts, one user agent, "Accept: application/json", any content encoding
// libcurl decodes, no redirects, http and https only, TCP keep-alive. A body larger than
// response_bytes_max stops the transfer (Transport::kTooLarge). Retry-After is read in both of
// its forms, seconds and an HTTP date.
//
// Nothing this layer returns holds a URL, a header or a request body: URLs may embed credentials,
// and headers and bodies carry tokens, codes and secrets. Callers name their requests themselves
// ("GET /state/nfl", "token endpoint") in their messages.
//
// Thread-safety: every method may be called from any thread at once; each call has a handle of
// its own, taken from the pool or made.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/mutex.h"
#include "base/jittered_backoff.h"

namespace account::internal::http {

// The agent we tell servers we are.
inline constexpr std::string_view kUserAgent = "waiver-exchange-account/0.1";

struct HttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(20);  // The whole attempt, connecting included.
  size_t response_bytes_max = 1 << 20;                 // Larger answers are kTooLarge.
  size_t idle_connections_max = 4;                     // Idle handles kept for reuse.
};

// How an attempt ended.
enum class Transport : uint8_t {
  kAnswered,      // An HTTP answer arrived, whatever its status.
  kTimedOut,      // No answer within the connect or the request timeout.
  kNoConnection,  // The host did not resolve or refused the connection: nothing was sent.
  kDropped,       // The connection failed mid-way (reset, TLS handshake, an empty or cut reply).
  kTooLarge,      // The body went past response_bytes_max; the transfer was stopped.
  kUnusableUrl,   // libcurl cannot use the URL (malformed, a scheme other than http(s)).
  kFailed,        // Any other libcurl failure (a certificate refused, out of memory, ...).
};

struct HttpAnswer {
  Transport transport = Transport::kAnswered;
  long status = 0;             // The HTTP status, when kAnswered.
  std::string body;            // The answer's body, when kAnswered.
  absl::Duration retry_after;  // What Retry-After asked for; zero when none (or a past date).
  // False only when the request certainly never left this machine (no connection was made, or
  // nothing was written to it): then even a request that must not be repeated may be sent again.
  bool maybe_sent = true;
  // libcurl's words for a failed transport ("Couldn't connect to server"); empty when answered.
  // Never holds the URL.
  std::string error;

  // Whether another attempt may go better: a timeout, no connection or a dropped one, or an
  // answer 429 or 5xx. An unusable URL, an answer too large, another libcurl failure and any
  // other status would fail the same way again.
  bool transient() const;
};

class HttpClient {
 public:
  // InvalidArgument for a non-positive timeout or a zero response_bytes_max; Internal when
  // libcurl cannot be initialised (once per process, never undone: others may use it too).
  static absl::StatusOr<std::unique_ptr<HttpClient>> create(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GETs `url`, with "Authorization: Bearer <bearer>" when `bearer` is not empty. Fails
  // (Internal) only when libcurl cannot make a handle or give it the common options: every
  // outcome of the attempt itself, a request libcurl could not set up included (kFailed), is an
  // HttpAnswer.
  absl::StatusOr<HttpAnswer> get(const std::string& url, std::string_view bearer = {});
  // POSTs `form`, already application/x-www-form-urlencoded, to `url`.
  absl::StatusOr<HttpAnswer> post_form(const std::string& url, const std::string& form);

  // Percent-encodes every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~): safe
  // in a path segment, a query and a form body.
  static std::string escape(std::string_view text);

 private:
  struct Handle;
  struct HandleDeleter {
    void operator()(Handle* handle) const;
  };
  using HandlePtr = std::unique_ptr<Handle, HandleDeleter>;

  explicit HttpClient(HttpClientOptions options) : options_(options) {}
  absl::StatusOr<HandlePtr> take();
  void give_back(HandlePtr handle);
  HttpAnswer perform(Handle& handle, const std::string& url, std::string_view bearer,
                     const std::string* form);

  const HttpClientOptions options_;
  internal::Mutex mu_;
  std::vector<HandlePtr> idle_ ABSL_GUARDED_BY(mu_);
};

// The wait before retry number `retry` (1 for the first) of a call whose last answer asked for
// `retry_after` (zero: nothing asked): the backoff's delay, or retry_after when that is longer.
// nullopt when retry_after is longer than `retry_after_max`: the caller gives up at once rather
// than hold its own caller that long.
std::optional<absl::Duration> retry_wait(internal::JitteredBackoff& backoff, int retry,
                                         absl::Duration retry_after,
                                         absl::Duration retry_after_max);

}  // namespace account::internal::http
