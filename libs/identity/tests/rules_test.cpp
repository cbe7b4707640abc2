// Proves the customer identity rules at and around every boundary: username length and
// alphabet, password length in code points (not bytes), email shape, names and phone numbers,
// and case-insensitive canonical usernames.
#include "bank/identity/rules.hpp"

#include <gtest/gtest.h>

namespace bank::identity {
namespace {

TEST(Rules, Username) {
    for (std::string_view ok : {"abc", "A_b.c-9", "abcdefghijabcdefghijabcdefghij12"}) {
        EXPECT_FALSE(username_problem(ok)) << ok;
    }
    for (std::string_view bad : {"", "ab", "abcdefghijabcdefghijabcdefghij123", "a b", "al{ce}",
                                 "bob:1", "ali*", "émile", "a\nb"}) {
        EXPECT_TRUE(username_problem(bad)) << bad;
    }
    EXPECT_TRUE(username_problem(std::string_view("abc\0d", 5)));
}

TEST(Rules, PasswordCountsCodePoints) {
    EXPECT_FALSE(password_problem("12345678"));
    EXPECT_TRUE(password_problem("1234567"));
    EXPECT_FALSE(password_problem(std::string(128, 'x')));
    EXPECT_TRUE(password_problem(std::string(129, 'x')));
    // Eight two-byte characters are eight characters, not sixteen.
    EXPECT_FALSE(password_problem("éééééééé"));
    EXPECT_TRUE(password_problem("ééééééé"));
    EXPECT_TRUE(password_problem("abcdefg\x01"));
}

TEST(Rules, Email) {
    for (std::string_view ok : {"a@b.co", "first.last+tag@sub.example.org", "x_y@ex-ample.com"}) {
        EXPECT_FALSE(email_problem(ok)) << ok;
    }
    for (std::string_view bad :
         {"", "a", "a@b", "@b.com", "a@@b.com", "a@b.com@c.com", "a b@c.com", "a@-b.com",
          "a@b-.com", "a@b..com", "a@.b.com", "a@b.com.", ".a@b.com", "a..b@c.com", "a@b_c.com"}) {
        EXPECT_TRUE(email_problem(bad)) << bad;
    }
    EXPECT_TRUE(email_problem(std::string(250, 'a') + "@b.com"));
}

TEST(Rules, NamesAndPhones) {
    EXPECT_FALSE(name_problem("Zoë"));
    EXPECT_TRUE(name_problem(""));
    EXPECT_TRUE(name_problem("   "));
    EXPECT_TRUE(name_problem(std::string(65, 'a')));
    EXPECT_FALSE(phone_problem("+1 (555) 123-4567"));
    EXPECT_FALSE(phone_problem("5551234"));
    EXPECT_TRUE(phone_problem("555123"));
    EXPECT_TRUE(phone_problem("1234567890123456"));
    EXPECT_TRUE(phone_problem("55-51-23x4"));
    EXPECT_TRUE(phone_problem("12+34567890"));
}

TEST(Rules, CanonicalUsername) {
    EXPECT_EQ(canonical_username("Alice.B"), "alice.b");
    EXPECT_EQ(canonical_username("ALICE"), canonical_username("alice"));
}

}  // namespace
}  // namespace bank::identity
