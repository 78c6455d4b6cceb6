// Private to the library: how a database URL is read, for the places that
// must agree with it. Which store it names (its scheme: postgresql://,
// postgres:// and libpq's key=value form for PostgreSQL, sqlite: for a
// SQLite file; the form is documented in include/account/database_url.h).
// How libpq reads the PostgreSQL forms: load_config and pg::check_url refuse
// a URL that libpq would refuse or misread; redact_database_url hides what
// may be its password; the PostgreSQL component scrubs the same password
// candidates from libpq's messages. How a sqlite: URL gives a file path:
// read_sqlite_url, which read_database_url() and the opening helper share.
//
// The part of a URL that is wrong is often its password (a '/' or '@' in
// it, an '@' left out so that it reads as the port), so nothing here quotes
// a URL in a message, and the masks err on the side of hiding too much.
//
//   if (std::optional<std::string> problem = database_url_problem(url)) refuse(*problem);
//   show(redact_url(url));                                  // postgresql://u:***@h/db
//   std::string safe = scrub(libpq_message, password_candidates(url));
//
//   if (is_sqlite_url(url)) { SqliteUrl file = read_sqlite_url(url); ... file.path ... }
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace account::internal {

// The scheme `text` starts with, lower-cased, without its ':' (RFC 3986
// section 3.1: a letter, then letters, digits, '+', '-' or '.', then ':');
// empty when it starts with none. libpq's key=value form starts with none:
// its first key ends at '=' or white space, before any ':'. A scheme holds
// no password (it ends at the first ':', before any user info), so messages
// may quote it.
std::string url_scheme(std::string_view text);

// Whether `text` is a sqlite: URL: its scheme is "sqlite", in any case.
bool is_sqlite_url(std::string_view text);

// A sqlite: URL, read.
struct SqliteUrl {
  // The database file's path, percent-escapes decoded (RFC 3986: every %XX
  // is the byte XX; '+' is a plus sign), as written: relative to the working
  // directory unless it starts with '/'. Empty when `problem` is set.
  std::string path;
  // Why the URL is refused, in words that quote none of it (the path may be
  // quoted by the caller: a sqlite: URL carries no password).
  std::optional<std::string> problem;
};

// Reads a sqlite: URL. The forms: sqlite:/abs/path.db, sqlite:///abs/path.db
// (an empty authority) and sqlite:relative/path.db. Refused, each with its
// own problem: a host (sqlite://HOST/...: a SQLite file is local; this is
// also what sqlite://ledger.db, meant as a relative path, reads as); a query
// or a fragment ('?', '#': SQLite's own URI settings are not taken, options
// are the program's); a '%' without two hex digits after it, or %00; a raw
// control character; white space at either end; no path; a path that ends
// in '/' (a directory); ":memory:" (leave DATABASE_URL unset for the
// in-memory store); "file:..." (SQLite's URI form); a leading '~' (not
// expanded here). `url` must be a sqlite: URL (is_sqlite_url).
SqliteUrl read_sqlite_url(std::string_view url);

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

// The characters [begin, end) of a URL.
struct TextSpan {
  size_t begin = 0;
  size_t end = 0;
};

// A URI's host list, as libpq reads it: the comma-separated host[:port]
// entries after the user info (by the reading of uri_user_info_end), up to
// the '/' before the database name or the '?' before the query. A host in
// brackets is an IPv6 address.
struct UriHostList {
  TextSpan text;
  std::vector<TextSpan> ports;  // The text after each entry's ':', possibly empty.
  // False when libpq refuses the list: a '[' without its ']', an empty
  // "[]", or a character after ']' other than ':', ',', '/' and '?'. `text`
  // then runs to the end of the URI, as libpq's search for the ']' does.
  bool readable = true;
};

// The host list of `uri`; an empty one when `uri` is not a URI.
UriHostList uri_host_list(std::string_view uri);

// Whether `text` is a port number: decimal digits only, 1 to 65535.
bool is_port_number(std::string_view text);

// Whether each comma-separated element of `ports` (libpq's port setting) is
// empty, which means the default port, or a port number.
bool is_port_list(std::string_view ports);

// `text` with each %XX escape decoded, as libpq decodes each part of a URI.
// A '%' without two hex digits after it is kept as it is.
std::string percent_decoded(std::string_view text);

// One setting of libpq's key=value form.
struct ConninfoSetting {
  std::string_view key;
  TextSpan value;          // As written: quotes and backslashes included.
  std::string value_text;  // As libpq reads it: unquoted, escapes resolved.
};

// The settings of a key=value string as PQconninfoParse reads its syntax: a
// key, optional white space, '=', optional white space, and a value that is
// either single-quoted or runs to the next white space, a backslash escaping
// the next character in both. nullopt when libpq would refuse the syntax (a
// key without '=', an empty key, an unterminated quote); whether each key is
// one libpq knows is not checked.
std::optional<std::vector<ConninfoSetting>> parse_key_values(std::string_view text);

// What database_url_problem() and pg::check_url() say of a port that is not
// a number from 1 to 65535. A URL typed with the '@' after the password
// left out reads its password as the port, so the message names the likely
// cause but never the text.
inline constexpr std::string_view kPortProblem =
    "a port is not a number from 1 to 65535 (a password whose '@' before the host is "
    "missing reads as the port; its text is not shown)";

// Why libpq would refuse `url` or read it otherwise than its writer meant,
// in words that quote none of it; nullopt when this reading finds nothing
// wrong. It reads the syntax only: the user info (no unescaped '/' or '@'),
// the percent-escapes, the host list (each port a number from 1 to 65535,
// brackets closed), the query (each parameter one key=value pair, each port
// setting a port list), and the key=value form. libpq may still refuse a
// keyword it does not know, or a value of one: pg::check_url asks it.
std::optional<std::string> database_url_problem(std::string_view url);

// Every text in `url` that may be a password, in each form libpq might quote
// it: as written, percent-decoded, and in the pieces a misread one splits
// into (at '/', '@', ':', ',', '?', '&', '=', '[', ']', quotes, '#', '%').
// That is the password of the user info (all of the user info when it holds
// a '/' or '@' but no ':'); each port that is not a port number (an '@' left
// out puts the password there); the whole host list when libpq cannot read
// it; the value of any query or key=value setting whose key holds "pass"
// (password, sslpassword), or of a port setting that is not a port list;
// any query parameter without '=' (as in password=a&b, an unescaped '&');
// and the candidates of a URI given as a setting's value. When a key=value
// string does not parse, each of its words is a candidate. A host, a port
// number or a database name is not. Empty texts are left out.
std::vector<std::string> password_candidates(std::string_view url);

// Candidates shorter than this are replaced only where they stand as a word
// of their own (no letter or digit on either side): a one- or two-letter
// password would otherwise turn every message into asterisks. libpq quotes
// the values it refuses ("S3cretPW"), so a short one is still caught there.
inline constexpr size_t kScrubAnywhereBytesMin = 4;

// `text` with each of `candidates` replaced by "***", longest first; see
// kScrubAnywhereBytesMin for the short ones.
std::string scrub(std::string_view text, const std::vector<std::string>& candidates);

// `url` with the place of every password candidate replaced by "***",
// keeping what reads unambiguously (user, hosts, port numbers, database,
// other settings): the places password_candidates() reads, except that a
// host list libpq cannot read hides the rest of the URI, and a URI given as
// a setting's value is hidden whole. A key=value string that does not parse
// (and so any text with an unknown scheme) is not shown at all. A sqlite:
// URL carries no password and is shown as written, but for the authority of
// a sqlite://HOST/... (refused anyway), which may hold a user:password@.
std::string redact_url(std::string_view url);

}  // namespace account::internal
