#!/usr/bin/env bash
# Orders under contention (issue 20): POST /orders per second and units oversold, Storefront against the FastAPI peer
# written the seeds' way (bench/peer/app.py: SELECT available, check, UPDATE to the computed value, under an
# asyncio.Lock that each of its 2 uvicorn workers holds alone), both on one throwaway PostgreSQL.
#
#   bench/orders.sh                         # 2 rounds, 5 s windows: about 3 minutes after the build
#   bench/orders.sh --rounds 3 --out docs/bench/orders.md
#   bench/orders.sh --seconds 2 --rounds 1 --warmup 1 --app DIR   # a quick check with an already published Storefront
#
# Scenarios, each order one unit of one item:
#   hot      one item with 100,000 units, wrk -t2 -c200 for --seconds (never sells out)
#   spread   items 1..1000 with 1,000 units each, a random one per order, wrk -t2 -c200
#   oversell one item with 100 units, 1,000 buyers at once (hey -n 1000 -c 1000): Storefront must accept exactly 100
# Oversold units = units in accepted orders - (stock before - stock after): units handed out that the stock count never
# lost. It is 0 for a correct server in every scenario; with 100 units it is also the orders accepted beyond the stock.
# orders/s = 2xx answers per second (wrk; in the oversell burst, 201s over the burst's time). Storefront's orders
# queue a confirmation mail each (a durable job); after its windows the script waits for those jobs (300 s at most) so
# they do not run during the peer's window.
#
# Publishes src/Storefront.Api (Release) into a temp dir (or uses --app DIR), starts a throwaway PostgreSQL
# (scripts/lib/servers.sh), seeds 1,000 items, starts Storefront (bench/lib/service.sh; one admin user (users grant), whose token
# places the orders) and the peer (bench/peer/run.sh, 2 workers, its tables from bench/peer/orders.sql in the same
# database: peer_stock, peer_orders, peer_order_lines). Stock is set through Storefront's PUT /items/{id}/stock and
# by SQL for the peer (it has no stock route). A warm-up of --warmup s per side and scenario, then --rounds rounds,
# the sides alternating first. Prints (and with --out writes) a Markdown report. Everything it starts is stopped on
# exit. Numbers on a shared machine are noisy: label them so.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMAND="bench/orders.sh $*"
LOAD_AT_START="$(cut -d' ' -f1 /proc/loadavg)" # before this script adds any: the report says whether the machine was busy
SECONDS_PER_WINDOW=5
ROUNDS=2
WARMUP=3
CONNECTIONS=200
OUT=""
APP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) SECONDS_PER_WINDOW="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --app) APP="$(cd "$2" && pwd)"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench/orders.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$SECONDS_PER_WINDOW" =~ ^[0-9]+$ && "$SECONDS_PER_WINDOW" -ge 1 && "$SECONDS_PER_WINDOW" -le 60 ]] || { echo "--seconds: 1..60" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[0-9]+$ && "$ROUNDS" -ge 1 && "$ROUNDS" -le 10 ]] || { echo "--rounds: 1..10" >&2; exit 2; }
[[ "$WARMUP" =~ ^[0-9]+$ && "$WARMUP" -le 60 ]] || { echo "--warmup: 0..60" >&2; exit 2; }
[[ "$CONNECTIONS" =~ ^[0-9]+$ && "$CONNECTIONS" -ge 2 && "$CONNECTIONS" -le 1000 ]] || { echo "--connections: 2..1000" >&2; exit 2; }
[[ -z "$APP" || -f "$APP/Storefront.Api.dll" ]] || { echo "--app: no Storefront.Api.dll in $APP" >&2; exit 2; }
for tool in dotnet wrk hey curl python3; do command -v "$tool" >/dev/null || { echo "bench/orders.sh: $tool is not installed" >&2; exit 1; }; done

HOT_STOCK=100000
SPREAD_ITEMS=1000
SPREAD_STOCK=1000
OVERSELL_STOCK=100
OVERSELL_BUYERS=1000
ADMIN=ordersadmin
ADMIN_PASSWORD="bench-$RANDOM-$RANDOM-pw"

