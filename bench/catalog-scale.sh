#!/usr/bin/env bash
# The catalog at scale (issue 19): GET /items rps at 20, 10k, 100k and 1M items on PostgreSQL, in one run, for four
# requests: the first page (?limit=20), a page 90% deep reached by cursor (?limit=20&after=...), a name search
# (?q=lamp&limit=20: about 1 item in 24 matches) and the most expensive first (?sort=-price&limit=20). Target: at 1M
# items each at least 80% of its rps at 20 items.
#
#   bench/catalog-scale.sh                                  # 3 rounds of 5 s windows, 8 connections
#   bench/catalog-scale.sh --duration 2 --rounds 1 --sizes "20 10000"   # a quick check
#   bench/catalog-scale.sh --out docs/bench/catalog-scale.md            # the committed result
#
# Publishes src/Storefront.Api (Release) into a temp dir, starts a throwaway PostgreSQL (scripts/lib/servers.sh) with
# one database per size, fills each with `seed --items N` (binary COPY, then ANALYZE) and starts one service on each
# (bench/lib/service.sh), all at once. Each service is warmed up on every request (10 s: the first seconds of a fresh
# process measure the JIT, docs/benchmarks-notes.md); then, per round and request, wrk -t1 -cC runs against every
# size in turn, the order rotating each round, so a slow phase of the machine falls on every size alike. Prints the
# medians and ranges (each size's rps as % of the smallest size's, per round), --out FILE writes them as Markdown
# (docs/bench/*.md is copied into docs/benchmarks.md). Everything it starts is stopped on exit.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION=5
WARMUP=10
ROUNDS=3
OUT=""
ARGS="$*"
CONNECTIONS=8
SIZES="20 10000 100000 1000000"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --sizes) SIZES="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench/catalog-scale.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 && "$DURATION" -le 120 ]] || { echo "--duration: 1..120" >&2; exit 2; }
[[ "$WARMUP" =~ ^[0-9]+$ && "$WARMUP" -ge 1 && "$WARMUP" -le 120 ]] || { echo "--warmup: 1..120" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[0-9]+$ && "$ROUNDS" -ge 1 && "$ROUNDS" -le 20 ]] || { echo "--rounds: 1..20" >&2; exit 2; }
[[ "$CONNECTIONS" =~ ^[0-9]+$ && "$CONNECTIONS" -ge 1 && "$CONNECTIONS" -le 256 ]] || { echo "--connections: 1..256" >&2; exit 2; }
for n in $SIZES; do [[ "$n" =~ ^[0-9]+$ && "$n" -ge 20 && "$n" -le 10000000 ]] || { echo "--sizes: numbers 20..10000000" >&2; exit 2; }; done
for tool in dotnet wrk curl python3; do command -v "$tool" >/dev/null || { echo "bench/catalog-scale.sh: $tool is not installed" >&2; exit 1; }; done

