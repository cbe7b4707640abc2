#include "storage/redis_account_store.hpp"

#include <array>
#include <charconv>

#include "bank/redis/outcome.hpp"

namespace bank::accounts {

namespace asio = boost::asio;

namespace {

// KEYS: profile, username index, number index. ARGV: user_id, then field/value pairs.
const redis::Script kCreate(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 'exists'
end
if not redis.call('SET', KEYS[3], ARGV[1], 'NX') then return 'number_taken' end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 'created'
)lua");

// KEYS: profile. ARGV: ledger balance. One round trip for the account and its balance. The
// balance belongs to the transactions service and is only read, so it is named in ARGV: Redis ACL
// treats every key declared to EVALSHA as written, while a key a script reads by name is checked
// as a read, so this service's Redis user needs only read access to ledger:balance:*.
const redis::Script kRead(R"lua(
return {redis.call('HGETALL', KEYS[1]), redis.call('GET', ARGV[1])}
)lua");

}  // namespace

RedisAccountStore::RedisAccountStore(redis::Pool& pool) : pool_(pool) {
    pool_.register_script(kCreate);
    pool_.register_script(kRead);
}

asio::awaitable<Result<CreateOutcome>> RedisAccountStore::create(const Account& account,
                                                                 std::string_view canonical) {
    const std::string profile_key = "accounts:user:" + account.user_id;
    const std::string username_key = "accounts:username:" + std::string(canonical);
    const std::string number_key = "accounts:number:" + account.account_number;
    const std::string created = std::to_string(account.created_at_s);
    const std::array<std::string_view, 3> keys{profile_key, username_key, number_key};
    const std::array<std::string_view, 17> args{
        account.user_id,
        "username",
        account.username,
        "email",
        account.email,
        "first_name",
        account.first_name,
        "last_name",
        account.last_name,
        "phone",
        account.phone ? std::string_view(*account.phone) : "",
        "account_number",
        account.account_number,
        "currency",
        account.currency,
        "created_at",
        created};
    auto reply = co_await pool_.local().eval(kCreate, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "create");
    const std::string& outcome = reply->as_string();
    if (outcome == "created") co_return CreateOutcome::kCreated;
    if (outcome == "number_taken") co_return CreateOutcome::kNumberTaken;
    co_return CreateOutcome::kAlreadyExists;
}

asio::awaitable<Result<std::optional<AccountView>>> RedisAccountStore::find(
    std::string_view user_id) {
    using Found = std::optional<AccountView>;
    const std::string profile_key = "accounts:user:" + std::string(user_id);
    const std::string balance_key = "ledger:balance:" + std::string(user_id);
    const std::array<std::string_view, 1> keys{profile_key};
    const std::array<std::string_view, 1> args{balance_key};
    auto reply = co_await pool_.local().eval(kRead, keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "find");
    if (!reply->is_array() || reply->elements().empty() || !reply->elements()[0].is_array()) {
        co_return redis::unexpected_reply("find");
    }
    const auto& fields = reply->elements()[0].elements();
    if (fields.empty()) co_return Found{};
    AccountView view;
    view.account.user_id = std::string(user_id);
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string& name = fields[i].as_string();
        const std::string& value = fields[i + 1].as_string();
        if (name == "username")
            view.account.username = value;
        else if (name == "email")
            view.account.email = value;
        else if (name == "first_name")
            view.account.first_name = value;
        else if (name == "last_name")
            view.account.last_name = value;
        else if (name == "phone" && !value.empty())
            view.account.phone = value;
        else if (name == "account_number")
            view.account.account_number = value;
        else if (name == "currency")
            view.account.currency = value;
        else if (name == "created_at") {
            auto created = redis::parse_integer(value);
            if (!created) co_return redis::unexpected_reply("find: created_at");
            view.account.created_at_s = *created;
        }
    }
    // A Lua nil (no ledger entry yet) arrives as a nil element, or as a missing second element
    // because Lua arrays end at the first nil.
    if (reply->elements().size() > 1 && !reply->elements()[1].is_nil()) {
        auto balance = redis::parse_integer(reply->elements()[1].as_string());
        if (!balance) co_return redis::unexpected_reply("find: ledger balance");
        view.balance_minor = *balance;
    }
    co_return Found{std::move(view)};
}

asio::awaitable<Result<bool>> RedisAccountStore::username_has_account(std::string_view canonical) {
    const std::string key = "accounts:username:" + std::string(canonical);
    const std::array<std::string_view, 2> command{"EXISTS", key};
    auto reply = co_await pool_.local().command(command);
    if (redis::failed(reply)) co_return redis::call_error(reply, "exists");
    co_return reply->as_integer() == 1;
}

}  // namespace bank::accounts
