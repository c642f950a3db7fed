"""The catalog at scale: GET /items rps at 20 to 1M items on PostgreSQL, one database and one service per size, all
running; the first page, a page 90% deep by cursor, a search and a sort. Method: bench/README.md.

  scripts/bench catalog-scale                                   # 3 rounds of 5 s windows, 8 connections
  scripts/bench catalog-scale --duration 2 --rounds 1 --sizes 20,10000   # a quick check
  scripts/bench catalog-scale --out docs/bench/catalog-scale.md            # the committed result
"""

import json
import statistics as st
import urllib.parse

from harness import plan
from harness.procs import Failure
from harness.solo import own

NAME = "catalog-scale"
OPTIONS = {"--duration": (5, 1, 120, "seconds per window"), "--warmup": (10, 1, 120, "seconds of warm-up per size "
           "and request"), "--rounds": (3, 1, 20, "rounds"), "--connections": (8, 1, 256, "wrk connections"),
           "--sizes": ("20,10000,100000,1000000", None, None, "catalog sizes, comma-separated, 20..10000000")}
REQUESTS = {   # name: (the report's title, the path; the deep page's cursor is found per size)
    "first": ("first page", "/items?limit=20"),
    "deep": ("page 90% deep (cursor)", "/items?limit=20"),
    "search": ("search ?q=lamp", "/items?q=lamp&limit=20"),   # about 1 item in 24 matches
    "sort": ("?sort=-price", "/items?sort=-price&limit=20"),
}
TARGET_SHARE = 80


def sizes(opts):
    return [int(s) for s in str(opts.sizes).replace(" ", ",").split(",") if s]


def check(opts):
    try:
        values = sizes(opts)
    except ValueError:
        values = []
    if not values or not all(20 <= n <= 10_000_000 for n in values):
        return "--sizes: numbers 20..10000000, comma-separated"
    return None


def measure(run, opts):
    run.start_postgres()
    run.publish()
    urls = {}
    for size in sizes(opts):
        run.log(f"catalog of {size} items: seeding its database, starting its service")
        database = f"catalog_{size}"
        run.postgres.sql("postgres", f"CREATE DATABASE {database} OWNER storefront")
        db = ["ASPNETCORE_ENVIRONMENT=Production", f"ConnectionStrings__Postgres={run.connection_string(database)}"]
        run.command(["seed", "--items", str(size)], db)
        # One load client searches thousands of times a second: past the per-client search limit it would measure 429s.
        service = run.start_service(db + ["RateLimits__SearchPermits=1000000"])
        for name, (_, path) in REQUESTS.items():
            if name == "deep" and (after := deep_cursor(service, size)):
                path += "&after=" + urllib.parse.quote(after, safe="")
            status, body = service.call("GET", path)
            if status != 200:
                raise Failure(f"{size} items, {name} answered {status}: {body[:500]!r}")
            urls[(size, name)] = service.base + path
    run.log(f"warm-up: {opts.warmup} s per size and request")
    for url in urls.values():
        own.wrk(url, opts.connections, opts.warmup, script=None)
    rows = []
    for r in range(opts.rounds):
        for name in REQUESTS:
            for size in plan.rotated(sizes(opts), r):
                w = own.wrk(urls[(size, name)], opts.connections, opts.duration)
                row = {"round": r + 1, "size": size, "name": name, "rps": round(w["rps"]),
                       "p50": w["latency_ms"]["p50"], "p99": w["latency_ms"]["p99"], "errors": sum(w["errors"].values())}
                rows.append(row)
                run.log(f"round {r + 1}, {size} items, {name}: {row['rps']} rps, p50 {row['p50']} ms, "
                        f"p99 {row['p99']} ms, errors {row['errors']}")
    return rows


def deep_cursor(service, size):
    """Follows `next` with 100-item pages until about 90% of the catalog is behind it; that cursor ("" if none)."""
    target, seen, after = size * 9 // 10, 0, None
    while True:
        status, body = service.call("GET", "/items?limit=100" + ("&after=" + urllib.parse.quote(after, safe="")
                                                                   if after else ""))
        if status != 200:
            raise Failure(f"GET /items answered {status} while paging")
        page = json.loads(body)
        seen += len(page["items"])
        if page["next"] is None or seen + 100 > target:
            return after or ""
        after = page["next"]


def table(rows):
    """(Markdown table lines, the target's verdict parts) from the rows."""
    sizes_ = list(dict.fromkeys(r["size"] for r in rows))
    cell = {(r["round"], r["size"], r["name"]): r for r in rows}
    rounds = sorted({r["round"] for r in rows})
    lines = ["| items | " + " | ".join(f"{title}: rps · p99 ms · % of {sizes_[0]:,} items"
                                       for title, _ in REQUESTS.values()) + " |",
             "|---:|" + "---:|" * len(REQUESTS)]
    verdict = []
    for s in sizes_:
        parts = []
        for name, (title, _) in REQUESTS.items():
            rps = [cell[(r, s, name)]["rps"] for r in rounds]
            p99 = [cell[(r, s, name)]["p99"] for r in rounds]
            share = [cell[(r, s, name)]["rps"] / cell[(r, sizes_[0], name)]["rps"] * 100 for r in rounds]
            parts.append(f"{st.median(rps):,.0f} · {st.median(p99):.1f} · {st.median(share):.0f}% "
                         f"({min(share):.0f}–{max(share):.0f})")
            if s == sizes_[-1] and s != sizes_[0] and name != "sort":
                verdict.append(f"{title} {st.median(share):.0f}%")
        lines.append(f"| {s:,} | " + " | ".join(parts) + " |")
    return lines, verdict


def report(rows, meta, opts):
    lines, verdict = table(rows)
    sizes_ = list(dict.fromkeys(r["size"] for r in rows))
    errors = sum(r["errors"] for r in rows)
    note = (f"Target: at {sizes_[-1]:,} items the first page, the deep page and the search keep at least "
            f"{TARGET_SHARE}% of their rps at {sizes_[0]:,} items (median of the rounds' ratios): {', '.join(verdict)}. "
            f"wrk errors and non-2xx in all windows: {errors}.")
    return "\n".join(["# The catalog at scale (`scripts/bench catalog-scale`)", "",
                      f"{meta['date']} UTC, commit `{meta['commit']}`, `{meta['command']}`: Release, PostgreSQL 15, one "
                      f"database and one service per catalog size, all running, `wrk -t1 -c{opts.connections}` for "
                      f"{opts.duration} s per window, {opts.rounds} rounds, the sizes' order rotating each round. Each "
                      "cell: median rps · median p99 · the median of the rounds' ratios to the smallest catalog (their "
                      "range).", ""] + lines + ["", note]) + "\n"
