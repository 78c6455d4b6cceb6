// Private to account::http (http_client.cpp): libcurl's process-wide
// initialisation, done once.
//
// curl_global_init must not race with itself, so it runs once per process
// (behind a std::once_flag), and is never cleaned up, since other parts of
// the process may use libcurl too.
#pragma once

#include <curl/curl.h>

#include <mutex>

#include "absl/status/status.h"
#include "base/strings.h"

namespace account::internal {

// OK once libcurl is initialised; Internal with libcurl's message if its
// initialisation failed (every later call returns the same).
inline absl::Status init_curl_once() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    return absl::InternalError(cat("curl_global_init: ", curl_easy_strerror(result)));
  }
  return absl::OkStatus();
}

}  // namespace account::internal
