#include "bank/money/money.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bank::money {
namespace {

// "-" + 17 integer digits + 5 commas + "." + 2 decimals fits easily; the digits are written
// backwards from the end so no reversal or intermediate string is needed.
constexpr std::size_t kBufferSize = 40;

std::string format_impl(Money amount, bool grouped) {
    const std::int64_t minor = amount.minor();
    const bool negative = minor < 0;
    // Work on the magnitude as unsigned: -INT64_MIN does not fit in int64, but 0 - x in uint64
    // is well defined and gives exactly |INT64_MIN|.
    const std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(minor)
                                             : static_cast<std::uint64_t>(minor);
    const auto minor_per_major = static_cast<std::uint64_t>(kMinorUnitsPerMajor);
    std::uint64_t integer_part = magnitude / minor_per_major;
    std::uint64_t fraction_part = magnitude % minor_per_major;

    std::array<char, kBufferSize> buffer{};
    std::size_t begin = buffer.size();
    auto put = [&](char c) { buffer[--begin] = c; };
    auto digit = [](std::uint64_t value) { return static_cast<char>('0' + value % 10); };

    for (int place = 0; place < kDecimalPlaces; ++place) {
        put(digit(fraction_part));
        fraction_part /= 10;
    }
    put('.');
    int digits_in_group = 0;
    do {
        if (grouped && digits_in_group == 3) {
            put(',');
            digits_in_group = 0;
        }
        put(digit(integer_part));
        integer_part /= 10;
        ++digits_in_group;
    } while (integer_part != 0);
    if (negative) {
        put('-');
    }
    return std::string(buffer.data() + begin, buffer.size() - begin);
}

}  // namespace

std::string format(Money amount) { return format_impl(amount, false); }

std::string format_grouped(Money amount) { return format_impl(amount, true); }

}  // namespace bank::money