TMP="$(mktemp -d /tmp/storefront-orders-bench.XXXXXX)"
chmod 755 "$TMP" # the postgres user (servers.sh runs the server as it when root) must reach $TMP/pg
log() { echo "[orders] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/service.sh
source "$REPO/bench/lib/service.sh"
# shellcheck source=../scripts/lib/servers.sh
source "$REPO/scripts/lib/servers.sh"
SERVERS_DIR="$TMP/pg"
PEER_PID=""

stop_peer() {
  [[ -n "$PEER_PID" ]] || return 0
  kill -TERM -- "-$PEER_PID" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 -- "-$PEER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$PEER_PID" 2>/dev/null
  wait "$PEER_PID" 2>/dev/null
  PEER_PID=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  bench_stop_service || true # its final wait reports the stopped service's signal, not a failure
  stop_peer || true
  stop_postgres
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ulimit -n 65536 2>/dev/null || true # hey's 1,000 buyers are 1,000 sockets

bash "$REPO/bench/peer/install.sh" >"$TMP/peer-install.log" 2>&1 || { cat "$TMP/peer-install.log" >&2; die "bench/peer/install.sh failed"; }

mkdir -p "$SERVERS_DIR"
install_postgres
start_postgres
pg_superuser_sql "CREATE DATABASE storefront OWNER storefront"
DB="Host=127.0.0.1;Port=$PG_PORT;Username=storefront;Password=storefront;Database=storefront"
sql() { PGPASSWORD=storefront "$PG_BIN/psql" -X -qtA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U storefront -d storefront "$@"; }

COMMIT="$(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src bench 2>/dev/null || echo '+changes')"
if [[ -z "$APP" ]]; then
  log "building the work tree ($COMMIT)"
  bench_publish "$REPO"
else
  log "using the published Storefront in $APP"
  mkdir -p "$TMP" && ln -s "$APP" "$TMP/app"
fi

log "seeding $SPREAD_ITEMS items"
(cd "$TMP/app" && env ASPNETCORE_ENVIRONMENT=Production "ConnectionStrings__Postgres=$DB" Jwt__SigningKey=unused-for-seeding-only-0123456789abcdef \
  Upstreams__UseSimulator=true Logging__LogLevel__Default=Warning dotnet Storefront.Api.dll seed --items "$SPREAD_ITEMS" </dev/null >>"$TMP/seed.log" 2>&1) \
  || { tail -n 30 "$TMP/seed.log" >&2; die "seed failed"; }
sql -f "$REPO/bench/peer/orders.sql" >/dev/null

# One user places every order, as the peer's clients do: the per-user limits (Orders__*) are a shop's policy, not part of
# the comparison, so they are off here.
bench_start_service "ASPNETCORE_ENVIRONMENT=Production" "ConnectionStrings__Postgres=$DB" \
  "Orders__MaxOrdersPerMinute=0" "Orders__MaxUnitsPerItemPerUser=0"
SF_BASE="$BASE"
bench_register "$ADMIN" "$ADMIN_PASSWORD"
# Roles are granted by the operator's command, against the same store.
(cd "$TMP/app" && env ASPNETCORE_ENVIRONMENT=Production "ConnectionStrings__Postgres=$DB" Jwt__SigningKey=unused-for-granting-only-0123456789abcdef \
  Logging__LogLevel__Default=Warning dotnet Storefront.Api.dll users grant "$ADMIN" admin </dev/null >>"$TMP/seed.log" 2>&1) \
  || { tail -n 30 "$TMP/seed.log" >&2; die "users grant failed"; }
TOKEN="$(curl -sS --data-urlencode "username=$ADMIN" --data-urlencode "password=$ADMIN_PASSWORD" "$SF_BASE/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')" || die "no token"

PEER_PORT="$(pick_free_port)"
PEER_BASE="http://127.0.0.1:$PEER_PORT"
setsid env -C "$REPO/bench/peer" PORT="$PEER_PORT" HOST=127.0.0.1 PEER_WORKERS=2 \
  PEER_POSTGRES_DSN="postgresql://storefront:storefront@127.0.0.1:$PG_PORT/storefront" PEER_UPLOAD_DIR="$TMP/peer-uploads" \
  bash ./run.sh >"$TMP/peer.log" 2>&1 </dev/null &
PEER_PID=$!
# uvicorn's supervisor keeps the port open when a worker fails to start, so readiness is an answer from PostgreSQL.
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null --max-time 2 "$PEER_BASE/items/1" 2>/dev/null && break
  kill -0 "$PEER_PID" 2>/dev/null || { cat "$TMP/peer.log" >&2; die "the peer exited"; }
  sleep 0.1
done
curl -fsS -o /dev/null --max-time 2 "$PEER_BASE/items/1" || { cat "$TMP/peer.log" >&2; die "the peer did not start"; }
log "Storefront on $SF_BASE, the peer on $PEER_BASE (2 workers), PostgreSQL on $PG_PORT"

base_of() { if [[ "$1" == storefront ]]; then echo "$SF_BASE"; else echo "$PEER_BASE"; fi; }

set_stock() {  # SIDE ITEMS UNITS: items 1..ITEMS get UNITS each
  if [[ "$1" == peer ]]; then
    sql -c "INSERT INTO peer_stock (item_id, available) SELECT g, $3 FROM generate_series(1, $2) g
            ON CONFLICT (item_id) DO UPDATE SET available = EXCLUDED.available" >/dev/null
  else
    # A level is units on hand, and the units of earlier windows' orders stay reserved (docs/api.md, "Stock"): they are
    # cancelled here by SQL, so every window starts from the level it sets, as the peer's does.
    sql -c "UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE status = 'confirmed';
            UPDATE item_stock SET reserved = 0 WHERE reserved <> 0" >/dev/null
    python3 - "$SF_BASE" "$TOKEN" "$2" "$3" <<'PY'
import http.client, json, sys, urllib.parse
base, token, items, units = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
conn = http.client.HTTPConnection(base.hostname, base.port)
for item in range(1, items + 1):
    conn.request("PUT", f"/items/{item}/stock", json.dumps({"in_stock": units}),
                 {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = conn.getresponse(); body = response.read()
    if response.status != 200: sys.exit(f"PUT /items/{item}/stock answered {response.status}: {body[:300]!r}")
PY
  fi
}

last_order() {  # SIDE: the newest order id
  if [[ "$1" == peer ]]; then sql -c "SELECT coalesce(max(id), 0) FROM peer_orders"; else sql -c "SELECT coalesce(max(id), 0) FROM orders"; fi
}

tally() {  # SIDE ITEMS AFTER_ID: "orders units stock_left" for items 1..ITEMS since order AFTER_ID
  if [[ "$1" == peer ]]; then
    sql -F ' ' -c "SELECT count(DISTINCT l.order_id), coalesce(sum(l.quantity), 0),
                          (SELECT coalesce(sum(available), 0) FROM peer_stock WHERE item_id <= $2)
                   FROM peer_order_lines l WHERE l.order_id > $3 AND l.item_id <= $2"
  else
    sql -F ' ' -c "SELECT count(DISTINCT o.id), coalesce(sum(l.quantity), 0),
                          (SELECT coalesce(sum(available), 0) FROM stock_available WHERE item_id <= $2)
                   FROM orders o JOIN order_lines l ON l.order_id = o.id
                   WHERE o.id > $3 AND o.status = 'confirmed' AND l.item_id <= $2"
  fi
}

# Storefront's confirmation mails are jobs run after the commit; the queue is drained before anything else is measured,
# so the other side's window never shares the machine with them. How fast they drained is reported (mails/s).
settle_jobs() {
  local started queued waited=0
  started="$(date +%s.%N)"
  queued="$(sql -c "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")"
  while [[ "$(sql -c "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")" != 0 && $waited -lt 3000 ]]; do
    sleep 0.1; waited=$((waited + 1))
  done
  [[ $waited -lt 3000 ]] || log "  (Storefront's mail jobs still queued after 300 s; going on)"
  [[ "$queued" -gt 0 ]] && echo "$queued $(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$started" "$(date +%s.%N)")" >>"$TMP/drain.txt"
  return 0
}

: >"$TMP/results.txt"
measure() {  # ROUND SIDE SCENARIO SECONDS: one window; ROUND "warmup" records nothing
  local round="$1" side="$2" scenario="$3" secs="$4" items units token=""
  case "$scenario" in
    hot) items=1; units=$HOT_STOCK ;;
    spread) items=$SPREAD_ITEMS; units=$SPREAD_STOCK ;;
    oversell) items=1; units=$OVERSELL_STOCK ;;
  esac
  [[ "$side" == storefront ]] && token="$TOKEN"
  set_stock "$side" "$items" "$units"
  local after; after="$(last_order "$side")"
  local rate errors extra=""
  if [[ "$scenario" == oversell ]]; then
    hey -n "$OVERSELL_BUYERS" -c "$OVERSELL_BUYERS" -t 30 -m POST -T application/json ${token:+-H "Authorization: Bearer $token"} \
      -d '{"lines": [{"item_id": 1, "quantity": 1}]}' "$(base_of "$side")/orders" >"$TMP/hey.txt" 2>&1 || true
    read -r rate errors extra < <(python3 - "$TMP/hey.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
total = re.search(r"Total:\s+([\d.]+) secs", text)
codes = {int(c): int(n) for c, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", text)}
# Requests that got no answer are listed under "Error distribution" as "[count] message".
errs = re.search(r"Error distribution:\n((?:\s+\[\d+\].*\n?)*)", text)
failed = sum(int(n) for n in re.findall(r"\[(\d+)\]", errs.group(1))) if errs else 0
ok = sum(n for c, n in codes.items() if 200 <= c < 300)
secs = float(total.group(1)) if total else 0.0
print(f"{ok / secs if secs else 0:.1f}", sum(n for c, n in codes.items() if c >= 300) + failed,
      ",".join(f"{c}:{n}" for c, n in sorted(codes.items())) + (f",failed:{failed}" if failed else ""))
PY
)
  else
    local json
    json="$(ORDERS_ITEMS="$items" ORDERS_TOKEN="$token" wrk -t2 -c"$CONNECTIONS" -d"${secs}s" --timeout 10s \
      -s "$REPO/bench/wrk/orders.lua" "$(base_of "$side")/orders" 2>/dev/null | sed -n 's/^WRK_JSON //p')"
    [[ -n "$json" ]] || die "wrk printed no result ($side $scenario)"
    read -r rate errors < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); e=d["errors"]; print(round((d["requests"] - e["status"]) / d["duration_s"], 1), sum(e.values()))' "$json")
  fi
  sleep 1 # orders still in flight when the load stopped
  [[ "$side" == storefront ]] && settle_jobs
  [[ "$round" == warmup ]] && return 0
  local orders sold left
  read -r orders sold left < <(tally "$side" "$items" "$after")
  local initial=$((items * units))
  local oversold=$((sold - (initial - left)))
  echo "$round $side $scenario $rate $errors $orders $sold $initial $left $oversold ${extra:--}" >>"$TMP/results.txt"
  log "round $round, $side, $scenario: $rate orders/s, $errors errors, $orders orders ($sold units) of $initial units, $left left, oversold $oversold ${extra}"
}

