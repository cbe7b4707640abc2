// Proves the Redis UserStore against a real redis-server: exactly one winner among 20 concurrent
// registrations of one name, lookups through the index, delete freeing the name, refresh
// rotation/reuse/revocation in Lua, and expiry set on refresh tokens.
#include "storage/redis_user_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "bank/testing/connected_redis.hpp"

namespace bank::auth {
namespace {

class RedisUserStoreTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(redis_.start()); }
    template <typename T>
    T run(std::function<boost::asio::awaitable<T>()> task) {
        return redis_.run(task());
    }

    bank::testing::ConnectedRedis redis_;
    std::unique_ptr<RedisUserStore> store_ = std::make_unique<RedisUserStore>(redis_.pool());
};

// One registration attempt. A free coroutine, not a capturing lambda: co_spawn may destroy a
// lambda object while the coroutine it started is still suspended.
boost::asio::awaitable<void> register_one(RedisUserStore& store, int index,
                                          std::shared_ptr<std::vector<Result<bool>>> results,
                                          std::shared_ptr<int> remaining,
                                          boost::asio::steady_timer& done) {
    const UserRecord user{"id-" + std::to_string(index), "Alice", "h"};
    auto value = co_await store.create_user(user, "alice", 1);
    results->push_back(std::move(value));
    if (--*remaining == 0) done.cancel();
}

boost::asio::awaitable<std::vector<Result<bool>>> register_concurrently(RedisUserStore& store,
                                                                        int count) {
    auto results = std::make_shared<std::vector<Result<bool>>>();
    auto remaining = std::make_shared<int>(count);
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer done(executor, std::chrono::steady_clock::time_point::max());
    for (int i = 0; i < count; ++i) {
        boost::asio::co_spawn(executor, register_one(store, i, results, remaining, done),
                              boost::asio::detached);
    }
    co_await done.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return std::move(*results);
}

TEST_F(RedisUserStoreTest, ExactlyOneOfConcurrentRegistrationsWins) {
    // All 20 are started before any finishes: they share the pipelined connection.
    auto all = redis_.run(register_concurrently(*store_, 20));
    ASSERT_EQ(all.size(), 20u);
    int winners = 0;
    for (auto& value : all) {
        ASSERT_TRUE(value.ok());
        winners += *value ? 1 : 0;
    }
    EXPECT_EQ(winners, 1);
    auto found =
        run<Result<std::optional<UserRecord>>>([&] { return store_->find_by_username("alice"); });
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->username, "Alice");
    EXPECT_EQ((*found)->password_hash, "h");
}

TEST_F(RedisUserStoreTest, DeleteFreesTheName) {
    // Coroutine arguments taken by reference must outlive the call: named, not temporaries.
    const UserRecord first{"u1", "bob", "h"};
    const UserRecord second{"u2", "bob", "h"};
    ASSERT_TRUE(*run<Result<bool>>([&] { return store_->create_user(first, "bob", 1); }));
    EXPECT_TRUE(*run<Result<bool>>([&] { return store_->delete_user("u1"); }));
    EXPECT_FALSE(*run<Result<bool>>([&] { return store_->delete_user("u1"); }));
    auto found =
        run<Result<std::optional<UserRecord>>>([&] { return store_->find_by_username("bob"); });
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found->has_value());
    EXPECT_TRUE(*run<Result<bool>>([&] { return store_->create_user(second, "bob", 1); }));
}

TEST_F(RedisUserStoreTest, RefreshRotationReuseAndRevocation) {
    const auto ttl = std::chrono::seconds(3600);
    const RefreshRecord record{"u1", "bob", "fam"};
    const RefreshRecord record2{"u1", "bob", "fam2"};
    ASSERT_TRUE(run<Status>([&] { return store_->save_refresh("h1", record, ttl); }).ok());
    auto ttl_reply = redis_.command({"TTL", "auth:refresh:h1"});
    ASSERT_TRUE(ttl_reply.ok());
    EXPECT_GT(ttl_reply->as_integer(), 3500);

    auto rotated = run<Result<Rotation>>([&] { return store_->rotate_refresh("h1", "h2", ttl); });
    ASSERT_TRUE(rotated.ok());
    EXPECT_EQ(rotated->outcome, RotateOutcome::kRotated);
    EXPECT_EQ(rotated->record.user_id, "u1");
    EXPECT_EQ(rotated->record.family, "fam");

    auto reused = run<Result<Rotation>>([&] { return store_->rotate_refresh("h1", "h3", ttl); });
    EXPECT_EQ(reused->outcome, RotateOutcome::kReused);
    auto newest = run<Result<Rotation>>([&] { return store_->rotate_refresh("h2", "h4", ttl); });
    EXPECT_EQ(newest->outcome, RotateOutcome::kInvalid);

    ASSERT_TRUE(run<Status>([&] { return store_->save_refresh("k1", record2, ttl); }).ok());
    ASSERT_TRUE(run<Status>([&] { return store_->revoke_family_of("k1", ttl); }).ok());
    auto revoked = run<Result<Rotation>>([&] { return store_->rotate_refresh("k1", "k2", ttl); });
    EXPECT_EQ(revoked->outcome, RotateOutcome::kInvalid);
    auto unknown = run<Result<Rotation>>([&] { return store_->rotate_refresh("zz", "k3", ttl); });
    EXPECT_EQ(unknown->outcome, RotateOutcome::kInvalid);
}

}  // namespace
}  // namespace bank::auth
