"""Graceful overload: open-loop load at 1×, 2× and 3× the saturating rate, the adaptive limit on and off. Goodput (2xx
per second) and the admitted requests' p99 at each multiple; the target: at 3× with the limit on, goodput ≥ 90% of the
best at 1× and the admitted p99 ≤ 5× its p99 at 1×. Storefront only, on PostgreSQL. Method: bench/README.md.

  scripts/bench overload                                    # GET /items?sort=-price&limit=20 at 100k items, 5 rounds
  scripts/bench overload --path /items/7 --items 20 --rounds 1 --duration 3   # another request, a quick check
  scripts/bench overload --out docs/bench/overload.md       # the committed result
"""

import os
import statistics as st

from harness import load, sides, source
from harness.procs import Failure, run_tool
from harness.solo import own

NAME = "overload"
OPTIONS = {"--duration": (6, 2, 60, "seconds measured per window"),
           "--warmup": (3, 1, 30, "seconds at the window's rate before it, not counted (the queue's first build-up)"),
           "--rounds": (5, 1, 10, "rounds; the limit's on and off alternate first within each"),
           "--path": ("/items?sort=-price&limit=20", None, None, "the request (GET)"),
           "--items": (100000, 20, 10_000_000, "catalog size (seed --items)"),
           "--multiples": ((1.0, 2.0, 3.0), 0.01, 10, "multiples of the saturating rate")}
SATURATION_CONNECTIONS = (8, 16, 32, 64)   # the best of these: past a few per core, more only queue
SATURATION_STEPS = (1.5, 2.0, 2.5, 3.0)     # open-loop multiples of the closed-loop reading, while they are kept up with
SATURATION_S = 5
MAX_CONNECTIONS = 4000   # the open-loop client's ceiling on connections: the excess waits in the client, counted
TIMEOUT_S = 10
GOODPUT_SHARE = 0.9
P99_FACTOR = 5.0
SIDES = {"on": [], "off": ["Overload__Enabled=false"]}
SIMULATOR_ROUTES = ("pricing", "inventory", "reco")


def check(opts):
    if not str(opts.path).startswith("/"):
        return "--path: a path starting with /"
    return None


def measure(run, opts):
    run.start_postgres()
    run.publish()
    tool = load.rate_tool_dir(run.tmp)
    if not sides.publish(os.path.join(run.tmp, "artifacts"), os.path.join(source.BENCH, "Storefront.Rate"), tool,
                         os.path.join(run.tmp, "rate.log")):
        raise Failure("could not publish bench/Storefront.Rate")
    db = run.on_postgres()
    run.command(["seed", "--items", str(opts.items)], db)
    server_cpus, client_cpus = _cpus()
    if server_cpus:
        _pin_postgres(run, server_cpus)
        run.log(f"PostgreSQL and the services on CPU {server_cpus}, the load tools on CPU {client_cpus}")
    # One client makes every request: the per-client limits would answer 429 instead of measuring the machine.
    # The bundled upstreams answer at once: the fan-out's cost is then all CPU, the work the limit is about.
    settings = db + ["RateLimits__SearchPermits=1000000"] + [f"Simulator__Routes__{route}__LatencyMs=0"
                                                              for route in SIMULATOR_ROUTES]
    services = {name: run.start_service(settings + extra, cpus=server_cpus) for name, extra in SIDES.items()}
    for name, service in services.items():
        status, body = service.call("GET", opts.path)
        if status != 200:
            raise Failure(f"{name}: GET {opts.path} answered {status}: {body[:300]!r}")
        own.wrk(service.base + opts.path, SATURATION_CONNECTIONS[-1], SATURATION_S, script=None, cpus=client_cpus)  # JIT

    # The saturating rate: closed-loop wrk with the limit off, the best window over a few connection counts.
    saturation = max(own.wrk(services["off"].base + opts.path, c, SATURATION_S, cpus=client_cpus)["rps_2xx"]
                     for c in SATURATION_CONNECTIONS)
    closed = saturation
    # Closed-loop clients read less than the server sustains (each connection waits for its answer), and far past its
    # rate an unlimited server collapses: the rate is the most 2xx answers per second within a window of open-loop
    # loads stepping up from the closed-loop reading, until one is no longer kept up with.
    for m in SATURATION_STEPS:
        probe = _window(tool, services["off"].base + opts.path, round(m * closed), opts, client_cpus)
        good = probe["ok_in_window"] / probe["duration_s"]
        run.log(f"  open-loop at {m:g}× the closed-loop reading: {good:,.0f} 2xx/s within the window")
        saturation = max(saturation, good)
        if good < 0.95 * m * closed:
            break
    run.log(f"saturating rate: {saturation:,.0f} requests/s (closed-loop wrk -c{'/'.join(map(str, SATURATION_CONNECTIONS))}: "
            f"{closed:,.0f}; limit off)")
    rows = []
    for r in range(opts.rounds):
        order = list(SIDES) if r % 2 == 0 else list(reversed(SIDES))
        for name in order:
            for m in opts.multiples:
                rate = max(1, round(saturation * m))
                before = services[name].cpu_s()
                w = _window(tool, services[name].base + opts.path, rate, opts, client_cpus)
                cpu_s = services[name].cpu_s() - before
                row = {"round": r + 1, "side": name, "multiple": m, "rate": rate, "saturation": saturation,
                       "goodput": round(w["ok_in_window"] / w["duration_s"], 1), "p99_ok": w["ok_latency_ms"]["p99"],
                       "p50_ok": w["ok_latency_ms"]["p50"], "shed": w["errors"]["status_503"],
                       "other_status": w["errors"]["status"] - w["errors"]["status_503"],
                       "timeouts": w["errors"]["timeout"], "failed": w["errors"]["read"],
                       "late_starts": w["client_late_starts"], "requests": w["requests"],
                       # The service's CPU over the whole run of the tool, warm-up included, per request it was sent.
                       "cpu_us": round(cpu_s * 1e6 / (rate * (opts.warmup + opts.duration)), 1)}
                rows.append(row)
                run.log(f"round {r + 1}, limit {name}, {m:g}× ({rate:,}/s): goodput {row['goodput']:,.0f}/s, "
                        f"p99 of 2xx {row['p99_ok']} ms, 503 {row['shed']}, timeouts {row['timeouts']}, "
                        f"failed {row['failed']}, client late {row['late_starts']}")
    return rows


