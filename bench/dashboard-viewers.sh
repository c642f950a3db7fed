#!/usr/bin/env bash
# What the dashboard costs GET /: throughput with 0 and with 10 viewers on /dashboard/stream, alternated (issue 16:
# the per-second snapshot must cost under 1% of GET / throughput with 10 viewers open).
#
#   bench/dashboard-viewers.sh                  # 6 rounds of (0 viewers, 10 viewers), 5 s each
#   bench/dashboard-viewers.sh --rounds 10 --duration 8 --viewers 10
#   bench/dashboard-viewers.sh --pin            # service on CPU 1, wrk and the viewers on CPU 0
#   bench/dashboard-viewers.sh --pin --rounds 30 --duration 3 --profile --micro --out docs/bench/dashboard-viewers.md
#                                               # the committed result
#
# Publishes src/Storefront.Api (Release) into a temp dir, starts it on 127.0.0.1 (Production, SQLite, the dashboard
# enabled with one admin), registers and logs in that admin, then per round: wrk -t1 -c50 GET / with no stream open,
# then the same with N `curl -N` streams open (each side after 2 s of unmeasured load, so the listener is on and
# snapshots flow, or off again). The order within a round alternates, so drift in the machine's speed falls on both
# sides. Prints each round and the median ratios (viewers / none) of rps and of the service's CPU per request (utime +
# stime from /proc over the requests wrk counted) with bootstrap 95% intervals over the rounds. With --pin the
# service has one core to itself and the load the other, so its throughput is the inverse of its CPU per request and
# the scheduler cannot place the two differently from run to run (single runs still vary by ±7% on a 2-core VM).
# --micro also runs bench/Storefront.Micro's
# dashboard benchmark (BenchmarkDotNet: one request's duration measurement watched and not, in ns). --profile also
# samples the service's stacks with perf (20 s under the same load, with no viewer and with N) and counts the samples
# with a frame of the dashboard's own code (Storefront.Api.Dashboard.*, the SSE writer): the dashboard's share of the
# service's CPU, which the A/B cannot resolve below a few percent on this kind of machine (its interval says how far
# it can); the service then runs with perf maps (DOTNET_PerfMapEnabled=1, DOTNET_EnableWriteXorExecute=0) on both
# sides, and `perf` (Debian's linux-perf) is installed if missing. --out FILE writes
# the result as Markdown (docs/bench/*.md is copied into docs/benchmarks.md by scripts/bench and bench/report.py).
# Everything it starts is stopped on exit.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=6
DURATION=5
VIEWERS=10
PIN=()
MICRO=0
PROFILE=0
OUT=""
ARGS="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --viewers) VIEWERS="$2"; shift ;;
    --pin) PIN=(taskset -c 0); export BENCH_SERVICE_CPUS=1 ;;
    --micro) MICRO=1 ;;
    --profile) PROFILE=1 ;;
    --out) OUT="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench/dashboard-viewers.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for n in "$ROUNDS" "$DURATION" "$VIEWERS"; do [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 && "$n" -le 100 ]] || { echo "numbers: 1..100" >&2; exit 2; }; done
