// SHA-256 (FIPS 180-4), for the journal's hash chain and state hash. The core library links no
// crypto library (its consumers may hide OpenSSL), and a chain hash needs no secret and no
// constant-time care: a plain, tested implementation suffices.
//
//   Sha256 h;
//   h.update(previous_hash);
//   h.update(entry_bytes);
//   const Sha256Digest digest = h.finish();
//
// Thread-safety: a value; one object per thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace account::internal {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t bytes);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  void update(const Sha256Digest& digest) { update(digest.data(), digest.size()); }
  // The digest of everything updated so far; the object is spent after it.
  Sha256Digest finish();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_{};
  size_t block_used_ = 0;
  uint64_t total_bytes_ = 0;
};

Sha256Digest sha256(std::string_view bytes);

}  // namespace account::internal
