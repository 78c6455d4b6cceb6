#include "google_http.h"

#include <algorithm>
#include <utility>

#include "base/curl_global.h"
#include "base/strings.h"

namespace account::internal::auth {
namespace {

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

// Frees a header list that may hold a bearer token, and its handle's pointer to it.
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

}  // namespace

absl::StatusOr<std::unique_ptr<CurlHttp>> CurlHttp::create(HttpLimits limits) {
  if (absl::Status s = internal::init_curl_once(); !s.ok()) return s;
  return std::unique_ptr<CurlHttp>(new CurlHttp(limits));
}

CurlHttp::~CurlHttp() {
  internal::MutexLock lock(&mu_);
  for (CURL* easy : idle_) curl_easy_cleanup(easy);
}

absl::StatusOr<CURL*> CurlHttp::take() {
  {
    internal::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      CURL* easy = idle_.back();
      idle_.pop_back();
      return easy;
    }
  }
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return absl::InternalError("curl_easy_init failed");
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_NOSIGNAL, 1L);  // No SIGALRM for timeouts: we run in threads.
  set(CURLOPT_CONNECTTIMEOUT_MS, to_millis(limits_.connect_timeout));
  set(CURLOPT_TIMEOUT_MS, to_millis(limits_.request_timeout));
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_USERAGENT, "waiver-exchange-account/0.1");
  set(CURLOPT_ACCEPT_ENCODING, "");
  set(CURLOPT_FOLLOWLOCATION, 0L);  // Google's API answers directly; a redirect is an error.
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  if (rc != CURLE_OK) {
    curl_easy_cleanup(easy);
    return absl::InternalError(internal::cat("curl_easy_setopt: ", curl_easy_strerror(rc)));
  }
  return easy;
}

void CurlHttp::give_back(CURL* easy) {
  {
    internal::MutexLock lock(&mu_);
    if (idle_.size() < limits_.idle_connections_max) {
      idle_.push_back(easy);
      return;
    }
  }
  curl_easy_cleanup(easy);
}

absl::StatusOr<HttpAttempt> CurlHttp::perform(CURL* easy, const std::string& url,
                                              curl_slist* headers) {
  HttpAttempt a;
  Sink sink{.body = &a.body, .bytes_max = limits_.response_bytes_max};
  CURLcode rc = curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_WRITEDATA, static_cast<void*>(&sink));
  if (rc != CURLE_OK) {
    return absl::InternalError(internal::cat("curl_easy_setopt: ", curl_easy_strerror(rc)));
  }
  a.code = curl_easy_perform(easy);
  a.body_too_large = sink.too_large;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &a.status);
  curl_off_t retry_after_s = 0;
  if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after_s) == CURLE_OK &&
      retry_after_s > 0) {
    a.retry_after = absl::Seconds(retry_after_s);
  }
  long request_bytes = 0;
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
  switch (a.code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      a.maybe_sent = false;
      break;
    case CURLE_OK:
      break;
    default:
      // A timeout or a TLS failure may come before or after the request was
      // written; only a request size of 0 proves it never left.
      a.maybe_sent = request_bytes > 0;
      break;
  }
  // The handle must not keep pointers into this call's header list or sink.
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, static_cast<void*>(nullptr));
  return a;
}

absl::StatusOr<HttpAttempt> CurlHttp::get(const std::string& url, std::string_view bearer) {
  absl::StatusOr<CURL*> easy = take();
  if (!easy.ok()) return easy.status();
  HeaderList headers;
  bool ok = headers.add("Accept: application/json");
  if (!bearer.empty()) ok = ok && headers.add(internal::cat("Authorization: Bearer ", bearer));
  absl::StatusOr<HttpAttempt> a = absl::InternalError("curl_slist_append failed");
  if (ok && curl_easy_setopt(*easy, CURLOPT_HTTPGET, 1L) == CURLE_OK) {
    a = perform(*easy, url, headers.list);
  }
  give_back(*easy);
  return a;
}

absl::StatusOr<HttpAttempt> CurlHttp::post_form(const std::string& url, const std::string& form) {
  absl::StatusOr<CURL*> easy = take();
  if (!easy.ok()) return easy.status();
  HeaderList headers;
  const bool ok = headers.add("Accept: application/json") &&
                  headers.add("Content-Type: application/x-www-form-urlencoded");
  absl::StatusOr<HttpAttempt> a = absl::InternalError("curl_slist_append failed");
  if (ok && curl_easy_setopt(*easy, CURLOPT_POST, 1L) == CURLE_OK &&
      curl_easy_setopt(*easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form.size())) ==
          CURLE_OK &&
      curl_easy_setopt(*easy, CURLOPT_POSTFIELDS, form.c_str()) == CURLE_OK) {
    a = perform(*easy, url, headers.list);
  }
  // The form holds the code, the verifier and the client secret.
  curl_easy_setopt(*easy, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
  give_back(*easy);
  return a;
}

std::string CurlHttp::escape(std::string_view text) {
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

}  // namespace account::internal::auth
