"""The order of the run: phases of sides started together, warm-ups, then alternating rounds.

All sides of a phase run at once (idle but for the one being measured), so a round is a few adjacent
windows, one per side, in an order that rotates every round (A B C, B C A, C A B, ...). A slow minute
of the machine then hits every side of that round, not one side's whole series: the per-round ratios
stay comparable where absolute figures drift (docs/benchmarks-notes.md, paired windows).
"""

import math
import time

from harness import load, measure, procs, services, sides, uploads
from harness.scenarios import phases


class SideStates:
    """Which sides can still be measured; a side that fails keeps its reason and is skipped."""

    def __init__(self, wanted):
        self.state = {s: ("ok", None) if s in wanted else ("n/a", "not selected (--sides)") for s in sides.SIDES}
        self.failures = 0

    def ok(self):
        return [s for s in sides.SIDES if self.state[s][0] == "ok"]

    def set(self, side, state, reason):
        self.state[side] = (state, reason)
        if state == "failed":
            self.failures += 1

    def as_json(self):
        return {s: {"state": st, "reason": why} for s, (st, why) in self.state.items()}


def rotated(items, round_index):
    k = round_index % len(items) if items else 0
    return items[k:] + items[:k]


def run_all(cfg, env, states, scenarios):
    """Measures every scenario; returns {scenario id: {side: result}} (result: status, preflight, rounds)."""
    results = {sc["id"]: {s: {"rounds": []} for s in sides.SIDES} for sc in scenarios}
    for phase in phases(scenarios):
        if not states.ok():
            break
        if phase["fresh_process"]:
            _fresh_phase(cfg, env, states, phase, results)
        else:
            _shared_phase(cfg, env, states, phase, results)
    _settle_statuses(states, scenarios, results)
    return results


def _start_sides(cfg, env, states, upstreams, only=None):
    """Starts every side still in the run (of `only`, if given) at once and waits until each serves."""
    launched = {side: sides.launch(env, side, upstreams) for side in states.ok() if only is None or side in only}
    deadline = time.monotonic() + sides.READY_TIMEOUT_S
    groups = {}
    for side, group in launched.items():
        if sides.wait_ready(group, deadline):
            groups[side] = group
        else:
            _fail(cfg, states, side, f"did not start ({upstreams} upstreams)")
    cfg.log(f"started {', '.join(groups) or 'no side'} against the {upstreams} upstreams "
            f"in {time.monotonic() - deadline + sides.READY_TIMEOUT_S:.1f} s")
    return groups


def _stop_sides(cfg, groups):
    t0 = time.monotonic()
    procs.stop_groups(list(groups.values()))
    cfg.log(f"stopped {', '.join(groups)} in {time.monotonic() - t0:.1f} s")


def _fail(cfg, states, side, reason):
    states.set(side, "failed", reason)
    cfg.warn(f"{side}: {reason}; its remaining scenarios are reported n/a")


def _shared_phase(cfg, env, states, phase, results):
    services.flush_redis(env.redis_port)   # every side starts with a cold cache
    groups = _start_sides(cfg, env, states, phase["upstreams"])
    try:
        served = {sc["id"]: [s for s in groups if _preflight(cfg, env, sc, s, results)] for sc in phase["scenarios"]}
        warm_s = max(cfg.warmup_s, math.ceil(cfg.process_warmup_s / len(phase["scenarios"])))
        cfg.log(f"warming up: {warm_s} s per side and scenario ({', '.join(served)})")
        for sc in phase["scenarios"]:
            for side in served[sc["id"]]:
                if _still_up(cfg, states, groups, side, f"the warm-up of {sc['id']}"):
                    measure.warm_up(cfg, env, sc, side, warm_s)
        for sc in phase["scenarios"]:
            for r in range(cfg.rounds):
                for side in rotated(served[sc["id"]], r):
                    if _still_up(cfg, states, groups, side, sc["id"]):
                        record = measure.wrk_window(cfg, env, env.nginx, sc, side, groups[side])
                        _keep(cfg, results, sc, side, record, r)
    finally:
        _stop_sides(cfg, groups)


