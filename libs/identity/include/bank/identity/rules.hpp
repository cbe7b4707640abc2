#pragma once
// The rules for who a customer is, shared by the auth service (which owns credentials) and the
// accounts service (which validates a whole sign-up form before calling auth, so a client sees
// every field problem in one answer). Pure functions: each returns the problem as a message, or
// nothing when the value is acceptable.

#include <optional>
#include <string>
#include <string_view>

namespace bank::identity {

inline constexpr std::size_t kUsernameMinLength = 3;
inline constexpr std::size_t kUsernameMaxLength = 32;
inline constexpr std::size_t kPasswordMinLength = 8;    // characters (Unicode code points)
inline constexpr std::size_t kPasswordMaxLength = 128;  // characters
inline constexpr std::size_t kEmailMaxLength = 254;     // RFC 5321 path limit
inline constexpr std::size_t kNameMaxLength = 64;

// 3-32 characters of [A-Za-z0-9_.-].
[[nodiscard]] std::optional<std::string> username_problem(std::string_view username);
// 8-128 characters; any Unicode except control characters.
[[nodiscard]] std::optional<std::string> password_problem(std::string_view password);
// A pragmatic addr-spec: one '@', a non-empty local part of printable ASCII without spaces, a
// domain of dot-separated labels (letters, digits, hyphens) with at least one dot.
[[nodiscard]] std::optional<std::string> email_problem(std::string_view email);
// 1-64 characters, not blank, no control characters.
[[nodiscard]] std::optional<std::string> name_problem(std::string_view name);
// Optional '+', then digits with optional spaces, dashes or parentheses; 7-15 digits (E.164).
[[nodiscard]] std::optional<std::string> phone_problem(std::string_view phone);

// The key under which a username is unique: ASCII lower case (usernames are ASCII only, so this
// is exact case-insensitive matching without locale rules).
[[nodiscard]] std::string canonical_username(std::string_view username);

// Number of Unicode code points in valid UTF-8 text.
[[nodiscard]] std::size_t code_points(std::string_view utf8);

}  // namespace bank::identity
