// Proves form decoding (RFC 6749 uses application/x-www-form-urlencoded): '+' and percent
// escapes decode, repeated or nameless fields and broken escapes are errors, fields are capped.
#include "bank/http/form.hpp"

#include <gtest/gtest.h>

namespace bank::http {
namespace {

TEST(Form, DecodesFields) {
    auto form = parse_form("grant_type=password&username=al%69ce&password=p+w%2Bd%26x%3D");
    ASSERT_TRUE(form.ok());
    EXPECT_EQ(form->at("grant_type"), "password");
    EXPECT_EQ(form->at("username"), "alice");
    EXPECT_EQ(form->at("password"), "p w+d&x=");
}

TEST(Form, EmptyValuesAndEmptyPairs) {
    auto form = parse_form("a=&b&&c=1");
    ASSERT_TRUE(form.ok());
    EXPECT_EQ(form->at("a"), "");
    EXPECT_EQ(form->at("b"), "");
    EXPECT_EQ(form->at("c"), "1");
    EXPECT_TRUE(parse_form("").ok());
}

TEST(Form, RejectsBadInput) {
    for (std::string_view body : {"a=1&a=2", "=x", "a=%", "a=%4", "a=%zz", "%g1=2"}) {
        auto form = parse_form(body);
        ASSERT_FALSE(form.ok()) << body;
        EXPECT_EQ(form.error().code, ErrorCode::kInvalidArgument) << body;
    }
    std::string many;
    for (int i = 0; i < 40; ++i) many += "f" + std::to_string(i) + "=1&";
    EXPECT_FALSE(parse_form(many).ok());
}

}  // namespace
}  // namespace bank::http
