// File: auth/token_store.h
//
// TokenStore: where refresh tokens live between uses. A store never sees a token, only its
// SHA-256 hash, so a leaked table or backup signs no one in. Each token belongs to a family (one
// sign-in); rotation marks the presented token rotated and inserts its successor in the same
// family, atomically, and revocation marks a whole family revoked.
//
//   MemoryTokenStore store;                       // or PostgresTokenStore (account::postgres)
//   store.insert(record);                          // a new family's first token
//   bool won = store.rotate(old_hash, successor).value();
//   store.revoke_family(record.family_id);
//
// The policy (what a reused or expired token means) is RefreshTokens' (refresh_tokens.h); a
// store only keeps records and makes rotate() a compare-and-set, so that of two rotations of one
// token racing each other exactly one wins. The suite in
// account/testing/auth/token_store_conformance.h (account::testing) holds the contract every
// implementation passes.
//
// Errors: AlreadyExists for a hash already stored; store trouble as the implementation documents
// it (PostgreSQL: Unavailable when the connection is lost, Internal otherwise). A failed call
// changes nothing.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/ids.h"

namespace account::auth {

// Values are stored (PostgreSQL SMALLINT) and never renumbered.
enum class RefreshTokenState : uint8_t {
  kActive = 1,   // May be presented once, to rotate it.
  kRotated = 2,  // Was exchanged for its successor; presenting it again is reuse.
  kRevoked = 3,  // Its family was revoked (logout, or reuse detected).
};

struct RefreshTokenRecord {
  std::string token_hash;   // SHA-256 of the token: 32 raw bytes. The key.
  std::string family_id;    // 16 random bytes shared by a sign-in's tokens.
  AccountId account;
  absl::Time issued_at;
  absl::Time expires_at;
  RefreshTokenState state = RefreshTokenState::kActive;

  friend bool operator==(const RefreshTokenRecord&, const RefreshTokenRecord&) = default;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Stores `record` (any state). AlreadyExists when its hash is stored already.
  virtual absl::Status insert(const RefreshTokenRecord& record) = 0;

  // The record whose hash is `token_hash`, or nullopt.
  virtual absl::StatusOr<std::optional<RefreshTokenRecord>> find(std::string_view token_hash) = 0;

  // In one atomic step: when the record of `old_hash` is active and no token of its family is
  // revoked, marks it rotated and inserts `successor` (which the caller gives the same family),
  // and returns true. Returns false and changes nothing when that record is missing or not
  // active any more (another rotation or a revocation got there first), or when its family
  // holds a revoked token. The last rule keeps a revoked family revoked: a database revocation
  // that runs while a rotation commits may not see the successor the rotation inserts (it was
  // not committed when the revocation's statement began), and that successor must not rotate.
  // AlreadyExists (nothing changed) when the successor's hash is taken.
  virtual absl::StatusOr<bool> rotate(std::string_view old_hash,
                                      const RefreshTokenRecord& successor) = 0;

  // Marks every token of the family revoked; returns how many changed state (0 when it was
  // revoked already or holds no token). From then on no token of the family rotates.
  virtual absl::StatusOr<int64_t> revoke_family(std::string_view family_id) = 0;

  // Housekeeping: forgets every token that expired before `cutoff`, whatever its state, and
  // returns how many. A forgotten token presented later is simply unknown, so keep expired
  // tokens for a while (RefreshTokens::purge_expired keeps them a lifetime) if reuse of an old
  // token should still revoke its family.
  virtual absl::StatusOr<int64_t> delete_expired(absl::Time cutoff) = 0;
};

}  // namespace account::auth