TMP="$(mktemp -d /tmp/storefront-catalog-bench.XXXXXX)"
chmod 755 "$TMP" # the postgres user (servers.sh runs the server as it when root) must reach $TMP/pg
log() { echo "[catalog-scale] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/service.sh
source "$REPO/bench/lib/service.sh"
# shellcheck source=../scripts/lib/servers.sh
source "$REPO/scripts/lib/servers.sh"
SERVERS_DIR="$TMP/pg"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  stop_all_services
  stop_postgres
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PIDS=()
declare -A BASES=()
stop_all_services() {
  local pid
  for pid in "${PIDS[@]}"; do SERVICE_PID="$pid"; bench_stop_service || true; done
  PIDS=()
}

mkdir -p "$SERVERS_DIR"
install_postgres
start_postgres

log "building the work tree ($(git -C "$REPO" rev-parse --short HEAD))"
bench_publish "$REPO"

# Follows `next` with 100-item pages until about 90% of the catalog is behind it; prints that cursor.
deep_cursor() {  # BASE SIZE
  python3 - "$1" "$2" <<'PY'
import http.client, json, sys, urllib.parse
base = urllib.parse.urlsplit(sys.argv[1]); target = int(sys.argv[2]) * 9 // 10
conn = http.client.HTTPConnection(base.hostname, base.port)
seen, after = 0, None
while True:
    conn.request("GET", "/items?limit=100" + ("&after=" + after if after else ""))
    page = json.loads(conn.getresponse().read())
    seen += len(page["items"])
    if page["next"] is None or seen + 100 > target: break
    after = page["next"]
print(after or "")
PY
}

NAMES=(first deep search sort)
declare -A URLS=()
for size in $SIZES; do
  log "catalog of $size items: seeding its database, starting its service"
  pg_superuser_sql "CREATE DATABASE catalog_$size OWNER storefront"
  db="Host=127.0.0.1;Port=$PG_PORT;Username=storefront;Password=storefront;Database=catalog_$size"
  (cd "$TMP/app" && env ASPNETCORE_ENVIRONMENT=Production "ConnectionStrings__Postgres=$db" Jwt__SigningKey=unused-for-seeding-only-0123456789abcdef \
    Upstreams__UseSimulator=true Logging__LogLevel__Default=Warning dotnet Storefront.Api.dll seed --items "$size" </dev/null >>"$TMP/seed.log" 2>&1) \
    || { tail -n 30 "$TMP/seed.log" >&2; die "seed failed"; }
  # One load client searches thousands of times a second: past the per-client search limit (issue 33) it would measure 429s.
  bench_start_service "ASPNETCORE_ENVIRONMENT=Production" "ConnectionStrings__Postgres=$db" "RateLimits__SearchPermits=1000000"
  PIDS+=("$SERVICE_PID")
  BASES[$size]="$BASE"
  after="$(deep_cursor "$BASE" "$size")"
  URLS[$size,first]="/items?limit=20"
  URLS[$size,deep]="/items?limit=20${after:+&after=$after}"
  URLS[$size,search]="/items?q=lamp&limit=20"
  URLS[$size,sort]="/items?sort=-price&limit=20"
  for name in "${NAMES[@]}"; do
    url="${BASES[$size]}${URLS[$size,$name]}"
    code="$(curl -sS -o "$TMP/probe.json" -w '%{http_code}' "$url")"
    [[ "$code" == 200 ]] || { head -c 500 "$TMP/probe.json" >&2; die "$size items, $name answered $code"; }
  done
done

log "warm-up: ${WARMUP} s per size and request"
for size in $SIZES; do
  for name in "${NAMES[@]}"; do wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "${BASES[$size]}${URLS[$size,$name]}" >/dev/null 2>&1; done
done

read -r -a SIZE_LIST <<<"$SIZES"
: >"$TMP/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  for name in "${NAMES[@]}"; do
    n=${#SIZE_LIST[@]}
    for i in $(seq 0 $((n - 1))); do
      size="${SIZE_LIST[$(((i + round - 1) % n))]}"
      json="$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$REPO/bench/wrk/report.lua" "${BASES[$size]}${URLS[$size,$name]}" 2>/dev/null | sed -n 's/^WRK_JSON //p')"
      read -r rps p50 p99 errors < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); e=d["errors"]; print(round(d["rps"]), d["latency_ms"]["p50"], d["latency_ms"]["p99"], sum(e.values()))' "$json")
      echo "$round $size $name $rps $p50 $p99 $errors" >>"$TMP/results.txt"
      log "round $round, $size items, $name: $rps rps, p50 $p50 ms, p99 $p99 ms, errors $errors"
    done
  done
done

python3 - "$TMP/results.txt" "$(nproc)" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$OUT" "$(git -C "$REPO" rev-parse --short HEAD)" "$ARGS" <<'PY'
import datetime, statistics as st, sys
path, cores, conns, duration, rounds, out, commit, args = sys.argv[1:]
rows = [l.split() for l in open(path) if l.strip()]  # round size name rps p50 p99 errors
sizes = list(dict.fromkeys(int(r[1]) for r in rows)); names = ["first", "deep", "search", "sort"]
cell = {(int(r[0]), int(r[1]), r[2]): r for r in rows}
rs = sorted({int(r[0]) for r in rows})
titles = {"first": "first page", "deep": "page 90% deep (cursor)", "search": "search ?q=lamp", "sort": "?sort=-price"}
lines = ["| items | " + " | ".join(f"{titles[n]}: rps · p99 ms · % of {sizes[0]:,} items" for n in names) + " |",
         "|---:|" + "---:|" * len(names)]
verdict = []
for s in sizes:
    parts = []
    for n in names:
        rps = [float(cell[(r, s, n)][3]) for r in rs]
        p99 = [float(cell[(r, s, n)][5]) for r in rs]
        ratio = [float(cell[(r, s, n)][3]) / float(cell[(r, sizes[0], n)][3]) * 100 for r in rs]
        parts.append(f"{st.median(rps):,.0f} · {st.median(p99):.1f} · {st.median(ratio):.0f}% ({min(ratio):.0f}–{max(ratio):.0f})")
        if s == sizes[-1] and s != sizes[0] and n != "sort":
            verdict.append(f"{titles[n]} {st.median(ratio):.0f}%")
    lines.append(f"| {s:,} | " + " | ".join(parts) + " |")
errors = sum(int(r[6]) for r in rows)
note = (f"Target: at {sizes[-1]:,} items the first page, the deep page and the search keep at least 80% of their rps at "
        f"{sizes[0]:,} items (median of the rounds' ratios): {', '.join(verdict)}. wrk errors and non-2xx in all windows: {errors}.")
print(f"== bench/catalog-scale.sh: PostgreSQL, {cores} cores, wrk -t1 -c{conns}, {duration} s windows, {rounds} rounds")
print("\n".join(lines)); print(note)
if out:
    md = ["# The catalog at scale (`bench/catalog-scale.sh`)", "",
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`, `bench/catalog-scale.sh {args}`: "
          f"Release, PostgreSQL 15, one database and one service per catalog size, all running, `wrk -t1 -c{conns}` for "
          f"{duration} s per window, {rounds} rounds, the sizes' order rotating each round. Each cell: median rps · median p99 · "
          "the median of the rounds' ratios to the smallest catalog (their range).", ""] + lines + ["", note]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    print(f"wrote {out}")
PY
