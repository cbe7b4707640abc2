-- GET /healthz, the ceiling: the client does the same per-request Lua work as the workloads
-- (a request() call), so the ratio compares server-side cost.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local formatted

function init()
    formatted = wrk.format("GET", os.getenv("BENCH_PATH") or "/healthz")
end

function request()
    return formatted
end
