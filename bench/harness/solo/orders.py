"""Orders under contention: POST /orders per second and units oversold, Storefront against the FastAPI peer's
seed-style POST /orders (bench/peer), both on one throwaway PostgreSQL. Method: bench/README.md. Exit status 1 if
Storefront oversold.

  scripts/bench orders                        # 2 rounds, 5 s windows: about 3 minutes after the build
  scripts/bench orders --rounds 3 --out docs/bench/orders.md
  scripts/bench orders --seconds 2 --rounds 1 --warmup 1 --app DIR   # a quick check with an already published Storefront
"""

import json
import os
import statistics
import time

from harness import load, plan, source
from harness.procs import Failure, run_tool
from harness.solo import own

NAME = "orders"
OPTIONS = {"--seconds": (5, 1, 60, "seconds per wrk window"), "--rounds": (2, 1, 10, "rounds"),
           "--warmup": (3, 0, 60, "seconds of warm-up per side and wrk scenario"),
           "--connections": (200, 2, 1000, "wrk connections (buyers)")}
SIDES = ["storefront", "peer"]
SPREAD_ITEMS = 1000
# Per scenario: the items stocked (1..items), the units of each, the load.
WINDOWS = {
    "hot": {"items": 1, "units": 100_000, "tool": "wrk"},               # never sells out
    "spread": {"items": SPREAD_ITEMS, "units": 1000, "tool": "wrk"},    # a random item per order
    "oversell": {"items": 1, "units": 100, "tool": "hey", "buyers": 1000},   # all at once: exactly 100 may succeed
}
JOBS_WAIT_S = 300


def measure(run, opts):
    run.start_postgres()
    run.publish()
    run.log(f"seeding {SPREAD_ITEMS} items")
    db = run.on_postgres()
    run.command(["seed", "--items", str(SPREAD_ITEMS)], db)
    with open(os.path.join(source.BENCH, "peer", "orders.sql"), encoding="utf-8") as f:
        run.sql(f.read())
    # One user places every order, as the peer's clients do: the per-user limits (Orders__*) are a shop's policy, not
    # part of the comparison.
    storefront = run.start_service(db + ["Orders__MaxOrdersPerMinute=0", "Orders__MaxUnitsPerItemPerUser=0"])
    admin, password = "ordersadmin", f"bench-{os.getpid()}-{time.monotonic_ns()}-pw"
    storefront.register(admin, password)
    run.command(["users", "grant", admin, "admin"], db)   # roles come from the operator's command, same store
    token = storefront.token(admin, password)
    peer = run.start_peer()
    run.log(f"Storefront on {storefront.base}, the peer on {peer.base} (2 workers)")
    servers = {"storefront": (storefront, token), "peer": (peer, None)}

    rows = []
    if opts.warmup:
        for side in SIDES:
            run.log(f"warm-up: {side}, {opts.warmup} s each of hot and spread")
            for scenario in ("hot", "spread"):
                _window(run, opts, servers, side, scenario, opts.warmup)
    for r in range(opts.rounds):
        for scenario in WINDOWS:
            for side in plan.rotated(SIDES, r):
                row = _window(run, opts, servers, side, scenario, opts.seconds)
                rows.append({"round": r + 1, **row})
                run.log(f"round {r + 1}, {side}, {scenario}: {row['rate']} orders/s, {row['errors']} errors, "
                        f"{row['orders']} orders ({row['sold']} units) of {row['initial']} units, {row['left']} left, "
                        f"oversold {row['oversold']} {row['codes']}")
    return rows


def _window(run, opts, servers, side, scenario, seconds):
    spec = WINDOWS[scenario]
    server, token = servers[side]
    _set_stock(run, side, server, token, spec["items"], spec["units"])
    after = int(run.sql(f"SELECT coalesce(max(id), 0) FROM {_orders_table(side)}")[0][0])
    auth = {"ORDERS_TOKEN": token} if token else {}
    if spec["tool"] == "hey":
        extra = ["-m", "POST", "-T", "application/json", "-d", '{"lines": [{"item_id": 1, "quantity": 1}]}']
        extra += ["-H", f"Authorization: Bearer {token}"] if token else []
        _, out = run_tool(load.hey_command(server.base + "/orders", spec["buyers"], extra), 120,
                          out_path=os.path.join(run.tmp, f"hey-{side}.txt"))
        hey = load.parse_hey(out)
        rate, errors, codes = burst_figures(hey)
        if hey["error_count"]:
            run.log(f"  {side}: {hey['error_count']} buyers got no answer: {next(iter(hey['errors']))}")
    else:
        w = own.wrk(server.base + "/orders", opts.connections, seconds, threads=2, script="orders.lua", timeout_s=10,
                    env={"ORDERS_ITEMS": str(spec["items"]), **auth})
        rate, errors, codes = w["rps_2xx"], sum(w["errors"].values()), "-"
    time.sleep(1)   # orders still in flight when the load stopped
    drained = _settle_jobs(run) if side == "storefront" else None
    orders, sold, left = (int(v) for v in run.sql(_tally(side, spec["items"], after))[0])
    initial = spec["items"] * spec["units"]
    return {"side": side, "scenario": scenario, "rate": rate, "errors": errors, "orders": orders, "sold": sold,
            "initial": initial, "left": left, "oversold": sold - (initial - left), "codes": codes,
            **({"mails": drained[0], "drain_s": drained[1]} if drained else {})}


