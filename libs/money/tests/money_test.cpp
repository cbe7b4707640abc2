// Proves that Money never wraps (checked arithmetic at the int64 limits), that format() writes
// every value including INT64_MIN exactly, that parse_amount() accepts exactly the documented
// grammar within (0, max] and rejects everything else with a specific invalid_amount error, and
// that amount_literal() hands back the literal text of a top-level "amount" (string or number)
// and classifies missing, duplicate, mistyped and malformed input. Properties cover the round
// trip format -> parse and arbitrary bytes.

#include "bank/money/money.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "bank/money/json_amount.hpp"
#include "bank/money/parse_amount.hpp"

// Counts heap allocations so a test can prove parse_amount's success path allocates nothing.
namespace {
std::size_t allocation_count = 0;
}  // namespace

void* operator new(std::size_t size) {
    ++allocation_count;
    if (void* memory = std::malloc(size == 0 ? 1 : size)) {
        return memory;
    }
    throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace bank::money {

// Lets gtest and rapidcheck print a Money in failure messages instead of raw bytes.
void PrintTo(Money amount, std::ostream* out) { *out << format(amount); }

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
// The transfer limit the services use: 1,000,000.00.
constexpr Money kMillion = Money::from_minor(100'000'000);
constexpr Money kLargest = Money::from_minor(kInt64Max);

// ---- Money -----------------------------------------------------------------------------------

TEST(MoneyTest, DefaultIsZeroAndFromMinorKeepsTheValue) {
    static_assert(Money{}.minor() == 0);
    static_assert(Money::from_minor(1234).minor() == 1234);
    EXPECT_EQ(Money{}, Money::from_minor(0));
    EXPECT_EQ(Money::from_minor(kInt64Min).minor(), kInt64Min);
}

TEST(MoneyTest, ComparesByMinorUnits) {
    static_assert(Money::from_minor(1) < Money::from_minor(2));
    EXPECT_LT(Money::from_minor(-1), Money{});
    EXPECT_GT(Money::from_minor(kInt64Max), Money::from_minor(kInt64Max - 1));
    EXPECT_EQ(Money::from_minor(5), Money::from_minor(5));
    EXPECT_NE(Money::from_minor(5), Money::from_minor(-5));
    EXPECT_EQ(Money::from_minor(3) <=> Money::from_minor(3), std::strong_ordering::equal);
}

TEST(MoneyTest, CheckedAddRefusesOverflowInBothDirections) {
    static_assert(Money::from_minor(2).checked_add(Money::from_minor(3)) == Money::from_minor(5));
    EXPECT_EQ(kLargest.checked_add(Money::from_minor(1)), std::nullopt);
    EXPECT_EQ(kLargest.checked_add(kLargest), std::nullopt);
    EXPECT_EQ(Money::from_minor(kInt64Min).checked_add(Money::from_minor(-1)), std::nullopt);
    EXPECT_EQ(kLargest.checked_add(Money{}), kLargest);
    EXPECT_EQ(kLargest.checked_add(Money::from_minor(kInt64Min)), Money::from_minor(-1));
    EXPECT_EQ(Money::from_minor(kInt64Max - 1).checked_add(Money::from_minor(1)), kLargest);
}

TEST(MoneyTest, CheckedSubRefusesOverflowInBothDirections) {
    static_assert(Money::from_minor(2).checked_sub(Money::from_minor(3)) == Money::from_minor(-1));
    EXPECT_EQ(Money::from_minor(kInt64Min).checked_sub(Money::from_minor(1)), std::nullopt);
    EXPECT_EQ(kLargest.checked_sub(Money::from_minor(-1)), std::nullopt);
    EXPECT_EQ(Money{}.checked_sub(Money::from_minor(kInt64Min)), std::nullopt);
    EXPECT_EQ(Money::from_minor(-1).checked_sub(Money::from_minor(kInt64Min)), kLargest);
    EXPECT_EQ(Money::from_minor(kInt64Min + 1).checked_sub(Money::from_minor(1)),
              Money::from_minor(kInt64Min));
}

TEST(MoneyTest, CheckedNegateFailsOnlyForInt64Min) {
    static_assert(Money::from_minor(7).checked_negate() == Money::from_minor(-7));
    EXPECT_EQ(Money::from_minor(kInt64Min).checked_negate(), std::nullopt);
    EXPECT_EQ(kLargest.checked_negate(), Money::from_minor(-kInt64Max));
    EXPECT_EQ(Money::from_minor(-kInt64Max).checked_negate(), kLargest);
    EXPECT_EQ(Money{}.checked_negate(), Money{});
}

// ---- format ----------------------------------------------------------------------------------

TEST(FormatTest, WritesTwoDecimalsWithoutGrouping) {
    EXPECT_EQ(format(Money::from_minor(17000)), "170.00");
    EXPECT_EQ(format(Money::from_minor(5)), "0.05");
    EXPECT_EQ(format(Money::from_minor(50)), "0.50");
    EXPECT_EQ(format(Money::from_minor(123456789)), "1234567.89");
    EXPECT_EQ(format(Money::from_minor(-45000)), "-450.00");
}

TEST(FormatTest, ZeroAndSmallNegatives) {
    EXPECT_EQ(format(Money{}), "0.00");
    EXPECT_EQ(format(Money::from_minor(-1)), "-0.01");
    EXPECT_EQ(format(Money::from_minor(-99)), "-0.99");
    EXPECT_EQ(format(Money::from_minor(-100)), "-1.00");
}

TEST(FormatTest, Int64Limits) {
    EXPECT_EQ(format(kLargest), "92233720368547758.07");
    EXPECT_EQ(format(Money::from_minor(kInt64Min)), "-92233720368547758.08");
    EXPECT_EQ(format(Money::from_minor(-kInt64Max)), "-92233720368547758.07");
}

TEST(FormatTest, GroupedPutsACommaEveryThreeIntegerDigits) {
    EXPECT_EQ(format_grouped(Money::from_minor(123456789)), "1,234,567.89");
    EXPECT_EQ(format_grouped(Money{}), "0.00");
    EXPECT_EQ(format_grouped(Money::from_minor(99999)), "999.99");
    EXPECT_EQ(format_grouped(Money::from_minor(100000)), "1,000.00");
    EXPECT_EQ(format_grouped(Money::from_minor(-123400)), "-1,234.00");
    EXPECT_EQ(format_grouped(Money::from_minor(-99999)), "-999.99");
    EXPECT_EQ(format_grouped(kLargest), "92,233,720,368,547,758.07");
    EXPECT_EQ(format_grouped(Money::from_minor(kInt64Min)), "-92,233,720,368,547,758.08");
}

// ---- parse_amount ----------------------------------------------------------------------------

void expect_invalid(std::string_view text, Money max, std::string_view detail) {
    SCOPED_TRACE("text: \"" + std::string(text) + "\"");
    const Result<Money> result = parse_amount(text, max);
    ASSERT_FALSE(result.ok()) << "parsed as " << format(result.value());
    EXPECT_EQ(result.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(result.error().slug, "invalid_amount");
    EXPECT_EQ(result.error().detail, detail);
    EXPECT_TRUE(result.error().field_errors.empty());
}

void expect_amount(std::string_view text, Money max, std::int64_t amount_minor) {
    SCOPED_TRACE("text: \"" + std::string(text) + "\"");
    const Result<Money> result = parse_amount(text, max);
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result.value(), Money::from_minor(amount_minor));
}

TEST(ParseAmountTest, AcceptsTheDocumentedGrammar) {
    expect_amount("12.34", kMillion, 1234);
    expect_amount("0.01", kMillion, 1);
    expect_amount("5", kMillion, 500);
    expect_amount("5.5", kMillion, 550);
    expect_amount("0.50", kMillion, 50);
    expect_amount("0.5", kMillion, 50);
    expect_amount("10", kMillion, 1000);
    expect_amount("100.05", kMillion, 10005);
    expect_amount("1000000.00", kMillion, 100000000);
}

TEST(ParseAmountTest, Boundaries) {
    expect_amount("1000000.00", kMillion, 100000000);  // exactly max
    expect_amount("1000000", kMillion, 100000000);
    expect_amount("999999.99", kMillion, 99999999);
    expect_invalid("1000000.01", kMillion, "amount must not exceed 1000000.00");  // max + 0.01
    expect_amount("0.01", kMillion, 1);  // the smallest positive amount
    expect_amount("0.01", Money::from_minor(1), 1);
    expect_invalid("0.02", Money::from_minor(1), "amount must not exceed 0.01");
    expect_amount("92233720368547758.07", kLargest, kInt64Max);
    expect_invalid("92233720368547758.08", kLargest, "amount must not exceed 92233720368547758.07");
    expect_invalid("92233720368547759", kLargest, "amount must not exceed 92233720368547758.07");
}

TEST(ParseAmountTest, RejectsZeroAndSigns) {
    expect_invalid("0", kMillion, "amount must be greater than 0");
    expect_invalid("0.00", kMillion, "amount must be greater than 0");
    expect_invalid("0.0", kMillion, "amount must be greater than 0");
    expect_invalid("-5", kMillion, "amount must be written without a sign");
    expect_invalid("+5", kMillion, "amount must be written without a sign");
    expect_invalid("-0", kMillion, "amount must be written without a sign");
}

TEST(ParseAmountTest, RejectsTooManyDecimals) {
    expect_invalid("1.005", kMillion, "amount must have at most 2 decimal places");
    expect_invalid("12.345", kMillion, "amount must have at most 2 decimal places");
    expect_invalid("0.000", kMillion, "amount must have at most 2 decimal places");
}

TEST(ParseAmountTest, RejectsMissingDigitsAroundThePoint) {
    expect_invalid("", kMillion, "amount must not be empty");
    expect_invalid("1.", kMillion, "amount must have at least one digit after the decimal point");
    expect_invalid(".5", kMillion, "amount must have at least one digit before the decimal point");
    expect_invalid(".", kMillion, "amount must have at least one digit before the decimal point");
    expect_invalid("1.2.3", kMillion, "amount must have at most one decimal point");
    expect_invalid("1..2", kMillion, "amount must have at most one decimal point");
}

TEST(ParseAmountTest, RejectsLeadingZeros) {
    expect_invalid("007", kMillion, "amount must not have leading zeros");
    expect_invalid("00.5", kMillion, "amount must not have leading zeros");
    expect_invalid("01", kMillion, "amount must not have leading zeros");
    expect_invalid("00", kMillion, "amount must not have leading zeros");
}

TEST(ParseAmountTest, RejectsForeignCharacters) {
    constexpr std::string_view kOnlyDigits =
        "amount must contain only the digits 0-9 and an optional decimal point";
    for (const std::string_view text :
         {"1e3", "1E3", "NaN", "nan", "Infinity", "inf", "1,000", "1 000", " 1", "1 ", "\t1", "1\n",
          "0x10", "1_000", "12.3a", "$5", "5$", "1/2"}) {
        expect_invalid(text, kMillion, kOnlyDigits);
    }
    expect_invalid("\xEF\xBC\x91", kMillion, kOnlyDigits);  // U+FF11 FULLWIDTH DIGIT ONE
    expect_invalid("\xD9\xA1", kMillion, kOnlyDigits);      // U+0661 ARABIC-INDIC DIGIT ONE
    expect_invalid(std::string_view("1\0", 2), kMillion, kOnlyDigits);
}

TEST(ParseAmountTest, RejectsValuesThatDoNotFitWithoutOverflowing) {
    expect_invalid("9223372036854775807", kMillion, "amount must not exceed 1000000.00");
    expect_invalid("9223372036854775807", kLargest, "amount must not exceed 92233720368547758.07");
    expect_invalid("99999999999999999999", kLargest, "amount must not exceed 92233720368547758.07");
    expect_invalid("18446744073709551616.99", kLargest,
                   "amount must not exceed 92233720368547758.07");
    expect_invalid(std::string(32, '9'), kLargest, "amount must not exceed 92233720368547758.07");
}

TEST(ParseAmountTest, DoesNotAllocateOnSuccess) {
    const std::size_t before = allocation_count;
    const Result<Money> small = parse_amount("12.34", kMillion);
    const Result<Money> largest = parse_amount("92233720368547758.07", kLargest);
    const std::size_t allocations = allocation_count - before;
    EXPECT_EQ(allocations, 0U);
    EXPECT_TRUE(small.ok());
    EXPECT_TRUE(largest.ok());
    // Control: the counter does see allocations (20 characters exceed the small-string buffer).
    const std::string formatted = format(kLargest);
    EXPECT_GT(allocation_count - before, 0U);
}

TEST(ParseAmountTest, RejectsLongTextBeforeLookingAtIt) {
    expect_invalid(std::string(33, '9'), kLargest, "amount must be at most 32 characters");
    expect_invalid(std::string(400, '9'), kLargest, "amount must be at most 32 characters");
    expect_invalid("1." + std::string(31, '0'), kLargest, "amount must be at most 32 characters");
}

// ---- amount_literal --------------------------------------------------------------------------

std::string literal_of(std::string_view body) {
    const Result<std::string> result = amount_literal(body);
    EXPECT_TRUE(result.ok()) << "body: " << body << " error: " << result.error().detail;
    return result.ok() ? result.value() : std::string("<error>");
}

void expect_literal_error(std::string_view body, ErrorCode code, std::string_view slug,
                          std::string_view detail_prefix) {
    SCOPED_TRACE("body: " + std::string(body));
    const Result<std::string> result = amount_literal(body);
    ASSERT_FALSE(result.ok()) << "literal: " << result.value();
    EXPECT_EQ(result.error().code, code);
    EXPECT_EQ(result.error().slug, slug);
    EXPECT_EQ(result.error().detail.substr(0, detail_prefix.size()), detail_prefix)
        << result.error().detail;
}

void expect_malformed(std::string_view body) {
    expect_literal_error(body, ErrorCode::kInvalidArgument, "malformed_json", "request body ");
}

void expect_missing(std::string_view body) {
    SCOPED_TRACE("body: " + std::string(body));
    const Result<std::string> result = amount_literal(body);
    ASSERT_FALSE(result.ok()) << "literal: " << result.value();
    EXPECT_EQ(result.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(result.error().slug, "validation_failed");
    EXPECT_EQ(result.error().detail, "amount is required");
    ASSERT_EQ(result.error().field_errors.size(), 1U);
    EXPECT_EQ(result.error().field_errors[0].field, "amount");
    EXPECT_EQ(result.error().field_errors[0].message, "is required");
}

TEST(AmountLiteralTest, StringValueComesBackDecoded) {
    EXPECT_EQ(literal_of(R"({"receiver_username":"alice","amount":"12.34"})"), "12.34");
    EXPECT_EQ(literal_of(R"({"amount":"\u0031\u0032.34"})"), "12.34");
    EXPECT_EQ(literal_of(R"({"amount":""})"), "");
    EXPECT_EQ(literal_of(R"({"amount":" 1e3 "})"), " 1e3 ");
}

TEST(AmountLiteralTest, NumberValueComesBackAsItsExactText) {
    EXPECT_EQ(literal_of(R"({"amount":5})"), "5");
    EXPECT_EQ(literal_of(R"({"amount":12.34})"), "12.34");
    EXPECT_EQ(literal_of(R"({"amount":0.1})"), "0.1");
    EXPECT_EQ(literal_of(R"({"amount":12.345})"), "12.345");
    EXPECT_EQ(literal_of(R"({"amount":1e3})"), "1e3");
    EXPECT_EQ(literal_of(R"({"amount":1.5E+2})"), "1.5E+2");
    EXPECT_EQ(literal_of(R"({"amount":-5})"), "-5");
    EXPECT_EQ(literal_of(R"({"amount":0})"), "0");
    EXPECT_EQ(literal_of(R"({"amount":9223372036854775807})"), "9223372036854775807");
    EXPECT_EQ(literal_of(R"({"amount":18446744073709551615})"), "18446744073709551615");
    EXPECT_EQ(literal_of(R"({"amount":100000000000000000000})"), "100000000000000000000");
    EXPECT_EQ(literal_of(" {\n \"amount\" : 12.30 ,\"x\":1 }\n"), "12.30");
}

TEST(AmountLiteralTest, NumberLiteralsGoThroughTheSameRulesAsStrings) {
    const auto parsed = [](std::string_view body) -> Result<Money> {
        Result<std::string> literal = amount_literal(body);
        if (!literal) {
            return std::move(literal).error();
        }
        return parse_amount(*literal, kMillion);
    };
    EXPECT_EQ(parsed(R"({"amount":12.34})").value(), Money::from_minor(1234));
    EXPECT_EQ(parsed(R"({"amount":"12.34"})").value(), Money::from_minor(1234));
    EXPECT_EQ(parsed(R"({"amount":0.1})").value(), Money::from_minor(10));
    for (const std::string_view body :
         {R"({"amount":12.345})", R"({"amount":1e3})", R"({"amount":-5})", R"({"amount":0})",
          R"({"amount":1000000.01})", R"({"amount":"1,000"})", R"({"amount":1.0E2})"}) {
        SCOPED_TRACE(body);
        const Result<Money> result = parsed(body);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().slug, "invalid_amount");
    }
}

TEST(AmountLiteralTest, OnlyTheTopLevelKeyCounts) {
    expect_missing(R"({"transfer":{"amount":"12.34"}})");
    expect_missing(R"({"items":[{"amount":"12.34"}]})");
    expect_missing(R"({"receiver_username":"amount"})");
    expect_missing(R"({"amounts":"1","amoun":"2","Amount":"3"})");
    expect_missing("{}");
    EXPECT_EQ(literal_of(R"({"nested":{"amount":"1.00"},"amount":"2.00"})"), "2.00");
    EXPECT_EQ(literal_of(R"({"amount":"2.00","nested":{"amount":"1.00"}})"), "2.00");
    // An escaped key is the same key once decoded.
    EXPECT_EQ(literal_of(R"({"amo\u0075nt":"3.00"})"), "3.00");
}

TEST(AmountLiteralTest, HonoursACustomKey) {
    const Result<std::string> found = amount_literal(R"({"amount":"1","fee":"0.25"})", "fee");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found.value(), "0.25");
    const Result<std::string> missing = amount_literal(R"({"amount":"1"})", "fee");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().detail, "fee is required");
    EXPECT_EQ(missing.error().field_errors.at(0).field, "fee");
}

