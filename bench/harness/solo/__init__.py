"""Benchmarks of one question each, outside the three-side run: `scripts/bench NAME [options]` (bench/README.md).

Each module holds its scenario: OPTIONS (its command-line options, defaults and bounds, as data), `measure(run, opts)`
(the windows; returns rows) and `report(rows, meta, opts)` (the Markdown, from the rows alone), plus `failed(rows)`
where a result fails the run. This module parses the options, starts and stops what a run needs (own.py), times the
run and writes the report.
"""

import argparse
import datetime
import os
import shlex

from harness import procs, source
from harness.solo import (capacity, catalog_scale, dashboard_viewers, login_burst, orders, overload, own,
                          sync_commit)

SCENARIOS = {m.NAME: m for m in (orders, catalog_scale, login_burst, dashboard_viewers, overload, capacity,
                                 sync_commit)}


def parse(module, argv):
    """The scenario's options (module.OPTIONS: flag → default, bounds, help; a bool is a switch, a tuple a list whose
    every number is within the bounds) and the common ones."""
    p = argparse.ArgumentParser(prog=f"scripts/bench {module.NAME}", description=module.__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    for flag, (default, low, high, text) in module.OPTIONS.items():
        if isinstance(default, bool):
            p.add_argument(flag, action="store_true", help=text)
        elif isinstance(default, tuple):
            shown = ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in default)
            p.add_argument(flag, default=default, type=_numbers(type(default[0])),
                           help=f"{text}, comma-separated (default {shown})")
        else:
            p.add_argument(flag, default=default, type=type(default), help=f"{text} (default {default})")
    p.add_argument("--out", help="also write the Markdown report to this file")
    p.add_argument("--ref", help="build Storefront from this git revision instead of the work tree")
    p.add_argument("--app", help="an already published Storefront (a folder with Storefront.Api.dll): no build")
    p.add_argument("settings", nargs="*", metavar="NAME=value",
                   help="extra settings for the service, after --, e.g. -- PasswordHashing__Threads=1")
    opts = p.parse_args(argv)
    for flag, (default, low, high, _) in module.OPTIONS.items():
        value = getattr(opts, flag[2:].replace("-", "_"))
        values = value if isinstance(value, tuple) else (value,)
        if low is not None and not (values and all(low <= v <= high for v in values)):
            p.error(f"{flag}: {low}..{high} (got {value})")
    if opts.app and not os.path.isfile(os.path.join(opts.app, "Storefront.Api.dll")):
        p.error(f"--app: no Storefront.Api.dll in {opts.app}")
    if any("=" not in s for s in opts.settings):
        p.error("settings are NAME=value")
    check = getattr(module, "check", None)
    if check and (problem := check(opts)):
        p.error(problem)
    return opts


def _numbers(kind):
    """An option's numbers, separated by commas (or spaces), as a tuple."""
    def parse(text):
        return tuple(kind(v) for v in text.replace(" ", ",").split(",") if v)
    parse.__name__ = f"comma-separated {kind.__name__}"   # argparse's words for a value it cannot read
    return parse


def main(name, argv):
    module = SCENARIOS[name]
    opts = parse(module, argv)
    load_at_start = float(open("/proc/loadavg").read().split()[0])   # before the run adds any
    procs.raise_on_signals()
    tmp = procs.make_tmp(f"storefront-{name}.")
    run = own.Run(name, tmp, opts)
    status = 1
    try:
        rows = module.measure(run, opts)
        meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
                "commit": source.commit_text(opts.ref), "cores": os.cpu_count(), "load": load_at_start,
                "command": shlex.join(["scripts/bench", name] + argv)}
        text = module.report(rows, meta, opts)
        print(text, end="")
        if opts.out:
            os.makedirs(os.path.dirname(os.path.abspath(opts.out)), exist_ok=True)
            with open(opts.out, "w", encoding="utf-8") as f:
                f.write(text)
            run.log(f"wrote {opts.out}")
        failed = getattr(module, "failed", lambda rows: None)(rows)
        if failed:
            run.log(failed)
        status = 1 if failed else 0
    except procs.Failure as e:
        run.log(f"ERROR: {e}")
    finally:
        procs.shut_down(tmp, run.log, run.stop)
    return status
