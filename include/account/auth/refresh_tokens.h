// File: auth/refresh_tokens.h
//
// RefreshTokens: the long-lived half of a session. A refresh token is 256 random bits
// (base64url, 43 characters) handed to the client once; the TokenStore keeps only its SHA-256
// hash, its family (the sign-in it descends from), its account, its times and its state. Every
// use rotates it: the presented token dies and a successor in the same family is issued. A
// rotated token presented again means two parties hold the family (a stolen token), so the whole
// family is revoked and both must sign in again (RFC 9700 section 4.14.2).
//
//   auth::RefreshTokens refresh(&store, &clock);
//   IssuedRefreshToken first = refresh.issue(AccountId{42}).value();     // at sign-in
//   IssuedRefreshToken next = refresh.rotate(first.token).value();       // at each refresh
//   refresh.rotate(first.token);          // kRefreshTokenReused; `next` is revoked too
//   refresh.revoke(next.token);           // logout: the family is revoked
//
// rotate() checks in this order and reports the first failure (each a denial(), status.h):
//   kRefreshTokenUnknown   not a token we issued (wrong shape, or no record of its hash)
//   kRefreshTokenRevoked   its family was revoked (logout, or reuse detected before)
//   kRefreshTokenReused    it was rotated already: its family is revoked now
//   kRefreshTokenExpired   its lifetime has passed
// Of two rotations of one token racing each other exactly one wins; the other finds the token
// rotated and is answered as reuse (no grace window: a legitimate client never sends a refresh
// token twice, and the family is revoked either way when one does). Store failures are passed
// on as the store reports them (Unavailable: retry later) and change nothing. No message
// contains a token or its hash.
//
// Thread-safety: every member may be called from any thread; atomicity comes from the store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/auth/token_store.h"
#include "account/clock.h"
#include "account/ids.h"

namespace account::auth {

struct RefreshTokenOptions {
  // From each issue or rotation: a token unused this long is refused, a family unused this long
  // ends. A family in use never ends; sign-out or reuse ends it.
  absl::Duration lifetime = absl::Hours(24 * 30);
};

struct IssuedRefreshToken {
  std::string token;        // Given to the client once; never stored, never logged.
  AccountId account;
  std::string family_id;    // 16 raw bytes; the same across rotations.
  absl::Time expires_at;
};

// Whose a presented refresh token is: filled by rotate() and revoke() as soon as the token's
// record is found, whatever the answer (so a refusal can be logged with the account and the
// family it concerns). `family_id` is 16 raw bytes; neither field is a secret.
struct RefreshTokenOwner {
  AccountId account;
  std::string family_id;
};

class RefreshTokens {
 public:
  // `store` and `clock` must outlive the object.
  RefreshTokens(TokenStore* store, const Clock* clock, RefreshTokenOptions options = {});

  // The first token of a new family, for `account`. InvalidArgument for account id 0; Internal
  // when the random generator fails; store errors.
  absl::StatusOr<IssuedRefreshToken> issue(AccountId account);

  // Exchanges `token` for its successor, per the order above. `owner`, when given, is filled
  // once the token's record is found (left alone for kRefreshTokenUnknown).
  absl::StatusOr<IssuedRefreshToken> rotate(std::string_view token,
                                            RefreshTokenOwner* owner = nullptr);

  // Sign-out: revokes the family of `token`, whatever the token's own state (an expired or
  // rotated token still ends its family). kRefreshTokenUnknown for a token we have no record
  // of; OK when the family was revoked already. `owner` as for rotate().
  absl::Status revoke(std::string_view token, RefreshTokenOwner* owner = nullptr);

  // Forgets tokens that expired more than one lifetime ago (so reuse of a recently expired
  // token still revokes its family). Returns how many; store errors.
  absl::StatusOr<int64_t> purge_expired();

  // The hash the store keys a token by: SHA-256 of its text, 32 raw bytes.
  static std::string hash_of(std::string_view token);

 private:
  absl::StatusOr<IssuedRefreshToken> mint(AccountId account, std::string family_id,
                                          RefreshTokenRecord* record) const;

  TokenStore* store_;
  const Clock* clock_;
  RefreshTokenOptions options_;
};

}  // namespace account::auth
