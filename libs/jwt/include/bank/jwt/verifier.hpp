#pragma once
// Verifies RS256 access tokens. Everything a token can get wrong maps to one error,
// Error{kUnauthenticated, "invalid_token", <short reason>}, so callers answer 401 without
// branching; the reason helps operators and never echoes the token.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"
#include "bank/jwt/claims.hpp"

namespace bank::jwt {

class Verifier {
  public:
    struct Options {
        std::string issuer;    // required: tokens must carry exactly this "iss"
        std::string audience;  // required: "aud" must be this string or an array containing it
        std::int64_t leeway_s = 60;          // clock skew tolerated on exp, nbf and iat; 0..3600
        std::size_t max_token_bytes = 8192;  // longer tokens are refused before any decoding
    };

    // SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") of an RSA key of at least kMinRsaKeyBits.
    // The key's kid is its RFC 7638 thumbprint, which is what Signer puts in the header.
    [[nodiscard]] static Result<Verifier> from_public_key_pem(std::string_view pem,
                                                              Options options);
    [[nodiscard]] static Result<Verifier> from_public_key_pem_file(const std::string& path,
                                                                   Options options);
    // A JWK Set (RFC 7517) with one or more RSA keys. Keys that are not for RS256 signatures
    // (other kty, "use" other than "sig", "alg" other than "RS256") are skipped; a key without a
    // "kid" is known by its thumbprint. Fails with kInvalidArgument "invalid_jwks" when a key is
    // malformed, a kid repeats, or no usable key remains.
    [[nodiscard]] static Result<Verifier> from_jwks(std::string_view jwks_json, Options options);

    // Thread-safe. now_s is the current Unix time in seconds, injected so tests control time.
    [[nodiscard]] Result<Claims> verify(std::string_view token, std::int64_t now_s) const;

  private:
    struct State;
    explicit Verifier(std::shared_ptr<const State> state);

    // Immutable after construction, so copies share it and concurrent verify() calls need no lock.
    std::shared_ptr<const State> state_;
};

}  // namespace bank::jwt
