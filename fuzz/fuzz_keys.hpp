#pragma once
// One RSA key per fuzz process, generated at first use, for the targets that need tokens: the
// JWT targets sign their own inputs with it and the service targets put a valid access token
// where an input says "@token@". No key is committed: inputs never depend on the key's bytes.

#include <cstdint>
#include <string>
#include <string_view>

#include "bank/jwt/signer.hpp"
#include "bank/jwt/verifier.hpp"

namespace bank::fuzz {

inline constexpr std::string_view kIssuer = "bank-auth";
inline constexpr std::string_view kAudience = "bank-api";
// The fixed "now" of every check, so an input behaves the same on every run.
inline constexpr std::int64_t kNowSeconds = 1'700'000'000;
// The subject and name of the access token that replaces "@token@".
inline constexpr std::string_view kUserId = "6f1c2b1e-7a53-4f43-9d4c-0d6e8b1e2a11";
inline constexpr std::string_view kUsername = "alice";

[[nodiscard]] const jwt::Signer& signer();
// Verifies with the signer's public key, issuer kIssuer, audience kAudience, 60 s leeway.
[[nodiscard]] const jwt::Verifier& verifier();
// A JWKS verifier that knows the signer's key under its kid and a second, unrelated key.
[[nodiscard]] const jwt::Verifier& jwks_verifier();

// The base64url RS256 signature of `signing_input` with the signer's key, for tokens whose
// header and payload are not ones Signer would write.
[[nodiscard]] std::string sign_rs256(std::string_view signing_input);

// A valid access token for kUserId / kUsername at kNowSeconds.
[[nodiscard]] const std::string& access_token();

}  // namespace bank::fuzz
