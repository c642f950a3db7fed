"""From the rounds in benchmarks.json to what the report states: medians, spreads, ratios, verdicts.

Every figure is kept per round; nothing here measures. A round's ratio compares two windows taken a few
seconds apart, so it is the figure that survives the machine's drift; its spread over the rounds says
how far it can be trusted.
"""

import statistics

from harness.scenarios import NOT_SELECTED

BUSY_LIMIT_PCT = 20.0   # machine busier than this just before a window (all sides idle): the round is flagged
SPREAD_LIMIT = 0.10     # a ratio whose rounds spread wider than this ((max - min) / median) is unreliable
CEILING = "ceiling"
STOREFRONT = "storefront"

# How each metric reads from one window; None where the window has no such figure.
METRICS = {
    "rps": lambda w: w["wrk"]["rps_2xx"] if "wrk" in w else (
        w["hey"]["ok_200"] / w["hey"]["total_s"] if w.get("hey", {}).get("total_s") else None),
    "p50_ms": lambda w: _latency(w, "p50"),
    "p99_ms": lambda w: _latency(w, "p99"),
    "us_per_request": lambda w: (w.get("cpu") or {}).get("us_per_request"),
    "server_cores": lambda w: (w.get("cpu") or {}).get("server_cores"),
    "nginx_cores": lambda w: (w.get("cpu") or {}).get("nginx_cores"),
    "machine_busy_pct": lambda w: (w.get("cpu") or {}).get("machine_busy_pct"),
    "errors": lambda w: _errors(w),
    "ok_share": lambda w: w["hey"]["ok_200"] / max(w["hey"]["responses"] + w["hey"]["error_count"], 1)
    if "hey" in w else None,
    "wall_s": lambda w: w.get("hey", {}).get("total_s"),
    "peak_rss_mb": lambda w: w["memory"]["vmhwm_kib"] * 1024 / 1e6 if "memory" in w else None,
    "rss_before_mb": lambda w: w["memory"]["vmrss_before_kib"] * 1024 / 1e6 if "memory" in w else None,
    # The WebSocket fan-out (ws_fanout): pushes delivered within the timeout, their latency from the POST.
    "delivered_share": lambda w: w["fanout"]["delivered"] / w["fanout"]["expected"]
    if w.get("fanout", {}).get("expected") else None,
    "delivery_p50_ms": lambda w: _delivery(w, "p50"),
    "delivery_p99_ms": lambda w: _delivery(w, "p99"),
    "delivery_max_ms": lambda w: _delivery(w, "max"),
    "connect_s": lambda w: w.get("fanout", {}).get("connect_s"),
    "client_cpu_s": lambda w: (w.get("fanout") or w.get("upload") or {}).get("client_cpu_s"),
    # The uploads: file bytes answered 2xx a second over the counted uploads (1 MB = 10^6 bytes).
    "mb_per_s": lambda w: w["upload"]["mb_per_s"] if "upload" in w else None,
    "client_peak_rss_mb": lambda w: w.get("upload", {}).get("client_peak_rss_mb"),
}
LOWER_IS_BETTER = {"p50_ms", "p99_ms", "us_per_request", "errors", "wall_s", "peak_rss_mb",
                   "delivery_p50_ms", "delivery_p99_ms", "delivery_max_ms", "connect_s"}
UNITS = {"rps": "rps", "p50_ms": "ms", "p99_ms": "ms", "us_per_request": "µs", "wall_s": "s", "peak_rss_mb": "MB",
         "delivery_p50_ms": "ms", "delivery_p99_ms": "ms", "delivery_max_ms": "ms", "connect_s": "s", "mb_per_s": "MB/s"}
LABELS = {"rps": "rps", "p50_ms": "p50", "p99_ms": "p99", "us_per_request": "CPU per request",
          "ok_share": "share of 200 answers", "wall_s": "wall time", "peak_rss_mb": "peak RSS",
          "delivered_share": "share of pushes delivered", "delivery_p50_ms": "p50 delivery latency",
          "delivery_p99_ms": "p99 delivery latency", "delivery_max_ms": "max delivery latency",
          "mb_per_s": "throughput"}
# A WebSocket echo window counts round trips where a wrk window counts requests.
ROUND_TRIP_WORDS = {"rps": "round trips/s", "us_per_request": "CPU per round trip"}
WINDOW_TOOLS = ("wrk", "ws_echo")   # measured in windows of fixed connections: rps, latency, CPU per request


def windowed(sc):
    return sc["tool"] in WINDOW_TOOLS


