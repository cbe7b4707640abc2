#pragma once
// Bearer-token authentication for the resource services (RFC 6750): reads the Authorization
// header, verifies the RS256 access token locally with the auth service's public key, and yields
// the caller's identity. The acting user is always the token's subject, never an id a client
// puts in a body or path. Tokens that verified are remembered until their `exp` (TokenCache), so
// a client's repeated token costs one signature check, not one per request.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bank/config/env.hpp"
#include "bank/core/result.hpp"
#include "bank/http/message.hpp"
#include "bank/jwt/verifier.hpp"
#include "bank/service/token_cache.hpp"

namespace bank::service {

// Verified tokens remembered per service; ~150 bytes each.
inline constexpr std::size_t kDefaultTokenCacheEntries = 10'000;

class Authenticator {
  public:
    using Clock = std::function<std::int64_t()>;  // Unix seconds; injectable for tests
    explicit Authenticator(jwt::Verifier verifier, Clock clock = {},
                           std::size_t cache_entries = kDefaultTokenCacheEntries);

    // Error{kUnauthenticated, "missing_token"} without a Bearer credential, "invalid_token" for a
    // bad one; both become 401 with WWW-Authenticate: Bearer. Thread-safe.
    [[nodiscard]] Result<Caller> authenticate(const http::Request& request) const;

    [[nodiscard]] TokenCache::Stats cache_stats() const { return cache_->stats(); }

  private:
    jwt::Verifier verifier_;
    Clock clock_;
    // Shared by copies of this Authenticator (it is handed around by value at start-up).
    std::shared_ptr<TokenCache> cache_;
};

// Where the resource services find the token-verification key: BANK_JWT_PUBLIC_KEY_PATH,
// BANK_JWT_ISSUER and BANK_JWT_AUDIENCE, problems recorded in `env`.
struct VerifierSettings {
    std::string public_key_path;
    jwt::Verifier::Options options;
    std::size_t token_cache_entries = kDefaultTokenCacheEntries;  // BANK_TOKEN_CACHE_ENTRIES
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
