#include "account/auth/refresh_tokens.h"

#include <utility>

#include "base/strings.h"
#include "account/reason.h"
#include "account/status.h"
#include "crypto.h"

namespace account::auth {
namespace {

namespace crypto = internal::auth;

constexpr size_t kTokenBytes = 32;      // 256 bits.
constexpr size_t kTokenChars = 43;      // Its unpadded base64url.
constexpr size_t kFamilyIdBytes = 16;   // 128 bits: families never collide.

absl::Status unknown() {
  return denial(Reason::kRefreshTokenUnknown, "no refresh token with that value");
}

// A token we could have issued: 43 base64url characters for 32 bytes. Anything else is not
// looked up, so junk costs no store round trip.
bool well_formed(std::string_view token) {
  if (token.size() != kTokenChars) return false;
  const std::optional<std::string> bytes = crypto::base64url_decode(token);
  return bytes.has_value() && bytes->size() == kTokenBytes;
}

}  // namespace

RefreshTokens::RefreshTokens(TokenStore* store, const Clock* clock, RefreshTokenOptions options)
    : store_(store), clock_(clock), options_(options) {}

std::string RefreshTokens::hash_of(std::string_view token) { return crypto::sha256(token); }

absl::StatusOr<IssuedRefreshToken> RefreshTokens::mint(AccountId account, std::string family_id,
                                                       RefreshTokenRecord* record) const {
  absl::StatusOr<std::string> bytes = crypto::random_bytes(kTokenBytes);
  if (!bytes.ok()) return bytes.status();
  IssuedRefreshToken issued;
  issued.token = crypto::base64url_encode(*bytes);
  issued.account = account;
  issued.family_id = std::move(family_id);
  const absl::Time now = clock_->now();
  issued.expires_at = now + options_.lifetime;
  *record = RefreshTokenRecord{.token_hash = hash_of(issued.token),
                               .family_id = issued.family_id,
                               .account = account,
                               .issued_at = now,
                               .expires_at = issued.expires_at,
                               .state = RefreshTokenState::kActive};
  return issued;
}

absl::StatusOr<IssuedRefreshToken> RefreshTokens::issue(AccountId account) {
  if (!account.valid()) return absl::InvalidArgumentError("refresh token: account id 0");
  absl::StatusOr<std::string> family = crypto::random_bytes(kFamilyIdBytes);
  if (!family.ok()) return family.status();
  RefreshTokenRecord record;
  absl::StatusOr<IssuedRefreshToken> issued = mint(account, std::move(*family), &record);
  if (!issued.ok()) return issued.status();
  ACCOUNT_RETURN_IF_ERROR(store_->insert(record));
  return issued;
}

absl::StatusOr<IssuedRefreshToken> RefreshTokens::rotate(std::string_view token,
                                                         RefreshTokenOwner* owner) {
  if (!well_formed(token)) return unknown();
  const std::string hash = hash_of(token);
  absl::StatusOr<std::optional<RefreshTokenRecord>> found = store_->find(hash);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return unknown();
  const RefreshTokenRecord current = **found;
  if (owner != nullptr) *owner = {.account = current.account, .family_id = current.family_id};

  // States are exclusive, so the documented order only decides for an expired token: one that
  // was rotated is still reuse (and revokes its family), one revoked is still revoked.
  RefreshTokenState state = current.state;
  if (state == RefreshTokenState::kActive) {
    if (clock_->now() >= current.expires_at) {
      return denial(Reason::kRefreshTokenExpired,
                    internal::cat("the refresh token expired at ",
                                  absl::FormatTime(current.expires_at, absl::UTCTimeZone())));
    }
    RefreshTokenRecord successor;
    absl::StatusOr<IssuedRefreshToken> next = mint(current.account, current.family_id, &successor);
    if (!next.ok()) return next.status();
    absl::StatusOr<bool> won = store_->rotate(hash, successor);
    if (!won.ok()) return won.status();
    if (*won) return next;
    // Another rotation or a revocation got there first: answer by what it left behind.
    found = store_->find(hash);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return unknown();
    state = (*found)->state;
    if (state == RefreshTokenState::kActive) {
      // Still active, so the store refused because the family was revoked: this token escaped
      // a revocation that ran while its predecessor rotated (token_store.h). Finish the job.
      absl::StatusOr<int64_t> swept = store_->revoke_family(current.family_id);
      if (!swept.ok()) return swept.status();
      state = RefreshTokenState::kRevoked;
    }
  }
  if (state == RefreshTokenState::kRevoked) {
    return denial(Reason::kRefreshTokenRevoked, "the refresh token's sign-in was revoked");
  }
  absl::StatusOr<int64_t> revoked = store_->revoke_family(current.family_id);
  if (!revoked.ok()) return revoked.status();
  return denial(Reason::kRefreshTokenReused,
                internal::cat("the refresh token was used before; its sign-in is revoked (",
                              *revoked, " tokens)"));
}

absl::Status RefreshTokens::revoke(std::string_view token, RefreshTokenOwner* owner) {
  if (!well_formed(token)) return unknown();
  absl::StatusOr<std::optional<RefreshTokenRecord>> found = store_->find(hash_of(token));
  if (!found.ok()) return found.status();
  if (!found->has_value()) return unknown();
  if (owner != nullptr) {
    *owner = {.account = (*found)->account, .family_id = (*found)->family_id};
  }
  return store_->revoke_family((*found)->family_id).status();
}

absl::StatusOr<int64_t> RefreshTokens::purge_expired() {
  return store_->delete_expired(clock_->now() - options_.lifetime);
}

}  // namespace account::auth
