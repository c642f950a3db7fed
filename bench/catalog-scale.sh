#!/usr/bin/env bash
# The catalog at scale (issue 19): GET /items rps at 20, 10k, 100k and 1M items on PostgreSQL, in one run, for four
# requests: the first page (?limit=20), a page 90% deep reached by cursor (?limit=20&after=...), a name search
# (?q=lamp&limit=20: about 1 item in 24 matches) and the most expensive first (?sort=-price&limit=20). Target: at 1M
# items each at least 80% of its rps at 20 items.
#
#   bench/catalog-scale.sh                                  # 10 s per request and size after 10 s of warm-up, 8 connections
#   bench/catalog-scale.sh --duration 3 --warmup 2 --sizes "20 10000"  # a quick check
#
# Publishes src/Storefront.Api (Release) into a temp dir, starts a throwaway PostgreSQL (scripts/lib/servers.sh), then
# per size: `seed --items N` (tops the catalog up to N: binary COPY, then ANALYZE), starts the service on it
# (bench/lib/service.sh), walks to the deep cursor with 100-item pages, and runs wrk -t1 -cC for each request after a
# warm-up (10 s by default: the first seconds of a fresh process measure the JIT, docs/benchmarks-notes.md). Prints
# one line per size and request, then each request's rps at every size as a % of its rps at the first size. Everything it starts is stopped on exit. Numbers on a shared machine are noisy: label them so.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION=10
WARMUP=10
CONNECTIONS=8
SIZES="20 10000 100000 1000000"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --sizes) SIZES="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench/catalog-scale.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 && "$DURATION" -le 120 ]] || { echo "--duration: 1..120" >&2; exit 2; }
[[ "$WARMUP" =~ ^[0-9]+$ && "$WARMUP" -ge 1 && "$WARMUP" -le 120 ]] || { echo "--warmup: 1..120" >&2; exit 2; }
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
  bench_stop_service || true # its final wait reports the stopped service's signal, not a failure
  stop_postgres
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$SERVERS_DIR"
install_postgres
start_postgres
pg_superuser_sql "CREATE DATABASE storefront OWNER storefront"
DB="Host=127.0.0.1;Port=$PG_PORT;Username=storefront;Password=storefront;Database=storefront"

log "building the work tree ($(git -C "$REPO" rev-parse --short HEAD))"
bench_publish "$REPO"

# Follows `next` with 100-item pages until about 90% of the catalog is behind it; prints that cursor.
deep_cursor() {  # SIZE
  python3 - "$BASE" "$1" <<'PY'
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

: >"$TMP/results.txt"
for size in $SIZES; do
  log "catalog: topping up to $size items"
  (cd "$TMP/app" && env ASPNETCORE_ENVIRONMENT=Production "ConnectionStrings__Postgres=$DB" Jwt__SigningKey=unused-for-seeding-only-0123456789abcdef \
    Upstreams__UseSimulator=true Logging__LogLevel__Default=Warning dotnet Storefront.Api.dll seed --items "$size" </dev/null >>"$TMP/seed.log" 2>&1) \
    || { tail -n 30 "$TMP/seed.log" >&2; die "seed failed"; }
  bench_start_service "ASPNETCORE_ENVIRONMENT=Production" "ConnectionStrings__Postgres=$DB"
  after="$(deep_cursor "$size")"
  declare -A urls=(
    [first]="/items?limit=20"
    [deep]="/items?limit=20${after:+&after=$after}"
    [search]="/items?q=lamp&limit=20"
    [sort]="/items?sort=-price&limit=20"
  )
  for name in first deep search sort; do
    url="${urls[$name]}"
    code="$(curl -sS -o "$TMP/probe.json" -w '%{http_code}' "$BASE$url")"
    [[ "$code" == 200 ]] || { head -c 500 "$TMP/probe.json" >&2; die "$name answered $code"; }
    wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$BASE$url" >/dev/null 2>&1
    json="$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$REPO/bench/wrk/report.lua" "$BASE$url" 2>/dev/null | sed -n 's/^WRK_JSON //p')"
    read -r rps p50 p99 errors < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); e=d["errors"]; print(round(d["rps"]), d["latency_ms"]["p50"], d["latency_ms"]["p99"], sum(e.values()))' "$json")
    echo "$size $name $rps $p50 $p99 $errors" >>"$TMP/results.txt"
    log "$size items, $name: $rps rps, p50 $p50 ms, p99 $p99 ms, errors $errors"
  done
  unset urls
  bench_stop_service || true # its final wait reports the stopped service's signal, not a failure
done

python3 - "$TMP/results.txt" "$(nproc)" "$CONNECTIONS" "$DURATION" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
sizes = list(dict.fromkeys(r[0] for r in rows)); names = ["first", "deep", "search", "sort"]
rps = {(r[0], r[1]): float(r[2]) for r in rows}
print(f"== bench/catalog-scale.sh: PostgreSQL, {sys.argv[2]} cores, wrk -t1 -c{sys.argv[3]}, {sys.argv[4]} s per run")
print("| items | " + " | ".join(f"{n} rps" for n in names) + " |")
print("|---:|" + "---:|" * len(names))
for s in sizes:
    print(f"| {int(s):,} | " + " | ".join(f"{rps[(s, n)]:,.0f} ({100 * rps[(s, n)] / rps[(sizes[0], n)]:.0f}%)" for n in names) + " |")
print(f"(each request's rps as % of its rps at {int(sizes[0]):,} items; target at 1,000,000: >= 80% for first, deep and search)")
PY
