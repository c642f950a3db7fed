"""One measured window of one side: the machine's idle share first, then the load, then the figures."""

import os
import threading
import time

from harness import load, probe, uploads
from harness.procs import Background, run_tool
from harness.sides import workers

LOAD_LEAD_S = 0.5        # root_under_predict: the load starts this long before the measured wrk ...
LOAD_EXTRA_S = 1         # ... and runs this many whole seconds longer (wrk's -d takes whole seconds)
LOAD_ATTEMPTS = 3        # ... opening its connections at most this often until every worker has some
SPREAD_AT_S = 1.0        # spread_check: connections counted this long into the window (half a short one)
BURST_WARMUP = (200, 50)  # burst: requests and connections of the warm-up on probe_path
QUIET_SHARE = 0.05       # uploads: a side is settled once it uses less than this share of a core ...
QUIET_SAMPLE_S = 0.5     # ... over this long
SETTLE_LIMIT_S = 20      # ... or after this long at most


class Settings:
    """The run's timing and where its files go."""

    def __init__(self, bench_dir, tmp, timing, log, warn):
        self.started = time.monotonic()
        self.bench_dir, self.tmp = bench_dir, tmp
        self.rounds = timing["rounds"]
        self.window_s = timing["window_s"]             # one measured window
        self.warmup_s = timing["warmup_s"]             # the least warm-up per side and scenario
        self.process_warmup_s = timing["process_warmup_s"]  # ... per side-process (the .NET sides tier their JIT)
        self.idle_s = timing["idle_s"]                 # the busy-share sample before each window
        self.uploads_per_client = timing["uploads_per_client"]   # an upload window's length, in uploads per client
        self.log, self.warn = log, warn

    def out_path(self, *parts):
        return os.path.join(self.tmp, "-".join(str(p) for p in parts) + ".txt")


def base_url(env, side):
    return f"http://127.0.0.1:{env.ports[side]}"


# ------------------------------------------------------------------ wrk

def warm_up(cfg, env, sc, side, seconds):
    """A run of the scenario's shape whose figures are thrown away (the JIT compiles under it)."""
    url = base_url(env, side) + sc["path"]
    background = _start_load(cfg, env, sc, side, seconds, "warmup") if sc.get("load") else None
    run_tool(load.warmup_command(cfg.bench_dir, cfg.tmp, url, sc, seconds), seconds + 30)
    if background:
        background.finish(seconds + LOAD_EXTRA_S + 30)


def wrk_window(cfg, env, nginx, sc, side, group):
    """One measured wrk window; returns the window's record (figures, CPU, what the machine did before)."""
    record = _idle_before(cfg)
    url = base_url(env, side) + sc["path"]
    background = None
    if sc.get("load"):
        background, record["load"] = _open_load(cfg, env, sc, side)
    # A WebSocket window opens its connections during its uncounted first second: count them after it.
    spread_at = min(SPREAD_AT_S, cfg.window_s / 2) + (load.WS_WARMUP_S if sc["tool"] == "ws_echo" else 0)
    spread = {}
    counter = threading.Timer(spread_at, lambda: spread.update(counts=probe.connections_per_process(env.ports[side])))
    counter.daemon = True
    if sc.get("spread_check"):
        counter.start()
    cpu = probe.CpuWindow(group, nginx.group)
    cpu.start()
    command = load.window_command(cfg.bench_dir, cfg.tmp, url, sc, cfg.window_s)
    out_path = cfg.out_path("wrk", sc["id"], side, time.monotonic_ns())
    if sc["tool"] == "ws_echo":
        status, text = _run_marked(command, cfg.window_s + 30, out_path, cpu)
    else:
        status, text = run_tool(command, cfg.window_s + 30, out_path=out_path)
    w = load.parse_wrk(text)
    # With a background load the side's CPU serves both wrks: per measured request it would mislead.
    record["cpu"] = cpu.stop(w["requests"] if w and not background else 0)
    if w is None:
        record["failed"] = f"the load tool exited {status} without a WRK_JSON line: {text[-300:]}"
    else:
        record["wrk"] = w
    if sc.get("spread_check"):
        counter.join()
        record["connections_per_process"] = spread.get("counts", [])
        _warn_if_uneven(cfg, sc, side, record["connections_per_process"], sc["connections"])
    if background:
        _finish_load(cfg, background, record["load"])
    return record


