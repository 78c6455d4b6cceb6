#include "account/auth/curl_google_client.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "account/status.h"
#include "base/jittered_backoff.h"
#include "base/strings.h"
#include "google_id_token.h"
#include "google_responses.h"
#include "http/http_client.h"

namespace account::auth {
namespace {

using internal::http::HttpAnswer;
using internal::http::HttpClient;
using internal::http::Transport;

std::string_view message_of(const absl::Status& s) {
  return {s.message().data(), s.message().size()};
}

absl::Status check_options(const CurlGoogleClientOptions& o) {
  if (o.client_id.empty()) return absl::InvalidArgumentError("client_id is empty");
  if (o.client_secret.empty()) return absl::InvalidArgumentError("client_secret is empty");
  const std::pair<std::string_view, const std::string*> urls[] = {
      {"redirect_url", &o.redirect_url},
      {"authorization_endpoint", &o.authorization_endpoint},
      {"token_endpoint", &o.token_endpoint},
      {"userinfo_endpoint", &o.userinfo_endpoint}};
  for (const auto& [name, url] : urls) {
    if (!internal::is_http_url(*url)) {
      return absl::InvalidArgumentError(internal::cat(name, " must be an http:// or https:// URL"));
    }
  }
  if (o.jwks_json.empty() && !internal::is_http_url(o.jwks_url)) {
    return absl::InvalidArgumentError("jwks_url must be an http:// or https:// URL");
  }
  if (o.issuers.empty()) return absl::InvalidArgumentError("issuers is empty");
  const absl::Duration zero = absl::ZeroDuration();
  if (o.connect_timeout <= zero || o.request_timeout <= zero) {
    return absl::InvalidArgumentError("timeouts must be positive");
  }
  if (o.attempts_max < 1 || o.attempts_max > 10) {
    return absl::InvalidArgumentError("attempts_max must be 1..10");
  }
  if (o.backoff_initial <= zero || o.backoff_max < o.backoff_initial || o.retry_after_max < zero ||
      o.leeway < zero || o.jwks_max_age <= zero || o.jwks_refetch_interval_min < zero) {
    return absl::InvalidArgumentError(
        "need 0 < backoff_initial <= backoff_max, jwks_max_age > 0, and retry_after_max, leeway "
        "and jwks_refetch_interval_min >= 0");
  }
  if (o.response_bytes_max < 1024) {
    return absl::InvalidArgumentError("response_bytes_max must be at least 1024");
  }
  return absl::OkStatus();
}

}  // namespace

class CurlGoogleClient::Impl {
 public:
  Impl(CurlGoogleClientOptions options, std::unique_ptr<HttpClient> http)
      : options_(std::move(options)),
        http_(std::move(http)),
        backoff_(options_.backoff_initial, options_.backoff_max, /*seed=*/0) {}

  absl::Status init() {
    auto fetch = [this]() -> absl::StatusOr<std::string> {
      absl::StatusOr<HttpAnswer> a = get("JWKS endpoint", options_.jwks_url, "");
      if (!a.ok()) return a.status();
      return std::move(a->body);
    };
    absl::StatusOr<std::unique_ptr<internal::auth::GoogleIdTokenVerifier>> verifier =
        internal::auth::GoogleIdTokenVerifier::create(options_, std::move(fetch));
    if (!verifier.ok()) return verifier.status();
    verifier_ = *std::move(verifier);
    return absl::OkStatus();
  }

  std::string authorization_url(std::string_view state, std::string_view challenge) const {
    const auto e = &HttpClient::escape;
    const char separator =
        options_.authorization_endpoint.find('?') == std::string::npos ? '?' : '&';
    return internal::cat(options_.authorization_endpoint, std::string_view(&separator, 1),
                         "response_type=code&client_id=", e(options_.client_id),
                         "&redirect_uri=", e(options_.redirect_url),
                         "&scope=", e("openid email profile"), "&state=", e(state),
                         "&code_challenge=", e(challenge), "&code_challenge_method=S256");
  }

