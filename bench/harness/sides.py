"""The three sides: how each is built, started against the shared dependencies, and known to be ready."""

import os
import time

from harness import load, services
from harness.procs import Failure, Group, run_tool

SIDES = ["storefront", "peer", "ceiling"]
NAMES = {"storefront": "Storefront", "peer": "FastAPI peer", "ceiling": "ceiling (bare Kestrel)"}
PEER_WORKERS = 2
READY_TIMEOUT_S = 60


class Env:
    """What every side is started with: the run's dirs, the dependencies, a port per side."""

    def __init__(self, tmp, src, artifacts, postgres, redis_port, nginx, jwt_key, webhook_secret):
        self.tmp, self.src, self.artifacts = tmp, src, artifacts
        self.postgres, self.redis_port, self.nginx = postgres, redis_port, nginx
        self.jwt_key = jwt_key
        self.webhook_secret = webhook_secret   # signs the fan-out's inventory events
        self.ports = {side: services.pick_port() for side in SIDES}
        self.upload_token = None               # Storefront's bearer token for POST /upload, made once (uploads.py)
        self.peer_upload_dir = os.path.join(tmp, "peer-uploads")   # where the peer's POST /upload writes


def workers(side):
    """Processes that serve a side's connections: the peer's uvicorn workers, else the one process."""
    return PEER_WORKERS if side == "peer" else 1


# ------------------------------------------------------------------ build

def publish(artifacts, project, out_dir, log_path):
    """dotnet publish into the temp dir, with bin/obj under `artifacts` (--artifacts-path): the repo's
    own bin/obj and anyone building there are left alone. Retried once (file locks)."""
    cmd = ["dotnet", "publish", project, "-c", "Release", "-o", out_dir,
           "--artifacts-path", artifacts, "--disable-build-servers", "-nologo",
           "-v", "q", "-p:UseSharedCompilation=false"]
    for _ in range(2):
        status, _ = run_tool(cmd, 900, out_path=log_path, env={**os.environ, "MSBUILDDISABLENODEREUSE": "1"})
        if status == 0:
            return True
        time.sleep(2)
    return False


def build(env, side, log):
    """Builds one side; returns None if it is ready to start, else why it is not (n/a or failed)."""
    if side == "storefront":
        prepare_catalog(env, log)
        return None
    if side == "ceiling":
        project = os.path.join(env.src, "bench", "Storefront.Ceiling")
        if not os.path.exists(os.path.join(project, "Storefront.Ceiling.csproj")):
            return ("n/a", "bench/Storefront.Ceiling is missing")
        if not publish(env.artifacts, project, os.path.join(env.tmp, "ceiling"),
                       os.path.join(env.tmp, "publish-ceiling.log")):
            return ("failed", "bench/Storefront.Ceiling does not build")
        return None
    peer = os.path.join(env.src, "bench", "peer")
    if not os.path.exists(os.path.join(peer, "run.sh")):
        return ("n/a", "bench/peer/run.sh is missing")
    if os.path.exists(os.path.join(peer, "install.sh")):
        status, _ = run_tool(["bash", os.path.join(peer, "install.sh")], 900,
                             out_path=os.path.join(env.tmp, "peer-install.log"))
        if status != 0:
            return ("failed", "bench/peer/install.sh failed")
    return None


def prepare_catalog(env, log):
    """Publishes Storefront and has it create the schema and seed the 20 items every side reads: also when
    Storefront itself is not measured (--sides peer,ceiling), since the peer is ready only once it reads items."""
    if not publish(env.artifacts, os.path.join(env.src, "src", "Storefront.Api"), os.path.join(env.tmp, "storefront"),
                   os.path.join(env.tmp, "publish-storefront.log")):
        raise Failure(f"could not publish src/Storefront.Api (see {env.tmp}/publish-storefront.log)")
    _migrate_and_seed(env, log)


def _migrate_and_seed(env, log):
    """Storefront's own schema and 20 items: every side reads this catalog."""
    for step in ("migrate", "seed"):
        status, out = run_tool(["dotnet", "Storefront.Api.dll", step], 120, cwd=os.path.join(env.tmp, "storefront"),
                               env={**os.environ, "ConnectionStrings__Postgres": env.postgres.connection_string(),
                                    "Logging__LogLevel__Default": "Warning"})
        if status != 0:
            raise Failure(f"Storefront {step} failed:\n{out[-3000:]}")
    count = int(env.postgres.sql("storefront", "SELECT count(*) FROM items") or 0)
    if count < 7:
        raise Failure(f"the catalog has {count} items after seeding; the scenarios read item 7")
    log(f"schema migrated, {count} items seeded")


