#pragma once
// RSA key generation for tests and the bank-keygen tool. Keys are produced in the same form
// Signer::from_private_key_pem reads, so a generated key always loads.

#include <string>

#include "bank/core/result.hpp"

namespace bank::jwt {

// Smallest and largest RSA modulus the library signs with or trusts. 2048 bits is the floor
// NIST SP 800-57 allows today; the ceiling bounds start-up work and key sizes read from config.
inline constexpr int kMinRsaKeyBits = 2048;
inline constexpr int kMaxRsaKeyBits = 8192;

// Returns an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). bits outside
// [kMinRsaKeyBits, kMaxRsaKeyBits] fail with kInvalidArgument. The caller owns the secret and
// should not log it.
[[nodiscard]] Result<std::string> generate_rsa_private_key_pem(int bits = kMinRsaKeyBits);

}  // namespace bank::jwt
