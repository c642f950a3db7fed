#!/usr/bin/python3
"""End-to-end check of the FastAPI peer against the harness's throwaway PostgreSQL and Redis and an upstream stand-in,
all on loopback, stopped on exit. Needs root (PostgreSQL runs as the postgres user).

  /usr/bin/python3 bench/peer/verify.py       # PEER_VERIFY_WRK=1 adds a 5 s `wrk -t2 -c50` of GET /
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
PEER = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(PEER))
from harness import procs, services  # noqa: E402

TIME_HEADER = re.compile(r"[0-9]+\.[0-9]{6}")
results = []


def check(what, ok, shown=""):
    ok = bool(ok)
    results.append(ok)
    print(f"  {'ok  ' if ok else 'FAIL'} {what}" + ("" if ok else f"\n       {shown}"), flush=True)


def request(method, url, body=None, data=None, content_type="application/json"):
    """(status, lower-cased headers, body text, parsed JSON or None)."""
    if body is not None:
        data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": content_type} if data else {})
    try:
        r = urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as e:
        r = e
    with r:
        text = r.read().decode()
        headers = {k.lower(): v.lower() for k, v in r.headers.items()}
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return r.getcode(), headers, text, parsed


async def upstream(reader, writer):
    """GET /{service}/{id} with keep-alive. Product 504: pricing sleeps 1.5 s; 500: inventory answers HTTP 500;
    8: reco sleeps 0.5 s (past its 0.25 s deadline)."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            service, _, pid = head.split(b" ", 2)[1].decode().strip("/").partition("/")
            delay = {("pricing", "504"): 1.5, ("reco", "8"): 0.5}.get((service, pid), 0.0)
            status = 500 if (service, pid) == ("inventory", "500") else 200
            await asyncio.sleep(delay)
            payload = {"pricing": {"amount": 19.99, "currency": "EUR"}, "inventory": {"in_stock": 12},
                       "reco": {"ids": [1, 2, 3]}}.get(service, {"service": service})
            body = json.dumps(dict(payload, product=pid)).encode()
            writer.write(b"HTTP/1.1 %d X\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                         % (status, len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def start_upstream():
    port, loop = services.pick_port(), asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(upstream, "127.0.0.1", port))
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return port, server


def start_peer(tmp, env):
    port = services.pick_port()
    group = procs.Group("peer", ["bash", "./run.sh"], os.path.join(tmp, "peer.log"), cwd=PEER,
                        env={**os.environ, "PORT": str(port), **env})
    if not services.wait_tcp(port, 20):
        raise procs.Failure("the peer did not listen:\n" + group.log_tail())
    return group, f"http://127.0.0.1:{port}", port


def stop_peer(group, port):
    group.stop()
    check("peer stopped", not services.wait_tcp(port, 0))


