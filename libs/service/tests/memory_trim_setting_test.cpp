// Proves that BANK_MEMORY_TRIM_MS is read with its default, accepts 0 (never) and refuses
// nonsense, including trims more often than once a second. (release_free_memory() itself:
// memory_release_test.cpp.)
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "bank/service/runtime.hpp"

namespace bank::service {
namespace {

config::Env env_of(std::map<std::string, std::string> values) {
    return config::Env([values = std::move(values)](const std::string& name) {
        auto found = values.find(name);
        return found == values.end() ? std::nullopt : std::optional<std::string>(found->second);
    });
}

TEST(MemoryTrimSetting, DefaultsToTenSecondsAndAcceptsZeroAndASecond) {
    auto defaults = env_of({});
    EXPECT_EQ(read_common_settings(defaults, "test", 8080).memory_trim_interval.count(), 10'000);
    EXPECT_TRUE(defaults.ok());

    auto never = env_of({{"BANK_MEMORY_TRIM_MS", "0"}});
    EXPECT_EQ(read_common_settings(never, "test", 8080).memory_trim_interval.count(), 0);
    EXPECT_TRUE(never.ok());

    auto each_second = env_of({{"BANK_MEMORY_TRIM_MS", "1000"}});
    EXPECT_EQ(read_common_settings(each_second, "test", 8080).memory_trim_interval.count(), 1000);
    EXPECT_TRUE(each_second.ok());
}

TEST(MemoryTrimSetting, RefusesNonsenseAndSubSecondIntervals) {
    for (const char* bad : {"-1", "often", "3600001", "1", "999"}) {
        auto env = env_of({{"BANK_MEMORY_TRIM_MS", bad}});
        (void)read_common_settings(env, "test", 8080);
        ASSERT_FALSE(env.ok()) << bad;
        EXPECT_NE(env.errors().front().find("BANK_MEMORY_TRIM_MS"), std::string::npos) << bad;
    }
}

}  // namespace
}  // namespace bank::service
