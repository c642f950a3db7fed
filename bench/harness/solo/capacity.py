"""CPU per request of each part of a `scripts/cluster` deployment under the fault table's mix (bench/Storefront.Mix:
9 item reads, 5 product pages, 3 item writes, 2 jobs, 1 login in every 20), for docs/capacity.md. Method:
bench/README.md.

  scripts/bench capacity                                    # 2 instances, 200 requests/s for 30 s
  scripts/bench capacity --rate 150 --replicated            # a PostgreSQL primary and standby, Redis with Sentinel
"""

import json
import os
import time

from harness import sides, source
from harness.procs import Failure, run_tool
from harness.solo import cluster

NAME = "capacity"
OPTIONS = {"--rate": (200, 1, 5000, "requests per second of the mix"), "--seconds": (30, 5, 600, "seconds measured"),
           "--instances": (2, 1, 8, "instances behind nginx"),
           "--replicated": (False, None, None, "PostgreSQL as a primary and a standby, Redis with Sentinel")}
WARMUP_S = 10
IDLE_S = 10
# The mix's logins, registrations and logs all come from one client address.
SETTINGS = ["RateLimits__LoginPermits=100000", "RateLimits__RegisterPermits=1000", "RateLimits__LogPermits=1000000"]
check = cluster.check


def parts(opts):
    return [p for p in cluster.PARTS if opts.replicated or p != "postgres-standby"]


def measure(run, opts):
    mix = os.path.join(run.tmp, "mix")
    if not sides.publish(os.path.join(run.tmp, "artifacts"), os.path.join(source.BENCH, "Storefront.Mix"), mix,
                         os.path.join(run.tmp, "mix.log")):
        raise Failure("could not publish bench/Storefront.Mix")
    deployment = cluster.Cluster(run, SETTINGS, opts.instances, opts.replicated)
    url = deployment.url()
    user, _ = deployment.account(url, "catalog")   # the mix's catalog writes need catalog staff
    env = {**os.environ, "STOREFRONT_MIX_USERNAME": user, "STOREFRONT_MIX_PASSWORD": cluster.PASSWORD}

    def mix_run(seconds):
        return run_tool([os.path.join(mix, "Storefront.Mix"), url, "--rate", str(opts.rate), "--seconds",
                         str(seconds), "--jobs-wait", "0"], seconds + 120, env=env)[1]

    run.log(f"warming up: {WARMUP_S} s at {opts.rate}/s")
    mix_run(WARMUP_S)
    # What the parts cost whatever the traffic: timers, the job worker's polling, the lag probe, the collector.
    run.log(f"measuring idle: {IDLE_S} s")
    idle, idle_s, _ = deployment.cpu_over(parts(opts), lambda: time.sleep(IDLE_S))
    run.log(f"measuring: {opts.seconds} s at {opts.rate}/s")
    used, wall_s, out = deployment.cpu_over(parts(opts), lambda: mix_run(opts.seconds))
    ok, total = mix_counts(out)
    return [{"part": part, "cpu_s": used[part], "idle_cpu_s": idle[part], "wall_s": wall_s, "idle_s": idle_s,
             "ok": ok, "total": total} for part in parts(opts)]


def mix_counts(text):
    """(2xx answers, requests) over the seconds of Storefront.Mix's output (a JSON object a line)."""
    seconds = [json.loads(line) for line in text.splitlines() if line.startswith('{"second"')]
    return sum(s["ok"] for s in seconds), sum(s["total"] for s in seconds)


def figures(row):
    """(idle cores, CPU µs per request answered 2xx, the same less the idle cost, cores used) of one part."""
    idle_cores = row["idle_cpu_s"] / row["idle_s"]
    ok = max(row["ok"], 1)
    marginal_s = max(0.0, row["cpu_s"] - idle_cores * row["wall_s"])
    return idle_cores, row["cpu_s"] * 1e6 / ok, marginal_s * 1e6 / ok, row["cpu_s"] / row["wall_s"]


def report(rows, meta, opts):
    lines = [f"| part | idle cores | CPU µs / request | less the idle cost | cores at {opts.rate} requests/s |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        idle, per_request, marginal, cores = figures(r)
        lines.append(f"| {r['part']} | {idle:.3f} | {per_request:,.0f} | {marginal:,.0f} | {cores:.2f} |")
    first = rows[0] if rows else {"ok": 0, "total": 0, "wall_s": 0}
    return "\n".join([
        "# CPU per request of each part (`scripts/bench capacity`)", "",
        f"{meta['date']} UTC, commit `{meta['commit']}`, `{meta['command']}`: `scripts/cluster start "
        f"{opts.instances}{' --replicated' if opts.replicated else ''}`, the mix through nginx at {opts.rate} "
        f"requests/s after a {WARMUP_S} s warm-up, each part's processes measured idle for {IDLE_S} s first. "
        f"{meta['cores']} cores, load average {meta['load']} before the run.", ""] + lines + [
        "", f"{first['ok']:,} of {first['total']:,} requests answered 2xx over {first['wall_s']:.0f} s."]) + "\n"
