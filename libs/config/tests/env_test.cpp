// Proves that configuration falls back to defaults, rejects every malformed or out-of-range
// value with a message naming the variable, and collects all problems rather than the first.
#include "bank/config/env.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace bank::config {
namespace {

Env make_env(std::map<std::string, std::string> values) {
    return Env([values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    });
}

TEST(Env, DefaultsWhenUnsetOrEmpty) {
    Env env = make_env({{"EMPTY", ""}});
    EXPECT_EQ(env.string("MISSING", "x"), "x");
    EXPECT_EQ(env.string("EMPTY", "y"), "y");
    EXPECT_EQ(env.integer("MISSING", 5, 0, 10), 5);
    EXPECT_EQ(env.port("MISSING", 8080), 8080);
    EXPECT_TRUE(env.boolean("MISSING", true));
    EXPECT_TRUE(env.ok());
}

TEST(Env, ParsesValidValues) {
    Env env = make_env({{"N", "7"}, {"P", "65535"}, {"B", "off"}, {"D", "250"}, {"C", "b"}});
    EXPECT_EQ(env.integer("N", 0, 0, 10), 7);
    EXPECT_EQ(env.port("P", 1), 65535);
    EXPECT_FALSE(env.boolean("B", true));
    EXPECT_EQ(env.duration_ms("D", 1, 1, 1000).count(), 250);
    EXPECT_EQ(env.choice("C", "a", {"a", "b"}), "b");
    EXPECT_TRUE(env.ok());
}

TEST(Env, RejectsBadValuesNamingTheVariable) {
    Env env = make_env({{"N", "12x"},
                        {"P", "70000"},
                        {"Z", "0"},
                        {"B", "maybe"},
                        {"NEG", "-1"},
                        {"C", "zz"},
                        {"SPACE", " 5"}});
    env.integer("N", 0, 0, 100);
    env.port("P", 1);
    env.port("Z", 1);
    env.boolean("B", false);
    env.integer("NEG", 0, 0, 100);
    env.choice("C", "a", {"a", "b"});
    env.integer("SPACE", 0, 0, 100);
    ASSERT_EQ(env.errors().size(), 7u);
    EXPECT_NE(env.errors()[0].find("N:"), std::string::npos);
    EXPECT_NE(env.errors()[1].find("P:"), std::string::npos);
    EXPECT_NE(env.errors()[2].find("Z:"), std::string::npos);
    EXPECT_NE(env.errors()[3].find("B:"), std::string::npos);
    EXPECT_FALSE(env.ok());
}

TEST(Env, RequiredStringMustBePresent) {
    Env env = make_env({});
    env.required_string("KEY_PATH", "");
    ASSERT_EQ(env.errors().size(), 1u);
    EXPECT_EQ(env.errors()[0], "KEY_PATH: is required");
}

TEST(ReadSecretFile, TrimsAndRejectsEmptyOrMissing) {
    const std::string path = ::testing::TempDir() + "secret-test";
    {
        std::ofstream file(path);
        file << "  abc123\n";
    }
    EXPECT_EQ(read_secret_file(path), "abc123");
    {
        std::ofstream file(path);
        file << " \n";
    }
    EXPECT_FALSE(read_secret_file(path).has_value());
    std::remove(path.c_str());
    EXPECT_FALSE(read_secret_file(path).has_value());
}

}  // namespace
}  // namespace bank::config
