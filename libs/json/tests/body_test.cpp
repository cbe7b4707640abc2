// Proves the strict body rules: malformed JSON is a 400-class error, a non-object or repeated key
// is a validation error, wrong types and missing fields are reported per field, and every field
// a handler did not read is rejected (mass assignment).
#include "bank/json/body.hpp"

#include <gtest/gtest.h>

namespace bank::json {
namespace {

TEST(ParseObject, RejectsMalformedJson) {
    for (std::string_view body : {"", "{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "nul",
                                  "{\"a\":1} x", "{\"a\":\"\xff\"}", "/*c*/{}"}) {
        auto result = parse_object(body);
        ASSERT_FALSE(result.ok()) << body;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << body;
        EXPECT_EQ(result.error().slug, "malformed_json") << body;
    }
}

TEST(ParseObject, RejectsNonObjectsAndRepeatedKeys) {
    for (std::string_view body : {"[]", "1", "\"x\"", "null", "{\"a\":1,\"a\":2}"}) {
        auto result = parse_object(body);
        ASSERT_FALSE(result.ok()) << body;
        EXPECT_EQ(result.error().code, ErrorCode::kUnprocessable) << body;
        EXPECT_EQ(result.error().slug, "validation_failed") << body;
    }
}

TEST(ParseObject, BoundsDepth) {
    std::string deep(64, '[');
    deep += std::string(64, ']');
    auto result = parse_object("{\"a\":" + deep + "}");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().slug, "malformed_json");
}

TEST(FieldReader, ReadsFieldsAndRejectsUnknownOnes) {
    auto object = parse_object(R"({"username":"alice","phone":null,"balance":5})");
    ASSERT_TRUE(object.ok());
    FieldReader reader(*object);
    EXPECT_EQ(reader.required_string("username"), "alice");
    EXPECT_FALSE(reader.optional_string("phone").has_value());
    auto status = reader.finish();
    ASSERT_FALSE(status.ok());
    ASSERT_EQ(status.error().field_errors.size(), 1u);
    EXPECT_EQ(status.error().field_errors[0].field, "balance");
}

TEST(FieldReader, ReportsEveryMissingOrMistypedField) {
    auto object = parse_object(R"({"username":12,"email":["x"]})");
    ASSERT_TRUE(object.ok());
    FieldReader reader(*object);
    reader.required_string("username");
    reader.required_string("password");
    reader.optional_string("email");
    auto status = reader.finish();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kUnprocessable);
    ASSERT_EQ(status.error().field_errors.size(), 3u);
    EXPECT_EQ(status.error().field_errors[0].field, "username");
    EXPECT_EQ(status.error().field_errors[0].message, "must be a string, not a number");
    EXPECT_EQ(status.error().field_errors[1].field, "password");
    EXPECT_EQ(status.error().field_errors[1].message, "is required");
    EXPECT_EQ(status.error().field_errors[2].field, "email");
}

TEST(FieldReader, AcceptsACompleteBody) {
    auto object = parse_object(R"({"username":"bob"})");
    ASSERT_TRUE(object.ok());
    FieldReader reader(*object);
    EXPECT_EQ(reader.required_string("username"), "bob");
    EXPECT_TRUE(reader.finish().ok());
}

}  // namespace
}  // namespace bank::json