def _fresh_phase(cfg, env, states, phase, results):
    """Every round starts the sides anew: a burst's peak memory then covers that round only. Sides the
    phase's scenarios leave out are not started (the fan-out is Storefront's alone)."""
    wanted = {side for sc in phase["scenarios"] for side in sc.get("sides", sides.SIDES)}
    for sc in phase["scenarios"]:
        for side in sides.SIDES:
            if side not in sc.get("sides", sides.SIDES):
                _preflight(cfg, env, sc, side, results)   # marks it n/a with the scenario's reason
    if not wanted & set(states.ok()):
        return
    served = None
    # A scenario may cap its rounds (the uploads: each round moves 2 GB per side).
    rounds = min([cfg.rounds] + [sc["rounds"] for sc in phase["scenarios"] if sc.get("rounds")])
    for r in range(rounds):
        groups = _start_sides(cfg, env, states, phase["upstreams"], only=wanted)
        try:
            if served is None:
                served = {sc["id"]: [s for s in groups if _preflight(cfg, env, sc, s, results)]
                          for sc in phase["scenarios"]}
            for sc in phase["scenarios"]:
                for side in rotated(served[sc["id"]], r):
                    if _still_up(cfg, states, groups, side, sc["id"]):
                        window = FRESH_WINDOWS.get(sc["tool"], measure.burst_window)
                        record = window(cfg, env, sc, side, groups[side])
                        _keep(cfg, results, sc, side, record, r)
        finally:
            _stop_sides(cfg, groups)


FRESH_WINDOWS = {"ws_fanout": measure.fanout_window, "upload": measure.upload_window}


def _still_up(cfg, states, groups, side, during):
    if states.state[side][0] != "ok" or side not in groups:
        return False
    if groups[side].alive():
        return True
    _fail(cfg, states, side, f"died before {during}")
    return False


def _keep(cfg, results, sc, side, record, round_index):
    record["round"] = round_index + 1
    results[sc["id"]][side]["rounds"].append(record)
    cfg.log(f"  round {round_index + 1}  " + measure.describe(sc, side, record))


def _preflight(cfg, env, sc, side, results):
    """The scenario's first request(s) on a side: False (n/a) if the side does not serve the route."""
    res = results[sc["id"]][side]
    if side not in sc.get("sides", sides.SIDES):
        res.update(status="n/a", reason=sc.get("sides_reason", "not measured in this scenario"))
        return False
    for spec in ([sc["load"]] if sc.get("load") else []) + [sc]:
        if spec.get("tool") == "upload":
            status, body = uploads.preflight(env, side, measure.base_url(env, side), spec)
        else:
            status, body = load.preflight(cfg.bench_dir, measure.base_url(env, side), spec)
        res["preflight"] = {"http_status": status, "body": body}
        ws = spec.get("tool") in load.WS_TOOLS
        what = f"{'the WebSocket handshake on' if ws else spec.get('method', 'GET')} {spec.get('probe_path', spec['path'])}"
        if load.not_served(status, spec):
            res.update(status="n/a", reason=f"{what} answered {status}{', not 101' if ws else ''}: not served")
            return False
        if not (ws or 200 <= status < 300):
            cfg.warn(f"{sc['id']}/{side}: {what} answered {status} before the run; measuring anyway")
        elif problem := load.unexpected_answer(spec, body):
            cfg.warn(f"{sc['id']}/{side}: {what}: {problem}: {body[:200]}; measuring anyway")
    return True


def _settle_statuses(states, scenarios, results):
    """ok if some round measured; else n/a (not served, not selected, side failed before) or failed."""
    for sc in scenarios:
        for side in sides.SIDES:
            res = results[sc["id"]][side]
            if res.get("status") == "n/a":
                continue
            good = [r for r in res["rounds"] if "failed" not in r]
            if good:
                res["status"] = "ok"
            elif res["rounds"]:
                res.update(status="failed", reason=res["rounds"][-1]["failed"])
            else:
                state, why = states.state[side]
                res.update(status="n/a", reason=why or "not run")
