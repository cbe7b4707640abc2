// Amount parsing (libs/money). Properties, beyond "no crash and no undefined behaviour":
//   - parse_amount agrees with a separate reference reading of the grammar in parse_amount.hpp
//     (done here in 128-bit arithmetic, so it cannot overflow): same verdict, same value;
//   - every accepted amount survives format() and parse again unchanged;
//   - amount_literal() returns at most kMaxAmountTextLength characters, only for a body that is
//     a JSON object with the key, and returns what a DOM parser sees there;
//   - for any int64 in the input: format() parses back to it when it is in (0, max] and is
//     refused otherwise; format_grouped() is format() with commas; the checked arithmetic
//     agrees with 128-bit arithmetic.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "bank/core/check.hpp"
#include "bank/money/json_amount.hpp"
#include "bank/money/money.hpp"
#include "bank/money/parse_amount.hpp"

namespace {

using bank::money::Money;
// 128 bits hold every product and sum of two int64 values; __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 Wide;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// The grammar of parse_amount.hpp, read independently: integer ["." 1*2digit], no leading zero
// unless the integer is "0", at most 32 characters, value in (0, max].
std::optional<std::int64_t> reference_parse(std::string_view text, std::int64_t max) {
    if (text.empty() || text.size() > bank::money::kMaxAmountTextLength) return std::nullopt;
    const std::size_t point = text.find('.');
    const std::string_view integer = text.substr(0, point);
    const std::string_view fraction =
        point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
    const auto all_digits = [](std::string_view part) {
        for (const char c : part) {
            if (c < '0' || c > '9') return false;
        }
        return true;
    };
    if (integer.empty() || !all_digits(integer) || !all_digits(fraction)) return std::nullopt;
    if (point != std::string_view::npos && (fraction.empty() || fraction.size() > 2)) {
        return std::nullopt;
    }
    if (integer.size() > 1 && integer.front() == '0') return std::nullopt;
    Wide value = 0;
    for (const char c : integer) {
        value = value * 10 + (c - '0');
        if (value > kInt64Max) return std::nullopt;  // too large whatever follows
    }
    for (std::size_t place = 0; place < 2; ++place) {
        value = value * 10 + (place < fraction.size() ? fraction[place] - '0' : 0);
    }
    if (value <= 0 || value > max) return std::nullopt;
    return static_cast<std::int64_t>(value);
}

void check_text(std::string_view text, std::int64_t max_minor) {
    const Money max = Money::from_minor(max_minor);
    const auto parsed = bank::money::parse_amount(text, max);
    const auto expected = reference_parse(text, max_minor);
    BANK_CHECK(parsed.ok() == expected.has_value(), "parse_amount disagrees with the grammar");
    if (!parsed.ok()) {
        BANK_CHECK(parsed.error().slug == "invalid_amount", "a refusal is invalid_amount");
        return;
    }
    BANK_CHECK(parsed->minor() == *expected, "parse_amount reads another value");
    const auto again = bank::money::parse_amount(bank::money::format(*parsed), max);
    BANK_CHECK(again.ok() && *again == *parsed, "parse(format(x)) == x");
}

void check_literal(std::string_view body) {
    const auto literal = bank::money::amount_literal(body);
    if (!literal.ok()) return;
    BANK_CHECK(literal->size() <= bank::money::kMaxAmountTextLength, "literal within its limit");
    boost::system::error_code error;
    const boost::json::value document = boost::json::parse(body, error);
    BANK_CHECK(!error && document.is_object(), "an amount only comes from a JSON object");
    const boost::json::value* amount = document.as_object().if_contains("amount");
    BANK_CHECK(amount != nullptr, "the key is in the top-level object");
    if (const boost::json::string* text = amount->if_string()) {
        BANK_CHECK(std::string_view(text->data(), text->size()) == *literal,
                   "a string amount is returned as its contents");
    } else {
        BANK_CHECK(amount->is_number(), "an amount is a string or a number");
        // A number comes back as its literal text, which must read as the same number. (Boost
        // 1.81 reads some literals, e.g. -0e561205234, as NaN, which equals nothing.)
        boost::system::error_code number_error;
        const boost::json::value number = boost::json::parse(*literal, number_error);
        const auto is_nan = [](const boost::json::value& value) {
            return value.is_double() && std::isnan(value.get_double());
        };
        BANK_CHECK(!number_error && (number == *amount || (is_nan(number) && is_nan(*amount))),
                   "a number's literal text is returned");
    }
    // Whatever the body said, the literal then meets the same grammar as a string would.
    check_text(*literal, kInt64Max);
}

void check_integer(std::int64_t minor, std::int64_t other) {
    const Money amount = Money::from_minor(minor);
    const std::string text = bank::money::format(amount);
    const auto parsed = bank::money::parse_amount(text, Money::from_minor(kInt64Max));
    BANK_CHECK(parsed.ok() == (minor > 0), "format() output parses exactly when positive");
    if (parsed.ok()) BANK_CHECK(parsed->minor() == minor, "parse(format(x)) == x");
    std::string grouped = bank::money::format_grouped(amount);
    std::erase(grouped, ',');
    BANK_CHECK(grouped == text, "format_grouped is format with separators");

    const Wide sum = Wide{minor} + Wide{other};
    const Wide difference = Wide{minor} - Wide{other};
    const auto fits = [](Wide value) {
        return value >= std::numeric_limits<std::int64_t>::min() && value <= kInt64Max;
    };
    const auto added = amount.checked_add(Money::from_minor(other));
    BANK_CHECK(added.has_value() == fits(sum), "checked_add refuses exactly the overflows");
    if (added) BANK_CHECK(Wide{added->minor()} == sum, "checked_add adds");
    const auto subtracted = amount.checked_sub(Money::from_minor(other));
    BANK_CHECK(subtracted.has_value() == fits(difference), "checked_sub refuses the overflows");
    if (subtracted) BANK_CHECK(Wide{subtracted->minor()} == difference, "checked_sub subtracts");
    const auto negated = amount.checked_negate();
    BANK_CHECK(negated.has_value() == fits(-Wide{minor}), "checked_negate refuses INT64_MIN");
    if (negated) BANK_CHECK(Wide{negated->minor()} == -Wide{minor}, "checked_negate negates");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_text(text, kInt64Max);
    check_text(text, 100'000'000);  // the service's default BANK_MAX_AMOUNT_MINOR
    check_literal(text);
    if (size >= 16) {
        std::int64_t minor = 0;
        std::int64_t other = 0;
        std::memcpy(&minor, data, sizeof minor);
        std::memcpy(&other, data + sizeof minor, sizeof other);
        check_integer(minor, other);
    }
    return 0;
}
