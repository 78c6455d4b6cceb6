// internal::is_http_url (src/base/strings.h): the check every configured endpoint
// passes through (Config's URL variables, CurlSleeperClientOptions::base_url,
// the Google endpoints and JWKS URL).
#include <catch2/catch.hpp>

#include <string_view>

#include "base/strings.h"

namespace account::internal {
namespace {

TEST_CASE("is_http_url takes http and https URLs with a host", "[strings]") {
  for (std::string_view url : {"http://a", "https://a", "http://127.0.0.1:8080",
                               "https://api.sleeper.app/v1", "https://oauth2.googleapis.com/token",
                               "http://localhost/x?y=1"}) {
    INFO(url);
    CHECK(is_http_url(url));
  }
}

TEST_CASE("is_http_url refuses other schemes, a missing host and spaces", "[strings]") {
  for (std::string_view url : {"", "http://", "https://", "https:///path", "ftp://host",
                               "HTTP://host", "httpx://host", "//host", "host", "http:/host",
                               "https://host name", "https:// host", "file:///etc/passwd"}) {
    INFO(url);
    CHECK_FALSE(is_http_url(url));
  }
}

}  // namespace
}  // namespace account::internal
