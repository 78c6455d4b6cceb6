#include "account/auth/memory_token_store.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/mutex.h"
#include "base/strings.h"

namespace account::auth {

class MemoryTokenStore::Impl {
 public:
  absl::Status insert(const RefreshTokenRecord& record) {
    internal::MutexLock lock(&mu_);
    if (by_hash_.contains(record.token_hash)) {
      return absl::AlreadyExistsError("refresh token store: that token hash is stored already");
    }
    insert_locked(record);
    return absl::OkStatus();
  }

  std::optional<RefreshTokenRecord> find(std::string_view token_hash) const {
    internal::MutexLock lock(&mu_);
    auto it = by_hash_.find(internal::to_absl(token_hash));
    if (it == by_hash_.end()) return std::nullopt;
    return it->second;
  }

  absl::StatusOr<bool> rotate(std::string_view old_hash, const RefreshTokenRecord& successor) {
    internal::MutexLock lock(&mu_);
    auto it = by_hash_.find(internal::to_absl(old_hash));
    if (it == by_hash_.end() || it->second.state != RefreshTokenState::kActive) return false;
    if (revoked_by_family_.contains(it->second.family_id)) return false;
    if (by_hash_.contains(successor.token_hash)) {
      return absl::AlreadyExistsError(
          "refresh token store: the successor's hash is stored already");
    }
    it->second.state = RefreshTokenState::kRotated;
    insert_locked(successor);
    return true;
  }

  int64_t revoke_family(std::string_view family_id) {
    internal::MutexLock lock(&mu_);
    auto family = by_family_.find(internal::to_absl(family_id));
    if (family == by_family_.end()) return 0;
    int64_t changed = 0;
    for (const std::string& hash : family->second) {
      RefreshTokenRecord& record = by_hash_.at(hash);
      if (record.state != RefreshTokenState::kRevoked) {
        record.state = RefreshTokenState::kRevoked;
        ++changed;
      }
    }
    if (changed > 0) revoked_by_family_[internal::to_absl(family_id)] += changed;
    return changed;
  }

  int64_t delete_expired(absl::Time cutoff) {
    internal::MutexLock lock(&mu_);
    std::vector<std::string> gone;
    for (const auto& [hash, record] : by_hash_) {
      if (record.expires_at < cutoff) gone.push_back(hash);
    }
    for (const std::string& hash : gone) erase_locked(hash);
    return static_cast<int64_t>(gone.size());
  }

  size_t size() const {
    internal::MutexLock lock(&mu_);
    return by_hash_.size();
  }

 private:
  void insert_locked(const RefreshTokenRecord& record) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    by_hash_.emplace(record.token_hash, record);
    by_family_[record.family_id].insert(record.token_hash);
    if (record.state == RefreshTokenState::kRevoked) ++revoked_by_family_[record.family_id];
  }

  // Drops one stored record and its place in the family indexes.
  void erase_locked(const std::string& hash) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = by_hash_.find(hash);
    auto family = by_family_.find(it->second.family_id);
    family->second.erase(hash);
    if (family->second.empty()) by_family_.erase(family);
    if (it->second.state == RefreshTokenState::kRevoked) {
      auto revoked = revoked_by_family_.find(it->second.family_id);
      if (--revoked->second == 0) revoked_by_family_.erase(revoked);
    }
    by_hash_.erase(it);
  }

  mutable internal::Mutex mu_;
  absl::flat_hash_map<std::string, RefreshTokenRecord> by_hash_ ABSL_GUARDED_BY(mu_);
  // family id -> the hashes of its tokens, so revoking a family does not scan every token.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> by_family_
      ABSL_GUARDED_BY(mu_);
  // Revoked tokens held per family (families without one are absent): rotate() refuses a
  // family listed here, as the PostgreSQL store refuses a family with a revoked row.
  absl::flat_hash_map<std::string, int64_t> revoked_by_family_ ABSL_GUARDED_BY(mu_);
};

MemoryTokenStore::MemoryTokenStore() : impl_(std::make_unique<Impl>()) {}

MemoryTokenStore::~MemoryTokenStore() = default;

absl::Status MemoryTokenStore::insert(const RefreshTokenRecord& record) {
  return impl_->insert(record);
}

absl::StatusOr<std::optional<RefreshTokenRecord>> MemoryTokenStore::find(
    std::string_view token_hash) {
  return impl_->find(token_hash);
}

absl::StatusOr<bool> MemoryTokenStore::rotate(std::string_view old_hash,
                                              const RefreshTokenRecord& successor) {
  return impl_->rotate(old_hash, successor);
}

absl::StatusOr<int64_t> MemoryTokenStore::revoke_family(std::string_view family_id) {
  return impl_->revoke_family(family_id);
}

absl::StatusOr<int64_t> MemoryTokenStore::delete_expired(absl::Time cutoff) {
  return impl_->delete_expired(cutoff);
}

size_t MemoryTokenStore::size() const { return impl_->size(); }

}  // namespace account::auth
