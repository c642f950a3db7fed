"""The catalog at scale: GET /items rps at 20 to 1M items on PostgreSQL, one database and one service per size, all
running; the first page, a page 90% deep by cursor, a sort and searches for a rare, a 1% and a 25% term. Two
targets: each size against the smallest, and each search against the first page of the same size in the same round.
Method: bench/README.md.

  scripts/bench catalog-scale                                   # 5 rounds of 5 s windows, 8 connections
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
           "and request"), "--rounds": (5, 1, 20, "rounds"), "--connections": (8, 1, 256, "wrk connections"),
           "--sizes": ((20, 10000, 100000, 1000000), 20, 10_000_000, "catalog sizes")}
# The generated catalog names item k "{adjective} {noun} k" (12 adjectives, 24 nouns: CatalogBulkSeed), so these terms
# match the same share at every size from about 1,000 items up; the rare one matches 20 items of a million.
REQUESTS = {   # name: (the report's title, the path; the deep page's cursor is found per size)
    "first": ("first page", "/items?limit=20"),
    "deep": ("page 90% deep (cursor)", "/items?limit=20"),
    "sort": ("?sort=-price", "/items?sort=-price&limit=20"),
    "rare": ("search ?q=54321 (rare)", "/items?q=54321&limit=20"),
    "medium": ("search ?q=ic%20desk (1%)", "/items?q=ic%20desk&limit=20"),
    "common": ("search ?q=ic%20 (25%)", "/items?q=ic%20&limit=20"),
}
SEARCHES = ("rare", "medium", "common")
TARGET_SHARE = 80         # % of the smallest catalog's rps, for the first page and the deep page
SEARCH_SHARE = 0.5        # a search's rps against the first page's, same size and round
SEARCH_P99_MS = 20


def measure(run, opts):
    run.start_postgres()
    run.publish()
    urls = {}
    for size in opts.sizes:
        run.log(f"catalog of {size} items: seeding its database, starting its service")
        database = f"catalog_{size}"
        run.postgres.sql("postgres", f"CREATE DATABASE {database} OWNER storefront")
        db = run.on_postgres(database)
        run.command(["seed", "--items", str(size)], db)
        # The bulk load leaves its pages and WAL for the next checkpoint to write: done now, not in a measured window.
        run.postgres.sql(database, "CHECKPOINT")
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
        # A size's requests one after the other, so that a search and its first page share the machine's moment.
        for size in plan.rotated(list(opts.sizes), r):
            for name in plan.rotated(list(REQUESTS), r):
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
    """(Markdown table lines, the target's verdict parts): each size's rps as a share of the smallest catalog's."""
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
            share = [cell[(r, s, name)]["rps"] / cell[(r, sizes_[0], name)]["rps"] * 100 for r in rounds
                     if cell[(r, sizes_[0], name)]["rps"]]
            parts.append(f"{st.median(rps):,.0f} · {st.median(p99):.1f} · " + (
                f"{st.median(share):.0f}% ({min(share):.0f}–{max(share):.0f})" if share else "n/a"))
            if s == sizes_[-1] and s != sizes_[0] and name in ("first", "deep") and share:
                verdict.append(f"{title} {st.median(share):.0f}%")
        lines.append(f"| {s:,} | " + " | ".join(parts) + " |")
    return lines, verdict


def search_table(rows):
    """(Markdown table lines, the verdict per term at the largest size): each search against the first page of the same
    size in the same round: the median of the rounds' rps ratios (their range), and the median p99 (its range)."""
    sizes_ = list(dict.fromkeys(r["size"] for r in rows))
    cell = {(r["round"], r["size"], r["name"]): r for r in rows}
    rounds = sorted({r["round"] for r in rows})
    lines = ["| items | first page: rps · p99 ms | " + " | ".join(
        f"{REQUESTS[name][0]}: rps · × first page · p99 ms" for name in SEARCHES) + " |",
        "|---:|---:|" + "---:|" * len(SEARCHES)]
    verdict = []
    for s in sizes_:
        first = [cell[(r, s, "first")] for r in rounds]
        parts = [f"{st.median(c['rps'] for c in first):,.0f} · {st.median(c['p99'] for c in first):.1f}"]
        for name in SEARCHES:
            got = [cell[(r, s, name)] for r in rounds]
            ratio = [g["rps"] / f["rps"] for g, f in zip(got, first) if f["rps"]]
            p99 = [g["p99"] for g in got]
            parts.append(f"{st.median(g['rps'] for g in got):,.0f} · {st.median(ratio):.2f}× ({min(ratio):.2f}–"
                         f"{max(ratio):.2f}) · {st.median(p99):.1f} ({min(p99):.1f}–{max(p99):.1f})" if ratio else "n/a")
            if s == sizes_[-1] and ratio:
                met = st.median(ratio) >= SEARCH_SHARE and st.median(p99) <= SEARCH_P99_MS
                verdict.append(f"{REQUESTS[name][0]} {st.median(ratio):.2f}×, p99 {st.median(p99):.1f} ms: "
                               + ("met" if met else "missed"))
        lines.append(f"| {s:,} | " + " | ".join(parts) + " |")
    return lines, verdict


def report(rows, meta, opts):
    lines, verdict = table(rows)
    search_lines, search_verdict = search_table(rows)
    sizes_ = list(dict.fromkeys(r["size"] for r in rows))
    errors = sum(r["errors"] for r in rows)
    note = (f"Target: at {sizes_[-1]:,} items the first page and the deep page keep at least {TARGET_SHARE}% of their "
            f"rps at {sizes_[0]:,} items (median of the rounds' ratios): {', '.join(verdict) or 'n/a'}.")
    search_note = (f"Target: at {sizes_[-1]:,} items each search's rps at least {SEARCH_SHARE}× the first page's (median "
                   f"of the rounds' ratios) and its p99 at most {SEARCH_P99_MS} ms (median of the rounds) at "
                   f"{opts.connections} connections: {'; '.join(search_verdict)}. wrk errors and non-2xx in all "
                   f"windows: {errors}.")
    return "\n".join(["# The catalog at scale (`scripts/bench catalog-scale`)", "",
                      f"{meta['date']} UTC, commit `{meta['commit']}`, `{meta['command']}`: Release, PostgreSQL 15, one "
                      f"database and one service per catalog size, all running, `wrk -t1 -c{opts.connections}` for "
                      f"{opts.duration} s per window, {opts.rounds} rounds; in each round the sizes one after the other "
                      "and a size's requests one after the other, both orders rotating each round. 1-minute load "
                      f"average before the run: {meta.get('load', 'n/a')} on {meta.get('cores', 'n/a')} cores.", "",
                      "## Each size against the smallest", "",
                      "Each cell: median rps · median p99 · the median of the rounds' ratios to the smallest catalog "
                      "(their range).", ""] + lines + ["", note, "",
                      "## Searches against the first page", "",
                      "Each search cell: median rps · the median of the rounds' ratios to the first page of the same "
                      "size in the same round (their range) · median p99 ms (the rounds' range). The terms: `54321` "
                      "matches 20 items of a million, `ic desk` (Ergonomic, Classic or Basic desk) 1 in 96, `ic ` "
                      "(Ergonomic, Classic or Basic, then a space) 1 in 4.", ""] + search_lines + ["", search_note]) + "\n"
