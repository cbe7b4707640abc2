// Proves the verified-token cache's rules: an entry answers only for the exact token, only until
// its exp, at most `capacity` entries are kept (the oldest inserted goes first), capacity 0 keeps
// nothing, and concurrent use from several threads is safe.
#include "bank/service/token_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace bank::service {
namespace {

const Caller kAlice{"user-1", "alice"};
const Caller kBob{"user-2", "bob"};

TEST(TokenCache, AnswersOnlyForTheStoredToken) {
    TokenCache cache(8);
    EXPECT_FALSE(cache.find("a.b.c", 100).has_value());
    cache.insert("a.b.c", kAlice, 200);
    const auto found = cache.find("a.b.c", 100);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->user_id, "user-1");
    EXPECT_EQ(found->username, "alice");
    // One character more or less is another token.
    EXPECT_FALSE(cache.find("a.b.cd", 100).has_value());
    EXPECT_FALSE(cache.find("a.b.", 100).has_value());
    const auto stats = cache.stats();
    EXPECT_EQ(stats.hits, 1u);
    EXPECT_EQ(stats.misses, 3u);
    EXPECT_EQ(stats.entries, 1u);
}

TEST(TokenCache, ForgetsATokenAfterItsExp) {
    TokenCache cache(8);
    cache.insert("token", kAlice, 1000);
    EXPECT_TRUE(cache.find("token", 999).has_value());
    EXPECT_TRUE(cache.find("token", 1000).has_value());  // exp itself is still valid
    EXPECT_FALSE(cache.find("token", 1001).has_value());
    EXPECT_EQ(cache.stats().entries, 0u);  // the expired entry is gone, not just hidden
    // Going back in time does not bring it back.
    EXPECT_FALSE(cache.find("token", 999).has_value());
}

TEST(TokenCache, KeepsAtMostCapacityEntriesDroppingTheOldest) {
    TokenCache cache(3);
    for (int i = 0; i < 5; ++i) {
        cache.insert("token-" + std::to_string(i), kAlice, 1000);
    }
    const auto stats = cache.stats();
    EXPECT_EQ(stats.entries, 3u);
    EXPECT_EQ(stats.evictions, 2u);
    EXPECT_FALSE(cache.find("token-0", 1).has_value());
    EXPECT_FALSE(cache.find("token-1", 1).has_value());
    EXPECT_TRUE(cache.find("token-2", 1).has_value());
    EXPECT_TRUE(cache.find("token-3", 1).has_value());
    EXPECT_TRUE(cache.find("token-4", 1).has_value());
}

TEST(TokenCache, AnExpiredEntryFreesItsSlotWithoutDisturbingOthers) {
    TokenCache cache(2);
    cache.insert("short", kAlice, 10);
    cache.insert("long", kBob, 1000);
    EXPECT_FALSE(cache.find("short", 11).has_value());
    // The ring reaches the freed slot first: nothing valid is evicted for the newcomer.
    cache.insert("new", kAlice, 1000);
    EXPECT_TRUE(cache.find("long", 11).has_value());
    EXPECT_TRUE(cache.find("new", 11).has_value());
    EXPECT_EQ(cache.stats().evictions, 0u);
}

TEST(TokenCache, ARepeatedInsertKeepsTheFirstEntry) {
    TokenCache cache(4);
    cache.insert("token", kAlice, 1000);
    cache.insert("token", kBob, 2000);
    const auto found = cache.find("token", 1500);
    EXPECT_FALSE(found.has_value());  // the first entry's exp (1000) stands
    EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(TokenCache, CapacityZeroStoresNothing) {
    TokenCache cache(0);
    cache.insert("token", kAlice, 1000);
    EXPECT_FALSE(cache.find("token", 1).has_value());
    EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(TokenCache, IsSafeToShareBetweenThreads) {
    TokenCache cache(64);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&cache, t] {
            for (int i = 0; i < 2000; ++i) {
                const std::string token = "token-" + std::to_string((i * 7 + t) % 100);
                if (!cache.find(token, 5)) cache.insert(token, kAlice, 10);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    const auto stats = cache.stats();
    EXPECT_LE(stats.entries, 64u);
    EXPECT_EQ(stats.hits + stats.misses, 8000u);
}

}  // namespace
}  // namespace bank::service