[[ ${#PIN[@]} -eq 0 || "$(nproc)" -ge 2 ]] || { echo "--pin needs 2 CPUs" >&2; exit 2; }
for tool in dotnet wrk curl python3; do command -v "$tool" >/dev/null || { echo "bench/dashboard-viewers.sh: $tool is not installed" >&2; exit 1; }; done
if (( PROFILE )) && ! perf --version >/dev/null 2>&1; then
  [[ "$(id -u)" == 0 ]] || { echo "bench/dashboard-viewers.sh: --profile needs perf (apt-get install linux-perf)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=600 install -y linux-perf >/dev/null
fi

TMP="$(mktemp -d /tmp/storefront-dashboard-bench.XXXXXX)"
VIEWER_PIDS=()
log() { echo "[dashboard-viewers] $*" >&2; }
# shellcheck source=lib/service.sh
source "$REPO/bench/lib/service.sh"

close_viewers() {
  local p
  for p in "${VIEWER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${VIEWER_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  VIEWER_PIDS=()
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  close_viewers
  bench_stop_service
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building the work tree ($(git -C "$REPO" rev-parse --short HEAD))"
bench_publish "$REPO"
ADMIN="watcher_$RANDOM$RANDOM"
PERF_MAPS=()
(( PROFILE )) && PERF_MAPS=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
bench_start_service "Dashboard__Enabled=true" "${PERF_MAPS[@]}"

bench_register "$ADMIN" "a long enough passphrase"
# The admin role, granted by the operator's command against the service's embedded store.
env -C "$TMP/app" "Storage__Path=$TMP/data" Logging__LogLevel__Default=Warning dotnet Storefront.Api.dll users grant "$ADMIN" admin \
  >/dev/null </dev/null || { log "users grant failed"; exit 1; }
TOKEN="$(curl -fsS -d "username=$ADMIN&password=a long enough passphrase" "$BASE/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
# The stream must answer 200 and send a snapshot, or the "viewers" side would measure nothing.
curl -sS -N --max-time 3 -H "Authorization: Bearer $TOKEN" "$BASE/dashboard/stream" >"$TMP/probe.txt" 2>/dev/null || true
grep -q '^event: snapshot' "$TMP/probe.txt" || { head -c 500 "$TMP/probe.txt" >&2; log "the stream sent no snapshot"; exit 1; }

open_viewers() {
  local i
  for i in $(seq 1 "$VIEWERS"); do
    "${PIN[@]}" curl -sS -N -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/dashboard/stream" 2>/dev/null &
    VIEWER_PIDS+=($!)
  done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVICE_PID/stat"; }

measure() {  # prints "rps cpu-µs-per-request": the service's own CPU (utime + stime) over the run's requests
  local before after json
  before=$(cpu_ticks)
  json=$("${PIN[@]}" wrk -t1 -c50 -d"${DURATION}s" -s "$REPO/bench/wrk/report.lua" "$BASE/" 2>/dev/null | sed -n 's/^WRK_JSON //p')
  after=$(cpu_ticks)
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(round(d["rps"]), round((int(sys.argv[3])-int(sys.argv[2]))/int(sys.argv[4])*1e6/d["requests"], 2))' \
    "$json" "$before" "$after" "$(getconf CLK_TCK)"
}

# One core compiles the hot paths (tiered JIT) while it serves: pinned, rps still climbed for about 40 s of load.
WARMUP=$(( ${#PIN[@]} > 0 ? 45 : 5 ))
log "warm-up (${WARMUP} s)"
"${PIN[@]}" wrk -t1 -c50 -d"${WARMUP}s" "$BASE/" >/dev/null 2>&1
: >"$TMP/rounds.txt"
# Both sides go through the same steps: set the state, 2 s of unmeasured load, the measured run. The unmeasured load
# covers the change (viewers connect and the listener starts with the first snapshot, or they leave and it stops at
# the next tick) and keeps the service busy between runs (the script once let only the viewers' side start after an
# idle gap: equal steps take that difference out of the comparison).
settle() { "${PIN[@]}" wrk -t1 -c50 -d2s "$BASE/" >/dev/null 2>&1; }
set_viewers() {  # $1: none or viewers (opened once, kept while the next side also wants them)
  if [[ "$1" == none ]]; then close_viewers; elif (( ${#VIEWER_PIDS[@]} == 0 )); then open_viewers; fi
}
side() {  # $1: none or viewers; the measurement goes to $RESULT (viewers are this shell's children: no subshell)
  set_viewers "$1"
  settle
  RESULT=$(measure)
}
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then
    side none; none=$RESULT; side viewers; with=$RESULT
  else
    side viewers; with=$RESULT; side none; none=$RESULT
  fi
  echo "$none $with" >>"$TMP/rounds.txt"
  read -r none_rps none_cpu <<<"$none"; read -r with_rps with_cpu <<<"$with"
  log "round $r: GET / $none_rps rps, $none_cpu µs CPU/request with no viewer; $with_rps rps, $with_cpu µs with $VIEWERS viewers"
done

# The dashboard's code: its feature folder (feed, listener, tally, snapshot, endpoints) and the SSE writer it alone uses.
DASHBOARD_FRAMES='Storefront\.Api\.Dashboard\.|System\.Net\.ServerSentEvents\.|ServerSentEventsResult'
PROFILE_SECONDS=20
profile() {  # $1: none or viewers; the stacks of $PROFILE_SECONDS s under load → $TMP/profile-$1.json
  set_viewers "$1"
  "${PIN[@]}" wrk -t1 -c50 -d"$((PROFILE_SECONDS + 4))s" "$BASE/" >/dev/null 2>&1 &
  local load=$!
  sleep 2
  "${PIN[@]}" perf record -q -F 999 -g -p "$SERVICE_PID" -o "$TMP/perf-$1.data" -- sleep "$PROFILE_SECONDS" >/dev/null 2>&1
  wait "$load"
  # perf script names JIT-compiled frames from /tmp/perf-PID.map, which lives as long as the service.
  perf script -i "$TMP/perf-$1.data" 2>/dev/null | python3 "$REPO/bench/harness/perf_share.py" "$DASHBOARD_FRAMES" >"$TMP/profile-$1.json"
  log "profile, $1: $(cut -c1-200 "$TMP/profile-$1.json")"
}
if (( PROFILE )); then
  log "profiles (perf, ${PROFILE_SECONDS} s each side)"
  profile none
  profile viewers
  close_viewers
fi

if (( MICRO )); then
  log "bench/Storefront.Micro: the dashboard's cost per measurement (BenchmarkDotNet, about a minute)"
  dotnet run -c Release --project "$REPO/bench/Storefront.Micro" --artifacts-path "$TMP/micro-artifacts" -- \
    --filter '*DashboardListener*' --inProcess --warmupCount 3 --iterationCount 15 --artifacts "$TMP/micro" >"$TMP/micro.log" 2>&1 \
    || { tail -n 30 "$TMP/micro.log" >&2; log "the micro-benchmark failed"; exit 1; }
fi

python3 "$REPO/bench/harness/dashboard_viewers.py" "$TMP" "$VIEWERS" "$(nproc)" "$DURATION" "${#PIN[@]}" "$OUT" \
  "$(git -C "$REPO" rev-parse --short HEAD)" "$ARGS"
