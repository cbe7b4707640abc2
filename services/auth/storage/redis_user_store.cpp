#include "storage/redis_user_store.hpp"

#include <array>
#include <string>
#include <vector>

#include "bank/redis/outcome.hpp"

namespace bank::auth {

namespace asio = boost::asio;

namespace {

// KEYS: username index, user hash. ARGV: user_id, username, password_hash, created_at.
// SET NX on the index is the uniqueness decision; the hash is written only by the winner.
const redis::Script kCreateUser(R"lua(
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('HSET', KEYS[2], 'username', ARGV[2], 'password_hash', ARGV[3], 'created_at', ARGV[4])
  return 1
end
return 0
)lua");

// KEYS: username index. ARGV: user key prefix. One round trip for a login's lookup: {} when
// there is no such user (or the index outlives the hash for a moment while delete_user runs),
// else {user_id, username, password_hash}.
const redis::Script kFindUser(R"lua(
local id = redis.call('GET', KEYS[1])
if not id then return {} end
local fields = redis.call('HMGET', ARGV[1] .. id, 'username', 'password_hash')
if not fields[1] or not fields[2] then return {} end
return {id, fields[1], fields[2]}
)lua");

// KEYS: user hash. ARGV: the username index prefix. Frees the name only if it still points here.
const redis::Script kDeleteUser(R"lua(
local username = redis.call('HGET', KEYS[1], 'username')
if not username then return 0 end
local index = ARGV[1] .. string.lower(username)
if redis.call('GET', index) == string.sub(KEYS[1], string.len(ARGV[2]) + 1) then
  redis.call('DEL', index)
end
redis.call('DEL', KEYS[1])
return 1
)lua");

// KEYS: old token, new token. ARGV: ttl seconds, family key prefix.
// Returns {'rotated', user_id, username, family} | {'invalid'} | {'reused'}.
const redis::Script kRotate(R"lua(
local fields = redis.call('HMGET', KEYS[1], 'user_id', 'username', 'family', 'used')
if not fields[1] then return {'invalid'} end
local family_key = ARGV[2] .. fields[3]
if redis.call('EXISTS', family_key) == 1 then return {'invalid'} end
if fields[4] == '1' then
  redis.call('SET', family_key, 'revoked', 'EX', ARGV[1])
  return {'reused'}
end
redis.call('HSET', KEYS[1], 'used', '1')
redis.call('HSET', KEYS[2], 'user_id', fields[1], 'username', fields[2], 'family', fields[3], 'used', '0')
redis.call('EXPIRE', KEYS[2], ARGV[1])
return {'rotated', fields[1], fields[2], fields[3]}
)lua");

// KEYS: token. ARGV: user_id, username, family, ttl seconds.
const redis::Script kSaveRefresh(R"lua(
redis.call('HSET', KEYS[1], 'user_id', ARGV[1], 'username', ARGV[2], 'family', ARGV[3], 'used', '0')
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
)lua");

// KEYS: token. ARGV: ttl seconds, family key prefix.
const redis::Script kRevoke(R"lua(
local family = redis.call('HGET', KEYS[1], 'family')
if family then redis.call('SET', ARGV[2] .. family, 'revoked', 'EX', ARGV[1]) end
return 1
)lua");

// KEYS: the name's throttle hash. ARGV: now (s), lock_after, memory (s), then the lock (s) after
// failure lock_after, lock_after + 1, ... (login_throttle.hpp's schedule; the last entry applies
// to every later failure). Counts the failure; returns the lock it set (0: none).
const redis::Script kRecordLoginFailure(R"lua(
local now = tonumber(ARGV[1])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local lock = 0
local step = failures - tonumber(ARGV[2])
if step >= 0 then
  lock = tonumber(ARGV[math.min(4 + step, #ARGV)])
  local locked_until = tonumber(redis.call('HGET', KEYS[1], 'locked_until') or '0')
  if now + lock > locked_until then
    redis.call('HSET', KEYS[1], 'locked_until', string.format('%d', now + lock))
  end
end
redis.call('EXPIRE', KEYS[1], string.format('%d', lock + tonumber(ARGV[3])))
return lock
)lua");

constexpr std::string_view kUserPrefix = "auth:user:";
constexpr std::string_view kUsernamePrefix = "auth:username:";
constexpr std::string_view kRefreshPrefix = "auth:refresh:";
constexpr std::string_view kFamilyPrefix = "auth:family:";
constexpr std::string_view kThrottlePrefix = "auth:throttle:";

std::string key(std::string_view prefix, std::string_view id) {
    std::string result(prefix);
    result += id;
    return result;
}

}  // namespace

RedisUserStore::RedisUserStore(redis::Pool& pool) : pool_(pool) {
    for (const auto* script : {&kCreateUser, &kFindUser, &kDeleteUser, &kSaveRefresh, &kRotate,
                               &kRevoke, &kRecordLoginFailure}) {
        pool_.register_script(*script);
    }
}

asio::awaitable<Result<bool>> RedisUserStore::create_user(const UserRecord& user,
                                                          std::string_view canonical_username,
                                                          std::int64_t created_at_s) {
    const std::string index_key = key(kUsernamePrefix, canonical_username);
    const std::string user_key = key(kUserPrefix, user.user_id);
    const std::string created = std::to_string(created_at_s);
    const std::array<std::string_view, 2> keys{index_key, user_key};
    const std::array<std::string_view, 4> args{user.user_id, user.username, user.password_hash,
                                               created};
    auto reply = co_await pool_.local().eval(kCreateUser, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "create_user");
    if (!reply->is_integer()) co_return redis::unexpected_reply("create_user");
    co_return reply->as_integer() == 1;
}

asio::awaitable<Result<std::optional<UserRecord>>> RedisUserStore::find_by_username(
    std::string_view canonical_username) {
    using Found = std::optional<UserRecord>;
    const std::string index_key = key(kUsernamePrefix, canonical_username);
    const std::array<std::string_view, 1> keys{index_key};
    const std::array<std::string_view, 1> args{kUserPrefix};
    auto reply = co_await pool_.local().eval(kFindUser, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "find_by_username");
    if (!reply->is_array()) co_return redis::unexpected_reply("find_by_username");
    const auto& values = reply->elements();
    if (values.empty()) co_return Found{};
    if (values.size() != 3) co_return redis::unexpected_reply("find_by_username");
    co_return Found{
        UserRecord{values[0].as_string(), values[1].as_string(), values[2].as_string()}};
}

asio::awaitable<Result<bool>> RedisUserStore::delete_user(std::string_view user_id) {
    const std::string user_key = key(kUserPrefix, user_id);
    const std::array<std::string_view, 1> keys{user_key};
    const std::array<std::string_view, 2> args{kUsernamePrefix, kUserPrefix};
    auto reply = co_await pool_.local().eval(kDeleteUser, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "delete_user");
    if (!reply->is_integer()) co_return redis::unexpected_reply("delete_user");
    co_return reply->as_integer() == 1;
}

asio::awaitable<Status> RedisUserStore::save_refresh(std::string_view token_hash,
                                                     const RefreshRecord& record,
                                                     std::chrono::seconds ttl) {
    // One script, not MULTI/EXEC: the connection is shared by concurrent requests, whose
    // commands would land inside another request's transaction.
    const std::string token_key = key(kRefreshPrefix, token_hash);
    const std::string ttl_text = std::to_string(ttl.count());
    const std::array<std::string_view, 1> keys{token_key};
    const std::array<std::string_view, 4> args{record.user_id, record.username, record.family,
                                               ttl_text};
    auto reply = co_await pool_.local().eval(kSaveRefresh, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "save_refresh");
    co_return ok_status();
}

asio::awaitable<Result<Rotation>> RedisUserStore::rotate_refresh(std::string_view old_hash,
                                                                 std::string_view new_hash,
                                                                 std::chrono::seconds ttl) {
    const std::string old_key = key(kRefreshPrefix, old_hash);
    const std::string new_key = key(kRefreshPrefix, new_hash);
    const std::string ttl_text = std::to_string(ttl.count());
    const std::array<std::string_view, 2> keys{old_key, new_key};
    const std::array<std::string_view, 2> args{ttl_text, kFamilyPrefix};
    auto reply = co_await pool_.local().eval(kRotate, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "rotate");
    if (!reply->is_array() || reply->elements().empty())
        co_return redis::unexpected_reply("rotate");
    const auto& values = reply->elements();
    const std::string& outcome = values[0].as_string();
    if (outcome == "rotated" && values.size() == 4) {
        co_return Rotation{
            RotateOutcome::kRotated,
            RefreshRecord{values[1].as_string(), values[2].as_string(), values[3].as_string()}};
    }
    if (outcome == "reused") co_return Rotation{RotateOutcome::kReused, {}};
    if (outcome == "invalid") co_return Rotation{RotateOutcome::kInvalid, {}};
    co_return redis::unexpected_reply("rotate");
}

asio::awaitable<Status> RedisUserStore::revoke_family_of(std::string_view token_hash,
                                                         std::chrono::seconds ttl) {
    const std::string token_key = key(kRefreshPrefix, token_hash);
    const std::string ttl_text = std::to_string(ttl.count());
    const std::array<std::string_view, 1> keys{token_key};
    const std::array<std::string_view, 2> args{ttl_text, kFamilyPrefix};
    auto reply = co_await pool_.local().eval(kRevoke, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "revoke");
    co_return ok_status();
}

asio::awaitable<Result<std::int64_t>> RedisUserStore::login_lock_remaining(
    std::string_view canonical_username, std::int64_t now_s) {
    const std::string throttle_key = key(kThrottlePrefix, canonical_username);
    auto reply = co_await pool_.local().command("HGET", throttle_key, "locked_until");
    if (redis::failed(reply)) co_return redis::call_error(reply, "login_lock_remaining");
    if (reply->is_nil()) co_return std::int64_t{0};
    if (!reply->is_string()) co_return redis::unexpected_reply("login_lock_remaining");
    const auto locked_until = redis::parse_integer(reply->as_string());
    if (!locked_until) co_return redis::unexpected_reply("login_lock_remaining");
    co_return *locked_until > now_s ? *locked_until - now_s : std::int64_t{0};
}

asio::awaitable<Result<std::int64_t>> RedisUserStore::record_login_failure(
    std::string_view canonical_username, std::int64_t now_s, const LoginThrottlePolicy& policy) {
    const std::string throttle_key = key(kThrottlePrefix, canonical_username);
    std::vector<std::string> values{std::to_string(now_s), std::to_string(policy.lock_after),
                                    std::to_string(policy.memory.count())};
    for (const std::chrono::seconds lock : lock_schedule(policy)) {
        values.push_back(std::to_string(lock.count()));
    }
    const std::vector<std::string_view> args(values.begin(), values.end());
    const std::array<std::string_view, 1> keys{throttle_key};
    auto reply = co_await pool_.local().eval(kRecordLoginFailure, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "record_login_failure");
    if (!reply->is_integer() || reply->as_integer() < 0) {
        co_return redis::unexpected_reply("record_login_failure");
    }
    co_return reply->as_integer();
}

asio::awaitable<Status> RedisUserStore::reset_login_failures(std::string_view canonical_username) {
    const std::string throttle_key = key(kThrottlePrefix, canonical_username);
    auto reply = co_await pool_.local().command("DEL", throttle_key);
    if (redis::failed(reply)) co_return redis::call_error(reply, "reset_login_failures");
    co_return ok_status();
}

}  // namespace bank::auth
