// Fuzz target: load_config() over an environment read from the input.
//
// Each line of the input is NAME=value (cut at a NUL byte, as an environment
// value would be); a later line for a name wins. Two names are the
// harness's own, so that it knows a database password to look for:
//   DATABASE_PASSWORD  put into DATABASE_URL, in the form the value's length
//                      picks: postgresql://u:<pw>@<DATABASE_URL>, the
//                      key=value form "host=db password=<pw> <DATABASE_URL>",
//                      or a URI query "...?password=<pw><DATABASE_URL>"
//                      (the password's bytes mapped onto [A-Za-z0-9._])
// What must hold: no crash; an accepted config is in range; and no secret
// (JWT_SECRET, GOOGLE_CLIENT_SECRET, the database password) of 8 bytes or
// more appears in an error message or in describe_config(), unless it is
// text those would hold anyway (a substring of another variable's value, or
// of the output with the secrets left out).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
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

// Builds DATABASE_URL around the harness's password; returns the password.
std::string place_password(Vars& vars) {
  const auto pw = vars.find("DATABASE_PASSWORD");
  if (pw == vars.end()) return {};
  const std::string password = password_chars(pw->second);
  vars.erase(pw);
  const std::string rest = vars.count("DATABASE_URL") ? vars["DATABASE_URL"] : "";
  switch (password.size() % 3) {
    case 0: vars["DATABASE_URL"] = "postgresql://ledger:" + password + "@" + rest; break;
    case 1: vars["DATABASE_URL"] = "host=db password=" + password + " " + rest; break;
    default:
      vars["DATABASE_URL"] = "postgresql://db/account?sslmode=disable&password=" + password + rest;
  }
  return password;
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

void check_not_leaked(const std::string& secret, const std::string& output, const Vars& vars,
                      const std::string& without_secrets,
                      std::initializer_list<std::string_view> secret_names) {
  if (secret.size() < kSecretBytesChecked) return;
  if (output.find(secret) == std::string::npos) return;
  if (without_secrets.find(secret) != std::string::npos) return;
  for (const auto& [name, value] : vars) {
    bool is_secret = false;
    for (std::string_view s : secret_names) is_secret = is_secret || name == s;
    if (!is_secret && value.find(secret) != std::string::npos) return;
  }
  std::abort();  // A secret's value reached a message or the description.
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Vars vars = parse(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string password = place_password(vars);
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

  const std::initializer_list<std::string_view> kSecretNames = {
      "JWT_SECRET", "GOOGLE_CLIENT_SECRET", "DATABASE_URL"};
  Vars without = vars;
  for (std::string_view name : kSecretNames) without.erase(std::string(name));
  const std::string without_secrets = output_of(load(without));
  for (std::string_view name : {"JWT_SECRET", "GOOGLE_CLIENT_SECRET"}) {
    const auto it = vars.find(name);
    if (it != vars.end()) check_not_leaked(it->second, output, vars, without_secrets, kSecretNames);
  }
  check_not_leaked(password, output, vars, without_secrets, kSecretNames);
  return 0;
}
