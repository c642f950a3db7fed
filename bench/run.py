#!/usr/bin/python3
"""Benchmarks Storefront against its FastAPI peer and a bare-Kestrel "ceiling" on this machine (bench/README.md).

  scripts/bench                 # full run: 5 rounds of 5 s windows per side and scenario (about 20 min)
  scripts/bench --quick         # 2 rounds of 1 s windows: checks the harness, figures not worth quoting
  scripts/bench NAME [--help]   # a benchmark of one question: orders, catalog-scale, login-burst, dashboard-viewers,
                                # overload, capacity, sync-commit (bench/harness/solo/)

Writes docs/benchmarks.{json,md,png}; everything it starts is stopped on exit, also on failure or Ctrl-C.
BENCH_KEEP_TMP=1 keeps the temp dir. Exit status: 0 if every present side was measured, 1 otherwise (the report is
still written), 2 on bad arguments.
"""

import argparse
import base64
import datetime
import json
import os
import resource
import secrets
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the repository
import report                                     # noqa: E402  (bench/report.py)
from harness import load, machine, plan, procs, services, sides, solo, source  # noqa: E402
from harness.measure import Settings              # noqa: E402
from harness.scenarios import NOT_SELECTED, SCENARIOS  # noqa: E402

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)

TIMING = {   # what each means: measure.Settings
    "full": {"rounds": 5, "window_s": 5, "warmup_s": 4, "process_warmup_s": 20, "idle_s": 1.0, "uploads_per_client": 2,
             "budget_s": 1800},
    "quick": {"rounds": 2, "window_s": 1, "warmup_s": 1, "process_warmup_s": 1, "idle_s": 0.3, "uploads_per_client": 1,
              "budget_s": 180},
}
NOFILE = 65536     # servers and load tools hold a descriptor per connection (10,000 for /slow)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short windows: checks the harness")
    p.add_argument("--sides", default=",".join(sides.SIDES), help="comma-separated: storefront,peer,ceiling")
    p.add_argument("--scenarios", default=",".join(sc["id"] for sc in SCENARIOS),
                   help="comma-separated scenario ids (default: all): " + ", ".join(sc["id"] for sc in SCENARIOS))
    p.add_argument("--out", default=os.path.join(REPO, "docs"), help="where benchmarks.{json,md,png} go")
    p.add_argument("--ref", help="build the sides from this git revision instead of the work tree")
    p.add_argument("--rounds", type=int, help="rounds per side and scenario")
    args = p.parse_args(argv)

    def choose(flag, text, allowed):
        chosen = [s for s in text.split(",") if s]
        if not chosen or any(s not in allowed for s in chosen):
            p.error(f"{flag}: choose among {', '.join(allowed)} (got {text!r})")
        return chosen
    args.wanted = choose("--sides", args.sides, sides.SIDES)
    chosen = choose("--scenarios", args.scenarios, [sc["id"] for sc in SCENARIOS])
    args.selected = [sc for sc in SCENARIOS if sc["id"] in chosen]
    if args.rounds is not None and args.rounds < 1:
        p.error("--rounds must be at least 1")
    return args


