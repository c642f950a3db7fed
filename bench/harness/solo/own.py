"""What the single-question benchmarks share: a published Storefront started on a free loopback port in a process
group of its own (the embedded SQLite store unless told otherwise), its operator commands, an account and its token,
the FastAPI peer, a throwaway PostgreSQL; every one stopped when the run ends, also on failure or Ctrl-C."""

import base64
import http.client
import json
import os
import secrets
import sys
import time
import urllib.parse

from harness import probe, procs, services, sides, source
from harness.procs import Failure, Group, run_tool


class Run:
    """One run's temp dir, log, build and the processes it started."""

    def __init__(self, name, tmp, opts):
        self.name, self.tmp, self.opts = name, tmp, opts
        self.app = None          # the published Storefront's folder
        self.postgres = None
        self.groups = []
        self.backgrounds = []    # loads and viewers beside the measured tool
        self.stoppers = []       # what else the run started and must stop (a scripts/cluster deployment)

    def log(self, text):
        print(f"[{self.name}] {text}", file=sys.stderr, flush=True)

    # ---------------------------------------------------------------- build and dependencies

    def publish(self):
        """Storefront, published (Release) from the work tree or --ref, or the --app folder as it is."""
        if self.opts.app:
            self.app = os.path.abspath(self.opts.app)
            self.log(f"using the published Storefront in {self.app}")
            return
        src = source.tree(self.opts.ref, self.tmp, self.log)
        if not self.opts.ref:
            self.log(f"building the work tree ({source.commit_text(None)})")
        self.app = os.path.join(self.tmp, "app")
        log_path = os.path.join(self.tmp, "publish.log")
        if not sides.publish(source.artifacts_dir(self.opts.ref, self.tmp), os.path.join(src, "src", "Storefront.Api"),
                             self.app, log_path):
            raise Failure(f"publish failed:\n{procs.tail(log_path)}")

    def start_postgres(self):
        self.postgres = services.Postgres(self.tmp)
        self.postgres.start()
        self.log(f"PostgreSQL on 127.0.0.1:{self.postgres.port}")
        return self.postgres

    def sql(self, statement, database="storefront"):
        """A statement as the service's own role; the rows as lists of fields."""
        out = self.postgres.sql(database, statement, as_service=True)
        return [line.split("\t") for line in out.splitlines() if line.strip()]

    def on_postgres(self, database="storefront"):
        """The settings that run the service in Production on this run's PostgreSQL."""
        return ["ASPNETCORE_ENVIRONMENT=Production",
                f"ConnectionStrings__Postgres={self.postgres.connection_string(database, pool='')}"]

    # ---------------------------------------------------------------- Storefront

    def _env(self, settings):
        """The service's environment: the embedded store in the run's dir, the bundled simulator, then `settings`
        (NAME=value; later ones win)."""
        return {**os.environ, "Storage__Path": os.path.join(self.tmp, "data"), "Upstreams__UseSimulator": "true",
                "Jwt__SigningKey": base64.b64encode(secrets.token_bytes(48)).decode(),
                "Logging__LogLevel__Default": "Warning", **dict(s.split("=", 1) for s in settings)}

    def command(self, args, settings=()):
        """An operator command of the published service (seed, users grant, ...) with the run's settings."""
        status, out = run_tool(["dotnet", "Storefront.Api.dll"] + args, 1800, cwd=self.app, env=self._env(settings))
        if status != 0:
            raise Failure(f"{' '.join(args)} failed:\n{out[-3000:]}")

    def start_service(self, settings=(), cpus=None):
        """Storefront on a free port with `settings` and the run's extra settings; on `cpus` (taskset) if given."""
        port = services.pick_port()
        base = f"http://127.0.0.1:{port}"
        env = {**self._env(list(settings) + list(self.opts.settings)), "ASPNETCORE_URLS": base}
        group = Group("storefront", pinned(cpus, ["dotnet", "Storefront.Api.dll"]),
                      os.path.join(self.tmp, f"service-{port}.log"), cwd=self.app, env=env)
        self.groups.append(group)
        service = Service(base, group)
        _wait_ready(group, base + "/", "the service")
        return service

    # ---------------------------------------------------------------- the FastAPI peer

    def start_peer(self, workers=2):
        """bench/peer on this run's PostgreSQL (its packages from bench/peer/install.sh)."""
        peer = os.path.join(source.BENCH, "peer")
        status, out = run_tool(["bash", os.path.join(peer, "install.sh")], 900)
        if status != 0:
            raise Failure(f"bench/peer/install.sh failed:\n{out[-3000:]}")
        port = services.pick_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "PEER_WORKERS": str(workers),
               "PEER_POSTGRES_DSN": self.postgres.dsn(), "PEER_UPLOAD_DIR": os.path.join(self.tmp, "peer-uploads")}
        group = Group("peer", ["bash", "./run.sh"], os.path.join(self.tmp, "peer.log"), cwd=peer, env=env)
        self.groups.append(group)
        # uvicorn's supervisor keeps the port open when a worker fails to start: ready is an answer from PostgreSQL.
        _wait_ready(group, base + "/items/1", "the peer")
        return Service(base, group)

    def background(self, cmd, out_path, env=None, cpus=None):
        """A command running beside the measured one (a load, a viewer), on `cpus` if given; stopped with the run."""
        proc = procs.Background(pinned(cpus, cmd), out_path, {**os.environ, **(env or {})})
        self.backgrounds.append(proc)
        return proc

    def stop(self):
        for stop in self.stoppers:
            stop()
        for proc in self.backgrounds:
            if proc.proc.poll() is None:
                proc.cancel()
        procs.stop_groups(self.groups)
        procs.stop_all()
        if self.postgres:
            self.postgres.stop()


