#pragma once
// application/x-www-form-urlencoded bodies (the OAuth 2.0 token and revocation endpoints, and
// login). RFC 6749 section 3.2 forbids repeating a parameter, so a repeat is an error instead of
// "last one wins"; bad percent-escapes are errors instead of being passed through.

#include <map>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"

namespace bank::http {

using Form = std::map<std::string, std::string, std::less<>>;

inline constexpr std::size_t kMaxFormFields = 32;

[[nodiscard]] Result<Form> parse_form(std::string_view body);

// Decodes one percent-encoded component; `plus_as_space` for form encoding.
[[nodiscard]] Result<std::string> percent_decode(std::string_view text, bool plus_as_space);

}  // namespace bank::http
