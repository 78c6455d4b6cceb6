// Private to the library: absl::StrCat that also takes std::string_view.
// Debian's Abseil is built with its own absl::string_view, which does not
// convert from std::string_view, and our public API speaks std::string_view.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace account::internal {

template <typename T>
decltype(auto) for_cat(const T& value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return absl::string_view(value.data(), value.size());
  } else {
    return (value);
  }
}

template <typename... Args>
std::string cat(const Args&... args) {
  return absl::StrCat(for_cat(args)...);
}

inline absl::string_view to_absl(std::string_view s) { return {s.data(), s.size()}; }

// Whether `port` (the text after a host's ':') is empty, which means the
// scheme's port, or a number from 1 to 65535.
inline bool is_url_port(std::string_view port) {
  long value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
    if (value > 65'535) return false;
  }
  return port.empty() || value >= 1;
}

// Whether `url` is an http:// or https:// URL with a host: "https://" alone,
// "https:///path", anything with a space, a host name libcurl would refuse,
// an IPv6 host without its ']' and a port that is not a number from 1 to
// 65535 are not. The one check every configured endpoint (Sleeper, Google,
// the Config variables) goes through, so that a typo is a configuration
// error at start-up rather than a connection failure that looks worth
// retrying.
inline bool is_http_url(std::string_view url) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (url.substr(0, scheme.size()) != scheme) continue;
    const std::string_view rest = url.substr(scheme.size());
    if (rest.find(' ') != std::string_view::npos) return false;
    std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
    if (const size_t at = host.rfind('@'); at != std::string_view::npos) {
      host = host.substr(at + 1);
    }
    std::string_view port;
    if (!host.empty() && host[0] == '[') {
      const size_t close = host.find(']');
      if (close == std::string_view::npos || close == 1) return false;
      port = host.substr(close + 1);
      if (!port.empty() && port[0] != ':') return false;
      host = host.substr(0, close + 1);
    } else if (const size_t colon = host.find(':'); colon != std::string_view::npos) {
      port = host.substr(colon);
      host = host.substr(0, colon);
    }
    if (!port.empty()) port.remove_prefix(1);
    if (host.empty() || !is_url_port(port)) return false;
    // libcurl refuses a host name holding any of these (its hostname_check)
    // as a malformed URL. Not '%': libcurl decodes a percent-encoded host
    // first.
    return host[0] == '[' ||
           host.find_first_of(" \r\n\t!{}\\$'\"^`*<>=;,+&()") == std::string_view::npos;
  }
  return false;
}

// `url` as safe to print: the password of a user:password@ before the host
// replaced by "***". The '@' looked for is the last one before any query,
// so that a password holding an unescaped '/' is hidden too; a URL with an
// '@' in its path may lose a little of it to the mask.
inline std::string url_without_password(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t start = scheme + 3;
  const size_t at = url.substr(0, url.find_first_of("?#", start)).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const size_t colon = url.find(':', start);
  if (colon > at) return std::string(url);
  return cat(url.substr(0, colon + 1), "***", url.substr(at));
}

}  // namespace account::internal
