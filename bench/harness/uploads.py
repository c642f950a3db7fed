"""The upload scenario's side of things the load tool does not do: Storefront's bearer token (one account and one
token per run: /register and /token are rate limited), the first request (a small real upload), and the peer's
upload folder, emptied after every window (the peer has no DELETE; its files are only there to be written)."""

import json
import os
import secrets
import shutil
import urllib.parse

from harness import load

TIMEOUT_S = 30


def token(env, side):
    """The bearer token a side's uploads carry: Storefront's, made once per run; None for the peer (it has no
    accounts). Raises OSError with the answer if the account or the token cannot be had."""
    if side != "storefront":
        return None
    if env.upload_token is None:
        base = f"http://127.0.0.1:{env.ports[side]}"
        name = "bench_" + secrets.token_hex(6)
        password = secrets.token_urlsafe(18)
        _call(base + "/register", json.dumps({"username": name, "email": f"{name}@example.com",
                                              "password": password}).encode(), "application/json", 201)
        answer = _call(base + "/token", urllib.parse.urlencode({"username": name, "password": password}).encode(),
                       "application/x-www-form-urlencoded", 200)
        env.upload_token = json.loads(answer)["access_token"]
    return env.upload_token


def preflight(env, side, base_url, spec):
    """A 1 KB upload in the scenario's shape: (HTTP status, body). 404, or 405, means the side has no such route;
    what it stored is deleted again (Storefront) or emptied with the peer's folder."""
    try:
        bearer = token(env, side)
    except OSError as e:
        return 0, f"no bearer token: {e}"
    boundary = secrets.token_hex(16)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"preflight.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + os.urandom(1024) + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", **_authorization(bearer)}
    status, text, answer = load.http(base_url + spec["path"], "POST", body, headers, TIMEOUT_S, limit=400)
    if 0 < status < 400:
        if location := answer.get("Location"):   # deleted at once, whatever the answer: the file is 1 KB
            load.http(urllib.parse.urljoin(base_url + spec["path"], location), "DELETE",
                      headers=_authorization(bearer), timeout=TIMEOUT_S)
        empty_peer_folder(env)
    return status, text


def empty_peer_folder(env):
    """Removes what the peer's POST /upload wrote (PEER_UPLOAD_DIR): one window's files at most stay on disk."""
    shutil.rmtree(env.peer_upload_dir, ignore_errors=True)


def _call(url, data, content_type, expected):
    status, text, _ = load.http(url, "POST", data, {"Content-Type": content_type}, TIMEOUT_S)
    if status != expected:
        raise OSError(f"POST {urllib.parse.urlsplit(url).path} answered {status}: {text[:300]}")
    return text


def _authorization(bearer):
    return {"Authorization": f"Bearer {bearer}"} if bearer else {}
