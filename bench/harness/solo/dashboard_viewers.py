"""What the dashboard costs GET /: throughput and CPU per request with no and with 10 /dashboard/stream viewers,
alternated (the bar: under 1% of GET / throughput). Method: bench/README.md.

  scripts/bench dashboard-viewers                  # 6 rounds of (0 viewers, 10 viewers), 5 s each
  scripts/bench dashboard-viewers --pin            # service on CPU 1, wrk and the viewers on CPU 0
  scripts/bench dashboard-viewers --pin --rounds 30 --duration 3 --profile --micro --out docs/bench/dashboard-viewers.md

The A/B (median ratio, bootstrap 95% interval over the rounds) resolves a few percent; the profile (perf samples with a
frame of the dashboard's code) resolves about 0.1% of the service's CPU. Met when the profile's share is under 1% and
the A/B's interval does not exclude a loss under 1%; with fewer than 10 rounds the verdict is left open.
"""

import glob
import os
import random
import statistics as st
import subprocess
import time

from harness import perf_share, plan, source
from harness.procs import Failure, run_tool
from harness.solo import own

NAME = "dashboard-viewers"
OPTIONS = {"--rounds": (6, 1, 100, "rounds of (no viewer, viewers)"), "--duration": (5, 1, 100, "seconds per side"),
           "--viewers": (10, 1, 100, "dashboard streams open on the viewers' side"),
           "--pin": (False, None, None, "service on CPU 1, wrk and the viewers on CPU 0"),
           "--profile": (False, None, None, "also the dashboard's share of the service's CPU samples (perf)"),
           "--micro": (False, None, None, "also bench/Storefront.Micro's dashboard benchmark")}
BAR = 0.01
MIN_ROUNDS = 10            # fewer make a bootstrap interval of the rounds meaningless
CONNECTIONS = 50
SETTLE_S = 2
PROFILE_S = 20
# The dashboard's code: its feature folder (feed, listener, tally, snapshot, endpoints) and the SSE writer it alone uses.
DASHBOARD_FRAMES = r"Storefront\.Api\.Dashboard\.|System\.Net\.ServerSentEvents\.|ServerSentEventsResult"


def check(opts):
    if opts.pin and (os.cpu_count() or 1) < 2:
        return "--pin needs 2 CPUs"
    return None


class Viewers:
    """N `curl -N` streams of /dashboard/stream, opened once and kept while the next side also wants them."""

    def __init__(self, run, service, token, n, cpus):
        self.run, self.service, self.token, self.n, self.cpus = run, service, token, n, cpus
        self.procs = []

    def want(self, side):
        if side == "none":
            self.close()
        elif not self.procs:
            self.procs = [self.run.background(["curl", "-sS", "-N", "-o", "/dev/null", "-H",
                                          f"Authorization: Bearer {self.token}", self.service.base + "/dashboard/stream"],
                                         os.devnull, cpus=self.cpus) for _ in range(self.n)]

    def close(self):
        for p in self.procs:
            p.cancel()
        self.procs = []


