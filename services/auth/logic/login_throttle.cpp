#include "logic/login_throttle.hpp"

namespace bank::auth {

std::optional<std::string> policy_problem(const LoginThrottlePolicy& policy) {
    if (policy.lock_after < 1) return "lock_after must be at least 1";
    if (policy.base_lock.count() < 1) return "base_lock must be at least 1 second";
    if (policy.max_lock < policy.base_lock) return "max_lock must not be below base_lock";
    if (policy.memory < policy.max_lock) return "memory must not be below max_lock";
    return std::nullopt;
}

std::chrono::seconds lock_after_failure(const LoginThrottlePolicy& policy, std::int64_t failure) {
    if (failure < policy.lock_after) return std::chrono::seconds{0};
    std::int64_t lock_s = policy.base_lock.count();
    const std::int64_t max_s = policy.max_lock.count();
    // Doubling stops at the cap, so 2^k is never computed for a large k, and never overflows.
    for (std::int64_t step = policy.lock_after; step < failure && lock_s < max_s; ++step) {
        lock_s = lock_s <= max_s / 2 ? lock_s * 2 : max_s;
    }
    return std::chrono::seconds{lock_s < max_s ? lock_s : max_s};
}

std::vector<std::chrono::seconds> lock_schedule(const LoginThrottlePolicy& policy) {
    std::vector<std::chrono::seconds> schedule;
    for (std::int64_t failure = policy.lock_after;; ++failure) {
        schedule.push_back(lock_after_failure(policy, failure));
        // Doubling reaches any cap within 63 steps; the bound also ends a policy that never
        // grows (a zero base, refused by policy_problem) instead of looping forever.
        if (schedule.back() >= policy.max_lock || schedule.size() >= 64) break;
    }
    return schedule;
}

}  // namespace bank::auth
