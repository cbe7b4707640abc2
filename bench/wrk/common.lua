-- Shared by the load scripts: the benchmark users, their access tokens, an optional constant
-- request rate, and the result line the driver (bench/run.mjs) parses. Configured through the
-- environment, because wrk passes a script no options of its own:
--   BENCH_USERS        users seeded (bench0 .. bench<N-1>); receivers and login names are drawn
--                      from all of them
--   BENCH_TOKENS_FILE  one access token per line; line i belongs to user bench<i-1>
--   BENCH_PASSWORD     the password of every benchmark user (logins)
--   BENCH_RATE         total requests per second over all wrk threads (unset: as fast as the
--                      server answers); BENCH_WRK_THREADS must then be wrk's -t
local ffi = require("ffi")

local common = {}

common.users = tonumber(os.getenv("BENCH_USERS") or "0")
common.password = os.getenv("BENCH_PASSWORD") or ""

-- Each thread's random sequence differs (threads get distinct ids in setup()).
local thread_counter = 0
function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("thread_id", thread_counter)
end

function common.load_tokens()
    local path = os.getenv("BENCH_TOKENS_FILE")
    assert(path, "BENCH_TOKENS_FILE is not set")
    local tokens = {}
    for line in io.lines(path) do
        if #line > 0 then table.insert(tokens, "Bearer " .. line) end
    end
    assert(#tokens > 0, "no tokens in " .. path)
    return tokens
end

-- A receiver index in [0, users) other than `sender`.
function common.other_user(sender)
    local receiver = math.random(0, common.users - 2)
    if receiver >= sender then receiver = receiver + 1 end
    return receiver
end

-- Cents from 0.01 to 0.99: small, so no benchmark user ever runs out of money.
local amounts = {}
for cents = 1, 99 do amounts[cents] = string.format("0.%02d", cents) end
function common.small_amount()
    return amounts[math.random(1, 99)]
end

-- The client's own work per request is kept small, as the ceiling's (healthz.lua returns one
-- prepared request), so that the ratios compare what the servers do. A request is put together
-- from a head prepared once per token (wrk.format: request line, Host and the given headers,
-- ending in CRLF) and the body; wrk.format would rebuild every header line on each call.
function common.request_heads(method, path, tokens, headers)
    local heads = {}
    for i, token in ipairs(tokens) do
        local all = { Authorization = token }
        for name, value in pairs(headers or {}) do all[name] = value end
        local text = wrk.format(method, path, all)
        heads[i] = text:sub(1, -3)  -- drop the blank line that ends the head
    end
    return heads
end

function common.with_body(head, body)
    return head .. "Content-Length: " .. #body .. "\r\n\r\n" .. body
end

ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local now_buffer = ffi.new("bench_timespec")
local function now_ms()
    ffi.C.clock_gettime(1, now_buffer) -- CLOCK_MONOTONIC
    return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

-- Constant-rate sending (wrk2's idea in wrk's own hook): every request of a thread is given the
-- next slot of a fixed schedule, whichever connection sends it, so arrivals stay at the target
-- rate as long as some connection is free. A thread that falls more than a second behind
-- restarts its schedule instead of bursting to catch up.
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate and rate > 0 then
    local threads = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
    local interval_ms = 1000 * threads / rate
    local next_ms = nil
    function delay()
        local now = now_ms()
        if next_ms == nil or next_ms < now - 1000 then next_ms = now end
        next_ms = next_ms + interval_ms
        local wait = next_ms - now
        if wait < 0 then return 0 end
        return wait
    end
end

function common.init_random()
    math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

-- One line for the driver: throughput inputs and latency percentiles in microseconds.
function done(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
        '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
        summary.requests, summary.duration, summary.bytes,
        errors.connect, errors.read, errors.write, errors.status, errors.timeout,
        latency.mean, latency.stdev, latency.max,
        latency:percentile(50), latency:percentile(90), latency:percentile(99),
        latency:percentile(99.9)))
end

return common
