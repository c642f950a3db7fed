-- wrk -s bench/wrk/report.lua: at the end of a run, prints one line
--   WRK_JSON {"requests": n, "duration_s": s, "rps": r, "latency_ms": {...}, "errors": {...}}
-- that scripts/bench parses instead of wrk's text summary. Latencies come in
-- microseconds from wrk and go out in milliseconds. wrk counts a response with
-- status >= 400 as errors.status (scripts/bench checks once, before each run,
-- that the path answers 2xx, so 1xx/3xx do not hide here either).
-- No request()/response() hooks: defining them makes wrk call Lua per request.

local function ms(us)
  return string.format("%.3f", us / 1000.0)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local line = string.format(
    '{"requests": %d, "bytes": %d, "duration_s": %.3f, "rps": %.1f, ' ..
    '"latency_ms": {"mean": %s, "stdev": %s, "p50": %s, "p90": %s, "p99": %s, "max": %s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}',
    summary.requests, summary.bytes, seconds, summary.requests / seconds,
    ms(latency.mean), ms(latency.stdev),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
    e.connect, e.read, e.write, e.status, e.timeout)
  io.write("WRK_JSON " .. line .. "\n")
end
