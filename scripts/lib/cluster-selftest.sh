#!/usr/bin/env bash
# `scripts/cluster selftest` (CI runs it after the tests): a 2-instance cluster in a folder of its own, so a
# cluster someone already runs is left alone. Checks that requests through nginx reach both instances, that a
# WebSocket upgrade passes through, that a GET still succeeds right after an instance is killed (retried on
# the other), and that stop leaves no process and no folder behind. Exits non-zero at the first failure.
#
# --replicated: the same on a replicated cluster, then an order, a PostgreSQL failover and a Redis failover under a
# trickle of requests: no answer but 2xx or 503 + Retry-After, the order still there, status naming the new primaries.
set -euo pipefail
MODE="" # not REPLICATED: the cluster's state file, sourced below, defines that
if [[ ${1:-} == --replicated ]]; then
  MODE=--replicated
  # One user orders through both failovers: past the default 20 a minute it would get 429s.
  export STOREFRONT_CLUSTER_ENV="${STOREFRONT_CLUSTER_ENV:-} Orders__MaxOrdersPerMinute=0"
fi

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER="$REPO/scripts/cluster"
export STOREFRONT_CLUSTER_DIR
STOREFRONT_CLUSTER_DIR="$(mktemp -d /tmp/storefront-selftest.XXXXXX)"
rmdir "$STOREFRONT_CLUSTER_DIR" # scripts/cluster start creates it; an existing folder would not matter, but be exact

log() { echo "[cluster selftest] $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
trap '"$CLUSTER" stop >/dev/null 2>&1 || true' EXIT

# shellcheck disable=SC2086 # $MODE is empty or one flag
URL="$("$CLUSTER" start 2 $MODE)"
# shellcheck source=/dev/null
source "$STOREFRONT_CLUSTER_DIR/state" # N, INSTANCE_PORTS, INSTANCE_PIDS, ...
PIDS=("${INSTANCE_PIDS[@]}" "$SIM_PID" "$REDIS_PID" "$(<"$STOREFRONT_CLUSTER_DIR/nginx/nginx.pid")")
[[ -z $MODE ]] || PIDS+=("$REDIS_REPLICA_PID" "${SENTINEL_PIDS[@]}")
for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || fail "pid $pid in the state file is not running"; done
"$CLUSTER" status >/dev/null || { "$CLUSTER" status >&2 || true; fail "status reports a part down"; }

for i in $(seq 1 20); do
  for path in /items/1 /product/7; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL$path")"
    [[ $code == 200 ]] || fail "GET $path through nginx answered $code"
  done
done
log "40 GETs through nginx: all 200"

# nginx's access log names the instance that answered each request; it flushes every second.
ACCESS="$STOREFRONT_CLUSTER_DIR/nginx/logs/access.log"
for port in "${INSTANCE_PORTS[@]}"; do
  for _ in $(seq 1 50); do grep -q "up=127.0.0.1:$port " "$ACCESS" 2>/dev/null && break; sleep 0.1; done
  grep -q "up=127.0.0.1:$port " "$ACCESS" || fail "no request reached the instance on port $port"
done
log "both instances served requests"

handshake="$(curl -s -i -N --http1.1 --max-time 3 -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
  -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$URL/ws" || true)"
grep -q '^HTTP/1.1 101' <<<"$handshake" || fail "WebSocket upgrade through nginx: $(head -n 1 <<<"$handshake")"
log "WebSocket upgrade through nginx: 101"

"$CLUSTER" instance 0 kill
for i in $(seq 1 10); do
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/items/1")"
  [[ $code == 200 ]] || fail "GET /items/1 after instance 0 was killed answered $code (nginx should retry on instance 1)"
done
log "instance 0 killed: 10 GETs still 200"

if [[ -n $MODE ]]; then
  "$CLUSTER" instance 0 start
  # shellcheck source=lib/cluster-selftest-replicated.sh
  source "$REPO/scripts/lib/cluster-selftest-replicated.sh"
fi

"$CLUSTER" stop
trap - EXIT
[[ ! -e "$STOREFRONT_CLUSTER_DIR" ]] || fail "stop left $STOREFRONT_CLUSTER_DIR behind"
for pid in "${PIDS[@]}"; do if kill -0 "$pid" 2>/dev/null; then fail "pid $pid still runs after stop"; fi; done
for port in "$PG_PORT" ${PG_STANDBY_PORT:-}; do
  [[ -z "$("${PG_BIN}/pg_isready" -h 127.0.0.1 -p "$port" -t 1 2>/dev/null | grep accepting)" ]] || fail "PostgreSQL still runs after stop"
done
log "passed"
