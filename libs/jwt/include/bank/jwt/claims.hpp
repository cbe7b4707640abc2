#pragma once
// The registered claims (RFC 7519 §4.1) the bank's access tokens carry, plus the display name.
// Times are NumericDate: whole seconds since the Unix epoch.

#include <cstdint>
#include <optional>
#include <string>

namespace bank::jwt {

struct Claims {
    std::string iss;
    std::string aud;
    std::string sub;
    std::string name;  // optional: omitted from the token when empty
    std::string jti;   // optional: omitted from the token when empty
    std::int64_t iat = 0;
    std::int64_t exp = 0;
    std::optional<std::int64_t> nbf;

    friend bool operator==(const Claims&, const Claims&) = default;
};

}  // namespace bank::jwt
