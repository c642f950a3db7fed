# Throwaway PostgreSQL and Redis on loopback, shared by scripts/test and scripts/cluster (sourced, not run).
#
# The caller defines log and die, and sets SERVERS_DIR (data dirs, sockets, logs; the postgres user must be
# able to reach it, and unix socket paths are limited to ~100 characters, so keep it short and under /tmp).
# Results: PG_BIN, PG_DATA, PG_LOG, PG_PORT, PG_CONN (the `storefront` role, which may CREATE DATABASE);
# REDIS_PID, REDIS_PORT.

# PostgreSQL refuses to run as root, so server-side commands run as `postgres`.
as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# How a long-running server is started: in the background of the caller by default. scripts/cluster
# replaces it to detach servers that must outlive the script.
launch_bg() { "$@" & }

# Installs one Debian package (root or sudo). Lock::Timeout waits for another apt/dpkg run (e.g. a parallel
# install) instead of failing straight away; the package lists are refreshed only if installing from the
# current ones fails.
apt_install() {
  local sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo)
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=900)
  if ! "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null; then
    "${apt[@]}" update
    "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null
  fi
}

# True if nothing listens on 127.0.0.1:$1. Uses ss when present, otherwise a
# bash /dev/tcp connect probe (refused connection = free port).
port_is_free() {
  if command -v ss >/dev/null; then
    [[ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
  fi
}

# A random port below Linux's ephemeral range (32768+), so it can't collide
# with the local end of an outgoing connection.
pick_free_port() {
  local p _
  for _ in $(seq 1 200); do
    p=$((15000 + RANDOM % 17000))
    if port_is_free "$p"; then echo "$p"; return 0; fi
  done
  die "could not find a free loopback port"
}

# ---------------------------------------------------------------- postgres

PG_BIN=""
PG_DATA=""
PG_LOG=""
PG_PORT=""
PG_CONN=""

# Prints the bin dir of the highest installed PostgreSQL version, if any.
find_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [[ -x "$d/initdb" ]]; then echo "$d"; fi
  done | sort -V | tail -n 1
}

install_postgres() {
  PG_BIN="${STOREFRONT_PG_BIN:-$(find_pg_bin)}"
  if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    log "PostgreSQL not found; installing it from Debian packages"
    apt_install postgresql postgresql-contrib
    PG_BIN="$(find_pg_bin)"
    [[ -n "$PG_BIN" ]] || die "installed postgresql but found no initdb under /usr/lib/postgresql/*/bin"
  fi
  # The catalog's search index needs pg_trgm (migration 0007), which Debian ships in postgresql-contrib.
  if [[ ! -f "$("$PG_BIN/pg_config" --sharedir 2>/dev/null || echo /nonexistent)/extension/pg_trgm.control" ]] \
     && ! compgen -G "/usr/share/postgresql/$(basename "$(dirname "$PG_BIN")")/extension/pg_trgm.control" >/dev/null; then
    log "pg_trgm not found; installing postgresql-contrib"
    apt_install postgresql-contrib
  fi
}

init_postgres() {
  PG_DATA="$SERVERS_DIR/pgdata"
  PG_LOG="$SERVERS_DIR/postgres.log"

  # initdb insists on a superuser password when password auth is enabled;
  # nobody uses it (the superuser connects over the unix socket, trusted).
  echo "postgres-$RANDOM$RANDOM" >"$SERVERS_DIR/superuser.pw"
  local locale=(--no-locale)
  # C.UTF-8 keeps byte-order sorting but makes lower()/upper()/ILIKE work
  # beyond ASCII; fall back to plain C where the locale doesn't exist.
  if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then locale=(--locale=C.UTF-8); fi
  if [[ $EUID -eq 0 ]]; then chown -R postgres: "$SERVERS_DIR"; fi

  # Host connections need the real password, so a wrong connection string in
  # the tests fails here just as it would against a real server.
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 "${locale[@]}" \
    --auth-local=trust --auth-host=scram-sha-256 --pwfile="$SERVERS_DIR/superuser.pw" \
    --no-sync >"$SERVERS_DIR/initdb.log" 2>&1 \
    || { cat "$SERVERS_DIR/initdb.log" >&2; die "initdb failed"; }

  # The data is thrown away after the run, so durability is switched off for
  # speed. Tests create a database per test class, each with its own
  # connection pool, hence more connections than the default 100.
  as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<CONF

# --- added by scripts/lib/servers.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SERVERS_DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

# Starts the initialised server on $PG_PORT; true once it accepts TCP connections.
# pg_ctl -w returns early (non-zero) if the postmaster dies, e.g. on a taken port;
# pg_isready then confirms TCP connections really work.
run_postgres() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -o "-p $PG_PORT" -w -t 30 start >/dev/null \
    && wait_for_postgres
}

# Arguments, if any, are a command run after initdb and before the first start (scripts/cluster adds replication).
start_postgres() {
  init_postgres
  [[ $# -eq 0 ]] || "$@"

  # Retry with another port if someone grabbed ours between check and bind.
  local _
  for _ in 1 2 3; do
    PG_PORT="$(pick_free_port)"
    rm -f "$PG_LOG"
    log "starting PostgreSQL $(basename "$(dirname "$PG_BIN")") on 127.0.0.1:$PG_PORT"
    if run_postgres; then
      create_role
      PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Username=storefront;Password=storefront;Database=postgres"
      return 0
    fi
    if grep -q 'could not bind\|could not create any TCP/IP sockets' "$PG_LOG" 2>/dev/null; then
      log "port $PG_PORT was taken; retrying"
      stop_postgres
      continue
    fi
    break
  done
  log "PostgreSQL did not come up; server log follows"
  cat "$PG_LOG" >&2 2>/dev/null || true
  die "could not start PostgreSQL"
}

# Bounded wait (~10 s) until the server accepts TCP connections.
wait_for_postgres() {
  local _
  for _ in $(seq 1 50); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# Runs SQL as the superuser over the unix socket.
pg_superuser_sql() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SERVERS_DIR" -p "$PG_PORT" -U postgres -d postgres -c "$1" >/dev/null
}

create_role() {
  pg_superuser_sql "CREATE ROLE storefront LOGIN PASSWORD 'storefront' CREATEDB"
}

# Safe to call any number of times, including when the server never started.
stop_postgres() {
  [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 \
    || log "WARNING: could not stop PostgreSQL in $PG_DATA"
}

# ---------------------------------------------------------------- redis

REDIS_PID=""
REDIS_PORT=""

install_redis() {
  command -v redis-server >/dev/null && return 0
  log "redis-server not found; installing it from Debian packages"
  apt_install redis-server
  command -v redis-server >/dev/null || die "installed redis-server but it is not on PATH"
}

# A throwaway server on $REDIS_PORT: no persistence, loopback only, 64 databases so each test class gets its
# own. True once it answers PING (~5 s at most).
run_redis() {
  launch_bg redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --databases 64 --dir "$SERVERS_DIR" --logfile "$SERVERS_DIR/redis.log"
  REDIS_PID=$!
  local _
  for _ in $(seq 1 50); do
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then return 0; fi
    kill -0 "$REDIS_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_redis() {
  local _
  for _ in 1 2 3; do
    REDIS_PORT="$(pick_free_port)"
    if run_redis; then
      log "started redis-server on 127.0.0.1:$REDIS_PORT"
      return 0
    fi
    stop_redis
  done
  cat "$SERVERS_DIR/redis.log" >&2 2>/dev/null || true
  die "could not start redis-server"
}

stop_redis() {
  [[ -n "$REDIS_PID" ]] || return 0
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=""
}