def full(base, redis_port):
    status, headers, _, b = request("GET", f"{base}/")
    check("GET / 200", status == 200)
    check("GET / body", b == {"message": "Hello World"}, b)
    check("GET / X-Process-Time", TIME_HEADER.fullmatch(headers.get("x-process-time", "")), headers)
    _, _, _, b = request("GET", f"{base}/slow?seconds=0.2")
    check("GET /slow?seconds=0.2", b == {"msg": "Completed after 0.2 seconds"}, b)
    _, headers, _, b = request("GET", f"{base}/slow?seconds=1")
    check("GET /slow?seconds=1", b == {"msg": "Completed after 1 seconds"}, b)
    check("X-Process-Time >= 1 s", re.fullmatch(r"1\.[0-9]{6}", headers.get("x-process-time", "")), headers)
    check("GET /slow?seconds=31 422", request("GET", f"{base}/slow?seconds=31")[0] == 422)

    status, _, _, b = request("GET", f"{base}/items/1")
    check("GET /items/1 200", status == 200)
    check("GET /items/1 body", b == {"id": 1, "name": "Widget", "price": 9.99, "description": "A small widget"}, b)
    _, _, _, b = request("GET", f"{base}/items/2")
    check("GET /items/2 null description", b == {"id": 2, "name": "Gadget", "price": 24.5, "description": None}, b)
    status, headers, _, b = request("GET", f"{base}/items/99")
    check("GET /items/99 404", status == 404)
    check("GET /items/99 body", b == {"detail": "Item not found"}, b)
    check("404 has X-Process-Time", TIME_HEADER.fullmatch(headers.get("x-process-time", "")), headers)
    check("GET /items/0 422", request("GET", f"{base}/items/0")[0] == 422)

    status, _, _, b = request("GET", f"{base}/product/7")
    check("GET /product/7 200", status == 200)
    check("GET /product/7 body", b["id"] == 7 and b["price"]["amount"] == 19.99 and b["stock"]["in_stock"] == 12
          and b["reco"]["ids"] == [1, 2, 3] and b["complete"] is True, b)
    check("GET /product/7 sources", all(b["sources"][k]["status"] == "ok" and isinstance(b["sources"][k]["ms"], float)
                                        for k in ("pricing", "inventory", "reco")), b)
    _, _, _, b = request("GET", f"{base}/product/8")
    check("reco late: 200, incomplete", b["reco"] is None and b["complete"] is False
          and b["sources"]["reco"]["status"] == "timeout" and b["stock"] is not None, b)
    status, _, _, b = request("GET", f"{base}/product/504")
    check("pricing late: 504", status == 504)
    check("pricing late: body", b["source"] == "pricing" and "deadline" in b["detail"], b)
    status, _, _, b = request("GET", f"{base}/product/500")
    check("inventory HTTP 500: 502", status == 502)
    check("inventory HTTP 500: body", b == {"detail": "The inventory service failed: HTTP 500.", "source": "inventory"}, b)

    for first, state in ((True, "miss"), (False, "hit")):
        _, headers, _, b = request("GET", f"{base}/cached-data")
        check(f"GET /cached-data {'first' if first else 'then'}: {state.upper()}", headers.get("x-cache") == state, headers)
        check(f"GET /cached-data {state.upper()} body", b == {"items": 3, "avg_price": 44.83}, b)
    ttl = int(subprocess.run(["redis-cli", "-p", str(redis_port), "ttl", "data"], capture_output=True, text=True).stdout)
    check("cache TTL 300 s", 290 < ttl <= 300, ttl)

    good = {"text": "I love this, it works great and I would recommend it"}
    _, _, first, b = request("POST", f"{base}/predict", good)
    check("POST /predict positive", b["prediction"] == "positive" and 0.5 <= b["score"] <= 1, b)
    check("POST /predict deterministic", request("POST", f"{base}/predict", good)[2] == first)
    _, _, _, b = request("POST", f"{base}/predict", {"text": "Terrible. Broken on arrival, useless, I want a refund."})
    check("POST /predict negative", b["prediction"] == "negative" and 0 <= b["score"] < 0.5, b)
    check("POST /predict bad body 422", request("POST", f"{base}/predict", {"txt": "x"})[0] == 422)


def decorator_pricing_down(base):
    status, headers, _, _ = request("GET", f"{base}/")
    check("GET / 200 (decorator)", status == 200)
    check("X-Process-Time (decorator)", TIME_HEADER.fullmatch(headers.get("x-process-time", "")), headers)
    status, headers, _, b = request("GET", f"{base}/product/7")
    check("pricing down: 502", status == 502)
    check("pricing down: body", b == {"detail": "The pricing service failed: ConnectionError.", "source": "pricing"}, b)
    check("502 has X-Process-Time", TIME_HEADER.fullmatch(headers.get("x-process-time", "")), headers)
    check("cached-data HIT (decorator)", request("GET", f"{base}/cached-data")[1].get("x-cache") == "hit")


