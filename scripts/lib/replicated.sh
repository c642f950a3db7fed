# The replicated parts of scripts/cluster (sourced after servers.sh): a PostgreSQL primary with one streaming
# standby, and Redis as a master, a replica and three Sentinels, all on loopback, from Debian's packages.
#
# PostgreSQL: node 0 starts as the primary (PG_PORT, PG_DATA, as in the default mode), node 1 is a pg_basebackup of
# it (PG_STANDBY_PORT, PG_STANDBY_DATA) streaming its WAL. Either may be the primary after a failover; the
# servers themselves say which (pg_is_in_recovery), so nothing here keeps a "current primary" that could be stale.
# The standby is named `standby` in the primary's synchronous_standby_names: commits that ask for it
# (synchronous_commit = on in that transaction) wait until the standby has the WAL; the rest do not.
#
# Redis: REDIS_PORT/REDIS_PID is the first master, REDIS_REPLICA_PORT/REDIS_REPLICA_PID its replica;
# SENTINEL_PORTS/SENTINEL_PIDS the three Sentinels (quorum 2) watching the service `storefront`.

REDIS_SERVICE=storefront
PG_STANDBY_PORT=""
PG_STANDBY_DATA=""
REDIS_REPLICA_PORT=""
REDIS_REPLICA_PID=""
SENTINEL_PORTS=()
SENTINEL_PIDS=()

# The settings a primary needs to feed a standby, on top of init_postgres's. Durability stays as the default mode
# has it except that commits asking for the standby wait for it (fsync off only loses data to an OS crash, which
# a failover on one machine does not simulate).
replication_conf() {
  as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<CONF
# --- replication, added by scripts/lib/replicated.sh ---
wal_level = replica
max_wal_senders = 5
hot_standby = on
hot_standby_feedback = on
wal_keep_size = '256MB'
synchronous_standby_names = 'standby'
CONF
}

start_postgres_primary() { start_postgres replication_conf; }

# After start_postgres_primary (node 0 as the primary): a base backup as node 1, configured to stream from node 0.
start_standby() {
  PG_STANDBY_DATA="$SERVERS_DIR/pgstandby"
  local password
  password="$(<"$SERVERS_DIR/superuser.pw")"
  pg_superuser_sql "ALTER ROLE postgres PASSWORD '$password'"
  # -R writes standby.signal and primary_conninfo (application_name names it in synchronous_standby_names).
  as_pg "$PG_BIN/pg_basebackup" -D "$PG_STANDBY_DATA" -X stream -R -c fast \
    -d "host=127.0.0.1 port=$PG_PORT user=postgres password=$password application_name=standby" \
    >"$SERVERS_DIR/basebackup.log" 2>&1 || { cat "$SERVERS_DIR/basebackup.log" >&2; die "pg_basebackup failed"; }
  PG_STANDBY_PORT="$(pick_free_port)"
  run_pg_node "$PG_STANDBY_DATA" "$PG_STANDBY_PORT" || { cat "$SERVERS_DIR/standby.log" >&2; die "the standby did not start"; }
  log "PostgreSQL standby on 127.0.0.1:$PG_STANDBY_PORT streaming from 127.0.0.1:$PG_PORT"
}

pg_log_of() { if [[ $1 == "$PG_DATA" ]]; then echo "$SERVERS_DIR/postgres.log"; else echo "$SERVERS_DIR/standby.log"; fi; }

run_pg_node() {
  local data=$1 port=$2 _
  as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$(pg_log_of "$data")" -o "-p $port" -w -t 30 start >/dev/null || return 1
  for _ in $(seq 1 50); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 && return 0
    sleep 0.2
  done
  return 1
}

# SQL as the superuser on node at port $1; prints the first column of the result.
pg_node_sql() {
  as_pg "$PG_BIN/psql" -X -qAt -v ON_ERROR_STOP=1 -h "$SERVERS_DIR" -p "$1" -U postgres -d postgres -c "$2" 2>/dev/null
}

# The role of the server on port $1: primary, standby or down.
pg_role() {
  case "$(pg_node_sql "$1" "SELECT pg_is_in_recovery()")" in
    f) echo primary ;;
    t) echo standby ;;
    *) echo down ;;
  esac
}

pg_primary_port() {
  local port
  for port in "$PG_PORT" "$PG_STANDBY_PORT"; do
    [[ "$(pg_role "$port")" == primary ]] && { echo "$port"; return 0; }
  done
  return 1
}

pg_standby_port() {
  local port
  for port in "$PG_PORT" "$PG_STANDBY_PORT"; do
    [[ "$(pg_role "$port")" == standby ]] && { echo "$port"; return 0; }
  done
  return 1
}

pg_data_of() { if [[ $1 == "$PG_PORT" ]]; then echo "$PG_DATA"; else echo "$PG_STANDBY_DATA"; fi; }

