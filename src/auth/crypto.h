// Private to account::auth: the few cryptographic primitives sign-in needs, all from OpenSSL 3
// (SHA-256, HMAC-SHA256, RAND_bytes, CRYPTO_memcmp), and base64url (RFC 4648 section 5) as JWTs
// and PKCE use it: no padding, and a strict decoder.
//
//   std::string mac = hmac_sha256(key, signing_input);           // 32 raw bytes
//   std::string sig = base64url_encode(mac);                      // 43 characters
//   if (!constant_time_equal(mac, *base64url_decode(given))) ...  // refuse
//
// Bytes travel in std::string (raw, not text). Nothing here logs, and no error message carries
// the bytes it was given.
//
// Thread-safety: every function may be called from any thread (OpenSSL 3 initialises itself and
// its default random generator is thread-safe).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace account::internal::auth {

// Length of a SHA-256 digest and of an HMAC-SHA256 tag, in bytes.
inline constexpr size_t kSha256Bytes = 32;

// SHA-256 of `data` (FIPS 180-4): 32 raw bytes. OpenSSL's one-shot SHA256() cannot fail on a
// valid pointer; if it ever did, the process stops rather than hand out a wrong digest.
std::string sha256(std::string_view data);

// HMAC-SHA256 (RFC 2104) of `data` under `key`: 32 raw bytes. Any key length is accepted here;
// the callers enforce their own minimum (access tokens want >= 32 bytes). Stops the process on
// an OpenSSL failure, as sha256() does.
std::string hmac_sha256(std::string_view key, std::string_view data);

// `count` bytes from OpenSSL's CSPRNG (RAND_bytes). Fails with Internal when the generator
// cannot produce them (it was not seeded); never returns weaker bytes instead.
absl::StatusOr<std::string> random_bytes(size_t count);

// base64url without padding: 'A'-'Z', 'a'-'z', '0'-'9', '-', '_'.
std::string base64url_encode(std::string_view bytes);

// The bytes `text` encodes, or nullopt when `text` is not canonical unpadded base64url: a
// character outside the alphabet (including '=', '+', '/', whitespace), a length of 1 mod 4, or
// non-zero unused bits in the last character (so every byte string has exactly one encoding).
std::optional<std::string> base64url_decode(std::string_view text);

// True when `a` and `b` hold the same bytes. Lengths are compared first (they are not secret);
// equal-length contents are compared with CRYPTO_memcmp, in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace account::internal::auth
