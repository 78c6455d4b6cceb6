// A stand-in for Google's OAuth 2.0 / OpenID Connect endpoints in tests: a
// real HTTP server (cpp-httplib) on 127.0.0.1 and an ephemeral port.
//
//   GET  /authorize  checks client_id, redirect_uri, response_type=code,
//                    scope openid, state and an S256 code_challenge, then
//                    approves at once: 302 to redirect_uri?code=...&state=...
//   POST /token      checks client id and secret (401 invalid_client),
//                    the code (known, single-use: any presentation burns it),
//                    redirect_uri and the PKCE verifier against the challenge
//                    (400 invalid_grant); answers an access token and an
//                    RS256 id_token signed with a test RSA key
//   GET  /userinfo   the user, for a Bearer access token it issued (else 401)
//   GET  /jwks       the public key of the signing key, as a JWKS
//
// The RSA keys are generated with OpenSSL when the first fake starts (once
// per process: 2048-bit generation takes a while). Switches make the fake
// misbehave: the user's email unverified, a broken id_token of each kind,
// and scripted answers (status, body, headers) that replace the next
// answers of a path, for 5xx, 429 and malformed JSON.
#pragma once

#include <httplib.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "account/auth/curl_google_client.h"
#include "account/auth/google_client.h"
#include "account/clock.h"
#include "base/json_text.h"
#include "crypto.h"

namespace account::testing {

// An RSA key pair for signing test id_tokens.
class TestRsaKey {
 public:
  explicit TestRsaKey(std::string kid) : kid_(std::move(kid)), key_(EVP_RSA_gen(2048)) {
    if (key_ == nullptr) throw std::runtime_error("EVP_RSA_gen failed");
  }
  ~TestRsaKey() { EVP_PKEY_free(key_); }
  TestRsaKey(const TestRsaKey&) = delete;
  TestRsaKey& operator=(const TestRsaKey&) = delete;

  const std::string& kid() const { return kid_; }

  // RS256 signature of `input`, raw bytes.
  std::string sign(std::string_view input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t size = 0;
    std::string out;
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    if (ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
        EVP_DigestSign(ctx, nullptr, &size, data, input.size()) == 1) {
      out.resize(size);
      if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(out.data()), &size, data,
                         input.size()) != 1) {
        out.clear();
      }
      out.resize(size);
    }
    EVP_MD_CTX_free(ctx);
    if (out.empty()) throw std::runtime_error("EVP_DigestSign failed");
    return out;
  }

  // The public key as a JWK object.
  std::string jwk() const {
    return "{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + kid_ + "\",\"n\":\"" +
           component(OSSL_PKEY_PARAM_RSA_N) + "\",\"e\":\"" + component(OSSL_PKEY_PARAM_RSA_E) +
           "\"}";
  }

  // The keys every fake shares: Google's current key, and one Google does
  // not publish (a token signed with it has an unknown kid, or a forged
  // signature when it claims the published kid).
  static const TestRsaKey& google() {
    static const TestRsaKey key("test-google-key-1");
    return key;
  }
  static const TestRsaKey& stranger() {
    static const TestRsaKey key("test-stranger-key");
    return key;
  }

 private:
  std::string component(const char* name) const {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key_, name, &bn) != 1) throw std::runtime_error("no RSA param");
    std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return internal::auth::base64url_encode(bytes);
  }

  std::string kid_;
  EVP_PKEY* key_;
};

using internal::json_string;

class FakeGoogle {
 public:
  // What the id_token of the next token answers looks like.
  enum class IdToken {
    kNone,  // No id_token in the answer.
    kValid,
    kWrongAudience,  // aud is another client's id.
    kWrongIssuer,    // iss is not Google.
    kExpired,        // exp an hour ago.
    kNotYetValid,    // iat an hour ahead.
    kUnknownKid,     // Signed with a key the JWKS does not hold, under its own kid.
    kForged,         // Signed with another key under Google's kid.
    kAlgNone,        // alg "none", no signature.
    kAlgHs256,       // alg switched to HS256, "signed" with the client secret.
    kOtherSubject,   // Valid, but for another user than userinfo names.
  };

  struct Reply {
    int status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
  };

