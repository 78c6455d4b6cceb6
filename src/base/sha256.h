// SHA-256 (FIPS 180-4), for the journal's hash chain and state hash. The core library links no
// crypto library (its consumers may hide OpenSSL), and a chain hash needs no secret and no
// constant-time care: a plain, tested implementation suffices. On x86-64 CPUs with the SHA
// extensions (Intel since Goldmont and Ice Lake, AMD since Zen) the blocks go through them,
// chosen at run time: about 8x the portable code (benchmarks/journal_benchmark.cpp).
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
  void compress(const uint8_t* data, size_t blocks);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_{};
  size_t block_used_ = 0;
  uint64_t total_bytes_ = 0;
};

Sha256Digest sha256(std::string_view bytes);

// The block functions, for the tests that hold the two to each other: `blocks` blocks of 64
// bytes into `state`.
namespace sha256_blocks {
void portable(uint32_t* state, const uint8_t* data, size_t blocks);
// Only where cpu_instructions() is true.
void cpu_instructions_blocks(uint32_t* state, const uint8_t* data, size_t blocks);
bool cpu_instructions();
}  // namespace sha256_blocks

}  // namespace account::internal
