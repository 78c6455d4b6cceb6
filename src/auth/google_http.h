// Private to account::auth: single HTTP attempts over libcurl for the
// Google client, on a small pool of easy handles (each keeps its connection
// open between calls). Retrying is the caller's decision, because only the
// caller knows whether a request may be sent twice (a code exchange may not).
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/internal/mutex.h"

namespace account::internal::auth {

struct HttpLimits {
  absl::Duration connect_timeout;
  absl::Duration request_timeout;  // The whole attempt.
  size_t response_bytes_max = 0;
  size_t idle_connections_max = 4;
};

// What one attempt came to.
struct HttpAttempt {
  CURLcode code = CURLE_OK;  // CURLE_OK: an HTTP answer arrived.
  long status = 0;           // HTTP status when code is CURLE_OK.
  std::string body;
  absl::Duration retry_after;  // Zero when the server sent no Retry-After.
  bool body_too_large = false;
  // False only when the request certainly never reached the server (no
  // connection was made, or nothing was written to it): then it is safe to
  // send again even when it must not be repeated.
  bool maybe_sent = true;
};

class CurlHttp {
 public:
  // Initializes libcurl once per process. Internal when it cannot.
  static absl::StatusOr<std::unique_ptr<CurlHttp>> create(HttpLimits limits);
  ~CurlHttp();
  CurlHttp(const CurlHttp&) = delete;
  CurlHttp& operator=(const CurlHttp&) = delete;

  // GET `url`, with "Authorization: Bearer <bearer>" when `bearer` is not
  // empty. Fails (Internal) only when libcurl cannot make or set up a handle.
  absl::StatusOr<HttpAttempt> get(const std::string& url, std::string_view bearer);
  // POST `form` (already application/x-www-form-urlencoded) to `url`.
  absl::StatusOr<HttpAttempt> post_form(const std::string& url, const std::string& form);

  // Percent-encodes everything but RFC 3986's unreserved characters
  // (A-Z a-z 0-9 - . _ ~): safe in a query, a form body and a path segment.
  static std::string escape(std::string_view text);

 private:
  explicit CurlHttp(HttpLimits limits) : limits_(limits) {}
  absl::StatusOr<CURL*> take();
  void give_back(CURL* easy);
  absl::StatusOr<HttpAttempt> perform(CURL* easy, const std::string& url, curl_slist* headers);

  HttpLimits limits_;
  internal::Mutex mu_;
  std::vector<CURL*> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace account::internal::auth
