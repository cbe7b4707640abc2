-- An authenticated GET of BENCH_PATH (e.g. /api/accounts/me, /api/transactions/history) as a
-- random token holder.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local tokens
local path = os.getenv("BENCH_PATH") or "/api/accounts/me"
local headers = {}

function init()
    common.init_random()
    tokens = common.load_tokens()
end

function request()
    headers["Authorization"] = tokens[math.random(#tokens)]
    return wrk.format("GET", path, headers)
end
