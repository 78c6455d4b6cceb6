#include "http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <utility>

#include "base/strings.h"
#include "http/curl_global.h"

namespace account::internal::http {

struct HttpClient::Handle {
  CURL* easy = nullptr;
};

void HttpClient::HandleDeleter::operator()(Handle* handle) const {
  if (handle->easy != nullptr) curl_easy_cleanup(handle->easy);
  delete handle;
}

namespace {

// Where one attempt's body goes, up to its cap.
struct Sink {
  std::string* body;
  size_t bytes_max;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  if (sink->body->size() + bytes > sink->bytes_max) {
    sink->too_large = true;
    return 0;  // libcurl stops the transfer with CURLE_WRITE_ERROR.
  }
  sink->body->append(data, bytes);
  return bytes;
}

long to_millis(absl::Duration d) {
  return static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

// A request's header lines, freed with the call that made them (one may hold a bearer token).
struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  bool add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

Transport transport_of(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return Transport::kAnswered;
    case CURLE_OPERATION_TIMEDOUT:
      return Transport::kTimedOut;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return Transport::kNoConnection;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Transport::kDropped;
    // A URL libcurl cannot use is the configuration's fault: another attempt fails the same way.
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Transport::kUnusableUrl;
    default:
      return Transport::kFailed;
  }
}

// Sets the options every handle shares; CURLE_OK or the first failure.
CURLcode set_common_options(CURL* easy, const HttpClientOptions& o) {
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  static const std::string user_agent(kUserAgent);
  set(CURLOPT_NOSIGNAL, 1L);  // No SIGALRM for timeouts: we run in threads.
  set(CURLOPT_CONNECTTIMEOUT_MS, to_millis(o.connect_timeout));
  set(CURLOPT_TIMEOUT_MS, to_millis(o.request_timeout));
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_USERAGENT, user_agent.c_str());
  set(CURLOPT_ACCEPT_ENCODING, "");  // Whatever libcurl can decode.
  set(CURLOPT_FOLLOWLOCATION, 0L);   // The APIs we call answer directly; a redirect is an answer.
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  return rc;
}

absl::Status setopt_failed(CURLcode rc) {
  return absl::InternalError(internal::cat("curl_easy_setopt: ", curl_easy_strerror(rc)));
}

}  // namespace

bool HttpAnswer::transient() const {
  switch (transport) {
    case Transport::kTimedOut:
    case Transport::kNoConnection:
    case Transport::kDropped:
      return true;
    case Transport::kAnswered:
      return status == 429 || (status >= 500 && status <= 599);
    default:
      return false;
  }
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::create(HttpClientOptions options) {
  if (options.connect_timeout <= absl::ZeroDuration() ||
      options.request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("timeouts must be positive");
  }
  if (options.response_bytes_max == 0) {
    return absl::InvalidArgumentError("response_bytes_max must be positive");
  }
  if (absl::Status s = init_curl_once(); !s.ok()) return s;
  return std::unique_ptr<HttpClient>(new HttpClient(options));
}

HttpClient::~HttpClient() {
  internal::MutexLock lock(&mu_);
  idle_.clear();
}

absl::StatusOr<HttpClient::HandlePtr> HttpClient::take() {
  {
    internal::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      HandlePtr handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  HandlePtr handle(new Handle);
  handle->easy = curl_easy_init();
  if (handle->easy == nullptr) return absl::InternalError("curl_easy_init failed");
  if (CURLcode rc = set_common_options(handle->easy, options_); rc != CURLE_OK) {
    return setopt_failed(rc);
  }
  return handle;
}

void HttpClient::give_back(HandlePtr handle) {
  {
    internal::MutexLock lock(&mu_);
    if (idle_.size() < options_.idle_connections_max) {
      idle_.push_back(std::move(handle));
      return;
    }
  }
  handle.reset();  // Closes its connection, outside the lock.
}

HttpAnswer HttpClient::perform(Handle& handle, const std::string& url, std::string_view bearer,
                               const std::string* form) {
  CURL* easy = handle.easy;
  HttpAnswer a;
  Sink sink{.body = &a.body, .bytes_max = options_.response_bytes_max};
  HeaderList headers;
  bool ok = headers.add("Accept: application/json");
  if (!bearer.empty()) ok = ok && headers.add(internal::cat("Authorization: Bearer ", bearer));
  if (form != nullptr) ok = ok && headers.add("Content-Type: application/x-www-form-urlencoded");
  CURLcode rc = ok ? CURLE_OK : CURLE_OUT_OF_MEMORY;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_HTTPHEADER, headers.list);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&sink));
  if (form == nullptr) {
    set(CURLOPT_HTTPGET, 1L);
  } else {
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form->size()));
    set(CURLOPT_POSTFIELDS, form->c_str());
  }
  const CURLcode code = rc == CURLE_OK ? curl_easy_perform(easy) : rc;
  a.transport = sink.too_large ? Transport::kTooLarge : transport_of(code);
  if (a.transport != Transport::kAnswered) {
    a.error =
        a.transport == Transport::kFailed
            ? internal::cat("curl error ", static_cast<int>(code), ": ", curl_easy_strerror(code))
            : std::string(curl_easy_strerror(code));
    a.body.clear();
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &a.status);
  // libcurl reads both forms of Retry-After: seconds, or an HTTP date made relative to now.
  curl_off_t retry_after_s = 0;
  if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after_s) == CURLE_OK &&
      retry_after_s > 0) {
    a.retry_after = absl::Seconds(retry_after_s);
  }
  long request_bytes = 0;
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
  // A timeout or a TLS failure may come before or after the request was written; only a
  // request size of 0 proves it never left.
  a.maybe_sent = a.transport != Transport::kNoConnection &&
                 (a.transport == Transport::kAnswered || request_bytes > 0);
  // The handle must not keep pointers into this call's headers, sink or form (which holds
  // codes and secrets).
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
  return a;
}

absl::StatusOr<HttpAnswer> HttpClient::get(const std::string& url, std::string_view bearer) {
  absl::StatusOr<HandlePtr> handle = take();
  if (!handle.ok()) return handle.status();
  HttpAnswer answer = perform(**handle, url, bearer, nullptr);
  give_back(*std::move(handle));
  return answer;
}

absl::StatusOr<HttpAnswer> HttpClient::post_form(const std::string& url, const std::string& form) {
  absl::StatusOr<HandlePtr> handle = take();
  if (!handle.ok()) return handle.status();
  HttpAnswer answer = perform(**handle, url, {}, &form);
  give_back(*std::move(handle));
  return answer;
}

std::string HttpClient::escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::optional<absl::Duration> retry_wait(internal::JitteredBackoff& backoff, int retry,
                                         absl::Duration retry_after,
                                         absl::Duration retry_after_max) {
  if (retry_after > retry_after_max) return std::nullopt;
  return std::max(backoff.delay(retry), retry_after);
}

}  // namespace account::internal::http