def measure(run, opts):
    if opts.profile:
        _install_perf()
    run.publish()
    load_cpus, service_cpus = ("0", "1") if opts.pin else (None, None)
    perf_maps = ["DOTNET_PerfMapEnabled=1", "DOTNET_EnableWriteXorExecute=0"] if opts.profile else []
    service = run.start_service(["Dashboard__Enabled=true"] + perf_maps, cpus=service_cpus)
    admin, password = f"watcher_{os.getpid()}", "a long enough passphrase"
    service.register(admin, password)
    run.command(["users", "grant", admin, "admin"])   # the admin role, against the service's embedded store
    token = service.token(admin, password)
    probe = subprocess.run(["curl", "-sS", "-N", "--max-time", "3", "-H", f"Authorization: Bearer {token}",
                            service.base + "/dashboard/stream"], capture_output=True, text=True)
    if "event: snapshot" not in probe.stdout:   # else the viewers' side would measure nothing
        raise Failure(f"the stream sent no snapshot: {probe.stdout[:500]}")
    viewers = Viewers(run, service, token, opts.viewers, load_cpus)
    root = service.base + "/"
    try:
        # One core compiles the hot paths (tiered JIT) while it serves: pinned, rps still climbed for about 40 s of load.
        warmup = 45 if opts.pin else 5
        run.log(f"warm-up ({warmup} s)")
        own.wrk(root, CONNECTIONS, warmup, script=None, cpus=load_cpus)
        rows = []
        for r in range(opts.rounds):
            got = {}
            for side in plan.rotated(["none", "viewers"], r):
                # Both sides take the same steps: the state, 2 s of unmeasured load (the change settles: viewers connect
                # and the listener starts, or they leave and it stops at the next tick), the measured run.
                viewers.want(side)
                own.wrk(root, CONNECTIONS, SETTLE_S, script=None, cpus=load_cpus)
                before = service.cpu_s()
                w = own.wrk(root, CONNECTIONS, opts.duration, cpus=load_cpus)
                cpu_us = (service.cpu_s() - before) * 1e6 / w["requests"]
                got[side] = (round(w["rps"]), round(cpu_us, 2))
            rows.append({"none_rps": got["none"][0], "none_cpu": got["none"][1],
                         "with_rps": got["viewers"][0], "with_cpu": got["viewers"][1]})
            run.log(f"round {r + 1}: GET / {got['none'][0]} rps, {got['none'][1]} µs CPU/request with no viewer; "
                    f"{got['viewers'][0]} rps, {got['viewers'][1]} µs with {opts.viewers} viewers")
        profiles = {}
        if opts.profile:
            run.log(f"profiles (perf, {PROFILE_S} s each side)")
            for side in ("none", "viewers"):
                viewers.want(side)
                profiles[side] = _profile(run, service, root, load_cpus)
                run.log(f"profile, {side}: {str(profiles[side])[:200]}")
    finally:
        viewers.close()
    micro = _micro(run) if opts.micro else []
    return {"rounds": rows, "profiles": profiles, "micro": micro}


def _install_perf():
    if subprocess.run(["perf", "--version"], capture_output=True).returncode == 0:
        return
    if os.geteuid() != 0:
        raise Failure("--profile needs perf (apt-get install linux-perf)")
    run_tool(["apt-get", "-qq", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "linux-perf"], 900,
             env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def _profile(run, service, root, cpus):
    """The service's stacks over PROFILE_S s under load, as perf_share's counts."""
    load = run.background(own.wrk_command(root, CONNECTIONS, PROFILE_S + 4, script=None), os.devnull, cpus=cpus)
    time.sleep(2)
    data = os.path.join(run.tmp, f"perf-{time.monotonic_ns()}.data")
    run_tool(own.pinned(cpus, ["perf", "record", "-q", "-F", "999", "-g", "-p", str(service.pid), "-o", data, "--",
                               "sleep", str(PROFILE_S)]), PROFILE_S + 60)
    load.finish(30)
    # perf script names JIT-compiled frames from /tmp/perf-PID.map, which lives as long as the service.
    script = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True, errors="replace")
    return perf_share.share(script.stdout.splitlines(), DASHBOARD_FRAMES)


def _micro(run):
    run.log("bench/Storefront.Micro: the dashboard's cost per measurement (BenchmarkDotNet, about a minute)")
    results = os.path.join(run.tmp, "micro")
    status, out = run_tool(["dotnet", "run", "-c", "Release", "--project", os.path.join(source.BENCH, "Storefront.Micro"),
                            "--artifacts-path", os.path.join(run.tmp, "micro-artifacts"), "--", "--filter",
                            "*DashboardListener*", "--inProcess", "--warmupCount", "3", "--iterationCount", "15",
                            "--artifacts", results], 1800)
    if status != 0:
        raise Failure(f"the micro-benchmark failed:\n{out[-3000:]}")
    lines = []
    for path in glob.glob(os.path.join(results, "results", "*DashboardListener*-report-github.md")):
        with open(path, encoding="utf-8") as f:
            lines = [line for line in f.read().splitlines() if line.startswith("|")]
    return lines


# ------------------------------------------------------------------ figures and report

def interval(xs, statistic=st.median, resamples=4000):
    """A percentile-bootstrap 95% interval of the statistic over the rounds (seeded: a report re-renders the same)."""
    rng = random.Random(16)
    values = sorted(statistic(rng.choices(xs, k=len(xs))) for _ in range(resamples))
    return values[int(0.025 * resamples)], values[int(0.975 * resamples) - 1]


def pct(xs):
    low, high = interval(xs)
    return (f"median {100 * st.median(xs):.1f}% (95% interval {100 * low:.1f}–{100 * high:.1f}%; "
            f"mean {100 * st.mean(xs):.1f}%, range {100 * min(xs):.1f}–{100 * max(xs):.1f}%)")


