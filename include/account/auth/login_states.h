// File: auth/login_states.h
//
// LoginStates: the logins in flight between begin_login() and Google's redirect back. Each has
// a single-use `state` (256 random bits, base64url) that is also the CSRF token of the redirect,
// bound to a PKCE S256 code verifier (RFC 7636) that never leaves the server: Google gets only
// the challenge, base64url(SHA-256(verifier)), and the code it returns is worth nothing without
// the verifier.
//
//   auth::LoginStates logins(&clock);
//   auth::PendingLogin p = logins.begin().value();   // p.state, p.code_challenge -> Google
//   absl::StatusOr<std::string> verifier = logins.consume(state_from_redirect);
//
// consume() checks in the order of reason.h and reports the first failure:
//   kLoginStateUnknown   no login started with that state (missing, wrong, or forgotten)
//   kLoginStateExpired   older than its lifetime (10 minutes)
//   kLoginStateReplayed  consumed already
// A state is remembered for one more lifetime after it expires, so a late or replayed one is
// named as such; after that it is unknown. Memory is bounded: at most `states_max` entries, the
// oldest forgotten first when a begin() would exceed it (the rate limiter in front of the login
// path keeps one client from filling it). Lost on restart: a login in flight starts again.
// No message contains a state or a verifier.
//
// Thread-safety: every member may be called from any thread (one internal mutex).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/clock.h"

namespace account::auth {

struct LoginStateOptions {
  absl::Duration lifetime = absl::Minutes(10);
  // ~200 bytes each: 100,000 logins in flight cost ~20 MB.
  size_t states_max = 100'000;
};

// What begin() hands to the redirect. The verifier stays inside LoginStates.
struct PendingLogin {
  std::string state;           // 43 base64url characters.
  std::string code_challenge;  // base64url(SHA-256(verifier)), method S256.
  absl::Time expires_at;
};

class LoginStates {
 public:
  // Random bytes behind a state and behind a verifier. The verifier's 48 bytes give 64
  // characters, within RFC 7636's 43-128, all of its unreserved alphabet.
  static constexpr size_t kStateBytes = 32;
  static constexpr size_t kVerifierBytes = 48;

  // `clock` must outlive the object. options.states_max 0 is taken as 1.
  explicit LoginStates(const Clock* clock, LoginStateOptions options = {});
  ~LoginStates();
  LoginStates(const LoginStates&) = delete;
  LoginStates& operator=(const LoginStates&) = delete;

  // Starts a login. Internal when the random generator fails (nothing stored).
  absl::StatusOr<PendingLogin> begin();

  // Ends the login `state` names and returns its code verifier, or the first failure above.
  // A state is consumed by its first use even when that login then fails further on (a code
  // Google refuses, an unverified email): it is never good twice.
  absl::StatusOr<std::string> consume(std::string_view state);

  // Entries held (pending, plus used or expired ones still remembered).
  size_t size() const;

  // The S256 challenge of a verifier: base64url(SHA-256(verifier)), no padding.
  static std::string challenge_of(std::string_view verifier);

 private:
  // The logins in flight, in the order they began, and their lock (src/auth/login_states.cpp).
  class Impl;

  const Clock* clock_;
  LoginStateOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace account::auth
