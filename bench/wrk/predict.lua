-- wrk -s bench/wrk/predict.lua: POST /predict with the JSON body of predict.json
-- (a fixed 197-character English review), Content-Type: application/json, and
-- the same WRK_JSON line at the end as report.lua (which this script loads).
-- Method, body and headers are set once: wrk then sends the same pre-built
-- request every time (no request() hook, so no Lua per request).
-- scripts/bench posts the same predict.json with curl before each run.

local dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"

local f = assert(io.open(dir .. "predict.json", "rb"))
local body = f:read("*a"):gsub("%s+$", "")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

dofile(dir .. "report.lua")
