// SHA-256 against the FIPS 180-4 examples (NIST's "SHA256.pdf" and the long-message vectors).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "base/sha256.h"

namespace account::internal {
namespace {

std::string hex(const Sha256Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

TEST_CASE("SHA-256 gives the FIPS 180-4 digests", "[journal][sha256]") {
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex(sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                   "klmnopqrlmnopqrsmnopqrstnopqrstu")) ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  CHECK(hex(sha256(std::string(1'000'000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 gives one digest however the bytes are split", "[journal][sha256]") {
  std::string message;
  for (int i = 0; i < 300; ++i) message.push_back(static_cast<char>(i * 7));
  const Sha256Digest whole = sha256(message);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{55}, size_t{56}, size_t{63}, size_t{64},
                     size_t{65}, size_t{128}, size_t{299}}) {
    Sha256 h;
    h.update(std::string_view(message).substr(0, cut));
    h.update(std::string_view(message).substr(cut));
    CHECK(h.finish() == whole);
  }
}

TEST_CASE("SHA-256: the CPU's SHA instructions and the portable code agree on every block",
          "[journal][sha256]") {
  INFO("this CPU has the SHA extensions: " << sha256_blocks::cpu_instructions());
  if (!sha256_blocks::cpu_instructions()) {
    // Nothing to compare on this CPU; the digests above ran the portable code.
    CHECK_FALSE(sha256_blocks::cpu_instructions());
    return;
  }
  std::mt19937_64 rng(20261207);
  for (int round = 0; round < 200; ++round) {
    const size_t blocks = 1 + rng() % 9;
    std::vector<uint8_t> data(64 * blocks);
    for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
    uint32_t a[8], c[8];
    for (int i = 0; i < 8; ++i) a[i] = c[i] = static_cast<uint32_t>(rng());
    sha256_blocks::portable(a, data.data(), blocks);
    sha256_blocks::cpu_instructions_blocks(c, data.data(), blocks);
    REQUIRE(std::equal(a, a + 8, c));
  }
}

}  // namespace
}  // namespace account::internal
