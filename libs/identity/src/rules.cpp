#include "bank/identity/rules.hpp"

namespace bank::identity {

namespace {

bool is_username_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

bool has_control(std::string_view text) {
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return true;
    }
    return false;
}

}  // namespace

std::size_t code_points(std::string_view utf8) {
    std::size_t count = 0;
    for (char ch : utf8) {
        if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80)
            ++count;  // every byte that is not a continuation byte
    }
    return count;
}

std::optional<std::string> username_problem(std::string_view username) {
    if (username.size() < kUsernameMinLength || username.size() > kUsernameMaxLength) {
        return "must be 3 to 32 characters long";
    }
    for (char c : username) {
        if (!is_username_char(c)) return "may contain only letters, digits, '_', '.' and '-'";
    }
    return std::nullopt;
}

std::optional<std::string> password_problem(std::string_view password) {
    const std::size_t length = code_points(password);
    if (length < kPasswordMinLength || length > kPasswordMaxLength) {
        return "must be 8 to 128 characters long";
    }
    if (has_control(password)) return "must not contain control characters";
    return std::nullopt;
}

std::optional<std::string> email_problem(std::string_view email) {
    const std::string message = "must be an email address like name@example.com";
    if (email.empty() || email.size() > kEmailMaxLength) return message;
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 ||
        email.find('@', at + 1) != std::string_view::npos) {
        return message;
    }
    const std::string_view local = email.substr(0, at);
    const std::string_view domain = email.substr(at + 1);
    if (local.size() > 64) return message;
    for (char ch : local) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F || c == '(' || c == ')' || c == ',' || c == ':' || c == ';' ||
            c == '<' || c == '>' || c == '[' || c == ']' || c == '\\' || c == '"') {
            return message;
        }
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
        return message;
    }
    if (domain.empty() || domain.find('.') == std::string_view::npos) return message;
    std::size_t label_length = 0;
    char previous = '.';
    for (char c : domain) {
        if (c == '.') {
            if (label_length == 0 || previous == '-') return message;
            label_length = 0;
        } else {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-';
            if (!ok || (label_length == 0 && c == '-') || ++label_length > 63) return message;
        }
        previous = c;
    }
    if (label_length == 0 || previous == '-') return message;
    return std::nullopt;
}

std::optional<std::string> name_problem(std::string_view name) {
    const std::size_t length = code_points(name);
    if (length == 0 || length > kNameMaxLength) return "must be 1 to 64 characters long";
    if (has_control(name)) return "must not contain control characters";
    if (name.find_first_not_of(' ') == std::string_view::npos) return "must not be blank";
    return std::nullopt;
}

std::optional<std::string> phone_problem(std::string_view phone) {
    const std::string message = "must be a phone number of 7 to 15 digits, e.g. +1 555 123 4567";
    std::size_t digits = 0;
    for (std::size_t i = 0; i < phone.size(); ++i) {
        const char c = phone[i];
        if (c >= '0' && c <= '9') {
            ++digits;
        } else if (c == '+' && i == 0) {
        } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
            return message;
        }
    }
    if (digits < 7 || digits > 15 || phone.size() > 24) return message;
    return std::nullopt;
}

std::string canonical_username(std::string_view username) {
    std::string result(username);
    for (char& c : result) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return result;
}

}  // namespace bank::identity
