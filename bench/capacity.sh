#!/usr/bin/env bash
# CPU per request of each part of the deployment under the fault table's mix (bench/Storefront.Mix: 9 item reads,
# 5 product pages, 3 item writes, 2 jobs, 1 login in every 20), for docs/capacity.md.
#
#   bench/capacity.sh [--rate 200] [--seconds 30] [--instances 2] [--replicated]
#
# Starts `scripts/cluster start N` (a folder of its own), runs the mix at a fixed rate through nginx, and reads the
# CPU time (utime + stime, /proc/PID/stat) each part's processes used over the run: the instances, PostgreSQL (the
# postmaster and every backend; with --replicated the primary and the standby apart), Redis, nginx, the upstream
# simulator. Before the load, the same parts are measured idle for 10 s (timers, the job worker's polling, the lag
# probe, the collector): what they cost per second whatever the traffic. Prints a Markdown table: idle cores, CPU µs
# per request (answered 2xx) all included, the same less the idle cost (the marginal cost of a request), and the
# cores each part used at that rate.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER="$REPO/scripts/cluster"
RATE=200 SECONDS_=30 INSTANCES=2 MODE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) RATE=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --instances) INSTANCES=$2; shift 2 ;;
    --replicated) MODE=--replicated; shift ;;
    *) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
log() { echo "[bench/capacity] $*" >&2; }

OUT="$(mktemp -d /tmp/storefront-capacity.XXXXXX)"
chmod 755 "$OUT" # the cluster lives inside, and PostgreSQL runs as the postgres user
export STOREFRONT_CLUSTER_DIR="$OUT/cluster"
export STOREFRONT_CLUSTER_ENV="RateLimits__LoginPermits=100000 RateLimits__RegisterPermits=1000 RateLimits__LogPermits=1000000"
trap '"$CLUSTER" stop >/dev/null 2>&1 || true' EXIT
dotnet build "$REPO/bench/Storefront.Mix" -c Release -o "$OUT/mix" </dev/null >"$OUT/build.log" 2>&1 \
  || { tail -n 20 "$OUT/build.log" >&2; exit 1; }
# shellcheck disable=SC2086 # $MODE is empty or one flag
URL="$("$CLUSTER" start "$INSTANCES" $MODE)"
# shellcheck source=/dev/null
source "$STOREFRONT_CLUSTER_DIR/state"
# The mix's catalog writes need catalog staff (as in scripts/faults).
export STOREFRONT_MIX_USERNAME="capacity$RANDOM$RANDOM" STOREFRONT_MIX_PASSWORD="a long capacity passphrase"
curl -sf -X POST "$URL/register" -H 'content-type: application/json' -d "{\"username\": \"$STOREFRONT_MIX_USERNAME\", \
  \"email\": \"$STOREFRONT_MIX_USERNAME@example.com\", \"password\": \"$STOREFRONT_MIX_PASSWORD\"}" >/dev/null
"$CLUSTER" users grant "$STOREFRONT_MIX_USERNAME" catalog >/dev/null

# shellcheck source=bench/proc-cpu.sh
source "$REPO/bench/proc-cpu.sh"
declare -A PARTS=(
  [instances]="$(printf '%s\n' "${INSTANCE_PIDS[@]}")"
  [redis]="$REDIS_PID"
  [nginx]="$(tree "$(<"$STOREFRONT_CLUSTER_DIR/nginx/nginx.pid")")"
  [simulator]="$SIM_PID"
)
part_ticks() {
  case "$1" in
    postgres) pg_pids "$PG_DATA" | ticks ;;
    postgres-standby) pg_pids "$PG_STANDBY_DATA" | ticks ;;
    *) ticks <<<"${PARTS[$1]}" ;;
  esac
}
names=(instances postgres redis nginx simulator)
[[ -z $MODE ]] || names=(instances postgres postgres-standby redis nginx simulator)

log "warming up: 10 s at $RATE/s"
dotnet "$OUT/mix/Storefront.Mix.dll" "$URL" --rate "$RATE" --seconds 10 --jobs-wait 0 >/dev/null 2>&1 || true
declare -A idle_start idle_used
for n in "${names[@]}"; do idle_start[$n]="$(part_ticks "$n")"; done
idle_from=$(date +%s%N)
log "measuring idle: 10 s"
sleep 10
idle_ns=$(($(date +%s%N) - idle_from))
for n in "${names[@]}"; do idle_used[$n]=$(( $(part_ticks "$n") - ${idle_start[$n]} )); done
declare -A before
for n in "${names[@]}"; do before[$n]="$(part_ticks "$n")"; done
started=$(date +%s%N)
log "measuring: $SECONDS_ s at $RATE/s"
dotnet "$OUT/mix/Storefront.Mix.dll" "$URL" --rate "$RATE" --seconds "$SECONDS_" --jobs-wait 0 >"$OUT/mix.jsonl" 2>"$OUT/mix.err"
elapsed_ns=$(($(date +%s%N) - started))
ok="$(python3 -c 'import json,sys; print(sum(json.loads(l).get("ok", 0) for l in open(sys.argv[1]) if "second" in l))' "$OUT/mix.jsonl")"
total="$(python3 -c 'import json,sys; print(sum(json.loads(l).get("total", 0) for l in open(sys.argv[1]) if "second" in l))' "$OUT/mix.jsonl")"
hz=$(getconf CLK_TCK)

echo "| part | idle cores | CPU µs / request | less the idle cost | cores at $RATE requests/s |"
echo "|---|---:|---:|---:|---:|"
for n in "${names[@]}"; do
  used=$(( $(part_ticks "$n") - ${before[$n]} ))
  python3 -c '
import sys
name = sys.argv[1]
t, idle, hz, ok, ns, idle_ns = map(float, sys.argv[2:8])
idle_cores = idle / hz / (idle_ns / 1e9)
seconds = ns / 1e9
marginal = max(0.0, t / hz - idle_cores * seconds)
print(f"| {name} | {idle_cores:.3f} | {t / hz * 1e6 / max(ok, 1):,.0f} | {marginal * 1e6 / max(ok, 1):,.0f} | {t / hz / seconds:.2f} |")' \
    "$n" "$used" "${idle_used[$n]}" "$hz" "$ok" "$elapsed_ns" "$idle_ns"
done
echo
echo "$ok of $total requests answered 2xx over $((elapsed_ns / 1000000000)) s; $INSTANCES instances${MODE:+, replicated}; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