# SIGKILL to the postmaster and every backend: a crash, not a shutdown (nothing is flushed or handed over).
pg_kill_node() {
  local data=$1 pid
  [[ -f "$data/postmaster.pid" ]] || return 0
  pid="$(head -n 1 "$data/postmaster.pid")"
  pkill -KILL -P "$pid" 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
  wait_gone "$pid" 10 || true
  rm -f "$data/postmaster.pid"
}

stop_pg_node() {
  local data=$1
  [[ -n "$data" && -f "$data/postmaster.pid" ]] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 \
    || log "WARNING: could not stop PostgreSQL in $data"
}

# Kill the primary, promote the standby (what Patroni would do), and return once the new primary commits a
# write. The old primary stays down: it may hold WAL the standby never received, so it must not come back as
# a primary (scripts/cluster stop removes it; a new standby would be a fresh pg_basebackup of the new primary).
pg_failover() {
  local old new
  old="$(pg_primary_port)" || die "no PostgreSQL primary is running"
  new=$([[ $old == "$PG_PORT" ]] && echo "$PG_STANDBY_PORT" || echo "$PG_PORT")
  [[ "$(pg_role "$new")" == standby ]] || die "no standby to promote (127.0.0.1:$new is $(pg_role "$new"))"
  pg_kill_node "$(pg_data_of "$old")"
  log "killed the PostgreSQL primary on 127.0.0.1:$old; promoting 127.0.0.1:$new"
  pg_node_sql "$new" "SELECT pg_promote(wait => true, wait_seconds => 30)" >/dev/null || die "pg_promote failed"
  # Alone now: a commit that waits for a synchronous standby would wait forever.
  pg_node_sql "$new" "ALTER SYSTEM SET synchronous_standby_names = ''" >/dev/null
  pg_node_sql "$new" "SELECT pg_reload_conf()" >/dev/null
  local deadline=$((SECONDS + 30))
  until pg_node_sql "$new" "CREATE TABLE IF NOT EXISTS failover_probe (at timestamptz); INSERT INTO failover_probe VALUES (now())" >/dev/null; do
    ((SECONDS < deadline)) || die "the promoted server on 127.0.0.1:$new accepts no write after 30 s"
    sleep 0.2
  done
  log "PostgreSQL primary is now 127.0.0.1:$new"
}

# What an operator (or Patroni's non-strict synchronous mode) does when the standby is gone for good: commits stop
# waiting for it. `sync` puts the wait back once a standby streams again.
pg_sync_mode() {
  local primary names
  primary="$(pg_primary_port)" || die "no PostgreSQL primary is running"
  case "$1" in
    async) names="" ;;
    sync) names="standby" ;;
    *) die "usage: scripts/cluster postgres sync|async" ;;
  esac
  pg_node_sql "$primary" "ALTER SYSTEM SET synchronous_standby_names = '$names'" >/dev/null
  pg_node_sql "$primary" "SELECT pg_reload_conf()" >/dev/null
}

# Until the primary reports a standby streaming again (30 s at most).
pg_wait_sync_standby() {
  local primary deadline=$((SECONDS + 30))
  primary="$(pg_primary_port)" || die "no PostgreSQL primary is running"
  until [[ "$(pg_node_sql "$primary" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" == 1 ]]; do
    ((SECONDS < deadline)) || die "the standby is not streaming 30 s after it started"
    sleep 0.2
  done
}

# Lag on purpose: the standby stops applying WAL (it still receives it) for $1 seconds, then catches up.
pg_pause_replay() {
  local standby
  standby=$([[ "$(pg_role "$PG_STANDBY_PORT")" == standby ]] && echo "$PG_STANDBY_PORT" || echo "$PG_PORT")
  [[ "$(pg_role "$standby")" == standby ]] || die "no standby is running"
  pg_node_sql "$standby" "SELECT pg_wal_replay_pause()" >/dev/null
  sleep "$1"
  pg_node_sql "$standby" "SELECT pg_wal_replay_resume()" >/dev/null
}

# ---------------------------------------------------------------- redis

