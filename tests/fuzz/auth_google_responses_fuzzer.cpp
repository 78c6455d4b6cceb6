// Fuzz target: Google's answers to sign-in (src/auth/google_responses.h over
// json_fields.h). Every input is read as the token endpoint's body, as the
// userinfo endpoint's body and as a 4xx error body, as CurlGoogleClient does.
// Each reader must answer a value or kGoogleResponseInvalid, never crash; a
// body it accepts has the fields it promises, equal to what an independent
// strict JSON reader (tests/support/json_value.h) finds in the same body;
// a refusal's message carries none of the body's token values.
//
// The id_token is handed to a stand-in verifier: it accepts a token that
// starts with "good." and refuses any other with kTokenSignatureInvalid, so
// both outcomes of verification are reached without RSA.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "account/status.h"
#include "google_responses.h"
#include "support/json_value.h"

namespace {

namespace ia = account::internal::auth;
using account::Reason;
using account::testing::JsonValue;

void require(bool condition) {
  if (!condition) std::abort();
}

// The value of `key` in the strictly parsed body, when it is a string.
std::optional<std::string> text_of(const std::optional<JsonValue>& doc, std::string_view key) {
  if (!doc || doc->type != JsonValue::Type::kObject) return std::nullopt;
  const JsonValue* v = doc->get(key);
  if (v == nullptr || v->type != JsonValue::Type::kString) return std::nullopt;
  return v->string;
}

// True when `value` may be looked for in a message: token-like (16 or more
// of [A-Za-z0-9._-], a digit among them), so that it cannot match the
// message's own words ("GoogleResponseInvalid: userinfo endpoint: ...") by
// chance, and not part of a key (messages name keys).
bool secret_like(const std::optional<JsonValue>& doc, const std::optional<std::string>& value) {
  if (!value || value->size() < 16) return false;
  bool digit = false;
  for (const char c : *value) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '.' && c != '_' && c != '-') return false;
    digit = digit || (c >= '0' && c <= '9');
  }
  if (!digit) return false;
  for (const auto& [key, v] : doc->object) {
    if (key.find(*value) != std::string::npos) return false;
  }
  return true;
}

void no_value_in_message(const absl::Status& s, const std::optional<JsonValue>& doc,
                         std::string_view key) {
  const std::optional<std::string> value = text_of(doc, key);
  if (!secret_like(doc, value)) return;
  require(std::string_view(s.message().data(), s.message().size()).find(*value) ==
          std::string_view::npos);
}

void check_tokens(std::string_view body, const std::optional<JsonValue>& doc) {
  std::optional<std::string> verified;  // The id_token handed to the verifier.
  const ia::VerifyIdToken verify =
      [&](std::string_view id_token) -> absl::StatusOr<account::auth::GoogleIdClaims> {
    verified = std::string(id_token);
    if (id_token.substr(0, 5) != "good.") {
      return account::denial(Reason::kTokenSignatureInvalid, "stand-in verifier refuses");
    }
    return account::auth::GoogleIdClaims{.sub = std::string(id_token.substr(5)),
                                         .expires_at_unix_seconds = 1};
  };
  const absl::StatusOr<account::auth::GoogleTokens> tokens = ia::read_token_response(body, verify);
  if (!tokens.ok()) {
    const std::optional<Reason> reason = account::reason_of(tokens.status());
    // The verifier's own refusal passes through unchanged; nothing else may.
    require(reason == Reason::kGoogleResponseInvalid ||
            (reason == Reason::kTokenSignatureInvalid && verified.has_value()));
    if (doc) {
      no_value_in_message(tokens.status(), doc, "access_token");
      no_value_in_message(tokens.status(), doc, "id_token");
    }
    return;
  }
  require(!tokens->access_token.empty());
  require(tokens->expires_in_seconds > 0);
  // An id_token was verified exactly when claims came back, and they are the verifier's.
  require(tokens->id_claims.has_value() == verified.has_value());
  if (verified) require(tokens->id_claims->sub == verified->substr(5));
  if (!doc) return;  // simdjson accepted what the strict reader did not: nothing to compare.
  require(text_of(doc, "access_token") == tokens->access_token);
  const JsonValue* expires_in = doc->get("expires_in");
  require(expires_in != nullptr &&
          expires_in->number_text == std::to_string(tokens->expires_in_seconds));
  require(text_of(doc, "id_token") == verified);
}

void check_userinfo(std::string_view body, const std::optional<JsonValue>& doc) {
  const absl::StatusOr<account::auth::GoogleUser> user = ia::read_userinfo_response(body);
  if (!user.ok()) {
    require(account::reason_of(user.status()) == Reason::kGoogleResponseInvalid);
    if (doc) {
      no_value_in_message(user.status(), doc, "sub");
      no_value_in_message(user.status(), doc, "email");
    }
    return;
  }
  require(!user->sub.empty());
  if (!doc) return;
  require(text_of(doc, "sub") == user->sub);
  require(text_of(doc, "email").value_or("") == user->email);
  require(text_of(doc, "name").value_or("") == user->name);
  require(text_of(doc, "picture").value_or("") == user->picture);
  const JsonValue* verified = doc->get("email_verified");
  const bool strict_verified =
      verified != nullptr &&
      ((verified->type == JsonValue::Type::kBool && verified->boolean) ||
       (verified->type == JsonValue::Type::kString && verified->string == "true"));
  require(user->email_verified == strict_verified);
}

void check_error_code(std::string_view body) {
  const std::string code = ia::google_error_code(body);
  require(code.size() <= 64);
  for (const char c : code) require((c >= 'a' && c <= 'z') || c == '_');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // The strict reader's view of the body, when it is an object; nullopt otherwise.
  std::optional<JsonValue> doc = account::testing::parse_json(body);
  if (doc && doc->type != JsonValue::Type::kObject) doc.reset();
  check_tokens(body, doc);
  check_userinfo(body, doc);
  check_error_code(body);
  return 0;
}