TEST(AmountLiteralTest, DuplicateKeyIsRejected) {
    const std::string_view kDetail = "amount must appear only once";
    expect_literal_error(R"({"amount":"1.00","amount":"2.00"})", ErrorCode::kUnprocessable,
                         "invalid_amount", kDetail);
    expect_literal_error(R"({"amount":"1.00","amount":"1.00"})", ErrorCode::kUnprocessable,
                         "invalid_amount", kDetail);
    expect_literal_error(R"({"amount":1,"x":{},"amo\u0075nt":null})", ErrorCode::kUnprocessable,
                         "invalid_amount", kDetail);
}

TEST(AmountLiteralTest, WrongTypesAreRejected) {
    for (const std::string_view body :
         {R"({"amount":true})", R"({"amount":false})", R"({"amount":null})",
          R"({"amount":{"value":"1.00"}})", R"({"amount":["1.00"]})", R"({"amount":{}})",
          R"({"amount":[]})"}) {
        expect_literal_error(body, ErrorCode::kUnprocessable, "invalid_amount",
                             "amount must be a string or a number");
    }
}

TEST(AmountLiteralTest, OverlongLiteralIsRejectedWithoutBeingCopied) {
    const std::string_view kDetail = "amount must be at most 32 characters";
    expect_literal_error("{\"amount\":\"" + std::string(33, '1') + "\"}", ErrorCode::kUnprocessable,
                         "invalid_amount", kDetail);
    expect_literal_error("{\"amount\":" + std::string(400, '9') + "}", ErrorCode::kUnprocessable,
                         "invalid_amount", kDetail);
    EXPECT_EQ(literal_of("{\"amount\":\"" + std::string(32, '1') + "\"}"), std::string(32, '1'));
}

