#pragma once
// The per-username brake on password guessing (OWASP API2:2023, Broken Authentication). The
// gateway limits requests per client address; this limits attempts per account, whatever
// address they come from, so a guesser spread over many addresses gains nothing.
//
// Every failed password attempt for a name is counted; a successful login forgets the count. The
// failure that brings the count to `lock_after` and every later one lock the name for a window
// that doubles each time, from `base_lock` up to `max_lock`:
//
//   failures 1 .. lock_after-1   no wait
//   failure  lock_after + k      then locked for min(base_lock * 2^k, max_lock)
//
// While a name is locked its attempts are refused (429 with Retry-After) without looking at the
// password, so they cost no hash and teach the guesser nothing. With the defaults (5, 1 s,
// 15 min) a guesser gets 5 tries at once, about 15 in the first 17 minutes, then 4 an hour.
// Failures are counted after the check, so correct logins never count (a client may log one user
// in many times at once), while guesses already in flight when a lock starts are still checked;
// each of them that fails doubles the lock again, so a burst only makes the lock longer.
//
// Never a permanent lockout: a lock lasts at most max_lock after the last attempt, needs no
// administrator to clear, and the count itself is forgotten `memory` after the last attempt. The
// price is that someone who keeps failing on a victim's name delays the victim's own logins by
// up to max_lock, but never longer than that after they stop. Names that could never be registered
// are not counted (nothing is stored for them), and unknown but valid names are counted exactly
// like real ones, so a 429 says nothing about whether an account exists.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bank::auth {

struct LoginThrottlePolicy {
    std::int64_t lock_after = 5;
    std::chrono::seconds base_lock{1};
    std::chrono::seconds max_lock{15 * 60};
    std::chrono::seconds memory{60 * 60};
};

// Why the policy cannot be used (a zero count, a cap below the base, ...), or nullopt.
[[nodiscard]] std::optional<std::string> policy_problem(const LoginThrottlePolicy& policy);

// How long the name is locked after its `failure`-th counted failure (1-based): zero before
// lock_after, then base_lock doubled per failure, capped at max_lock. Never overflows.
[[nodiscard]] std::chrono::seconds lock_after_failure(const LoginThrottlePolicy& policy,
                                                      std::int64_t failure);

// lock_after_failure for failures lock_after, lock_after + 1, ... up to the first that reaches
// max_lock, which then applies to every later failure. The Redis store hands this to its script,
// so the formula lives only here.
[[nodiscard]] std::vector<std::chrono::seconds> lock_schedule(const LoginThrottlePolicy& policy);

}  // namespace bank::auth
