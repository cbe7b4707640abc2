#pragma once
// Requests carry "amount" either as a JSON string ("12.34") or as a JSON number (12.34). A DOM
// parser turns the number into a double before we can see it, and 0.1 + 0.2 style rounding has
// no place in a bank, so this reads the literal text of the value straight from the parser's
// events. The caller hands that text to parse_amount(), which then judges a number literal by
// exactly the same rules as a string: 12.345, 1e3 and -5 come back verbatim and are rejected there.

#include <string>
#include <string_view>

#include "bank/core/result.hpp"
#include "bank/money/parse_amount.hpp"

namespace bank::money {

// Returns the text of `key` in the top-level object of `json_body`: for a string its decoded
// contents, for a number its literal source text. Keys inside nested objects are ignored.
// Errors:
//   malformed JSON, or a body that is not an object  -> kInvalidArgument  "malformed_json"
//   key absent                                        -> kUnprocessable   "validation_failed"
//                                                        with field error {key, "is required"}
//   key present twice, bool/null/object/array value,
//   or a literal longer than kMaxAmountTextLength     -> kUnprocessable   "invalid_amount"
// Limits: nesting depth 32 and the element and string sizes in json_amount.cpp.
[[nodiscard]] Result<std::string> amount_literal(std::string_view json_body,
                                                 std::string_view key = "amount");

}  // namespace bank::money
