#include "bank/money/parse_amount.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "bank/money/money.hpp"

namespace bank::money {
namespace {

constexpr std::string_view kSlug = "invalid_amount";

Error invalid_amount(std::string detail) {
    return make_error(ErrorCode::kUnprocessable, std::string(kSlug), std::move(detail));
}

constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Appends `digits` to `value` (value = value * 10 + digit), refusing on overflow.
// Only called on strings already known to be ASCII digits.
constexpr bool accumulate_digits(std::string_view digits, std::int64_t& value) {
    for (const char c : digits) {
        const auto digit_value = static_cast<std::int64_t>(c - '0');
        if (__builtin_mul_overflow(value, std::int64_t{10}, &value) ||
            __builtin_add_overflow(value, digit_value, &value)) {
            return false;
        }
    }
    return true;
}

Error too_large(Money max) { return invalid_amount("amount must not exceed " + format(max)); }

}  // namespace

Result<Money> parse_amount(std::string_view text, Money max) {
    if (text.empty()) {
        return invalid_amount("amount must not be empty");
    }
    if (text.size() > kMaxAmountTextLength) {
        return invalid_amount("amount must be at most " + std::to_string(kMaxAmountTextLength) +
                              " characters");
    }
    if (text.front() == '-' || text.front() == '+') {
        return invalid_amount("amount must be written without a sign");
    }

    // One pass to find the decimal point and reject anything that is not a digit, so the later
    // checks only ever see "digits[.digits]".
    std::size_t point = std::string_view::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '.') {
            if (point != std::string_view::npos) {
                return invalid_amount("amount must have at most one decimal point");
            }
            point = i;
        } else if (!is_ascii_digit(c)) {
            return invalid_amount(
                "amount must contain only the digits 0-9 and an optional decimal point");
        }
    }

    const std::string_view integer_digits = text.substr(0, point);
    const std::string_view fraction_digits =
        point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);

    if (integer_digits.empty()) {
        return invalid_amount("amount must have at least one digit before the decimal point");
    }
    if (point != std::string_view::npos && fraction_digits.empty()) {
        return invalid_amount("amount must have at least one digit after the decimal point");
    }
    if (fraction_digits.size() > static_cast<std::size_t>(kDecimalPlaces)) {
        return invalid_amount("amount must have at most 2 decimal places");
    }
    // One spelling per amount: "007" and "00.5" are refused, the single "0" of "0.50" is not.
    if (integer_digits.size() > 1 && integer_digits.front() == '0') {
        return invalid_amount("amount must not have leading zeros");
    }

    // Scale the integer part to minor units, then add the decimals padded to two places.
    std::int64_t amount_minor = 0;
    if (!accumulate_digits(integer_digits, amount_minor)) {
        return too_large(max);
    }
    for (int place = 0; place < kDecimalPlaces; ++place) {
        const auto index = static_cast<std::size_t>(place);
        const std::string_view digit =
            index < fraction_digits.size() ? fraction_digits.substr(index, 1) : "0";
        if (!accumulate_digits(digit, amount_minor)) {
            return too_large(max);
        }
    }

    const Money amount = Money::from_minor(amount_minor);
    if (amount <= Money{}) {
        return invalid_amount("amount must be greater than 0");
    }
    if (amount > max) {
        return too_large(max);
    }
    return amount;
}

}  // namespace bank::money
