#include "database_url.h"

#include <algorithm>

namespace account::internal {

bool is_postgres_uri(std::string_view text) {
  return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
}

size_t uri_user_info_start(std::string_view uri) {
  if (!is_postgres_uri(uri)) return std::string_view::npos;
  return uri.find("://") + 3;
}

size_t uri_user_info_end(std::string_view uri) {
  const size_t start = uri_user_info_start(uri);
  if (start == std::string_view::npos) return std::string_view::npos;
  size_t at = std::string_view::npos;
  const auto further = [&](size_t candidate) {
    if (candidate != std::string_view::npos && candidate >= start &&
        (at == std::string_view::npos || candidate > at)) {
      at = candidate;
    }
  };
  if (const size_t stop = uri.find_first_of("@/", start);
      stop != std::string_view::npos && uri[stop] == '@') {
    further(stop);
  }
  further(uri.substr(0, std::min(uri.find('?', start), uri.size())).rfind('@'));
  if (const size_t last = uri.rfind('@');
      last != std::string_view::npos && last >= start &&
      uri.substr(start, last - start).find('=') == std::string_view::npos) {
    further(last);
  }
  return at;
}

}  // namespace account::internal
