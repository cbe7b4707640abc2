#pragma once
// SHA-256 of a byte string, callable from any thread. OpenSSL 3 looks an algorithm up in its
// provider registry on every EVP_sha256()/SHA256() call (locks, a context allocated and freed);
// for the short inputs of the request path that lookup cost more than the hashing. Here the
// algorithm is fetched once per process and each thread reuses one digest context.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace bank::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

[[nodiscard]] Sha256Digest sha256(std::string_view data);
// Lower-case hex, 64 characters.
[[nodiscard]] std::string sha256_hex(std::string_view data);

}  // namespace bank::crypto