def _run_marked(cmd, timeout_s, out_path, cpu):
    """A tool that prints WINDOW_START and WINDOW_END around its measured window (Storefront.WsLoad: after its
    own warm-up second, before it closes its sockets): the CPU window follows those lines, not its whole run."""
    tool = Background(cmd, out_path)
    deadline = time.monotonic() + timeout_s
    for marker, mark in (("WINDOW_START", cpu.start), ("WINDOW_END", cpu.end)):
        while not _printed(out_path, marker) and tool.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if _printed(out_path, marker):
            mark()
    return tool.finish(max(deadline - time.monotonic(), 1))


def _printed(path, marker):
    with open(path, encoding="utf-8", errors="replace") as f:
        return marker in f.read()


def _idle_before(cfg):
    """The machine's busy share over idle_s with every side idle: the round's disturbance reading."""
    busy, steal = probe.sample_busy(cfg.idle_s)
    return {"at_s": round(time.monotonic() - cfg.started, 1), "busy_before_pct": busy, "steal_before_pct": steal}


def _start_load(cfg, env, sc, side, seconds, tag):
    spec = sc["load"]
    cmd = load.wrk_command(cfg.bench_dir, base_url(env, side) + spec["path"], spec, seconds + LOAD_EXTRA_S,
                           measured=True)
    background = Background(cmd, cfg.out_path("load", sc["id"], side, tag, time.monotonic_ns()))
    time.sleep(LOAD_LEAD_S)
    return background


def _open_load(cfg, env, sc, side):
    """Starts the background load so that every worker process holds some of its connections."""
    spec = sc["load"]
    info = {"connections": spec["connections"], "threads": spec.get("threads", 2)}
    for attempt in range(1, LOAD_ATTEMPTS + 1):
        background = _start_load(cfg, env, sc, side, cfg.window_s, "measured")
        counts = probe.connections_per_process(env.ports[side])
        info.update(attempts=attempt, connections_per_process=counts)
        if probe.spread_ok(counts, workers(side), spec["connections"]):
            return background, info
        if attempt < LOAD_ATTEMPTS:
            cfg.log(f"{sc['id']}/{side}: the load's connections landed as {counts} on {workers(side)} "
                    "worker process(es): opening them again")
            background.cancel()
            time.sleep(0.5)
    cfg.warn(f"{sc['id']}/{side}: the load's connections landed as {counts} after {LOAD_ATTEMPTS} attempts: "
             "a worker may have had none of it")
    return background, info


def _finish_load(cfg, background, info):
    status, text = background.finish(cfg.window_s + LOAD_EXTRA_S + 30)
    w = load.parse_wrk(text)
    if w is None:
        info["failed"] = f"the load's wrk exited {status} without a WRK_JSON line"
    else:
        info["wrk"] = w


def _warn_if_uneven(cfg, sc, side, counts, total):
    if not probe.spread_ok(counts, workers(side), total):
        cfg.warn(f"{sc['id']}/{side}: the {total} connections were spread over {workers(side)} worker "
                 f"process(es) as {counts or 'none'}: one worker had (almost) none; its rps may be low")


# ------------------------------------------------------------------ burst

