#!/usr/bin/env bash
# What the dashboard costs GET /: throughput with 0 and with 10 viewers on /dashboard/stream, alternated (issue 16:
# the per-second snapshot must cost under 1% of GET / throughput with 10 viewers open).
#
#   bench/dashboard-viewers.sh                  # 6 rounds of (0 viewers, 10 viewers), 5 s each
#   bench/dashboard-viewers.sh --rounds 10 --duration 8 --viewers 10
#   bench/dashboard-viewers.sh --pin            # service on CPU 1, wrk and the viewers on CPU 0
#   bench/dashboard-viewers.sh --pin --rounds 20 --micro --out docs/bench/dashboard-viewers.md   # the committed result
#
# Publishes src/Storefront.Api (Release) into a temp dir, starts it on 127.0.0.1 (Production, SQLite, the dashboard
# enabled with one admin), registers and logs in that admin, then per round: wrk -t1 -c50 GET / with no stream open,
# then the same with N `curl -N` streams open (opened 2 s before, so the listener is on and snapshots flow). The order
# within a round alternates, so drift in the machine's speed falls on both sides. Prints each round and the mean
# ratios (viewers / none) of rps and of the service's CPU per request (utime + stime from /proc over the requests
# wrk counted: steadier than rps on a shared machine) with their spread. With --pin the service has one core to itself
# and the load the other, so its throughput is the inverse of its CPU per request and the scheduler's placement of
# two busy processes on two cores no longer varies from round to round. --micro also runs bench/Storefront.Micro's
# dashboard benchmark (BenchmarkDotNet: one request's duration measurement watched and not, in ns). --out FILE writes
# the result as Markdown (docs/bench/*.md is copied into docs/benchmarks.md by scripts/bench and bench/report.py).
# Everything it starts is stopped on exit.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=6
DURATION=5
VIEWERS=10
PIN=()
MICRO=0
OUT=""
ARGS="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --viewers) VIEWERS="$2"; shift ;;
    --pin) PIN=(taskset -c 0); export BENCH_SERVICE_CPUS=1 ;;
    --micro) MICRO=1 ;;
    --out) OUT="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench/dashboard-viewers.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for n in "$ROUNDS" "$DURATION" "$VIEWERS"; do [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 && "$n" -le 100 ]] || { echo "numbers: 1..100" >&2; exit 2; }; done
[[ ${#PIN[@]} -eq 0 || "$(nproc)" -ge 2 ]] || { echo "--pin needs 2 CPUs" >&2; exit 2; }
for tool in dotnet wrk curl python3; do command -v "$tool" >/dev/null || { echo "bench/dashboard-viewers.sh: $tool is not installed" >&2; exit 1; }; done

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
bench_start_service "Dashboard__Enabled=true" "Accounts__Admins__0=$ADMIN"

bench_register "$ADMIN" "a long enough passphrase"
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
  sleep 2
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
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then
    none=$(measure); open_viewers; with=$(measure); close_viewers
  else
    open_viewers; with=$(measure); close_viewers; sleep 1; none=$(measure)
  fi
  echo "$none $with" >>"$TMP/rounds.txt"
  read -r none_rps none_cpu <<<"$none"; read -r with_rps with_cpu <<<"$with"
  log "round $r: GET / $none_rps rps, $none_cpu µs CPU/request with no viewer; $with_rps rps, $with_cpu µs with $VIEWERS viewers"
done

if (( MICRO )); then
  log "bench/Storefront.Micro: the dashboard's cost per measurement (BenchmarkDotNet, about a minute)"
  dotnet run -c Release --project "$REPO/bench/Storefront.Micro" --artifacts-path "$TMP/micro-artifacts" -- \
    --filter '*DashboardListener*' --inProcess --warmupCount 3 --iterationCount 15 --artifacts "$TMP/micro" >"$TMP/micro.log" 2>&1 \
    || { tail -n 30 "$TMP/micro.log" >&2; log "the micro-benchmark failed"; exit 1; }
fi

python3 - "$TMP/rounds.txt" "$VIEWERS" "$(nproc)" "$DURATION" "${#PIN[@]}" "$TMP/micro" "$OUT" \
  "$(git -C "$REPO" rev-parse --short HEAD)" "$ARGS" <<'PY'
import datetime, glob, re, statistics as st, sys
rounds, viewers, cores, duration, pinned, micro_dir, out, commit, args = sys.argv[1:]
rows = [tuple(map(float, l.split())) for l in open(rounds) if l.strip()]  # none_rps none_cpu with_rps with_cpu
ratios = [r[2] / r[0] for r in rows]
cpu = [r[3] / r[1] for r in rows]
def pct(xs): return f"median {100 * st.median(xs):.1f}% (mean {100 * st.mean(xs):.1f}%, range {100 * min(xs):.1f}–{100 * max(xs):.1f}%)"
summary = [
    f"GET / with no viewer: mean {st.mean(r[0] for r in rows):,.0f} rps, {st.mean(r[1] for r in rows):.2f} µs CPU/request; "
    f"with {viewers} viewers: mean {st.mean(r[2] for r in rows):,.0f} rps, {st.mean(r[3] for r in rows):.2f} µs CPU/request",
    f"rps, viewers / none: {pct(ratios)}",
    f"CPU per request, viewers / none: {pct(cpu)}",
]
micro = []
for path in glob.glob(f"{micro_dir}/results/*DashboardListener*-report-github.md"):
    micro = [l for l in open(path, encoding="utf-8").read().splitlines() if l.startswith("|")]
print(f"== bench/dashboard-viewers.sh: {cores} cores, {len(rows)} rounds{', pinned' if pinned != '0' else ''}")
print("\n".join(summary + micro))
if out:
    setup = ("the service on CPU 1, wrk and the viewers on CPU 0" if pinned != "0" else "service and load sharing both cores")
    md = [f"# GET / with {viewers} dashboard viewers (`bench/dashboard-viewers.sh`)", "",
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`, `bench/dashboard-viewers.sh {args}`: "
          f"Release, Production, SQLite, `wrk -t1 -c50` for {duration} s per side, {setup}, {len(rows)} rounds, the order of the "
          f"two sides alternating. The issue's bar: the dashboard watched by {viewers} costs under 1% of `GET /`'s throughput.", "",
          "| round | rps, no viewer | rps, viewers | ratio | CPU µs/request, no viewer | viewers | ratio |", "|---:|---:|---:|---:|---:|---:|---:|"]
    md += [f"| {i} | {r[0]:,.0f} | {r[2]:,.0f} | {100 * r[2] / r[0]:.1f}% | {r[1]:.2f} | {r[3]:.2f} | {100 * r[3] / r[1]:.1f}% |"
           for i, r in enumerate(rows, 1)]
    md += [""] + [f"- {line}" for line in summary]
    if micro:
        md += ["", "One request's duration measurement (`bench/Storefront.Micro`, BenchmarkDotNet, in process; `none`: only the "
               "exporter's listener, as with nobody watching; `noop`: plus a second listener that does nothing; `dashboard`: "
               "plus the dashboard's):", ""] + micro
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    print(f"wrote {out}")
PY
