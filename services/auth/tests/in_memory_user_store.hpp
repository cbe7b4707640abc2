#pragma once
// The test double for UserStore: the same contract as the Redis store, in maps. Used to test
// AuthLogic without a server; the Redis store is tested against the same expectations.

#include <algorithm>
#include <map>

#include "logic/password_hasher.hpp"
#include "storage/user_store.hpp"

namespace bank::auth::testing {

class InMemoryUserStore final : public UserStore {
  public:
    boost::asio::awaitable<Result<bool>> create_user(const UserRecord& user,
                                                     std::string_view canonical,
                                                     std::int64_t) override {
        if (fail_next_) co_return take_failure();
        if (index_.contains(std::string(canonical))) co_return false;
        index_[std::string(canonical)] = user.user_id;
        users_[user.user_id] = user;
        co_return true;
    }
    boost::asio::awaitable<Result<std::optional<UserRecord>>> find_by_username(
        std::string_view canonical) override {
        if (fail_next_) co_return take_failure();
        auto it = index_.find(std::string(canonical));
        if (it == index_.end()) co_return std::optional<UserRecord>{};
        co_return std::optional<UserRecord>{users_.at(it->second)};
    }
    boost::asio::awaitable<Result<bool>> delete_user(std::string_view user_id) override {
        auto it = users_.find(std::string(user_id));
        if (it == users_.end()) co_return false;
        for (auto index = index_.begin(); index != index_.end(); ++index) {
            if (index->second == user_id) {
                index_.erase(index);
                break;
            }
        }
        users_.erase(it);
        co_return true;
    }
    boost::asio::awaitable<Status> save_refresh(std::string_view hash, const RefreshRecord& record,
                                                std::chrono::seconds) override {
        refresh_[std::string(hash)] = Entry{record, false};
        co_return ok_status();
    }
    boost::asio::awaitable<Result<Rotation>> rotate_refresh(std::string_view old_hash,
                                                            std::string_view new_hash,
                                                            std::chrono::seconds) override {
        auto it = refresh_.find(std::string(old_hash));
        if (it == refresh_.end() || revoked_.contains(it->second.record.family)) {
            co_return Rotation{RotateOutcome::kInvalid, {}};
        }
        if (it->second.used) {
            revoked_.insert({it->second.record.family, true});
            co_return Rotation{RotateOutcome::kReused, {}};
        }
        it->second.used = true;
        refresh_[std::string(new_hash)] = Entry{it->second.record, false};
        co_return Rotation{RotateOutcome::kRotated, it->second.record};
    }
    boost::asio::awaitable<Status> revoke_family_of(std::string_view hash,
                                                    std::chrono::seconds) override {
        auto it = refresh_.find(std::string(hash));
        if (it != refresh_.end()) revoked_.insert({it->second.record.family, true});
        co_return ok_status();
    }

    boost::asio::awaitable<Result<std::int64_t>> login_lock_remaining(std::string_view canonical,
                                                                      std::int64_t now_s) override {
        if (fail_next_) co_return take_failure();
        auto it = throttles_.find(std::string(canonical));
        if (it == throttles_.end() || it->second.locked_until_s <= now_s) co_return 0;
        co_return it->second.locked_until_s - now_s;
    }
    boost::asio::awaitable<Result<std::int64_t>> record_login_failure(
        std::string_view canonical, std::int64_t now_s,
        const LoginThrottlePolicy& policy) override {
        if (fail_next_) co_return take_failure();
        Throttle& throttle = throttles_[std::string(canonical)];
        const std::int64_t lock = lock_after_failure(policy, ++throttle.failures).count();
        if (lock > 0) throttle.locked_until_s = std::max(throttle.locked_until_s, now_s + lock);
        co_return lock;
    }
    boost::asio::awaitable<Status> reset_login_failures(std::string_view canonical) override {
        if (fail_next_) co_return take_failure();
        throttles_.erase(std::string(canonical));
        co_return ok_status();
    }

    // The next call fails as if Redis were down.
    void fail_next() { fail_next_ = true; }
    std::size_t user_count() const { return users_.size(); }
    const std::map<std::string, UserRecord>& users() const { return users_; }
    // Names with a throttle record (failures counted since the last success).
    std::size_t throttled_names() const { return throttles_.size(); }

  private:
    Error take_failure() {
        fail_next_ = false;
        return make_error(ErrorCode::kUnavailable, "redis_unavailable", "down");
    }
    struct Entry {
        RefreshRecord record;
        bool used = false;
    };
    std::map<std::string, std::string> index_;
    std::map<std::string, UserRecord> users_;
    std::map<std::string, Entry> refresh_;
    std::map<std::string, bool> revoked_;
    struct Throttle {
        std::int64_t failures = 0;
        std::int64_t locked_until_s = 0;
    };
    std::map<std::string, Throttle> throttles_;
    bool fail_next_ = false;
};

// Instant, transparent "hashing" so logic tests do not spend seconds in argon2id.
class FakeHasher final : public PasswordHasher {
  public:
    boost::asio::awaitable<Result<std::string>> hash(std::string password) override {
        ++hashes;
        co_return "fake$" + password;
    }
    boost::asio::awaitable<Result<bool>> verify(std::string hash, std::string password) override {
        ++verifications;
        co_return hash == "fake$" + password;
    }
    int hashes = 0;
    int verifications = 0;
};

}  // namespace bank::auth::testing
