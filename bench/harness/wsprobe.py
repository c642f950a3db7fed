"""A WebSocket scenario's first request: the opening handshake and one text message, standard library only.

A plain GET tells nothing here: FastAPI answers 404 to it on a WebSocket route, Kestrel 400. The handshake does:
101 when the path is served, 404 when it is not.
"""

import base64
import os
import socket
import struct
import urllib.parse

TIMEOUT_S = 10


def exchange(url, text):
    """Opens a WebSocket at url (http:// or ws://), sends text, reads one text answer, closes.

    Returns (HTTP status of the handshake, the answer); status 0 if nothing answered.
    """
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=TIMEOUT_S) as s:
            key = base64.b64encode(os.urandom(16)).decode()
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            s.sendall((f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                       f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
            reader = s.makefile("rb")
            status = int(reader.readline().split()[1])
            while reader.readline() not in (b"\r\n", b""):
                pass
            if status != 101:
                return status, ""   # the refusal's body may be chunked or empty: its status says enough
            s.sendall(_frame(0x1, text.encode()))
            opcode, payload = _read_frame(reader)
            s.sendall(_frame(0x8, struct.pack("!H", 1000)))
            answer = payload.decode("utf-8", errors="replace")
            return status, answer if opcode == 0x1 else f"(opcode {opcode}) {answer}"
    except (OSError, ValueError, IndexError):
        return 0, ""


def _frame(opcode, payload):
    """A final client frame: clients must mask what they send (RFC 6455 5.3)."""
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x80 | opcode]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _read_frame(reader):
    first, second = reader.read(2)
    n = second & 0x7F
    if n == 126:
        n = struct.unpack("!H", reader.read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", reader.read(8))[0]
    return first & 0x0F, reader.read(min(n, 65536))
