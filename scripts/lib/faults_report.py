"""Writes docs/reliability.md (to stdout) from scripts/faults' results folder.

usage: faults_report.py OUT RATE COMMIT FAULT...
Per fault, OUT holds NAME.meta (fault start/end, a note) and NAME.jsonl (bench/Storefront.Mix: its start, one line
per second of load by when requests were due, then the jobs polled after the run).
"""
import datetime
import json
import os
import platform
import re
import sys

TITLES = {
    "sigkill": ("SIGKILL one instance", "instance 1 killed, started again after 5 s"),
    "sigterm": ("SIGTERM one instance", "instance 1 stopped gracefully, then started again"),
    "rolling": ("Rolling restart of all", "each instance in turn: SIGTERM, wait for the exit, start, wait until ready"),
    "postgres": ("PostgreSQL down", "stopped (fast shutdown) for 10 s, then started"),
    "redis": ("Redis down", "killed for 10 s, then started (empty) on the same port"),
    "upstreams": ("One upstream slow, one failing", "reco (optional) answers after 2 s; inventory (required) fails every call; 15 s"),
    "slowloris": ("1,000 slow-loris connections", "against nginx, a header line every 5 s, 20 s"),
    "cpu": ("CPU starvation", "a busy loop on every core for 10 s"),
    "memory": ("Memory pressure", "instance 1 in a memory cgroup of its RSS + 16 MiB for 20 s"),
    "redis-failover": ("Redis master killed, Sentinel failover", "SIGKILL to the master; the Sentinels promote the replica"),
    "pg-lag": ("Replication lag", "the standby stops applying WAL for 15 s (it still receives it), then catches up"),
    "pg-standby": ("PostgreSQL standby killed", "SIGKILL; after 2 s the primary stops waiting for it (synchronous_standby_names emptied); started again after 8 s and made synchronous once it streams"),
    "pg-failover": ("PostgreSQL primary killed, standby promoted", "SIGKILL to the primary; the script promotes the standby (pg_promote) and empties synchronous_standby_names"),
}
REPLICATED = ["redis-failover", "pg-lag", "pg-standby", "pg-failover"]


def failed(s):
    return s["total"] - s["ok"]


