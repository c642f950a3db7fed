# Sourced by the bench scripts that run one Storefront of their own (bench/login-burst.sh, bench/dashboard-viewers.sh,
# bench/catalog-scale.sh, bench/orders.sh):
# publish it (Release; bin/obj in the temp dir), start it on a free loopback port in a process group of its own with
# the embedded defaults, stop that group. The caller defines log() and TMP; these set BASE and SERVICE_PID.
# BENCH_SERVICE_CPUS (a taskset list, e.g. "1"), if set, keeps the service on those CPUs from its start.

SERVICE_PID=""
BASE=""

bench_publish() {  # SRC: a work tree or an extracted `git archive`
  MSBUILDDISABLENODEREUSE=1 dotnet publish "$1/src/Storefront.Api" -c Release -o "$TMP/app" --artifacts-path "$TMP/artifacts" \
    --disable-build-servers -nologo -v q -p:UseSharedCompilation=false >"$TMP/publish.log" 2>&1 </dev/null \
    || { tail -n 30 "$TMP/publish.log" >&2; log "publish failed"; exit 1; }
}

bench_start_service() {  # [NAME=value ...]: settings added to (or overriding) the defaults below
  local port="" p
  for _ in $(seq 1 100); do
    p=$((15000 + RANDOM % 17000))
    if [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]]; then port=$p; break; fi
  done
  [[ -n "$port" ]] || { log "no free port"; exit 1; }
  BASE="http://127.0.0.1:$port"
  # A new process group (setsid), so bench_stop_service stops the service and nothing else.
  local pin=()
  [[ -z "${BENCH_SERVICE_CPUS:-}" ]] || pin=(taskset -c "$BENCH_SERVICE_CPUS")
  setsid "${pin[@]}" env -C "$TMP/app" \
    "ASPNETCORE_URLS=$BASE" \
    "Storage__Path=$TMP/data" \
    "Jwt__SigningKey=$(head -c 48 /dev/urandom | base64 -w0)" \
    "Upstreams__UseSimulator=true" \
    "Logging__LogLevel__Default=Warning" \
    "$@" \
    dotnet Storefront.Api.dll >"$TMP/service.log" 2>&1 </dev/null &
  SERVICE_PID=$!
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null --max-time 1 "$BASE/" 2>/dev/null && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$TMP/service.log" >&2; log "the service exited"; exit 1; }
    sleep 0.1
  done
  curl -fsS -o /dev/null --max-time 1 "$BASE/" || { cat "$TMP/service.log" >&2; log "the service did not start"; exit 1; }
}

bench_stop_service() {
  [[ -n "$SERVICE_PID" ]] || return 0
  kill -TERM -- "-$SERVICE_PID" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 -- "-$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$SERVICE_PID" 2>/dev/null
  wait "$SERVICE_PID" 2>/dev/null
  SERVICE_PID=""
}

bench_register() {  # USER PASSWORD: a new account, or exit
  local code
  code="$(curl -sS -o "$TMP/register.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\": \"$1\", \"email\": \"$1@example.com\", \"password\": \"$2\"}" "$BASE/register")"
  [[ "$code" == 201 ]] || { cat "$TMP/register.json" >&2; log "register answered $code"; exit 1; }
}
