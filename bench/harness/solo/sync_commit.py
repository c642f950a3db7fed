"""What a synchronous standby costs an order: POST /orders per second and latency with the service's sessions at
synchronous_commit=on (the default with a standby: the commit waits until the standby has the WAL) against local (the
primary's disk only), on `scripts/cluster start 1 --replicated`, for docs/capacity.md. On loopback the round trip to
the standby is the machine's: a real standby in another zone adds its network's. Method: bench/README.md.

  scripts/bench sync-commit                             # 3 rounds of 400 orders at concurrency 20
  scripts/bench sync-commit --rounds 1 --orders 100     # a quick check
"""

import statistics as st

from harness import load, plan
from harness.targets import rounds_text
from harness.procs import Failure, run_tool
from harness.solo import cluster, own

NAME = "sync-commit"
OPTIONS = {"--rounds": (3, 1, 20, "rounds; which setting goes first alternates"),
           "--orders": (400, 10, 100_000, "orders measured per run"),
           "--concurrency": (20, 1, 1000, "orders in flight (hey -c)")}
SETTINGS = {"on": "on (waits for the standby)", "local": "local (primary only)"}
PARTS = ("instances", "postgres", "postgres-standby")
WARMUP_ORDERS = 100
# One user places every order: the per-user limits are a shop's policy, not what this measures.
LIMITS = ["Orders__MaxOrdersPerMinute=0", "Orders__MaxUnitsPerItemPerUser=0"]
check = cluster.check


def measure(run, opts):
    deployment = cluster.Cluster(run, LIMITS, 1, replicated=True)
    url = deployment.url(0)
    _, token = deployment.account(url, "admin")
    status, body = own.Service(url).call("PUT", "/items/1/stock", {"in_stock": 1_000_000},
                                         {"Authorization": f"Bearer {token}"})
    if status != 200:
        raise Failure(f"PUT /items/1/stock answered {status}: {body[:300]!r}")
    order = ["-m", "POST", "-H", f"Authorization: Bearer {token}", "-T", "application/json",
             "-d", '{"lines": [{"item_id": 1, "quantity": 1}]}']

    def orders(n):
        return run_tool(load.hey_command(url + "/orders", n, order, opts.concurrency), 600)[1]

    rows = []
    for r in range(opts.rounds):
        for setting in plan.rotated(list(SETTINGS), r):
            # The one instance restarted with the setting, a short warm-up, then the measured orders.
            deployment("instance", "0", "stop")
            deployment("instance", "0", "start", extra=[f"Database__SynchronousCommit={setting}"])
            orders(WARMUP_ORDERS)
            cpu, _, out = deployment.cpu_over(PARTS, lambda: orders(opts.orders))
            hey = load.parse_hey(out)
            ok = hey["status_counts"].get("201", 0)
            row = {"round": r + 1, "setting": setting, "rps": hey["rps"] or 0.0, "ok": ok,
                   "p50": hey["latency_ms"].get("p50", 0.0), "p99": hey["latency_ms"].get("p99", 0.0),
                   **{part: cpu[part] * 1e6 / max(ok, 1) for part in PARTS}}
            rows.append(row)
            run.log(f"round {r + 1}, synchronous_commit={setting}: {row['rps']:.0f} orders/s, p50 {row['p50']} ms, "
                    f"p99 {row['p99']} ms, {ok} 201s, CPU µs per order: instance {row['instances']:.0f}, primary "
                    f"{row['postgres']:.0f}, standby {row['postgres-standby']:.0f}")
    return rows


def report(rows, meta, opts):
    lines = ["| synchronous_commit | orders/s | p50 | p99 | instance CPU µs / order | primary CPU µs / order | "
             "standby CPU µs / order |", "|---|---:|---:|---:|---:|---:|---:|"]
    for setting, title in SETTINGS.items():
        mine = [r for r in rows if r["setting"] == setting]
        if mine:
            # The lower of the middle two with an even number of rounds: a figure one round measured.
            med = {key: st.median_low(r[key] for r in mine) for key in ("rps", "p50", "p99") + PARTS}
            lines.append(f"| {title} | {med['rps']:.0f} | {med['p50']:.1f} ms | {med['p99']:.1f} ms | "
                         + " | ".join(f"{med[part]:.0f}" for part in PARTS) + " |")
    return "\n".join([
        "# What a synchronous standby costs an order (`scripts/bench sync-commit`)", "",
        f"{meta['date']} UTC, commit `{meta['commit']}`, `{meta['command']}`: `scripts/cluster start 1 --replicated`, "
        f"{rounds_text(opts.rounds)} of {opts.orders} orders of one unit of item 1 at concurrency {opts.concurrency} (`hey`) "
        "per setting, the instance restarted with it (`Database__SynchronousCommit`) before each, which setting goes "
        "first alternating; medians of the rounds. CPU: utime + stime from /proc of the instance and of each "
        f"PostgreSQL server (postmaster and backends). {meta['cores']} cores, load average {meta['load']} before "
        "the run.", ""] + lines) + "\n"
