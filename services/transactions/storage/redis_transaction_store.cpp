#include "storage/redis_transaction_store.hpp"

#include <array>
#include <string>

#include "bank/redis/outcome.hpp"
#include "storage/ledger_script.hpp"

namespace bank::transactions {

namespace asio = boost::asio;

namespace {

// describe(id, user): the transaction as `user` sees it, or nil when it is unknown or `user` is
// not a party. {id, type, amount_minor, 'credit'|'debit', counterparty username or '',
// balance_after_minor, created_at, seq}. The keys it reads are derived from the transaction, so
// they cannot be declared up front; the deployment is a single Redis, not a cluster.
constexpr std::string_view kDescribe = R"lua(
local function describe(id, user)
  local f = redis.call('HMGET', 'ledger:tx:' .. id, 'type', 'amount_minor', 'from', 'to',
    'created_at', 'seq', 'from_balance_after_minor', 'to_balance_after_minor')
  if not f[1] then return nil end
  local direction, after, other
  if f[3] == user then direction, after, other = 'debit', f[7], f[4]
  elseif f[4] == user then direction, after, other = 'credit', f[8], f[3]
  else return nil end
  local counterparty = ''
  if f[1] == 'transfer' then
    counterparty = redis.call('HGET', 'accounts:user:' .. other, 'username') or ''
  end
  return {id, f[1], f[2], direction, counterparty, after or '0', f[5], f[6]}
end
)lua";

// KEYS[1] history (a list, oldest first). ARGV[1] user id, ARGV[2] position bound ('' for the
// end of the list), ARGV[3] count. Returns {position of the oldest entry read, entry, ...} with
// the entries newest first. Redis 7's LRANGE walks to a range from the nearer end of the list,
// so a recent page costs the same however long the history has grown.
constexpr std::string_view kPage = R"lua(
local length = redis.call('LLEN', KEYS[1])
local stop = length
if ARGV[2] ~= '' then stop = math.min(tonumber(ARGV[2]), length) end
local start = math.max(stop - tonumber(ARGV[3]), 0)
local out = {start}
if stop <= start then return out end
local ids = redis.call('LRANGE', KEYS[1], start - length, stop - 1 - length)
for i = #ids, 1, -1 do
  local entry = describe(ids[i], ARGV[1])
  if entry then out[#out + 1] = entry end
end
return out
)lua";

// KEYS[1] the transaction hash. ARGV[1] transaction id, ARGV[2] user id.
constexpr std::string_view kFind = R"lua(
local entry = describe(ARGV[1], ARGV[2])
if not entry then return false end
return entry
)lua";

// KEYS[1] idempotency record, KEYS[2] in-flight marker. ARGV[1] marker lifetime in ms.
// A completed posting wins over the marker, so a retry after completion is always a replay.
constexpr std::string_view kBegin = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 'recorded' end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return 'acquired' end
return 'busy'
)lua";

const redis::Script& page_script() {
    static const redis::Script script{std::string(kDescribe) + std::string(kPage)};
    return script;
}
const redis::Script& find_script() {
    static const redis::Script script{std::string(kDescribe) + std::string(kFind)};
    return script;
}
const redis::Script& begin_script() {
    static const redis::Script script{std::string(kBegin)};
    return script;
}

std::optional<Entry> parse_entry(const redis::Reply& reply) {
    if (!reply.is_array() || reply.elements().size() != 8) return std::nullopt;
    const auto& values = reply.elements();
    for (const auto& value : values) {
        if (!value.is_string()) return std::nullopt;
    }
    Entry entry;
    entry.transaction_id = values[0].as_string();
    entry.type = values[1].as_string();
    const auto amount = redis::parse_integer(values[2].as_string());
    const auto after = redis::parse_integer(values[5].as_string());
    const auto created = redis::parse_integer(values[6].as_string());
    const auto sequence = redis::parse_integer(values[7].as_string());
    if (!amount || !after || !created || !sequence) return std::nullopt;
    entry.amount_minor = *amount;
    entry.credit = values[3].as_string() == "credit";
    if (!values[4].as_string().empty()) entry.counterparty_username = values[4].as_string();
    entry.balance_after_minor = *after;
    entry.created_at_s = *created;
    entry.sequence = *sequence;
    return entry;
}

}  // namespace

