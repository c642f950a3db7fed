#!/usr/bin/env bash
# Starts the FastAPI peer: uvicorn with uvloop and httptools, several workers.
# Environment: see README.md (PORT, PEER_WORKERS, PEER_POSTGRES_DSN, PEER_REDIS_URL,
# PEER_PRICING_URL, PEER_INVENTORY_URL, PEER_RECO_URL, PEER_MIDDLEWARE, ...).
set -euo pipefail
cd "$(dirname "$0")"

# Debian's interpreter, where python3-fastapi and friends are installed; a python3
# earlier on PATH (pyenv, a venv) would not see them. Override with PEER_PYTHON.
PYTHON="${PEER_PYTHON:-/usr/bin/python3}"

# Up to 3 x 1024 upstream connections per worker, plus the clients' own.
ulimit -n 65536 2>/dev/null || true

exec "$PYTHON" -m uvicorn app:app \
    --host "${HOST:-127.0.0.1}" --port "${PORT:-8001}" \
    --loop uvloop --http httptools \
    --workers "${PEER_WORKERS:-2}" \
    --no-access-log --log-level warning
