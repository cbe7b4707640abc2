// Proves the Redis AccountStore against a real redis-server: create is all-or-nothing with its
// two indexes, a colliding account number or a second account for a user or username is
// refused, and find returns the profile with the ledger's balance (0 when the ledger has none).
#include "storage/redis_account_store.hpp"

#include <gtest/gtest.h>

#include "bank/testing/connected_redis.hpp"

namespace bank::accounts {
namespace {

class RedisAccountStoreTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(redis_.start()); }
    template <typename T>
    T run(std::function<boost::asio::awaitable<T>()> task) {
        return redis_.run(task());
    }

    bank::testing::ConnectedRedis redis_;
    std::unique_ptr<RedisAccountStore> store_ = std::make_unique<RedisAccountStore>(redis_.pool());
};

TEST_F(RedisAccountStoreTest, CreateFindAndConflicts) {
    const Account alice{"u1",         "Alice",      "a@b.co", "Alice",      "Smith",
                        std::nullopt, "1234567890", "USD",    1'700'000'000};
    auto created = run<Result<CreateOutcome>>([&] { return store_->create(alice, "alice"); });
    ASSERT_TRUE(created.ok());
    EXPECT_EQ(*created, CreateOutcome::kCreated);

    const Account same_number{
        "u2", "bob", "b@b.co", "Bob", "B", std::string("+15551234567"), "1234567890", "USD", 1};
    EXPECT_EQ(*run<Result<CreateOutcome>>([&] { return store_->create(same_number, "bob"); }),
              CreateOutcome::kNumberTaken);
    const Account same_name{"u3",         "ALICE",      "c@b.co", "C", "C",
                            std::nullopt, "1111111111", "USD",    1};
    EXPECT_EQ(*run<Result<CreateOutcome>>([&] { return store_->create(same_name, "alice"); }),
              CreateOutcome::kAlreadyExists);
    // The refused attempts left no index behind.
    EXPECT_TRUE(*run<Result<bool>>([&] { return store_->username_has_account("alice"); }));
    EXPECT_FALSE(*run<Result<bool>>([&] { return store_->username_has_account("bob"); }));

    auto found = run<Result<std::optional<AccountView>>>([&] { return store_->find("u1"); });
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->account.username, "Alice");
    EXPECT_EQ((*found)->account.account_number, "1234567890");
    EXPECT_FALSE((*found)->account.phone.has_value());
    EXPECT_EQ((*found)->account.created_at_s, 1'700'000'000);
    EXPECT_EQ((*found)->balance_minor, 0);

    auto set = redis_.command({"SET", "ledger:balance:u1", "17000"});
    ASSERT_TRUE(set.ok());
    found = run<Result<std::optional<AccountView>>>([&] { return store_->find("u1"); });
    EXPECT_EQ((*found)->balance_minor, 17000);

    auto missing = run<Result<std::optional<AccountView>>>([&] { return store_->find("nope"); });
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value());
}

}  // namespace
}  // namespace bank::accounts
