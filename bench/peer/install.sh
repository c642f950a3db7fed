#!/usr/bin/env bash
# Installs the FastAPI peer's dependencies from Debian 12's archive. Idempotent:
# does nothing when they are all installed, runs apt-get update only when needed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# python3-websockets: uvicorn's WebSocket protocol for /ws (it picks websockets first, then wsproto).
# python3-multipart: Starlette's form parser, which FastAPI needs for UploadFile (POST /upload).
packages=(python3 python3-fastapi python3-uvicorn python3-uvloop python3-httptools
          python3-httpx python3-asyncpg python3-redis python3-websockets python3-multipart)
# Load generator for smoke runs; optional.
[ "${PEER_INSTALL_WRK:-1}" = 1 ] && packages+=(wrk)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "peer: all packages installed"; exit 0; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# Update the lists only if apt cannot see a candidate for one of the missing packages.
for p in "${missing[@]}"; do
    if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        $SUDO apt-get update -q
        break
    fi
done
echo "peer: installing ${missing[*]}"
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
