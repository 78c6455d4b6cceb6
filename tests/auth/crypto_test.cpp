// SHA-256, HMAC-SHA256, base64url and the constant-time compare against published vectors
// (FIPS 180-2 / NIST, RFC 4231, RFC 4648, RFC 7515, RFC 7636).
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "crypto.h"

namespace {

using namespace account::internal::auth;

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(kDigits[(static_cast<unsigned char>(c) >> 4) & 15]);
    out.push_back(kDigits[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

}  // namespace

TEST_CASE("sha256 matches the NIST vectors") {
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex(sha256(std::string(1'000'000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("hmac_sha256 matches RFC 4231") {
  // Test case 1: a 20-byte key of 0x0b.
  CHECK(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the digest.
  CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block, which HMAC hashes first.
  CHECK(hex(hmac_sha256(std::string(131, '\xaa'),
                        "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("base64url_encode matches RFC 4648 without padding") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  // The two characters where base64url differs from base64 ('+' and '/').
  CHECK(base64url_encode("\xfb\xff\xbf") == "-_-_");
  CHECK(base64url_encode("\xfb\xff") == "-_8");
}

TEST_CASE("base64url_decode round-trips every length and byte") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>(i * 37 + 11));
    const auto decoded = base64url_decode(base64url_encode(bytes));
    REQUIRE(decoded.has_value());
    REQUIRE(*decoded == bytes);
  }
  CHECK(base64url_decode("Zm9vYmFy") == std::optional<std::string>("foobar"));
}

TEST_CASE("base64url_decode refuses anything but canonical unpadded base64url") {
  CHECK_FALSE(base64url_decode("Zg==").has_value());   // padding
  CHECK_FALSE(base64url_decode("Z").has_value());      // length 1 mod 4
  CHECK_FALSE(base64url_decode("Zm9vY").has_value());  // length 1 mod 4
  CHECK_FALSE(base64url_decode("+/8").has_value());    // base64, not base64url
  CHECK_FALSE(base64url_decode("Zm 9v").has_value());  // whitespace
  CHECK_FALSE(base64url_decode("Zm9v\n").has_value());
  CHECK_FALSE(base64url_decode(std::string_view("Zm\0v", 4)).has_value());
  // "Zh" and "Zg" both carry 'f' in their first 8 bits; only "Zg" (unused bits zero) is canonical.
  CHECK(base64url_decode("Zg") == std::optional<std::string>("f"));
  CHECK_FALSE(base64url_decode("Zh").has_value());
  CHECK_FALSE(base64url_decode("Zm9").has_value());
  CHECK(base64url_decode("Zm8") == std::optional<std::string>("fo"));
}

TEST_CASE("RFC 7515 A.1: the HS256 example signature") {
  const auto key = base64url_decode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  REQUIRE(key.has_value());
  const std::string signing_input =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9p"
      "c19yb290Ijp0cnVlfQ";
  CHECK(base64url_encode(hmac_sha256(*key, signing_input)) ==
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST_CASE("RFC 7636 B: the S256 code challenge of the example verifier") {
  CHECK(base64url_encode(sha256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")) ==
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("random_bytes gives the length asked for, and different bytes each time") {
  CHECK(random_bytes(0).value().empty());
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    const auto bytes = random_bytes(32);
    REQUIRE(bytes.ok());
    REQUIRE(bytes->size() == 32);
    seen.insert(*bytes);
  }
  CHECK(seen.size() == 64);
}

TEST_CASE("constant_time_equal compares length and every byte") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "xbc"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK_FALSE(constant_time_equal("abc", ""));
  CHECK(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  CHECK_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}