def _cpus():
    """(the server's CPUs, the load tool's) as taskset lists, or (None, None) on one core. The load has a core of its
    own: an open-loop client at 3× a server's rate on the server's cores would be the bottleneck it measures."""
    count = os.cpu_count() or 1
    if count < 2:
        return None, None
    return f"1-{count - 1}" if count > 2 else "1", "0"


def _pin_postgres(run, cpus):
    """The postmaster's CPUs; the backends it forks for the services' connections inherit them."""
    with open(os.path.join(run.postgres.data, "postmaster.pid"), encoding="ascii") as f:
        pid = f.readline().strip()
    status, out = run_tool(["taskset", "-a", "-p", "-c", cpus, pid], 30)
    if status != 0:
        raise Failure(f"taskset on PostgreSQL failed: {out.strip()}")


def _window(tool, url, rate, opts, cpus):
    # The warm-up runs at the window's rate: the queue a sudden load builds is the first seconds' business, and the
    # steady state is what the target is about.
    cmd = load.rate_command(tool, url, rate, opts.duration, MAX_CONNECTIONS, TIMEOUT_S) + [
        "--warmup", str(opts.warmup), "--raw"]
    status, out = run_tool(own.pinned(cpus, cmd), opts.duration + opts.warmup + TIMEOUT_S + 120)
    w = load.parse_wrk(out)
    if w is None:
        raise Failure(f"Storefront.Rate printed no result (exit {status}):\n{out[-1000:]}")
    return w


def summary(rows):
    """{(side, multiple): {goodput, p99_ok, shed share, ...} as medians and ranges over the rounds}."""
    out = {}
    for key in dict.fromkeys((r["side"], r["multiple"]) for r in rows):
        cell = [r for r in rows if (r["side"], r["multiple"]) == key]
        out[key] = {"rate": cell[0]["rate"], "goodput": [c["goodput"] for c in cell],
                    "p99_ok": [c["p99_ok"] for c in cell],
                    "shed_share": [c["shed"] / c["requests"] if c["requests"] else 0 for c in cell],
                    "timeouts": sum(c["timeouts"] for c in cell), "failed": sum(c["failed"] for c in cell),
                    "other_status": sum(c["other_status"] for c in cell),
                    "late_starts": sum(c["late_starts"] for c in cell),
                    "cpu_us": [c.get("cpu_us", 0.0) for c in cell]}
    return out


def refusal_cost(rows):
    """(service CPU µs per 2xx at 1×, per refusal at the top multiple) with the limit on, from the windows' CPU: a
    refused request's cost is what the top multiple's CPU per request leaves once its 2xx share is paid at the 1× cost.
    None where it cannot be told (no 1× or no refusals)."""
    cells = summary(rows)
    ms = sorted({r["multiple"] for r in rows})
    if ("on", 1.0) not in cells or len(ms) < 2 or ("on", ms[-1]) not in cells:
        return None
    served = st.median(cells[("on", 1.0)]["cpu_us"])
    top = cells[("on", ms[-1])]
    shed = st.median(top["shed_share"])
    if shed <= 0:
        return None
    return served, max(0.0, (st.median(top["cpu_us"]) - (1 - shed) * served) / shed)


