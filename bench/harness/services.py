"""The dependencies every side shares: a throwaway PostgreSQL 15 cluster, redis-server, nginx upstreams.

All listen on 127.0.0.1 only and live in the run's temp dir.
"""

import glob
import json
import os
import random
import secrets
import socket
import subprocess
import time
import urllib.request

from harness.procs import Failure, Group, run_tool

_ports_taken = set()


def pick_port():
    """A free loopback port below the ephemeral range (32768+), not handed out before in this run."""
    for _ in range(300):
        port = random.randint(15000, 32000)
        if port not in _ports_taken and _port_free(port):
            _ports_taken.add(port)
            return port
    raise Failure("no free loopback port")


def _port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_tcp(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def as_postgres(cmd):
    """PostgreSQL refuses to run as root: its tools run as the postgres user."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres", "--"]
    return prefix + cmd


class Postgres:
    """A cluster in TMP/pg, thrown away after the run: durability off, room for every side's pool."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "pg")
        self.data = os.path.join(self.dir, "data")
        self.bin = _newest_pg_bin()
        self.port = None

    def start(self):
        os.makedirs(self.dir)
        pwfile = os.path.join(self.dir, "superuser.pw")
        with open(pwfile, "w") as f:
            f.write(secrets.token_hex(16))
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:", self.dir], check=True)
        self._tool(["initdb", "-D", self.data, "-U", "postgres", "-E", "UTF8", "--no-locale",
                    "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "--no-sync"],
                   "initdb")
        settings = ("\n# --- added by scripts/bench ---\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.dir}'\nmax_connections = 300\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        subprocess.run(as_postgres(["tee", "-a", os.path.join(self.data, "postgresql.conf")]),
                       input=settings, text=True, stdout=subprocess.DEVNULL, check=True)
        for _ in range(3):   # a port picked free can be taken before PostgreSQL binds it
            self.port = pick_port()
            status, _ = run_tool(as_postgres([f"{self.bin}/pg_ctl", "-D", self.data, "-l",
                                              os.path.join(self.dir, "postgres.log"), "-o", f"-p {self.port}",
                                              "-w", "-t", "30", "start"]), 60)
            if status == 0:
                self.sql("postgres", "CREATE ROLE storefront LOGIN PASSWORD 'storefront'")
                self.sql("postgres", "CREATE DATABASE storefront OWNER storefront")
                return
        raise Failure(f"could not start PostgreSQL; see {self.dir}/postgres.log")

    def sql(self, database, statement, as_service=False):
        """psql's output (fields split by tabs) as the superuser, or as the service's own role (whose tables then are
        the service's)."""
        cmd = [f"{self.bin}/psql", "-X", "-qtA", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-p", str(self.port),
               "-d", database, "-c", statement]
        if as_service:
            status, out = run_tool(cmd + ["-h", "127.0.0.1", "-U", "storefront"], 120,
                                   env={**os.environ, "PGPASSWORD": "storefront"})
        else:
            status, out = run_tool(as_postgres(cmd + ["-h", self.dir, "-U", "postgres"]), 60)
        if status != 0:
            raise Failure(f"psql failed: {statement[:200]}: {out.strip()}")
        return out.strip()

    def connection_string(self, database="storefront", pool=";Maximum Pool Size=64"):
        return f"Host=127.0.0.1;Port={self.port};Username=storefront;Password=storefront;Database={database}{pool}"

    def dsn(self):
        return f"postgresql://storefront:storefront@127.0.0.1:{self.port}/storefront"

    def stop(self):
        if not os.path.exists(os.path.join(self.data, "postmaster.pid")):
            return
        for mode in ("fast", "immediate"):
            status, _ = run_tool(as_postgres([f"{self.bin}/pg_ctl", "-D", self.data, "-m", mode,
                                              "-w", "-t", "30", "stop"]), 45)
            if status == 0:
                return
        print(f"[bench] WARNING: could not stop PostgreSQL in {self.data}", flush=True)

    def _tool(self, cmd, what):
        status, out = run_tool(as_postgres([f"{self.bin}/{cmd[0]}"] + cmd[1:]), 120)
        if status != 0:
            raise Failure(f"{what} failed: {out[-2000:]}")


def _newest_pg_bin():
    dirs = sorted((d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.access(f"{d}/initdb", os.X_OK)),
                  key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0)
    if not dirs:
        raise Failure("no initdb under /usr/lib/postgresql/*/bin")
    return dirs[-1]


def start_redis(tmp):
    """redis-server without persistence; returns (group, port)."""
    port = pick_port()
    rdir = os.path.join(tmp, "redis")
    os.makedirs(rdir)
    group = Group("redis", ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                            "--appendonly", "no", "--dir", rdir, "--daemonize", "no", "--protected-mode", "yes"],
                  os.path.join(rdir, "redis.log"))
    if not wait_tcp(port, 10):
        raise Failure("redis-server did not start:\n" + group.log_tail())
    return group, port


def flush_redis(port):
    run_tool(["redis-cli", "-p", str(port), "flushall"], 30)


# The stand-ins' delays (bench/nginx/upstreams.conf.template); the delayed server must keep them.
UPSTREAM_DELAYS_S = {"pricing": 0.02, "inventory": 0.03, "reco": 0.05}


class Nginx:
    """pricing/inventory/reco stand-ins on nginx's echo module: a *delayed* and an *instant* server."""

    def __init__(self, tmp, bench_dir):
        self.dir = os.path.join(tmp, "nginx")
        self.template = os.path.join(bench_dir, "nginx", "upstreams.conf.template")
        self.ports = {}
        self.group = None

    def start(self):
        if not os.path.exists("/usr/lib/nginx/modules/ngx_http_echo_module.so"):
            raise Failure("the nginx echo module is missing (libnginx-mod-http-echo)")
        os.makedirs(self.dir)
        self.ports = {"delayed": pick_port(), "instant": pick_port()}
        with open(self.template, encoding="utf-8") as f:
            conf = (f.read().replace("@TMP@", self.dir).replace("@DELAYED_PORT@", str(self.ports["delayed"]))
                    .replace("@INSTANT_PORT@", str(self.ports["instant"])))
        conf_path = os.path.join(self.dir, "nginx.conf")
        with open(conf_path, "w", encoding="utf-8") as f:
            f.write(conf)
        # In the foreground of its own process group (not the system service), so we own its processes.
        self.group = Group("nginx", ["nginx", "-c", conf_path, "-g",
                                     f"daemon off; pid {self.dir}/nginx.pid; error_log {self.dir}/error.log warn;"],
                           os.path.join(self.dir, "stdout.log"))
        if not all(wait_tcp(p, 10) for p in self.ports.values()):
            raise Failure("nginx did not start:\n" + self.group.log_tail())
        self._check()

    def base(self, kind):
        return f"http://127.0.0.1:{self.ports[kind]}"

    def _check(self):
        """Each stand-in must answer valid JSON, at once or after its delay."""
        for kind in ("instant", "delayed"):
            for name, delay in UPSTREAM_DELAYS_S.items():
                url = f"{self.base(kind)}/{name}/7"
                t0 = time.monotonic()
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        body = json.loads(r.read())
                except (OSError, ValueError) as e:
                    raise Failure(f"nginx {kind} {url}: {e}") from e
                took = time.monotonic() - t0
                if body.get("id") != 7:
                    raise Failure(f"nginx {kind} {url} answered {body}")
                if kind == "delayed" and not delay <= took < delay + 0.05:
                    raise Failure(f"nginx delayed /{name}/7 took {took:.3f} s, expected {delay} s")
