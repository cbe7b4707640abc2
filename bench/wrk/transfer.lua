-- POST /api/transactions/transfer: a random token holder sends a few cents to a random user
-- (any of BENCH_USERS, by username), without an Idempotency-Key.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local tokens
local headers = { ["Content-Type"] = "application/json" }

function init()
    common.init_random()
    tokens = common.load_tokens()
end

function request()
    local sender = math.random(#tokens)
    headers["Authorization"] = tokens[sender]
    local body = '{"receiver_username":"bench' .. common.other_user(sender - 1) ..
        '","amount":"' .. common.small_amount() .. '"}'
    return wrk.format("POST", "/api/transactions/transfer", headers, body)
end
