#pragma once
// Bearer-token authentication for the resource services (RFC 6750): reads the Authorization
// header, verifies the RS256 access token locally with the auth service's public key, and yields
// the caller's identity. The acting user is always the token's subject, never an id a client
// puts in a body or path.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bank/config/env.hpp"
#include "bank/core/result.hpp"
#include "bank/http/message.hpp"
#include "bank/jwt/verifier.hpp"

namespace bank::service {

struct Caller {
    std::string user_id;   // the token's "sub"
    std::string username;  // the token's "name"
};

class Authenticator {
  public:
    using Clock = std::function<std::int64_t()>;  // Unix seconds; injectable for tests
    explicit Authenticator(jwt::Verifier verifier, Clock clock = {});

    // Error{kUnauthenticated, "missing_token"} without a Bearer credential, "invalid_token" for a
    // bad one; both become 401 with WWW-Authenticate: Bearer.
    [[nodiscard]] Result<Caller> authenticate(const http::Request& request) const;

  private:
    jwt::Verifier verifier_;
    Clock clock_;
};

// Where the resource services find the token-verification key: BANK_JWT_PUBLIC_KEY_PATH,
// BANK_JWT_ISSUER and BANK_JWT_AUDIENCE, problems recorded in `env`.
struct VerifierSettings {
    std::string public_key_path;
    jwt::Verifier::Options options;
};
[[nodiscard]] VerifierSettings read_verifier_settings(config::Env& env);

// Loads the key (after the configuration was reported valid). On failure prints
// "<service>: BANK_JWT_PUBLIC_KEY_PATH: <why>" to stderr and returns nullopt.
[[nodiscard]] std::optional<Authenticator> load_authenticator(const VerifierSettings& settings,
                                                              const std::string& service_name);

// The credential of an "Authorization: Bearer <token>" header (scheme matched case-insensitively),
// or empty when there is none.
[[nodiscard]] std::string_view bearer_token(const http::Request& request);

}  // namespace bank::service
