#include "base/database_url.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace account::internal {
namespace {

constexpr size_t kNpos = std::string_view::npos;
constexpr std::string_view kMask = "***";

// Where a misread password may be split: at the user info's, host list's
// and query's delimiters, at a key=value string's quotes, and (erring on
// the side of more candidates) at '#' and '%'.
constexpr std::string_view kPieceBreaks = "/@:,?&=[]'#%";

std::string_view text_of(std::string_view url, TextSpan span) {
  return url.substr(span.begin, span.end - span.begin);
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hex_value(char c) {
  const int u = static_cast<unsigned char>(c);
  return std::isdigit(u) != 0 ? u - '0' : std::tolower(u) - 'a' + 10;
}

bool conninfo_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// A setting whose key holds "pass" in any case: password, and sslpassword
// (the client key's passphrase), and what a typo makes of them. Masking a
// passfile path as well costs nothing.
bool is_password_key(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return lower.find("pass") != std::string::npos;
}

// Whether a setting's value may be a password: a password's, or a port
// that is not a port list (a password typed in the wrong place).
bool is_hidden_setting(std::string_view key, std::string_view value) {
  return is_password_key(key) || (key == "port" && !is_port_list(value));
}

// One parameter of a URI's query: key=value, as libpq splits it at '&'.
struct UriParameter {
  TextSpan whole;
  TextSpan key;
  TextSpan value;         // Empty, just after the key, when there is no '='.
  size_t separators = 0;  // How many '=' it holds: libpq takes exactly one.
};

// The parameters after the '?' that follows the host list; none when libpq
// cannot read the host list.
std::vector<UriParameter> uri_query(std::string_view uri, const UriHostList& hosts) {
  std::vector<UriParameter> out;
  if (!hosts.readable) return out;
  const size_t mark = uri.find('?', hosts.text.end);
  if (mark == kNpos) return out;
  for (size_t p = mark + 1; p < uri.size();) {
    const size_t end = std::min(uri.find('&', p), uri.size());
    UriParameter param;
    param.whole = {p, end};
    const size_t eq = uri.find('=', p);
    if (eq < end) {
      param.key = {p, eq};
      param.value = {eq + 1, end};
      param.separators =
          static_cast<size_t>(std::count(uri.begin() + static_cast<std::ptrdiff_t>(p),
                                         uri.begin() + static_cast<std::ptrdiff_t>(end), '='));
    } else {
      param.key = {p, end};
      param.value = {end, end};
    }
    out.push_back(param);
    p = end + 1;
  }
  return out;
}

std::optional<std::string> uri_problem(std::string_view url) {
  const size_t start = uri_user_info_start(url);
  if (const size_t at = uri_user_info_end(url);
      at != kNpos && url.substr(start, at - start).find_first_of("/@") != kNpos) {
    return "its user name or password holds a '/' or '@'; percent-encode them (%2F, %40)";
  }
  // libpq percent-decodes every part of a URI, and refuses the whole of it
  // for one bad escape.
  for (size_t p = url.find('%'); p != kNpos; p = url.find('%', p + 1)) {
    if (p + 2 >= url.size() || !is_hex(url[p + 1]) || !is_hex(url[p + 2])) {
      return "it holds a '%' that does not start a percent-escape of two hex digits (write a "
             "literal '%' as %25)";
    }
    if (url[p + 1] == '0' && url[p + 2] == '0') return "it holds %00, which libpq refuses";
  }
  const UriHostList hosts = uri_host_list(url);
  if (!hosts.readable) {
    return "its IPv6 host address has no closing ']', is empty, or is followed by something "
           "other than ':', ',', '/' or '?'";
  }
  for (TextSpan port : hosts.ports) {
    const std::string decoded = percent_decoded(text_of(url, port));
    if (!decoded.empty() && !is_port_number(decoded)) return std::string(kPortProblem);
  }
  for (const UriParameter& param : uri_query(url, hosts)) {
    if (param.separators != 1 || param.key.begin == param.key.end) {
      return "its query has a parameter that is not one key=value pair (percent-encode a '&' "
             "or '=' inside a value: %26, %3D)";
    }
    if (percent_decoded(text_of(url, param.key)) == "port" &&
        !is_port_list(percent_decoded(text_of(url, param.value)))) {
      return std::string(kPortProblem);
    }
  }
  return std::nullopt;
}

std::optional<std::string> key_value_problem(std::string_view text) {
  const std::optional<std::vector<ConninfoSetting>> settings = parse_key_values(text);
  if (!settings) {
    return "libpq cannot read it as key=value settings (a word without '=', or a quote left "
           "open; quote a value that holds spaces: password='...')";
  }
  for (const ConninfoSetting& s : *settings) {
    if (s.key == "port" && !is_port_list(s.value_text)) return std::string(kPortProblem);
  }
  return std::nullopt;
}

// Gathers password candidates; see password_candidates().
class Candidates {
 public:
  void add(std::string_view text) {
    if (!text.empty()) list_.emplace_back(text);
  }
  void add_with_pieces(std::string_view text) {
    add(text);
    add(percent_decoded(text));
    for (size_t p = 0; p < text.size();) {
      const size_t end = std::min(text.find_first_of(kPieceBreaks, p), text.size());
      if (end - p < text.size()) {
        add(text.substr(p, end - p));
        add(percent_decoded(text.substr(p, end - p)));
      }
      p = end + 1;
    }
  }
  std::vector<std::string> take() {
    std::sort(list_.begin(), list_.end());
    list_.erase(std::unique(list_.begin(), list_.end()), list_.end());
    return std::move(list_);
  }

 private:
  std::vector<std::string> list_;
};

// A URI given as a setting's value is read for candidates too: libpq
// expands only the dbname it is handed, so a URI inside that is a plain
// value, which a server error may quote ("database ... does not exist").
// Two levels down at most, so that no text makes the reading recurse
// without end.
constexpr int kNestedUrisMax = 2;

void collect_uri(std::string_view url, int depth, Candidates& out);

void collect(std::string_view url, int depth, Candidates& out) {
  if (is_postgres_uri(url)) {
    collect_uri(url, depth, out);
    return;
  }
  const std::optional<std::vector<ConninfoSetting>> settings = parse_key_values(url);
  if (!settings) {
    for (size_t p = 0; p < url.size();) {
      while (p < url.size() && conninfo_space(url[p])) ++p;
      size_t end = p;
      while (end < url.size() && !conninfo_space(url[end])) ++end;
      out.add_with_pieces(url.substr(p, end - p));
      p = end;
    }
    return;
  }
  for (const ConninfoSetting& s : *settings) {
    if (is_hidden_setting(s.key, s.value_text)) {
      out.add(s.value_text);
      out.add_with_pieces(text_of(url, s.value));
    }
    if (depth < kNestedUrisMax && is_postgres_uri(s.value_text)) {
      collect_uri(s.value_text, depth + 1, out);
    }
  }
}

void collect_uri(std::string_view url, int depth, Candidates& out) {
  const size_t start = uri_user_info_start(url);
  if (const size_t at = uri_user_info_end(url); at != kNpos) {
    const std::string_view info = url.substr(start, at - start);
    const size_t colon = info.find(':');
    if (colon != kNpos) {
      const std::string_view password = info.substr(colon + 1);
      out.add_with_pieces(password);
      // libpq's own readings of a password holding '@' or '/': up to the
      // first '@' (a '?' stays in it), or nothing but the part before '/'.
      out.add_with_pieces(password.substr(0, password.find('@')));
      out.add_with_pieces(password.substr(0, password.find('/')));
    } else if (info.find_first_of("/@") != kNpos) {
      out.add_with_pieces(info);
    }
  }
  const UriHostList hosts = uri_host_list(url);
  if (!hosts.readable) {
    out.add_with_pieces(text_of(url, hosts.text));
    return;
  }
  for (TextSpan port : hosts.ports) {
    const std::string decoded = percent_decoded(text_of(url, port));
    if (!decoded.empty() && !is_port_number(decoded)) out.add_with_pieces(text_of(url, port));
  }
  for (const UriParameter& param : uri_query(url, hosts)) {
    if (param.separators == 0) {
      out.add_with_pieces(text_of(url, param.whole));
      continue;
    }
    const std::string value = percent_decoded(text_of(url, param.value));
    if (is_hidden_setting(percent_decoded(text_of(url, param.key)), value)) {
      out.add_with_pieces(text_of(url, param.value));
    }
    if (depth < kNestedUrisMax && is_postgres_uri(value)) collect_uri(value, depth + 1, out);
  }
}

std::string redact_key_values(std::string_view text) {
  const std::optional<std::vector<ConninfoSetting>> settings = parse_key_values(text);
  if (!settings) {
    return "(a connection string that does not parse; not shown, as it may hold a password)";
  }
  std::string out(text);
  for (auto s = settings->rbegin(); s != settings->rend(); ++s) {
    if (is_hidden_setting(s->key, s->value_text) || is_postgres_uri(s->value_text)) {
      out.replace(s->value.begin, s->value.end - s->value.begin, kMask);
    }
  }
  return out;
}

// What redact_url() shows of a sqlite: URL: all of it but the authority of
// a sqlite://HOST/... (refused by read_sqlite_url), where a user:password@
// would sit.
std::string redact_sqlite_url(std::string_view url) {
  const size_t colon = url.find(':');
  if (url.substr(colon + 1, 2) != "//") return std::string(url);
  const size_t start = colon + 3;
  const size_t end = std::min(url.find_first_of("/?#", start), url.size());
  if (end == start) return std::string(url);
  std::string out(url);
  out.replace(start, end - start, kMask);
  return out;
}

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

// The problem of a sqlite: URL's path as written (after the scheme and any
// empty authority), or nullopt.
std::optional<std::string> sqlite_path_problem(std::string_view raw) {
  if (raw.find('?') != kNpos) {
    return "a sqlite: URL takes no query ('?'): the store's settings are the program's "
           "options, not the URL's (a '?' in a file name is written %3F)";
  }
  if (raw.find('#') != kNpos) {
    return "a sqlite: URL takes no fragment ('#') (a '#' in a file name is written %23)";
  }
  if (std::any_of(raw.begin(), raw.end(), is_control)) {
    return "a sqlite: URL holds a control character (a tab or a line break)";
  }
  if (!raw.empty() && (raw.front() == ' ' || raw.back() == ' ')) {
    return "a sqlite: URL's path begins or ends with a space (a space in a file name is "
           "written %20)";
  }
  for (size_t p = raw.find('%'); p != kNpos; p = raw.find('%', p + 1)) {
    if (p + 2 >= raw.size() || !is_hex(raw[p + 1]) || !is_hex(raw[p + 2])) {
      return "a sqlite: URL holds a '%' that does not start a percent-escape of two hex "
             "digits (a '%' in a file name is written %25)";
    }
    if (raw[p + 1] == '0' && raw[p + 2] == '0') {
      return "a sqlite: URL holds %00: a file name cannot hold a NUL byte";
    }
  }
  return std::nullopt;
}

// The problem of a decoded sqlite: path, or nullopt.
std::optional<std::string> sqlite_file_problem(std::string_view path) {
  if (path.empty()) {
    return "a sqlite: URL names no file (sqlite:/abs/path.db, sqlite:///abs/path.db, or "
           "sqlite:relative/path.db)";
  }
  if (path == ":memory:") {
    return "sqlite::memory: is not a file: leave DATABASE_URL unset for the in-memory store";
  }
  if (path.substr(0, 5) == "file:") {
    return "a sqlite: URL gives a file's path, not SQLite's own file: URI";
  }
  if (path.front() == '~') {
    return "a sqlite: URL's path starts with '~', which is not expanded: write the directory "
           "out (sqlite:/home/NAME/ledger.db)";
  }
  if (path.back() == '/') {
    return "a sqlite: URL's path ends with '/': it names a directory, not a database file";
  }
  return std::nullopt;
}

}  // namespace

std::string url_scheme(std::string_view text) {
  if (text.empty() || std::isalpha(static_cast<unsigned char>(text[0])) == 0) return {};
  for (size_t i = 1; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ':') {
      std::string scheme(text.substr(0, i));
      std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char ch) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      });
      return scheme;
    }
    if (std::isalnum(c) == 0 && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

bool is_sqlite_url(std::string_view text) { return url_scheme(text) == "sqlite"; }

SqliteUrl read_sqlite_url(std::string_view url) {
  SqliteUrl out;
  std::string_view raw = url.substr(std::min(url.find(':') + 1, url.size()));
  if (raw.substr(0, 2) == "//") {
    const size_t end = std::min(raw.find_first_of("/?#", 2), raw.size());
    if (end > 2) {
      out.problem =
          "a sqlite: URL names a local file, not a host: sqlite://NAME/... reads NAME as a host "
          "(write sqlite:///abs/path.db or sqlite:/abs/path.db, or sqlite:relative/path.db "
          "for a path relative to the working directory)";
      return out;
    }
    raw.remove_prefix(2);
  }
  out.problem = sqlite_path_problem(raw);
  if (out.problem) return out;
  std::string path = percent_decoded(raw);
  out.problem = sqlite_file_problem(path);
  if (!out.problem) out.path = std::move(path);
  return out;
}

bool is_postgres_uri(std::string_view text) {
  return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
}

size_t uri_user_info_start(std::string_view uri) {
  if (!is_postgres_uri(uri)) return kNpos;
  return uri.find("://") + 3;
}

size_t uri_user_info_end(std::string_view uri) {
  const size_t start = uri_user_info_start(uri);
  if (start == kNpos) return kNpos;
  size_t at = kNpos;
  const auto further = [&](size_t candidate) {
    if (candidate != kNpos && candidate >= start && (at == kNpos || candidate > at)) {
      at = candidate;
    }
  };
  if (const size_t stop = uri.find_first_of("@/", start); stop != kNpos && uri[stop] == '@') {
    further(stop);
  }
  further(uri.substr(0, std::min(uri.find('?', start), uri.size())).rfind('@'));
  if (const size_t last = uri.rfind('@');
      last != kNpos && last >= start && uri.substr(start, last - start).find('=') == kNpos) {
    further(last);
  }
  return at;
}

UriHostList uri_host_list(std::string_view uri) {
  UriHostList list;
  const size_t start = uri_user_info_start(uri);
  if (start == kNpos) return list;
  const size_t at = uri_user_info_end(uri);
  size_t p = at == kNpos ? start : at + 1;
  list.text.begin = p;
  const auto skip_to = [&](std::string_view stops) {
    while (p < uri.size() && stops.find(uri[p]) == kNpos) ++p;
  };
  while (true) {
    if (p < uri.size() && uri[p] == '[') {
      const size_t close = uri.find(']', p + 1);
      if (close == kNpos || close == p + 1 ||
          (close + 1 < uri.size() && std::string_view(":,/?").find(uri[close + 1]) == kNpos)) {
        list.readable = false;
        list.ports.clear();
        list.text.end = uri.size();
        return list;
      }
      p = close + 1;
    } else {
      skip_to(":/?,");
    }
    if (p < uri.size() && uri[p] == ':') {
      const size_t port = ++p;
      skip_to("/?,");
      list.ports.push_back({port, p});
    }
    if (p < uri.size() && uri[p] == ',') {
      ++p;
      continue;
    }
    break;
  }
  list.text.end = p;
  return list;
}

bool is_port_number(std::string_view text) {
  if (text.empty()) return false;
  long value = 0;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
    value = value * 10 + (c - '0');
    if (value > 65'535) return false;
  }
  return value >= 1;
}

bool is_port_list(std::string_view ports) {
  for (size_t p = 0;;) {
    const size_t end = std::min(ports.find(',', p), ports.size());
    const std::string_view one = ports.substr(p, end - p);
    if (!one.empty() && !is_port_number(one)) return false;
    if (end == ports.size()) return true;
    p = end + 1;
  }
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::optional<std::vector<ConninfoSetting>> parse_key_values(std::string_view text) {
  std::vector<ConninfoSetting> out;
  size_t i = 0;
  while (true) {
    while (i < text.size() && conninfo_space(text[i])) ++i;
    if (i == text.size()) return out;
    const size_t key_start = i;
    while (i < text.size() && text[i] != '=' && !conninfo_space(text[i])) ++i;
    ConninfoSetting setting;
    setting.key = text.substr(key_start, i - key_start);
    while (i < text.size() && conninfo_space(text[i])) ++i;
    if (setting.key.empty() || i == text.size() || text[i] != '=') return std::nullopt;
    ++i;
    while (i < text.size() && conninfo_space(text[i])) ++i;
    setting.value.begin = i;
    const bool quoted = i < text.size() && text[i] == '\'';
    if (quoted) ++i;
    while (true) {
      if (i == text.size()) {
        if (quoted) return std::nullopt;  // Unterminated quote.
        break;
      }
      if (quoted ? text[i] == '\'' : conninfo_space(text[i])) {
        if (quoted) ++i;
        break;
      }
      if (text[i] == '\\' && ++i == text.size()) continue;
      setting.value_text.push_back(text[i++]);
    }
    setting.value.end = i;
    out.push_back(std::move(setting));
  }
}

std::optional<std::string> database_url_problem(std::string_view url) {
  if (url.find('\0') != kNpos) return "it contains a NUL byte";
  return is_postgres_uri(url) ? uri_problem(url) : key_value_problem(url);
}

std::vector<std::string> password_candidates(std::string_view url) {
  Candidates out;
  collect(url, 0, out);
  return out.take();
}

std::string scrub(std::string_view text, const std::vector<std::string>& candidates) {
  std::vector<std::string_view> longest_first(candidates.begin(), candidates.end());
  std::stable_sort(longest_first.begin(), longest_first.end(),
                   [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  std::string out(text);
  for (std::string_view candidate : longest_first) {
    if (candidate.empty()) continue;
    const bool anywhere = candidate.size() >= kScrubAnywhereBytesMin;
    for (size_t p = out.find(candidate); p != std::string::npos;) {
      const size_t end = p + candidate.size();
      const bool word =
          (p == 0 || !is_word_char(out[p - 1])) && (end == out.size() || !is_word_char(out[end]));
      if (anywhere || word) {
        out.replace(p, candidate.size(), kMask);
        p = out.find(candidate, p + kMask.size());
      } else {
        p = out.find(candidate, p + 1);
      }
    }
  }
  return out;
}

std::string redact_url(std::string_view url) {
  if (is_sqlite_url(url)) return redact_sqlite_url(url);
  if (!is_postgres_uri(url)) {
    // Text with a scheme libpq does not read as a URI would go to the
    // key=value reading, where "redis://u:pw@h/?a=b" parses as one setting.
    if (!url_scheme(url).empty()) {
      return "(a URL of a scheme this library does not read; not shown, as it may hold a "
             "password)";
    }
    return redact_key_values(url);
  }
  // Ascending and apart: the user info, then the host list, then the query.
  std::vector<TextSpan> masks;
  const size_t start = uri_user_info_start(url);
  if (const size_t at = uri_user_info_end(url); at != kNpos) {
    const std::string_view info = url.substr(start, at - start);
    if (const size_t colon = info.find(':'); colon != kNpos) {
      masks.push_back({start + colon + 1, at});
    } else if (info.find_first_of("/@") != kNpos) {
      masks.push_back({start, at});
    }
  }
  const UriHostList hosts = uri_host_list(url);
  if (!hosts.readable) masks.push_back(hosts.text);
  for (TextSpan port : hosts.ports) {
    const std::string decoded = percent_decoded(text_of(url, port));
    if (!decoded.empty() && !is_port_number(decoded)) masks.push_back(port);
  }
  for (const UriParameter& param : uri_query(url, hosts)) {
    if (param.separators == 0) {
      masks.push_back(param.whole);
    } else if (const std::string value = percent_decoded(text_of(url, param.value));
               is_hidden_setting(percent_decoded(text_of(url, param.key)), value) ||
               is_postgres_uri(value)) {
      masks.push_back(param.value);
    }
  }
  std::string out(url);
  for (auto mask = masks.rbegin(); mask != masks.rend(); ++mask) {
    out.replace(mask->begin, mask->end - mask->begin, kMask);
  }
  return out;
}

}  // namespace account::internal
