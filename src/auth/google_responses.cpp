#include "google_responses.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "base/strings.h"
#include "account/status.h"
#include "json_fields.h"

namespace account::internal::auth {
namespace {

using account::auth::GoogleTokens;
using account::auth::GoogleUser;

absl::Status invalid(std::string_view endpoint, const absl::Status& why) {
  return denial(
      Reason::kGoogleResponseInvalid,
      internal::cat(endpoint, ": ", std::string_view(why.message().data(), why.message().size())));
}

}  // namespace

absl::StatusOr<GoogleTokens> read_token_response(std::string_view body,
                                                 const VerifyIdToken& verify_id_token) {
  constexpr std::string_view kEndpoint = "token endpoint";
  absl::StatusOr<JsonFields> fields = JsonFields::parse(body);
  if (!fields.ok()) return invalid(kEndpoint, fields.status());
  GoogleTokens tokens;
  absl::StatusOr<std::string> access = fields->required_string("access_token");
  if (!access.ok()) return invalid(kEndpoint, access.status());
  tokens.access_token = *std::move(access);
  absl::StatusOr<std::optional<int64_t>> expires_in = fields->integer("expires_in");
  if (!expires_in.ok()) return invalid(kEndpoint, expires_in.status());
  if (!expires_in->has_value() || **expires_in <= 0) {
    return invalid(kEndpoint,
                   absl::InvalidArgumentError("field \"expires_in\" is missing or not positive"));
  }
  tokens.expires_in_seconds = **expires_in;
  absl::StatusOr<std::optional<std::string>> type = fields->string("token_type");
  if (!type.ok()) return invalid(kEndpoint, type.status());
  if (type->has_value() && **type != "Bearer" && **type != "bearer") {
    return invalid(kEndpoint, absl::InvalidArgumentError("token_type is not Bearer"));
  }
  absl::StatusOr<std::optional<std::string>> id_token = fields->string("id_token");
  if (!id_token.ok()) return invalid(kEndpoint, id_token.status());
  if (id_token->has_value()) {
    absl::StatusOr<account::auth::GoogleIdClaims> claims = verify_id_token(**id_token);
    if (!claims.ok()) return claims.status();
    tokens.id_claims = *std::move(claims);
  }
  return tokens;
}

absl::StatusOr<GoogleUser> read_userinfo_response(std::string_view body) {
  constexpr std::string_view kEndpoint = "userinfo endpoint";
  absl::StatusOr<JsonFields> fields = JsonFields::parse(body);
  if (!fields.ok()) return invalid(kEndpoint, fields.status());
  GoogleUser user;
  absl::StatusOr<std::string> sub = fields->required_string("sub");
  if (!sub.ok()) return invalid(kEndpoint, sub.status());
  user.sub = *std::move(sub);
  absl::StatusOr<std::optional<bool>> verified = fields->boolean("email_verified");
  if (!verified.ok()) return invalid(kEndpoint, verified.status());
  user.email_verified = verified->value_or(false);
  const std::pair<std::string_view, std::string*> texts[] = {
      {"email", &user.email}, {"name", &user.name}, {"picture", &user.picture}};
  for (const auto& [key, out] : texts) {
    absl::StatusOr<std::optional<std::string>> v = fields->string(key);
    if (!v.ok()) return invalid(kEndpoint, v.status());
    *out = v->value_or("");
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
