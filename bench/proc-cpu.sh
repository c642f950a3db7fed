# Sourced by capacity.sh and sync-commit.sh: CPU time of processes, from /proc.
# A process and its children (PostgreSQL's backends, nginx's workers).
tree() { echo "$1"; pgrep -P "$1" || true; }
pg_pids() { tree "$(head -n 1 "$1/postmaster.pid")"; } # a PostgreSQL server's, from its data dir
ticks() { # total utime + stime of the pids on stdin, in clock ticks
  local pid total=0 stat
  while read -r pid; do
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    stat="${stat##*) }"
    # shellcheck disable=SC2086
    set -- $stat
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
