"""FastAPI peer of the Storefront service, for load benchmarks, written the way its lessons teach at their best: one
shared httpx.AsyncClient, an asyncpg pool, redis.asyncio, CPU work in an executor, and X-Process-Time added by a pure
ASGI middleware. Run by run.sh (uvicorn + uvloop + httptools, several worker processes); Debian 12's packages
(README.md).
"""

import asyncio
import concurrent.futures
import contextlib
import json
import math
import os
import re
import tempfile
import time
import uuid
from typing import Any, Optional

import asyncpg
import httpx
import redis.asyncio as aioredis
from fastapi import FastAPI, File, Path, Query, Request, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

INT32_MAX = 2_147_483_647

# --- configuration (environment) -------------------------------------------

POSTGRES_DSN = os.environ.get("PEER_POSTGRES_DSN") or None
REDIS_URL = os.environ.get("PEER_REDIS_URL") or None
UPSTREAM_URLS = {
    "pricing": os.environ.get("PEER_PRICING_URL") or None,
    "inventory": os.environ.get("PEER_INVENTORY_URL") or None,
    "reco": os.environ.get("PEER_RECO_URL") or None,
}
MIDDLEWARE_MODE = os.environ.get("PEER_MIDDLEWARE", "asgi").strip().lower()
UPLOAD_DIR = os.environ.get("PEER_UPLOAD_DIR") or os.path.join(tempfile.gettempdir(), "storefront-peer-uploads")

UPSTREAM_CONCURRENCY = int(os.environ.get("PEER_UPSTREAM_CONCURRENCY", "1024"))
# Three upstreams, each allowed UPSTREAM_CONCURRENCY calls in flight: the shared client's pool must hold all of them or
# calls queue inside httpx.
HTTP_MAX_CONNECTIONS = int(os.environ.get("PEER_HTTP_MAX_CONNECTIONS", str(3 * UPSTREAM_CONCURRENCY)))
PREDICT_THREADS = int(os.environ.get("PEER_PREDICT_THREADS", str(min(4, os.cpu_count() or 1))))

UPSTREAMS = {"pricing": (1.0, True), "inventory": (1.0, True), "reco": (0.25, False)}   # name -> (deadline s, required)

CACHE_KEY = "data"
CACHE_TTL_SECONDS = 300
MAX_SLOW_SECONDS = 30.0

ITEM_SQL = "SELECT id, name, price::float8 AS price, description FROM items WHERE id = $1"
STATS_SQL = "SELECT count(*)::int AS items, avg(price)::float8 AS avg_price FROM items"


# --- lifespan: shared clients ------------------------------------------------


class Resources:
    """What the lifespan creates once per worker process and the routes share."""

    http: Optional[httpx.AsyncClient] = None
    pg: Optional[asyncpg.Pool] = None
    redis: Optional[aioredis.Redis] = None
    executor: Optional[concurrent.futures.ThreadPoolExecutor] = None
    limits: dict[str, asyncio.Semaphore] = {}


res = Resources()


@contextlib.asynccontextmanager
async def lifespan(_app: Any):
    res.executor = concurrent.futures.ThreadPoolExecutor(max_workers=PREDICT_THREADS, thread_name_prefix="predict")
    res.limits = {name: asyncio.Semaphore(UPSTREAM_CONCURRENCY) for name in UPSTREAMS}
    if any(UPSTREAM_URLS.values()):
        res.http = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=HTTP_MAX_CONNECTIONS, max_keepalive_connections=HTTP_MAX_CONNECTIONS,
                                keepalive_expiry=30.0),
            # A backstop only: each call's real deadline is the asyncio.wait_for around it (httpx timeouts are per
            # phase, not per call).
            timeout=httpx.Timeout(10.0))
    if POSTGRES_DSN:
        res.pg = await asyncpg.create_pool(POSTGRES_DSN, min_size=4, max_size=20)
    if REDIS_URL:
        # Blocking pool: past 256 commands in flight, callers wait for a connection (the default pool raises "Too many
        # connections" instead).
        res.redis = aioredis.Redis(
            connection_pool=aioredis.BlockingConnectionPool.from_url(REDIS_URL, max_connections=256, timeout=10))
    try:
        yield
    finally:
        if res.http is not None:
            await res.http.aclose()
        if res.pg is not None:
            await res.pg.close()
        if res.redis is not None:
            await res.redis.close()  # redis-py 4.3: close(), not aclose()
            await res.redis.connection_pool.disconnect()
        res.executor.shutdown(wait=False, cancel_futures=True)


