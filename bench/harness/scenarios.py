"""The scenarios, one entry each, in report order. A new one is an entry here, plus a tool in load.py if it needs one.

Fields:
  id, title        names in benchmarks.json and in the report
  tool             "wrk" (fixed connections for a window), "burst" (hey: N requests at once), "ws_echo" (Storefront.WsLoad
                   echo: fixed WebSocket connections in a closed loop, a round trip counted as a request), "ws_fanout"
                   (Storefront.WsLoad fanout: `connections` subscribers of `item` on `path`, then `warmup_changes`
                   uncounted and `changes` counted signed events POSTed to `webhook`) or "upload" (Storefront.UploadLoad:
                   `connections` clients sending `file_mb` MB files to `path`, `warmup_uploads` uncounted, then the
                   run's uploads_per_client each: a window of uploads, not of seconds)
  method, path     the request; probe_path, if given, serves the first request and the warm-up instead; a POST's
                   `body` (bench/wrk/) is sent by `script` (a wrk Lua script that reports like report.lua)
  connections      concurrent connections (burst: requests; rate: the most it may open; ws_fanout: subscribers)
  rate             GETs per second: the measured window is Storefront.Rate's open loop at that rate, not wrk
  threads          wrk threads (default 2)
  upstreams        the nginx server the sides are started against: "instant" or "delayed"
  sides, sides_reason  only these sides are measured (default: all); the others are n/a with the reason given
  fresh_process    every round starts the sides anew (their peak memory then covers that round only)
  rounds           at most this many rounds, for a scenario whose rounds are long
  load             a second wrk kept running on the same side during each window (its own figures kept)
  expect           "prediction": a 2xx answer must look like {"prediction": str, "score": number}
  spread_check     count the connections per worker process 1 s into each window (uvicorn workers)
  about            what the report says about the scenario
  targets          what Storefront must reach, checked in every round (targets.py):
                     {"vs": side, "metric": "rps", "at_least": x}  Storefront / side, per round
                     {"vs": side, "metric": m}                     the same, report only
                     {"metric": m, "at_most"|"at_least": x}       Storefront's own figure
"""

NOT_SELECTED = "not run (--scenarios)"   # the reason given for every side of a scenario left out of the run

PREDICT = {"method": "POST", "path": "/predict", "body": "predict.json", "script": "predict.lua"}

