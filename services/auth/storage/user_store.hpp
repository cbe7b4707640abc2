#pragma once
// Where the auth service keeps users and refresh tokens. The logic sees only this interface; the
// Redis implementation is in redis_user_store.*, the test double in tests/.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"
#include "logic/login_throttle.hpp"

namespace bank::auth {

struct UserRecord {
    std::string user_id;
    std::string username;  // as registered (display form)
    std::string password_hash;
};

// A refresh token is stored only as its SHA-256, so a copy of the database holds no usable token.
struct RefreshRecord {
    std::string user_id;
    std::string username;
    std::string family;  // every token rotated from one login shares the family id
};

enum class RotateOutcome {
    kRotated,  // the old token was valid and unused; the new one now stands in its place
    kInvalid,  // unknown, expired, or its family was revoked
    kReused,   // already used once: the family is now revoked (RFC 6819 section 5.2.2.3)
};

struct Rotation {
    RotateOutcome outcome = RotateOutcome::kInvalid;
    RefreshRecord record;  // set when kRotated
};

class UserStore {
  public:
    virtual ~UserStore() = default;

    // Creates the user unless the canonical username is taken (then false). Atomic: of many
    // concurrent calls for one name exactly one returns true.
    virtual boost::asio::awaitable<Result<bool>> create_user(const UserRecord& user,
                                                             std::string_view canonical_username,
                                                             std::int64_t created_at_s) = 0;
    virtual boost::asio::awaitable<Result<std::optional<UserRecord>>> find_by_username(
        std::string_view canonical_username) = 0;
    // Removes a user and frees the username (used by accounts to undo a half-done sign-up).
    // Returns false when there was no such user.
    virtual boost::asio::awaitable<Result<bool>> delete_user(std::string_view user_id) = 0;

    virtual boost::asio::awaitable<Status> save_refresh(std::string_view token_hash,
                                                        const RefreshRecord& record,
                                                        std::chrono::seconds ttl) = 0;
    // Atomically: old token valid and unused -> mark it used, store new_hash in the same family.
    virtual boost::asio::awaitable<Result<Rotation>> rotate_refresh(std::string_view old_hash,
                                                                    std::string_view new_hash,
                                                                    std::chrono::seconds ttl) = 0;
    // Revokes the family of the token with this hash, if there is one.
    virtual boost::asio::awaitable<Status> revoke_family_of(std::string_view token_hash,
                                                            std::chrono::seconds ttl) = 0;

    // Login throttling (logic/login_throttle.hpp). The seconds the name is still locked at now_s,
    // or 0.
    virtual boost::asio::awaitable<Result<std::int64_t>> login_lock_remaining(
        std::string_view canonical_username, std::int64_t now_s) = 0;
    // Atomically counts one failed login for the name and locks it until now_s +
    // lock_after_failure(policy, count) (never shortening a lock already set); keeps the record
    // for that lock plus policy.memory. Returns the new lock's length in seconds (0: none).
    virtual boost::asio::awaitable<Result<std::int64_t>> record_login_failure(
        std::string_view canonical_username, std::int64_t now_s,
        const LoginThrottlePolicy& policy) = 0;
    // Forgets the name's failures and lock (after a successful login).
    virtual boost::asio::awaitable<Status> reset_login_failures(
        std::string_view canonical_username) = 0;
};

}  // namespace bank::auth
