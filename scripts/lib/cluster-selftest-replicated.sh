# The replicated part of `scripts/cluster selftest --replicated` (sourced by cluster-selftest.sh, with CLUSTER, URL,
# log and fail defined). A background trickle of reads and orders runs through both failovers; every answer must be
# 2xx or 503 with Retry-After, never a 500 or a dropped connection.

"$CLUSTER" status >/dev/null || { "$CLUSTER" status >&2 || true; fail "status reports a replicated part down"; }

user="selftest$RANDOM"
curl -sf -X POST "$URL/register" -H 'content-type: application/json' \
  -d "{\"username\": \"$user\", \"email\": \"$user@example.com\", \"password\": \"a long passphrase\"}" >/dev/null \
  || fail "register failed"
token="$(curl -sf -X POST "$URL/token" -d "username=$user&password=a long passphrase" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[[ -n $token ]] || fail "no token"
# One unit of each of the 20 sample items in turn (100 on hand each; the per-user rate is lifted for this run).
order() {
  local item=$((RANDOM % 20 + 1))
  curl -s -o /dev/null -w '%{http_code} %header{retry-after}' --max-time 10 -X POST "$URL/orders" -H "Authorization: Bearer $token" \
    -H 'content-type: application/json' -d "{\"lines\": [{\"item_id\": $item, \"quantity\": 1}]}" || echo "000 "
}
first="$(curl -s -X POST "$URL/orders" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"lines": [{"item_id": 1, "quantity": 1}]}' | sed -n 's/^{"id":\([0-9]*\).*/\1/p')"
[[ -n $first ]] || fail "the first order was not placed"

ANSWERS="$STOREFRONT_CLUSTER_DIR/selftest-answers"
: >"$ANSWERS"
trickle() {
  while [[ -f "$STOREFRONT_CLUSTER_DIR/state" ]]; do
    curl -s -o /dev/null -w '%{http_code} %header{retry-after}\n' --max-time 10 "$URL/items/1" >>"$ANSWERS" || echo "000 " >>"$ANSWERS"
    echo "$(order)" >>"$ANSWERS"
    sleep 0.1
  done
}
trickle &
TRICKLE=$!

# Each failover returns once the new primary takes writes; the service must then find it by itself.
wait_for_order() {
  local _ code
  for _ in $(seq 1 150); do
    code="$(order)"
    [[ ${code%% *} == 201 ]] && return 0
    sleep 0.2
  done
  fail "no order succeeded within 30 s after the $1 failover (last: $code)"
}
"$CLUSTER" failover postgres >&2
wait_for_order postgres
log "PostgreSQL failover: orders succeed on the promoted server"
"$CLUSTER" failover redis >&2
wait_for_order redis
log "Redis failover: orders succeed"
kill "$TRICKLE" 2>/dev/null || true
wait "$TRICKLE" 2>/dev/null || true

bad="$(grep -v '^20[01] ' "$ANSWERS" | grep -v '^503 [0-9]' || true)"
[[ -z $bad ]] || fail "answers other than 2xx or 503 + Retry-After during the failovers: $(sort "$ANSWERS" | uniq -c | tr '\n' ';')"
log "during both failovers: $(sort "$ANSWERS" | cut -d' ' -f1 | uniq -c | tr -s ' ' | tr '\n' ';')"
code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$URL/orders/$first")"
[[ $code == 200 ]] || fail "the order acknowledged before the failover answers $code"
status="$("$CLUSTER" status || true)"
grep -q "127.0.0.1:$PG_STANDBY_PORT *primary" <<<"$status" || fail "status does not name the promoted PostgreSQL primary: $status"
grep -q "127.0.0.1:$REDIS_REPLICA_PORT *master" <<<"$status" || fail "status does not name the promoted Redis master: $status"
log "status names the new primaries"