SCENARIOS = [
    {"id": "root", "title": "GET /", "tool": "wrk", "path": "/", "connections": 100, "upstreams": "instant",
     "about": "The smallest answer: the HTTP stack and the middleware pipeline.",
     "targets": [{"vs": "ceiling", "metric": "rps", "at_least": 0.85},
                 {"vs": "peer", "metric": "rps", "at_least": 2.5}]},
    {"id": "items", "title": "GET /items/7 (PostgreSQL)", "tool": "wrk", "path": "/items/7", "connections": 100,
     "upstreams": "instant", "about": "One row by key from PostgreSQL.",
     "targets": [{"vs": "ceiling", "metric": "rps", "at_least": 0.85},
                 {"vs": "peer", "metric": "rps", "at_least": 1.4}]},
    {"id": "product_instant", "title": "GET /product/7, instant upstreams", "tool": "wrk", "path": "/product/7",
     "connections": 100, "upstreams": "instant",
     "about": "Three upstream calls at once (pricing, inventory, reco), answered by nginx without delay.",
     "targets": [{"vs": "ceiling", "metric": "rps", "at_least": 0.85},
                 {"vs": "peer", "metric": "rps", "at_least": 25.0}]},
    {"id": "product_delayed", "title": "GET /product/7, 20/30/50 ms upstreams, 1,000 connections", "tool": "wrk",
     "path": "/product/7", "connections": 1000, "upstreams": "delayed",
     "about": "The same fan-out with upstreams answering after 20, 30 and 50 ms: no side can have a p50 "
              "under 50 ms; what matters is how little each adds to that floor at 1,000 connections. Every side "
              "is CPU-bound here (wrk, nginx and the server share 2 cores), so latency is queueing: the targets "
              "compare with the ceiling, and the fixed-rate scenario below holds the absolute ones.",
     "targets": [{"vs": "ceiling", "metric": "rps", "at_least": 0.85},
                 {"vs": "ceiling", "metric": "p99_ms", "at_most": 1.15}]},
    {"id": "product_rate", "title": "GET /product/7, 20/30/50 ms upstreams, 2,000 requests/s", "tool": "wrk",
     "rate": 2000, "path": "/product/7", "connections": 1000, "upstreams": "delayed",
     "sides": ["storefront", "ceiling"],
     "sides_reason": "the peer sustains nowhere near 2,000 fan-outs a second (about 270 at 100 connections on "
                     "instant upstreams): its requests would time out and its backlog run on into the other "
                     "sides' windows",
     "about": "The same fan-out at a fixed 2,000 requests/s that every side sustains, sent open-loop by "
              "`bench/Storefront.Rate`: each request's latency counts from when it was due, so a stall cannot "
              "slow the load down and hide itself. The floor is the slowest upstream, 50 ms.",
     "targets": [{"metric": "p50_ms", "at_most": 55.0}, {"metric": "p99_ms", "at_most": 70.0},
                 {"vs": "ceiling", "metric": "p99_ms"}]},
    {"id": "cached", "title": "GET /cached-data (Redis)", "tool": "wrk", "path": "/cached-data", "connections": 100,
     "upstreams": "instant", "about": "A cache hit: Redis, or Storefront's in-process copy of a hot key.",
     "targets": [{"vs": "ceiling", "metric": "rps", "at_least": 0.85},
                 {"vs": "peer", "metric": "rps", "at_least": 9.0}]},
    {"id": "predict", "title": "POST /predict (CPU-bound model)", "tool": "wrk", **PREDICT, "connections": 100,
     "upstreams": "instant", "expect": "prediction", "spread_check": True,
     "about": "The JSON body of `bench/wrk/predict.json` (a fixed 197-character English review), answered "
              "with `{\"prediction\", \"score\"}` by Storefront (its CPU worker threads, with a bounded queue; "
              "503 with `Retry-After` when full, counted as errors) and by the peer (`run_in_executor` in each "
              "worker process). The models differ: the ratio compares whole stacks, not one algorithm.",
     "targets": [{"vs": "peer", "metric": "rps"}]},
    {"id": "root_under_predict", "title": "GET /, while POST /predict is saturated", "tool": "wrk", "path": "/",
     "connections": 10, "threads": 1, "upstreams": "instant",
     "load": {**PREDICT, "connections": 200, "threads": 1},
     "about": "A light GET / (one wrk thread, 10 connections) measured while a second wrk (one thread, 200 "
              "connections) keeps POST /predict saturated on the same side: does the CPU work leak into the "
              "request path? The /predict load starts 0.5 s before GET / and ends 0.5 s after it; its "
              "connections are counted per worker process first and opened again (up to 3 times) until "
              "each worker holds at least 5% of them.",
     "targets": [{"vs": "peer", "metric": "p99_ms"}]},
    {"id": "ws_echo", "title": "WebSocket /ws echo", "tool": "ws_echo", "path": "/ws", "connections": 100,
     "upstreams": "instant", "spread_check": True,
     "about": "100 WebSocket connections by `bench/Storefront.WsLoad echo`, each in a closed loop: a short text "
              "message, then the wait for `Echo: ` + it, then the next (as a wrk connection waits for its "
              "response). rps here is round trips a second; a wrong answer counts as an error. Each window's first "
              "second (opening the connections, the client's JIT) is not counted, and the CPU readings cover the "
              "counted part only.",
     "targets": [{"vs": "ceiling", "metric": "rps", "at_least": 0.85},
                 {"vs": "peer", "metric": "rps"}]},
    {"id": "slow", "title": "10,000 concurrent GET /slow?seconds=1", "tool": "burst", "path": "/slow?seconds=1",
     "probe_path": "/slow?seconds=0", "connections": 10000, "upstreams": "instant", "fresh_process": True,
     "about": "`hey -n 10000 -c 10000 -t 30` after 200 requests of `/slow?seconds=0`, on a fresh process each "
              "round. Peak RSS is `VmHWM` summed over the side's processes: the high-water mark of the "
              "process's whole life (start-up, warm-up and the burst).",
     "targets": [{"metric": "ok_share", "at_least": 1.0}, {"metric": "wall_s", "at_most": 3.0},
                 {"metric": "peak_rss_mb", "at_most": 300.0}]},
    {"id": "ws_fanout", "title": "10,000 /ws/stock subscribers, inventory changes pushed", "tool": "ws_fanout",
     "path": "/ws/stock", "connections": 10000, "item": 7, "changes": 5, "warmup_changes": 1, "webhook": "/inventory/events",
     "upstreams": "instant", "fresh_process": True, "sides": ["storefront"],
     "sides_reason": "the peer and the ceiling have no /ws/stock or inventory webhook",
     "about": "`bench/Storefront.WsLoad fanout` on a fresh process each round: 10,000 WebSockets opened 200 at a "
              "time, each subscribed to item 7 (`{\"subscribe\": [7]}`, acknowledged), then 1 uncounted and 5 "
              "counted changes of item 7, one at a time: a signed `POST /inventory/events` with a fresh event_id, "
              "then the wait until every subscriber got its push (or 5 s). The uncounted change is the warm-up: the "
              "first 10,000 pushes of a fresh process run on unoptimised code (tiered JIT). Delivery latency runs from just before the POST to a subscriber's "
              "receipt of the push; a push not there within 5 s is missed (an error). The client runs on the same 2 "
              "cores: its own CPU over the changes is reported next to the latencies. Peak RSS is `VmHWM` of the "
              "process's whole life, as for /slow.",
     "targets": [{"metric": "peak_rss_mb", "at_most": 400.0}, {"metric": "delivery_p99_ms", "at_most": 250.0}]},
    {"id": "upload", "title": "POST /upload, 50 concurrent 20 MB files", "tool": "upload", "method": "POST",
     "path": "/upload", "connections": 50, "file_mb": 20, "warmup_uploads": 10, "rounds": 3, "upstreams": "instant",
     "fresh_process": True, "sides": ["storefront", "peer"],
     "sides_reason": "the ceiling has no /upload: it stands for the bare stack on the read paths, and an upload's cost "
                     "is the disk and the parsing, not the stack",
     "about": "`bench/Storefront.UploadLoad` on a fresh process each round: 50 clients on one HttpClient, each sending "
              "`multipart/form-data` files of 20 MB (field `file`, made while sent from one random 1 MiB block, so the "
              "client holds none) one after the other; 10 uploads uncounted, in a run of their own (the fresh "
              "process's JIT), then the counted ones. Before the idle check and after the window the side is left "
              "until its CPU is quiet (under 5% of a core): Storefront's tier-1 JIT runs on for seconds after a load, "
              "and would be measured in the window or flag the next side's. Storefront's carry a bearer token (one account per run) and are "
              "deleted after the window (`DELETE /files/{id}`); the peer's seed-style `/upload` reads each file "
              "whole into memory (`await file.read()`) and writes it, and its folder is emptied after the window. "
              "MB/s is the file bytes answered 2xx over the counted uploads' wall time (1 MB = 10^6 bytes). Peak RSS "
              "is `VmHWM` summed over the side's processes, the whole life of the process (start-up, warm-up, "
              "window), as for /slow: it must not grow with the files in flight.",
     "targets": [{"metric": "peak_rss_mb", "at_most": 300.0}, {"vs": "peer", "metric": "mb_per_s"},
                 {"vs": "peer", "metric": "peak_rss_mb"}]},
]


def phases(scenarios):
    """Scenarios grouped by how the sides must run for them, in first-seen order: sides started once serve every
    scenario of their phase; a fresh_process scenario is a phase of its own."""
    out = {}
    for sc in scenarios:
        key = (sc["upstreams"], sc["id"] if sc.get("fresh_process") else None)
        out.setdefault(key, {"key": key, "upstreams": sc["upstreams"], "fresh_process": bool(sc.get("fresh_process")),
                             "scenarios": []})["scenarios"].append(sc)
    return list(out.values())
