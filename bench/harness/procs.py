"""Processes the harness starts: each in a process group of its own, all stopped on the way out.

A server forks (uvicorn's workers, PostgreSQL's backends): stopping the group stops its children
too. Load tools run with a hard timeout, so a hung wrk or hey cannot hold the run forever.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

_running = []          # every Group still alive, stopped by stop_all()


class Failure(Exception):
    """A step the run cannot go on without (PostgreSQL, nginx, the build)."""


class Group:
    """A command started as the leader of a new process group (= session), output to a log file."""

    def __init__(self, name, cmd, log_path, cwd=None, env=None):
        self.name = name
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self.pgid = self.proc.pid
        _running.append(self)

    def alive(self):
        """True while any process of the group lives (the leader may already have exited)."""
        try:
            os.killpg(self.pgid, 0)
            return True
        except ProcessLookupError:
            return self.proc.poll() is None
        except PermissionError:
            return True

    def pids(self):
        """The live processes of the group, leader included."""
        return [pid for pid in _all_pids() if _pgrp_of(pid) == self.pgid]

    def stop(self, grace_s=10.0):
        """TERM the group, KILL it after grace_s; idempotent."""
        stop_groups([self], grace_s)

    def log_tail(self, lines=30):
        return tail(self.log_path, lines)


def tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def stop_groups(groups, grace_s=10.0):
    """TERM every group at once, KILL what is left after grace_s: stopping sides one by one would
    add their shutdown times up."""
    for group in groups:
        if group in _running:
            _running.remove(group)
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        left = [g for g in groups if g.alive()]
        for group in left:
            try:
                os.killpg(group.pgid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait_s
        while any(g.alive() for g in left) and time.monotonic() < deadline:
            for group in left:
                group.proc.poll()   # reap the leader, or it stays a zombie and "alive"
            time.sleep(0.05)
    for group in groups:
        group.proc.poll()


def stop_all():
    """Stops every group still running: the servers first, then what they depend on (nginx, Redis)."""
    servers = [g for g in _running if g.name not in ("nginx", "redis")]
    stop_groups(servers)
    stop_groups(list(_running))


def run_tool(cmd, timeout_s, out_path=None, env=None, cwd=None):
    """Runs a load tool (or any short command) to its end, bounded by timeout_s: (exit status or None on timeout,
    output text). The tool leads a group of its own, so a timeout or Ctrl-C stops it with everything it forked."""
    return Background(cmd, out_path, env, cwd).finish(timeout_s)


class Background:
    """A tool running while the harness does something else (a load beside the measured one), output to a file."""

    def __init__(self, cmd, out_path=None, env=None, cwd=None):
        self.out_path = out_path
        self._out = open(out_path, "w+b") if out_path else tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, env=env, cwd=cwd)

    def finish(self, timeout_s):
        """Waits for the tool (killing it after timeout_s): (exit status or None on timeout, output text)."""
        try:
            status = self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc)
            self.proc.wait()
            status = None
        except BaseException:
            self.cancel()
            raise
        self._out.seek(0)
        text = self._out.read().decode("utf-8", errors="replace")
        self._out.close()
        return status, text

    def cancel(self):
        _kill_group(self.proc)
        self.proc.wait()
        self._out.close()


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def _pgrp_of(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            # The command name may hold spaces and ")": the fields start after its last ")".
            return int(f.read().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def make_tmp(prefix):
    """The run's temp dir, under /tmp: the postgres user must reach it, and socket paths stay short."""
    tmp = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
    os.chmod(tmp, 0o755)
    return tmp


def shut_down(tmp, log, stop=stop_all):
    """Stops what the run started and removes its temp dir (BENCH_KEEP_TMP=1 keeps it)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)   # a second Ctrl-C must not cut the cleanup short
    stop()
    if os.environ.get("BENCH_KEEP_TMP"):
        log(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


def raise_on_signals():
    """Ctrl-C and kill become exceptions, so every `finally` (cleanup) runs before the exit."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGHUP, handler)