class Console:
    """Progress on stderr; warnings are also kept for the report."""

    def __init__(self):
        self.started = time.monotonic()
        self.warnings = []

    def elapsed(self):
        return int(time.monotonic() - self.started)

    def log(self, text):
        print(f"[bench {self.elapsed()}s] {text}", file=sys.stderr, flush=True)

    def warn(self, text):
        self.warnings.append(text)
        print(f"\n[bench] WARNING: {text}\n", file=sys.stderr, flush=True)


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = NOFILE if hard == resource.RLIM_INFINITY else min(NOFILE, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def build_sides(env, states, console):
    """Storefront first: it migrates and seeds the database every side reads."""
    if states.state["storefront"][0] != "ok" and states.ok():
        console.log("publishing storefront to migrate and seed the catalog the other sides read (it is not measured)")
        sides.prepare_catalog(env, console.log)
    for side in sides.SIDES:
        if states.state[side][0] != "ok":
            continue
        console.log(f"building {side}")
        problem = sides.build(env, side, console.log)
        if problem:
            states.set(side, *problem)
            console.warn(f"{side}: {problem[1]}: reported n/a")


def build_load_tools(env, scenarios, console):
    """The load tools the run's scenarios need."""
    tools = [("Storefront.Rate", "fixed-rate", load.rate_tool_dir(env.tmp), any(sc.get("rate") for sc in scenarios)),
             ("Storefront.WsLoad", "WebSocket", load.ws_tool_dir(env.tmp),
              any(sc["tool"] in load.WS_TOOLS for sc in scenarios)),
             ("Storefront.UploadLoad", "upload", load.upload_tool_dir(env.tmp),
              any(sc["tool"] == "upload" for sc in scenarios))]
    for project, what, out_dir, needed in tools:
        if not needed:
            continue
        console.log(f"building the {what} load tool")
        log_path = os.path.join(env.tmp, f"publish-{project}.log")
        if not sides.publish(env.artifacts, os.path.join(env.src, "bench", project), out_dir, log_path):
            raise procs.Failure(f"could not publish bench/{project} (see {log_path})")


def measure_everything(args, timing, tmp, console):
    """Dependencies, builds, measurements; returns (results, side states, PostgreSQL's bin dir)."""
    states = plan.SideStates(args.wanted)
    postgres = services.Postgres(tmp)
    try:
        src = source.tree(args.ref, tmp, console.log)
        postgres.start()
        console.log(f"PostgreSQL on 127.0.0.1:{postgres.port}")
        redis_group, redis_port = services.start_redis(tmp)
        console.log(f"Redis on 127.0.0.1:{redis_port}")
        nginx = services.Nginx(tmp, BENCH)
        nginx.start()
        console.log(f"nginx upstreams (checked): delayed on {nginx.ports['delayed']}, instant on {nginx.ports['instant']}")
        # Storefront refuses to start outside Development without a token signing key; none is used here.
        jwt_key = base64.b64encode(secrets.token_bytes(48)).decode()
        env = sides.Env(tmp, src, source.artifacts_dir(args.ref, tmp), postgres, redis_port, nginx, jwt_key,
                        secrets.token_hex(32))
        build_sides(env, states, console)
        build_load_tools(env, args.selected, console)
        cfg = Settings(BENCH, tmp, timing, console.log, console.warn)
        console.log("setup done; measuring")
        results = plan.run_all(cfg, env, states, args.selected)
    finally:
        procs.stop_all()
        postgres.stop()
    return results, states, postgres.bin


def write_report(args, timing, console, results, states, pg_bin, nofile):
    not_run = {"status": "n/a", "reason": NOT_SELECTED, "rounds": []}
    for sc in SCENARIOS:
        results.setdefault(sc["id"], {side: dict(not_run) for side in sides.SIDES})
    doc = {
        "meta": {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "commit": source.commit_text(args.ref), "quick": args.quick, **timing,
            "wrk_threads": 2, "peer_workers": sides.PEER_WORKERS, "nofile": nofile,
            "elapsed_s": console.elapsed(), "sides": states.as_json(), "warnings": console.warnings,
            "scenarios_run": [sc["id"] for sc in args.selected],
            "machine": machine.details(pg_bin),
        },
        "scenarios": [{**sc, "results": results[sc["id"]]} for sc in SCENARIOS],
    }
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "benchmarks.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    report.render(path)
    console.log(f"wrote {args.out}/benchmarks.md, benchmarks.json, benchmarks.png; targets:")
    report.print_targets(doc)


def main(argv):
    nofile = raise_nofile()
    os.environ.update(DOTNET_NOLOGO="1", DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_SKIP_FIRST_TIME_EXPERIENCE="1")
    if argv and argv[0] in solo.SCENARIOS:
        return solo.main(argv[0], argv[1:])
    args = parse_args(argv)
    timing = dict(TIMING["quick" if args.quick else "full"])
    if args.rounds:
        timing["rounds"] = args.rounds
    console = Console()
    console.log(f"{'quick' if args.quick else 'full'} run: {timing['rounds']} rounds of {timing['window_s']} s windows")
    procs.raise_on_signals()
    tmp = procs.make_tmp("storefront-bench.")
    status = 1
    try:
        results, states, pg_bin = measure_everything(args, timing, tmp, console)
        write_report(args, timing, console, results, states, pg_bin, nofile)
        status = 0 if states.failures == 0 else 1
    except procs.Failure as e:
        console.log(f"ERROR: {e}")
    finally:
        procs.shut_down(tmp, console.log)
        bound = "within" if console.elapsed() <= timing["budget_s"] else "OVER"
        console.log(f"stopped everything it started; {console.elapsed()} s ({bound} the {timing['budget_s']} s bound)")
        for w in console.warnings:
            print(f"[bench]   - {w}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
