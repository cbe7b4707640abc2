-- POST /api/transactions/transfer: a random token holder sends a few cents to a random user
-- (any of BENCH_USERS, by username), without an Idempotency-Key.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local heads

function init()
    common.init_random()
    heads = common.request_heads("POST", "/api/transactions/transfer", common.load_tokens(),
        { ["Content-Type"] = "application/json" })
end

function request()
    local sender = math.random(#heads)
    local body = '{"receiver_username":"bench' .. common.other_user(sender - 1) ..
        '","amount":"' .. common.small_amount() .. '"}'
    return common.with_body(heads[sender], body)
end
