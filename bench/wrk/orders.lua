-- wrk -s bench/wrk/orders.lua: POST /orders of one unit, {"lines": [{"item_id": k, "quantity": 1}]}, for `scripts/bench orders`.
-- Environment: ORDERS_ITEMS (k is random in 1..ORDERS_ITEMS; 1, the default, is the one hot item) and ORDERS_TOKEN
-- (sent as Authorization: Bearer; the peer ignores it). Prints report.lua's WRK_JSON line at the end.
-- One item: the request is built once (no Lua per request). Several: request() builds each, which costs wrk some
-- CPU per request, the same for both sides.

local dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local items = tonumber(os.getenv("ORDERS_ITEMS") or "1")
local token = os.getenv("ORDERS_TOKEN") or ""

local function body(id)
  return string.format('{"lines": [{"item_id": %d, "quantity": 1}]}', id)
end

wrk.method = "POST"
wrk.body = body(1)
wrk.headers["Content-Type"] = "application/json"
if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

if items > 1 then
  local counter = 0
  function setup(thread)
    counter = counter + 1
    thread:set("seed", counter)
  end
  function init(args)
    math.randomseed(os.time() * 1000 + seed)
  end
  function request()
    return wrk.format(nil, nil, nil, body(math.random(1, items)))
  end
end

dofile(dir .. "report.lua")
