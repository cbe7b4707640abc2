// Proves that release_free_memory() hands back free pages from the middle of a heap, which free()
// alone keeps: the burst-then-quiet pattern of a service after a Redis stall. Built without the
// sanitizers (libs/service/CMakeLists.txt), so the ASan presets run the glibc code that release
// builds run.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "bank/service/memory.hpp"

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

constexpr std::size_t kBlock = 1024;
constexpr std::size_t kBlocks = 32 * 1024;

// 32 MiB in 1 KiB blocks, all touched; then every block but one in 64 is freed. The kept blocks
// pin the heap, so glibc cannot shrink it from the top: the free 63 KiB gaps stay resident until
// trimmed. Returns the kept blocks.
std::vector<char*> fragment_heap() {
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
    return kept;
}

void free_kept(const std::vector<char*>& kept) {
    for (char* block : kept) {
        EXPECT_EQ(block[kBlock - 1], 0x5a);  // the live blocks are untouched
        ::operator delete(block);
    }
}

// Nearly 31 MiB is free in whole pages; at least half of it must leave the RSS.
constexpr std::int64_t kMinReleasedKib = 16 * 1024;

TEST(ReleaseFreeMemory, ReturnsFreePagesOfAnotherThreadsArena) {
    // The services' case: an I/O thread's own arena, trimmed from the main thread while the
    // I/O thread still runs.
    std::promise<void> fragmented;
    std::promise<void> trimmed;
    std::thread io_thread([&] {
        auto kept = fragment_heap();
        fragmented.set_value();
        trimmed.get_future().wait();
        free_kept(kept);
    });
    fragmented.get_future().wait();
    const std::int64_t before = rss_anon_kib();
    EXPECT_TRUE(release_free_memory());
    const std::int64_t after = rss_anon_kib();
    trimmed.set_value();
    io_thread.join();
    EXPECT_GE(before - after, kMinReleasedKib)
        << "RssAnon " << before << " kB -> " << after << " kB";
}

TEST(ReleaseFreeMemory, ReturnsFreePagesOfTheMainHeap) {
    auto kept = fragment_heap();
    const std::int64_t before = rss_anon_kib();
    EXPECT_TRUE(release_free_memory());
    const std::int64_t after = rss_anon_kib();
    free_kept(kept);
    EXPECT_GE(before - after, kMinReleasedKib)
        << "RssAnon " << before << " kB -> " << after << " kB";
}

}  // namespace
}  // namespace bank::service
