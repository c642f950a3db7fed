"""Orders through a fault, for scripts/faults' replicated rows: is any acknowledged order lost?

usage: orders_probe.py URL RATE SECONDS > NAME.orders.json

Registers a user, then places one order of one unit at RATE orders/s for SECONDS (each due at its time, whatever
happened to the ones before it; up to 32 in flight, 10 s timeout each), on the 20 sample items in turn. Afterwards
every order answered 201 is read back (GET /orders/{id}, retried for up to 60 s while the answer is a 503); one that
answers 404 is lost. Prints one JSON object: orders_accepted, orders_lost, statuses (status -> count), max_ms.
"""
import concurrent.futures
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def call(url, method="GET", body=None, token=None, form=False, timeout=10):
    headers = {}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body).encode() if form else json.dumps(body).encode()
        headers["content-type"] = "application/x-www-form-urlencoded" if form else "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, OSError):
        return 0, None  # refused, reset or timed out


def main():
    url, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    user = f"orders{int(time.time() * 1000) % 10**9}"
    password = "a long passphrase"
    call(f"{url}/register", "POST", {"username": user, "email": f"{user}@example.com", "password": password})
    _, token = call(f"{url}/token", "POST", {"username": user, "password": password}, form=True)
    token = token["access_token"]

    def place(i, due):
        status, body = call(f"{url}/orders", "POST", {"lines": [{"item_id": i % 20 + 1, "quantity": 1}]}, token)
        return status, (body or {}).get("id") if status == 201 else None, (time.monotonic() - due) * 1000

    start = time.monotonic()
    futures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(int(rate * seconds)):
            due = start + i / rate
            time.sleep(max(0.0, due - time.monotonic()))
            futures.append(pool.submit(place, i, due))
        results = [f.result() for f in futures]

    statuses, accepted = {}, []
    for status, order, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if order is not None:
            accepted.append(order)
    lost = 0
    deadline = time.monotonic() + 60
    for order in accepted:
        while True:
            status, _ = call(f"{url}/orders/{order}", token=token)
            if status in (200, 404) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        lost += status != 200
    print(json.dumps({"orders_accepted": len(accepted), "orders_lost": lost, "statuses": statuses,
                      "max_ms": round(max((r[2] for r in results), default=0))}))


main()
