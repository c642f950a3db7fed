"""GET / latency while a burst of wrong-password logins hammers POST /token: do the password hashes leak into the
request path? Target: GET / p99 <= 20 ms under the burst. Storefront only, on SQLite. Method: bench/README.md.

  scripts/bench login-burst                          # the work tree, 10 s measured
  scripts/bench login-burst --ref main               # build from a git revision, e.g. the code before a change
  scripts/bench login-burst -- PasswordHashing__Threads=1   # extra settings for the service (NAME=value ...)
"""

import json
import os
import time

from harness import load as load_mod
from harness.procs import Failure
from harness.solo import own

NAME = "login-burst"
OPTIONS = {"--duration": (10, 1, 30, "seconds measured under the burst")}
LOAD_CONNECTIONS = 200
ROOT_CONNECTIONS = 10
ALONE_S = 3
WARMUP_S = 3
QUICK_S = 0.02   # after the warm-up, GET / must answer within this five times running before measuring


def measure(run, opts):
    run.publish()
    # The burst is of wrong passwords for one user: the per-username throttle would answer it 429 before any hashing,
    # which is not what this measures.
    service = run.start_service(["Proxy__TrustedProxies__0=127.0.0.1", "RateLimits__UsernameFailures=1000000",
                                 "RateLimits__UsernameHourlyFailures=1000000"])
    run.log(f"service on {service.base}" + (f" with {' '.join(opts.settings)}" if opts.settings else ""))
    user = f"burst_{os.getpid()}{time.monotonic_ns() % 100000}"
    service.register(user, "a long enough passphrase")
    status, _ = service.call("POST", "/token", f"username={user}&password=wrong-password",
                             {"X-Forwarded-For": "10.255.255.1"})
    if status != 401:
        raise Failure(f"a wrong-password login answered {status}, not 401")
    login = {"LOGIN_USER": user}
    token_url = service.base + "/token"

    run.log(f"warm-up ({WARMUP_S} s)")
    load = run.background(_load_cmd(WARMUP_S, token_url), os.path.join(run.tmp, "warmup-load.txt"), login)
    own.wrk(service.base + "/", ROOT_CONNECTIONS, WARMUP_S - 1, script=None)
    load.finish(WARMUP_S + 30)
    _wait_quick(service)

    run.log(f"GET / alone ({ALONE_S} s)")
    alone = own.wrk(service.base + "/", ROOT_CONNECTIONS, ALONE_S, latency=True)
    run.log(f"GET / under the login burst ({opts.duration} s, {LOAD_CONNECTIONS} connections on POST /token)")
    load_out = os.path.join(run.tmp, "load.txt")
    load = run.background(_load_cmd(opts.duration + 1, token_url), load_out, login)
    time.sleep(0.5)
    burst = own.wrk(service.base + "/", ROOT_CONNECTIONS, opts.duration, latency=True, timeout_s=10)
    status, text = load.finish(opts.duration + 60)
    if status != 0:
        run.log("the load's wrk exited non-zero")
    logins = load_mod.parse_json_line(text, "LOGIN_JSON")
    return [{"what": "GET / alone", **_figures(alone)}, {"what": "GET / under the burst", **_figures(burst)},
            {"what": "POST /token load", "logins": logins}]


def _load_cmd(seconds, url):
    return own.wrk_command(url, LOAD_CONNECTIONS, seconds, script="login-burst.lua", timeout_s=10)


def _wait_quick(service, limit_s=30):
    """Hashes the warm-up queued may still be running: waits until GET / is quick again five times running."""
    quick, deadline = 0, time.monotonic() + limit_s
    while quick < 5 and time.monotonic() < deadline:
        t0 = time.monotonic()
        service.call("GET", "/")
        quick = quick + 1 if time.monotonic() - t0 < QUICK_S else 0
        time.sleep(0.1)


def _figures(w):
    lat = w["latency_ms"]
    return {"rps": w["rps"], "p50": float(lat["p50"]), "p99": float(lat["p99"]), "max": float(lat["max"]),
            "errors": sum(w["errors"].values())}


def report(rows, meta, opts):
    out = [f"== `{meta['command']}`: commit `{meta['commit']}`, {meta['cores']} cores, load average {meta['load']} "
           "before the run"]
    for r in rows:
        if "logins" in r:
            out.append(f"{r['what']:<24} {json.dumps(r['logins'])}")
        else:
            out.append(f"{r['what']:<24} {r['rps']:>9,.0f} rps   p50 {r['p50']:7.2f} ms   p99 {r['p99']:8.2f} ms   "
                       f"max {r['max']:8.2f} ms   errors {r['errors']}")
    return "\n".join(out) + "\n"