def summary_metric(sc):
    """What a scenario's row of the summary table counts: rps (round trips/s), MB/s for the uploads; None: no row."""
    return "rps" if windowed(sc) else "mb_per_s" if sc["tool"] == "upload" else None


def label(sc, metric):
    """A metric's name in the report, in the scenario's words (round trips for the WebSocket echo)."""
    if sc["tool"] == "ws_echo" and metric in ROUND_TRIP_WORDS:
        return ROUND_TRIP_WORDS[metric]
    return LABELS.get(metric, metric)


def unit(sc, metric):
    return ROUND_TRIP_WORDS["rps"] if sc["tool"] == "ws_echo" and metric == "rps" else UNITS.get(metric, "")


def not_run(sc):
    """True for a scenario left out of the run (--scenarios)."""
    return all(res.get("reason") == NOT_SELECTED for res in sc["results"].values())


def _latency(w, key):
    if "upload" in w:
        u = w["upload"]
        return u["latency_ms"][key] if sum(u["statuses"].values()) else None   # over the answered uploads
    if "wrk" in w:
        # wrk reports 0 ms for a window in which nothing answered: no latency, not a fast one.
        return w["wrk"]["latency_ms"][key] if w["wrk"]["requests"] else None
    return w.get("hey", {}).get("latency_ms", {}).get(key)


def _delivery(w, key):
    f = w.get("fanout")
    return f["latency_ms"][key] if f and f["delivered"] else None


def _errors(w):
    if "wrk" in w:
        return sum(w["wrk"]["errors"].values())
    if "fanout" in w:
        return sum(w["fanout"]["errors"].values())
    if "upload" in w:
        return sum(w["upload"]["errors"].values())
    if "hey" in w:
        h = w["hey"]
        return (h["responses"] - h["ok_200"]) + h["error_count"]
    return None


def measured(res):
    return res.get("status") == "ok"


def windows(res):
    """The rounds of a result that produced figures."""
    return [w for w in res.get("rounds", []) if "failed" not in w]


def flagged(window):
    return window.get("busy_before_pct", 0) > BUSY_LIMIT_PCT


def spread(values):
    """{median, min, max, n} of a list of numbers, or None if empty."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def side_figure(res, metric):
    return spread(METRICS[metric](w) for w in windows(res)) if measured(res) else None


def round_ratios(sc, a, b, metric):
    """[(round, a/b, flagged)] for the rounds in which both sides have the metric."""
    by_round = {side: {w["round"]: w for w in windows(sc["results"][side])} for side in (a, b)}
    out = []
    for r in sorted(set(by_round[a]) & set(by_round[b])):
        wa, wb = by_round[a][r], by_round[b][r]
        va, vb = METRICS[metric](wa), METRICS[metric](wb)
        if va is not None and vb and not (_mostly_failed(wa) or _mostly_failed(wb)):
            out.append((r, va / vb, flagged(wa) or flagged(wb)))
    return out


def _mostly_failed(w):
    """A window in which most requests failed (the peer's fan-out at 1,000 connections): its 0.4 rps of
    successes would make a ratio in the thousands; such a round has no ratio."""
    requests = w.get("wrk", {}).get("requests")
    return bool(requests) and (METRICS["errors"](w) or 0) > requests / 2


def ratio_figure(sc, a, b, metric):
    """The per-round ratio a/b: median, min, max, flagged rounds, and whether it can be trusted."""
    rounds = round_ratios(sc, a, b, metric)
    fig = spread(r for _, r, _ in rounds)
    if fig is None:
        return None
    fig["flagged"] = sum(1 for _, _, f in rounds if f)
    fig["relative_spread"] = (fig["max"] - fig["min"]) / fig["median"] if fig["median"] else float("inf")
    fig["unreliable"] = unreliable_reasons(fig)
    return fig


def unreliable_reasons(fig):
    """Why a ratio cannot be quoted as it stands ([] if it can)."""
    reasons = []
    if fig["n"] < 3:
        reasons.append(f"only {fig['n']} round{'' if fig['n'] == 1 else 's'}")
    if not fig["median"]:
        reasons.append("its median is 0")
    elif fig["relative_spread"] > SPREAD_LIMIT:
        reasons.append(f"its rounds spread over {fig['relative_spread']:.0%} of the median (limit {SPREAD_LIMIT:.0%})")
    if fig["flagged"]:
        reasons.append(f"{fig['flagged']} round(s) with the machine over {BUSY_LIMIT_PCT:.0f}% busy before")
    return reasons


def flagged_windows(doc):
    return sum(1 for sc in doc["scenarios"] for res in sc["results"].values() for w in windows(res) if flagged(w))
