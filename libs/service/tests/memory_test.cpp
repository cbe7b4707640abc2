// Proves that release_free_memory() hands back free pages from the middle of the heap, which
// free() alone keeps: the burst-then-quiet pattern of a service after a Redis stall. Also that
// BANK_MEMORY_TRIM_MS is read with its default, accepts 0 (never) and refuses nonsense.
#include "bank/service/memory.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bank/service/runtime.hpp"

namespace bank::service {
namespace {

std::int64_t rss_anon_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("RssAnon:", 0) == 0) return std::stoll(line.substr(8));
    }
    ADD_FAILURE() << "no RssAnon in /proc/self/status";
    return 0;
}

TEST(ReleaseFreeMemory, ReturnsFreePagesBetweenLiveBlocks) {
    // 32 MiB in 1 KiB blocks, all touched; then every block but one in 64 is freed. The kept
    // blocks pin the heap, so glibc cannot shrink it from the top: the free 63 KiB gaps stay
    // resident until trimmed.
    constexpr std::size_t kBlock = 1024;
    constexpr std::size_t kBlocks = 32 * 1024;
    std::vector<char*> blocks(kBlocks);
    for (auto& block : blocks) {
        block = static_cast<char*>(::operator new(kBlock));
        std::memset(block, 0x5a, kBlock);
    }
    std::vector<char*> kept;
    for (std::size_t i = 0; i < kBlocks; ++i) {
        if (i % 64 == 0) {
            kept.push_back(blocks[i]);
        } else {
            ::operator delete(blocks[i]);
        }
    }
    const std::int64_t before = rss_anon_kib();
    release_free_memory();
    const std::int64_t after = rss_anon_kib();
    // Nearly 31 MiB is free in whole pages; at least half of it must be gone from RSS.
    EXPECT_GE(before - after, 16 * 1024) << "RssAnon " << before << " kB -> " << after << " kB";
    for (char* block : kept) {
        EXPECT_EQ(block[kBlock - 1], 0x5a);  // the live blocks are untouched
        ::operator delete(block);
    }
}

config::Env env_of(std::map<std::string, std::string> values) {
    return config::Env([values = std::move(values)](const std::string& name) {
        auto found = values.find(name);
        return found == values.end() ? std::nullopt : std::optional<std::string>(found->second);
    });
}

TEST(MemoryTrimSetting, DefaultsToTenSecondsAndAcceptsZero) {
    auto defaults = env_of({});
    EXPECT_EQ(read_common_settings(defaults, "test", 8080).memory_trim_interval.count(), 10'000);
    EXPECT_TRUE(defaults.ok());

    auto never = env_of({{"BANK_MEMORY_TRIM_MS", "0"}});
    EXPECT_EQ(read_common_settings(never, "test", 8080).memory_trim_interval.count(), 0);
    EXPECT_TRUE(never.ok());
}

TEST(MemoryTrimSetting, RefusesNegativeAndNonNumbers) {
    for (const char* bad : {"-1", "often", "3600001"}) {
        auto env = env_of({{"BANK_MEMORY_TRIM_MS", bad}});
        (void)read_common_settings(env, "test", 8080);
        ASSERT_FALSE(env.ok()) << bad;
        EXPECT_NE(env.errors().front().find("BANK_MEMORY_TRIM_MS"), std::string::npos) << bad;
    }
}

}  // namespace
}  // namespace bank::service
