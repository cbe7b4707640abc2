-- POST /api/transactions/deposit with an Idempotency-Key, as a careful client sends it: each
-- request has its own key, so every one is a new posting (the key costs two more Redis calls).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local tokens
local counter = 0
local run_id
local headers = { ["Content-Type"] = "application/json" }

function init()
    common.init_random()
    tokens = common.load_tokens()
    run_id = string.format("%d-%d-%d", os.time(), thread_id or 0, math.random(1, 1000000000))
end

function request()
    counter = counter + 1
    headers["Authorization"] = tokens[math.random(#tokens)]
    headers["Idempotency-Key"] = "bench-" .. run_id .. "-" .. counter
    local body = '{"amount":"' .. common.small_amount() .. '"}'
    return wrk.format("POST", "/api/transactions/deposit", headers, body)
end