def burst_window(cfg, env, sc, side, group):
    """hey's burst on a fresh process: wall time, statuses, and the side's memory before and after."""
    record = _idle_before(cfg)
    base = base_url(env, side)
    n, c = BURST_WARMUP
    run_tool(["hey", "-n", str(n), "-c", str(c), "-t", "10", base + sc.get("probe_path", sc["path"])], 60)
    rss_before = probe.group_memory_kib(group, "VmRSS")
    started = time.monotonic()
    status, text = run_tool(load.hey_command(base + sc["path"], sc["connections"]), load.HEY_TIMEOUT_S + 60,
                            out_path=cfg.out_path("hey", sc["id"], side, time.monotonic_ns()))
    wall = time.monotonic() - started
    record["memory"] = _memory(group, rss_before)
    h = load.parse_hey(text)
    h["command_wall_s"] = round(wall, 3)
    if h["total_s"] is None:
        record["failed"] = f"hey exited {status} without a summary: {text[-300:]}"
    record["hey"] = h
    return record


# ------------------------------------------------------------------ WebSocket fan-out

def fanout_window(cfg, env, sc, side, group):
    """Storefront.WsLoad's fan-out on a fresh process: subscribers, changes, deliveries, the side's memory."""
    record = _idle_before(cfg)
    rss_before = probe.group_memory_kib(group, "VmRSS")
    cpu = probe.CpuWindow(group, env.nginx.group)
    cpu.start()
    status, text = run_tool(load.fanout_command(cfg.tmp, base_url(env, side), sc, env.webhook_secret),
                            load.fanout_timeout_s(sc), out_path=cfg.out_path("fanout", sc["id"], side, time.monotonic_ns()))
    record["cpu"] = cpu.stop(0)   # opening 10,000 sockets and 50,000 pushes: no one "request" to divide by
    record["memory"] = _memory(group, rss_before)
    f = load.parse_json_line(text)
    if f is None or not f.get("delivered"):
        record["failed"] = f"Storefront.WsLoad fanout exited {status} with nothing delivered: {_tool_said(text)}"
    if f is not None:
        record["fanout"] = f
    return record


# ------------------------------------------------------------------ uploads

def upload_window(cfg, env, sc, side, group):
    """Storefront.UploadLoad on a fresh process: a warm-up run (its files deleted), the side left to settle, the
    counted run (the server's CPU read between its WINDOW_START and WINDOW_END, not over its deletes), the side left
    to settle again; the side's memory (VmHWM: the process's whole life) in between."""
    base = base_url(env, side)
    try:
        bearer = uploads.token(env, side)
    except OSError as e:
        return {**_idle_before(cfg), "failed": f"no bearer token: {e}"}
    warmup = sc.get("warmup_uploads", 0)
    if warmup:
        _, text = run_tool(load.upload_command(cfg.tmp, base, sc, warmup, bearer), load.upload_timeout_s(sc, warmup),
                           out_path=cfg.out_path("upload-warmup", sc["id"], side, time.monotonic_ns()))
        uploads.empty_peer_folder(env)
        w = load.parse_json_line(text) or {}
        if w.get("ok") != warmup or w.get("delete_failures"):
            cfg.warn(f"{sc['id']}/{side}: the warm-up stored {w.get('ok', 0)} of {warmup} uploads and could not delete "
                     f"{w.get('delete_failures', 0)}: {w.get('first_error') or text[-200:]}")
    # A .NET side's tier-1 JIT goes on in the background for seconds after the load that triggered it: left running,
    # it would be measured in this window, or seen by the next side's idle check as a busy machine.
    settled_before = _settle(cfg, sc, side, group)
    record = _idle_before(cfg)
    rss_before = probe.group_memory_kib(group, "VmRSS")
    count = sc["connections"] * cfg.uploads_per_client
    cpu = probe.CpuWindow(group, env.nginx.group)
    cpu.start()
    status, text = _run_marked(load.upload_command(cfg.tmp, base, sc, count, bearer), load.upload_timeout_s(sc, count),
                               cfg.out_path("upload", sc["id"], side, time.monotonic_ns()), cpu)
    u = load.parse_json_line(text)
    record["cpu"] = cpu.stop(u["ok"] if u else 0)   # us_per_request: the server's CPU per upload answered 2xx
    record["memory"] = _memory(group, rss_before)
    uploads.empty_peer_folder(env)
    record["settle_s"] = {"before": settled_before, "after": _settle(cfg, sc, side, group)}
    if u is None or not u.get("ok"):
        record["failed"] = f"Storefront.UploadLoad exited {status} with no upload answered 2xx: {_tool_said(text)}"
    if u is not None:
        record["upload"] = u
        if u.get("delete_failures"):
            cfg.warn(f"{sc['id']}/{side}: {u['delete_failures']} of the stored files could not be deleted after the "
                     f"window ({u.get('first_error')}); they stay in the run's temp dir until it is removed")
    return record


