// File: secret.h
//
// Secret: a string that must never be printed (a client secret, a JWT
// signing key, a database URL with its password). It has no stream or fmt
// output and no implicit conversion; the one way to read it is reveal(),
// which makes every use easy to find.
//
//   Secret key(std::string(env_value));
//   hmac_sha256(key.reveal(), message);
//
// Thread-safety: a plain value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace account {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  size_t size_bytes() const { return value_.size(); }
  std::string_view reveal() const { return value_; }

 private:
  std::string value_;
};

}  // namespace account
