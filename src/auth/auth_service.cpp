#include "account/auth/auth_service.h"

#include <utility>

#include "base/strings.h"
#include "account/account.h"
#include "account/reason.h"
#include "account/status.h"
#include "auth_events.h"

namespace account::auth {

std::string display_name_for(const GoogleUser& user) {
  std::string name;
  for (const std::string_view candidate :
       {std::string_view(user.name), std::string_view(user.email).substr(0, user.email.find('@')),
        std::string_view("Player")}) {
    name.clear();
    for (const char c : candidate) {
      if (c != '\0') name.push_back(c);
    }
    // Whitespace-only names are no names.
    if (name.find_first_not_of(" \t\r\n") != std::string::npos) break;
  }
  if (name.size() > kDisplayNameBytesMax) {
    size_t cut = kDisplayNameBytesMax;
    // Back up over UTF-8 continuation bytes (10xxxxxx) so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
  }
  return name;
}

AuthService::AuthService(AccessTokens access, AccountService* accounts, GoogleClient* google,
                         TokenStore* tokens, const Clock* clock,
                         const AuthServiceOptions& options)
    : access_(std::move(access)),
      accounts_(accounts),
      google_(google),
      refresh_(tokens, clock, options.refresh),
      logins_(clock, options.login),
      events_(std::make_unique<internal::auth::AuthEvents>(options.metrics, options.log, clock)) {}

AuthService::~AuthService() = default;

absl::StatusOr<std::unique_ptr<AuthService>> AuthService::create(AuthServiceOptions options,
                                                                 AccountService* accounts,
                                                                 GoogleClient* google,
                                                                 TokenStore* tokens,
                                                                 const Clock* clock) {
  if (accounts == nullptr || google == nullptr || tokens == nullptr || clock == nullptr) {
    return absl::InvalidArgumentError("auth service: accounts, google, tokens and clock needed");
  }
  absl::StatusOr<AccessTokens> access = AccessTokens::create(
      options.access, std::move(options.access_keys), options.access_current_kid, clock);
  if (!access.ok()) return access.status();
  return std::unique_ptr<AuthService>(
      new AuthService(std::move(*access), accounts, google, tokens, clock, options));
}

absl::StatusOr<LoginStart> AuthService::begin_login() {
  absl::StatusOr<PendingLogin> pending = logins_.begin();
  if (!pending.ok()) {
    events_->refused("login_start", pending.status());
    return pending.status();
  }
  return LoginStart{.redirect_url = google_->authorization_url(pending->state,
                                                               pending->code_challenge),
                    .state = std::move(pending->state),
                    .expires_at = pending->expires_at};
}

absl::StatusOr<Session> AuthService::complete_login(std::string_view code,
                                                    std::string_view state) {
  RefreshTokenOwner owner;
  absl::StatusOr<Session> session = complete_login_unobserved(code, state, &owner);
  if (session.ok()) {
    events_->logged_in(owner);
  } else {
    events_->refused("login", session.status());
  }
  return session;
}

absl::StatusOr<Session> AuthService::complete_login_unobserved(std::string_view code,
                                                               std::string_view state,
                                                               RefreshTokenOwner* owner) {
  absl::StatusOr<std::string> verifier = logins_.consume(state);
  if (!verifier.ok()) return verifier.status();
  if (code.empty()) return denial(Reason::kInvalidArgument, "no authorization code");

  absl::StatusOr<GoogleTokens> tokens = google_->exchange_code(code, *verifier);
  if (!tokens.ok()) return tokens.status();
  absl::StatusOr<GoogleUser> user = google_->userinfo(tokens->access_token);
  if (!user.ok()) return user.status();
  if (user->sub.empty()) return denial(Reason::kGoogleResponseInvalid, "userinfo has no sub");
  if (!user->email_verified) {
    return denial(Reason::kEmailNotVerified, "Google has not verified this account's email");
  }
  if (tokens->id_claims && tokens->id_claims->sub != user->sub) {
    return denial(Reason::kGoogleResponseInvalid,
                  "the id_token and userinfo name different users");
  }
  absl::StatusOr<AccountId> account = find_or_create_account(*user);
  if (!account.ok()) return account.status();
  absl::StatusOr<IssuedRefreshToken> refresh = refresh_.issue(*account);
  if (refresh.ok()) *owner = {.account = *account, .family_id = refresh->family_id};
  return session_for(*account, std::move(refresh));
}

absl::StatusOr<AccountId> AuthService::find_or_create_account(const GoogleUser& user) {
  absl::StatusOr<AccountId> found = accounts_->get_account_id_by_user_id(user.sub);
  if (found.ok() || reason_of(found) != Reason::kAccountNotFound) return found;
  // create_account() is find-or-create: another login of the same new user that created it
  // first (the ledger serialises the two) gets the one account, and so does a retry after an
  // ambiguous commit.
  return accounts_->create_account(user.sub, display_name_for(user));
}

absl::StatusOr<Session> AuthService::session_for(AccountId account,
                                                 absl::StatusOr<IssuedRefreshToken> refresh) {
  if (!refresh.ok()) return refresh.status();
  absl::StatusOr<IssuedAccessToken> access = access_.issue(account);
  if (!access.ok()) return access.status();
  return Session{.account = account,
                 .access_token = std::move(access->token),
                 .access_expires_at = access->expires_at,
                 .refresh_token = std::move(refresh->token),
                 .refresh_expires_at = refresh->expires_at};
}

absl::StatusOr<Session> AuthService::refresh(std::string_view refresh_token) {
  RefreshTokenOwner owner;
  absl::StatusOr<IssuedRefreshToken> next = refresh_.rotate(refresh_token, &owner);
  const bool found = !owner.family_id.empty();
  if (!next.ok()) {
    events_->refused("refresh", next.status(), found ? &owner : nullptr);
    return next.status();
  }
  const AccountId account = next->account;
  absl::StatusOr<Session> session = session_for(account, std::move(next));
  if (session.ok()) {
    events_->refreshed(owner);
  } else {
    events_->refused("refresh", session.status(), &owner);
  }
  return session;
}

absl::Status AuthService::logout(std::string_view refresh_token) {
  RefreshTokenOwner owner;
  absl::Status s = refresh_.revoke(refresh_token, &owner);
  const bool found = !owner.family_id.empty();
  if (s.ok()) {
    events_->logged_out(found ? &owner : nullptr);
  } else {
    events_->refused("logout", s, found ? &owner : nullptr);
  }
  return s;
}

absl::StatusOr<AccessClaims> AuthService::authenticate(std::string_view access_token) const {
  absl::StatusOr<AccessClaims> claims = access_.verify(access_token);
  if (!claims.ok()) events_->refused("authenticate", claims.status());
  return claims;
}

void AuthService::report_refusal(std::string_view operation, const absl::Status& status) const {
  events_->refused(operation, status);
}

AccessTokens& AuthService::access_tokens() { return access_; }

MetricsRegistry& AuthService::metrics() const { return events_->metrics(); }

}  // namespace account::auth
