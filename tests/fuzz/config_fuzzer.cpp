// Fuzz target: load_config() over an environment read from the input.
//
// Each line of the input is NAME=value (cut at a NUL byte, as an environment
// value would be); a later line for a name wins. Two names are the
// harness's own, so that it knows a database password to look for:
//   DATABASE_PASSWORD  put into DATABASE_URL, in the form the value's length
//                      picks: postgresql://u:<pw>@<DATABASE_URL>, the
//                      key=value form "host=db password=<pw> <DATABASE_URL>",
//                      or a URI query "...?password=<pw><DATABASE_URL>"
//                      (or "?pass%77ord=", which libpq decodes to password)
//                      (the password's bytes mapped onto [A-Za-z0-9._])
// What must hold: no crash; an accepted config is in range; and no secret
// (JWT_SECRET, GOOGLE_CLIENT_SECRET, the database password) of 8 bytes or
// more appears in an error message or in describe_config(), unless it is
// text those hold for another reason: a substring of another variable's
// value (e.g. of DATABASE_URL's host), or of the output for stand-in secrets
// of the same lengths ("must be at least 32 bytes, got 16") or for none.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "account/config.h"

namespace {

constexpr size_t kSecretBytesChecked = 8;

using Vars = std::map<std::string, std::string, std::less<>>;

Vars parse(std::string_view input) {
  Vars vars;
  while (!input.empty()) {
    const size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view value = line.substr(eq + 1);
    value = value.substr(0, value.find('\0'));
    vars[std::string(line.substr(0, eq))] = std::string(value);
  }
  return vars;
}

std::string password_chars(std::string_view raw) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
  std::string out;
  for (char c : raw) out.push_back(kAlphabet[static_cast<unsigned char>(c) % kAlphabet.size()]);
  return out;
}

// The same length, differing from `secret` at every byte, and a password
// still: what the output would hold for another secret of that length.
std::string stand_in(std::string_view secret) {
  std::string out;
  for (char c : secret) out.push_back(c == 'x' ? 'y' : 'x');
  return out;
}

// Sets DATABASE_URL around `password` and the input's DATABASE_URL `rest`.
void place_password(Vars& vars, const std::string& password, const std::string& rest) {
  switch (password.size() % 4) {
    case 0: vars["DATABASE_URL"] = "postgresql://ledger:" + password + "@" + rest; break;
    case 1: vars["DATABASE_URL"] = "host=db password=" + password + " " + rest; break;
    case 2: vars["DATABASE_URL"] = "postgresql://db/account?pass%77ord=" + password + rest; break;
    default:
      vars["DATABASE_URL"] = "postgresql://db/account?sslmode=disable&password=" + password + rest;
  }
}

absl::StatusOr<account::Config> load(const Vars& vars) {
  return account::load_config([&](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

// The error message, or what describe_config() prints.
std::string output_of(const absl::StatusOr<account::Config>& config) {
  if (!config.ok()) return std::string(config.status().message());
  return account::describe_config(*config);
}

// `secret` is the value of variable `own` (or the password inside it).
// Text found elsewhere in the input, or in the output without secrets, may
// show up in the output for its own sake.
void check_not_leaked(const std::string& secret, std::string_view own, const std::string& output,
                      const Vars& vars, const std::string& public_text) {
  if (secret.size() < kSecretBytesChecked) return;
  if (output.find(secret) == std::string::npos) return;
  if (public_text.find(secret) != std::string::npos) return;
  for (const auto& [name, value] : vars) {
    if (name != own && value.find(secret) != std::string::npos) return;
  }
  std::abort();  // A secret's value reached a message or the description.
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Vars vars = parse(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string password;
  std::string url_rest;
  if (const auto pw = vars.find("DATABASE_PASSWORD"); pw != vars.end()) {
    password = password_chars(pw->second);
    vars.erase(pw);
    url_rest = vars.count("DATABASE_URL") ? vars["DATABASE_URL"] : "";
    place_password(vars, password, url_rest);
  }
  const absl::StatusOr<account::Config> config = load(vars);
  const std::string output = output_of(config);

  if (config.ok()) {
    if (config->reservation_expiry_days < 1 || config->reservation_expiry_days > 30) std::abort();
    if (config->http_port < 1 || config->http_port > 65'535) std::abort();
    if (config->fantasy_cents_per_point < 1) std::abort();
    const account::Secret& jwt = config->jwt_secret;
    if (!jwt.empty() && jwt.size_bytes() < account::kJwtSecretBytesMin) std::abort();
    (void)account::require_config(*config, {account::ConfigNeed::kDatabase,
                                            account::ConfigNeed::kAuth});
    (void)account::ledger_limits_from_config(*config);
  }

  // What the output says for secrets of the same lengths but other bytes,
  // and for none: text found there is the output's own.
  Vars others = vars;
  Vars without = vars;
  for (const char* name : {"JWT_SECRET", "GOOGLE_CLIENT_SECRET"}) {
    if (others.count(name)) others[name] = stand_in(others[name]);
    without.erase(name);
  }
  if (!password.empty()) place_password(others, stand_in(password), url_rest);
  without.erase("DATABASE_URL");
  const std::string public_text =
      output_of(load(others)) + "\n" + output_of(load(without)) + "\n" + url_rest;
  for (std::string_view name : {"JWT_SECRET", "GOOGLE_CLIENT_SECRET"}) {
    const auto it = vars.find(name);
    if (it != vars.end()) check_not_leaked(it->second, name, output, vars, public_text);
  }
  check_not_leaked(password, "DATABASE_URL", output, vars, public_text);
  return 0;
}
