-- wrk -s bench/wrk/login-burst.lua: POST /token (form) with a wrong password for the user named
-- in the LOGIN_USER environment variable, each request from a different client address: a random
-- X-Forwarded-For in 10.0.0.0/8. The service is started with Proxy__TrustedProxies__0=127.0.0.1,
-- so it believes that header and the per-address login limit (10 a minute) never refuses the
-- burst: every request reaches the password hash, as a burst from many machines would.
-- At the end it prints one line, counting the answers by status:
--   LOGIN_JSON {"requests": n, "rps": r, "status": {"401": n, "429": n, "503": n, "other": n}}
-- This script defines request() and response() hooks, so wrk runs Lua per request: fine for the
-- load side, whose own rate is not the measurement.

local user = os.getenv("LOGIN_USER") or "bench_user"
local body = "username=" .. user .. "&password=not-the-right-passphrase"
local threads = {}

function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
  counts = {["401"] = 0, ["429"] = 0, ["503"] = 0, other = 0}
end

function request()
  local address = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("POST", "/token", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = address,
  }, body)
end

function response(status, headers, body)
  local key = tostring(status)
  if counts[key] == nil then key = "other" end
  counts[key] = counts[key] + 1
end

function done(summary, latency, requests)
  local total = {["401"] = 0, ["429"] = 0, ["503"] = 0, other = 0}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for k, v in pairs(c) do total[k] = total[k] + v end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'LOGIN_JSON {"requests": %d, "rps": %.1f, "p50_ms": %.1f, "p99_ms": %.1f, ' ..
    '"status": {"401": %d, "429": %d, "503": %d, "other": %d}, "timeouts": %d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    total["401"], total["429"], total["503"], total.other, summary.errors.timeout))
end
