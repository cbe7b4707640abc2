// Proves the Redis UserStore against a real redis-server: exactly one winner among 20 concurrent
// registrations of one name, lookups through the index, delete freeing the name, refresh
// rotation/reuse/revocation in Lua, expiry set on refresh tokens, and the failed-login throttle's
// atomic step: the same locks as the pure schedule, no counting while locked, concurrent attempts
// each counted once, the record's expiry, and reset.
#include "storage/redis_user_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <set>

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

// Awaits one task and files its result. A free coroutine, not a capturing lambda: co_spawn may
// destroy a lambda object while the coroutine it started is still suspended.
template <typename T>
boost::asio::awaitable<void> collect_one(boost::asio::awaitable<T> task,
                                         std::shared_ptr<std::vector<T>> results,
                                         std::shared_ptr<int> remaining,
                                         boost::asio::steady_timer& done) {
    results->push_back(co_await std::move(task));
    if (--*remaining == 0) done.cancel();
}

// Starts start(0) ... start(count - 1) together, before any finishes (they share the pipelined
// connection), and collects their results in the order they finish.
template <typename T, typename Start>
boost::asio::awaitable<std::vector<T>> all_at_once(int count, Start start) {
    auto results = std::make_shared<std::vector<T>>();
    auto remaining = std::make_shared<int>(count);
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer done(executor, std::chrono::steady_clock::time_point::max());
    for (int i = 0; i < count; ++i) {
        boost::asio::co_spawn(executor, collect_one<T>(start(i), results, remaining, done),
                              boost::asio::detached);
    }
    co_await done.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return std::move(*results);
}

boost::asio::awaitable<Result<bool>> register_one(RedisUserStore& store, int index) {
    const UserRecord user{"id-" + std::to_string(index), "Alice", "h"};
    co_return co_await store.create_user(user, "alice", 1);
}

TEST_F(RedisUserStoreTest, ExactlyOneOfConcurrentRegistrationsWins) {
    auto all = redis_.run(
        all_at_once<Result<bool>>(20, [this](int index) { return register_one(*store_, index); }));
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

TEST_F(RedisUserStoreTest, LoginThrottleFollowsTheScheduleAndExpires) {
    const LoginThrottlePolicy policy{3, std::chrono::seconds(2), std::chrono::seconds(16),
                                     std::chrono::seconds(100)};
    std::int64_t now = 1'700'000'000;
    const auto remaining = [&](const char* name) {
        return run<Result<std::int64_t>>([&] { return store_->login_lock_remaining(name, now); });
    };
    const auto fail = [&](const char* name) {
        return run<Result<std::int64_t>>(
            [&] { return store_->record_login_failure(name, now, policy); });
    };
    EXPECT_EQ(*remaining("alice"), 0);
    for (std::int64_t failure = 1; failure <= 9; ++failure) {
        const std::int64_t lock = lock_after_failure(policy, failure).count();
        auto set = fail("alice");
        ASSERT_TRUE(set.ok());
        EXPECT_EQ(*set, lock) << failure;
        auto ttl = redis_.command({"TTL", "auth:throttle:alice"});
        ASSERT_TRUE(ttl.ok());
        EXPECT_EQ(ttl->as_integer(), lock + 100) << failure;
        EXPECT_EQ(*remaining("alice"), lock) << failure;
        now += lock;
        EXPECT_EQ(*remaining("alice"), 0) << failure;
    }
    auto failures = redis_.command({"HGET", "auth:throttle:alice", "failures"});
    ASSERT_TRUE(failures.ok());
    EXPECT_EQ(failures->as_string(), "9");
    // A late failure with a shorter lock never shortens the lock already set.
    ASSERT_EQ(*fail("alice"), 16);
    now -= 10;
    ASSERT_EQ(*fail("alice"), 16);
    now += 10;
    EXPECT_EQ(*remaining("alice"), 16);
    // Another name has its own count; reset forgets only this one.
    EXPECT_EQ(*fail("bob"), 0);
    EXPECT_EQ(*remaining("bob"), 0);
    ASSERT_TRUE(run<Status>([&] { return store_->reset_login_failures("alice"); }).ok());
    EXPECT_EQ(*remaining("alice"), 0);
    EXPECT_EQ(redis_.command({"EXISTS", "auth:throttle:alice"})->as_integer(), 0);
    EXPECT_EQ(redis_.command({"EXISTS", "auth:throttle:bob"})->as_integer(), 1);
}

boost::asio::awaitable<Result<std::int64_t>> fail_once(RedisUserStore& store,
                                                       LoginThrottlePolicy policy) {
    co_return co_await store.record_login_failure("mallory", 1'700'000'000, policy);
}

TEST_F(RedisUserStoreTest, ConcurrentFailuresAreEachCountedOnce) {
    const LoginThrottlePolicy policy{5, std::chrono::seconds(1), std::chrono::seconds(900),
                                     std::chrono::seconds(3600)};
    // However the 20 interleave, each is one count: the locks they set are exactly the
    // schedule's for failures 1 to 20.
    auto all = redis_.run(all_at_once<Result<std::int64_t>>(
        20, [this, policy](int) { return fail_once(*store_, policy); }));
    ASSERT_EQ(all.size(), 20u);
    std::multiset<std::int64_t> locks;
    std::multiset<std::int64_t> expected;
    for (std::int64_t failure = 1; failure <= 20; ++failure) {
        ASSERT_TRUE(all[static_cast<std::size_t>(failure - 1)].ok());
        locks.insert(*all[static_cast<std::size_t>(failure - 1)]);
        expected.insert(lock_after_failure(policy, failure).count());
    }
    EXPECT_EQ(locks, expected);
    EXPECT_EQ(redis_.command({"HGET", "auth:throttle:mallory", "failures"})->as_string(), "20");
}

}  // namespace
}  // namespace bank::auth
