"""The load tools: wrk for windows of fixed connections, bench/Storefront.Rate for windows at a fixed rate,
hey for a burst, bench/Storefront.WsLoad for WebSocket echo windows and the /ws/stock fan-out,
bench/Storefront.UploadLoad for the uploads. Commands and their output."""

import json
import math
import os
import re
import urllib.error
import urllib.request

from harness import wsprobe

WRK_TIMEOUT_S = 10      # a slower response counts as a timeout error
HEY_TIMEOUT_S = 30
WS_TOOLS = ("ws_echo", "ws_fanout")
WS_WARMUP_S = 1         # the first second of a WebSocket echo window is not counted (Storefront.WsLoad --warmup)
FANOUT_CONNECT_TIMEOUT_S = 10
FANOUT_DELIVERY_TIMEOUT_S = 5
UPLOAD_TIMEOUT_S = 120  # one upload not answered within this counts as a timeout error


def wrk_command(bench_dir, url, spec, seconds, measured):
    """wrk for `seconds` with the scenario's (or load's) shape; `measured` adds the reporting script."""
    cmd = ["wrk", f"-t{spec.get('threads', 2)}", f"-c{spec['connections']}", f"-d{seconds}s",
           "--timeout", f"{WRK_TIMEOUT_S}s"]
    if spec.get("script"):
        # predict.lua sets the method and body once and reports like report.lua.
        cmd += ["-s", os.path.join(bench_dir, "wrk", spec["script"])]
    elif measured:
        cmd += ["-s", os.path.join(bench_dir, "wrk", "report.lua")]
    if measured:
        cmd.append("--latency")
    return cmd + [url]


def rate_tool_dir(tmp):
    return os.path.join(tmp, "rate-tool")


def ws_tool_dir(tmp):
    return os.path.join(tmp, "ws-tool")


def ws_url(url):
    """http://host/path as ws://host/path."""
    return "ws" + url[len("http"):] if url.startswith("http") else url


def ws_echo_command(tmp, url, spec, seconds, warmup_s):
    return [os.path.join(ws_tool_dir(tmp), "Storefront.WsLoad"), "echo", ws_url(url),
            "--connections", str(spec["connections"]), "--seconds", str(seconds), "--warmup", str(warmup_s),
            "--timeout", str(WRK_TIMEOUT_S)]


def fanout_command(tmp, base_url, spec, secret):
    """The /ws/stock fan-out: connections subscribers of spec's item, spec's changes posted to spec's webhook."""
    return [os.path.join(ws_tool_dir(tmp), "Storefront.WsLoad"), "fanout", ws_url(base_url + spec["path"]),
            "--subscribers", str(spec["connections"]), "--item", str(spec["item"]), "--changes", str(spec["changes"]),
            "--warmup-changes", str(spec.get("warmup_changes", 0)),
            "--webhook", base_url + spec["webhook"], "--secret", secret,
            "--connect-timeout", str(FANOUT_CONNECT_TIMEOUT_S), "--delivery-timeout", str(FANOUT_DELIVERY_TIMEOUT_S)]


def fanout_timeout_s(spec):
    """The longest a fan-out may take: opening, every change's delivery timeout, closing, with room to spare."""
    return 120 + (spec["changes"] + spec.get("warmup_changes", 0)) * FANOUT_DELIVERY_TIMEOUT_S


def upload_tool_dir(tmp):
    return os.path.join(tmp, "upload-tool")


def upload_command(tmp, base_url, spec, uploads, token):
    """`uploads` uploads of spec's file_mb by spec's connections clients, every stored file deleted at the end (a
    side that answers with a Location). The warm-up is a run of its own (measure.upload_window)."""
    cmd = [os.path.join(upload_tool_dir(tmp), "Storefront.UploadLoad"), base_url + spec["path"],
           "--concurrency", str(spec["connections"]), "--uploads", str(uploads), "--size-mb", str(spec["file_mb"]),
           "--timeout", str(UPLOAD_TIMEOUT_S), "--delete"]
    return cmd + (["--token", token] if token else [])


def upload_timeout_s(spec, uploads):
    """The longest a run of uploads may take: every wave of uploads at its timeout, the deletes, room to spare."""
    return 60 + math.ceil(uploads / spec["connections"]) * UPLOAD_TIMEOUT_S


def warmup_command(bench_dir, tmp, url, spec, seconds):
    """The scenario's load for a warm-up whose figures are thrown away."""
    if spec.get("tool") == "ws_echo":
        return ws_echo_command(tmp, url, spec, seconds, warmup_s=0)
    return wrk_command(bench_dir, url, spec, seconds, measured=False)


def window_command(bench_dir, tmp, url, spec, seconds):
    """A measured window: wrk, or for a scenario with a `rate` the open-loop tool, or for a WebSocket echo
    Storefront.WsLoad (the same WRK_JSON line; its first second, opening the connections, is not counted)."""
    if spec.get("tool") == "ws_echo":
        return ws_echo_command(tmp, url, spec, seconds, warmup_s=WS_WARMUP_S)
    if not spec.get("rate"):
        return wrk_command(bench_dir, url, spec, seconds, measured=True)
    return rate_command(rate_tool_dir(tmp), url, spec["rate"], seconds, spec["connections"], WRK_TIMEOUT_S)


def rate_command(tool_dir, url, rate, seconds, max_connections, timeout_s):
    return [os.path.join(tool_dir, "Storefront.Rate"), url, "--rate", str(rate), "--seconds", str(seconds),
            "--max-connections", str(max_connections), "--timeout", str(timeout_s)]


