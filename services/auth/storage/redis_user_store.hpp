#pragma once
// UserStore on Redis. Keys (all under "auth:", the auth service's own ACL prefix):
//   auth:user:<user_id>         hash {username, password_hash, created_at}
//   auth:username:<canonical>   string user_id: the unique index; lookups are one GET + HGETALL
//   auth:refresh:<sha256 hex>   hash {user_id, username, family, used}; expires with the token
//   auth:family:<family>        string "revoked" once the family is revoked; expires after the
//                               longest a token of that family can live
//   auth:throttle:<canonical>   hash {failures, locked_until}: failed-login throttling; expires
//                               its lock plus the policy's memory after the last failure
// Each multi-key change is one Lua script, so it is atomic and needs one round trip.

#include "bank/redis/pool.hpp"
#include "storage/user_store.hpp"

namespace bank::auth {

class RedisUserStore final : public UserStore {
  public:
    explicit RedisUserStore(redis::Pool& pool);

    boost::asio::awaitable<Result<bool>> create_user(const UserRecord& user,
                                                     std::string_view canonical_username,
                                                     std::int64_t created_at_s) override;
    boost::asio::awaitable<Result<std::optional<UserRecord>>> find_by_username(
        std::string_view canonical_username) override;
    boost::asio::awaitable<Result<bool>> delete_user(std::string_view user_id) override;
    boost::asio::awaitable<Status> save_refresh(std::string_view token_hash,
                                                const RefreshRecord& record,
                                                std::chrono::seconds ttl) override;
    boost::asio::awaitable<Result<Rotation>> rotate_refresh(std::string_view old_hash,
                                                            std::string_view new_hash,
                                                            std::chrono::seconds ttl) override;
    boost::asio::awaitable<Status> revoke_family_of(std::string_view token_hash,
                                                    std::chrono::seconds ttl) override;
    boost::asio::awaitable<Result<std::int64_t>> login_lock_remaining(
        std::string_view canonical_username, std::int64_t now_s) override;
    boost::asio::awaitable<Result<std::int64_t>> record_login_failure(
        std::string_view canonical_username, std::int64_t now_s,
        const LoginThrottlePolicy& policy) override;
    boost::asio::awaitable<Status> reset_login_failures(
        std::string_view canonical_username) override;

  private:
    redis::Pool& pool_;
};

}  // namespace bank::auth
