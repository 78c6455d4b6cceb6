// Private to account::auth: writing JSON text by hand for the few small documents we produce
// (token headers and payloads, handler answers), where a JSON library would be more code.
#pragma once

#include <string>
#include <string_view>

namespace account::internal::auth {

// `text` as a JSON string literal, quotes included, written by the core's
// append_json_string (src/base/json_text.h): '"', '\' and control characters
// escaped, valid UTF-8 kept, any other byte replaced by U+FFFD.
std::string json_string(std::string_view text);

}  // namespace account::internal::auth
