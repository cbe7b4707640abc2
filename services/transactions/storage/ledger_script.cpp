#include "storage/ledger_script.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>

namespace bank::transactions {

namespace {

// KEYS[1] acting user's balance        KEYS[2] other side's balance (receiver or @cash)
// KEYS[3] event stream                 KEYS[4] idempotency record
// KEYS[5] transaction hash             KEYS[6] acting user's history
// KEYS[7] receiver's history           KEYS[8] sequence
// ARGV[1] type (deposit|withdrawal|transfer)  ARGV[2] transaction_id  ARGV[3] user_id
// ARGV[4] counterparty_id  ARGV[5] amount_minor  ARGV[6] max_balance_minor or ''
// ARGV[7] created_at_s  ARGV[8] '1' when an idempotency key was given  ARGV[9] fingerprint
// ARGV[10] idempotency ttl seconds  ARGV[11] stream maxlen  ARGV[12] cash account id
// ARGV[13] sha256 of the idempotency key (or '')  ARGV[14] receiver's account hash
//
// The receiver's account (an accounts:user:* key) is only read, and is passed in ARGV, not KEYS:
// Redis ACL treats every key declared to EVALSHA as written, while a key the script reads by name
// is checked as a read, so the transactions service's Redis user needs only read access to the
// accounts service's keys (redis/users.acl.template).
//
// Returns {'ok', transaction_id, balance_after, counterparty_balance_after or '', seq, replay}
// with every number as decimal text, or an error reply "CODE message".
//
// Lua 5.1 numbers are doubles: integers are exact only up to 2^53 - 1. The script therefore
// refuses any posting that would take a customer balance above that (BALANCE_OVERFLOW), reads
// and compares balances only below the cap, lets Redis do the writes with INCRBY/DECRBY (exact
// int64), and formats numbers with '%d' (tostring would print 1e+15 style text).
//
// Redis does not roll a script back when it fails half-way, so every check that can refuse
// comes before the first write; the assertion after the writes is a tripwire for bugs.
const char* const kLedgerSource = R"lua(
local MAX_SAFE = 9007199254740991
local function fail(code, message) return redis.error_reply(code .. ' ' .. message) end
local function text(n) return string.format('%d', n) end

local kind = ARGV[1]
local idempotent = ARGV[8] == '1'

-- (1) Idempotent replay: the stored result of the first posting, and no money moves.
if idempotent then
  local stored = redis.call('GET', KEYS[4])
  if stored then
    local record = cjson.decode(stored)
    if record.fingerprint ~= ARGV[9] then
      return fail('IDEMPOTENCY_KEY_REUSED', 'idempotency key was used for a different request')
    end
    return {'ok', record.transaction_id, record.balance_after, record.counterparty_balance_after,
            record.seq, '1'}
  end
end

-- (2) Validation; nothing has been written yet.
if kind ~= 'deposit' and kind ~= 'withdrawal' and kind ~= 'transfer' then
  return fail('INVALID_TYPE', 'unknown posting type')
end
-- The idempotency TTL and the stream length are configuration, but they feed SET EX and XADD,
-- which run after the balances moved: checked here, so a bad value cannot make the step fail
-- half-way (Redis does not roll a script back).
if not string.match(ARGV[10], '^[1-9][0-9]*$') or not string.match(ARGV[11], '^[0-9]+$') then
  return fail('INVALID_SETTINGS', 'idempotency ttl and stream maxlen must be whole numbers')
end
local amount_text = ARGV[5]
if not string.match(amount_text, '^[1-9][0-9]*$') or string.len(amount_text) > 16 then
  return fail('INVALID_AMOUNT', 'amount must be a positive integer of minor units')
end
local amount = tonumber(amount_text)
if amount > MAX_SAFE then
  return fail('BALANCE_OVERFLOW', 'amount exceeds the largest balance the ledger holds')
end
local cap = MAX_SAFE
if ARGV[6] ~= '' then
  if not string.match(ARGV[6], '^[0-9]+$') then
    return fail('INVALID_AMOUNT', 'max balance must be a non-negative integer')
  end
  local limit = tonumber(ARGV[6])
  if limit < cap then cap = limit end
end
if kind == 'transfer' then
  if ARGV[4] == ARGV[3] then return fail('SELF_TRANSFER', 'cannot transfer to yourself') end
  if redis.call('EXISTS', ARGV[14]) == 0 then
    return fail('RECEIVER_NOT_FOUND', 'receiver account does not exist')
  end
end
if redis.call('EXISTS', KEYS[5]) == 1 then
  return fail('DUPLICATE_TRANSACTION', 'transaction id already posted')
end

local acting = tonumber(redis.call('GET', KEYS[1]) or '0')
local other = tonumber(redis.call('GET', KEYS[2]) or '0')
if acting < 0 or acting > MAX_SAFE or (kind == 'transfer' and (other < 0 or other > MAX_SAFE)) then
  return fail('LEDGER_INVARIANT', 'stored customer balance out of range')
end
local acting_after, other_after
if kind == 'deposit' then
  acting_after = acting + amount
  if acting_after > cap then
    return fail('BALANCE_OVERFLOW', 'balance would exceed the maximum')
  end
else
  if acting < amount then return fail('INSUFFICIENT_FUNDS', 'insufficient funds') end
  acting_after = acting - amount
  if kind == 'transfer' then
    other_after = other + amount
    if other_after > cap then
      return fail('BALANCE_OVERFLOW', "receiver's balance would exceed the maximum")
    end
  end
end

-- (3) Double entry. The other side goes first: it is the only write Redis itself could refuse
-- (an int64 overflow of @cash), and then nothing has been written yet.
local from, to
if kind == 'deposit' then from, to = ARGV[12], ARGV[3]
elseif kind == 'withdrawal' then from, to = ARGV[3], ARGV[12]
else from, to = ARGV[3], ARGV[4] end
local other_new, acting_new
if kind == 'deposit' then
  other_new = redis.call('DECRBY', KEYS[2], amount_text)
  acting_new = redis.call('INCRBY', KEYS[1], amount_text)
else
  other_new = redis.call('INCRBY', KEYS[2], amount_text)
  acting_new = redis.call('DECRBY', KEYS[1], amount_text)
end
local seq = text(redis.call('INCR', KEYS[8]))
local acting_text = text(acting_new)
local other_text = text(other_new)
local from_after, to_after
if kind == 'deposit' then from_after, to_after = other_text, acting_text
else from_after, to_after = acting_text, other_text end

local entries = cjson.encode({
  {account = from, delta_minor = '-' .. amount_text},
  {account = to, delta_minor = amount_text}})
redis.call('HSET', KEYS[5], 'transaction_id', ARGV[2], 'type', kind,
  'amount_minor', amount_text, 'from', from, 'to', to, 'created_at', ARGV[7], 'seq', seq,
  'from_balance_after_minor', from_after, 'to_balance_after_minor', to_after,
  'idempotency_key_sha256', ARGV[13], 'entries', entries)
redis.call('ZADD', KEYS[6], seq, ARGV[2])
if kind == 'transfer' then redis.call('ZADD', KEYS[7], seq, ARGV[2]) end

local counterparty_text = ''
if kind == 'transfer' then counterparty_text = other_text end
if idempotent then
  redis.call('SET', KEYS[4], cjson.encode({fingerprint = ARGV[9], transaction_id = ARGV[2],
    balance_after = acting_text, counterparty_balance_after = counterparty_text, seq = seq}),
    'EX', ARGV[10])
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[11], '*', 'transaction_id', ARGV[2],
  'type', kind, 'amount_minor', amount_text, 'from', from, 'to', to, 'created_at', ARGV[7],
  'seq', seq, 'from_balance_after_minor', from_after, 'to_balance_after_minor', to_after)

-- Tripwire: no customer balance is negative and the writes match what was checked.
if acting_new ~= acting_after or acting_new < 0 or
   (kind == 'transfer' and (other_new ~= other_after or other_new < 0)) then
  return fail('LEDGER_INVARIANT', 'balance after posting does not match the checked value')
end
return {'ok', ARGV[2], acting_text, counterparty_text, seq, '0'}
)lua";

std::string join(std::string_view prefix, std::string_view id) {
    std::string result(prefix);
    result += id;
    return result;
}

}  // namespace

const redis::Script& ledger_script() {
    static const redis::Script script{std::string(kLedgerSource)};
    return script;
}

std::string balance_key(std::string_view account_id) { return join("ledger:balance:", account_id); }
std::string history_key(std::string_view user_id) { return join("ledger:history:", user_id); }
std::string transaction_key(std::string_view transaction_id) {
    return join("ledger:tx:", transaction_id);
}
std::string account_key(std::string_view user_id) { return join("accounts:user:", user_id); }

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    // Fails only on allocation failure inside OpenSSL; an empty digest then still yields a key
    // that is unique to nothing, so abort instead of silently sharing one record.
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
        std::abort();
    }
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2u);
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[digest[i] >> 4u]);
        hex.push_back(kHex[digest[i] & 0x0fu]);
    }
    return hex;
}

std::string idempotency_key(std::string_view user_id, std::string_view key) {
    std::string result = join("ledger:idem:", user_id);
    result += ':';
    result += sha256_hex(key);
    return result;
}

}  // namespace bank::transactions
