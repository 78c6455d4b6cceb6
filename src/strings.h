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

}  // namespace account::internal
