#pragma once
// Issues RS256 access tokens (RFC 7515 compact JWS over RFC 7519 claims) and publishes the
// matching public key as a JWKS, so services can verify tokens without sharing a secret.

#include <memory>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"
#include "bank/jwt/claims.hpp"

namespace bank::jwt {

class Signer {
  public:
    // Accepts an unencrypted PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY")
    // RSA key of at least kMinRsaKeyBits. Errors are kInvalidArgument "invalid_key" or
    // "weak_key"; the file variant adds kFailedPrecondition "key_file_unreadable".
    [[nodiscard]] static Result<Signer> from_private_key_pem(std::string_view pem);
    [[nodiscard]] static Result<Signer> from_private_key_pem_file(const std::string& path);

    // Compact JWS with header {"alg":"RS256","typ":"JWT","kid":kid()}. Safe to call from many
    // threads at once. name, jti and nbf are left out of the payload when empty or unset.
    [[nodiscard]] std::string sign(const Claims& claims) const;

    // RFC 7638 JWK thumbprint of the public key: stable for a key, different across keys, so
    // verifiers can pick the right key during rotation.
    [[nodiscard]] const std::string& kid() const;

    // {"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":..,"n":..,"e":..}]} (RFC 7517).
    [[nodiscard]] std::string jwks_json() const;

    // SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), the form Verifier::from_public_key_pem reads.
    [[nodiscard]] std::string public_key_pem() const;

  private:
    struct State;
    explicit Signer(std::shared_ptr<const State> state);

    // Immutable after construction, so copies share it and concurrent sign() calls need no lock.
    std::shared_ptr<const State> state_;
};

}  // namespace bank::jwt