def verdict(rows):
    """(goodput share at the highest multiple, p99 factor there, passed) for the limit on; None without 1× rows."""
    cells = summary(rows)
    ms = sorted({r["multiple"] for r in rows})
    if ("on", 1.0) not in cells or len(ms) < 2:
        return None
    top = ms[-1]
    best_1x = max(max(cells[(side, 1.0)]["goodput"]) for side in SIDES if (side, 1.0) in cells)
    share = st.median(cells[("on", top)]["goodput"]) / best_1x if best_1x else 0
    factor = (st.median(cells[("on", top)]["p99_ok"]) / st.median(cells[("on", 1.0)]["p99_ok"])
              if st.median(cells[("on", 1.0)]["p99_ok"]) else float("inf"))
    return share, factor, share >= GOODPUT_SHARE and factor <= P99_FACTOR


def failed(rows):
    v = verdict(rows)
    if v is None or v[2]:
        return None
    return f"the limit missed its target: goodput {v[0]:.0%} of the best at 1×, admitted p99 {v[1]:.1f}× its 1× p99"


def _range(values, fmt):
    return f"{fmt(st.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def report(rows, meta, opts):
    cells = summary(rows)
    saturation = rows[0]["saturation"] if rows else 0
    lines = ["| limit | load | goodput 2xx/s | p99 of 2xx ms | refused 503 | timeouts · failed · other | client late | "
             "service CPU µs per request sent |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for (side, m), c in cells.items():
        lines.append(f"| {side} | {m:g}× ({c['rate']:,}/s) | {_range(c['goodput'], lambda v: f'{v:,.0f}')} | "
                     f"{_range(c['p99_ok'], lambda v: f'{v:,.1f}')} | "
                     f"{_range(c['shed_share'], lambda v: f'{v:.0%}')} | {c['timeouts']} · {c['failed']} · "
                     f"{c['other_status']} | {c['late_starts']} | {_range(c['cpu_us'], lambda v: f'{v:.0f}')} |")
    v = verdict(rows)
    note = ("Target (limit on, at the highest multiple): goodput ≥ 90% of the best 1× goodput (either side, any round) "
            "and the admitted requests' p99 ≤ 5× their p99 at 1×: " +
            (f"goodput {v[0]:.0%}, p99 {v[1]:.1f}× — {'met' if v[2] else 'missed'}." if v else "not measured."))
    cost = refusal_cost(rows)
    if cost:
        note += (f" With the limit, the service spends about {cost[0]:.0f} µs of CPU per 2xx answer at 1× and about "
                 f"{cost[1]:.0f} µs per refusal at {max(r['multiple'] for r in rows):g}× (estimated from the windows' "
                 "CPU): a refusal is not free, and the goodput it can keep is bounded by that ratio.")
    return "\n".join([
        "# Graceful overload (`scripts/bench overload`)", "",
        f"{meta['date']} UTC, commit `{meta['commit']}`, `{meta['command']}`: Release, PostgreSQL 15, two services on "
        f"one database (the adaptive limit on, and off with `Overload__Enabled=false`), both and PostgreSQL on CPU 1 "
        f"and the load tools on CPU 0 ({meta['cores']} cores), load "
        f"average {meta['load']:.1f} at the start. `GET {opts.path}` on a catalog of {opts.items:,} items; the saturating rate is the most 2xx "
        f"answers per second of the best closed-loop `wrk` window of {SATURATION_S} s (at "
        f"{', '.join(map(str, SATURATION_CONNECTIONS))} connections) and of open-loop windows stepping up from it (1.5×, 2×, "
        "2.5×, 3×) until one is not kept up with, all with the limit off: "
        f"**{saturation:,.0f} requests/s**. Each window: `bench/Storefront.Rate` open-loop at the multiple of it "
        f"for {opts.warmup} s uncounted then {opts.duration} s counted (latency from when each request was due; at "
        f"most {MAX_CONNECTIONS:,} connections; {TIMEOUT_S} s timeout), {opts.rounds} rounds, the two sides' order "
        "alternating. Goodput: 2xx answers that came within the counted window, per second (an answer to an earlier "
        "request counts; one that came after the window does not). Each cell: the median of the rounds (their range); client late: requests the load tool itself "
        "sent more than 5 ms late (the client shares the 2 cores).", ""] + lines + ["", note]) + "\n"
