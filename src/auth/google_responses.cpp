#include "google_responses.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "account/status.h"
#include "json_fields.h"

namespace account::internal::auth {
namespace {

using account::auth::GoogleTokens;
using account::auth::GoogleUser;

absl::StatusOr<JsonFields> parse_answer(std::string_view body, std::string_view endpoint) {
  return JsonFields::parse(body, endpoint, Reason::kGoogleResponseInvalid);
}

}  // namespace

absl::StatusOr<GoogleTokens> read_token_response(std::string_view body,
                                                 const VerifyIdToken& verify_id_token) {
  ACCOUNT_ASSIGN_OR_RETURN(const JsonFields fields, parse_answer(body, "token endpoint"));
  GoogleTokens tokens;
  ACCOUNT_ASSIGN_OR_RETURN(tokens.access_token, fields.required_string("access_token"));
  ACCOUNT_ASSIGN_OR_RETURN(const std::optional<int64_t> expires_in, fields.integer("expires_in"));
  if (!expires_in || *expires_in <= 0) return fields.error("expires_in", "missing or not positive");
  tokens.expires_in_seconds = *expires_in;
  ACCOUNT_ASSIGN_OR_RETURN(const std::optional<std::string> type, fields.string("token_type"));
  if (type && *type != "Bearer" && *type != "bearer") {
    return fields.error("token_type", "not Bearer");
  }
  ACCOUNT_ASSIGN_OR_RETURN(const std::optional<std::string> id_token, fields.string("id_token"));
  if (id_token) {
    // The verifier's own denial (kToken*) passes through.
    ACCOUNT_ASSIGN_OR_RETURN(tokens.id_claims, verify_id_token(*id_token));
  }
  return tokens;
}

absl::StatusOr<GoogleUser> read_userinfo_response(std::string_view body) {
  ACCOUNT_ASSIGN_OR_RETURN(const JsonFields fields, parse_answer(body, "userinfo endpoint"));
  GoogleUser user;
  ACCOUNT_ASSIGN_OR_RETURN(user.sub, fields.required_string("sub"));
  ACCOUNT_ASSIGN_OR_RETURN(const std::optional<bool> verified, fields.boolean("email_verified"));
  user.email_verified = verified.value_or(false);
  for (const auto& [key, out] : {std::pair{"email", &user.email}, std::pair{"name", &user.name},
                                 std::pair{"picture", &user.picture}}) {
    ACCOUNT_ASSIGN_OR_RETURN(const std::optional<std::string> text, fields.string(key));
    *out = text.value_or("");
  }
  return user;
}

std::string google_error_code(std::string_view body) {
  absl::StatusOr<JsonFields> fields = JsonFields::parse(body);
  if (!fields.ok()) return "";
  absl::StatusOr<std::optional<std::string>> error = fields->string("error");
  if (!error.ok() || !error->has_value()) return "";
  const std::string& code = **error;
  const bool plain = !code.empty() && code.size() <= 64 &&
                     std::all_of(code.begin(), code.end(),
                                 [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  return plain ? code : "";
}

}  // namespace account::internal::auth
