-- POST /api/auth/token, password grant, as a random benchmark user: one argon2id verification
-- each.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function init()
    common.init_random()
end

function request()
    local body = "grant_type=password&username=bench" .. math.random(0, common.users - 1) ..
        "&password=" .. common.password
    return wrk.format("POST", "/api/auth/token", headers, body)
end