def share(profile):
    return profile["matching"] / max(1, profile["samples"])


def verdict(ratios, cost):
    """The bar's verdict from the rounds' rps ratios (viewers / none) and the profile's cost (a share of the CPU)."""
    if len(ratios) < MIN_ROUNDS:
        return (f"**Verdict: not decided.** {len(ratios)} rounds are too few for the A/B's interval (run 20 or more); "
                f"the profile reads {100 * cost:.2f}%.")
    low, high = interval(ratios)
    met = cost < BAR and high >= 1 - BAR
    return (f"**Verdict: {'met' if met else 'not met'}.** Watching costs {100 * cost:.2f}% of the service's CPU by "
            f"its profile (bar: under {100 * BAR:.0f}%); the A/B reads {100 * st.median(ratios):.1f}% of the rps "
            f"(95% interval {100 * low:.1f}–{100 * high:.1f}%), "
            + ("which cannot resolve 1% here and does not contradict the profile." if high >= 1 - BAR
               else "a larger loss than the profile's."))


def report(result, meta, opts):
    rows, viewers = result["rounds"], opts.viewers
    ratios = [r["with_rps"] / r["none_rps"] for r in rows]
    cpu = [r["with_cpu"] / r["none_cpu"] for r in rows]
    summary = [
        f"GET / with no viewer: mean {st.mean(r['none_rps'] for r in rows):,.0f} rps, "
        f"{st.mean(r['none_cpu'] for r in rows):.2f} µs CPU/request; with {viewers} viewers: mean "
        f"{st.mean(r['with_rps'] for r in rows):,.0f} rps, {st.mean(r['with_cpu'] for r in rows):.2f} µs CPU/request",
        f"rps, viewers / none: {pct(ratios)}",
        f"CPU per request, viewers / none: {pct(cpu)}",
    ]
    none, watched = result["profiles"].get("none"), result["profiles"].get("viewers")
    profile_lines, decided = [], None
    if none and watched:
        cost = share(watched) - share(none)
        profile_lines = [
            f"dashboard's code in the service's CPU samples: {100 * share(watched):.2f}% with {viewers} viewers "
            f"({watched['matching']:,} of {watched['samples']:,}), {100 * share(none):.2f}% with none "
            f"({none['matching']:,} of {none['samples']:,}): watching costs {100 * cost:.2f}% of the service's CPU",
            "with viewers, by frame: " + ", ".join(f"`{frame}` {100 * n / watched['samples']:.2f}%"
                                                   for frame, n in watched["frames"]),
            "with none, by frame: " + ", ".join(f"`{frame}` {100 * n / none['samples']:.2f}%" for frame, n in none["frames"]),
        ]
        decided = verdict(ratios, cost)
    setup = "the service on CPU 1, wrk and the viewers on CPU 0" if opts.pin else "service and load sharing both cores"
    md = [f"# GET / with {viewers} dashboard viewers (`scripts/bench dashboard-viewers`)", "",
          f"{meta['date']} UTC, commit `{meta['commit']}`, `{meta['command']}`: Release, Production, SQLite, "
          f"`wrk -t1 -c{CONNECTIONS}` for {opts.duration} s per side after {SETTLE_S} s of unmeasured load, {setup}, "
          f"{len(rows)} rounds, the order of the two sides alternating. The bar: the dashboard watched by {viewers} "
          "costs under 1% of `GET /`'s throughput.", ""]
    if decided:
        md += [decided, ""]
    md += ["| round | rps, no viewer | rps, viewers | ratio | CPU µs/request, no viewer | viewers | ratio |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    md += [f"| {i} | {r['none_rps']:,.0f} | {r['with_rps']:,.0f} | {100 * r['with_rps'] / r['none_rps']:.1f}% | "
           f"{r['none_cpu']:.2f} | {r['with_cpu']:.2f} | {100 * r['with_cpu'] / r['none_cpu']:.1f}% |"
           for i, r in enumerate(rows, 1)]
    md += [""] + [f"- {line}" for line in summary + profile_lines]
    if result["micro"]:
        md += ["", "One request's duration measurement (`bench/Storefront.Micro`, BenchmarkDotNet, in process; `none`: "
               "only the exporter's listener, as with nobody watching; `noop`: plus a second listener that does "
               "nothing; `dashboard`: plus the dashboard's):", ""] + result["micro"]
    return "\n".join(md) + "\n"
