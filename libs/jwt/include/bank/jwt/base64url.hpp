#pragma once
// base64url without padding (RFC 4648 §5, as JWS requires in RFC 7515 §2). Decoding is strict:
// padding, characters outside the URL-safe alphabet, an impossible length and non-zero trailing
// bits are all rejected, so every byte string has exactly one accepted encoding and a token cannot
// be altered in its text while keeping the same bytes.

#include <span>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"

namespace bank::jwt {

[[nodiscard]] std::string base64url_encode(std::string_view bytes);
[[nodiscard]] std::string base64url_encode(std::span<const unsigned char> bytes);

// Fails with kInvalidArgument, slug "invalid_base64url".
[[nodiscard]] Result<std::string> base64url_decode(std::string_view text);

}  // namespace bank::jwt
