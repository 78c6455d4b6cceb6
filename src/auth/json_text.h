// Private to account::auth: writing JSON text by hand for the few small documents we produce
// (token headers and payloads, handler answers), where a JSON library would be more code.
#pragma once

#include <string>
#include <string_view>

namespace account::internal::auth {

// `text` as a JSON string literal, quotes included: '"' and '\' escaped, control characters as
// \uXXXX (or \n, \t, ...). Bytes >= 0x80 pass through, so UTF-8 stays UTF-8.
std::string json_string(std::string_view text);

}  // namespace account::internal::auth
