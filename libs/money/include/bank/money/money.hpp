#pragma once
// Money is a count of minor units (cents) in an int64, never a double: every amount the bank
// stores or moves is exact, and every sum is checked so an overflow becomes a refusal instead of
// a silently wrapped balance. The bank holds one currency, USD, with two decimal places.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bank::money {

inline constexpr std::string_view kCurrencyCode = "USD";
inline constexpr int kDecimalPlaces = 2;
inline constexpr std::int64_t kMinorUnitsPerMajor = 100;

class Money {
  public:
    // Zero, so that structs holding a Money can be value-initialised.
    constexpr Money() = default;

    // The only way in: the name says the unit, so nobody passes dollars where cents are meant.
    [[nodiscard]] static constexpr Money from_minor(std::int64_t amount_minor) {
        return Money(amount_minor);
    }

    [[nodiscard]] constexpr std::int64_t minor() const { return amount_minor_; }

    friend constexpr bool operator==(Money, Money) = default;
    friend constexpr std::strong_ordering operator<=>(Money, Money) = default;

    // Arithmetic that can overflow returns nullopt instead of wrapping; there is deliberately no
    // operator+ or operator- so every caller has to decide what an overflow means for it.
    [[nodiscard]] constexpr std::optional<Money> checked_add(Money other) const {
        std::int64_t sum = 0;
        if (__builtin_add_overflow(amount_minor_, other.amount_minor_, &sum)) {
            return std::nullopt;
        }
        return Money(sum);
    }

    [[nodiscard]] constexpr std::optional<Money> checked_sub(Money other) const {
        std::int64_t difference = 0;
        if (__builtin_sub_overflow(amount_minor_, other.amount_minor_, &difference)) {
            return std::nullopt;
        }
        return Money(difference);
    }

    // Fails only for INT64_MIN, whose negation does not fit.
    [[nodiscard]] constexpr std::optional<Money> checked_negate() const {
        std::int64_t negated = 0;
        if (__builtin_sub_overflow(std::int64_t{0}, amount_minor_, &negated)) {
            return std::nullopt;
        }
        return Money(negated);
    }

  private:
    constexpr explicit Money(std::int64_t amount_minor) : amount_minor_(amount_minor) {}

    std::int64_t amount_minor_ = 0;
};

// Plain decimal text with exactly two decimals and no grouping, e.g. "170.00", "-450.00",
// "0.05". This is the wire format: parse_amount(format(m), max) == m for every positive m <= max.
[[nodiscard]] std::string format(Money amount);

// Same as format() but with a comma every three integer digits ("1,234,567.89"), for display.
// Never put this on the wire: parse_amount rejects thousands separators.
[[nodiscard]] std::string format_grouped(Money amount);

}  // namespace bank::money