class Service:
    """A started server: its address, its process group (None: not the run's own), HTTP calls to it."""

    def __init__(self, base, group=None):
        self.base, self.group = base, group
        url = urllib.parse.urlsplit(base)
        self._conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    @property
    def pid(self):
        return self.group.pgid

    def call(self, method, path, body=None, headers=None):
        """(status, body bytes) on one kept-alive connection; a JSON body is sent as JSON."""
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body, headers["Content-Type"] = json.dumps(body), "application/json"
        elif isinstance(body, str):
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        for attempt in range(2):
            try:
                self._conn.request(method, path, body, headers)
                response = self._conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError) as e:
                self._conn.close()   # the server closed a kept-alive connection: once more on a new one
                if self.group and not self.group.alive():
                    raise Failure(f"{self.group.name} is gone (exit status {self.group.proc.poll()}); its log ends:\n"
                                  + self.group.log_tail(10)) from e
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def register(self, username, password):
        status, body = self.call("POST", "/register",
                                 {"username": username, "email": f"{username}@example.com", "password": password})
        if status != 201:
            raise Failure(f"register answered {status}: {body[:300]!r}")

    def token(self, username, password):
        form = urllib.parse.urlencode({"username": username, "password": password})
        status, body = self.call("POST", "/token", form)
        if status != 200:
            raise Failure(f"POST /token answered {status}: {body[:300]!r}")
        return json.loads(body)["access_token"]

    def cpu_s(self):
        return probe.group_cpu_s([self.pid])


def pinned(cpus, cmd):
    """`cmd` on `cpus` (a taskset list), or as it is without."""
    return (["taskset", "-c", cpus] if cpus else []) + cmd


def wrk_command(url, connections, seconds, threads=1, script="report.lua", latency=False, timeout_s=None):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    cmd += ["--timeout", f"{timeout_s}s"] if timeout_s else []
    cmd += ["-s", os.path.join(source.BENCH, "wrk", script)] if script else []
    return cmd + (["--latency"] if latency else []) + [url]


def wrk(url, connections, seconds, threads=1, script="report.lua", latency=False, env=None, timeout_s=None,
        cpus=None):
    """One wrk run to its end; its WRK_JSON line (bench/wrk/report.lua and the scripts that report like it) as a
    dict with rps_2xx, or the whole output when there is no such line (script None)."""
    from harness import load   # noqa: PLC0415 (load imports wsprobe; only here)
    cmd = pinned(cpus, wrk_command(url, connections, seconds, threads, script, latency, timeout_s))
    status, out = run_tool(cmd, seconds + 60, env={**os.environ, **(env or {})})
    if not script:
        return out
    result = load.parse_wrk(out)
    if result is None:
        raise Failure(f"wrk printed no result for {url} (exit {status}):\n{out[-1000:]}")
    return result


def _wait_ready(group, url, what):
    group.ready_url = url
    if not sides.wait_ready(group, time.monotonic() + sides.READY_TIMEOUT_S):
        raise Failure(f"{what} did not answer {url}")