def _memory(group, rss_before_kib):
    return {"vmhwm_kib": probe.group_memory_kib(group, "VmHWM"), "vmrss_kib": probe.group_memory_kib(group, "VmRSS"),
            "vmrss_before_kib": rss_before_kib, "processes": len(group.pids())}


def _tool_said(text):   # a load tool's output but its WRK_JSON line
    return "; ".join(line for line in text.splitlines() if not line.startswith("WRK_JSON"))[-400:]


def _settle(cfg, sc, side, group):
    """Waits until the side's processes use less than QUIET_SHARE of a core; returns how long that took (s)."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_LIMIT_S:
        before = probe.group_cpu_s(group.pids())
        time.sleep(QUIET_SAMPLE_S)
        if probe.group_cpu_s(group.pids()) - before < QUIET_SHARE * QUIET_SAMPLE_S:
            return round(time.monotonic() - started, 1)
    cfg.warn(f"{sc['id']}/{side}: still busy {SETTLE_LIMIT_S} s after its uploads; measured anyway")
    return round(time.monotonic() - started, 1)


def describe(sc, side, record):
    """One console line per window."""
    name = f"{sc['id']:<19} {side:<10}"
    if "wrk" in record:
        w, c = record["wrk"], record["cpu"]
        errors = sum(w["errors"].values())
        rate, per = ("rt/s", "us/rt") if sc["tool"] == "ws_echo" else ("rps", "us/req")   # WebSocket round trips
        line = (f"{name} {w['rps_2xx']:>9,.0f} {rate}  p50 {w['latency_ms']['p50']:7.2f}  p99 "
                f"{w['latency_ms']['p99']:7.2f} ms  {c['us_per_request'] or float('nan'):7.1f} {per}  "
                f"busy before {record['busy_before_pct']:4.1f}%")
        return line + (f"  errors {errors:,}" if errors else "")
    if "hey" in record:
        h, m = record["hey"], record["memory"]
        return (f"{name} {h['ok_200']:>6,} x 200  wall {h['total_s']} s  VmHWM {m['vmhwm_kib'] / 1024:,.0f} MiB  "
                f"busy before {record['busy_before_pct']:4.1f}%")
    if "fanout" in record and "failed" not in record:
        f, m = record["fanout"], record["memory"]
        errors = sum(f["errors"].values())
        return (f"{name} {f['delivered']:>6,} of {f['expected']:,} pushes  p50 {f['latency_ms']['p50']:.1f}  p99 "
                f"{f['latency_ms']['p99']:.1f}  max {f['latency_ms']['max']:.1f} ms  VmHWM {m['vmhwm_kib'] / 1024:,.0f} MiB  "
                f"busy before {record['busy_before_pct']:4.1f}%" + (f"  errors {errors:,}" if errors else ""))
    if "upload" in record and "failed" not in record:
        u, m = record["upload"], record["memory"]
        errors = sum(u["errors"].values())
        return (f"{name} {u['ok']:>4} of {u['requests']} uploads  {u['mb_per_s']:7,.1f} MB/s  p50 "
                f"{u['latency_ms']['p50'] / 1000:.2f}  p99 {u['latency_ms']['p99'] / 1000:.2f} s  VmHWM "
                f"{m['vmhwm_kib'] / 1024:,.0f} MiB  busy before {record['busy_before_pct']:4.1f}%  settled "
                f"{record['settle_s']['before']:.1f} / {record['settle_s']['after']:.1f} s"
                + (f"  errors {errors:,} {u['statuses']}" if errors else ""))
    return f"{name} failed: {record.get('failed')}"