def burst_figures(hey):
    """(201s a second over the burst's time, answers >= 300 plus requests unanswered, "status:count,...")."""
    ok = sum(n for code, n in hey["status_counts"].items() if 200 <= int(code) < 300)
    refused = sum(n for code, n in hey["status_counts"].items() if int(code) >= 300)
    failed = hey["error_count"]
    codes = ",".join(f"{c}:{n}" for c, n in sorted(hey["status_counts"].items(), key=lambda kv: int(kv[0])))
    rate = round(ok / hey["total_s"], 1) if hey["total_s"] else 0.0
    return rate, refused + failed, codes + (f",failed:{failed}" if failed else "")


def _set_stock(run, side, server, token, items, units):
    """Items 1..items get `units` each, every window starting from the level it sets."""
    if side == "peer":
        run.sql(f"INSERT INTO peer_stock (item_id, available) SELECT g, {units} FROM generate_series(1, {items}) g "
                "ON CONFLICT (item_id) DO UPDATE SET available = EXCLUDED.available")
        return
    # A level is units on hand, and earlier windows' orders keep theirs reserved (docs/api.md, "Stock"): they are
    # cancelled here by SQL, as the peer's stock forgets its orders.
    run.sql("UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE status = 'confirmed'; "
            "UPDATE item_stock SET reserved = 0 WHERE reserved <> 0")
    for item in range(1, items + 1):
        status, body = server.call("PUT", f"/items/{item}/stock", {"in_stock": units},
                                   {"Authorization": f"Bearer {token}"})
        if status != 200:
            raise Failure(f"PUT /items/{item}/stock answered {status}: {body[:300]!r}")


def _orders_table(side):
    return "peer_orders" if side == "peer" else "orders"


def _tally(side, items, after):
    """orders, units and stock left for items 1..items since order `after`."""
    if side == "peer":
        return (f"SELECT count(DISTINCT l.order_id), coalesce(sum(l.quantity), 0), "
                f"(SELECT coalesce(sum(available), 0) FROM peer_stock WHERE item_id <= {items}) "
                f"FROM peer_order_lines l WHERE l.order_id > {after} AND l.item_id <= {items}")
    return (f"SELECT count(DISTINCT o.id), coalesce(sum(l.quantity), 0), "
            f"(SELECT coalesce(sum(available), 0) FROM stock_available WHERE item_id <= {items}) "
            f"FROM orders o JOIN order_lines l ON l.order_id = o.id "
            f"WHERE o.id > {after} AND o.status = 'confirmed' AND l.item_id <= {items}")


def _settle_jobs(run):
    """
    Storefront's confirmation mails are jobs run after the commit: the queue is drained before anything else is
    measured, so the other side's window never shares the machine with them. (mails waiting, seconds to drain).
    """
    started = time.monotonic()
    deadline = started + JOBS_WAIT_S
    waiting = int(run.sql("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")[0][0])
    while run.sql("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")[0][0] != "0":
        if time.monotonic() > deadline:
            run.log(f"  (Storefront's mail jobs still queued after {JOBS_WAIT_S} s; going on)")
            break
        time.sleep(0.1)
    return waiting, round(time.monotonic() - started, 2)


def mail_drain(rows):
    """(median mails/s, slowest, fastest, longest drain s) over the Storefront windows that left mail, or None."""
    drains = [(r["mails"], r["drain_s"]) for r in rows if r.get("mails") and r.get("drain_s")]
    if not drains:
        return None
    rates = sorted(n / t for n, t in drains)
    return statistics.median(rates), rates[0], rates[-1], max(t for _, t in drains)