def parse_wrk(text):
    """The WRK_JSON line of bench/wrk/report.lua as a dict, with rps_2xx added; None if it is missing."""
    w = parse_json_line(text)
    if w is not None:
        ok = max(w["requests"] - w["errors"]["status"], 0)
        w["rps_2xx"] = round(ok / w["duration_s"], 1) if w["duration_s"] else 0.0
    return w


def parse_json_line(text, marker="WRK_JSON"):
    """The `MARKER {json}` line of a load tool's output (WRK_JSON; bench/wrk/login-burst.lua's LOGIN_JSON) as a dict;
    None if it is missing."""
    for line in text.splitlines():
        if line.startswith(marker + " "):
            return json.loads(line[len(marker) + 1:])
    return None


def hey_command(url, requests, extra=(), concurrency=None):
    """hey's burst: every request at once, or `concurrency` at a time."""
    return ["hey", "-n", str(requests), "-c", str(concurrency or requests), "-t", str(HEY_TIMEOUT_S), *extra, url]


_HEY_SECTIONS = {"Latency distribution": "latency", "Status code distribution": "status",
                 "Error distribution": "errors", "Details": None, "Response time histogram": None}


def parse_hey(text):
    """hey's (0.1.4) text summary as a dict."""
    out = {"total_s": None, "rps": None, "latency_ms": {}, "status_counts": {}, "errors": {}}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if m := re.match(r"^(Total|Slowest|Fastest|Average):\s+([\d.]+) secs", line):
            out[m.group(1).lower() + "_s"] = float(m.group(2))
        elif m := re.match(r"^Requests/sec:\s+([\d.]+)", line):
            out["rps"] = float(m.group(1))
        elif any(line.startswith(title) for title in _HEY_SECTIONS):
            section = next(v for k, v in _HEY_SECTIONS.items() if line.startswith(k))
        elif section == "latency" and (m := re.match(r"^(\d+)% in ([\d.]+) secs", line)):
            out["latency_ms"]["p" + m.group(1)] = round(float(m.group(2)) * 1000, 3)
        elif section == "status" and (m := re.match(r"^\[(\d+)\]\s+(\d+) responses", line)):
            out["status_counts"][m.group(1)] = int(m.group(2))
        elif section == "errors" and (m := re.match(r"^\[(\d+)\]\s+(.*)$", line)):
            # Messages name the client's port ("read tcp 127.0.0.1:41234->..."): group them.
            msg = re.sub(r"(\d+\.\d+\.\d+\.\d+):\d+->", r"\1:*->", m.group(2))[:200]
            out["errors"][msg] = out["errors"].get(msg, 0) + int(m.group(1))
    out["responses"] = sum(out["status_counts"].values())
    out["ok_200"] = out["status_counts"].get("200", 0)
    out["error_count"] = sum(out["errors"].values())
    return out


def request_body(bench_dir, spec):
    if not spec.get("body"):
        return None
    with open(os.path.join(bench_dir, "wrk", spec["body"]), "rb") as f:
        return f.read().strip()


WS_GREETING = {"ws_echo": ("hello", "Echo: hello"), "ws_fanout": ('{"subscribe": [%d]}', '"subscribed"')}


def preflight(bench_dir, base_url, spec):
    """The first request to a path, before any load: (HTTP status, body text). 0 if nothing answered.

    A side without the route answers 404 (or 405 to a POST on a path it serves for GET only). A WebSocket
    scenario opens a socket instead and sends one message (wsprobe): 101 if the path is served.
    """
    if spec.get("tool") in WS_TOOLS:
        text = WS_GREETING[spec["tool"]][0]
        return wsprobe.exchange(base_url + spec["path"], text % spec["item"] if "%d" in text else text)
    body = request_body(bench_dir, spec)
    status, text, _ = http(base_url + spec.get("probe_path", spec["path"]), spec.get("method", "GET"), body,
                           {"Content-Type": "application/json"} if body else {}, limit=400)
    return status, text


def http(url, method="GET", data=None, headers=None, timeout=10, limit=None):
    """One request: (status, the body's first `limit` bytes as text, headers); (0, "", {}) if nothing answered."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers or {}, method=method), timeout=timeout) as r:
            return r.status, r.read(limit).decode("utf-8", errors="replace"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(limit).decode("utf-8", errors="replace"), e.headers
    except OSError:
        return 0, "", {}


def not_served(status, spec):
    if spec.get("tool") in WS_TOOLS:
        return status != 101   # uvicorn refuses a WebSocket path it does not serve with 403, Kestrel with 404
    return status in (404, 405)


def unexpected_answer(spec, body):
    """Why a served path's first answer is not what the scenario expects; None if it is."""
    if spec.get("expect") == "prediction" and not looks_like_prediction(body):
        return 'not {"prediction", "score"}'
    if spec.get("tool") in WS_TOOLS and WS_GREETING[spec["tool"]][1] not in body:
        return f"no {WS_GREETING[spec['tool']][1]} in the answer"
    if spec.get("tool") == "upload" and '"filename"' not in body:
        return 'no "filename" in the answer'
    return None


def looks_like_prediction(body):
    try:
        d = json.loads(body)
    except ValueError:
        return False
    return isinstance(d.get("prediction"), str) and isinstance(d.get("score"), (int, float))
