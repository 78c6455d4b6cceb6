// Private to the library: writing JSON text by hand (log lines, health
// reports), where a document model would cost more than the text itself.
#pragma once

#include <string>
#include <string_view>

namespace account::internal {

// Appends `s` as a JSON string literal, quotes included: '"', '\\' and
// control characters escaped, and each byte that is not part of valid UTF-8
// replaced by U+FFFD, so that the output always parses.
void append_json_string(std::string& out, std::string_view s);

// `s` as a JSON string literal, as append_json_string writes it: for documents built in one
// expression (token headers, handler answers).
std::string json_string(std::string_view s);

}  // namespace account::internal