  absl::StatusOr<GoogleTokens> exchange_code(std::string_view code, std::string_view verifier) {
    const auto e = &HttpClient::escape;
    const std::string form = internal::cat(
        "grant_type=authorization_code&code=", e(code), "&code_verifier=", e(verifier),
        "&client_id=", e(options_.client_id), "&client_secret=", e(options_.client_secret),
        "&redirect_uri=", e(options_.redirect_url));
    constexpr std::string_view kEndpoint = "token endpoint";
    HttpAnswer a;
    for (int attempt = 1;; ++attempt) {
      ACCOUNT_ASSIGN_OR_RETURN(a, http_->post_form(options_.token_endpoint, form));
      // A code is single-use: send again only what never left this machine.
      if (a.maybe_sent || !a.transient() || attempt >= options_.attempts_max) break;
      options_.sleep(backoff_.delay(attempt));
    }
    if (absl::Status s = judge(a, kEndpoint); !s.ok()) return s;
    return read_tokens(a.body);
  }

  absl::StatusOr<GoogleUser> userinfo(std::string_view access_token) {
    constexpr std::string_view kEndpoint = "userinfo endpoint";
    absl::StatusOr<HttpAnswer> a = get(kEndpoint, options_.userinfo_endpoint, access_token);
    if (!a.ok()) return a.status();
    return internal::auth::read_userinfo_response(a->body);
  }

  absl::StatusOr<GoogleIdClaims> verify_id_token(std::string_view id_token) {
    return verifier_->verify(id_token);
  }

 private:
  absl::StatusOr<GoogleTokens> read_tokens(const std::string& body) {
    return internal::auth::read_token_response(
        body, [this](std::string_view id_token) { return verifier_->verify(id_token); });
  }

  // The outcome of one attempt as the errors of google_client.h.
  absl::Status judge(const HttpAnswer& a, std::string_view endpoint) const {
    switch (a.transport) {
      case Transport::kAnswered:
        break;
      case Transport::kTooLarge:
        return denial(Reason::kGoogleResponseInvalid,
                      internal::cat(endpoint, ": answer larger than ",
                                    options_.response_bytes_max, " bytes"));
      default:
        return denial(Reason::kGoogleUnavailable, internal::cat(endpoint, ": ", a.error));
    }
    if (a.status >= 200 && a.status <= 299) return absl::OkStatus();
    if (a.transient()) {
      return denial(Reason::kGoogleUnavailable,
                    internal::cat(endpoint, " answered HTTP ", a.status));
    }
    if (a.status >= 400 && a.status <= 499) {
      const std::string code = internal::auth::google_error_code(a.body);
      return denial(Reason::kGoogleRejected, internal::cat(endpoint, " answered HTTP ", a.status,
                                                           code.empty() ? "" : " ", code));
    }
    return denial(Reason::kGoogleResponseInvalid,
                  internal::cat(endpoint, " answered HTTP ", a.status));
  }

  // GET with the retries of curl_google_client.h.
  absl::StatusOr<HttpAnswer> get(std::string_view endpoint, const std::string& url,
                                 std::string_view bearer) {
    for (int attempt = 1;; ++attempt) {
      absl::StatusOr<HttpAnswer> a = http_->get(url, bearer);
      if (!a.ok()) return a.status();
      absl::Status s = judge(*a, endpoint);
      if (s.ok()) return a;
      if (!a->transient()) return s;
      if (attempt >= options_.attempts_max) {
        if (attempt == 1) return s;
        return denial(Reason::kGoogleUnavailable,
                      internal::cat(endpoint, ": gave up after ", attempt,
                                    " attempts, the last: ", message_of(s)));
      }
      const std::optional<absl::Duration> wait = internal::http::retry_wait(
          backoff_, attempt, a->retry_after, options_.retry_after_max);
      if (!wait) {
        return denial(Reason::kGoogleUnavailable,
                      internal::cat(endpoint, ": asked to retry after ",
                                    absl::FormatDuration(a->retry_after), ", longer than the ",
                                    absl::FormatDuration(options_.retry_after_max), " we wait"));
      }
      options_.sleep(*wait);
    }
  }