def row(out, name):
    title, how = TITLES[name]
    meta = json.load(open(os.path.join(out, f"{name}.meta")))
    if "unavailable" in meta:
        return f"| {title} | — | not available on this machine | — | — | — | {meta['unavailable']} |"
    lines = [json.loads(l) for l in open(os.path.join(out, f"{name}.jsonl")) if l.strip()]
    start_ms = lines[0]["start_unix_ms"]
    seconds = [l for l in lines if "second" in l]
    jobs = next((l for l in lines if "jobs_accepted" in l), None)
    fault_start = (meta["start_ms"] - start_ms) / 1000
    fault_end = (meta["end_ms"] - start_ms) / 1000
    # The whole run: a request due before the fault may still be in flight when it starts (and fail by it).
    window = seconds
    before = [s for s in seconds if s["second"] + 1 <= fault_start]
    total = sum(s["total"] for s in window)
    bad = sum(failed(s) for s in window)
    bad_before = sum(failed(s) for s in before)
    slowest = max((s["max_ms"] for s in window), default=0)
    statuses = {}
    for s in window:
        for k, v in s["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    failing = [s["second"] for s in window if failed(s) > 0]
    last = seconds[-1]["second"] if seconds else 0
    if not failing:
        recovery = "no failures"
    elif failing[-1] >= last - 2:
        recovery = "not recovered by the end of the run"
    else:
        recovery = f"{max(0.0, failing[-1] + 1 - fault_end):.0f} s"
    saw = ", ".join(f"{v} × {k}" for k, v in sorted(statuses.items(), key=lambda p: -p[1])) or "all 2xx"
    if bad_before:
        saw += f" ({bad_before} of the failures were due in the {fault_start:.0f} s before the fault)"
    if name == "slowloris" and before:
        base = sum(s["ok"] for s in before) / len(before)
        during = [s for s in window if fault_start <= s["second"] < fault_end]
        rate = sum(s["ok"] for s in during) / max(1, len(during))
        saw += f"; normal clients' successful requests/s {rate:.0f} vs {base:.0f} before ({100 * (1 - rate / base):.0f}% lost)"
    if meta.get("note"):
        saw += f"; {meta['note']}"
    lost = "—" if jobs is None else f"{jobs['jobs_lost']} of {jobs['jobs_accepted']}"
    orders = ""
    if name in REPLICATED:
        path = os.path.join(out, f"{name}.orders.json")
        if os.path.exists(path) and os.path.getsize(path) > 0:
            o = json.load(open(path))
            others = ", ".join(f"{v} × {'no answer' if k == '0' else k}" for k, v in sorted(o["statuses"].items()) if k != "201")
            orders = (f" {o['orders_lost']} of {o['orders_accepted']} |")
            saw += f"; orders: {o['statuses'].get('201', 0)} × 201{', ' + others if others else ''}, slowest {o['max_ms'] / 1000:.1f} s"
        else:
            orders = " — |"
    return (f"| {title} ({how}; from {fault_start:.0f} s into the load, {fault_end - fault_start:.0f} s long) | {bad} / {total} | {slowest / 1000:.1f} s | {lost} |{orders} "
            f"{recovery} | {saw} |")


def previous_rows(out):
    """Rows and the "Measured" line of the table this run replaces (OUT/previous.md, copied by scripts/faults)."""
    path = os.path.join(out, "previous.md")
    if not os.path.exists(path):
        return {}, None
    lines = open(path).read().splitlines()
    rows = {name: next((l for l in lines if l.startswith(f"| {title} (")), None) for name, (title, _) in TITLES.items()}
    measured = next((l for l in lines if l.startswith("Measured ")), None)
    return {k: v for k, v in rows.items() if v}, measured


def main():
    out, rate, commit, faults = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    # Faults not in this run (--only) keep their rows from the previous table, said so below it.
    previous, previous_measured = previous_rows(out)
    kept = [name for name in TITLES if name not in faults and name in previous]

    def emit(name):
        print(row(out, name) if name in faults else previous[name])
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    print(f"""# Reliability: what users see when a part fails

Generated by `scripts/faults` (do not edit by hand; run it again). It starts `scripts/cluster start 3`
(nginx from `deploy/nginx/`, 3 Release instances, one PostgreSQL, one Redis, one upstream simulator, all on
loopback) and, for each fault, runs `bench/Storefront.Mix` through nginx: an open-loop load at a fixed
**{rate} requests/s** (each request due at its time whatever happened to the others; latency counted from when
it was due, 10 s client timeout). The mix, in every 20 requests: 9 `GET /items/{{id}}`, 5 `GET /product/{{id}}`
(the upstream fan-out), 3 `POST /items` (the bearer token of a user granted the catalog role), 2 `POST /log` (a background job), 1 `POST /token`
(a login, all from one address through nginx, so the cluster runs with `RateLimits__LoginPermits=100000`:
the table shows faults, not the login limit).

Each fault gets a run of its own: steady load (the first column says for how long), the fault (its recovery action included: the part started
again and ready), then at least 20 s more. **Requests failed / total** counts every request due from the
start of the run to its end that was not a 2xx (a 4xx/5xx status, a timeout, a refused or reset
connection). (failures due before the fault, when there are any, are counted out in the
last column: a request due then may still be in flight when the fault starts, or the machine was busy).
**Slowest**: the longest request of the run. **Jobs lost**: `POST /log` jobs answered 202
that had not succeeded 60 s after the run (polled through nginx). **Recovery**: from the end of the fault
(the part back) to the end of the last second with a failure; "not recovered" if failures went on to the
end of the run.

Machine: {os.cpu_count()} cores ({cpu}), {mem} MiB RAM, {platform.system()} {platform.release()}; every
process on this one machine, which other work shared during the run, so take single slow seconds lightly.

| fault | requests failed / total | slowest | jobs lost | recovery | what the user saw |
|---|---:|---:|---:|---|---|""")
    for name in TITLES:
        if name not in REPLICATED and (name in faults or name in kept):
            emit(name)
    replicated = [name for name in REPLICATED if name in faults or name in kept]
    if replicated:
        print(f"""
## With a standby and Sentinel

The same load on `scripts/cluster start 3 --replicated`: PostgreSQL as a primary and a synchronous streaming
standby (the instances list both in one connection string; anonymous catalog reads go to the standby while its lag
is within `Database__MaxStandbyLagMs`, 2 s), Redis as a master, a replica and three Sentinels (the instances
name the Sentinels and the service, not a Redis address). Beside the load, one user places 3 orders a second
(`scripts/lib/orders_probe.py`); **orders lost**: orders answered 201 that `GET /orders/{{id}}` does not find
afterwards (on whichever server is the primary by then). Each fault's recovery action is the script's, as an
operator or Patroni would take it; the service itself is never restarted or reconfigured.

| fault | requests failed / total | slowest | jobs lost | orders lost | recovery | what the user saw |
|---|---:|---:|---:|---:|---|---|""")
        for name in replicated:
            emit(name)
    measured = f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at commit {commit}"
    if kept:
        titles = ", ".join(TITLES[name][0] for name in kept)
        # Only "DATE UTC at commit X" of the earlier line (it may itself name kept rows).
        found = re.match(r"Measured (.+? at commit [0-9a-f]+(?: \+ uncommitted changes)?)", previous_measured or "")
        earlier = found.group(1) if found else "earlier"
        measured += (f" ({', '.join(TITLES[name][0] for name in faults)}). The other rows ({titles}) are kept from "
                     f"earlier runs (the last of them measured {earlier})")
    print(f"""
{measured}.

How to read it. The instances drain for `Shutdown__DrainDelaySeconds=3` on SIGTERM (readiness 503, `Connection:
close` on every answer) before they stop accepting, so nginx lets go of them without a cut request; after a SIGKILL
nginx retries the idempotent requests on another instance and marks the dead one failed (`max_fails`), so only a
POST in flight at the instant of the kill can fail (a 502: nginx does not resend a POST that reached an instance,
which could then run twice). While PostgreSQL is down every request that needs it gets a 503 with `Retry-After` at
once (no hung requests: see "slowest"), and a job is either stored (202) or refused (503), never lost. While Redis
is down the cache answers from the database and the login limits are counted per instance (readiness `degraded`).
A failing required upstream opens its circuit: 503 with `Retry-After` at once instead of a 502 after each
attempt, until the probe after the break finds it well again (the recovery column). The memory fault limits a
running process, which .NET's garbage collector only learns about at its next collection; a container sets the limit
before the process starts, so this row is a weak test of the memory case.""")
    if replicated:
        print("""
With a standby. When the primary dies, the requests that need it at that moment get a 503 with `Retry-After`
(never a 500), until the promoted server takes writes and the instances see it as the primary (Npgsql asks each
server its role again within 2 s); anonymous catalog reads go on from the standby meanwhile. Every write the service
acknowledged was already on the standby (`synchronous_commit=on`), hence no order or job lost. A killed standby
holds the commits that wait for it until the primary stops waiting (the "slowest" column; Patroni and CloudNativePG
take that step by themselves), and cuts the catalog reads that were on it at that instant; the rest move to the
primary. Paused replay makes the standby's lag exceed the bound, and anonymous reads go to the primary until it has
caught up: no read is older than the bound plus one probe interval. A Redis master failover fails no request: the
cache and the limits fall back as in any Redis outage for the few seconds Sentinel needs, and come back by themselves.""")


main()