# ------------------------------------------------------------------ start

def _command(env, side, upstreams):
    """(argv, cwd, environment, readiness path) of a side against the instant or delayed upstreams."""
    base = env.nginx.base(upstreams)
    port = env.ports[side]
    if side == "storefront":
        # nginx stands in for pricing, inventory and reco only; /weather and /multi-fetch are not measured,
        # so their sources stay on the bundled simulator, which a Production process must be told to use.
        return (["dotnet", "Storefront.Api.dll"], os.path.join(env.tmp, "storefront"), {
            "ASPNETCORE_URLS": f"http://127.0.0.1:{port}",
            "ConnectionStrings__Postgres": env.postgres.connection_string(),
            "ConnectionStrings__Redis": f"127.0.0.1:{env.redis_port}",
            "Upstreams__Pricing": f"{base}/pricing", "Upstreams__Inventory": f"{base}/inventory",
            "Upstreams__Reco": f"{base}/reco", "Upstreams__UseSimulator": "true",
            "Storage__Path": os.path.join(env.tmp, "storefront-data"),
            "Jwt__SigningKey": env.jwt_key, "Logging__LogLevel__Default": "Warning",
            # The fan-out: 10,000 subscribers on one process, events signed with the run's secret. The load tools are
            # one client address and one account: the per-client and per-user abuse bounds would refuse them.
            "Inventory__WebhookSecret": env.webhook_secret, "WebSockets__MaxConnections": "20000",
            "WebSockets__MaxConnectionsPerClient": "20000",
            # The uploads: one account stores 2 GB a window (deleted after it), far past the default quota, with 50
            # uploads at once.
            "Uploads__QuotaBytes": str(10**12), "Uploads__MaxConcurrentPerUser": "64"}, "/health/ready")
    if side == "ceiling":
        return (["dotnet", "Storefront.Ceiling.dll"], os.path.join(env.tmp, "ceiling"), {
            "ASPNETCORE_URLS": f"http://127.0.0.1:{port}",
            "CEILING_POSTGRES": env.postgres.connection_string(),
            # Each side its own Redis database: the same key ("data") holds a string for the ceiling and the peer and
            # HybridCache's hash for Storefront, and each would read the other's as WRONGTYPE.
            "CEILING_REDIS": f"127.0.0.1:{env.redis_port},defaultDatabase=2",
            "CEILING_PRICING_URL": f"{base}/pricing", "CEILING_INVENTORY_URL": f"{base}/inventory",
            "CEILING_RECO_URL": f"{base}/reco", "Logging__LogLevel__Default": "Warning"}, "/health")
    # GET /items answers only once the database pool is open.
    return (["bash", "./run.sh"], os.path.join(env.src, "bench", "peer"), {
        "PORT": str(port), "PEER_WORKERS": str(PEER_WORKERS),
        "PEER_POSTGRES_DSN": env.postgres.dsn(), "PEER_REDIS_URL": f"redis://127.0.0.1:{env.redis_port}/1",
        "PEER_PRICING_URL": f"{base}/pricing", "PEER_INVENTORY_URL": f"{base}/inventory",
        "PEER_RECO_URL": f"{base}/reco", "PEER_UPLOAD_DIR": env.peer_upload_dir}, "/items/1")


def launch(env, side, upstreams):
    """Starts a side without waiting for it; wait_ready() then tells whether it serves."""
    argv, cwd, extra, ready = _command(env, side, upstreams)
    log_path = os.path.join(env.tmp, f"{side}-{upstreams}-{time.monotonic_ns()}.log")
    group = Group(side, argv, log_path, cwd=cwd, env={**os.environ, **extra})
    group.ready_url = f"http://127.0.0.1:{env.ports[side]}{ready}"
    return group


def wait_ready(group, deadline):
    """True once the side answers 200 on its readiness path; else stops it and shows its log."""
    while time.monotonic() < deadline and group.alive():
        if load.http(group.ready_url, timeout=2)[0] == 200:
            if group.name == "peer":
                _wait_for_workers(group)
            return True
        time.sleep(0.1)
    print(f"[bench] {group.name} did not become ready on {group.ready_url} within {READY_TIMEOUT_S} s; "
          "its log:\n" + group.log_tail(), flush=True)
    group.stop()
    return False


def _wait_for_workers(group):
    """uvicorn answers as soon as one worker is up: give the others time to open their pools."""
    deadline = time.monotonic() + 5
    while len(group.pids()) <= PEER_WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