std::string inflight_key(std::string_view user_id, std::string_view key_sha256) {
    std::string key = "ledger:inflight:";
    key += user_id;
    key += ':';
    key += key_sha256;
    return key;
}

RedisTransactionStore::RedisTransactionStore(redis::Pool& pool) : pool_(pool) {
    pool_.register_script(page_script());
    pool_.register_script(find_script());
    pool_.register_script(begin_script());
}

asio::awaitable<Result<std::int64_t>> RedisTransactionStore::balance(std::string_view user_id) {
    const std::string key = balance_key(user_id);
    auto reply = co_await pool_.local().command("GET", key);
    if (redis::failed(reply)) co_return redis::call_error(reply, "balance");
    if (reply->is_nil()) co_return std::int64_t{0};
    if (!reply->is_string()) co_return redis::unexpected_reply("balance");
    const auto value = redis::parse_integer(reply->as_string());
    if (!value) co_return redis::unexpected_reply("balance");
    co_return *value;
}

asio::awaitable<Result<HistoryPage>> RedisTransactionStore::history(
    std::string_view user_id, std::optional<std::int64_t> before, std::size_t limit) {
    const std::string key = history_key(user_id);
    const std::string bound = before ? std::to_string(*before) : std::string();
    const std::string count = std::to_string(limit);
    const std::array<std::string_view, 1> keys{key};
    const std::array<std::string_view, 3> args{user_id, bound, count};
    auto reply = co_await pool_.local().eval(page_script(), keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "history");
    if (!reply->is_array() || reply->elements().empty() || !reply->elements()[0].is_integer() ||
        reply->elements()[0].as_integer() < 0) {
        co_return redis::unexpected_reply("history");
    }
    const auto& values = reply->elements();
    HistoryPage page;
    // The oldest position read; anything below it is the next page.
    if (const std::int64_t start = values[0].as_integer(); start > 0) page.next_before = start;
    for (std::size_t i = 1; i < values.size() && page.entries.size() < limit; ++i) {
        auto entry = parse_entry(values[i]);
        if (!entry) co_return redis::unexpected_reply("history entry");
        page.entries.push_back(std::move(*entry));
    }
    co_return page;
}

asio::awaitable<Result<std::optional<Entry>>> RedisTransactionStore::find(
    std::string_view user_id, std::string_view transaction_id) {
    const std::string key = transaction_key(transaction_id);
    const std::array<std::string_view, 1> keys{key};
    const std::array<std::string_view, 2> args{transaction_id, user_id};
    auto reply = co_await pool_.local().eval(find_script(), keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "find transaction");
    if (reply->is_nil()) co_return std::optional<Entry>{};
    auto entry = parse_entry(*reply);
    if (!entry) co_return redis::unexpected_reply("find transaction");
    co_return entry;
}

asio::awaitable<Result<RequestStart>> RedisTransactionStore::begin_request(
    std::string_view user_id, std::string_view key_sha256, std::int64_t timeout_ms) {
    const std::string record = idempotency_key(user_id, key_sha256);
    const std::string marker = inflight_key(user_id, key_sha256);
    const std::string timeout = std::to_string(timeout_ms);
    const std::array<std::string_view, 2> keys{record, marker};
    const std::array<std::string_view, 1> args{timeout};
    auto reply = co_await pool_.local().eval(begin_script(), keys, args);
    if (redis::failed(reply)) co_return redis::call_error(reply, "begin request");
    if (!reply->is_string()) co_return redis::unexpected_reply("begin request");
    const std::string& answer = reply->as_string();
    if (answer == "acquired") co_return RequestStart::kAcquired;
    if (answer == "recorded") co_return RequestStart::kRecorded;
    if (answer == "busy") co_return RequestStart::kBusy;
    co_return redis::unexpected_reply("begin request");
}

asio::awaitable<Status> RedisTransactionStore::end_request(std::string_view user_id,
                                                           std::string_view key_sha256) {
    const std::string marker = inflight_key(user_id, key_sha256);
    auto reply = co_await pool_.local().command("DEL", marker);
    if (redis::failed(reply)) co_return redis::call_error(reply, "end request");
    co_return ok_status();
}

}  // namespace bank::transactions
