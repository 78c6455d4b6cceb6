// File: auth/auth_service.h
//
// AuthService: sign-in with Google and the sessions that follow, over the ledger's accounts
// (AccountService), Google (GoogleClient), and a TokenStore for refresh tokens. The HTTP
// handlers (auth_handlers.h) are a thin layer over it.
//
//   auto auth = AuthService::create(options, accounts.get(), &google, &token_store, &clock);
//   LoginStart start = (*auth)->begin_login().value();      // 302 to start.redirect_url
//   Session s = (*auth)->complete_login(code, state).value(); // Google sent the browser back
//   AccessClaims who = (*auth)->authenticate(s.access_token).value();
//   Session next = (*auth)->refresh(s.refresh_token).value(); // s.refresh_token is dead now
//   (*auth)->logout(next.refresh_token);
//
// complete_login() runs its checks in this order, stopping at the first failure (each a
// denial(), status.h):
//   1. the state: kLoginStateUnknown (missing or wrong), kLoginStateExpired, kLoginStateReplayed;
//      it is spent by this call whatever happens next
//   2. the code: kInvalidArgument when empty
//   3. Google: the code exchanged with the state's PKCE verifier, then userinfo; Google's own
//      refusals pass through (kGoogleRejected: bad or used code, PKCE mismatch;
//      kGoogleUnavailable; kGoogleResponseInvalid; kToken* for a bad id_token)
//   4. kEmailNotVerified unless userinfo says email_verified
//   5. kGoogleResponseInvalid when an id_token came back for another `sub` than userinfo's
//   6. the account: found by Google's `sub`, or created with Google's name (or the email's
//      local part) as display name; two first logins of one user racing end with one account
//   7. a session: an access token (1 hour) and a new refresh-token family (30 days)
// refresh() and logout() answer as RefreshTokens::rotate() and revoke() (refresh_tokens.h);
// authenticate() as AccessTokens::verify() (access_tokens.h). Store and ledger failures pass
// through unchanged. No message contains a code, a state, a verifier or a token.
//
// Observability (docs/auth.md): every refusal of complete_login, refresh, logout and
// authenticate is counted in account_denials_total{reason} and logged (auth_refused; a reused
// refresh token as refresh_token_reused at warning, with account_id and family_id); sign-ins,
// refreshes and logouts are counted (auth_logins_total, auth_refreshes_total,
// auth_logouts_total). An HTTP layer reports the refusals it answers itself (a malformed body,
// the rate limit) through report_refusal(), so that they are counted alike.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/auth/access_tokens.h"
#include "account/auth/google_client.h"
#include "account/auth/login_states.h"
#include "account/auth/refresh_tokens.h"
#include "account/auth/token_store.h"
#include "account/clock.h"
#include "account/ids.h"
#include "account/log_sink.h"
#include "account/metrics.h"

namespace account::internal::auth {
class AuthEvents;
}  // namespace account::internal::auth

namespace account::auth {

struct AuthServiceOptions {
  AccessTokenOptions access;          // issuer, audience, 1 hour, leeway
  std::vector<AccessKey> access_keys; // at least one; see AccessTokens::create
  std::string access_current_kid;     // the key new access tokens are signed with
  RefreshTokenOptions refresh;        // 30 days
  LoginStateOptions login;            // 10 minutes, bounded
  // Where refusals and sign-ins are counted and logged. Give the ledger's registry and sink
  // (AccountServiceOptions) so that one /metrics and one log stream cover both. Default: a
  // registry of its own (metrics()) and no log.
  std::shared_ptr<MetricsRegistry> metrics;
  std::shared_ptr<LogSink> log;
};

// Where to send the browser to sign in.
struct LoginStart {
  std::string redirect_url;   // Google's authorization URL with state and code_challenge.
  std::string state;          // Also in redirect_url; for binding to the browser (a cookie).
  absl::Time expires_at;      // The login must complete before this.
};

// A signed-in session: hand both tokens to the client, nothing else keeps them.
struct Session {
  AccountId account;
  std::string access_token;
  absl::Time access_expires_at;
  std::string refresh_token;
  absl::Time refresh_expires_at;
};

class AuthService {
 public:
  // Every pointer must be non-null and outlive the service. InvalidArgument (nothing created)
  // for a null pointer or what AccessTokens::create refuses.
  static absl::StatusOr<std::unique_ptr<AuthService>> create(AuthServiceOptions options,
                                                             AccountService* accounts,
                                                             GoogleClient* google,
                                                             TokenStore* tokens,
                                                             const Clock* clock);

  AuthService(const AuthService&) = delete;
  AuthService& operator=(const AuthService&) = delete;
  ~AuthService();

  // Starts a login: a new state bound to a PKCE verifier, and Google's URL. Internal when the
  // random generator fails.
  absl::StatusOr<LoginStart> begin_login();

  // Finishes a login with what Google sent the browser back with; see the order above.
  absl::StatusOr<Session> complete_login(std::string_view code, std::string_view state);

  // A new session for a refresh token, which dies (rotation). kRefreshToken* as documented in
  // refresh_tokens.h.
  absl::StatusOr<Session> refresh(std::string_view refresh_token);

  // Ends the session family of `refresh_token`. kRefreshTokenUnknown for a token never issued;
  // OK when it was ended already.
  absl::Status logout(std::string_view refresh_token);

  // The claims of a valid access token, or kToken* in the order of reason.h.
  absl::StatusOr<AccessClaims> authenticate(std::string_view access_token) const;

  // Counts and logs a refusal that an HTTP layer answered without calling the service (a
  // malformed body, the rate limit, a state that does not match the browser's cookie), as the
  // service counts its own. `operation` is login_start, login, refresh, logout or authenticate.
  // Nothing for OK.
  void report_refusal(std::string_view operation, const absl::Status& status) const;

  // For key rotation (AccessTokens::add_key / retire_key).
  AccessTokens& access_tokens();

  // The registry the counters above live in (the options', or the service's own).
  MetricsRegistry& metrics() const;

 private:
  AuthService(AccessTokens access, AccountService* accounts, GoogleClient* google,
              TokenStore* tokens, const Clock* clock, const AuthServiceOptions& options);
  absl::StatusOr<Session> complete_login_unobserved(std::string_view code,
                                                    std::string_view state,
                                                    RefreshTokenOwner* owner);
  absl::StatusOr<AccountId> find_or_create_account(const GoogleUser& user);
  absl::StatusOr<Session> session_for(AccountId account,
                                      absl::StatusOr<IssuedRefreshToken> refresh);

  AccessTokens access_;
  AccountService* accounts_;
  GoogleClient* google_;
  RefreshTokens refresh_;
  LoginStates logins_;
  // The counters and log lines (src/auth/auth_events.h).
  std::unique_ptr<internal::auth::AuthEvents> events_;
};

// The display name a new account gets: Google's `name`, else the local part of the email,
// else "Player"; NUL bytes dropped, cut to kDisplayNameBytesMax bytes on a UTF-8 boundary.
std::string display_name_for(const GoogleUser& user);

}  // namespace account::auth