def alone(base, tmp):
    check("GET / 200 alone", request("GET", f"{base}/")[0] == 200)
    for path in ("/items/1", "/product/7", "/cached-data"):
        check(f"GET {path} 503 alone", request("GET", base + path)[0] == 503)
    check("POST /predict alone", request("POST", f"{base}/predict", {"text": "good"})[0] == 200)
    # The seed's upload: the client's name comes back, but the file is stored under a name the server picked.
    content = os.urandom(3_000_000)
    form = (b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="../escape.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n--b0undary--\r\n")
    status, _, _, b = request("POST", f"{base}/upload", data=form, content_type="multipart/form-data; boundary=b0undary")
    check("POST /upload 200", status == 200)
    check("POST /upload body", b == {"filename": "../escape.bin"}, b)
    stored = os.listdir(os.path.join(tmp, "uploads"))
    with open(os.path.join(tmp, "uploads", stored[0]), "rb") as f:
        same = f.read() == content
    check("upload under a server name", stored != ["escape.bin"] and same and not os.path.exists(f"{tmp}/escape.bin"))
    check("POST /upload no file 422", request("POST", f"{base}/upload", data=b"")[0] == 422)


def main():
    procs.raise_on_signals()
    tmp = procs.make_tmp("peer-verify.")
    postgres = services.Postgres(tmp)
    try:
        postgres.start()
        postgres.sql("storefront", "CREATE TABLE items (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                     "name varchar(200) NOT NULL CHECK (length(name) >= 1), price numeric(12, 2) NOT NULL CHECK "
                     "(price > 0), description varchar(2000) NULL); ALTER TABLE items OWNER TO storefront; "
                     "INSERT INTO items (name, price, description) VALUES ('Widget', 9.99, 'A small widget'), "
                     "('Gadget', 24.50, NULL), ('Doohickey', 100.00, 'Large and shiny')")
        _, redis_port = services.start_redis(tmp)
        up, _ = start_upstream()
        down = services.pick_port()   # nothing listens here
        deps = {"PEER_POSTGRES_DSN": postgres.dsn(), "PEER_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                **{f"PEER_{s.upper()}_URL": f"http://127.0.0.1:{up}/{s}" for s in ("pricing", "inventory", "reco")}}

        print("peer: all dependencies, PEER_MIDDLEWARE=asgi, 2 workers")
        group, base, port = start_peer(tmp, {**deps, "PEER_MIDDLEWARE": "asgi", "PEER_WORKERS": "2"})
        full(base, redis_port)
        stop_peer(group, port)
        print("peer: PEER_MIDDLEWARE=decorator, pricing upstream down, 1 worker")
        group, base, port = start_peer(tmp, {**deps, "PEER_PRICING_URL": f"http://127.0.0.1:{down}/pricing",
                                             "PEER_MIDDLEWARE": "decorator", "PEER_WORKERS": "1"})
        decorator_pricing_down(base)
        stop_peer(group, port)
        print("peer: no dependencies configured, 1 worker")
        group, base, port = start_peer(tmp, {"PEER_WORKERS": "1", "PEER_UPLOAD_DIR": os.path.join(tmp, "uploads")})
        alone(base, tmp)
        stop_peer(group, port)
        if os.environ.get("PEER_VERIFY_WRK") == "1":
            print("wrk smoke: GET / for 5 s, PEER_WORKERS=2")
            group, base, port = start_peer(tmp, {"PEER_WORKERS": "2"})
            print(procs.run_tool(["wrk", "-t2", "-c50", "-d5s", base + "/"], 60)[1])
        if log := procs.tail(os.path.join(tmp, "peer.log"), 10000):
            print("peer log:\n" + log)
    except procs.Failure as e:
        check(f"setup: {e}", False)
    finally:
        procs.shut_down(tmp, print, lambda: (procs.stop_all(), postgres.stop()))
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
