#pragma once
// Turns the text of an amount that a client sent into Money, exactly and without floating point.
// The grammar is deliberately narrow so that one amount has one spelling and nothing a client
// sends can be read two ways (by us and by a proxy, a log reader or a spreadsheet):
//
//     amount   = integer [ "." fraction ]
//     integer  = "0" | nonzero-digit *digit     ; a leading zero only as the single digit "0"
//     fraction = digit [ digit ]                ; one or two decimals
//
// So "12.34", "5", "5.5" and "0.50" are accepted; "-5", "+5", "1.", ".5", "007", "00.5", "1e3",
// "1,000", " 1", "0x10", "NaN" and non-ASCII digits are not. The value must also be greater than
// zero and at most the caller's maximum.

#include <cstddef>
#include <string_view>

#include "bank/core/result.hpp"
#include "bank/money/money.hpp"

namespace bank::money {

// Longer texts are rejected before any digit is looked at: the largest int64 amount needs 20
// characters, so anything past 32 is garbage or an attack, and the limit bounds the work done.
inline constexpr std::size_t kMaxAmountTextLength = 32;

// Every failure is Error{kUnprocessable, "invalid_amount", <a sentence naming the rule broken>}.
// Does not allocate on success; only the error path builds strings.
[[nodiscard]] Result<Money> parse_amount(std::string_view text, Money max);

}  // namespace bank::money