  static constexpr std::string_view kClientId = "test-client.apps.googleusercontent.com";
  static constexpr std::string_view kClientSecret = "test-client-secret";

  explicit FakeGoogle(std::shared_ptr<Clock> clock) : clock_(std::move(clock)) {
    // Generated before the server takes requests; the stranger's key only when a test needs it.
    (void)TestRsaKey::google();
    server_.set_keep_alive_timeout(1);
    server_.Get("/authorize", [this](const httplib::Request& q, httplib::Response& r) {
      if (!scripted("/authorize", r)) authorize(q, r);
    });
    server_.Post("/token", [this](const httplib::Request& q, httplib::Response& r) {
      if (!scripted("/token", r)) token(q, r);
    });
    server_.Get("/userinfo", [this](const httplib::Request& q, httplib::Response& r) {
      if (!scripted("/userinfo", r)) userinfo(q, r);
    });
    server_.Get("/jwks", [this](const httplib::Request&, httplib::Response& r) {
      if (!scripted("/jwks", r)) {
        r.set_content("{\"keys\":[" + TestRsaKey::google().jwk() + "]}", "application/json");
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  ~FakeGoogle() {
    server_.stop();
    thread_.join();
  }

  FakeGoogle(const FakeGoogle&) = delete;
  FakeGoogle& operator=(const FakeGoogle&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string redirect_url() const { return "http://app.test/auth/return"; }

  // Client options pointing at this fake, with a sleep that only advances
  // `clock` (if it is a ManualClock) so retries cost no real time.
  auth::CurlGoogleClientOptions client_options() const {
    auth::CurlGoogleClientOptions o;
    o.client_id = std::string(kClientId);
    o.client_secret = std::string(kClientSecret);
    o.redirect_url = redirect_url();
    o.authorization_endpoint = base_url() + "/authorize";
    o.token_endpoint = base_url() + "/token";
    o.userinfo_endpoint = base_url() + "/userinfo";
    o.jwks_url = base_url() + "/jwks";
    o.clock = clock_;
    o.request_timeout = absl::Seconds(5);
    o.sleep = [clock = clock_](absl::Duration d) {
      if (auto* manual = dynamic_cast<ManualClock*>(clock.get())) manual->advance(d);
    };
    return o;
  }

  // --- Switches -----------------------------------------------------------

  void set_user(auth::GoogleUser user) {
    std::lock_guard lock(mu_);
    user_ = std::move(user);
  }
  void set_email_verified(bool verified) {
    std::lock_guard lock(mu_);
    user_.email_verified = verified;
  }
  void set_id_token(IdToken kind) {
    std::lock_guard lock(mu_);
    id_token_ = kind;
  }
  // The next answers of `path` ("/token", ...), in order, replace the real ones.
  void script(const std::string& path, std::vector<Reply> replies) {
    std::lock_guard lock(mu_);
    for (Reply& reply : replies) scripts_[path].push_back(std::move(reply));
  }

  // --- Observations ------------------------------------------------------

  int hits(const std::string& path) {
    std::lock_guard lock(mu_);
    return hits_[path];
  }
  // Form fields of the last POST /token, decoded.
  std::multimap<std::string, std::string> last_token_form() {
    std::lock_guard lock(mu_);
    return last_token_form_;
  }
  std::string last_authorization_header() {
    std::lock_guard lock(mu_);
    return last_authorization_;
  }

  // --- Tokens, for tests of the verifier ---------------------------------

  // An id_token of `kind` for the current user, as /token would mint it.
  std::string mint_id_token(IdToken kind) {
    std::lock_guard lock(mu_);
    return mint_locked(kind, user_);
  }

  // What the browser does with an authorization URL: follows it to
  // /authorize and reads code and state from the redirect. Empty code when
  // the fake did not redirect with one.
  struct Approval {
    int status = 0;
    std::string location;
    std::string code;
    std::string state;
  };
  Approval approve(const std::string& authorization_url) const {
    const std::string prefix = base_url();
    Approval out;
    if (authorization_url.compare(0, prefix.size(), prefix) != 0) return out;
    httplib::Client client("127.0.0.1", port_);
    httplib::Result result = client.Get(authorization_url.substr(prefix.size()));
    if (!result) return out;
    out.status = result->status;
    // As the fake wrote it: cpp-httplib's client hands back the header decoded.
    out.location = last_location();
    const size_t question = out.location.find('?');
    if (question == std::string::npos) return out;
    httplib::Params params;
    httplib::detail::parse_query_text(out.location.substr(question + 1), params);
    for (const auto& [key, value] : params) {
      if (key == "code") out.code = value;
      if (key == "state") out.state = value;
    }
    return out;
  }

 private:
  struct Grant {
    std::string challenge;
    std::string redirect_uri;
    auth::GoogleUser user;
    bool used = false;
  };

  static void json(httplib::Response& r, int status, const std::string& body) {
    r.status = status;
    r.set_content(body, "application/json");
  }
  static void oauth_error(httplib::Response& r, int status, const std::string& error) {
    json(r, status, "{\"error\":" + json_string(error) + ",\"error_description\":\"test\"}");
  }

  bool scripted(const std::string& path, httplib::Response& r) {
    std::lock_guard lock(mu_);
    ++hits_[path];
    auto it = scripts_.find(path);
    if (it == scripts_.end() || it->second.empty()) return false;
    Reply reply = std::move(it->second.front());
    it->second.pop_front();
    r.status = reply.status;
    for (const auto& [name, value] : reply.headers) r.set_header(name, value);
    r.set_content(reply.body, "application/json");
    return true;
  }

  static std::string random_token() {
    return internal::auth::base64url_encode(internal::auth::random_bytes(24).value());
  }

  void authorize(const httplib::Request& q, httplib::Response& r) {
    const auto param = [&](const char* name) { return q.get_param_value(name); };
    if (param("client_id") != kClientId || param("redirect_uri") != redirect_url() ||
        param("response_type") != "code" || param("scope").find("openid") == std::string::npos ||
        param("state").empty() || param("code_challenge_method") != "S256" ||
        param("code_challenge").size() != 43) {
      oauth_error(r, 400, "invalid_request");
      return;
    }
    const std::string code = random_token();
    {
      std::lock_guard lock(mu_);
      grants_[code] = Grant{.challenge = param("code_challenge"),
                            .redirect_uri = param("redirect_uri"),
                            .user = user_};
    }
    const std::string location =
        param("redirect_uri") + "?state=" + httplib::detail::encode_query_param(param("state")) +
        "&code=" + httplib::detail::encode_query_param(code) + "&scope=openid%20email%20profile";
    {
      std::lock_guard lock(mu_);
      last_location_ = location;
    }
    r.status = 302;
    r.set_header("Location", location);
  }

  std::string last_location() const {
    std::lock_guard lock(mu_);
    return last_location_;
  }

  void token(const httplib::Request& q, httplib::Response& r) {
    httplib::Params form;
    httplib::detail::parse_query_text(q.body, form);
    const auto field = [&](const char* name) {
      auto it = form.find(name);
      return it == form.end() ? std::string() : it->second;
    };
    std::lock_guard lock(mu_);
    last_token_form_ = {form.begin(), form.end()};
    if (q.get_header_value("Content-Type") != "application/x-www-form-urlencoded") {
      oauth_error(r, 400, "invalid_request");
      return;
    }
    if (field("client_id") != kClientId || field("client_secret") != kClientSecret) {
      oauth_error(r, 401, "invalid_client");
      return;
    }
    if (field("grant_type") != "authorization_code") {
      oauth_error(r, 400, "unsupported_grant_type");
      return;
    }
    auto grant = grants_.find(field("code"));
    if (grant == grants_.end() || grant->second.used) {
      oauth_error(r, 400, "invalid_grant");
      return;
    }
    grant->second.used = true;  // Burnt by any presentation, as Google does.
    const std::string challenge =
        internal::auth::base64url_encode(internal::auth::sha256(field("code_verifier")));
    if (field("redirect_uri") != grant->second.redirect_uri ||
        !internal::auth::constant_time_equal(challenge, grant->second.challenge)) {
      oauth_error(r, 400, "invalid_grant");
      return;
    }
    const std::string access_token = random_token();
    access_tokens_[access_token] = grant->second.user;
    std::string body = "{\"access_token\":" + json_string(access_token) +
                       ",\"expires_in\":3599,\"token_type\":\"Bearer\","
                       "\"scope\":\"openid https://www.googleapis.com/auth/userinfo.email\"";
    if (id_token_ != IdToken::kNone) {
      body += ",\"id_token\":" + json_string(mint_locked(id_token_, grant->second.user));
    }
    json(r, 200, body + "}");
  }

  void userinfo(const httplib::Request& q, httplib::Response& r) {
    const std::string header = q.get_header_value("Authorization");
    std::lock_guard lock(mu_);
    last_authorization_ = header;
    constexpr std::string_view kBearer = "Bearer ";
    auto it = header.compare(0, kBearer.size(), kBearer) == 0
                  ? access_tokens_.find(header.substr(kBearer.size()))
                  : access_tokens_.end();
    if (it == access_tokens_.end()) {
      r.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      oauth_error(r, 401, "invalid_token");
      return;
    }
    const auth::GoogleUser& u = it->second;
    json(r, 200,
         "{\"sub\":" + json_string(u.sub) + ",\"name\":" + json_string(u.name) +
             ",\"picture\":" + json_string(u.picture) + ",\"email\":" + json_string(u.email) +
             ",\"email_verified\":" + (u.email_verified ? "true" : "false") + "}");
  }

  std::string mint_locked(IdToken kind, const auth::GoogleUser& user) {
    using internal::auth::base64url_encode;
    const int64_t now = absl::ToUnixSeconds(clock_->now());
    int64_t iat = now;
    int64_t exp = now + 3600;
    std::string iss = "https://accounts.google.com";
    std::string aud(kClientId);
    std::string sub = user.sub;
    std::string alg = "RS256";
    const TestRsaKey* key = &TestRsaKey::google();
    std::string kid = key->kid();
    switch (kind) {
      case IdToken::kWrongAudience:
        aud = "another-client.apps.googleusercontent.com";
        break;
      case IdToken::kWrongIssuer:
        iss = "https://accounts.example.com";
        break;
      case IdToken::kExpired:
        iat = now - 7200;
        exp = now - 3600;
        break;
      case IdToken::kNotYetValid:
        iat = now + 3600;
        exp = now + 7200;
        break;
      case IdToken::kUnknownKid:
        key = &TestRsaKey::stranger();
        kid = key->kid();
        break;
      case IdToken::kForged:
        key = &TestRsaKey::stranger();
        break;
      case IdToken::kAlgNone:
        alg = "none";
        break;
      case IdToken::kAlgHs256:
        alg = "HS256";
        break;
      case IdToken::kOtherSubject:
        sub = user.sub + "-other";
        break;
      case IdToken::kNone:
      case IdToken::kValid:
        break;
    }
    const std::string header =
        "{\"alg\":" + json_string(alg) + ",\"kid\":" + json_string(kid) + ",\"typ\":\"JWT\"}";
    const std::string payload =
        "{\"iss\":" + json_string(iss) + ",\"azp\":" + json_string(kClientId) +
        ",\"aud\":" + json_string(aud) + ",\"sub\":" + json_string(sub) +
        ",\"email\":" + json_string(user.email) +
        ",\"email_verified\":" + (user.email_verified ? "true" : "false") +
        ",\"name\":" + json_string(user.name) + ",\"iat\":" + std::to_string(iat) +
        ",\"exp\":" + std::to_string(exp) + "}";
    const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
    std::string signature;
    if (alg == "RS256") {
      signature = key->sign(input);
    } else if (alg == "HS256") {
      signature = internal::auth::hmac_sha256(kClientSecret, input);
    }
    return input + "." + base64url_encode(signature);
  }

  std::shared_ptr<Clock> clock_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mu_;  // Guards everything below.
  auth::GoogleUser user_{.sub = "108204268033311374519",
                         .email = "alice@example.com",
                         .email_verified = true,
                         .name = "Alice Example",
                         .picture = "https://lh3.googleusercontent.com/a/alice"};
  IdToken id_token_ = IdToken::kValid;
  std::map<std::string, Grant> grants_;
  std::map<std::string, auth::GoogleUser> access_tokens_;
  std::map<std::string, std::deque<Reply>> scripts_;
  std::map<std::string, int> hits_;
  std::multimap<std::string, std::string> last_token_form_;
  std::string last_authorization_;
  std::string last_location_;
};

}  // namespace account::testing