if [[ "$WARMUP" -gt 0 ]]; then
  for side in storefront peer; do
    log "warm-up: $side, ${WARMUP} s each of hot and spread"
    measure warmup "$side" hot "$WARMUP"
    measure warmup "$side" spread "$WARMUP"
  done
fi
for round in $(seq 1 "$ROUNDS"); do
  sides=(storefront peer)
  [[ $((round % 2)) -eq 0 ]] && sides=(peer storefront)
  for scenario in hot spread oversell; do
    for side in "${sides[@]}"; do measure "$round" "$side" "$scenario" "$SECONDS_PER_WINDOW"; done
  done
done

touch "$TMP/drain.txt"
python3 - "$TMP/results.txt" "$COMMIT" "$(nproc)" "$CONNECTIONS" "$SECONDS_PER_WINDOW" "$ROUNDS" "$COMMAND" "$LOAD_AT_START" "$TMP/drain.txt" >"$TMP/report.md" <<'PY'
import datetime, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
commit, cores, conns, secs, rounds, command, load, drain_file = sys.argv[2:10]
drains = [tuple(map(float, l.split())) for l in open(drain_file) if l.strip()]
R = {}
for r in rows:
    R.setdefault((r[2], r[1]), []).append({"round": int(r[0]), "rate": float(r[3]), "errors": int(r[4]), "orders": int(r[5]),
                                           "sold": int(r[6]), "initial": int(r[7]), "left": int(r[8]), "oversold": int(r[9]), "codes": r[10]})
