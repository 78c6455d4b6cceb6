// Private to the library: how libpq reads a database URL, for the two places
// that must agree with it (pg::check_url, which refuses a URL libpq would
// misread, and redact_database_url, which hides its password).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace account::internal {

// Whether libpq reads `text` as a URI: it starts with postgresql:// or
// postgres://. Anything else is the key=value form, even with a "://" inside
// a value.
bool is_postgres_uri(std::string_view text);

// In a URI, the position of the '@' that ends the user info (user:password),
// or npos when there is none. Where that '@' is depends on what the password
// holds, so this is the furthest of three readings: libpq's (the first '@'
// before any '/'; a password may hold a '?'), the last '@' before
// the query (a password with an unescaped '/'), and the last '@' with no '='
// before it (a password with both; an '@' in a query value follows a '=').
// A URI whose user info by this reading holds '/' or '@' is one that libpq
// would read differently from its writer.
size_t uri_user_info_end(std::string_view uri);

// Where the user info starts: just after "://", or npos when not a URI.
size_t uri_user_info_start(std::string_view uri);

}  // namespace account::internal