  CurlGoogleClientOptions options_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<internal::auth::GoogleIdTokenVerifier> verifier_;
  internal::JitteredBackoff backoff_;
};

absl::StatusOr<CurlGoogleClientOptions> google_options_from_config(
    const Config& config, CurlGoogleClientOptions defaults) {
  CurlGoogleClientOptions o = std::move(defaults);
  // load_config() checked every URL; what is left is whether each is set somewhere.
  const std::string secret(config.google_client_secret.reveal());
  const std::pair<const std::string*, std::string*> overrides[] = {
      {&config.google_client_id, &o.client_id},
      {&secret, &o.client_secret},
      {&config.google_redirect_url, &o.redirect_url},
      {&config.google_authorization_endpoint, &o.authorization_endpoint},
      {&config.google_token_endpoint, &o.token_endpoint},
      {&config.google_userinfo_endpoint, &o.userinfo_endpoint},
      {&config.google_jwks_url, &o.jwks_url},
  };
  for (const auto& [from, to] : overrides) {
    if (!from->empty()) *to = *from;
  }
  if (!config.google_issuers.empty()) o.issuers = config.google_issuers;
  for (const auto& [name, value] : {std::pair{"GOOGLE_CLIENT_ID", &o.client_id},
                                    std::pair{"GOOGLE_CLIENT_SECRET", &o.client_secret},
                                    std::pair{"GOOGLE_REDIRECT_URL", &o.redirect_url}}) {
    if (value->empty()) return absl::InvalidArgumentError(internal::cat(name, " is not set"));
  }
  return o;
}

absl::StatusOr<CurlGoogleClientOptions> google_options_from_environment(
    CurlGoogleClientOptions defaults) {
  ACCOUNT_ASSIGN_OR_RETURN(Config config, load_config(process_environment()));
  return google_options_from_config(config, std::move(defaults));
}

absl::StatusOr<std::unique_ptr<CurlGoogleClient>> CurlGoogleClient::create(
    CurlGoogleClientOptions options) {
  if (absl::Status s = check_options(options); !s.ok()) return s;
  if (!options.clock) options.clock = std::make_shared<SystemClock>();
  if (!options.sleep) options.sleep = [](absl::Duration d) { absl::SleepFor(d); };
  absl::StatusOr<std::unique_ptr<HttpClient>> http =
      HttpClient::create({.connect_timeout = options.connect_timeout,
                          .request_timeout = options.request_timeout,
                          .response_bytes_max = options.response_bytes_max});
  if (!http.ok()) return http.status();
  auto impl = std::make_unique<Impl>(std::move(options), *std::move(http));
  if (absl::Status s = impl->init(); !s.ok()) return s;
  return std::unique_ptr<CurlGoogleClient>(new CurlGoogleClient(std::move(impl)));
}

CurlGoogleClient::CurlGoogleClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlGoogleClient::~CurlGoogleClient() = default;

std::string CurlGoogleClient::authorization_url(std::string_view state,
                                                std::string_view code_challenge) const {
  return impl_->authorization_url(state, code_challenge);
}

absl::StatusOr<GoogleTokens> CurlGoogleClient::exchange_code(std::string_view code,
                                                             std::string_view code_verifier) {
  return impl_->exchange_code(code, code_verifier);
}

absl::StatusOr<GoogleUser> CurlGoogleClient::userinfo(std::string_view access_token) {
  return impl_->userinfo(access_token);
}

absl::StatusOr<GoogleIdClaims> CurlGoogleClient::verify_id_token(std::string_view id_token) {
  return impl_->verify_id_token(id_token);
}

}  // namespace account::auth