app = FastAPI(title="Storefront FastAPI peer", version="1.0.0")
# FastAPI 0.92 has no lifespan= argument; Starlette 0.26's router does the work.
app.router.lifespan_context = lifespan


# --- X-Process-Time -----------------------------------------------------------


class ProcessTimeMiddleware:
    """Pure ASGI middleware: stamps X-Process-Time (seconds) as headers go out."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_time(message) -> None:
            if message["type"] == "http.response.start":
                elapsed = time.perf_counter() - started
                headers = list(message.get("headers", ()))
                headers.append((b"x-process-time", b"%.6f" % elapsed))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_time)


if MIDDLEWARE_MODE == "decorator":
    # The lessons' form: BaseHTTPMiddleware under the hood, measurably slower.
    @app.middleware("http")
    async def add_process_time_header(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Process-Time"] = "%.6f" % (time.perf_counter() - started)
        return response

elif MIDDLEWARE_MODE == "asgi":
    app.add_middleware(ProcessTimeMiddleware)
else:
    raise RuntimeError("PEER_MIDDLEWARE must be 'asgi' (default) or 'decorator'")


def unavailable(what: str, env: str) -> JSONResponse:
    return JSONResponse({"detail": f"{what} is not configured ({env} is not set)"}, status_code=503)


# --- lessons -------------------------------------------------------------------


@app.get("/")
async def root():
    return {"message": "Hello World"}


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if seconds.is_integer() else repr(seconds)


@app.get("/slow")
async def slow(seconds: float = Query(3.0, ge=0, le=MAX_SLOW_SECONDS)):
    await asyncio.sleep(seconds)
    return {"msg": f"Completed after {_format_seconds(seconds)} seconds"}


# --- catalog --------------------------------------------------------------------


@app.get("/items/{item_id}")
async def get_item(item_id: int = Path(..., ge=1, le=INT32_MAX)):
    if res.pg is None:
        return unavailable("PostgreSQL", "PEER_POSTGRES_DSN")
    row = await res.pg.fetchrow(ITEM_SQL, item_id)
    if row is None:
        return JSONResponse({"detail": "Item not found"}, status_code=404)
    return {"id": row["id"], "name": row["name"], "price": row["price"], "description": row["description"]}


# --- orders (the seeds' lock lesson, as the seeds teach it) -------------------------------------

# One lock per worker process: two workers can still both sell the same units (a lost update), on purpose (README.md).
ORDER_LOCK = asyncio.Lock()

STOCK_SQL = ("SELECT s.available, i.price::float8 AS price FROM peer_stock s JOIN items i ON i.id = s.item_id "
             "WHERE s.item_id = $1")
SET_STOCK_SQL = "UPDATE peer_stock SET available = $2 WHERE item_id = $1"
ORDER_SQL = "INSERT INTO peer_orders (total) VALUES ($1) RETURNING id"
LINE_SQL = "INSERT INTO peer_order_lines (order_id, item_id, quantity, price) VALUES ($1, $2, $3, $4)"


class OrderLine(BaseModel):
    item_id: int = Field(..., ge=1, le=INT32_MAX)
    quantity: int = Field(..., ge=1, le=1000)


class OrderRequest(BaseModel):
    lines: list[OrderLine] = Field(..., min_items=1, max_items=50)


@app.post("/orders", status_code=201)
async def place_order(body: OrderRequest):
    if res.pg is None:
        return unavailable("PostgreSQL", "PEER_POSTGRES_DSN")
    async with ORDER_LOCK:
        # Read, check, then write the computed value: the seeds' counter lesson applied to stock.
        priced = []
        for line in body.lines:
            row = await res.pg.fetchrow(STOCK_SQL, line.item_id)
            available = 0 if row is None else row["available"]
            if available < line.quantity:
                return JSONResponse({"detail": "Not enough stock", "item_id": line.item_id, "available": available},
                                    status_code=409)
            priced.append((line, available, row["price"]))
        for line, available, _price in priced:
            await res.pg.execute(SET_STOCK_SQL, line.item_id, available - line.quantity)
        total = round(sum(line.quantity * price for line, _available, price in priced), 2)
        order_id = await res.pg.fetchval(ORDER_SQL, total)
        for line, _available, price in priced:
            await res.pg.execute(LINE_SQL, order_id, line.item_id, line.quantity, price)
    return {"id": order_id, "status": "confirmed", "total": total,
            "lines": [{"item_id": l.item_id, "quantity": l.quantity, "price": p} for l, _a, p in priced]}


# --- product page fan-out ---------------------------------------------------------


async def _limited_get(name: str, url: str) -> httpx.Response:
    async with res.limits[name]:
        return await res.http.get(url)


async def fetch_source(name: str, product_id: int) -> dict:
    """One upstream call under its deadline and bulkhead. Reports, never raises."""
    deadline, _required = UPSTREAMS[name]
    url = f"{UPSTREAM_URLS[name]}/{product_id}"
    started = time.perf_counter()
    status, body, detail = "ok", None, None
    try:
        # The deadline covers the wait for a slot too. wait_for, not asyncio.timeout(): with Debian 12's anyio 3.6
        # under httpx, asyncio.timeout() lets a bare CancelledError out instead of TimeoutError.
        response = await asyncio.wait_for(_limited_get(name, url), deadline)
        if response.status_code >= 300:
            status, detail = "error", f"HTTP {response.status_code}"
        else:
            body = response.json()
    except (TimeoutError, httpx.TimeoutException):
        status = "timeout"
    except httpx.ConnectError:
        status, detail = "error", "ConnectionError"
    except httpx.HTTPError as exc:
        status, detail = "error", type(exc).__name__
    except ValueError:
        status, detail = "error", "response is not JSON"
    ms = round((time.perf_counter() - started) * 1000.0, 1)
    return {"name": name, "status": status, "body": body, "ms": ms, "detail": detail}


def _report(result: dict) -> dict:
    report = {"status": result["status"], "ms": result["ms"]}
    if result["detail"] is not None:
        report["detail"] = result["detail"]
    return report


def _describe(result: dict) -> str:
    if result["status"] == "timeout":
        return f"The {result['name']} service did not answer within its {result['ms']:.0f} ms deadline."
    return f"The {result['name']} service failed: {result['detail']}."


@app.get("/product/{id}")
async def get_product(id: int = Path(..., ge=1, le=INT32_MAX)):
    for name, url in UPSTREAM_URLS.items():
        if url is None or res.http is None:
            return unavailable(f"The {name} upstream", f"PEER_{name.upper()}_URL")
    pricing, inventory, reco = await asyncio.gather(
        fetch_source("pricing", id), fetch_source("inventory", id), fetch_source("reco", id))
    # The required source that failed first decides the answer.
    failures = [r for r in (pricing, inventory) if r["status"] != "ok"]
    if failures:
        failure = min(failures, key=lambda r: r["ms"])
        return JSONResponse({"detail": _describe(failure), "source": failure["name"]},
                            status_code=504 if failure["status"] == "timeout" else 502)
    return {"id": id, "price": pricing["body"], "stock": inventory["body"], "reco": reco["body"],
            "complete": reco["status"] == "ok",
            "sources": {"pricing": _report(pricing), "inventory": _report(inventory), "reco": _report(reco)}}


# --- cache-aside -------------------------------------------------------------------


@app.get("/cached-data")
async def cached_data():
    if res.redis is None:
        return unavailable("Redis", "PEER_REDIS_URL")
    if res.pg is None:
        return unavailable("PostgreSQL", "PEER_POSTGRES_DSN")
    cached = await res.redis.get(CACHE_KEY)
    if cached is not None:
        return Response(cached, media_type="application/json", headers={"X-Cache": "HIT"})
    row = await res.pg.fetchrow(STATS_SQL)
    avg = row["avg_price"]
    payload = json.dumps({"items": row["items"], "avg_price": 0 if avg is None else round(avg, 2)},
                         separators=(",", ":")).encode()
    await res.redis.set(CACHE_KEY, payload, ex=CACHE_TTL_SECONDS)
    return Response(payload, media_type="application/json", headers={"X-Cache": "MISS"})


# --- CPU-bound "model" ----------------------------------------------------------------

WORD_WEIGHTS = {
    "good": 1.2, "great": 1.8, "excellent": 2.2, "amazing": 2.0, "love": 1.9, "loved": 1.9, "like": 0.8, "best": 1.7,
    "fantastic": 2.1, "happy": 1.4, "perfect": 2.0, "nice": 1.0, "fast": 0.7, "recommend": 1.5, "wonderful": 2.0,
    "awesome": 1.9, "pleased": 1.3, "reliable": 1.1, "works": 0.6, "easy": 0.8,
    "bad": -1.3, "terrible": -2.2, "awful": -2.1, "hate": -1.9, "hated": -1.9, "worst": -2.0, "poor": -1.4,
    "broken": -1.6, "slow": -0.8, "refund": -1.2, "disappointed": -1.7, "disappointing": -1.7, "useless": -1.9,
    "horrible": -2.1, "waste": -1.6, "problem": -0.9, "cheap": -0.5, "return": -0.6, "late": -0.7, "never": -0.6,
}
NEGATORS = frozenset({"not", "no", "never", "don't", "didn't", "isn't", "wasn't", "can't"})
BIAS = 0.1
TOKEN_RE = re.compile(r"[a-z']+")

TRIGRAM_BUCKETS = 4096
# Sixteen hash functions (FNV-1a with different offsets): the bulk of the CPU work.
TRIGRAM_SEEDS = tuple((0x811C9DC5 + k * 0x9E3779B1) & 0xFFFFFFFF for k in range(16))
# A fixed pseudo-random weight per bucket (small: words dominate the decision).
TRIGRAM_WEIGHTS = tuple((((i * 2654435761) & 0xFFFFFFFF) % 2001 - 1000) / 500000.0 for i in range(TRIGRAM_BUCKETS))


def _fnv1a(text: str, seed: int) -> int:
    h = seed
    for ch in text:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


def score_text(text: str) -> dict:
    """Bag-of-words logistic score plus a hashed character-trigram pass. Deterministic."""
    lowered = text.lower()
    z = BIAS
    negate = False
    for token in TOKEN_RE.findall(lowered):
        weight = WORD_WEIGHTS.get(token)
        if weight is not None:
            z += -weight if negate else weight
        negate = token in NEGATORS
    padded = f"  {lowered}  "
    trigram_sum = 0.0
    for i in range(len(padded) - 2):
        gram = padded[i : i + 3]
        for seed in TRIGRAM_SEEDS:
            trigram_sum += TRIGRAM_WEIGHTS[_fnv1a(gram, seed) % TRIGRAM_BUCKETS]
    count = max(1, len(padded) - 2)
    z += trigram_sum / math.sqrt(count)
    probability = 1.0 / (1.0 + math.exp(-z))
    label = "positive" if probability >= 0.5 else "negative"
    return {"prediction": label, "score": round(probability, 6)}


class PredictRequest(BaseModel):
    text: str = Field(..., max_length=10_000)


@app.post("/predict")
async def predict(body: PredictRequest):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(res.executor, score_text, body.text)


# --- upload (the seed's lesson) -----------------------------------------------------------


@app.post("/upload")
async def upload(file: UploadFile = File(...)):
    # The seed's lesson as it stands, the whole file in memory (README.md); the server picks the stored name.
    contents = await file.read()
    os.makedirs(UPLOAD_DIR, exist_ok=True)
    with open(os.path.join(UPLOAD_DIR, uuid.uuid4().hex), "wb") as f:
        f.write(contents)
    return {"filename": file.filename}


# --- WebSocket echo (the seed's /ws) ----------------------------------------------------


@app.websocket("/ws")
async def websocket_echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            data = await websocket.receive_text()
            await websocket.send_text(f"Echo: {data}")
    except WebSocketDisconnect:
        pass
