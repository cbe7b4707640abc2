-- POST /api/transactions/deposit with an Idempotency-Key, as a careful client sends it: each
-- request has its own key, so every one is a new posting (the key costs two more Redis calls).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local heads
local counter = 0
local key_prefix

function init()
    common.init_random()
    heads = common.request_heads("POST", "/api/transactions/deposit", common.load_tokens(),
        { ["Content-Type"] = "application/json" })
    key_prefix = string.format("Idempotency-Key: bench-%d-%d-%d-", os.time(), thread_id or 0,
        math.random(1, 1000000000))
end

function request()
    counter = counter + 1
    local head = heads[math.random(#heads)] .. key_prefix .. counter .. "\r\n"
    return common.with_body(head, '{"amount":"' .. common.small_amount() .. '"}')
end
