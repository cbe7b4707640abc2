#include "bank/crypto/sha256.hpp"

#include <openssl/evp.h>

#include <memory>

#include "bank/core/check.hpp"

namespace bank::crypto {

namespace {

const EVP_MD* sha256_algorithm() {
    // Fetched once and never freed: it lives as long as the process.
    static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    BANK_CHECK(algorithm != nullptr, "OpenSSL has no SHA2-256");
    return algorithm;
}

struct ContextFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

Sha256Digest sha256(std::string_view data) {
    thread_local const std::unique_ptr<EVP_MD_CTX, ContextFree> context{EVP_MD_CTX_new()};
    Sha256Digest digest{};
    unsigned int length = 0;
    // Fails only when OpenSSL cannot allocate; a wrong digest would silently merge cache entries
    // or idempotency records, so stop instead.
    BANK_CHECK(context != nullptr &&
                   EVP_DigestInit_ex2(context.get(), sha256_algorithm(), nullptr) == 1 &&
                   EVP_DigestUpdate(context.get(), data.data(), data.size()) == 1 &&
                   EVP_DigestFinal_ex(context.get(), digest.data(), &length) == 1 &&
                   length == digest.size(),
               "SHA-256 failed");
    return digest;
}

std::string sha256_hex(std::string_view data) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    const Sha256Digest digest = sha256(data);
    std::string hex;
    hex.reserve(digest.size() * 2);
    for (const std::uint8_t byte : digest) {
        hex.push_back(kHex[byte >> 4u]);
        hex.push_back(kHex[byte & 0x0fu]);
    }
    return hex;
}

}  // namespace bank::crypto
