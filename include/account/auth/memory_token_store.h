// File: auth/memory_token_store.h
//
// MemoryTokenStore: a TokenStore in process memory, for tests and single-process deployments
// (tokens do not survive a restart: everyone signs in again). Memory grows with the number of
// live refresh tokens; call RefreshTokens::purge_expired (or delete_expired) from a periodic
// job to drop expired ones.
//
//   auth::MemoryTokenStore store;
//   auth::RefreshTokens refresh(&store, &clock);
//
// Thread-safety: every method is thread-safe; one internal mutex makes rotate() atomic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "account/auth/token_store.h"
#include "account/internal/mutex.h"

namespace account::auth {

class MemoryTokenStore final : public TokenStore {
 public:
  absl::Status insert(const RefreshTokenRecord& record) override;
  absl::StatusOr<std::optional<RefreshTokenRecord>> find(std::string_view token_hash) override;
  absl::StatusOr<bool> rotate(std::string_view old_hash,
                              const RefreshTokenRecord& successor) override;
  absl::StatusOr<int64_t> revoke_family(std::string_view family_id) override;
  absl::StatusOr<int64_t> delete_expired(absl::Time cutoff) override;

  // How many records are held.
  size_t size() const;

 private:
  void insert_locked(const RefreshTokenRecord& record) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable internal::Mutex mu_;
  absl::flat_hash_map<std::string, RefreshTokenRecord> by_hash_ ABSL_GUARDED_BY(mu_);
  // family id -> the hashes of its tokens, so revoking a family does not scan every token.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> by_family_
      ABSL_GUARDED_BY(mu_);
  // Revoked tokens held per family (families without one are absent): rotate() refuses a
  // family listed here, as the PostgreSQL store refuses a family with a revoked row.
  absl::flat_hash_map<std::string, int64_t> revoked_by_family_ ABSL_GUARDED_BY(mu_);
};

}  // namespace account::auth
