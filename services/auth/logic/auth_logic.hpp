#pragma once
// What the auth service decides: who may register, whether credentials are right, and which
// tokens to issue, rotate or revoke. It sees storage and hashing only through interfaces and
// takes time and randomness as injected functions, so every rule is tested without Redis.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "bank/core/result.hpp"
#include "bank/crypto/sha256.hpp"
#include "bank/jwt/signer.hpp"
#include "logic/login_throttle.hpp"
#include "logic/password_hasher.hpp"
#include "storage/user_store.hpp"

namespace bank::auth {

struct TokenSettings {
    std::string issuer = "bank-auth";
    std::string audience = "bank-api";
    std::chrono::seconds access_ttl{15 * 60};
    std::chrono::seconds refresh_ttl{30 * 24 * 3600};
};

struct RegisteredUser {
    std::string user_id;
    std::string username;
};

struct TokenPair {
    std::string access_token;
    std::int64_t expires_in = 0;
    std::string refresh_token;
    std::string user_id;
    std::string username;
};

// A password grant refused before the password was looked at, because the username is locked
// after too many failed attempts (logic/login_throttle.hpp). Not an OAuth error: the handler
// answers 429 with Retry-After.
struct LoginThrottled {
    std::int64_t retry_after_s = 0;
};
using PasswordGrant = std::variant<TokenPair, LoginThrottled>;

// Every OAuth failure of the token endpoint is one of these slugs (RFC 6749 section 5.2).
inline constexpr std::string_view kInvalidGrant = "invalid_grant";
inline constexpr std::string_view kIncorrectCredentials = "Incorrect username or password";

class AuthLogic {
  public:
    using Clock = std::function<std::int64_t()>;             // Unix seconds
    using Random = std::function<void(void*, std::size_t)>;  // cryptographic random bytes

    // `throttle` must be valid (policy_problem() is nullopt).
    AuthLogic(UserStore& store, PasswordHasher& hasher, const jwt::Signer& signer,
              TokenSettings settings, LoginThrottlePolicy throttle, Clock clock = {},
              Random random = {});

    // Must be awaited once before serving: hashes a throwaway password so that logins for
    // unknown users cost one verify, like logins for known ones.
    boost::asio::awaitable<Status> prepare();

    // 422 validation_failed for bad fields; 400 username_taken when the name exists.
    boost::asio::awaitable<Result<RegisteredUser>> register_user(std::string username,
                                                                 std::string password);
    // invalid_grant, with the same description, for an unknown user and a wrong password;
    // LoginThrottled while the (valid-looking) username is locked, known user or not.
    boost::asio::awaitable<Result<PasswordGrant>> password_grant(std::string username,
                                                                 std::string password);
    boost::asio::awaitable<Result<TokenPair>> refresh_grant(std::string refresh_token);
    // RFC 7009: succeeds for unknown tokens too.
    boost::asio::awaitable<Status> revoke(std::string token);
    // 404 when there is no such user.
    boost::asio::awaitable<Status> delete_user(std::string user_id);

    [[nodiscard]] const TokenSettings& settings() const { return settings_; }

  private:
    boost::asio::awaitable<Result<TokenPair>> issue(std::string user_id, std::string username,
                                                    std::string family);
    std::string random_token(std::size_t bytes);

    UserStore& store_;
    PasswordHasher& hasher_;
    const jwt::Signer& signer_;
    TokenSettings settings_;
    LoginThrottlePolicy throttle_;
    Clock clock_;
    Random random_;
    std::string dummy_hash_;
};

// Pure helpers, exposed for tests.
[[nodiscard]] std::string uuid_v4_from(const unsigned char (&bytes)[16]);
// Refresh and revoked tokens are stored by their SHA-256 (lower-case hex), as the other services
// hash: one implementation (libs/crypto).
using crypto::sha256_hex;

}  // namespace bank::auth