# A Redis server on port $1 (a replica of port $2 when given), without persistence, as in the default mode.
run_redis_node() {
  local port=$1 of=${2:-} args=()
  [[ -n "$of" ]] && args=(--replicaof 127.0.0.1 "$of")
  launch_bg redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --databases 64 \
    --dir "$SERVERS_DIR" --logfile "$SERVERS_DIR/redis-$port.log" "${args[@]}"
  LAST_PID=$!
  local _
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    kill -0 "$LAST_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_redis_replicated() {
  REDIS_PORT="$(pick_free_port)"
  run_redis_node "$REDIS_PORT" || die "redis-server (master) did not start on $REDIS_PORT"
  REDIS_PID=$LAST_PID
  REDIS_REPLICA_PORT="$(pick_free_port)"
  run_redis_node "$REDIS_REPLICA_PORT" "$REDIS_PORT" || die "redis-server (replica) did not start on $REDIS_REPLICA_PORT"
  REDIS_REPLICA_PID=$LAST_PID
  local i port conf
  SENTINEL_PORTS=() SENTINEL_PIDS=()
  for i in 0 1 2; do
    port="$(pick_free_port)"
    conf="$SERVERS_DIR/sentinel-$i.conf"
    # Sentinel rewrites its own file (the current master, the other Sentinels): it must be writable.
    cat >"$conf" <<CONF
port $port
bind 127.0.0.1
dir $SERVERS_DIR
logfile $SERVERS_DIR/sentinel-$i.log
sentinel monitor $REDIS_SERVICE 127.0.0.1 $REDIS_PORT 2
sentinel down-after-milliseconds $REDIS_SERVICE 2000
sentinel failover-timeout $REDIS_SERVICE 10000
sentinel parallel-syncs $REDIS_SERVICE 1
CONF
    launch_bg redis-server "$conf" --sentinel
    SENTINEL_PIDS[$i]=$!
    SENTINEL_PORTS[$i]=$port
  done
  local deadline=$((SECONDS + 30))
  for i in 0 1 2; do
    until redis-cli -p "${SENTINEL_PORTS[$i]}" sentinel get-master-addr-by-name "$REDIS_SERVICE" 2>/dev/null | grep -q "$REDIS_PORT"; do
      ((SECONDS < deadline)) || die "Sentinel $i does not know the master after 30 s"
      sleep 0.2
    done
  done
  log "Redis master 127.0.0.1:$REDIS_PORT, replica 127.0.0.1:$REDIS_REPLICA_PORT, Sentinels on ${SENTINEL_PORTS[*]}"
}

# The current master as Sentinel sees it (host:port), from the first Sentinel that answers.
redis_master() {
  local port addr
  for port in "${SENTINEL_PORTS[@]}"; do
    addr="$(redis-cli -p "$port" sentinel get-master-addr-by-name "$REDIS_SERVICE" 2>/dev/null | paste -sd:)" || continue
    [[ -n "$addr" ]] && { echo "$addr"; return 0; }
  done
  return 1
}

redis_pid_of() { if [[ $1 == "$REDIS_PORT" ]]; then echo "$REDIS_PID"; else echo "$REDIS_REPLICA_PID"; fi; }

# Kill the master outright; Sentinel notices (down-after 2 s), agrees (quorum 2) and promotes the replica.
# Returns once Sentinel names the new master and it takes a write.
redis_failover() {
  local old new_port deadline
  old="$(redis_master)" || die "no Sentinel answers"
  kill -KILL "$(redis_pid_of "${old##*:}")" 2>/dev/null || true
  log "killed the Redis master $old; waiting for Sentinel"
  deadline=$((SECONDS + 60))
  while :; do
    new_port="$(redis_master | cut -d: -f2)"
    if [[ -n "$new_port" && "$new_port" != "${old##*:}" ]] && [[ "$(redis-cli -p "$new_port" set failover-probe 1 2>/dev/null)" == OK ]]; then
      break
    fi
    ((SECONDS < deadline)) || die "Sentinel did not promote a new master within 60 s"
    sleep 0.2
  done
  log "Redis master is now 127.0.0.1:$new_port"
}

# status lines for the replicated parts; non-zero if one is down or a role is missing.
status_replicated() {
  local rc=0 port role master
  for port in "$PG_PORT" "$PG_STANDBY_PORT"; do
    role="$(pg_role "$port")"
    [[ $role == down ]] && role=DOWN
    printf '%-10s %-28s %s\n' postgres "127.0.0.1:$port" "$role"
  done
  pg_primary_port >/dev/null || { echo "postgres   no primary"; rc=1; }
  # Degraded, not down: the primary serves everything (after a failover, or with the standby killed).
  pg_standby_port >/dev/null || echo "postgres   no standby: every read goes to the primary"
  master="$(redis_master || true)"
  for port in "$REDIS_PORT" "$REDIS_REPLICA_PORT"; do
    if ! redis-cli -p "$port" ping >/dev/null 2>&1; then role=DOWN
    elif [[ $master == "127.0.0.1:$port" ]]; then role=master
    else role=replica; fi
    printf '%-10s %-28s %s\n' redis "127.0.0.1:$port" "$role"
  done
  for port in "${SENTINEL_PORTS[@]}"; do
    if redis-cli -p "$port" ping >/dev/null 2>&1; then role="running, master ${master:-unknown}"; else role=DOWN; rc=1; fi
    printf '%-10s %-28s %s\n' sentinel "127.0.0.1:$port" "$role"
  done
  [[ -n $master ]] && redis-cli -h "${master%%:*}" -p "${master##*:}" ping >/dev/null 2>&1 || { echo "redis      no master"; rc=1; }
  return $rc
}

stop_redis_replicated() {
  local pid
  for pid in "${SENTINEL_PIDS[@]}" "$REDIS_REPLICA_PID" "$REDIS_PID"; do
    if alive "$pid"; then kill "$pid"; wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true; fi
  done
}
