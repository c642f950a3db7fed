"""The targets list, generated from the run: each scenario's `targets` checked round by round.

met: every round meets it; missed: no round does; unreliable: the rounds disagree (the spread straddles
the target), fewer than 3 rounds, or a round with the machine busy before it. A round in which Storefront had
errors does not meet a target (the /slow burst's own figures count its errors themselves). Each miss carries what
the run itself can say about its cause: CPU per request against the other side, or the other side's figure.
not run: the scenario was left out of the run (--scenarios).
"""

from harness import figures as fg
from harness.sides import NAMES

SF = fg.STOREFRONT


def evaluate(doc):
    """[(text, state, detail)], state one of met / missed / unreliable / not measured / report only / not run."""
    out = []
    for sc in doc["scenarios"]:
        for target in sc.get("targets", []):
            text, state, detail = _ratio_target(sc, target) if "vs" in target else _own_target(sc, target)
            if fg.not_run(sc):
                state, detail = "not run", "left out of this run (--scenarios)"
            out.append((text, state, detail))
    return out


def fmt_value(metric, v):
    if v is None:
        return "n/a"
    if metric == "rps":
        return f"{v:,.0f}"
    if metric == "ok_share":
        return f"{v:.1%}"
    if metric in ("us_per_request", "mb_per_s"):
        return f"{v:,.1f}"
    return f"{v:,.2f}" if v < 100 else f"{v:,.0f}"


def rounds_text(n):
    return f"{n} round{'' if n == 1 else 's'}"


def fmt_ratio(r, as_share=False):
    if r is None:
        return "n/a"
    return f"{r:.0%}" if as_share else f"{r:.2f}×"


def fmt_spread(fig, fmt):
    if fig is None:
        return "n/a"
    if fig["n"] == 1 or fig["min"] == fig["max"]:
        return fmt(fig["median"])
    return f"{fmt(fig['median'])} ({fmt(fig['min'])}–{fmt(fig['max'])})"


def _ratio_target(sc, target):
    other, metric = target["vs"], target["metric"]
    share = other == fg.CEILING and metric == "rps"
    text = _ratio_text(sc, target, share)
    if not (fg.measured(sc["results"][SF]) and fg.measured(sc["results"][other])):
        missing = [NAMES[s] for s in (SF, other) if not fg.measured(sc["results"][s])]
        return text, "report only" if _report_only(target) else "not measured", f"no result for {', '.join(missing)}"
    fig = fg.ratio_figure(sc, SF, other, metric)
    detail = (f"{fmt_spread(fig, lambda r: fmt_ratio(r, share))} over {rounds_text(fig['n'] if fig else 0)} "
              f"({_versus(sc, other, metric)})")
    if fig and fig["unreliable"]:
        detail += "; unreliable: " + ", ".join(fig["unreliable"])
    if _report_only(target):
        return text, "report only", detail
    clean = _clean_rounds(sc)
    rounds = fg.round_ratios(sc, SF, other, metric)
    state = _state([_meets(r, target) and clean.get(rnd, False) for rnd, r, _ in rounds],
                   [flag for _, _, flag in rounds])
    if state != "met":
        detail += "; " + _ratio_cause(sc, other)
    return text, state, detail


def _ratio_text(sc, target, share):
    who = "the ceiling's" if target["vs"] == fg.CEILING else f"the {target['vs']}'s"
    label = fg.label(sc, target["metric"])
    if _report_only(target):
        better = " (lower is better)" if target["metric"] in fg.LOWER_IS_BETTER else ""
        return f"{sc['title']}: Storefront's {label} against {who}{better}"
    limit = target.get("at_least", target.get("at_most"))
    sign = "≥" if "at_least" in target else "≤"
    return f"{sc['title']}: Storefront {sign} {fmt_ratio(limit, share)}{' of' if share else ''} {who} {label}"


def _versus(sc, other, metric):
    a, b = fg.side_figure(sc["results"][SF], metric), fg.side_figure(sc["results"][other], metric)
    unit = fg.unit(sc, metric)
    return (f"medians {fmt_value(metric, a and a['median'])} vs {fmt_value(metric, b and b['median'])} {unit}").strip()