def failed(rows):
    bad = [r for r in rows if r["side"] == "storefront" and r["oversold"] != 0]
    return f"Storefront oversold: {json.dumps(bad)}" if bad else None


# ------------------------------------------------------------------ report

def _median(xs):
    return statistics.median(xs) if xs else float("nan")


def _range(xs):
    return f" ({min(xs):,.0f}–{max(xs):,.0f})" if len(xs) > 1 else ""


def ratios(rows, scenario):
    """Storefront / peer per round, for the rounds in which the peer answered anything."""
    by = {(r["round"], r["side"]): r["rate"] for r in rows if r["scenario"] == scenario}
    return [by[(n, "storefront")] / by[(n, "peer")] for n in sorted({r["round"] for r in rows})
            if by.get((n, "peer")) and (n, "storefront") in by]


def report(rows, meta, opts):
    conns = opts.connections
    names = {"hot": f"one hot item, {conns} buyers (wrk -c{conns})",
             "spread": f"1,000 distinct items, {conns} buyers (wrk -c{conns})",
             "oversell": "100 units, 1,000 buyers at once (hey -c1000)"}
    rounds = len({r["round"] for r in rows})
    out = ["# Orders under contention: Storefront vs the FastAPI peer (seeds' asyncio.Lock), PostgreSQL", "",
           f"{meta['date']} UTC, commit `{meta['commit']}`, {meta['cores']} cores, `{meta['command']}`: "
           f"{rounds} round(s), {opts.seconds} s windows, sides alternating first; both sides on one PostgreSQL 15 "
           "(fsync off), one item per order.", ""]
    if meta["load"] > meta["cores"] / 2:
        out.append(f"**Measured on a busy machine** (1-minute load average {meta['load']} on {meta['cores']} cores "
                   "before the run): the figures show that the run works and what the peer oversells; the rates are "
                   "not worth quoting.")
    else:
        out.append(f"1-minute load average before the run: {meta['load']} on {meta['cores']} cores.")
    out += ["", "| scenario | Storefront orders/s | peer orders/s | ratio | Storefront oversold | peer oversold |",
            "|---|---:|---:|---:|---:|---:|"]
    for s in WINDOWS:
        sf = [r for r in rows if r["scenario"] == s and r["side"] == "storefront"]
        pe = [r for r in rows if r["scenario"] == s and r["side"] == "peer"]
        rs = ratios(rows, s)
        ratio = (f"{_median(rs):.2f}×" + (f" ({min(rs):.2f}–{max(rs):.2f})" if len(rs) > 1 else "")) if rs else "n/a"
        sf_rates, pe_rates = [r["rate"] for r in sf], [r["rate"] for r in pe]
        out.append(f"| {names[s]} | {_median(sf_rates):,.0f}{_range(sf_rates)} | {_median(pe_rates):,.0f}"
                   f"{_range(pe_rates)} | {ratio} | {max((r['oversold'] for r in sf), default='n/a')} | "
                   f"{max((r['oversold'] for r in pe), default='n/a')} |")
    out += ["", "orders/s: 2xx answers a second (the oversell burst: 201s over the burst's time, so the refusals' cost "
            "is in it); median over the rounds (min–max), ratio = Storefront / peer per round. Oversold: the most over "
            "the rounds of units in accepted orders − (stock before − stock after), i.e. units sold that the stock "
            "never lost (lost updates); with 100 units it is also the orders accepted beyond the stock.", ""]
    if (drain := mail_drain(rows)) is not None:
        out += [f"Storefront's confirmation mails (one durable job per order, written to the pickup folder) were drained "
                f"after each of its windows before the next window started: {drain[0]:,.0f} mails/s (median; "
                f"{drain[1]:,.0f}–{drain[2]:,.0f}), the longest drain {drain[3]:.0f} s. The peer sends no mail.", ""]
    out += [
            "Every window (not 2xx: answers >= 300, e.g. the burst's 409 refusals, and requests that got no answer; "
            "statuses: the burst's answers by status):", "",
            "| round | side | scenario | orders/s | not 2xx | orders | units sold | stock before | stock after | "
            "oversold | statuses |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    out += [f"| {r['round']} | {r['side']} | {r['scenario']} | {r['rate']:,.0f} | {r['errors']} | {r['orders']:,} | "
            f"{r['sold']:,} | {r['initial']:,} | {r['left']:,} | {r['oversold']} | {r['codes']} |" for r in rows]
    return "\n".join(out) + "\n"
