#include "storage/ledger_script.hpp"

namespace bank::transactions {

namespace {

// KEYS[1] acting user's balance        KEYS[2] the cash account's balance
// KEYS[3] event stream                 KEYS[4] idempotency record
// KEYS[5] transaction hash             KEYS[6] acting user's history
// KEYS[7] sequence
// ARGV[1] type (deposit|withdrawal|transfer)  ARGV[2] transaction_id  ARGV[3] user_id
// ARGV[4] receiver index key (accounts:username:<canonical> or accounts:number:<number>) or ''
// ARGV[5] amount_minor  ARGV[6] max_balance_minor or ''  ARGV[7] created_at_s
// ARGV[8] '1' when an idempotency key was given  ARGV[9] fingerprint
// ARGV[10] idempotency ttl seconds  ARGV[11] stream maxlen  ARGV[12] cash account id
// ARGV[13] sha256 of the idempotency key (or '')
//
// A transfer finds its receiver here, in the step that pays it: the accounts service's index
// gives the user id, the profile (accounts:user:<id>) proves the account exists and gives the
// username for the answer. The receiver's balance and history keys follow from that id, so they
// cannot be declared in KEYS up front; that is fine on the single Redis this ledger runs on (the
// ledger is not cluster-ready anyway: every posting also touches ledger:seq). The accounts keys
// are only read, and Redis ACL checks each key a script touches as the command touching it,
// so the transactions service's Redis user needs only read access to them
// (redis/users.acl.template). Declared keys would count as written.
//
// Returns {'ok', transaction_id, balance_after, counterparty_balance_after or '', seq, replay,
// receiver's username or ''} with every number as decimal text, or an error reply
// "CODE message".
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
-- A user id: a UUID's letters, digits and hyphens, which also need no escaping in JSON text.
local USER_ID = '^[%w%-]+$'
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
            record.seq, '1', ''}
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
-- The other side of the posting: the receiver of a transfer, else the cash account.
local other_key, receiver, receiver_history, receiver_name = KEYS[2], nil, nil, ''
if kind == 'transfer' then
  local index = ARGV[4]
  if string.sub(index, 1, 18) ~= 'accounts:username:' and
     string.sub(index, 1, 16) ~= 'accounts:number:' then
    return fail('INVALID_RECEIVER', 'the receiver must be named by an accounts index key')
  end
  receiver = redis.call('GET', index)
  if not receiver then return fail('RECEIVER_NOT_FOUND', 'receiver account does not exist') end
  -- User ids are UUIDs (letters, digits, hyphens); anything else, say '@cash', is corruption.
  if not string.match(receiver, USER_ID) then
    return fail('LEDGER_INVARIANT', 'the accounts index holds a malformed user id')
  end
  local name = redis.call('HGET', 'accounts:user:' .. receiver, 'username')
  if not name then return fail('RECEIVER_NOT_FOUND', 'receiver account does not exist') end
  if receiver == ARGV[3] then return fail('SELF_TRANSFER', 'cannot transfer to yourself') end
  other_key = 'ledger:balance:' .. receiver
  receiver_history = 'ledger:history:' .. receiver
  receiver_name = name
end
-- The record's entries are written as JSON text, so the acting user's id must need no escaping
-- (the cash account's is a constant, checked when the service is compiled).
if not string.match(ARGV[3], USER_ID) then
  return fail('INVALID_ACCOUNT', 'user ids are letters, digits and hyphens')
end
if redis.call('EXISTS', KEYS[5]) == 1 then
  return fail('DUPLICATE_TRANSACTION', 'transaction id already posted')
end

-- The parties' keys the posting writes must hold what the ledger writes there (or nothing),
-- checked before the first write, or a write would fail half-way: a history left as a sorted
-- set by the earlier layout (scripts/migrate-histories.sh converts those), a balance of another
-- type. MGET answers nil for a key of another type, so a nil balance is looked at again.
-- (ledger:seq and ledger:events are the ledger's own keys; only corruption could change their
-- types, and that is not checked here.)
local function list_or_absent(key)
  return type(redis.pcall('LLEN', key)) == 'number'
end
if not list_or_absent(KEYS[6]) or (receiver_history and not list_or_absent(receiver_history)) then
  return fail('LEDGER_INVARIANT', 'a history is not a list (run scripts/migrate-histories.sh)')
end
local balances = redis.call('MGET', KEYS[1], other_key)
local acting = tonumber(balances[1] or '0')
local other = tonumber(balances[2] or '0')
if not acting or not other or (not balances[1] and redis.call('EXISTS', KEYS[1]) == 1) or
   (not balances[2] and redis.call('EXISTS', other_key) == 1) then
  return fail('LEDGER_INVARIANT', 'a balance key holds something other than a number')
end
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
else from, to = ARGV[3], receiver end
local other_new, acting_new
if kind == 'deposit' then
  other_new = redis.call('DECRBY', other_key, amount_text)
  acting_new = redis.call('INCRBY', KEYS[1], amount_text)
else
  other_new = redis.call('INCRBY', other_key, amount_text)
  acting_new = redis.call('DECRBY', KEYS[1], amount_text)
end
local seq = text(redis.call('INCR', KEYS[7]))
local acting_text = text(acting_new)
local other_text = text(other_new)
local from_after, to_after
if kind == 'deposit' then from_after, to_after = other_text, acting_text
else from_after, to_after = acting_text, other_text end

-- Written as text rather than with cjson.encode (three tables built and walked): both account
-- ids need no escaping (checked above).
local entries = '[{"account":"' .. from .. '","delta_minor":"-' .. amount_text ..
  '"},{"account":"' .. to .. '","delta_minor":"' .. amount_text .. '"}]'
redis.call('HSET', KEYS[5], 'transaction_id', ARGV[2], 'type', kind,
  'amount_minor', amount_text, 'from', from, 'to', to, 'created_at', ARGV[7], 'seq', seq,
  'from_balance_after_minor', from_after, 'to_balance_after_minor', to_after,
  'idempotency_key_sha256', ARGV[13], 'entries', entries)
-- Histories are lists in commit order: appending is O(1) whatever their length (a sorted set
-- scored by seq held the same order at several times the cost per posting).
redis.call('RPUSH', KEYS[6], ARGV[2])
if kind == 'transfer' then redis.call('RPUSH', receiver_history, ARGV[2]) end

local counterparty_text = ''
if kind == 'transfer' then counterparty_text = other_text end
if idempotent then
  redis.call('SET', KEYS[4], cjson.encode({fingerprint = ARGV[9], transaction_id = ARGV[2],
    balance_after = acting_text, counterparty_balance_after = counterparty_text, seq = seq}),
    'EX', ARGV[10])
end
-- The event says which posting committed, in which order; its facts are in the record
-- (ledger:tx:<id>), which is never deleted. Repeating them here cost 275 bytes of append-only
-- file per transfer (1,535 instead of 1,260) and about 2 µs of Redis's time.
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[11], '*', 'transaction_id', ARGV[2], 'seq', seq)

-- Tripwire: no customer balance is negative and the writes match what was checked.
if acting_new ~= acting_after or acting_new < 0 or
   (kind == 'transfer' and (other_new ~= other_after or other_new < 0)) then
  return fail('LEDGER_INVARIANT', 'balance after posting does not match the checked value')
end
return {'ok', ARGV[2], acting_text, counterparty_text, seq, '0', receiver_name}
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

std::string idempotency_key(std::string_view user_id, std::string_view key_sha256) {
    std::string result = join("ledger:idem:", user_id);
    result += ':';
    result += key_sha256;
    return result;
}

}  // namespace bank::transactions
