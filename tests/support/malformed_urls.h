// Malformed database URLs, each holding a password of its own, for the
// tests that no secret reaches an error, a display or the "retry" exit code:
// the Config and redaction tests (retry_safety/secrets_test.cpp), the
// PostgreSQL ones (retry_safety/postgres_secrets_test.cpp) and accountctl's
// (cli/accountctl_secrets_test.cpp).
//
// Each password is distinctive, so that finding it in any output is a leak
// and nothing else. Where libpq would split a misread password into pieces
// and quote one piece (the port of postgresql://ledger:Slash/Pw7x@... is
// "Slash"), the pieces are listed as secrets too.
#pragma once

#include <string>
#include <vector>

namespace account::testing {

struct MalformedUrl {
  const char* what;
  std::string url;
  // The password and the pieces of it that must not appear anywhere.
  std::vector<std::string> secrets;
  // Whether libpq, handed the URL without our checks, refuses it before it
  // looks any host up: at parse time or for a port that is not a number.
  // Only those are connected to directly, so that no test waits on DNS.
  bool libpq_refuses_offline = true;
};

inline const std::vector<MalformedUrl>& malformed_urls() {
  static const std::vector<MalformedUrl> kUrls = {
      {"the tester's typo: the '@' after the password is missing, so it reads as the port",
       "postgresql://ledger:S3cretPW/waiver",
       {"S3cretPW"}},
      {"a password holding an unescaped '/'",
       "postgresql://ledger:Slash/Pw7x@db.internal:5432/waiver",
       {"Slash/Pw7x", "Slash", "Pw7x"}},
      {"a password holding an unescaped '@'",
       "postgresql://ledger:At@Secret9@db.internal/waiver",
       {"At@Secret9", "Secret9"},
       false},
      {"an '@' typed for the ':' between user and password",
       "postgresql://ledger@At16Secret@db.internal/waiver",
       {"At16Secret"},
       false},
      {"a password holding a '#', its '@' missing",
       "postgresql://ledger:Hash#Secret42/waiver",
       {"Hash#Secret42", "Secret42"}},
      {"a password holding a '#' and a '/'",
       "postgresql://ledger:Frag#Secret/Word@db.internal/waiver",
       {"Frag#Secret/Word", "Frag#Secret", "Word@db"}},
      {"a password holding a '?', its '@' missing",
       "postgresql://ledger:Quest?Secret5/waiver",
       {"Quest?Secret5", "Quest", "Secret5"}},
      {"a bad percent escape in the password",
       "postgresql://ledger:Pct%zzSecret6@db.internal/waiver",
       {"Pct%zzSecret6", "zzSecret6"}},
      {"key=value with unquoted spaces in the password",
       "host=db.internal user=ledger password=Blue Whale Lamp9 dbname=waiver",
       {"Whale", "Lamp9"}},
      {"key=value with an unterminated quote",
       "host=db.internal password='Quote14Secret dbname=waiver",
       {"Quote14Secret"}},
      {"key=value with the password typed as the port",
       "host=db.internal port=Kv15Secret dbname=waiver",
       {"Kv15Secret"}},
      {"a port that is not a number",
       "postgresql://ledger:Port8Secret@db.internal:54x2/waiver",
       {"Port8Secret"}},
      {"a port out of range",
       "postgresql://ledger:Range9Secret@db.internal:99999/waiver",
       {"Range9Secret"}},
      {"an all-digit password that reads as an out-of-range port",
       "postgresql://ledger:4815162342/waiver",
       {"4815162342"}},
      {"a multi-host list whose first port is bad",
       "postgresql://ledger:Multi10Secret@db1.internal:5x33,db2.internal:5432/waiver",
       {"Multi10Secret"}},
      {"a multi-host list whose second port is bad",
       "postgresql://ledger:Multi11Secret@db1.internal:5432,db2.internal:5x33/waiver",
       {"Multi11Secret"},
       false},
      {"a multi-host list whose last entry is the user and password without '@'",
       "postgresql://db1.internal:5432,ledger:Multi12Typo/waiver",
       {"Multi12Typo"},
       false},
      {"an empty host with a password after ':'",
       "postgresql://:Empty11Secret/waiver",
       {"Empty11Secret"}},
      {"a query-string password holding an unescaped '&'",
       "postgresql://db.internal/waiver?password=Qu12ery&Se12cret&sslmode=disable",
       {"Qu12ery", "Se12cret"}},
      {"a query-string password holding an unescaped '='",
       "postgresql://db.internal/waiver?sslmode=disable&password=Eq12a=Eq12b",
       {"Eq12a=Eq12b", "Eq12a", "Eq12b"}},
      {"an IPv6 host without its closing bracket",
       "postgresql://ledger:V6Secret13@[::1:5432/waiver",
       {"V6Secret13"}},
      {"an IPv6 host with the password typed as its port",
       "postgresql://[::1]:V6Port13Secret/waiver",
       {"V6Port13Secret"}},
  };
  return kUrls;
}

// Whether `text` holds any of `url`'s secrets; the first one found, for the
// failure message, or "" when none.
inline std::string leaked_secret(const MalformedUrl& url, const std::string& text) {
  for (const std::string& secret : url.secrets) {
    if (text.find(secret) != std::string::npos) return secret;
  }
  return "";
}

}  // namespace account::testing
