#include "bank/redis/script.hpp"

#include <openssl/evp.h>

#include <array>
#include <utility>

#include "bank/core/check.hpp"

namespace bank::redis {

namespace {

std::string sha1_hex(const std::string& text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    const int ok =
        EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha1(), nullptr);
    // SHA-1 over a memory buffer only fails if OpenSSL itself is broken.
    BANK_CHECK(ok == 1 && length == 20, "EVP_Digest(SHA-1) failed");
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[digest[i] >> 4U]);
        hex.push_back(kHex[digest[i] & 0x0FU]);
    }
    return hex;
}

}  // namespace

Script::Script(std::string source) {
    std::string sha1 = sha1_hex(source);
    state_ = std::make_shared<const State>(State{std::move(source), std::move(sha1)});
}

}  // namespace bank::redis
