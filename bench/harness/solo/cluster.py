"""A `scripts/cluster` deployment, for the benchmarks that measure one (capacity, sync-commit): started in the run's
temp dir with the run's settings, its state read back, the CPU time of each of its parts, an account with a role;
stopped with the run."""

import os
import subprocess
import time

from harness import probe, source
from harness.procs import Failure, run_tool
from harness.solo import own

SCRIPT = os.path.join(os.path.dirname(source.BENCH), "scripts", "cluster")
STATE = ("NGINX_PORT", "INSTANCE_PORTS", "INSTANCE_PIDS", "REDIS_PID", "SIM_PID", "PG_DATA", "PG_STANDBY_DATA")
PARTS = ("instances", "postgres", "postgres-standby", "redis", "nginx", "simulator")
PASSWORD = "a long benchmark passphrase"


def check(opts):
    return "--ref and --app do not apply: scripts/cluster builds the work tree" if opts.ref or opts.app else None


class Cluster:
    """`scripts/cluster start N`, its commands (`cluster("instance", "0", "stop")`) and its parts."""

    def __init__(self, run, settings, instances, replicated=False):
        self.dir = os.path.join(run.tmp, "cluster")
        self.settings = list(settings) + list(run.opts.settings)
        run.stoppers.append(lambda: run_tool([SCRIPT, "stop"], 300, env=self._env([])))
        run.log(f"scripts/cluster start {instances}" + (" --replicated" if replicated else ""))
        self("start", str(instances), *(["--replicated"] if replicated else []), timeout_s=1800)

    def __call__(self, *args, extra=(), timeout_s=300):
        """scripts/cluster ARGS; the instances it starts get the run's settings, then `extra`. Its output."""
        status, out = run_tool([SCRIPT, *args], timeout_s, env=self._env(list(extra)))
        if status != 0:
            raise Failure(f"scripts/cluster {' '.join(args)} failed:\n{out[-2000:]}")
        return out

    def _env(self, extra):
        return {**os.environ, "STOREFRONT_CLUSTER_DIR": self.dir,
                "STOREFRONT_CLUSTER_ENV": " ".join(self.settings + extra)}

    def state(self):
        """The cluster's state file (bash declarations) as {name: its words}."""
        script = 'source "$0"; ' + "; ".join(f'echo "${{{name}[*]}}"' for name in STATE)
        out = subprocess.run(["bash", "-c", script, os.path.join(self.dir, "state")], capture_output=True, text=True,
                             check=True).stdout
        return dict(zip(STATE, (line.split() for line in out.splitlines())))

    def url(self, instance=None):
        """nginx's address, or one instance's."""
        state = self.state()
        return f"http://127.0.0.1:{state['NGINX_PORT'][0] if instance is None else state['INSTANCE_PORTS'][instance]}"

    def account(self, base, role):
        """A new user with `role` (granted by the operator's command): (its name, its bearer token)."""
        service, user = own.Service(base), f"bench{os.getpid()}{time.monotonic_ns() % 100000}"
        service.register(user, PASSWORD)
        self("users", "grant", user, role)
        return user, service.token(user, PASSWORD)

    def cpu_over(self, parts, action):
        """(each part's CPU seconds over action(), its wall seconds, what action returned)."""
        before, started = self._cpu_s(parts), time.monotonic()
        result = action()
        wall_s = time.monotonic() - started
        after = self._cpu_s(parts)
        return {part: after[part] - before[part] for part in parts}, wall_s, result

    def _cpu_s(self, parts):
        state = self.state()
        return {part: probe.group_cpu_s(self._pids(state, part)) for part in parts}

    def _pids(self, state, part):
        """A part's processes; a PostgreSQL server's and nginx's with their children (backends, workers)."""
        single = {"instances": "INSTANCE_PIDS", "redis": "REDIS_PID", "simulator": "SIM_PID"}
        if part in single:
            return [int(pid) for pid in state[single[part]]]
        pid_file = (os.path.join(self.dir, "nginx", "nginx.pid") if part == "nginx" else
                    os.path.join(state["PG_DATA" if part == "postgres" else "PG_STANDBY_DATA"][0], "postmaster.pid"))
        with open(pid_file, encoding="ascii") as f:
            leader = f.readline().strip()
        children = subprocess.run(["pgrep", "-P", leader], capture_output=True, text=True).stdout.split()
        return [int(pid) for pid in [leader] + children]
