#include "json_text.h"

#include "base/json_text.h"

namespace account::internal::auth {

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  internal::append_json_string(out, text);
  return out;
}

}  // namespace account::internal::auth
