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

// Whether `url` is an http:// or https:// URL with a host: "https://" alone,
// "https:///path" and anything with a space are not. The one check every
// configured endpoint (Sleeper, Google, the Config variables) goes through.
inline bool is_http_url(std::string_view url) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (url.substr(0, scheme.size()) == scheme) {
      const std::string_view rest = url.substr(scheme.size());
      return !rest.empty() && rest[0] != '/' && rest.find(' ') == std::string_view::npos;
    }
  }
  return false;
}

}  // namespace account::internal
