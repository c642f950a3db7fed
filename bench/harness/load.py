"""The load tools: wrk for windows of fixed connections, bench/Storefront.Rate for windows at a fixed rate,
hey for a burst. Commands and their output."""

import json
import os
import re
import urllib.error
import urllib.request

WRK_TIMEOUT_S = 10      # a slower response counts as a timeout error
HEY_TIMEOUT_S = 30


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


def window_command(bench_dir, tmp, url, spec, seconds):
    """A measured window: wrk, or for a scenario with a `rate` the open-loop tool (same WRK_JSON line)."""
    if not spec.get("rate"):
        return wrk_command(bench_dir, url, spec, seconds, measured=True)
    cmd = [os.path.join(rate_tool_dir(tmp), "Storefront.Rate"), url, "--rate", str(spec["rate"]),
           "--seconds", str(seconds), "--max-connections", str(spec["connections"]), "--timeout", str(WRK_TIMEOUT_S)]
    if spec.get("body"):
        cmd += ["--method", spec.get("method", "POST"), "--body", os.path.join(bench_dir, "wrk", spec["body"])]
    return cmd


def parse_wrk(text):
    """The WRK_JSON line of bench/wrk/report.lua as a dict, with rps_2xx added; None if it is missing."""
    for line in text.splitlines():
        if line.startswith("WRK_JSON "):
            w = json.loads(line[len("WRK_JSON "):])
            ok = max(w["requests"] - w["errors"]["status"], 0)
            w["rps_2xx"] = round(ok / w["duration_s"], 1) if w["duration_s"] else 0.0
            return w
    return None


def hey_command(url, requests, timeout_s=HEY_TIMEOUT_S):
    return ["hey", "-n", str(requests), "-c", str(requests), "-t", str(timeout_s), url]


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


def preflight(bench_dir, base_url, spec):
    """The first request to a path, before any load: (HTTP status, body text). 0 if nothing answered.

    A side without the route answers 404 (or 405 to a POST on a path it serves for GET only).
    """
    body = request_body(bench_dir, spec)
    req = urllib.request.Request(base_url + spec.get("probe_path", spec["path"]), data=body,
                                 method=spec.get("method", "GET"),
                                 headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read(400).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read(400).decode("utf-8", errors="replace")
    except OSError:
        return 0, ""


def not_served(status):
    return status in (404, 405)


def looks_like_prediction(body):
    try:
        d = json.loads(body)
    except ValueError:
        return False
    return isinstance(d.get("prediction"), str) and isinstance(d.get("score"), (int, float))