TEST(AmountLiteralTest, MalformedJsonIsRejected) {
    for (const std::string_view body :
         {"", " ", "{", "{\"amount\":", R"({"amount":"12.34")", R"({"amount":12.34,})",
          R"({"amount":'12.34'})", R"({amount:12.34})", R"({"amount":.5})", R"({"amount":01})",
          R"({"amount":+5})", R"({"amount":NaN})", R"({"amount":Infinity})",
          R"({"amount":"12.34"} {})", R"({"amount":"12.34"}x)", R"({"amount":1}/*c*/)",
          R"({"amount":"\x31"})", "{\"amount\":\"\xff\"}", "not json"}) {
        expect_malformed(body);
    }
}

TEST(AmountLiteralTest, BodyMustBeAnObject) {
    for (const std::string_view body : {R"("12.34")", "12.34", "null", R"([{"amount":"1"}])"}) {
        expect_literal_error(body, ErrorCode::kInvalidArgument, "malformed_json",
                             "request body must be a JSON object");
    }
}

TEST(AmountLiteralTest, NestingIsLimitedTo32Levels) {
    const auto nested = [](std::size_t depth) {
        return R"({"amount":"1.00","x":)" + std::string(depth - 1, '[') +
               std::string(depth - 1, ']') + "}";
    };
    EXPECT_EQ(literal_of(nested(32)), "1.00");
    expect_malformed(nested(33));
    expect_malformed(std::string(10'000, '['));
}

// ---- properties ------------------------------------------------------------------------------

RC_GTEST_PROP(MoneyProperties, FormatThenParseRoundTripsUpToTheTransferLimit, ()) {
    const auto amount = Money::from_minor(*rc::gen::inRange<std::int64_t>(1, kMillion.minor() + 1));
    const Result<Money> parsed = parse_amount(format(amount), kMillion);
    RC_ASSERT(parsed.ok());
    RC_ASSERT(parsed.value() == amount);
}

RC_GTEST_PROP(MoneyProperties, FormatThenParseRoundTripsOverTheWholeRange, ()) {
    const auto amount = Money::from_minor(
        *rc::gen::oneOf(rc::gen::inRange<std::int64_t>(1, 1'000'000),
                        rc::gen::inRange<std::int64_t>(1, kInt64Max), rc::gen::just(kInt64Max)));
    const Result<Money> parsed = parse_amount(format(amount), kLargest);
    RC_ASSERT(parsed.ok());
    RC_ASSERT(parsed.value() == amount);
}

RC_GTEST_PROP(MoneyProperties, ValueMatchesTheDigitsWritten, ()) {
    // An independent reading of "<integer>[.<d>[<d>]]": integer * 100 + decimals padded right.
    const auto integer = *rc::gen::inRange<std::int64_t>(0, 1'000'000'000'000);
    const auto decimals = *rc::gen::inRange<int>(0, 3);
    const auto fraction = *rc::gen::inRange<std::int64_t>(0, decimals == 2 ? 100 : 10);
    std::string text = std::to_string(integer);
    std::int64_t expected = integer * 100;
    if (decimals == 1) {
        text += "." + std::to_string(fraction);
        expected += fraction * 10;
    } else if (decimals == 2) {
        text += (fraction < 10 ? ".0" : ".") + std::to_string(fraction);
        expected += fraction;
    }
    const Result<Money> parsed = parse_amount(text, kLargest);
    if (expected == 0) {
        RC_ASSERT(!parsed.ok());
    } else {
        RC_ASSERT(parsed.ok());
        RC_ASSERT(parsed.value().minor() == expected);
    }
}

RC_GTEST_PROP(MoneyProperties, AnyCharacterOutsideDigitsAndPointIsRejected, ()) {
    const auto is_allowed = [](char c) { return (c >= '0' && c <= '9') || c == '.'; };
    auto text = *rc::gen::container<std::string>(rc::gen::element('0', '1', '5', '9', '.'));
    const auto bad =
        *rc::gen::suchThat(rc::gen::arbitrary<char>(), [&](char c) { return !is_allowed(c); });
    const auto position = *rc::gen::inRange<std::size_t>(0, text.size() + 1);
    text.insert(position, 1, bad);
    const Result<Money> parsed = parse_amount(text, kLargest);
    RC_ASSERT(!parsed.ok());
    RC_ASSERT(parsed.error().slug == "invalid_amount");
}

RC_GTEST_PROP(MoneyProperties, ThreeOrMoreDecimalsAreRejected, ()) {
    const auto digit = rc::gen::inRange('0', static_cast<char>('9' + 1));
    const auto integer = std::to_string(*rc::gen::inRange<std::int64_t>(0, 1'000'000'000));
    const auto fraction_size = *rc::gen::inRange<std::size_t>(3, 20);
    const auto fraction = *rc::gen::container<std::string>(fraction_size, digit);
    const std::string text = integer + "." + fraction;
    const Result<Money> parsed = parse_amount(text, kLargest);
    RC_ASSERT(!parsed.ok());
    RC_ASSERT(parsed.error().detail == (text.size() > kMaxAmountTextLength
                                            ? "amount must be at most 32 characters"
                                            : "amount must have at most 2 decimal places"));
}

RC_GTEST_PROP(MoneyProperties, ArbitraryBytesNeverCrashAndOnlyYieldAmountsInRange, ()) {
    const auto text = *rc::gen::oneOf(
        rc::gen::arbitrary<std::string>(),
        rc::gen::container<std::string>(rc::gen::element('0', '1', '9', '.', '-', 'e', ' ')));
    const Result<Money> parsed = parse_amount(text, kMillion);
    if (parsed.ok()) {
        RC_ASSERT(parsed.value() > Money{});
        RC_ASSERT(parsed.value() <= kMillion);
        // Whatever was accepted must read back the same after a trip through format().
        RC_ASSERT(parse_amount(format(parsed.value()), kMillion).value() == parsed.value());
    } else {
        RC_ASSERT(parsed.error().slug == "invalid_amount");
    }
}

RC_GTEST_PROP(MoneyProperties, AmountLiteralNeverCrashesOnArbitraryBodies, ()) {
    const auto body = *rc::gen::oneOf(
        rc::gen::arbitrary<std::string>(),
        rc::gen::container<std::string>(rc::gen::element<char>('{', '}', '[', ']', '"', ':', ',',
                                                               '1', '.', 'e', '-', '\\', 'u')),
        rc::gen::map(rc::gen::arbitrary<std::string>(),
                     [](const std::string& value) { return R"({"amount":)" + value + "}"; }));
    const Result<std::string> literal = amount_literal(body);
    if (literal.ok()) {
        RC_ASSERT(literal.value().size() <= kMaxAmountTextLength);
    } else {
        RC_ASSERT(!literal.error().slug.empty());
    }
}

}  // namespace
}  // namespace bank::money
