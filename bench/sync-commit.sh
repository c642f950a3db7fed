#!/usr/bin/env bash
# What a synchronous standby costs an order: POST /orders per second and latency with the service's sessions at
# synchronous_commit=on (the default with a standby: the commit waits until the standby has the WAL) against
# local (the primary's disk only), on `scripts/cluster start 1 --replicated` (loopback, so the round trip to the
# standby is the machine's, not a network's: a real standby in another zone adds its network round trip).
#
#   bench/sync-commit.sh [--rounds 3] [--orders 400] [--concurrency 20]
#
# Each round runs both settings, alternating which goes first; the one instance is restarted with the setting
# (Database__SynchronousCommit) between runs. Orders are one unit of item 1, whose stock is set to 1,000,000 first.
# Prints a Markdown table (median of the rounds): orders/s, latency, and the CPU time per order of the instance and of
# each PostgreSQL server (postmaster and backends, utime + stime from /proc), for docs/capacity.md. Numbers on a
# shared machine are noisy: the load average is shown.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER="$REPO/scripts/cluster"
ROUNDS=3 ORDERS=400 CONCURRENCY=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --orders) ORDERS=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    *) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
log() { echo "[bench/sync-commit] $*" >&2; }

export STOREFRONT_CLUSTER_DIR
STOREFRONT_CLUSTER_DIR="$(mktemp -d /tmp/storefront-sync-commit.XXXXXX)"
rmdir "$STOREFRONT_CLUSTER_DIR"
BASE_ENV="Orders__MaxOrdersPerMinute=0 Orders__MaxUnitsPerItemPerUser=0"
export STOREFRONT_CLUSTER_ENV="$BASE_ENV"
trap '"$CLUSTER" stop >/dev/null 2>&1 || true' EXIT
"$CLUSTER" start 1 --replicated >/dev/null
# shellcheck source=/dev/null
source "$STOREFRONT_CLUSTER_DIR/state"
URL="http://127.0.0.1:${INSTANCE_PORTS[0]}"

user="bench$RANDOM"
curl -sf -X POST "$URL/register" -H 'content-type: application/json' \
  -d "{\"username\": \"$user\", \"email\": \"$user@example.com\", \"password\": \"a long passphrase\"}" >/dev/null
"$CLUSTER" users grant "$user" admin >/dev/null
token="$(curl -sf -X POST "$URL/token" -d "username=$user&password=a long passphrase" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
curl -sf -X PUT "$URL/items/1/stock" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"in_stock": 1000000}' >/dev/null

# shellcheck source=bench/proc-cpu.sh
source "$REPO/bench/proc-cpu.sh"
cpu() { # instance, primary, standby ticks
  local instance
  instance="$(<"$STOREFRONT_CLUSTER_DIR/instance-0.pid")"
  echo "$(ticks <<<"$instance") $(pg_pids "$PG_DATA" | ticks) $(pg_pids "$PG_STANDBY_DATA" | ticks)"
}
HZ=$(getconf CLK_TCK)

# One run: the instance restarted with the setting, a short warm-up, then the measured orders.
# Prints "rps p50_ms p99_ms 201s instance_us primary_us standby_us" (CPU µs per order).
run() {
  "$CLUSTER" instance 0 stop
  STOREFRONT_CLUSTER_ENV="$BASE_ENV Database__SynchronousCommit=$1" "$CLUSTER" instance 0 start
  local args=(-m POST -H "Authorization: Bearer $token" -T application/json -d '{"lines": [{"item_id": 1, "quantity": 1}]}')
  hey -n 100 -c "$CONCURRENCY" "${args[@]}" "$URL/orders" >/dev/null
  local before after result
  read -r -a before <<<"$(cpu)"
  result="$(hey -n "$ORDERS" -c "$CONCURRENCY" "${args[@]}" "$URL/orders" | awk '
    /Requests\/sec/ {rps=$2} /50% in/ {p50=$3*1000} /99% in/ {p99=$3*1000} /\[201\]/ {ok=$2}
    END {printf "%.0f %.1f %.1f %d", rps, p50, p99, ok}')"
  read -r -a after <<<"$(cpu)"
  local ok=${result##* } i
  for i in 0 1 2; do result+=" $(( (after[i] - before[i]) * 1000000 / HZ / (ok > 0 ? ok : 1) ))"; done
  echo "$result"
}

declare -a on=() local_=()
for round in $(seq 1 "$ROUNDS"); do
  if ((round % 2)); then order=(on local); else order=(local on); fi
  for setting in "${order[@]}"; do
    result="$(run "$setting")"
    log "round $round, synchronous_commit=$setting: $result (orders/s, p50 ms, p99 ms, 201s, CPU µs per order: instance, primary, standby)"
    if [[ $setting == on ]]; then on+=("$result"); else local_+=("$result"); fi
  done
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
column() { local i=$1; shift; local v=(); for r in "$@"; do v+=("$(cut -d' ' -f"$i" <<<"$r")"); done; median "${v[@]}"; }
row() { local name=$1; shift; echo "| $name | $(column 1 "$@") | $(column 2 "$@") ms | $(column 3 "$@") ms | $(column 5 "$@") | $(column 6 "$@") | $(column 7 "$@") |"; }
echo "| synchronous_commit | orders/s | p50 | p99 | instance CPU µs / order | primary CPU µs / order | standby CPU µs / order |"
echo "|---|---:|---:|---:|---:|---:|---:|"
row "on (waits for the standby)" "${on[@]}"
row "local (primary only)" "${local_[@]}"
echo
echo "$ROUNDS rounds of $ORDERS orders at concurrency $CONCURRENCY, medians; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(nproc) cores."
