// Proves the failed-login throttle's arithmetic (logic/login_throttle.hpp): no wait before
// lock_after failures, then a lock doubling from the base up to the cap and never past it, even
// for absurd failure counts and caps; the schedule the Redis script indexes; and that policies
// which could lock forever or never are refused.
#include "logic/login_throttle.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace bank::auth {
namespace {

using std::chrono::seconds;

TEST(LoginThrottle, DefaultsLockAfterFiveThenDoubleToFifteenMinutes) {
    const LoginThrottlePolicy policy;
    for (std::int64_t failure = 0; failure < 5; ++failure) {
        EXPECT_EQ(lock_after_failure(policy, failure), seconds(0)) << failure;
    }
    EXPECT_EQ(lock_after_failure(policy, 5), seconds(1));
    EXPECT_EQ(lock_after_failure(policy, 6), seconds(2));
    EXPECT_EQ(lock_after_failure(policy, 7), seconds(4));
    EXPECT_EQ(lock_after_failure(policy, 14), seconds(512));
    EXPECT_EQ(lock_after_failure(policy, 15), seconds(900));
    EXPECT_EQ(lock_after_failure(policy, 16), seconds(900));
}

TEST(LoginThrottle, NeverOverflowsOrPassesTheCap) {
    LoginThrottlePolicy policy;
    EXPECT_EQ(lock_after_failure(policy, std::numeric_limits<std::int64_t>::max()), seconds(900));
    policy.max_lock = seconds(std::numeric_limits<std::int64_t>::max());
    const seconds huge = lock_after_failure(policy, std::numeric_limits<std::int64_t>::max());
    EXPECT_GT(huge, seconds(0));
    EXPECT_LE(huge, policy.max_lock);
}

TEST(LoginThrottle, ScheduleRunsFromTheFirstLockToTheCap) {
    const std::vector<seconds> schedule = lock_schedule(LoginThrottlePolicy{});
    const std::vector<seconds> expected{seconds(1),   seconds(2),   seconds(4),  seconds(8),
                                        seconds(16),  seconds(32),  seconds(64), seconds(128),
                                        seconds(256), seconds(512), seconds(900)};
    EXPECT_EQ(schedule, expected);
    const LoginThrottlePolicy flat{3, seconds(60), seconds(60), seconds(3600)};
    EXPECT_EQ(lock_schedule(flat), std::vector<seconds>{seconds(60)});
}

TEST(LoginThrottle, RefusesPoliciesThatLockNeverOrForever) {
    EXPECT_FALSE(policy_problem(LoginThrottlePolicy{}));
    EXPECT_TRUE(policy_problem(LoginThrottlePolicy{0, seconds(1), seconds(900), seconds(3600)}));
    EXPECT_TRUE(policy_problem(LoginThrottlePolicy{5, seconds(0), seconds(900), seconds(3600)}));
    EXPECT_TRUE(policy_problem(LoginThrottlePolicy{5, seconds(10), seconds(5), seconds(3600)}));
    EXPECT_TRUE(policy_problem(LoginThrottlePolicy{5, seconds(1), seconds(900), seconds(60)}));
}

}  // namespace
}  // namespace bank::auth