def med(xs): return statistics.median(xs) if xs else float("nan")
def spread(xs): return f" ({min(xs):,.0f}–{max(xs):,.0f})" if len(xs) > 1 else ""
names = {"hot": f"one hot item, {conns} buyers (wrk -c{conns})", "spread": f"1,000 distinct items, {conns} buyers (wrk -c{conns})",
         "oversell": "100 units, 1,000 buyers at once (hey -c1000)"}
print("# Orders under contention: Storefront vs the FastAPI peer (seeds' asyncio.Lock), PostgreSQL")
print()
print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`, {cores} cores, `{command.strip()}`: "
      f"{rounds} round(s), {secs} s windows, sides alternating first; both sides on one PostgreSQL 15 (fsync off), one item per order.")
print()
if float(load) > int(cores) / 2:
    print(f"**Measured on a busy machine** (1-minute load average {load} on {cores} cores before the run): "
          "the figures show that the script works and what the peer oversells; the rates are not worth quoting.")
else:
    print(f"1-minute load average before the run: {load} on {cores} cores.")
print()
print("| scenario | Storefront orders/s | peer orders/s | ratio | Storefront oversold | peer oversold |")
print("|---|---:|---:|---:|---:|---:|")
for s in ["hot", "spread", "oversell"]:
    sf, pe = R.get((s, "storefront"), []), R.get((s, "peer"), [])
    ratios = [a["rate"] / b["rate"] for a in sf for b in pe if a["round"] == b["round"] and b["rate"]]
    ratio = f"{med(ratios):.2f}×" + (f" ({min(ratios):.2f}–{max(ratios):.2f})" if len(ratios) > 1 else "") if ratios else "n/a"
    sfo, peo = [x["oversold"] for x in sf], [x["oversold"] for x in pe]
    print(f"| {names[s]} | {med([x['rate'] for x in sf]):,.0f}{spread([x['rate'] for x in sf])} | "
          f"{med([x['rate'] for x in pe]):,.0f}{spread([x['rate'] for x in pe])} | {ratio} | "
          f"{max(sfo) if sfo else 'n/a'} | {max(peo) if peo else 'n/a'} |")
print()
print("orders/s: 2xx answers a second (the oversell burst: 201s over the burst's time, so the refusals' cost is in it); "
      "median over the rounds (min–max), ratio = Storefront / peer per round. Oversold: the most over the rounds of "
      "units in accepted orders − (stock before − stock after), i.e. units sold that the stock never lost (lost updates); "
      "with 100 units it is also the orders accepted beyond the stock.")
if drains:
    rates = sorted(n / t for n, t in drains if t > 0)
    print()
    print(f"Storefront's confirmation mails (one durable job per order, sent to the pickup folder) were drained after each "
          f"window before the next one started: {statistics.median(rates):,.0f} mails/s (median; {rates[0]:,.0f}–{rates[-1]:,.0f}), "
          f"the longest drain {max(t for _, t in drains):.0f} s. The peer sends no mail.")
print()
print("Every window (not 2xx: answers >= 300, e.g. the burst's 409 refusals, and requests that got no answer; statuses: the burst's answers by status):")
print()
print("| round | side | scenario | orders/s | not 2xx | orders | units sold | stock before | stock after | oversold | statuses |")
print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} | {float(r[3]):,.0f} | {r[4]} | {int(r[5]):,} | {int(r[6]):,} | {int(r[7]):,} | {int(r[8]):,} | {r[9]} | {r[10]} |")
PY
cat "$TMP/report.md"
if [[ -n "$OUT" ]]; then mkdir -p "$(dirname "$OUT")"; cp "$TMP/report.md" "$OUT"; log "wrote $OUT"; fi
sf_bad="$(awk '$2 == "storefront" && $10 != 0' "$TMP/results.txt")"
[[ -z "$sf_bad" ]] || { log "Storefront oversold: $sf_bad"; exit 1; }
