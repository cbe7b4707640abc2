#pragma once
// Private to bank_jwt: the OpenSSL plumbing Signer and Verifier share. Every function leaves the
// thread's OpenSSL error queue empty, so one failure never shows up as the cause of the next.

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"

namespace bank::jwt::detail {

struct PkeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// The public half of an RSA key as a JWK needs it: base64url of the big-endian unsigned
// modulus and exponent without leading zero bytes (RFC 7518 §6.3.1).
struct RsaPublicJwk {
    std::string n;
    std::string e;
};

// Refuses keys that are not plain RSA (RSA-PSS keys restrict padding) or whose size is outside
// [kMinRsaKeyBits, kMaxRsaKeyBits]; slugs "invalid_key" and "weak_key".
[[nodiscard]] Status check_rsa_key(EVP_PKEY* key);

// Runs OpenSSL's public-key sanity checks (odd modulus, exponent > 1 and odd, ...).
[[nodiscard]] Status check_rsa_public_key(EVP_PKEY* key);

[[nodiscard]] Result<PkeyPtr> parse_private_key_pem(std::string_view pem);
[[nodiscard]] Result<PkeyPtr> parse_public_key_pem(std::string_view pem);

// Builds a public key from the big-endian bytes of n and e.
[[nodiscard]] Result<PkeyPtr> rsa_public_key_from_components(std::string_view n_bytes,
                                                             std::string_view e_bytes);

[[nodiscard]] RsaPublicJwk public_jwk(EVP_PKEY* key);

// RFC 7638 §3: base64url(SHA-256({"e":..,"kty":"RSA","n":..})) with members in lexical order
// and no whitespace.
[[nodiscard]] std::string jwk_thumbprint(const RsaPublicJwk& jwk);

[[nodiscard]] std::string public_key_pem(EVP_PKEY* key);

// Reads a whole key file at start-up; files over a small limit are refused as not-a-key.
[[nodiscard]] Result<std::string> read_key_file(const std::string& path);

}  // namespace bank::jwt::detail