def _ratio_cause(sc, other):
    """What the run says about a gap in rps: does Storefront's CPU per request account for it?"""
    cpu = fg.ratio_figure(sc, SF, other, "us_per_request")
    rps = fg.ratio_figure(sc, SF, other, "rps")
    if not cpu or not rps:
        return "no CPU readings to explain it"
    a = fg.side_figure(sc["results"][SF], "us_per_request")
    b = fg.side_figure(sc["results"][other], "us_per_request")
    text = (f"{fg.label(sc, 'us_per_request')} {fmt_value('us_per_request', a['median'])} µs vs "
            f"{fmt_value('us_per_request', b['median'])} µs ({cpu['median']:.2f}×)")
    expected = 1 / cpu["median"]
    if abs(expected - rps["median"]) <= 0.1 * rps["median"]:
        return text + f": Storefront's own work per {'round trip' if sc['tool'] == 'ws_echo' else 'request'} accounts for the gap"
    cores = [fg.side_figure(sc["results"][s], "server_cores") for s in (SF, other)]
    return (text + f", which alone would give {fmt_ratio(expected)}: the rest is in how much CPU each got "
            f"(server cores {cores[0]['median']:.2f} vs {cores[1]['median']:.2f}) or in waiting, not in CPU work")


def _own_target(sc, target):
    metric = target["metric"]
    limit = target.get("at_least", target.get("at_most"))
    sign = "≥" if "at_least" in target else "≤"
    unit = fg.unit(sc, metric)
    shown = "all 200" if metric == "ok_share" and limit == 1.0 else f"{fg.label(sc, metric)} {sign} {limit:g} {unit}"
    text = f"{sc['title']}: Storefront {shown.strip()}"
    res = sc["results"][SF]
    if not fg.measured(res):
        return text, "not measured", res.get("reason") or "no result"
    wins = fg.windows(res)
    # The burst's own figures count its errors; elsewhere (the fan-out too) a round with errors meets nothing.
    clean = sc["tool"] == "burst" and metric in ("ok_share", "wall_s", "peak_rss_mb")
    meets = [_meets(fg.METRICS[metric](w), target) and (clean or fg.METRICS["errors"](w) == 0) for w in wins]
    flags = [fg.flagged(w) for w in wins]
    fig = fg.side_figure(res, metric)
    if fig is None:
        return text, _state(meets, flags), f"no round gave a {fg.label(sc, metric)}"
    detail = f"{fmt_spread(fig, lambda v: fmt_value(metric, v))} {unit} over {rounds_text(fig['n'])}".replace("  ", " ")
    ceiling = fg.side_figure(sc["results"][fg.CEILING], metric)
    state = _state(meets, flags)
    if any(flags):
        detail += f"; {sum(flags)} round(s) with the machine over {fg.BUSY_LIMIT_PCT:.0f}% busy before"
    errored = sum(1 for w in wins if fg.METRICS["errors"](w))
    if errored and not clean:
        detail += f"; {errored} round(s) with Storefront errors, which meet no target"
    if ceiling and state != "met":
        both = "misses it too" if not _meets(ceiling["median"], target) else "meets it"
        detail += f"; the ceiling here: {fmt_value(metric, ceiling['median'])} {unit} ({both})"
    return text, state, detail


def _report_only(target):
    return "at_least" not in target and "at_most" not in target


def _meets(v, target):
    if v is None:
        return False
    return v >= target["at_least"] if "at_least" in target else v <= target["at_most"]


def _clean_rounds(sc):
    return {w["round"]: fg.METRICS["errors"](w) == 0 for w in fg.windows(sc["results"][SF])}


def _state(meets, flags):
    """met / missed only when every round agrees, there are at least 3 and none was disturbed."""
    if not meets:
        return "not measured"
    if len(meets) < 3 or any(flags):
        return "unreliable"
    return "met" if all(meets) else "missed" if not any(meets) else "unreliable"
