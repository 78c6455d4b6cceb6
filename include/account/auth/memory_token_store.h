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

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "account/auth/token_store.h"

namespace account::auth {

class MemoryTokenStore final : public TokenStore {
 public:
  MemoryTokenStore();
  ~MemoryTokenStore() override;
  MemoryTokenStore(const MemoryTokenStore&) = delete;
  MemoryTokenStore& operator=(const MemoryTokenStore&) = delete;

  absl::Status insert(const RefreshTokenRecord& record) override;
  absl::StatusOr<std::optional<RefreshTokenRecord>> find(std::string_view token_hash) override;
  absl::StatusOr<bool> rotate(std::string_view old_hash,
                              const RefreshTokenRecord& successor) override;
  absl::StatusOr<int64_t> revoke_family(std::string_view family_id) override;
  absl::StatusOr<int64_t> delete_expired(absl::Time cutoff) override;

  // How many records are held.
  size_t size() const;

 private:
  // The records, their indexes by family, and the lock (src/auth/memory_token_store.cpp).
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace account::auth
